package apicontract_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ruggedlab/internal/apicontract"
)

// recorder is a testing.TB that keeps what the check reports.
type recorder struct {
	*testing.T
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

// TestCheckBites: the check passes an answer the document describes and
// fails each kind of drift — a wrong body, an undocumented status, a
// request the document refuses but the server accepts, an undocumented
// path answered 200.
func TestCheckBites(t *testing.T) {
	answer := func(status int, ct, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		})
	}
	problem := `{"type": "/problems/validation", "title": "t", "status": 422, "detail": "d", "errors": [{"field": "limit", "message": "m"}]}`
	for _, c := range []struct {
		name, method, path, body string
		h                        http.Handler
		want                     string // "" = no report
	}{
		{"described", "GET", "/healthz", "", answer(200, "application/json", `{"status": "ok"}`), ""},
		{"wrong body", "GET", "/healthz", "", answer(200, "application/json", `{"status": 1}`), "not what the document says"},
		{"undocumented status", "GET", "/healthz", "", answer(418, "application/json", `{}`), "not what the document says"},
		{"problem described", "GET", "/api/v1/runs?limit=0", "", answer(422, "application/problem+json", problem), ""},
		{"problem with a stray field", "GET", "/api/v1/runs?limit=0", "", answer(422, "application/problem+json", strings.Replace(problem, `"detail"`, `"details"`, 1)), "not what the document says"},
		{"refused request accepted", "GET", "/api/v1/runs?limit=0", "", answer(200, "application/json", `{"items": [], "next_cursor": null}`), "refuses this request"},
		{"refused body accepted", "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "A", "colour": "red"}`,
			answer(201, "application/json", `{"id": "1", "handset": "atlas-r1", "serial": "A", "notes": "", "recorded_by": "x", "recorded_at": "2026-01-01T00:00:00Z"}`), "refuses this request"},
		{"undocumented path answered", "GET", "/api/v1/nothing-here", "", answer(200, "application/json", `{}`), "no such operation"},
		{"undocumented path refused", "GET", "/api/v1/nothing-here", "", answer(404, "application/problem+json", problem), ""},
		{"pages are not checked", "GET", "/runs", "", answer(200, "text/html", "<p>"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{T: t}
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			apicontract.Serve(r, c.h, req, []byte(c.body))
			got := strings.Join(r.errs, "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("reported:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("report %q, want one saying %q", got, c.want)
			}
		})
	}
}

// TestWrapBites: the middleware for real servers checks as Serve does.
func TestWrapBites(t *testing.T) {
	r := &recorder{T: t}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status": "up"}`)
	})
	srv := httptest.NewServer(apicontract.Wrap(r, h))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body) // the answer ends when the handler, and so the check, has returned
	resp.Body.Close()
	if got := strings.Join(r.errs, "\n"); !strings.Contains(got, "not what the document says") {
		t.Errorf("report %q, want the wrong body named", got)
	}
}
