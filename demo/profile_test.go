package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// TestDemoMatrixShowsEveryVerdict checks the promise of demo.Profile: on the
// demo runs its matrix has met, not-met and inconclusive cells, so the
// matrix page shows all three colours on first start.
func TestDemoMatrixShowsEveryVerdict(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return now }))
			if loaded, err := demo.Load(ctx, st, now); err != nil || !loaded {
				t.Fatalf("demo.Load = %v, %v", loaded, err)
			}
			profiles, _, err := st.Profiles(ctx, store.Page{})
			if err != nil || len(profiles) != 1 || profiles[0].Name != demo.ProfileName {
				t.Fatalf("profiles after demo.Load = %+v, %v; want the demo profile", profiles, err)
			}
			p := profiles[0]
			ev, err := st.Evidence(ctx, store.EvidenceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			m := verdict.Evaluate(p, ev.Codes(), ev.Runs)
			seen := map[verdict.Verdict]int{}
			var table []string
			for _, r := range m.Rows {
				for _, c := range r.Cells {
					seen[c.Verdict]++
					table = append(table, fmt.Sprintf("%-15s %-11s %-13s %d/%d %s", r.Key, c.Handset, c.Verdict, c.PassedUnits, c.NUnits, c.Reason))
				}
			}
			for _, v := range []verdict.Verdict{verdict.Met, verdict.NotMet, verdict.Inconclusive} {
				if seen[v] == 0 {
					t.Errorf("no %s cell in the demo matrix (counts %v):\n%s", v, seen, strings.Join(table, "\n"))
				}
			}
			// The field rows, judged on the demo trial as the handlers do.
			trials, err := st.Trials(ctx)
			if err != nil || len(trials) != 1 {
				t.Fatalf("trials %v, %v", trials, err)
			}
			d, err := st.TrialData(ctx, trials[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			units := map[string][]string{}
			for _, a := range d.Trial.Assignments {
				units[a.Handset] = append(units[a.Handset], a.Unit)
			}
			fm := verdict.WithField(m, p, []verdict.FieldData{{Trial: d.Trial.ID, DeviceDays: d.DeviceDays, Units: units,
				Incidents: d.Incidents, Shifts: d.Shifts, SUS: d.SUS}})
			want := map[string]map[string]verdict.Verdict{
				"field-display-cracks": {"atlas-r1": verdict.NotMet, "borealis-x": verdict.Inconclusive, "cobalt-t8": verdict.Inconclusive, "dune-p5": verdict.Inconclusive},
				"field-sus":            {"atlas-r1": verdict.Met, "borealis-x": verdict.NotMet, "cobalt-t8": verdict.NotMet, "dune-p5": verdict.Met},
			}
			if n := len(fm.Rows); n != 11 {
				t.Fatalf("%d rows, want 9 lab and 2 field requirements", n)
			}
			for _, r := range fm.Rows[9:] {
				for _, c := range r.Cells {
					if w, ok := want[r.Key][c.Handset]; !ok || c.Verdict != w || c.Field == nil {
						t.Errorf("%s %s: %s (%s), want %s", r.Key, c.Handset, c.Verdict, c.Reason, w)
					}
				}
			}
			if c := fm.Rows[9].Cells[0]; c.Field.Incidents != 11 || c.Field.DeviceDays != 420 || c.NUnits != 10 {
				t.Errorf("atlas-r1 display cracks: %+v %+v", c, c.Field)
			}

			// A data-driven inconclusive, not only the storage test nobody ran.
			if c := m.Rows[0].Cells[1]; m.Rows[0].Key != "drop-2m" || c.Handset != "borealis-x" || c.Verdict != verdict.Inconclusive || c.NUnits != 5 {
				t.Errorf("borealis-x drop-2m: %+v; want inconclusive over 5 units (one run retracted)", c)
			}
		})
	}
}
