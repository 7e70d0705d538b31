package handlers

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// Blind mode for every route (api.md §8 "Blind mode").
//
// blindMask is the one rule: it runs on every route (server.go), decides
// once per request whether the account is blind (an evaluator while
// Server.BlindEvaluators holds and the profile — or, off a profile, some
// profile — is still masked), and for a blind request
//
//   - on the way in, turns blind references into real ones for the API
//     (handset "A" or "Candidate A" → its code, unit "unit-3" → its serial,
//     in the path parameters :code/:handset and :serial/:unit and in the
//     query parameters handset(s), code, unit(s), serial) and replaces a real
//     code or serial by a random token that names nothing, so a guess gets
//     the very answer an unknown code gets (the token is put back as the
//     client spelled it on the way out);
//   - on the way out, buffers the answer and masks its headers (Location,
//     Content-Disposition, ETag recomputed…) and body by media type: JSON,
//     problem+json and NDJSON value by value (a code becomes its letter "A",
//     a serial "unit-3", so blind answers link to blind pages and routes;
//     free text has every code, name, maker and serial replaced by
//     "Candidate A" / "Candidate A unit 3"), CSV cell by cell, anything else
//     as text;
//   - finally scans what is left for any secret (raw, HTML- or
//     JSON-escaped): pages and exports mask themselves with cast, so a hit
//     there is a bug — it is logged ("blind leak caught") and scrubbed, and
//     if scrubbing cannot remove it the answer becomes a 500 problem.
//
// New routes need nothing to be masked. A handler that must know (to hide a
// button, or to refuse with 403 where a masked answer makes no sense) calls
// isBlind(c) (pages) or blindRequest(c) (any route). Writes are refused to
// blind accounts by the role policy (policy.go) before any handler runs.
func (s *Server) blindMask(c *gin.Context) {
	if !s.BlindEvaluators || s.Auth == nil || c.FullPath() == openAPIRoute {
		// The OpenAPI document is a constant of the binary: it holds no
		// data to mask, and masking could only garble it.
		c.Next()
		return
	}
	a, ok := account(c)
	if !ok || a.Role.AtLeast(models.Technician) {
		c.Next()
		return
	}
	blind := s.stillMasked(c)
	c.Set(forcedBlindKey, func() bool { return blind })
	if !blind {
		c.Next()
		return
	}
	ctx := c.Request.Context()
	cs, err := newCast(ctx, s.Store, true)
	if err == nil {
		err = cs.loadUnits(ctx, s.Store, cs.Codes())
	}
	if err != nil {
		s.fail(c, err) // fail closed: nothing is answered unmasked
		return
	}
	m := newMasker(cs)
	c.Set(maskerKey, m)
	m.translateRequest(c)
	w := &maskWriter{ResponseWriter: c.Writer, status: http.StatusOK}
	c.Writer = w
	defer func() { c.Writer = w.ResponseWriter }()
	c.Next()
	m.flush(s, c, w)
}

const maskerKey = "blind_masker"

// blindRequest reports whether blindMask masks this request.
func blindRequest(c *gin.Context) bool {
	_, ok := c.Get(maskerKey)
	return ok
}

// stillMasked reports whether the request's view is still blind: on a
// profile's routes that profile must be unmasked, elsewhere every profile.
func (s *Server) stillMasked(c *gin.Context) bool {
	unmasked, err := s.Store.UnmaskedProfiles(c.Request.Context())
	if err != nil {
		s.Log.Error("unmasked profiles not read; the request stays blind", "request_id", requestID(c), "err", err)
		return true // fail closed
	}
	route := c.FullPath()
	if strings.HasPrefix(route, "/profiles/:id") || strings.HasPrefix(route, "/api/v1/profiles/:id") {
		return !unmasked[c.Param("id")]
	}
	return !s.allUnmasked(c, unmasked)
}

// masker maps between real and blind references for one request.
type masker struct {
	cs *cast
	// serialRef is a serial's blind reference "unit-N" (its place within
	// its candidate); serialOf maps code → reference → serial.
	serialRef map[string]string
	serialOf  map[string]map[string]string
	// variants are every secret as it may appear in a body: raw, HTML- and
	// JSON-escaped, lower case.
	variants [][]byte
	// guesses maps the stand-in tokens of real codes and serials a request
	// carried back to what the client sent.
	guesses map[string]string
}

