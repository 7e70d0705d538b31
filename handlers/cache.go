package handlers

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"ruggedlab/i18n"
)

// Answers that can be cached are (issue #18, api.md §13 "Caching").
//
// A GET on one of cachedRoutes is answered from the data version
// (store.DataVersion, raised in every write's own transaction), the
// account, whether the request is blind and how, and the path with its
// query, and the language cookie and Accept-Language. The ETag is an HMAC of that key under a per-process secret (it
// names nothing), so:
//
//   - If-None-Match with the current ETag → 304, no body, nothing computed;
//   - otherwise the handler's answer at this version is kept (bounded) and
//     served again to the same key until any write changes the version;
//     concurrent identical requests compute it once (singleflight).
//
// The cache sits after blindMask: what it keeps is the handler's answer
// before masking, and a hit is written through the same masking writer as
// a computed answer, so a blind account never gets an unmasked body — and
// the key holds the blind state as well, so a blind and a seeing account
// never share an entry. Only 200 answers are kept.
type answerCache struct {
	secret []byte
	flight singleflight.Group

	mu      sync.Mutex
	version int64 // the version every entry was computed at
	entries map[string]cachedAnswer
	size    int
}

type cachedAnswer struct {
	header http.Header
	body   []byte
}

// Bounds: an entry over maxCachedBody is served but not kept; past
// maxCacheBytes the cache empties (entries are cheap to recompute once).
const (
	maxCachedBody = 16 << 20
	maxCacheBytes = 128 << 20
)

// etagPrefix marks the version ETags blindMask must not recompute.
const etagPrefix = `W/"rl`

// cachedRoutes are the read routes whose answer depends only on data the
// version covers (handsets, units, runs, profiles, series, unmasks, field
// trials: the compare pages and the matrix read them), with what each may
// keep.
var cachedRoutes = map[string]cachePolicy{
	"/api/v1/compare":                  {},
	"/api/v1/profiles/:id/matrix":      {},
	"/api/v1/profiles/:id/diff":        {},
	"/":                                {},
	"/handsets/:code":                  {},
	"/compare":                         {},
	"/compare/export.csv":              {},
	"/compare/export.json":             {},
	"/profiles/:id/matrix":             {},
	"/profiles/:id/matrix/export.csv":  {},
	"/profiles/:id/matrix/export.json": {},
	// A page of runs (at most 500) is runs, units and handsets, all
	// versioned; the cursor is in the key's query.
	"/api/v1/runs": {},
	// A reduced series is the run's revision and its series rows, both
	// versioned; only a bounded reduction is kept, so identical concurrent
	// downloads of a long raw series never queue behind each other.
	"/api/v1/runs/:id/series": {when: boundedSeries, maxBody: 4 << 20},
}

// cachePolicy says which requests of a route are cached (when; nil: all)
// and the largest answer kept (maxBody; 0: maxCachedBody).
type cachePolicy struct {
	when    func(*gin.Context) bool
	maxBody int
}

// maxCachedPoints is the largest ?max_points= whose series answer is kept.
const maxCachedPoints = 20000

// boundedSeries is a reduced series of at most maxCachedPoints rows.
func boundedSeries(c *gin.Context) bool {
	n, err := strconv.Atoi(c.Query("max_points"))
	return err == nil && n >= 2 && n <= maxCachedPoints
}

func (p cachePolicy) limit() int {
	if p.maxBody > 0 {
		return p.maxBody
	}
	return maxCachedBody
}

func newAnswerCache() *answerCache {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return &answerCache{secret: secret, entries: map[string]cachedAnswer{}}
}

func (ac *answerCache) get(version int64, key string) (cachedAnswer, bool) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if version != ac.version {
		return cachedAnswer{}, false
	}
	a, ok := ac.entries[key]
	return a, ok
}

func (ac *answerCache) put(version int64, key string, a cachedAnswer) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if version < ac.version {
		return // computed before a write another request has already seen
	}
	if version != ac.version || ac.size+len(a.body) > maxCacheBytes {
		ac.entries, ac.size, ac.version = map[string]cachedAnswer{}, 0, version
	}
	ac.entries[key] = a
	ac.size += len(a.body)
}

func (ac *answerCache) etag(version int64, key string) string {
	m := hmac.New(sha256.New, ac.secret)
	m.Write([]byte(strconv.FormatInt(version, 10)))
	m.Write([]byte{0})
	m.Write([]byte(key))
	return etagPrefix + hex.EncodeToString(m.Sum(nil)[:16]) + `"`
}

