package demo

import (
	"context"
	"testing"
	"time"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/stats"
)

// The demo tender holds one trial (issue #14 Contract): six weeks, ten
// carriers per candidate, and the lab's strongest candidate on drops
// cracks its display more often in the field than another candidate.
func TestDemoTrial(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return now }))
			if _, err := Load(ctx, st, now); err != nil {
				t.Fatal(err)
			}
			trials, err := st.Trials(ctx)
			if err != nil || len(trials) != 1 || trials[0].Name != TrialName {
				t.Fatalf("trials = %+v, %v; want the one demo trial", trials, err)
			}
			d, err := st.TrialData(ctx, trials[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			carriers := map[string]map[string]bool{}
			for _, a := range d.Trial.Assignments {
				if carriers[a.Handset] == nil {
					carriers[a.Handset] = map[string]bool{}
				}
				carriers[a.Handset][a.Carrier] = true
			}
			labBest, labBestFail := "", 2.0
			for _, c := range candidates() {
				if len(carriers[c.handset.Code]) != 10 || d.DeviceDays[c.handset.Code] != 42*10 {
					t.Errorf("%s: %d carriers, %d device-days; want 10 over six weeks (420)", c.handset.Code, len(carriers[c.handset.Code]), d.DeviceDays[c.handset.Code])
				}
				if c.pDropFail < labBestFail {
					labBest, labBestFail = c.handset.Code, c.pDropFail
				}
				if len(d.SUS[c.handset.Code]) != 10 || len(d.Shifts[c.handset.Code]) != 10 {
					t.Errorf("%s: %d questionnaires, %d units with shifts; want 10 each", c.handset.Code, len(d.SUS[c.handset.Code]), len(d.Shifts[c.handset.Code]))
				}
			}
			weaker := false
			for _, c := range candidates() {
				h := c.handset.Code
				if h == labBest || c.pDropFail <= labBestFail {
					continue
				}
				rr := stats.RateRatio(d.Incidents[labBest]["display_cracked"], float64(d.DeviceDays[labBest]),
					d.Incidents[h]["display_cracked"], float64(d.DeviceDays[h]), 0.95)
				t.Logf("display cracks %s %d vs %s %d per 420 device-days: ratio %.2f [%.2f, %.2f] p %.4f",
					labBest, d.Incidents[labBest]["display_cracked"], h, d.Incidents[h]["display_cracked"], rr.Ratio, rr.CI.Lower, rr.CI.Upper, rr.P)
				if rr.CI.Lower > 1 && rr.P < 0.05 {
					weaker = true
				}
			}
			if !weaker {
				t.Errorf("the lab's best on drops (%s) cracks no more often in the field than another candidate", labBest)
			}
		})
	}
}
