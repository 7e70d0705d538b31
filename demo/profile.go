package demo

import (
	"context"

	"ruggedlab/models"
	"ruggedlab/store"
)

// ProfileName names the demo tender's requirement profile.
const ProfileName = "FSI-2020-like rugged handset tender (demo)"

// Profile is the demo tender's requirement list, modelled on domain.md
// §8(b) with its illustrative thresholds. Against the demo runs it gives
// met, not-met and inconclusive cells: the storage test has not been run
// yet, and the tumbler and battery evidence is thin for some candidates.
// Its last two requirements read the field pilot (trial.go).
func Profile() models.Profile {
	req := func(key, title string, kind models.Kind, where models.Where, pass models.UnitPassesIf, rule string, target *float64, minUnits int) models.Requirement {
		return models.Requirement{Key: key, Title: title, Kind: kind, Where: where, UnitPassesIf: pass,
			Decision: models.Decision{Rule: rule, Target: target, Confidence: models.DefaultConfidence}, MinUnits: minUnits}
	}
	return models.Profile{Name: ProfileName, Requirements: []models.Requirement{
		req("drop-2m", "26 drops from 2 m onto concrete, no case, severity ≤ 2", models.Drop,
			models.Where{HeightMMin: f(2.0), Surface: []string{"concrete", "steel_on_concrete"}, ProtectiveCase: b(false)},
			models.UnitPassesIf{DropsCompletedMin: i(26), WorstSeverityMax: i(2)}, models.LowerBound, f(0.5), 5),
		req("tumbler-180", "≥ 180 falls without defect at 1 m in a tumbler (≈ EU class B)", models.Drop,
			models.Where{HeightMMin: f(1.0), HeightMMax: f(1.0), Surface: []string{"tumbler"}},
			models.UnitPassesIf{DropsCompletedMin: i(180)}, models.AllUnits, nil, 3),
		req("cold-operation", "Boots and runs 2 h at −20 °C (IEC 60068-2-1 Ad)", models.Temperature,
			models.Where{Procedure: []string{"operation_cold"}, SetpointCMax: f(-20)},
			models.UnitPassesIf{Passed: b(true)}, models.AllUnits, nil, 3),
		req("hot-operation", "Runs 2 h at +55 °C under load (IEC 60068-2-2 Be)", models.Temperature,
			models.Where{Procedure: []string{"operation_hot"}, SetpointCMin: f(55)},
			models.UnitPassesIf{Passed: b(true)}, models.AllUnits, nil, 3),
		req("storage", "Full function after 16 h at −40 °C and +70 °C storage", models.Temperature,
			models.Where{Procedure: []string{"storage_cold", "storage_hot"}},
			models.UnitPassesIf{Passed: b(true)}, models.AllUnits, nil, 2),
		req("thermal-shock", "5 cycles −25 ↔ +60 °C (IEC 60068-2-14 Na)", models.Temperature,
			models.Where{Procedure: []string{"thermal_shock"}, LowCMax: f(-25), HighCMin: f(60), CyclesMin: i(5)},
			models.UnitPassesIf{Passed: b(true)}, models.AllUnits, nil, 2),
		req("ip68-1.5m", "IP68: 1.5 m fresh water for 30 min, dry and working after", models.Ingress,
			models.Where{IPCode: []string{"IP68"}, Medium: []string{"fresh"}, DepthMMin: f(1.5), DurationMinMin: f(30)},
			models.UnitPassesIf{NoIngress: b(true), FunctionalAfter: b(true)}, models.AllUnits, nil, 3),
		req("ip6x-dust", "IP6X dust, category 1, 8 h", models.Ingress,
			models.Where{IPCode: []string{"IP6X"}, Medium: []string{"dust"}, DurationMinMin: f(480)},
			models.UnitPassesIf{NoIngress: b(true), FunctionalAfter: b(true)}, models.AllUnits, nil, 3),
		req("battery-30h", "EU-loop runtime ≥ 30 h at 200 nits (lower 95 % t-bound of unit means)", models.Battery,
			models.Where{Protocol: []string{"eu_eei_loop"}, BrightnessNitsMin: f(190), BrightnessNitsMax: f(210)},
			models.UnitPassesIf{}, models.MeanLowerBound, f(30), 3),
		// Field evidence (issue #14): the demo's one trial, 420 device-days
		// and ten officers per candidate. atlas-r1, the lab's best at drops,
		// cracks 11 displays in service: its exact lower bound (13.1) is
		// above the target, so it is not met; the others' intervals are
		// too wide to tell. SUS: atlas-r1 and dune-p5 are met, borealis-x
		// and cobalt-t8 not met (upper bounds 63.4 and 66.7).
		fieldReq("field-display-cracks", "Display cracks in service ≤ 10 per 1,000 device-days (upper 95 % exact Poisson bound)",
			models.IncidentRate, models.Where{Category: []string{"display_cracked"}}, models.UpperBound, 10, 5),
		fieldReq("field-sus", "Officers' usability: SUS ≥ 68 (lower 95 % t-bound)",
			models.SUSMean, models.Where{}, models.MeanLowerBound, 68, 5),
	}}
}

// fieldReq is a requirement on the field trials (every trial pooled; the
// demo has one).
func fieldReq(key, title, metric string, where models.Where, rule string, target float64, minUnits int) models.Requirement {
	return models.Requirement{Key: key, Title: title, Kind: models.FieldTrial, Metric: metric, Where: where,
		Decision: models.Decision{Rule: rule, Target: f(target), Confidence: models.DefaultConfidence}, MinUnits: minUnits}
}

// loadProfile records the demo profile and its scoring scheme.
func loadProfile(ctx context.Context, st *store.Store) error {
	p, err := st.CreateProfile(ctx, Profile(), Recorder)
	if err != nil {
		return err
	}
	return loadScheme(ctx, st, p)
}
