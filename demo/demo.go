// Package demo loads a deterministic demo tender — four candidates with
// their units and runs of every kind — so a newcomer sees real charts at once.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
)

// Recorder marks demo records as such.
const Recorder = "demo"

// candidate is one bidder's handset and how it behaves in the lab.
type candidate struct {
	handset models.Handset
	prefix  string
	units   int
	// behaviour
	pDropFail     float64 // chance a unit fails the 26 × 2 m programme
	tumblerScale  float64 // Weibull scale of falls to first defect (1 m tumbler)
	pColdFail     float64
	pHotFail      float64
	pIngress      float64 // chance of water ingress at IP68 1.5 m / 30 min
	runtimeMeanH  float64 // EU loop runtime
	runtimeSDH    float64
	capacityMAh   float64
	nominalVoltsV float64
}

func f(v float64) *float64 { return &v }
func i(v int) *int         { return &v }
func b(v bool) *bool       { return &v }

func candidates() []candidate {
	return []candidate{
		{handset: models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone",
			Declared: models.Declared{IPCode: "IP68", ImmersionDepthM: f(1.5), DropHeightM: f(2.0), OperatingMinC: f(-25), OperatingMaxC: f(60),
				BatteryCapacityMAh: f(5000), NominalVoltageV: f(3.87), RepairabilityClass: "B"}},
			prefix: "ATL", units: 8, pDropFail: 0.05, tumblerScale: 420, pColdFail: 0.02, pHotFail: 0.05, pIngress: 0.02,
			runtimeMeanH: 38, runtimeSDH: 1.8, capacityMAh: 5000, nominalVoltsV: 3.87},
		{handset: models.Handset{Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis Devices", FormFactor: "phone",
			Declared: models.Declared{IPCode: "IP68", ImmersionDepthM: f(2.0), DropHeightM: f(1.8), OperatingMinC: f(-20), OperatingMaxC: f(55),
				BatteryCapacityMAh: f(4400), NominalVoltageV: f(3.85), RepairabilityClass: "D"}},
			prefix: "BOR", units: 6, pDropFail: 0.55, tumblerScale: 120, pColdFail: 0.4, pHotFail: 0.3, pIngress: 0.35,
			runtimeMeanH: 27, runtimeSDH: 3.0, capacityMAh: 4400, nominalVoltsV: 3.85},
		{handset: models.Handset{Code: "cobalt-t8", Name: "Cobalt T8", Manufacturer: "Cobalt Rugged", FormFactor: "tablet",
			Declared: models.Declared{IPCode: "IP65/IP68", ImmersionDepthM: f(1.5), DropHeightM: f(1.5), OperatingMinC: f(-20), OperatingMaxC: f(60),
				BatteryCapacityMAh: f(9000), NominalVoltageV: f(3.85), RepairabilityClass: "C"}},
			prefix: "COB", units: 7, pDropFail: 0.2, tumblerScale: 240, pColdFail: 0.12, pHotFail: 0.1, pIngress: 0.1,
			runtimeMeanH: 33, runtimeSDH: 2.4, capacityMAh: 9000, nominalVoltsV: 3.85},
		{handset: models.Handset{Code: "dune-p5", Name: "Dune P5", Manufacturer: "Dune Telecom", FormFactor: "phone",
			Declared: models.Declared{IPCode: "IP68", ImmersionDepthM: f(1.5), DropHeightM: f(2.0), OperatingMinC: f(-20), OperatingMaxC: f(55),
				BatteryCapacityMAh: f(5200), NominalVoltageV: f(3.87), RepairabilityClass: "B"}},
			prefix: "DUN", units: 10, pDropFail: 0.25, tumblerScale: 230, pColdFail: 0.1, pHotFail: 0.15, pIngress: 0.12,
			runtimeMeanH: 32, runtimeSDH: 2.5, capacityMAh: 5200, nominalVoltsV: 3.87},
	}
}

// campaignStart is fixed so the demo is the same on every machine.
var campaignStart = time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)

