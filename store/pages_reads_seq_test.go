package store_test

import (
	"context"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
)

// TestUnitSequencesAndRunCounts: the handset page's cheap reads give what
// the straightforward reads do, on both engines — UnitSequences each
// unit's first page of RunTable (newest start first, ties by id, both
// statuses) with the fields a sequence shows, and RunCounts the runs
// counted one by one from every page of RunTable, by unit, kind and status.
func TestUnitSequencesAndRunCounts(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s) // ATL-0001, ATL-0002
		if _, err := s.CreateUnit(ctx, "atlas-r1", models.Unit{Serial: "ATL-0003"}, "tester"); err != nil {
			t.Fatal(err) // no runs: absent from both answers
		}
		base := testNow.Add(-30 * 24 * time.Hour)
		var runs []models.Run
		for i := range 130 {
			// every third start is shared by two runs: ties sort by id
			r := dropRun("ATL-0001", base.Add(time.Duration(i/3*2)*time.Hour))
			if i%7 == 0 {
				r.FirstFailureDrop, r.DropsCompleted, r.WorstSeverity = ptr(3), ptr(3), ptr(3)
			}
			runs = append(runs, r)
		}
		runs = append(runs, batteryRun("ATL-0002", base), chamberRun("ATL-0002", base.Add(time.Hour)),
			dropRun("ATL-0002", base.Add(2*time.Hour)), batteryRun("ATL-0002", base.Add(3*time.Hour)))
		made, err := s.CreateRuns(ctx, runs, "tech")
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{0, 5, 129, 131} {
			if _, err := s.RetractRun(ctx, made[i].ID, models.Retraction{Reason: "wrong unit"}, "tech"); err != nil {
				t.Fatal(err)
			}
		}
		serials := []string{"ATL-0001", "ATL-0002", "ATL-0003"}
		got, err := s.UnitSequences(ctx, "atlas-r1", serials, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Errorf("UnitSequences: %d units, want 2 (ATL-0003 has no runs)", len(got))
		}
		for _, serial := range serials {
			want, err := s.RunTable(ctx, store.RunTableQuery{Handset: "atlas-r1", Unit: serial, Desc: true, PerPage: 50})
			if err != nil {
				t.Fatal(err)
			}
			seq := got[serial]
			if len(seq) != len(want.Runs) {
				t.Fatalf("%s: %d runs, want %d", serial, len(seq), len(want.Runs))
			}
			for i, w := range want.Runs {
				g := seq[i]
				// the sequence's fields (runSummaryText's and the row's)
				if g.ID != w.ID || g.Kind != w.Kind || g.Handset != w.Handset || g.Unit != w.Unit || g.Status != w.Status ||
					!g.StartedAt.Equal(w.StartedAt) || g.ReviewOf().State != w.ReviewOf().State ||
					g.Surface != w.Surface || fl(g.HeightM) != fl(w.HeightM) ||
					str(g.FirstFailureDrop) != str(w.FirstFailureDrop) || str(g.DropsCompleted) != str(w.DropsCompleted) ||
					str(g.PlannedDrops) != str(w.PlannedDrops) || str(g.WorstSeverity) != str(w.WorstSeverity) ||
					g.Procedure != w.Procedure || fl(g.SetpointC) != fl(w.SetpointC) || bo(g.Passed) != bo(w.Passed) ||
					g.Protocol != w.Protocol || fl(g.RuntimeH) != fl(w.RuntimeH) {
					t.Fatalf("%s run %d:\n got %+v\nwant %+v", serial, i, g, w)
				}
			}
		}

		counts, err := s.RunCounts(ctx, []string{"atlas-r1", "no-such"})
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ unit, kind string }
		want := map[key][2]int{}
		for page := 1; ; page++ {
			rt, err := s.RunTable(ctx, store.RunTableQuery{Handset: "atlas-r1", PerPage: store.MaxLimit, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rt.Runs {
				c := want[key{r.Unit, string(r.Kind)}]
				if r.Status == models.Retracted {
					c[1]++
				} else {
					c[0]++
				}
				want[key{r.Unit, string(r.Kind)}] = c
			}
			if page >= rt.Pages {
				break
			}
		}
		if len(counts) != len(want) {
			t.Errorf("RunCounts: %d (unit, kind) counts, want %d: %+v", len(counts), len(want), counts)
		}
		for _, c := range counts {
			if w := want[key{c.Unit, string(c.Kind)}]; c.Handset != "atlas-r1" || c.Active != w[0] || c.Retracted != w[1] {
				t.Errorf("RunCounts %+v, want active %d, retracted %d", c, w[0], w[1])
			}
		}
	})
}

func str(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func fl(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func bo(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}