func newMasker(cs *cast) *masker {
	m := &masker{cs: cs, serialRef: map[string]string{}, serialOf: map[string]map[string]string{}, guesses: map[string]string{}}
	seen := map[string]bool{}
	for code, units := range cs.units {
		m.serialOf[code] = map[string]string{}
		for serial, n := range units {
			ref := "unit-" + strconv.Itoa(n)
			m.serialOf[code][ref] = serial
			if seen[serial] && m.serialRef[serial] != ref {
				ref = "unit-?" // the same serial under two candidates
			}
			seen[serial] = true
			m.serialRef[serial] = ref
		}
	}
	for _, sec := range cs.secrets {
		js, _ := json.Marshal(sec.text)
		for _, v := range []string{sec.text, template.HTMLEscapeString(sec.text), string(js[1 : len(js)-1])} {
			m.variants = append(m.variants, bytes.ToLower([]byte(v)))
		}
	}
	return m
}

// isCode and isSerial say whether a request token is a real reference.
func (m *masker) isCode(tok string) bool { _, ok := m.cs.byCode[tok]; return ok }

func (m *masker) isSerial(tok string) bool { _, ok := m.serialRef[tok]; return ok }

// standIn is a fresh token, valid as a code and as a serial, that names
// nothing; the answer's copy of it is turned back into orig.
func (m *masker) standIn(orig string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	tok := "zq" + hex.EncodeToString(b)
	m.guesses[tok] = orig
	return tok
}

var (
	handsetParams = map[string]bool{"code": true, "handset": true, "handsets": true, "candidate": true, "candidates": true}
	unitParams    = map[string]bool{"serial": true, "unit": true, "units": true}
)

// translateRequest rewrites the path parameters, the path and the query
// (see blindMask). Pages resolve letters themselves; only the API is given
// real codes for letters.
func (m *masker) translateRequest(c *gin.Context) {
	api := isAPI(c.Request.URL.Path)
	code := "" // the handset the request names, for unit references
	handset := func(tok string) string {
		if m.isCode(tok) {
			return m.standIn(tok)
		}
		if !api {
			return tok
		}
		if i, ok := m.cs.byLabel[strings.ToUpper(strings.TrimPrefix(tok, "Candidate "))]; ok {
			return m.cs.all[i].Code
		}
		return tok
	}
	unit := func(tok string) string {
		if m.isSerial(tok) {
			return m.standIn(tok)
		}
		if serial, ok := m.serialOf[code][tok]; ok && api {
			return serial
		}
		return tok
	}
	changed := false
	for i, p := range c.Params {
		if handsetParams[p.Key] {
			c.Params[i].Value = handset(p.Value)
			code = c.Params[i].Value
			changed = changed || c.Params[i].Value != p.Value
		}
	}
	for i, p := range c.Params {
		if unitParams[p.Key] {
			c.Params[i].Value = unit(p.Value)
			changed = changed || c.Params[i].Value != p.Value
		}
	}
	if changed {
		segs := strings.Split(c.FullPath(), "/")
		for i, seg := range segs {
			if strings.HasPrefix(seg, ":") {
				segs[i] = url.PathEscape(c.Param(seg[1:]))
			}
		}
		c.Request.URL.Path, c.Request.URL.RawPath = strings.Join(segs, "/"), ""
	}
	q := c.Request.URL.Query()
	qChanged := false
	each := func(vals []string, f func(string) string) {
		for i, v := range vals {
			toks := strings.Split(v, ",")
			for j, t := range toks {
				toks[j] = f(strings.TrimSpace(t))
				qChanged = qChanged || toks[j] != strings.TrimSpace(t)
			}
			vals[i] = strings.Join(toks, ",")
		}
	}
	for k, vals := range q {
		if handsetParams[k] {
			each(vals, handset)
			if len(vals) == 1 && !strings.Contains(vals[0], ",") {
				code = vals[0]
			}
		}
	}
	for k, vals := range q {
		if unitParams[k] {
			each(vals, unit)
		}
	}
	// A cursor names the last item by its code or serial: take blind
	// references, and nothing else, so a crafted cursor cannot probe the
	// order of real codes.
	if vals := q["cursor"]; len(vals) > 0 {
		for i, v := range vals {
			if cur, ok := m.cursor(v, func(ref string) string {
				if i, ok := m.cs.byLabel[ref]; ok {
					return m.cs.all[i].Code
				}
				if serial, ok := m.serialOf[code][ref]; ok {
					return serial
				}
				return "\x00not issued by this service"
			}); ok {
				vals[i] = cur
			} else {
				vals[i] = "not-issued"
			}
		}
		qChanged = true
	}
	if qChanged {
		c.Request.URL.RawQuery = q.Encode()
	}
}

