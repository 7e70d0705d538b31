// Package apicontract checks API exchanges against the OpenAPI document
// (handlers/openapi/openapi.yaml); the handlers tests send every request
// of their shared helpers through Serve, so the document cannot drift
// from the code. Only tests import it.
package apicontract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"ruggedlab/handlers/openapi"
)

// The handlers tests' requests and answers are checked against the OpenAPI
// document: every call through the shared helpers (testAPI.call,
// importAPI.send and get, vtAPI.do, the policy walk) goes through Serve,
// and a mismatch fails the test.
//
// The rules:
//   - every answer must be described: its status code for that operation,
//     its media type, and its body against the schema (problem+json
//     included);
//   - a request the document refuses (a body, parameter or media type
//     outside it) must be refused by the server too (4xx): the server may
//     refuse more than the document says (business rules need the store),
//     never accept what the document refuses;
//   - a path or method the document does not describe must be answered
//     404 or 405 (or 401 before routing, with accounts on);
//   - only the API paths are checked (/api/…, /healthz, /readyz, /metrics);
//     pages are HTML, outside the contract.
//
// RUGGEDLAB_OPENAPI_CHECK=0 turns the check off, for a quick look at a
// failure without it; CI never sets it.

var contract = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(openapi.JSON())
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc,
		config.WithoutSecurityValidation(), // accounts are the server's business, tested on their own
	)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%v", errs)
	}
	return v, nil
})

// contractMu serialises validation: tests may run requests concurrently.
var contractMu sync.Mutex

// contractChecked reports whether path is part of the API contract.
func contractChecked(path string) bool {
	if os.Getenv("RUGGEDLAB_OPENAPI_CHECK") == "0" {
		return false
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// Check validates one exchange. req is the request as sent (its
// body already consumed: body holds its bytes); rec the recorded answer.
func Check(t testing.TB, req *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	check(t, req, body, rec.Code, rec.Header(), rec.Body.Bytes())
}

func check(t testing.TB, req *http.Request, body []byte, status int, header http.Header, answer []byte) {
	t.Helper()
	if !contractChecked(req.URL.RequestURI()) || req.Method == http.MethodHead || req.Method == http.MethodOptions {
		return
	}
	v, err := contract()
	if err != nil {
		t.Fatalf("openapi: the document does not load: %v", err)
	}
	clone := func() *http.Request {
		r := httptest.NewRequest(req.Method, req.URL.RequestURI(), bytes.NewReader(body))
		r.Header = req.Header.Clone()
		return r
	}
	contractMu.Lock()
	_, reqErrs := v.ValidateHttpRequestSync(clone())
	contractMu.Unlock()
	if undescribed(reqErrs) {
		switch status {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized:
			return // no such operation, and the server says so
		}
		t.Errorf("openapi: %s %s answered %d, but the document has no such operation: %s",
			req.Method, req.URL.RequestURI(), status, describe(reqErrs))
		return
	}
	if len(reqErrs) > 0 && status < 400 {
		t.Errorf("openapi: %s %s: the document refuses this request, but the server answered %d:\n%s",
			req.Method, req.URL.RequestURI(), status, describe(reqErrs))
	}
	resp := &http.Response{
		StatusCode: status, Header: header.Clone(), Request: clone(),
		Body: io.NopCloser(bytes.NewReader(answer)), ContentLength: int64(len(answer)),
	}
	contractMu.Lock()
	_, respErrs := v.ValidateHttpResponse(clone(), resp)
	contractMu.Unlock()
	if len(respErrs) > 0 {
		t.Errorf("openapi: %s %s: the answer %d is not what the document says:\n%s\nbody: %.600s",
			req.Method, req.URL.RequestURI(), status, describe(respErrs), answer)
	}
}

// undescribed reports whether errs say the path or method is not in the
// document at all.
func undescribed(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.ValidationType == "path" && (e.ValidationSubType == "missing" || e.ValidationSubType == "missingOperation") {
			return true
		}
	}
	return false
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", s.FieldPath, s.Reason)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Serve sends req (body: its bytes) through h, records the answer
// and checks the exchange against the contract.
func Serve(t testing.TB, h http.Handler, req *http.Request, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	Check(t, req, body, rec)
	return rec
}

// Wrap returns h with every exchange checked, for tests that serve the
// router over a real socket (httptest.NewServer). The request body is
// recorded as the handler reads it and the answer as it is written
// (flushes pass through, so streamed answers still stream); the check
// runs once the handler returns.
func Wrap(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !contractChecked(r.URL.RequestURI()) {
			h.ServeHTTP(w, r)
			return
		}
		var in bytes.Buffer
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, &in), r.Body}
		tw := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(tw, r)
		check(t, r, in.Bytes(), tw.status, w.Header(), tw.out.Bytes())
	})
}

// teeWriter keeps a copy of the status and body written through it.
type teeWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	out    bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.wrote = true
	w.out.Write(p)
	return w.ResponseWriter.Write(p)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
