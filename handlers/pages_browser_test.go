package handlers_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestPagesInBrowser loads every page, plain and blind, in headless
// chromium on both engines, against the demo tender plus two candidates
// named with XSS payloads.
func TestPagesInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			for _, p := range f.pages() {
				for _, blind := range []bool{false, true} {
					name, path := p.name, p.path
					if blind {
						name, path = name+"-blind", blindURL(path)
					}
					t.Run(name, func(t *testing.T) {
						r := b.Visit(t, f.srv.URL+path, filepath.Join("pages", e.Name+"-"+name+".png"))
						r.AssertClean(t)
						var got []string
						for _, c := range r.Charts {
							got = append(got, c.Name)
						}
						for _, want := range p.charts {
							if !slices.Contains(got, want) {
								t.Errorf("no data-chart=%q among %q", want, got)
							}
						}
						// The marker's handset name is itself in the title now
						// (as text); had the script run, the title would be it.
						if strings.HasPrefix(r.Title, "PWNED") {
							t.Errorf("title %q: the __f__ marker ran", r.Title)
						}
						if blind {
							f.assertNoSecrets(t, "page text", r.BodyText)
							f.assertNoSecrets(t, "page HTML", r.HTML)
							f.assertNoSecrets(t, "page URL", r.URL)
							for _, c := range r.Charts {
								f.assertNoSecrets(t, "chart title", c.Title)
							}
						}
						// Payload names and titles are shown, as text.
						for _, want := range p.literal {
							if !blind && !strings.Contains(r.BodyText, want) {
								t.Errorf("page text lacks %q", want)
							}
						}
					})
				}
			}
		})
	}
}

// TestBlindEvaluatorInBrowser: with --blind-evaluators, an evaluator logged
// in through the login form visits every page (no ?blind=1: the server
// forces it) and no code, name, manufacturer or serial appears in its text,
// its HTML, its URL or its chart titles.
func TestBlindEvaluatorInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e, func(s *handlers.Server) { s.Auth, s.BlindEvaluators = &handlers.Auth{}, true })
			if _, _, err := f.st.CreateAccount(context.Background(), evalName, models.Evaluator, testPassword); err != nil {
				t.Fatal(err)
			}
			tab := b.Tab(t)
			// The submit only starts the navigation: wait until the login form is gone.
			do(t, tab, "log in", append(browserLogin(f.srv.URL, evalName, "/"), chromedp.WaitNotPresent(chromedp.CSS("#password")))...)
			var pages []page
			for _, p := range f.pages() {
				if !strings.HasPrefix(p.path, "/handsets/") && !strings.Contains(p.path, "handset=") { // real codes: a blind URL names letters
					pages = append(pages, p)
				}
			}
			for _, l := range []string{"A", "B", "C", "D", "E", "F"} {
				pages = append(pages, page{name: "handset-" + l, path: "/handsets/" + l})
			}
			for _, p := range pages {
				t.Run(p.name, func(t *testing.T) {
					r := b.Visit(t, f.srv.URL+p.path, filepath.Join("pages", e.Name+"-evaluator-"+p.name+".png"))
					r.AssertClean(t)
					if strings.Contains(r.URL, "/login") {
						t.Fatalf("not signed in: %s", r.URL)
					}
					f.assertNoSecrets(t, "page text", r.BodyText)
					f.assertNoSecrets(t, "page HTML", r.HTML)
					f.assertNoSecrets(t, "page URL", r.URL)
					for _, c := range r.Charts {
						f.assertNoSecrets(t, "chart title", c.Title)
					}
				})
			}
		})
	}
}
