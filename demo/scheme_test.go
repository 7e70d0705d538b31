package demo_test

import (
	"context"
	"testing"
	"time"

	"ruggedlab/award"
	"ruggedlab/demo"
	"ruggedlab/eulabel"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// TestDemoAwardTellsSomething checks the promise of demo.Scheme: one
// candidate is out on a gate, and the deterministic winner is far from
// certain to rank first once measurement and weight uncertainty are drawn.
func TestDemoAwardTellsSomething(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			st := storetest.Open(t, e, storetest.At(now))
			if _, err := demo.Load(ctx, st, now); err != nil {
				t.Fatal(err)
			}
			profiles, _, _ := st.Profiles(ctx, store.Page{})
			p := profiles[0]
			sc, err := st.Scheme(ctx, p.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := st.Evidence(ctx, store.EvidenceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			m := verdict.Evaluate(p, ev.Codes(), ev.Runs)
			for _, r := range m.Rows {
				for _, c := range r.Cells {
					t.Logf("M %-15s %-11s %-13s %d/%d", r.Key, c.Handset, c.Verdict, c.PassedUnits, c.NUnits)
				}
			}
			measured := award.Measured{RepairabilityIndex: map[string]float64{}}
			for _, h := range ev.Handsets {
				if r := eulabel.Measure(h, ev.Runs).Repairability; r != nil && r.Index != nil {
					measured.RepairabilityIndex[h.Code] = *r.Index
				}
			}
			t.Logf("measured R %v", measured.RepairabilityIndex)
			prob, rep, err := award.Build(sc, m, measured)
			if err != nil {
				t.Fatal(err)
			}
			award.Fill(prob, &rep, award.DefaultDraws, award.DefaultSeed)
			excluded, top := 0, 0.0
			for _, c := range rep.Candidates {
				if c.Excluded {
					excluded++
					t.Logf("%-11s excluded: %s", c.Handset, c.Reason)
					continue
				}
				t.Logf("%-11s score %.4f rank %d P(ranks) %v cf %v flags %v values %v", c.Handset, *c.Score, *c.Rank, c.RankAcceptability, c.Confidence, c.Flags, c.Points)
				if *c.Rank == 1 {
					top = c.RankAcceptability[0]
				}
			}
			for _, cr := range rep.Criteria {
				t.Logf("%-13s weight %.2f stable [%.3f, %.3f] %s/%s", cr.Key, cr.Weight, cr.Stability.Lo, cr.Stability.Hi, cr.Stability.RivalLo, cr.Stability.RivalHi)
			}
			t.Logf("method %s", rep.WeightMethod)
			if excluded == 0 {
				t.Error("no candidate is out on a gate")
			}
			if top < 0.5 || top > 0.75 {
				t.Errorf("the deterministic winner ranks first in %.1f %% of draws; the demo wants a close call (50–75 %%)", 100*top)
			}
		})
	}
}
