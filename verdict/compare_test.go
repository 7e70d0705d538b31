package verdict_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

func TestCompareDropOutcomes(t *testing.T) {
	runs := []models.Run{
		drop("a", "A1", 26, 26, 0, 1),  // survived
		drop("a", "A2", 26, 26, 0, 2),  // survived
		drop("a", "A3", 26, 12, 12, 4), // failed at 12
		drop("a", "A4", 26, 20, 0, 1),  // stopped early: censored, not survived
		// A5: survived its first run, failed the second: one unit, failed at 7
		drop("a", "A5", 26, 26, 0, 0), drop("a", "A5", 26, 7, 7, 3),
		retracted(drop("a", "A1", 26, 3, 3, 5)), // retracted: never counts
		temperature("a", "A1", "operation_cold", -20, false),
	}
	c, err := verdict.Compare(models.Drop, []string{"a"}, runs, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Drop[0]
	if s.Units != 5 || s.Survived != 2 || s.Failed != 2 || s.Censored != 1 || s.Runs != 6 {
		t.Fatalf("units %d survived %d failed %d censored %d runs %d; want 5 2 2 1 6", s.Units, s.Survived, s.Failed, s.Censored, s.Runs)
	}
	var outcomes []string
	for _, u := range s.PerUnit {
		outcomes = append(outcomes, u.Unit+":"+u.Outcome)
	}
	want := []string{"A1:survived", "A2:survived", "A3:failed", "A4:censored", "A5:failed"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	wantPtr(t, "proportion", s.Proportion, 0.4, 1e-12)
	if s.SuccessRunLower != nil {
		t.Errorf("success_run_lower = %v with failures, want null", *s.SuccessRunLower)
	}
	// KM over (26+, 26+, 12, 20+, 7): steps at 7, 12, 20, 26.
	var ts []float64
	for _, st := range s.KM.Steps {
		ts = append(ts, st.T)
	}
	if !slices.Equal(ts, []float64{7, 12, 20, 26}) {
		t.Errorf("KM times %v, want [7 12 20 26]", ts)
	}
	// S(7) = 4/5, S(12) = 4/5 · 3/4 = 0.6.
	if !near(s.KM.Steps[0].Surv, 0.8, 1e-12) || !near(s.KM.Steps[1].Surv, 0.6, 1e-12) || s.KM.Median != nil {
		t.Errorf("KM surv %v, %v, median %v; want 0.8, 0.6, null", s.KM.Steps[0].Surv, s.KM.Steps[1].Surv, s.KM.Median)
	}
}

// TestCompareDropIntervals checks the domain.md §6.5 reference values.
func TestCompareDropIntervals(t *testing.T) {
	var runs []models.Run
	for _, u := range []string{"1", "2", "3", "4", "5"} {
		runs = append(runs, drop("five", "F"+u, 26, 26, 0, 1))
		if u == "5" {
			runs = append(runs, drop("four", "G"+u, 26, 9, 9, 3))
		} else {
			runs = append(runs, drop("four", "G"+u, 26, 26, 0, 0))
		}
		runs = append(runs, drop("none", "N"+u, 26, 2, 2, 5))
	}
	c, err := verdict.Compare(models.Drop, []string{"five", "four", "none", "empty"}, runs, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	five, four, none, empty := c.Drop[0], c.Drop[1], c.Drop[2], c.Drop[3]
	wantInterval(t, "Wilson 5/5", *five.Wilson, 0.5655, 1, 1e-4)
	wantInterval(t, "Clopper–Pearson 5/5", *five.ClopperPearson, 0.4782, 1, 1e-4)
	wantPtr(t, "success-run 5/5", five.SuccessRunLower, 0.5493, 1e-4)
	wantInterval(t, "Wilson 4/5", *four.Wilson, 0.3755, 0.9638, 1e-4)
	wantInterval(t, "Wilson 0/5", *none.Wilson, 0, 0.4345, 1e-4)
	if none.SuccessRunLower != nil || none.KM.Median == nil || *none.KM.Median != 2 {
		t.Errorf("0/5: success_run_lower %v, median %v; want null, 2", none.SuccessRunLower, none.KM.Median)
	}
	if empty.Units != 0 || empty.Proportion != nil || empty.Wilson != nil || empty.ClopperPearson != nil || len(empty.KM.Steps) != 0 {
		t.Errorf("a handset without runs: %+v", empty)
	}
	for _, f := range []string{"proportion", "wilson", "clopper_pearson", "success_run_lower", "km.median"} {
		if empty.NullReasons[f] == "" {
			t.Errorf("a handset without runs: no reason for null %s in %v", f, empty.NullReasons)
		}
	}
	// Pairs in handset order: (five,four) (five,none) (five,empty) (four,none) …
	if len(c.DropPairs) != 6 || c.DropPairs[1].A != "five" || c.DropPairs[1].B != "none" {
		t.Fatalf("pairs %+v", c.DropPairs)
	}
	// Fisher 5/5 vs 0/5: two-sided p = 2 / C(10, 5) = 2/252.
	wantPtr(t, "fisher_p 5/5 vs 0/5", c.DropPairs[1].FisherP, 2.0/252, 1e-9)
	lr := c.DropPairs[1]
	want, err := stats.LogRank([][]stats.Observation{
		{{T: 26}, {T: 26}, {T: 26}, {T: 26}, {T: 26}},
		{{T: 2, Event: true}, {T: 2, Event: true}, {T: 2, Event: true}, {T: 2, Event: true}, {T: 2, Event: true}}})
	if err != nil || lr.ChiSq == nil || *lr.ChiSq != want.ChiSq || *lr.DF != 1 || *lr.P != want.P {
		t.Errorf("log-rank five vs none = %+v, want %+v (%v)", lr, want, err)
	}
	if c.Overall == nil || c.Overall.DF == nil || *c.Overall.DF != 2 {
		t.Errorf("overall log-rank %+v: three handsets with units give df 2", c.Overall)
	}
	// Pairs with the empty handset: nothing computable, each null says why.
	for _, pr := range c.DropPairs {
		if pr.B != "empty" {
			continue
		}
		if pr.P != nil || pr.PHolm != nil || pr.FisherP != nil || pr.FisherPHolm != nil || pr.ChiSq != nil || pr.DF != nil {
			t.Errorf("%s–empty: %+v, want every test null", pr.A, pr)
		}
		for _, f := range []string{"chisq", "df", "p", "p_holm", "fisher_p", "fisher_p_holm"} {
			if !strings.Contains(pr.NullReasons[f], "empty has no units") {
				t.Errorf("%s–empty: reason for %s = %q", pr.A, f, pr.NullReasons[f])
			}
		}
	}
}

// TestCompareLogRankByHand: one event at 2 in A against one unit censored
// at 3 in B: E_A = 1/2, V = 1/4, χ² = (1 − 1/2)² / (1/4) = 1.
func TestCompareLogRankByHand(t *testing.T) {
	runs := []models.Run{drop("a", "A1", 26, 2, 2, 4), drop("b", "B1", 26, 3, 0, 0)}
	c, _ := verdict.Compare(models.Drop, []string{"a", "b"}, runs, 0)
	lr := c.DropPairs[0]
	wantPtr(t, "chisq", lr.ChiSq, 1, 1e-12)
	wantPtr(t, "p", lr.P, 0.3173105, 1e-6)
	wantPtr(t, "p_holm (one pair)", lr.PHolm, 0.3173105, 1e-6)
	if lr.DF == nil || *lr.DF != 1 {
		t.Errorf("df = %v, want 1", lr.DF)
	}
	if c.Drop[1].Censored != 1 || c.Drop[1].Survived != 0 {
		t.Errorf("a run stopped at 3 of 26 without failure is censored: %+v", c.Drop[1])
	}
}

func TestComparePassKinds(t *testing.T) {
	cases := []struct {
		name               string
		kind               models.Kind
		runs               []models.Run
		units, passed      int
		successRunLower    *float64
		wilsonLo, wilsonHi float64
	}{
		{"temperature: a unit passes only if all its runs pass", models.Temperature, []models.Run{
			temperature("h", "U1", "operation_cold", -20, true),
			temperature("h", "U1", "operation_hot", 55, false),
			temperature("h", "U2", "operation_cold", -20, true),
			temperature("h", "U3", "operation_cold", -20, true),
			temperature("h", "U4", "operation_cold", -20, true),
			temperature("h", "U5", "operation_cold", -20, true),
		}, 5, 4, nil, 0.3755, 0.9638},
		{"temperature: retracted failure does not count", models.Temperature, append(tempUnits("h", 5, 0),
			retracted(temperature("h", "h-01", "operation_cold", -20, false))), 5, 5, p(0.5493), 0.5655, 1},
		{"ingress: pass is dry and working", models.Ingress, []models.Run{
			ingress("h", "U1", "IP68", false, true),
			ingress("h", "U2", "IP68", true, true),   // water inside: fails
			ingress("h", "U3", "IP68", false, false), // dry but dead: fails
			ingress("h", "U4", "IP68", false, true),
			ingress("h", "U5", "IP68", false, true),
		}, 5, 3, nil, 0.2307, 0.8824},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := verdict.Compare(tc.kind, []string{"h"}, tc.runs, 0)
			if err != nil {
				t.Fatal(err)
			}
			s := c.Pass[0]
			if s.Units != tc.units || s.Passed != tc.passed || s.Failed != tc.units-tc.passed {
				t.Errorf("units %d passed %d failed %d; want %d %d", s.Units, s.Passed, s.Failed, tc.units, tc.passed)
			}
			wantInterval(t, "wilson", *s.Wilson, tc.wilsonLo, tc.wilsonHi, 1e-4)
			if (s.SuccessRunLower == nil) != (tc.successRunLower == nil) {
				t.Errorf("success_run_lower = %v, want %v", s.SuccessRunLower, tc.successRunLower)
			} else if tc.successRunLower != nil {
				wantPtr(t, "success_run_lower", s.SuccessRunLower, *tc.successRunLower, 1e-4)
			}
		})
	}
}

func TestComparePassFisher(t *testing.T) {
	runs := append(tempUnits("a", 5, 0), tempUnits("b", 0, 5)...)
	c, _ := verdict.Compare(models.Temperature, []string{"a", "b"}, runs, 0)
	if len(c.PassPairs) != 1 {
		t.Fatalf("pairs %+v, want one", c.PassPairs)
	}
	wantPtr(t, "fisher_p", c.PassPairs[0].FisherP, 2.0/252, 1e-9)
	wantPtr(t, "fisher_p_holm", c.PassPairs[0].FisherPHolm, 2.0/252, 1e-9)
}

// TestCompareBattery: runs are averaged per unit first; the unit counts once.
// Unit means 30, 32, 34: mean 32, sd 2, t(0.975, 2) = 4.302653 → ± 4.968.
func TestCompareBattery(t *testing.T) {
	runs := []models.Run{
		battery("a", "A1", 29), battery("a", "A1", 31), // mean 30, two runs
		battery("a", "A2", 32),
		battery("a", "A3", 34),
		retracted(battery("a", "A3", 10)),
		battery("b", "B1", 25), battery("b", "B2", 27),
		battery("c", "C1", 40), // one unit: no sd, no interval
	}
	c, err := verdict.Compare(models.Battery, []string{"a", "b", "c", "d"}, runs, 0)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Battery[0]
	if !slices.Equal(a.UnitMeans, []float64{30, 32, 34}) || a.N != 3 || a.Runs != 4 {
		t.Fatalf("unit means %v n %d runs %d; want [30 32 34] 3 4", a.UnitMeans, a.N, a.Runs)
	}
	wantPtr(t, "mean", a.Mean, 32, 1e-12)
	wantPtr(t, "sd", a.SD, 2, 1e-12)
	wantInterval(t, "ci", *a.CI, 32-4.968275, 32+4.968275, 1e-5)
	if cc := c.Battery[2]; cc.N != 1 || cc.SD != nil || cc.CI != nil || *cc.Mean != 40 || cc.NullReasons["ci"] == "" {
		t.Errorf("one unit: %+v; want mean 40, sd and ci null with a reason", cc)
	}
	if d := c.Battery[3]; d.N != 0 || d.Mean != nil || d.UnitMeans == nil || d.NullReasons["mean"] == "" {
		t.Errorf("no units: %+v; want n 0, mean null with a reason, unit_means []", d)
	}
	ab := c.BatteryPairs[0]
	want, err := stats.Welch([]float64{30, 32, 34}, []float64{25, 27}, 0.95)
	if err != nil || ab.A != "a" || ab.B != "b" || ab.T == nil || *ab.T != want.T || *ab.DF != want.DF || *ab.P != want.P || *ab.DiffCI != want.DiffCI {
		t.Errorf("welch a-b = %+v, want %+v", ab, want)
	}
	wantPtr(t, "diff a-b", ab.Diff, 32-26, 1e-12)
	// a–c: c has one unit, so a difference but no test.
	ac := c.BatteryPairs[1]
	wantPtr(t, "diff a-c", ac.Diff, 32-40, 1e-12)
	if ac.T != nil || ac.DF != nil || ac.P != nil || ac.PHolm != nil || ac.DiffCI != nil ||
		ac.NullReasons["p"] != "c has 1 unit: Welch's test needs at least 2 units on each side to estimate their spread" {
		t.Errorf("welch a-c = %+v, want t, df, p, p_holm, diff_ci null with the reason", ac)
	}
}

func TestCompareJSONShape(t *testing.T) {
	for _, kind := range models.Kinds {
		c, err := verdict.Compare(kind, []string{"a"}, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		_ = json.Unmarshal(b, &got)
		if got["kind"] != string(kind) || got["counted"] != "units" || got["confidence"] != 0.95 {
			t.Errorf("%s: %s", kind, b)
		}
		hs, _ := got["handsets"].([]any)
		if len(hs) != 1 || got["pairwise"] == nil {
			t.Errorf("%s: handsets and pairwise must be lists: %s", kind, b)
		}
		h := hs[0].(map[string]any)
		var want []string
		switch kind {
		case models.Drop:
			want = []string{"units", "survived", "proportion", "wilson", "clopper_pearson", "success_run_lower", "km"}
		case models.Battery:
			want = []string{"unit_means", "n", "mean", "sd", "ci"}
		default:
			want = []string{"units", "passed", "proportion", "wilson", "clopper_pearson", "success_run_lower"}
		}
		for _, k := range want {
			if _, ok := h[k]; !ok {
				t.Errorf("%s: handset entry lacks %q: %s", kind, k, b)
			}
		}
		if (kind == models.Drop) != strings.Contains(string(b), `"overall"`) {
			t.Errorf("%s: overall log-rank belongs to drop only: %s", kind, b)
		}
	}
	if _, err := verdict.Compare("shock", nil, nil, 0); models.ErrorCode(err) != models.Invalid {
		t.Errorf("unknown kind: %v, want invalid", err)
	}
}
