package handlers_test

import (
	"mime"
	"net/http"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/i18n"
	"ruggedlab/internal/testdb"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// TestProblemPagesForBrowsers: every error a browser can reach outside
// /api/ is an HTML page in the site's layout with the problem's status
// (issue 16 item 4); the API, and clients that do not ask for HTML, keep
// problem+json. French pages ask the catalogue for nothing it lacks.
func TestProblemPagesForBrowsers(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			m := &missing{keys: map[string]bool{}}
			cat.OnMissing = m.add
			a := newAuthAPI(t, e, func(s *handlers.Server) { s.I18n = cat; s.MaxUpload = 1 << 10 })
			tom := a.mustLogin(t, techName)
			eve := a.mustLogin(t, evalName)
			big := strings.Repeat("x", 4<<10)
			for _, tt := range []struct {
				name, method, path, body, cookie string
				hdr                              []string
				status                           int
				want                             string // in the HTML page
			}{
				{"technician opens the handset form", "GET", "/handsets/new", "", tom, nil, 403, "This page is for the admin role; you are signed in as tom with the technician role."},
				{"evaluator opens the run form", "GET", "/runs/new", "", eve, nil, 403, "you are signed in as eve with the evaluator role"},
				{"unknown address", "GET", "/no/such/page", "", eve, nil, 404, "There is no page at this address."},
				{"unknown handset", "GET", "/handsets/no-such", "", eve, nil, 404, "no-such"},
				{"delete a run", "DELETE", "/runs/abc", "", tom, nil, 405, "runs are changed by amending or retracting them"},
				{"cross-site post", "POST", "/runs/new", "kind=drop", tom, []string{"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site"}, 403, "sent from another site"},
				{"import over the limit", "POST", "/imports/new", big, tom, []string{"Content-Type", "text/csv"}, 413, "over the 1 KiB limit"},
				{"bad query", "GET", "/compare?kind=nope", "", eve, nil, 422, "kind"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					for _, lang := range []string{"en", "fr"} {
						hdr := append([]string{"Accept", browserAccept, "Cookie", "rl_session=" + tt.cookie + "; rl_lang=" + lang}, tt.hdr...)
						r := a.call(t, tt.method, tt.path, tt.body, hdr...)
						if r.Status != tt.status {
							t.Fatalf("%s: status %d, want %d\n%.400s", lang, r.Status, tt.status, r.Body)
						}
						if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/html" {
							t.Fatalf("%s: Content-Type %q, want text/html\n%.300s", lang, r.Header.Get("Content-Type"), r.Body)
						}
						body := string(r.Body)
						if !strings.Contains(body, `<nav class="site"`) || !strings.Contains(body, `<html lang="`+lang+`">`) {
							t.Errorf("%s: not a page in the site's layout:\n%.600s", lang, body)
						}
						if lang == "en" && !strings.Contains(body, tt.want) {
							t.Errorf("page lacks %q:\n%s", tt.want, body)
						}
						if strings.Contains(body, "/api/v1") || strings.Contains(body, "problem+json") {
							t.Errorf("%s: an API word on a person's page:\n%s", lang, body)
						}
						if ks := m.take(); lang == "fr" && len(ks) > 0 {
							t.Errorf("French error page asks for messages the catalogue lacks: %q", ks)
						}
					}
					// The same request from a script stays problem+json
					// (pages and forms that build their own answer are HTML
					// for everyone).
					for _, accept := range []string{"", "*/*", "application/json"} {
						hdr := append([]string{"Cookie", "rl_session=" + tt.cookie}, tt.hdr...)
						if accept != "" {
							hdr = append(hdr, "Accept", accept)
						}
						r := a.call(t, tt.method, tt.path, tt.body, hdr...)
						pageMade := strings.HasPrefix(tt.path, "/handsets/no") || strings.HasPrefix(tt.path, "/compare") || strings.HasPrefix(tt.path, "/imports")
						if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); !pageMade && mt != "application/problem+json" {
							t.Errorf("Accept %q: Content-Type %q, want application/problem+json", accept, mt)
						}
					}
				})
			}
			// /api/v1 answers problem+json whatever the client asks for.
			r := a.call(t, "POST", "/api/v1/handsets", `{}`, "Accept", browserAccept, "Content-Type", "application/json", "Cookie", "rl_session="+tom)
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Status != http.StatusForbidden || mt != "application/problem+json" {
				t.Errorf("API with Accept text/html: %d %q, want 403 problem+json", r.Status, mt)
			}
		})
	}
}
