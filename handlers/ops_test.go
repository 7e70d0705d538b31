package handlers_test

import (
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

func TestOperations(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		tests := []struct {
			name, path string
			want       string // the JSON answer
		}{
			{"healthz", "/healthz", `{"status": "ok"}`},
			{"readyz", "/readyz", `{"status": "ready", "database": "` + a.engine + `"}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := a.must(t, 200, "GET", tc.path, "")
				wantJSON(t, tc.path, r.Body, tc.want)
			})
		}
		t.Run("problem type pages", func(t *testing.T) {
			for status, slug := range problemSlugs {
				r := a.must(t, 200, "GET", "/problems/"+slug, "")
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%d /problems/%s: Content-Type %q, want text/html", status, slug, ct)
				}
				if !strings.Contains(string(r.Body), "<h1>") {
					t.Errorf("/problems/%s has no heading", slug)
				}
			}
		})
		t.Run("fields of a kind", func(t *testing.T) {
			m := object(t, a.must(t, 200, "GET", "/api/v1/fields/drop", ""))
			if m["kind"] != "drop" || len(m["fields"].([]any)) == 0 || len(m["csv_columns"].([]any)) == 0 {
				t.Errorf("fields/drop = %v", m)
			}
		})
		t.Run("metrics by route template", func(t *testing.T) {
			a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
			a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`)
			id := object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil)))["id"].(string)
			a.must(t, 200, "GET", "/api/v1/runs/"+id, "")
			a.must(t, 200, "GET", "/api/v1/runs/"+id, "")
			a.call(t, "DELETE", "/api/v1/runs/"+id, "")
			a.call(t, "GET", "/no/such/path", "")

			r := a.must(t, 200, "GET", "/metrics", "")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
			}
			body := string(r.Body)
			for _, want := range []string{
				`ruggedlab_http_requests_total{method="POST",route="/api/v1/runs",status="201"} 1`,
				`ruggedlab_http_requests_total{method="GET",route="/api/v1/runs/:id",status="200"} 2`,
				`ruggedlab_http_requests_total{method="DELETE",route="unmatched",status="405"} 1`,
				`ruggedlab_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
				`ruggedlab_http_requests_total{method="POST",route="/api/v1/handsets/:code/units",status="201"} 1`,
				`ruggedlab_http_request_duration_seconds_count{method="POST",route="/api/v1/runs"} 1`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
			// Labels are templates: ids, codes and raw paths would make
			// one series per resource.
			for _, leak := range []string{id, "atlas-r1", "/no/such/path"} {
				if strings.Contains(body, leak) {
					t.Errorf("metrics contain %q", leak)
				}
			}
		})
	})
}

func TestReadyzWithoutDatabase(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAPI(t, e)
			a.store.Close()
			wantProblem(t, a.call(t, "GET", "/readyz", ""), 503)
			// The process is still up.
			a.must(t, 200, "GET", "/healthz", "")
		})
	}
}
