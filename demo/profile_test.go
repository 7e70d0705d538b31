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
			// A data-driven inconclusive, not only the storage test nobody ran.
			if c := m.Rows[0].Cells[1]; m.Rows[0].Key != "drop-2m" || c.Handset != "borealis-x" || c.Verdict != verdict.Inconclusive || c.NUnits != 5 {
				t.Errorf("borealis-x drop-2m: %+v; want inconclusive over 5 units (one run retracted)", c)
			}
		})
	}
}
