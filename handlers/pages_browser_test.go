package handlers_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
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
						if strings.Contains(r.Title, "PWNED") {
							t.Errorf("title %q: the __f__ marker ran", r.Title)
						}
						if blind {
							f.assertNoSecrets(t, "page text", r.BodyText)
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