// value masks one string of an answer: a code becomes its letter, a serial
// its unit reference, a URL has its segments and query values mapped so,
// and free text has every secret replaced by its label.
func (m *masker) value(s string) string {
	if i, ok := m.cs.byCode[s]; ok {
		return m.cs.letters[m.cs.all[i].Code]
	}
	if ref, ok := m.serialRef[s]; ok {
		return ref
	}
	if c, ok := m.cursor(s, m.value); ok {
		return c
	}
	if strings.HasPrefix(s, "/") || strings.Contains(s, "://") {
		var b strings.Builder
		start := 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || strings.IndexByte("/?&=,#;", s[i]) >= 0 {
				tok := s[start:i]
				if raw, err := url.QueryUnescape(tok); err == nil {
					if j, ok := m.cs.byCode[raw]; ok {
						tok = m.cs.letters[m.cs.all[j].Code]
					} else if ref, ok := m.serialRef[raw]; ok {
						tok = ref
					}
				}
				b.WriteString(tok)
				if i < len(s) {
					b.WriteByte(s[i])
				}
				start = i + 1
			}
		}
		s = b.String()
	}
	return m.cs.Text(s)
}

// cursorPrefix is how store list cursors begin: base64 JSON whose "s"
// member may be a code or a serial.
const cursorPrefix = "c1."

