package handlers_test

import (
	"path/filepath"
	"strings"
	"testing"

	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/testdb"
)

// TestFieldEvidenceInBrowser (issue #14 done-when): the trial page, the
// compare pages with field evidence and the matrix with field
// requirements, plain and blind, in headless chromium on both engines:
// clean pages, the incidents chart drawn, the field sections and rows on
// screen, and no candidate named in blind mode.
func TestFieldEvidenceInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			pages := []struct {
				name, path string
				chart      string
				text       []string // on screen, plain and blind
			}{
				{"trial", "/trials/" + f.trialID, "trial-incidents", []string{"Device-days", "420", "26.2", "display cracked"}},
				{"compare-drop", "/compare?kind=drop", "", []string{"In service: display cracks beside drop survival", "Pilote terrain Lyon", "26.2"}},
				{"compare-battery", "/compare?kind=battery", "", []string{"In service: shifts the battery lasted beside the lab runtime", "Pilote terrain Lyon", "98.1"}},
				{"matrix", "/profiles/" + f.profileID + "/matrix", "", []string{"Display cracks in service", "SUS ≥ 68", "11 incident(s) in 420 device-days"}},
			}
			for _, p := range pages {
				for _, blind := range []bool{false, true} {
					name, path := p.name, p.path
					if blind {
						name, path = name+"-blind", blindURL(path)
					}
					t.Run(name, func(t *testing.T) {
						r := b.Visit(t, f.srv.URL+path, filepath.Join("field", e.Name+"-"+name+".png"))
						r.AssertClean(t)
						if p.chart != "" {
							drawn := false
							for _, c := range r.Charts {
								drawn = drawn || c.Name == p.chart
							}
							if !drawn {
								t.Errorf("no data-chart=%q drawn", p.chart)
							}
						}
						for _, want := range p.text {
							if !strings.Contains(r.BodyText, want) {
								t.Errorf("page text lacks %q", want)
							}
						}
						if blind {
							f.assertNoSecrets(t, "page text", r.BodyText)
							f.assertNoSecrets(t, "page HTML", r.HTML)
							for _, c := range r.Charts {
								f.assertNoSecrets(t, "chart title", c.Title)
							}
						}
					})
				}
			}
		})
	}
}
