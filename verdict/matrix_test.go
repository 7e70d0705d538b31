package verdict_test

import (
	"fmt"
	"slices"
	"testing"

	"ruggedlab/models"
	"ruggedlab/verdict"
)

func dropReq(rule string, target *float64, minUnits int) models.Requirement {
	return models.Requirement{Key: "drop-2m", Title: "26 drops from 2 m", Kind: models.Drop,
		Where:        models.Where{HeightMMin: p(2.0), Surface: []string{"concrete", "steel_on_concrete"}, ProtectiveCase: p(false)},
		UnitPassesIf: models.UnitPassesIf{DropsCompletedMin: p(26), WorstSeverityMax: p(2)},
		Decision:     models.Decision{Rule: rule, Target: target, Confidence: 0.95}, MinUnits: minUnits}
}

func batteryReq(target float64, minUnits int) models.Requirement {
	return models.Requirement{Key: "battery-30h", Kind: models.Battery, Where: models.Where{Protocol: []string{"eu_eei_loop"}},
		Decision: models.Decision{Rule: models.MeanLowerBound, Target: p(target), Confidence: 0.95}, MinUnits: minUnits}
}

// dropUnits gives passed passing and failed failing units of handset h.
func dropUnits(h string, passed, failed int) []models.Run {
	var runs []models.Run
	for i := range passed + failed {
		if i < passed {
			runs = append(runs, drop(h, fmt.Sprintf("%s-%02d", h, i), 26, 26, 0, 1))
		} else {
			runs = append(runs, drop(h, fmt.Sprintf("%s-%02d", h, i), 26, 9, 9, 3))
		}
	}
	return runs
}

func batteryUnits(h string, means ...float64) []models.Run {
	var runs []models.Run
	for i, m := range means {
		runs = append(runs, battery(h, fmt.Sprintf("%s-%02d", h, i), m))
	}
	return runs
}

