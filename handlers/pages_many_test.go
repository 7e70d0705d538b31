package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ruggedlab/models"
)

// TestPagesShowEverything: with 600 units of one handset and 600
// requirement profiles (past the 500 the pages used to read and stop at),
// the dashboard, the handset page (plain and blind) and the profiles page
// show every one (#10 item 3).
func TestPagesShowEverything(t *testing.T) {
	const n = 600
	eachEngine(t, func(t *testing.T, a *testAPI) {
		ctx := context.Background()
		st := a.store
		if _, err := st.CreateHandset(ctx, models.Handset{Code: "many-u", Name: "Many Units", Manufacturer: "Bulk", FormFactor: "phone"}, "t"); err != nil {
			t.Fatal(err)
		}
		units := make([]models.Unit, n)
		for i := range units {
			units[i] = models.Unit{Handset: "many-u", Serial: fmt.Sprintf("SN%04d", i+1)}
		}
		if _, err := st.CreateUnits(ctx, units, "t"); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			p := models.Profile{Name: fmt.Sprintf("Tender lot %04d", i+1), Requirements: []models.Requirement{{
				Key: "drop-2m", Title: "26 drops", Kind: models.Drop,
				UnitPassesIf: models.UnitPassesIf{DropsCompletedMin: iptr(26)},
				Decision:     models.Decision{Rule: models.LowerBound, Target: fptr(0.8), Confidence: 0.95}, MinUnits: 5}}}
			if _, err := st.CreateProfile(ctx, p, "t"); err != nil {
				t.Fatal(err)
			}
		}
		get := func(path string) string {
			t.Helper()
			r := a.call(t, http.MethodGet, path, "")
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d\n%.500s", path, r.Status, r.Body)
			}
			return string(r.Body)
		}

		if home := get("/"); !strings.Contains(home, fmt.Sprintf(">%d<", n)) {
			t.Errorf("dashboard does not count %d units", n)
		}
		handset := get("/handsets/many-u")
		for i := range n {
			if s := fmt.Sprintf("SN%04d", i+1); !strings.Contains(handset, s) {
				t.Fatalf("handset page lacks unit %s", s)
			}
		}
		blind := get("/handsets/A?blind=1") // the only candidate: Candidate A
		if !strings.Contains(blind, fmt.Sprintf("unit %d", n)) || strings.Contains(blind, "unit ?") {
			t.Errorf("blind handset page does not label all %d units", n)
		}
		profiles := get("/profiles")
		for i := range n {
			if s := fmt.Sprintf("Tender lot %04d", i+1); !strings.Contains(profiles, s) {
				t.Fatalf("profiles page lacks %q", s)
			}
		}
	})
}
