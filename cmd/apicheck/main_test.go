package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
)

// TestAgainstServer runs the contract check against the real service on
// each engine, so CI proves what scripts/api-check proves by hand.
func TestAgainstServer(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			st := storetest.Open(t, e)
			srv := httptest.NewServer((&handlers.Server{Store: st}).Routes())
			t.Cleanup(srv.Close)

			// Twice: the check must hold on a database that is not empty.
			for range 2 {
				var out, errs bytes.Buffer
				code := run([]string{srv.URL}, &out, &errs)
				if code != 0 || strings.Contains(out.String(), "FAIL") {
					t.Fatalf("apicheck exit %d:\n%s%s", code, out.String(), errs.String())
				}
				if !strings.Contains(out.String(), "GET /api/v1/profiles/{id}/award?scheme=1&draws=500&seed=7 twice") {
					t.Errorf("the award checks did not run:\n%s", out.String())
				}
				if n := strings.Count(out.String(), "\nok   ") + 1; n < 50 {
					t.Errorf("only %d checks passed:\n%s", n, out.String())
				}
			}
		})
	}
}

func TestDeviationsFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"answers 200 {} to everything", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{}`))
		}},
		{"errors without problem+json", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", http.StatusUnprocessableEntity)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			var out, errs bytes.Buffer
			if code := run([]string{srv.URL}, &out, &errs); code != 1 {
				t.Errorf("exit %d, want 1:\n%s", code, out.String())
			}
			if !strings.Contains(out.String(), "\nFAIL ") || !strings.Contains(out.String(), "failed") {
				t.Errorf("no FAIL lines:\n%s", out.String())
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"127.0.0.1:8080"}, {"http://a", "http://b"}, {"--nope", "http://a"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 || !strings.Contains(errs.String(), "Usage: apicheck") && !strings.Contains(errs.String(), "not defined") {
			t.Errorf("run(%q) = %d, stderr %q; want 2 with usage", args, code, errs.String())
		}
	}
}