// Load fills an empty database with the demo tender and reports whether it
// did; a database that already holds handsets is left alone.
func Load(ctx context.Context, st *store.Store, now time.Time) (bool, error) {
	existing, _, err := st.Handsets(ctx, store.Page{Limit: 1})
	if err != nil {
		return false, err
	}
	if len(existing) > 0 {
		return false, nil
	}
	rng := rand.New(rand.NewPCG(2020, 316)) // fixed seed: the same tender every time
	var runs []models.Run
	repairRng := rand.New(rand.NewPCG(2023, 1669)) // its own stream: the other kinds stay as they were
	for ci, c := range candidates() {
		c.handset.Declared = withSupport(c.handset.Declared, repairSupport(c.handset.Code))
		if _, err := st.CreateHandset(ctx, c.handset, Recorder); err != nil {
			return false, err
		}
		var units []models.Unit
		for u := 1; u <= c.units; u++ {
			units = append(units, models.Unit{Handset: c.handset.Code, Serial: fmt.Sprintf("%s-%04d", c.prefix, u)})
		}
		if _, err := st.CreateUnits(ctx, units, Recorder); err != nil {
			return false, err
		}
		for ui, u := range units {
			start := campaignStart.Add(time.Duration(ci*24+ui*2) * time.Hour)
			runs = append(runs, c.unitRuns(rng, u.Serial, ui, start)...)
		}
		runs = append(runs, c.repairRuns(repairRng, ci)...)
	}
	for _, r := range runs {
		if r.EndedAt.After(now) {
			return false, fmt.Errorf("the demo campaign ends after the clock (%s): check the system date", now.Format(time.RFC3339))
		}
	}
	created, err := st.CreateRuns(ctx, runs, Recorder)
	if err != nil {
		return false, err
	}
	if err := loadSeries(ctx, st, created); err != nil {
		return false, err
	}
	if err := history(ctx, st, created); err != nil {
		return false, err
	}
	if err := loadTrial(ctx, st); err != nil { // the field pilot (trial.go)
		return false, err
	}
	return true, loadProfile(ctx, st)
}

