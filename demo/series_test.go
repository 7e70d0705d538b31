package demo_test

import (
	"context"
	"math"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// TestDemoSeries checks that every demo battery run carries a discharge
// curve whose derived metrics agree with the run (energy close to the
// handset's declared capacity, 20 % reached before the end) and that three
// temperature runs carry a chamber log.
func TestDemoSeries(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return now }))
			start := time.Now()
			if loaded, err := demo.Load(ctx, st, now); err != nil || !loaded {
				t.Fatalf("demo.Load = %v, %v", loaded, err)
			}
			t.Logf("demo.Load took %v", time.Since(start))
			capacityWh := map[string]float64{}
			hs, _, err := st.Handsets(ctx, store.Page{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				capacityWh[h.Code] = *h.Declared.BatteryCapacityMAh / 1000 * *h.Declared.NominalVoltageV
			}
			runs, _, err := st.Runs(ctx, store.RunFilter{IncludeRetracted: true, Page: store.Page{Limit: 500}})
			if err != nil {
				t.Fatal(err)
			}
			batteries, chambers := 0, 0
			for _, r := range runs {
				switch {
				case r.Kind == models.Battery:
					batteries++
					m := r.Metrics
					if !r.HasSeries || m == nil || m.EnergyWh == nil || m.TimeTo20PctH == nil || m.MeanPowerW == nil {
						t.Errorf("battery run %s: has_series %v, metrics %+v", r.ID, r.HasSeries, m)
						continue
					}
					if ratio := *m.EnergyWh / capacityWh[r.Handset]; math.Abs(ratio-0.95) > 0.05 {
						t.Errorf("battery run %s: energy %.2f Wh is %.2f of the declared capacity", r.ID, *m.EnergyWh, ratio)
					}
					if *m.TimeTo20PctH <= 0.6**r.RuntimeH || *m.TimeTo20PctH >= *r.RuntimeH {
						t.Errorf("battery run %s: 20 %% at %.2f h of %.2f h", r.ID, *m.TimeTo20PctH, *r.RuntimeH)
					}
				case r.Kind == models.Temperature && r.HasSeries:
					chambers++
					f, _, err := st.Series(ctx, r.ID, 0)
					if err != nil || f.Column("air_c") == nil || f.Column("device_c") == nil {
						t.Errorf("chamber log of %s: %v, columns %v", r.ID, err, f.Columns)
					}
				}
			}
			if batteries == 0 || chambers != 3 {
				t.Errorf("%d battery runs, %d chamber logs; want some and 3", batteries, chambers)
			}
		})
	}
}