// cacheKey is everything besides the data version an answer depends on.
func cacheKey(c *gin.Context) string {
	var b strings.Builder
	if a, ok := account(c); ok {
		b.WriteString(a.ID + "\x00" + string(a.Role))
	}
	b.WriteString("\x00blind=" + strconv.FormatBool(blindRequest(c)) + "," + strconv.FormatBool(forcedBlind(c)))
	b.WriteString("\x00lang=" + string(langOf(c)))
	b.WriteString("\x00" + c.Request.URL.RequestURI())
	return b.String()
}

// cacheAnswers is the middleware (server.go, after blindMask).
func (s *Server) cacheAnswers(c *gin.Context) {
	policy, cached := cachedRoutes[c.FullPath()]
	// ?lang= switches the language and sets a cookie: always computed
	if s.answers == nil || c.Request.Method != http.MethodGet || !cached || c.Query(i18n.QueryParam) != "" ||
		(policy.when != nil && !policy.when(c)) {
		c.Next()
		return
	}
	version, err := s.Store.DataVersion(c.Request.Context())
	if err != nil {
		c.Next() // answer uncached rather than not at all
		return
	}
	key := cacheKey(c)
	tag := s.answers.etag(version, key)
	h := c.Writer.Header()
	if ifNoneMatch(c.GetHeader("If-None-Match"), tag) {
		h.Set("ETag", tag)
		h.Set("Cache-Control", "private, no-cache")
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	if a, ok := s.answers.get(version, key); ok {
		s.writeCached(c, tag, a)
		return
	}
	// One computation per key at a time; the others wait and share it.
	computed, aborted := false, any(nil)
	v, err, _ := s.answers.flight.Do(strconv.FormatInt(version, 10)+"\x00"+key, func() (any, error) {
		computed = true
		rec := &recordingWriter{ResponseWriter: c.Writer, tag: tag, limit: policy.limit()}
		c.Writer = rec
		defer func() {
			c.Writer = rec.ResponseWriter
			// A handler that cuts its answer short panics with
			// http.ErrAbortHandler (series_get.go); singleflight would
			// hand every waiter a panic of its own. Waiters compute their
			// own answer instead, and this request's panic goes on below.
			if r := recover(); r != nil {
				aborted = r
			}
		}()
		c.Next()
		if rec.Status() != http.StatusOK || rec.overflow {
			return nil, nil // a large answer keeps its ETag (304s) but is not kept
		}
		a := cachedAnswer{header: answerHeader(h), body: bytes.Clone(rec.buf.Bytes())}
		s.answers.put(version, key, a)
		return a, nil
	})
	if aborted != nil {
		panic(aborted)
	}
	if computed {
		// This request computed and wrote it. (Do's "shared" is no test
		// of that: it is true for the computing caller too whenever
		// others waited, and the answer was then written twice.)
		return
	}
	if a, ok := v.(cachedAnswer); ok && err == nil {
		s.writeCached(c, tag, a)
		return
	}
	c.Next() // the shared computation was not cacheable: compute our own
}

func (s *Server) writeCached(c *gin.Context, tag string, a cachedAnswer) {
	h := c.Writer.Header()
	for k, vs := range a.header {
		h[k] = append([]string(nil), vs...)
	}
	h.Set("ETag", tag)
	h.Set("Cache-Control", "private, no-cache")
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(a.body)
	c.Abort()
}

// answerHeader keeps the headers that describe the body.
func answerHeader(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Language", "Vary"} {
		if v := h.Values(k); len(v) > 0 {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// ifNoneMatch reports whether the header lists tag (weak comparison, as
// RFC 9110 §13.1.2 asks for GET) or is "*".
func ifNoneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// recordingWriter passes an answer through and keeps a copy of its body
// (up to limit bytes).
type recordingWriter struct {
	gin.ResponseWriter
	tag      string
	limit    int
	tagged   bool
	buf      bytes.Buffer
	overflow bool
}

// WriteHeader tags a 200 answer; errors carry no ETag.
func (w *recordingWriter) WriteHeader(code int) {
	if code == http.StatusOK && !w.ResponseWriter.Written() {
		w.Header().Set("ETag", w.tag)
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	w.tagged = true
	w.ResponseWriter.WriteHeader(code)
}

// tagImplicit tags an answer written without WriteHeader (an implicit 200).
func (w *recordingWriter) tagImplicit() {
	if !w.tagged && !w.ResponseWriter.Written() && w.Status() == http.StatusOK {
		w.Header().Set("ETag", w.tag)
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	w.tagged = true
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.tagImplicit()
	w.keep(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	w.tagImplicit()
	w.keep([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

func (w *recordingWriter) keep(b []byte) {
	if w.overflow {
		return
	}
	if w.buf.Len()+len(b) > w.limit {
		w.overflow, w.buf = true, bytes.Buffer{}
		return
	}
	w.buf.Write(b)
}
