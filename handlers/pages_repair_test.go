package handlers_test

import (
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

// The demo's dune-p5 is declared B and measured C; borealis-x has a unit
// that no longer works after its charging port went back in.
func TestRepairPages(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e)
			_, body := f.get(t, "/handsets/dune-p5")
			for _, want := range []string{`id="repair"`, "class C (R 3.24) — worse than declared", "display (resupplied, proprietary)", "DUN-0003: 14 steps"} {
				if !strings.Contains(body, want) {
					t.Errorf("handset page lacks %q", want)
				}
			}
			_, body = f.get(t, "/compare?kind=repair")
			for _, want := range []string{`id="repair-class"`, "charging port", "Not functional after", `data-chart="repair-steps"`, "worse than declared"} {
				if !strings.Contains(body, want) {
					t.Errorf("compare page lacks %q", want)
				}
			}
			for _, path := range []string{"/compare?kind=repair&blind=1", "/handsets/dune-p5?blind=1"} {
				resp, body := f.get(t, path)
				if resp.StatusCode == 302 {
					_, body = f.get(t, resp.Header.Get("Location"))
				}
				f.assertNoSecrets(t, path, body)
			}
		})
	}
}
