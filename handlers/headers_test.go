package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ruggedlab/charts"
	"ruggedlab/internal/testdb"
	"ruggedlab/static"
)

// TestSecurityHeaders checks api.md "Security headers" on every kind of
// answer: pages, forms, the login page, API reads and problems, static
// assets, problem pages, 404 and 405, health and metrics.
func TestSecurityHeaders(t *testing.T) {
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		for _, tt := range []struct {
			method, path string
			body         string
			hdr          []string
			status       int
		}{
			{"GET", "/", "", a.as(evalName), 200},
			{"GET", "/compare?kind=drop", "", a.as(evalName), 200},
			{"GET", "/runs/new?kind=drop", "", a.as(techName), 200},
			{"GET", "/login", "", nil, 200},
			{"GET", "/", "", nil, 303},
			{"GET", "/api/v1/handsets", "", a.as(evalName), 200},
			{"GET", "/api/v1/handsets", "", nil, 401},
			{"POST", "/api/v1/handsets", `{"code":""}`, a.as(adminName), 422},
			{"POST", "/api/v1/handsets", `{}`, a.as(evalName), 403},
			{"GET", "/api/v1/handsets/nope", "", a.as(evalName), 404},
			{"DELETE", "/api/v1/handsets", "", a.as(adminName), 405},
			{"GET", "/no/such/page", "", a.as(evalName), 404},
			{"GET", static.Path("app.css"), "", nil, 200},
			{"GET", static.Path("charts.js"), "", nil, 200},
			{"GET", static.EChartsPath(), "", nil, 200},
			{"GET", static.FaviconPath, "", nil, 200},
			{"GET", "/static/" + static.Version() + "/nope.css", "", nil, 404},
			{"GET", "/problems/unauthenticated", "", nil, 200},
			{"GET", "/healthz", "", nil, 200},
			{"GET", "/metrics", "", nil, 200},
		} {
			name := tt.method + " " + tt.path
			t.Run(name, func(t *testing.T) {
				r := a.call(t, tt.method, tt.path, tt.body, tt.hdr...)
				if r.Status != tt.status {
					t.Fatalf("%s: status %d, want %d\n%.300s", name, r.Status, tt.status, r.Body)
				}
				for h, want := range map[string]string{
					"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
						"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
					"Referrer-Policy":        "same-origin",
					"X-Content-Type-Options": "nosniff",
					"X-Frame-Options":        "DENY",
				} {
					if got := r.Header.Values(h); len(got) != 1 || got[0] != want {
						t.Errorf("%s: %s = %q, want [%q]", name, h, got, want)
					}
				}
				if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
					assertNoInlineCode(t, name, string(r.Body))
				}
			})
		}
	})
}

// assertNoInlineCode fails on what the policy would block in a page:
// inline scripts, event-handler attributes, style attributes and elements.
// The browser tests catch the same at run time; this names the page.
func assertNoInlineCode(t *testing.T, name, html string) {
	t.Helper()
	for _, bad := range []string{"<script>", `<script type="text/javascript">`, " style=", "<style", " onclick=", " onload=", " onsubmit=", " onchange=", "javascript:"} {
		if strings.Contains(html, bad) {
			t.Errorf("%s: page contains %q, which the Content-Security-Policy blocks", name, bad)
		}
	}
}

// TestSwatchClasses checks that app.css paints .swatch.cN in charts.Color(N)
// for every class charts.ColorClass hands out: the pages' colour keys and
// their charts must agree.
func TestSwatchClasses(t *testing.T) {
	a := newAPI(t, testdb.SQLite(t))
	r := a.call(t, http.MethodGet, static.Path("app.css"), "")
	css := string(r.Body)
	for i := range 16 {
		class := charts.ColorClass(charts.Color(i))
		if class == "" {
			t.Fatalf("ColorClass(Color(%d)) is empty", i)
		}
		if want := fmt.Sprintf(".swatch.%s { background: %s; }", class, charts.Color(i)); !strings.Contains(css, want) {
			t.Errorf("app.css lacks %q", want)
		}
	}
}
