package handlers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// Size of the benchmark tender: 4 candidates × 50 units × 50 runs.
const (
	vtBenchHandsets    = 4
	vtBenchUnits       = 50
	vtBenchRunsPerUnit = 50 // 10,000 runs in all
)

// BenchmarkMatrix times GET /api/v1/profiles/{id}/matrix through the real
// router — evidence query, verdicts and JSON — for a profile of 12
// requirements over 4 candidates and 10,000 runs, on each engine:
//
//	TEST_DATABASE_URL=postgres://… go test -run '^$' -bench BenchmarkMatrix ./handlers/
func BenchmarkMatrix(b *testing.B) {
	for _, e := range testdb.Engines(b) {
		// Seeded once, outside b.Run: a sub-benchmark's function runs
		// again for each -count, and must find the tender in place.
		a := vtOpen(b, e, false)
		path := "/api/v1/profiles/" + vtBenchSeed(b, a) + "/matrix"
		b.Run(e.Name, func(b *testing.B) {
			get := func() {
				w := httptest.NewRecorder()
				a.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("matrix: %d %s", w.Code, w.Body)
				}
			}
			for range 3 { // warm the pools, the page cache and the query plans
				get()
			}
			for b.Loop() {
				get()
			}
		})
	}
}

// vtBenchSeed records the benchmark tender and its 12-requirement profile,
// and returns the profile id.
func vtBenchSeed(b *testing.B, a vtAPI) string {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(10, 4))
	start := vtNow.Add(-90 * 24 * time.Hour)
	var units []models.Unit
	var runs []models.Run
	for h := range vtBenchHandsets {
		code := fmt.Sprintf("bench-%d", h)
		hs := models.Handset{Code: code, Name: code, Manufacturer: "Bench", FormFactor: "phone",
			Declared: models.Declared{BatteryCapacityMAh: vtF(5000), NominalVoltageV: vtF(3.87)}}
		if _, err := a.st.CreateHandset(ctx, hs, "bench"); err != nil {
			b.Fatal(err)
		}
		quality := 0.6 + 0.1*float64(h) // candidates differ
		for u := range vtBenchUnits {
			serial := fmt.Sprintf("B%d-%04d", h, u)
			units = append(units, models.Unit{Handset: code, Serial: serial})
			for k := range vtBenchRunsPerUnit {
				at := start.Add(time.Duration(len(runs)) * time.Minute)
				runs = append(runs, vtBenchRun(rng, code, serial, k, quality, at))
			}
		}
	}
	if _, err := a.st.CreateUnits(ctx, units, "bench"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(runs); i += 1000 {
		if _, err := a.st.CreateRuns(ctx, runs[i:min(i+1000, len(runs))], "bench"); err != nil {
			b.Fatal(err)
		}
	}
	p, err := a.st.CreateProfile(ctx, vtBenchProfile(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	return p.ID
}

func vtF(v float64) *float64 { return &v }
func vtI(v int) *int         { return &v }
func vtB(v bool) *bool       { return &v }

// vtBenchRun is the k-th run of a unit: every fifth run of each kind mix.
func vtBenchRun(rng *rand.Rand, code, serial string, k int, quality float64, at time.Time) models.Run {
	r := models.Run{Handset: code, Unit: serial, Method: "bench", StartedAt: at, EndedAt: at.Add(time.Minute)}
	ok := rng.Float64() < quality
	switch k % 10 {
	case 0, 1, 2: // 2 m concrete, 26 drops
		r.Kind, r.HeightM, r.Surface, r.ProtectiveCase, r.PlannedDrops = models.Drop, vtF(2), "concrete", vtB(false), vtI(26)
		if ok {
			r.DropsCompleted, r.WorstSeverity = vtI(26), vtI(rng.IntN(3))
		} else {
			first := 1 + rng.IntN(26)
			r.DropsCompleted, r.FirstFailureDrop, r.WorstSeverity = vtI(first), vtI(first), vtI(3+rng.IntN(3))
		}
	case 3: // 1 m tumbler
		r.Kind, r.HeightM, r.Surface, r.ProtectiveCase, r.PlannedDrops = models.Drop, vtF(1), "tumbler", vtB(false), vtI(300)
		falls := 50 + rng.IntN(300)
		if falls > 300 {
			r.DropsCompleted, r.WorstSeverity = vtI(300), vtI(1)
		} else {
			r.DropsCompleted, r.FirstFailureDrop, r.WorstSeverity = vtI(falls), vtI(falls), vtI(4)
		}
	case 4, 5: // cold and hot operation
		r.Kind, r.DwellMin, r.Passed = models.Temperature, vtF(120), vtB(ok)
		r.Procedure, r.SetpointC = "operation_cold", vtF(-20)
		if k%10 == 5 {
			r.Procedure, r.SetpointC = "operation_hot", vtF(55)
		}
	case 6: // thermal shock
		r.Kind, r.Procedure, r.LowC, r.HighC, r.Cycles, r.DwellMin, r.Passed = models.Temperature, "thermal_shock", vtF(-25), vtF(60), vtI(5), vtF(30), vtB(ok)
	case 7: // IP68 immersion
		r.Kind, r.IPCode, r.Medium, r.DepthM, r.DurationMin = models.Ingress, "IP68", "fresh", vtF(1.5), vtF(30)
		r.IngressFound, r.FunctionalAfter = vtB(!ok), vtB(true)
	case 8: // IP6X dust
		r.Kind, r.IPCode, r.Medium, r.DurationMin = models.Ingress, "IP6X", "dust", vtF(480)
		r.IngressFound, r.FunctionalAfter = vtB(!ok), vtB(true)
	default: // EU loop
		runtime := 25 + 10*quality + rng.NormFloat64()*2
		r.Kind, r.Protocol, r.RuntimeH, r.StartSocPct, r.EndSocPct, r.BrightnessNits = models.Battery, "eu_eei_loop", vtF(runtime), vtF(100), vtF(0), vtF(200)
	}
	return r
}

// vtBenchProfile has 12 requirements over every kind and rule.
func vtBenchProfile() models.Profile {
	req := func(key string, kind models.Kind, where models.Where, pass models.UnitPassesIf, rule string, target *float64, minUnits int) models.Requirement {
		return models.Requirement{Key: key, Title: key, Kind: kind, Where: where, UnitPassesIf: pass,
			Decision: models.Decision{Rule: rule, Target: target, Confidence: 0.95}, MinUnits: minUnits}
	}
	drop2m := models.Where{HeightMMin: vtF(2), Surface: []string{"concrete", "steel_on_concrete"}, ProtectiveCase: vtB(false)}
	tumble := models.Where{HeightMMin: vtF(1), HeightMMax: vtF(1), Surface: []string{"tumbler"}}
	pass := models.UnitPassesIf{Passed: vtB(true)}
	dry := models.UnitPassesIf{NoIngress: vtB(true), FunctionalAfter: vtB(true)}
	return models.Profile{Name: "bench", Requirements: []models.Requirement{
		req("drop-2m", models.Drop, drop2m, models.UnitPassesIf{DropsCompletedMin: vtI(26), WorstSeverityMax: vtI(2)}, models.LowerBound, vtF(0.5), 5),
		req("drop-2m-strict", models.Drop, drop2m, models.UnitPassesIf{DropsCompletedMin: vtI(26), WorstSeverityMax: vtI(1)}, models.AllUnits, nil, 5),
		req("tumbler-180", models.Drop, tumble, models.UnitPassesIf{DropsCompletedMin: vtI(180)}, models.AllUnits, nil, 3),
		req("tumbler-90", models.Drop, tumble, models.UnitPassesIf{DropsCompletedMin: vtI(90)}, models.LowerBound, vtF(0.8), 3),
		req("cold", models.Temperature, models.Where{Procedure: []string{"operation_cold"}, SetpointCMax: vtF(-20)}, pass, models.AllUnits, nil, 3),
		req("hot", models.Temperature, models.Where{Procedure: []string{"operation_hot"}, SetpointCMin: vtF(55)}, pass, models.AllUnits, nil, 3),
		req("hot-rate", models.Temperature, models.Where{Procedure: []string{"operation_hot"}}, pass, models.LowerBound, vtF(0.7), 3),
		req("shock", models.Temperature, models.Where{Procedure: []string{"thermal_shock"}, LowCMax: vtF(-25), HighCMin: vtF(60)}, pass, models.AllUnits, nil, 2),
		req("ip68", models.Ingress, models.Where{IPCode: []string{"IP68"}, DepthMMin: vtF(1.5), DurationMinMin: vtF(30)}, dry, models.AllUnits, nil, 3),
		req("ip6x", models.Ingress, models.Where{IPCode: []string{"IP6X"}, Medium: []string{"dust"}}, dry, models.LowerBound, vtF(0.6), 3),
		req("battery-30h", models.Battery, models.Where{Protocol: []string{"eu_eei_loop"}}, models.UnitPassesIf{}, models.MeanLowerBound, vtF(30), 3),
		req("battery-28h-units", models.Battery, models.Where{Protocol: []string{"eu_eei_loop"}, BrightnessNitsMin: vtF(190)},
			models.UnitPassesIf{RuntimeHMin: vtF(28)}, models.LowerBound, vtF(0.8), 3),
	}}
}