// cursor rewrites the "s" member of a list cursor through f; ok is false
// if s is not a cursor.
func (m *masker) cursor(s string, f func(string) string) (string, bool) {
	raw, found := strings.CutPrefix(s, cursorPrefix)
	if !found {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var c map[string]any
	if err != nil || json.Unmarshal(b, &c) != nil {
		return "", false
	}
	if v, ok := c["s"].(string); ok && v != "" {
		c["s"] = f(v)
	}
	b, _ = json.Marshal(c)
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(b), true
}

// hasSecret reports whether b holds any secret in any spelling.
func (m *masker) hasSecret(b []byte) bool {
	low := bytes.ToLower(b)
	for _, v := range m.variants {
		if bytes.Contains(low, v) {
			return true
		}
	}
	return false
}

// scrub replaces every secret in any spelling, as the last resort.
func (m *masker) scrub(b []byte) []byte {
	s := m.value(string(b))
	for _, sec := range m.cs.secrets {
		js, _ := json.Marshal(sec.text)
		s = replaceFold(s, template.HTMLEscapeString(sec.text), template.HTMLEscapeString(sec.label))
		s = replaceFold(s, string(js[1:len(js)-1]), sec.label)
	}
	return []byte(s)
}

// body masks an answer's body by its media type.
// comma is the CSV separator the answer was written with (csvComma).
func (m *masker) body(contentType string, b []byte, comma rune) []byte {
	if !m.hasSecret(b) {
		return b
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "application/x-ndjson":
		if out, err := maskJSON(b, m.value); err == nil {
			return out
		}
	case mt == "text/csv":
		if out, err := maskCSV(b, comma, m.value); err == nil {
			return out
		}
	}
	return []byte(m.value(string(b)))
}

// flush masks the buffered answer and writes it.
func (m *masker) flush(s *Server, c *gin.Context, w *maskWriter) {
	out := w.ResponseWriter
	h := out.Header()
	body := w.buf.Bytes()
	binary := selfMaskedBinary(h.Get("Content-Type"))
	if !bodyless(w.status, c.Request.Method) && !binary {
		body = m.body(h.Get("Content-Type"), body, csvComma(body))
	}
	for k, vs := range h {
		if k == "Set-Cookie" || k == "X-Request-Id" || k == "Etag" {
			continue
		}
		for i, v := range vs {
			vs[i] = m.value(v)
			if k == "Content-Disposition" {
				vs[i] = string(m.scrub([]byte(vs[i])))
			}
		}
	}
	if (!binary && m.hasSecret(body)) || m.hasSecret(headerBytes(h)) {
		s.Log.Error("blind leak caught: a secret reached the masker's safety net", "request_id", requestID(c), "route", c.FullPath())
		if !binary {
			body = m.scrub(body)
		}
		for k, vs := range h {
			if k != "Set-Cookie" {
				for i, v := range vs {
					vs[i] = string(m.scrub([]byte(v)))
				}
			}
		}
		if (!binary && m.hasSecret(body)) || m.hasSecret(headerBytes(h)) {
			for k := range h {
				if k != "Set-Cookie" && k != "X-Request-Id" {
					h.Del(k)
				}
			}
			body, _ = json.Marshal(Problem{Type: "/problems/internal", Title: problemTypes[models.Internal].Title,
				Status: http.StatusInternalServerError, RequestID: requestID(c)})
			h.Set("Content-Type", "application/problem+json")
			w.status = http.StatusInternalServerError
		}
	}
	// Put back, as the client spelled them, the real codes it guessed.
	for tok, orig := range m.guesses {
		body = bytes.ReplaceAll(body, []byte(tok), []byte(orig))
		for k, vs := range h {
			for i, v := range vs {
				h[k][i] = strings.ReplaceAll(v, tok, orig)
			}
		}
	}
	if e := h.Get("ETag"); e != "" && !strings.HasPrefix(e, etagPrefix) { // version ETags name nothing (cache.go)
		sum := sha256.Sum256(body)
		h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	}
	h.Del("Content-Length")
	out.WriteHeader(w.status)
	if len(body) > 0 {
		_, _ = out.Write(body)
	}
}

// selfMaskedBinary reports a body the masker cannot read and must not
// touch: a PDF report (report.go) is built through cast, so a blind one
// names no candidate, but its text is glyph codes in compressed streams —
// a byte-level scan could never see a name, and a chance match of a short
// secret in compressed bytes would corrupt the file. Its headers are still
// masked; TestReportPDF checks the extracted text of blind reports.
func selfMaskedBinary(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/pdf"
}

func bodyless(status int, method string) bool {
	return method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified
}

func headerBytes(h http.Header) []byte {
	var b bytes.Buffer
	for k, vs := range h {
		if k == "Set-Cookie" || k == "X-Request-Id" {
			continue
		}
		for _, v := range vs {
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// maskJSON rewrites every string (keys included) of one or more JSON
// values through f, keeping order and numbers as written.
func maskJSON(data []byte, f func(string) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	for n := 0; ; n++ {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out.WriteByte('\n')
		}
		if err := copyJSON(dec, tok, &out, f, nil); err != nil {
			return nil, err
		}
	}
	if bytes.HasSuffix(data, []byte("\n")) {
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// copyJSON copies the value starting with tok through f. For an object,
// tag receives its masked "code" or "handset" member. An array that lists
// candidates — objects each naming a different one — is put in letter
// order: listed by code, the order of letters would tell the codes apart.
func copyJSON(dec *json.Decoder, tok json.Token, out *bytes.Buffer, f func(string) string, tag *string) error {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			var elems []bytes.Buffer
			var tags []string
			for dec.More() {
				next, err := dec.Token()
				if err != nil {
					return err
				}
				var b bytes.Buffer
				var tg string
				if err := copyJSON(dec, next, &b, f, &tg); err != nil {
					return err
				}
				elems, tags = append(elems, b), append(tags, tg)
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			order := make([]int, len(elems))
			for i := range order {
				order[i] = i
			}
			if listsCandidates(tags) {
				slices.SortFunc(order, func(a, b int) int {
					return cmp.Or(cmp.Compare(len(tags[a]), len(tags[b])), cmp.Compare(tags[a], tags[b]))
				})
			}
			out.WriteByte('[')
			for i, j := range order {
				if i > 0 {
					out.WriteByte(',')
				}
				out.Write(elems[j].Bytes())
			}
			out.WriteByte(']')
			return nil
		}
		out.WriteByte('{')
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			next, err := dec.Token()
			if err != nil {
				return err
			}
			key, ok := next.(string)
			if !ok {
				return errors.New("object key is not a string")
			}
			writeJSONString(out, f(key))
			out.WriteByte(':')
			if next, err = dec.Token(); err != nil {
				return err
			}
			if v, isStr := next.(string); isStr && (key == "code" || key == "handset") && tag != nil {
				*tag = f(v)
			}
			if err := copyJSON(dec, next, out, f, nil); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte('}')
	case string:
		writeJSONString(out, f(t))
	case json.Number:
		out.WriteString(t.String())
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

// listsCandidates reports whether tags are two or more different blind
// letters.
func listsCandidates(tags []string) bool {
	if len(tags) < 2 {
		return false
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t == "" || seen[t] || strings.ToUpper(t) != t || strings.ContainsAny(t, "- 0123456789") {
			return false
		}
		seen[t] = true
	}
	return true
}

func writeJSONString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	out.Write(b)
}

// maskCSV rewrites every cell of a CSV file separated by comma through f.
func maskCSV(data []byte, comma rune, f func(string) string) ([]byte, error) {
	bom := []byte("\ufeff")
	hadBOM := bytes.HasPrefix(data, bom)
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out bytes.Buffer
	if hadBOM {
		out.Write(bom)
	}
	bw := bufio.NewWriter(&out)
	w := csv.NewWriter(bw)
	w.Comma = comma
	w.UseCRLF = bytes.Contains(data, []byte("\r\n"))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for i, cell := range rec {
			rec[i] = f(cell)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	_ = bw.Flush()
	return out.Bytes(), nil
}

// maskWriter holds a blind answer until blindMask has masked it.
type maskWriter struct {
	gin.ResponseWriter
	buf     bytes.Buffer
	status  int
	written bool
}

func (w *maskWriter) WriteHeader(code int) {
	if !w.written {
		w.status = code
	}
}

func (w *maskWriter) WriteHeaderNow() { w.written = true }

func (w *maskWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.buf.Write(b)
}

func (w *maskWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.buf.WriteString(s)
}

func (w *maskWriter) Status() int   { return w.status }
func (w *maskWriter) Size() int     { return w.buf.Len() }
func (w *maskWriter) Written() bool { return w.written }
func (w *maskWriter) Flush()        {} // held until masked