func TestJudge(t *testing.T) {
	cases := []struct {
		name     string
		req      models.Requirement
		runs     []models.Run
		verdict  verdict.Verdict
		n, x     int
		estimate *float64
		ciLo     float64
		reason   string
	}{
		// lower_bound on domain.md §6.5's reference intervals, target 0.5
		{"5/5 lower bound 0.5655 ≥ 0.5", dropReq(models.LowerBound, p(0.5), 5), dropUnits("h", 5, 0), verdict.Met, 5, 5, p(1.0), 0.5655, ""},
		{"4/5 interval [0.3755, 0.9638] holds 0.5", dropReq(models.LowerBound, p(0.5), 5), dropUnits("h", 4, 1), verdict.Inconclusive, 5, 4, p(0.8), 0.3755,
			"Wilson 95 % interval [0.376, 0.964] contains the target 0.500: more units needed"},
		{"0/5 upper 0.4345 < 0.5", dropReq(models.LowerBound, p(0.5), 5), dropUnits("h", 0, 5), verdict.NotMet, 5, 0, p(0.0), 0,
			"Wilson 95 % upper bound 0.434 is below the target 0.500"},
		{"3 units, needs 5", dropReq(models.LowerBound, p(0.5), 5), dropUnits("h", 3, 0), verdict.Inconclusive, 3, 3, p(1.0), 0.4385,
			"3 units tested, profile needs 5"},
		{"no units", dropReq(models.LowerBound, p(0.5), 5), nil, verdict.Inconclusive, 0, 0, nil, 0,
			"0 units tested, profile needs 5"},
		{"all_units met", dropReq(models.AllUnits, nil, 3), dropUnits("h", 3, 0), verdict.Met, 3, 3, p(1.0), 0.4385, ""},
		{"all_units not met", dropReq(models.AllUnits, nil, 3), dropUnits("h", 4, 2), verdict.NotMet, 6, 4, p(4.0 / 6), 0.2999,
			"2 of 6 units did not pass"},
		{"all_units below min_units stays inconclusive, says why", dropReq(models.AllUnits, nil, 5), dropUnits("h", 1, 1), verdict.Inconclusive, 2, 1, p(0.5), 0.0945,
			"2 units tested, profile needs 5; 1 unit did not pass already, so all_units cannot be met"},
		{"retracted runs never count", dropReq(models.AllUnits, nil, 3),
			append(dropUnits("h", 3, 0), retracted(drop("h", "h-00", 26, 4, 4, 5))), verdict.Met, 3, 3, p(1.0), 0.4385, ""},
		{"other evidence is not matched", dropReq(models.AllUnits, nil, 1),
			[]models.Run{tumbler("h", "T1", 5, 5, 5), drop("h", "U1", 26, 26, 0, 0)}, verdict.Met, 1, 1, p(1.0), 0.2065, ""},
		// mean_lower_bound over unit means 30, 32, 34: t interval [27.03, 36.97]
		{"mean lower bound 27.03 ≥ 25", batteryReq(25, 3), batteryUnits("h", 30, 32, 34), verdict.Met, 3, 3, p(32.0), 27.0317, ""},
		{"mean upper bound 36.97 < 40", batteryReq(40, 3), batteryUnits("h", 30, 32, 34), verdict.NotMet, 3, 0, p(32.0), 27.0317,
			"95 % t upper bound 36.968 h is below the target 40.000 h"},
		{"mean interval holds 30", batteryReq(30, 3), batteryUnits("h", 30, 32, 34), verdict.Inconclusive, 3, 3, p(32.0), 27.0317,
			"95 % t interval [27.032, 36.968] h contains the target 30.000 h: more units needed"},
		{"a unit counts once, by its mean", batteryReq(25, 3),
			append(batteryUnits("h", 30, 32), battery("h", "h-02", 33), battery("h", "h-02", 35)), verdict.Met, 3, 3, p(32.0), 27.0317, ""},
		{"one unit has no variance", batteryReq(25, 1), batteryUnits("h", 40), verdict.Inconclusive, 1, 1, p(40.0), 0,
			"1 unit tested: a t interval needs at least 2 units"},
		{"no battery units", batteryReq(25, 1), nil, verdict.Inconclusive, 0, 0, nil, 0, "0 units tested, profile needs 1"},
		{"two equal unit means have no interval", batteryReq(25, 2), batteryUnits("h", 40, 40), verdict.Inconclusive, 2, 2, p(40.0), 0,
			"the 2 unit means are all equal: with no spread a t interval cannot be computed"},
		{"two unit means", batteryReq(25, 2), batteryUnits("h", 30, 32), verdict.Inconclusive, 2, 2, p(31.0), 18.2938,
			"95 % t interval [18.294, 43.706] h contains the target 25.000 h: more units needed"},
		{"one drop unit", dropReq(models.LowerBound, p(0.5), 1), dropUnits("h", 1, 0), verdict.Inconclusive, 1, 1, p(1.0), 0.2065,
			"Wilson 95 % interval [0.207, 1.000] contains the target 0.500: more units needed"},
		{"two drop units", dropReq(models.LowerBound, p(0.3), 2), dropUnits("h", 2, 0), verdict.Met, 2, 2, p(1.0), 0.3424, ""},
		{"a profile built in code without a target", dropReq(models.LowerBound, nil, 1), dropUnits("h", 1, 0), verdict.Inconclusive, 1, 0, nil, 0,
			"the requirement has no target"},
		{"a profile built in code with an unknown rule", dropReq("majority", nil, 1), dropUnits("h", 1, 0), verdict.Inconclusive, 1, 0, nil, 0,
			`unknown decision rule "majority"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := verdict.Evaluate(models.Profile{Requirements: []models.Requirement{tc.req}}, []string{"h"}, tc.runs)
			c := m.Rows[0].Cells[0]
			if c.Verdict != tc.verdict || c.NUnits != tc.n || c.PassedUnits != tc.x || c.Reason != tc.reason {
				t.Errorf("got %s n=%d x=%d %q\nwant %s n=%d x=%d %q", c.Verdict, c.NUnits, c.PassedUnits, c.Reason, tc.verdict, tc.n, tc.x, tc.reason)
			}
			// Pages word the reason from Why: its English is the API's.
			if got := c.Why.String(); got != c.Reason {
				t.Errorf("Why says %q, Reason %q", got, c.Reason)
			}
			if tc.estimate == nil {
				if c.Estimate != nil || c.CI != nil {
					t.Errorf("estimate %v, ci %v; want null without units", c.Estimate, c.CI)
				}
				if c.NUnits == 0 && (c.NullReasons["estimate"] == "" || c.NullReasons["ci"] == "") {
					t.Errorf("null estimate and ci without reasons: %v", c.NullReasons)
				}
				return
			}
			if c.CI == nil && c.NullReasons["ci"] == "" {
				t.Errorf("null ci without a reason: %v", c.NullReasons)
			}
			wantPtr(t, "estimate", c.Estimate, *tc.estimate, 1e-9)
			if c.CI != nil && !near(c.CI.Lower, tc.ciLo, 1e-4) {
				t.Errorf("ci lower %.4f, want %.4f", c.CI.Lower, tc.ciLo)
			}
		})
	}
}

func TestEvaluateEvidence(t *testing.T) {
	runs := append(dropUnits("a", 2, 0), dropUnits("b", 1, 0)...)
	m := verdict.Evaluate(models.Profile{ID: "p1", Name: "tender", Version: 2,
		Requirements: []models.Requirement{dropReq(models.AllUnits, nil, 2), batteryReq(30, 3)}}, []string{"b", "a", "c"}, runs)
	if m.Profile != (verdict.ProfileRef{ID: "p1", Name: "tender", Version: 2}) || m.Counted != "units" || !slices.Equal(m.Handsets, []string{"b", "a", "c"}) {
		t.Errorf("header %+v", m)
	}
	if len(m.Rows) != 2 || len(m.Rows[0].Cells) != 3 {
		t.Fatalf("rows %+v", m.Rows)
	}
	a := m.Rows[0].Cells[1]
	if a.Handset != "a" || !slices.Equal(a.Runs, []string{runs[0].ID, runs[1].ID}) {
		t.Errorf("cell a = %+v; want the evidence runs %s, %s", a, runs[0].ID, runs[1].ID)
	}
	if c := m.Rows[1].Cells[2]; c.Runs == nil || len(c.Runs) != 0 {
		t.Errorf("a cell without evidence has runs [], got %#v", c.Runs)
	}
}

func TestRunPasses(t *testing.T) {
	need26 := dropReq(models.AllUnits, nil, 1)
	planned := need26
	planned.UnitPassesIf = models.UnitPassesIf{}
	fallsAt1m := models.Requirement{Kind: models.Drop, UnitPassesIf: models.UnitPassesIf{DropsCompletedMin: p(180), WorstSeverityMax: p(2)}}
	cold := models.Requirement{Kind: models.Temperature, UnitPassesIf: models.UnitPassesIf{NoShutdown: p(true)}}
	wet := models.Requirement{Kind: models.Ingress, UnitPassesIf: models.UnitPassesIf{NoIngress: p(false)}}
	shutdown := temperature("h", "U", "operation_cold", -20, true)
	shutdown.ShutdownObserved = p(true)
	cases := []struct {
		name string
		req  models.Requirement
		run  models.Run
		want bool
	}{
		{"26 of 26, severity 1", need26, drop("h", "U", 26, 26, 0, 1), true},
		{"severity 3 over max 2", need26, drop("h", "U", 26, 26, 0, 3), false},
		{"failure at drop 12", need26, drop("h", "U", 26, 12, 12, 4), false},
		{"stopped at 20 without failure", need26, drop("h", "U", 26, 20, 0, 0), false},
		{"no drops_completed_min: the run's planned drops", planned, drop("h", "U", 10, 10, 0, 6), true},
		{"no drops_completed_min, stopped early", planned, drop("h", "U", 10, 9, 0, 0), false},
		{"failure after the required falls counts for the unit", fallsAt1m, tumbler("h", "U", 250, 250, 4), true},
		{"failure at the last required fall", fallsAt1m, tumbler("h", "U", 180, 180, 3), false},
		{"300 falls without failure", fallsAt1m, tumbler("h", "U", 300, 0, 1), true},
		{"temperature passed by default", cold, temperature("h", "U", "operation_cold", -20, false), false},
		{"no_shutdown", cold, shutdown, false},
		{"ingress tolerated when functional", wet, ingress("h", "U", "IP68", true, true), true},
		{"functional_after required by default", wet, ingress("h", "U", "IP68", false, false), false},
	}
	for _, tc := range cases {
		if got := verdict.RunPasses(tc.req, tc.run); got != tc.want {
			t.Errorf("%s: RunPasses = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMatches(t *testing.T) {
	shock := newRun(models.Temperature, "h", "U")
	shock.Procedure, shock.LowC, shock.HighC, shock.Cycles, shock.DwellMin = "thermal_shock", p(-25.0), p(60.0), p(5), p(30.0)
	cases := []struct {
		name  string
		where models.Where
		kind  models.Kind
		run   models.Run
		want  bool
	}{
		{"2 m concrete", models.Where{HeightMMin: p(2.0), Surface: []string{"concrete"}}, models.Drop, drop("h", "U", 26, 26, 0, 0), true},
		{"height below min", models.Where{HeightMMin: p(2.5)}, models.Drop, drop("h", "U", 26, 26, 0, 0), false},
		{"surface not listed", models.Where{Surface: []string{"steel_on_concrete"}}, models.Drop, drop("h", "U", 26, 26, 0, 0), false},
		{"with a case", models.Where{ProtectiveCase: p(true)}, models.Drop, drop("h", "U", 26, 26, 0, 0), false},
		{"other kind", models.Where{}, models.Drop, battery("h", "U", 30), false},
		{"cold enough", models.Where{Procedure: []string{"operation_cold"}, SetpointCMax: p(-20.0)}, models.Temperature, temperature("h", "U", "operation_cold", -25, true), true},
		{"not cold enough", models.Where{SetpointCMax: p(-20.0)}, models.Temperature, temperature("h", "U", "operation_cold", -10, true), false},
		{"a setpoint bound never matches thermal shock", models.Where{SetpointCMax: p(-20.0)}, models.Temperature, shock, false},
		{"thermal shock range", models.Where{LowCMax: p(-25.0), HighCMin: p(60.0), CyclesMin: p(5)}, models.Temperature, shock, true},
		{"too few cycles", models.Where{CyclesMin: p(10)}, models.Temperature, shock, false},
		{"IP68 1.5 m", models.Where{IPCode: []string{"IP68"}, DepthMMin: p(1.5), DurationMinMin: p(30.0)}, models.Ingress, ingress("h", "U", "IP68", false, true), true},
		{"too shallow", models.Where{DepthMMin: p(2.0)}, models.Ingress, ingress("h", "U", "IP68", false, true), false},
		{"dust has no depth", models.Where{DepthMMin: p(1.0)}, models.Ingress, ingress("h", "U", "IP6X", false, true), false},
		{"EU loop at 200 nits", models.Where{Protocol: []string{"eu_eei_loop"}, BrightnessNitsMin: p(190.0), BrightnessNitsMax: p(210.0)}, models.Battery, battery("h", "U", 30), true},
		{"too bright", models.Where{BrightnessNitsMax: p(150.0)}, models.Battery, battery("h", "U", 30), false},
	}
	for _, tc := range cases {
		if got := verdict.Matches(models.Requirement{Kind: tc.kind, Where: tc.where}, tc.run); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDiff(t *testing.T) {
	runs := append(dropUnits("a", 5, 0), dropUnits("b", 4, 1)...)
	v1 := models.Profile{Version: 1, Requirements: []models.Requirement{dropReq(models.LowerBound, p(0.5), 5), batteryReq(30, 3)}}
	strict := dropReq(models.AllUnits, nil, 5)
	cold := models.Requirement{Key: "cold", Kind: models.Temperature, Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: 1}
	v2 := models.Profile{Version: 2, Requirements: []models.Requirement{strict, cold}}
	handsets := []string{"a", "b"}
	changes := verdict.Diff(verdict.Evaluate(v1, handsets, runs), verdict.Evaluate(v2, handsets, runs))
	var got []string
	for _, c := range changes {
		from, to := "-", "-"
		if c.From != nil {
			from = string(*c.From)
		}
		if c.To != nil {
			to = string(*c.To)
		}
		got = append(got, fmt.Sprintf("%s/%s %s→%s", c.Key, c.Handset, from, to))
	}
	// drop-2m/a stays met; drop-2m/b goes from inconclusive (4/5) to not_met.
	want := []string{"drop-2m/b inconclusive→not_met", "cold/a -→inconclusive", "cold/b -→inconclusive",
		"battery-30h/a inconclusive→-", "battery-30h/b inconclusive→-"}
	if !slices.Equal(got, want) {
		t.Errorf("diff\n got %q\nwant %q", got, want)
	}
	if len(verdict.Diff(verdict.Evaluate(v1, handsets, runs), verdict.Evaluate(v1, handsets, runs))) != 0 {
		t.Error("a version compared with itself changes nothing")
	}
}