// unitRuns is one unit's stress sequence: climate first, then drops, then
// water, with battery runs on fresh units.
func (c candidate) unitRuns(rng *rand.Rand, serial string, ui int, start time.Time) []models.Run {
	env := func(kind models.Kind, method string, at time.Time, d time.Duration) models.Run {
		return models.Run{Kind: kind, Handset: c.handset.Code, Unit: serial, Method: method,
			StartedAt: at, EndedAt: at.Add(d), Technician: technicians[rng.IntN(len(technicians))]}
	}
	var runs []models.Run

	// Battery first, on the fresh unit: the EU loop at 200 nits, sometimes twice.
	for rep := 0; rep < 1+ui%3/2; rep++ {
		runtime := math.Round((c.runtimeMeanH+rng.NormFloat64()*c.runtimeSDH)*100) / 100
		r := env(models.Battery, "EU 2023/1669 Annex IV", start.Add(time.Duration(rep)*72*time.Hour), time.Duration(runtime*float64(time.Hour)))
		r.Protocol, r.RuntimeH, r.StartSocPct, r.EndSocPct = "eu_eei_loop", f(runtime), f(100), f(0)
		r.BrightnessNits, r.AmbientC = f(200), f(23)
		runs = append(runs, r)
	}
	t := start.Add(7 * 24 * time.Hour)

	cold := env(models.Temperature, "IEC 60068-2-1 Ad", t, 3*time.Hour)
	cold.Procedure, cold.SetpointC, cold.DwellMin, cold.Passed = "operation_cold", f(-20), f(120), b(rng.Float64() >= c.pColdFail)
	if !*cold.Passed {
		cold.ShutdownObserved, cold.ShutdownTempC = b(true), f(-17.5+rng.Float64()*2)
	}
	hot := env(models.Temperature, "IEC 60068-2-2 Be", t.Add(6*time.Hour), 3*time.Hour)
	hot.Procedure, hot.SetpointC, hot.DwellMin, hot.Passed = "operation_hot", f(55), f(120), b(rng.Float64() >= c.pHotFail)
	runs = append(runs, cold, hot)
	if ui < 2 {
		shock := env(models.Temperature, "IEC 60068-2-14 Na", t.Add(24*time.Hour), 6*time.Hour)
		shock.Procedure, shock.LowC, shock.HighC, shock.Cycles, shock.DwellMin = "thermal_shock", f(-25), f(60), i(5), f(30)
		shock.Passed = b(rng.Float64() >= c.pHotFail)
		runs = append(runs, shock)
	}
	t = t.Add(48 * time.Hour)

	// The tender's programme: 26 drops from 2 m onto concrete, no case.
	drop := env(models.Drop, "MIL-STD-810H 516.8 IV (26 drops, tailored 2 m)", t, 2*time.Hour)
	drop.HeightM, drop.Surface, drop.ProtectiveCase, drop.PlannedDrops = f(2.0), "concrete", b(false), i(26)
	if rng.Float64() < c.pDropFail {
		first := 1 + rng.IntN(26)
		drop.FirstFailureDrop, drop.DropsCompleted, drop.WorstSeverity = i(first), i(first), i(3+rng.IntN(3))
	} else {
		drop.DropsCompleted, drop.WorstSeverity = i(26), i(rng.IntN(3))
	}
	runs = append(runs, drop)

	// Repeated falls in a 1 m tumbler until the first defect (Kaplan–Meier):
	// a Weibull with shape 1.8; units still intact at 300 falls are censored.
	falls := int(math.Ceil(c.tumblerScale * math.Pow(-math.Log(1-rng.Float64()), 1/1.8)))
	planned := 300
	tumble := env(models.Drop, "IEC 60068-2-31 Ec procedure 2 (tumbling barrel)", t.Add(24*time.Hour), 5*time.Hour)
	tumble.HeightM, tumble.Surface, tumble.ProtectiveCase, tumble.PlannedDrops = f(1.0), "tumbler", b(false), i(planned)
	switch {
	case ui == 5: // stopped early for a rig fault: censored, not survived
		tumble.DropsCompleted, tumble.WorstSeverity = i(min(falls-1, 150)), i(1)
		tumble.Deviations = "stopped at the end of the shift: drum motor overheated"
	case falls <= planned:
		tumble.DropsCompleted, tumble.FirstFailureDrop, tumble.WorstSeverity = i(falls), i(falls), i(3+rng.IntN(3))
	default:
		tumble.DropsCompleted, tumble.WorstSeverity = i(planned), i(rng.IntN(3))
	}
	if *tumble.DropsCompleted < 1 {
		tumble.DropsCompleted, tumble.WorstSeverity = i(1), i(1)
	}
	runs = append(runs, tumble)
	t = t.Add(48 * time.Hour)

	water := env(models.Ingress, "IEC 60529 IPX8 (1.5 m, 30 min)", t, 2*time.Hour)
	water.IPCode, water.Medium, water.DepthM, water.DurationMin = "IP68", "fresh", f(1.5), f(30)
	leak := rng.Float64() < c.pIngress
	water.IngressFound, water.FunctionalAfter = b(leak), b(!leak || rng.Float64() < 0.3)
	runs = append(runs, water)
	if ui < 3 {
		dust := env(models.Ingress, "IEC 60529 IP6X category 1", t.Add(24*time.Hour), 8*time.Hour)
		dust.IPCode, dust.Medium, dust.DurationMin = "IP6X", "dust", f(480)
		dust.IngressFound, dust.FunctionalAfter = b(rng.Float64() < c.pIngress/2), b(true)
		runs = append(runs, dust)
	}
	return runs
}

var technicians = []string{"M. Roux", "A. Benali", "S. Lefèvre", "J. Moreau"}

// history adds what real records have: a retracted run and an amended one.
func history(ctx context.Context, st *store.Store, runs []models.Run) error {
	var retract, amend *models.Run
	for k := range runs {
		r := &runs[k]
		if r.Kind != models.Drop || *r.HeightM != 2.0 {
			continue
		}
		if retract == nil && r.Handset == "borealis-x" {
			retract = r
		}
		if amend == nil && r.Handset == "dune-p5" && *r.WorstSeverity == 1 {
			amend = r
		}
	}
	if retract != nil {
		if _, err := st.RetractRun(ctx, retract.ID, models.Retraction{Reason: "drop rig guide rail found misaligned after this run; the run is void"}, Recorder); err != nil {
			return err
		}
	}
	if amend != nil {
		changes, _ := json.Marshal(map[string]any{"worst_severity": 2, "notes": "chipped frame corner seen under magnifier"})
		if _, err := st.AmendRun(ctx, amend.ID, models.Amendment{Reason: "re-inspection under magnifier found a chipped frame", Revision: 1, Changes: changes}, Recorder); err != nil {
			return err
		}
	}
	return nil
}
