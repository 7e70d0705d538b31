package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ruggedlab/models"
	"ruggedlab/store"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

const requestIDKey = "request_id"

// withRequestID accepts a sane X-Request-ID or makes one, and echoes it.
func (s *Server) withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// recoverPanic answers 500 problem+json instead of dropping the connection.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.fail(c, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}
	}()
	c.Next()
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ruggedlab_http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ruggedlab_http_request_duration_seconds", Help: "HTTP request latency by route template.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// logRequest writes one JSON log line per request and records metrics by
// route template (low cardinality), never by raw path.
func (s *Server) logRequest(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(route, c.Request.Method).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000),
	)
}

func (s *Server) serveMetrics(c *gin.Context) {
	promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}

const bodyKey = "body"

// requireJSON checks the media type and reads the body under the JSON
// limit, so that handlers and the idempotency check see the same bytes.
func (s *Server) requireJSON(c *gin.Context) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/merge-patch+json") {
		s.fail(c, failCode(models.Unsupported, "send the body as application/json, not %q", c.GetHeader("Content-Type")))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxJSON))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(c, failCode(models.TooLarge, "the body is over the %d-byte limit for JSON", tooLarge.Limit))
			return
		}
		s.fail(c, failCode(models.Malformed, "the body could not be read: %v", err))
		return
	}
	c.Set(bodyKey, body)
	c.Next()
}

func body(c *gin.Context) []byte {
	b, _ := c.Get(bodyKey)
	raw, _ := b.([]byte)
	return raw
}

// capture keeps a copy of the response so it can be stored for replay.
type capture struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *capture) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *capture) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent honours Idempotency-Key on POST: the same key and body replay
// the first 2xx answer and create nothing new; the key lives in the
// database, so any instance behind a load balancer honours it.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" || c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	if len(key) > 255 {
		s.fail(c, models.FieldErrors{{Field: "Idempotency-Key", Message: "must be at most 255 characters"}}.Err("the Idempotency-Key is not valid"))
		return
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s %s\n", c.Request.Method, c.Request.URL.RequestURI())
	sum.Write(body(c))
	hash := hex.EncodeToString(sum.Sum(nil))
	ctx := c.Request.Context()
	scope := s.idempotencyScope(c)
	// A concurrent twin holds the key for as long as its request runs;
	// wait briefly for its answer rather than failing at once.
	var stored *store.StoredResponse
	var err error
	for attempt := 0; ; attempt++ {
		stored, err = s.Store.ClaimKey(ctx, scope, key, hash)
		if !errors.Is(err, store.ErrKeyInFlight) || attempt == 50 {
			break
		}
		select {
		case <-ctx.Done():
			s.fail(c, ctx.Err())
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if stored != nil {
		if stored.Location != "" {
			c.Header("Location", stored.Location)
		}
		c.Header("Idempotent-Replayed", "true")
		c.Data(stored.Status, stored.ContentType, stored.Body)
		c.Abort()
		return
	}
	w := &capture{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	// The answer must be stored even if the client has gone away.
	bg := context.WithoutCancel(ctx)
	if st := w.Status(); st >= 200 && st < 300 {
		err = s.Store.CompleteKey(bg, scope, key, store.StoredResponse{
			Status: st, ContentType: w.Header().Get("Content-Type"), Location: w.Header().Get("Location"), Body: w.buf.Bytes()})
	} else {
		err = s.Store.ReleaseKey(bg, scope, key)
	}
	if err != nil {
		s.Log.Error("idempotency key not saved", "request_id", requestID(c), "err", err)
	}
}
