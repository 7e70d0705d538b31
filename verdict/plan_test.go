package verdict_test

import (
	"strconv"
	"testing"

	"ruggedlab/models"
	"ruggedlab/verdict"
)

func TestWilsonUnitsNeeded(t *testing.T) {
	cases := []struct {
		name         string
		x, n         int
		target, conf float64
		minUnits     int
		want         int
		ok           bool
	}{
		// 4/5: 5/6 → 0.436, 6/7 → 0.487, 7/8 → 0.529 ≥ 0.5
		{"4 of 5 to 0.5", 4, 5, 0.5, 0.95, 5, 3, true},
		{"already met", 5, 5, 0.5, 0.95, 5, 0, true},
		// 0 units: 5/5 is 0.5655, 4/4 is 0.5101, 3/3 only 0.4385
		{"from nothing", 0, 0, 0.5, 0.95, 1, 4, true},
		{"min_units dominates", 0, 0, 0.5, 0.95, 8, 8, true},
		{"target 1 is never reached", 3, 3, 1, 0.95, 1, 0, false},
	}
	for _, tc := range cases {
		got, ok := verdict.WilsonUnitsNeeded(tc.x, tc.n, tc.target, tc.conf, tc.minUnits)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestMeanUnitsNeeded: mean 32, sd 2, target 30 → margin 2; the t
// half-width 2·t(0.975, n−1)/√n is 2.099 at n = 6 and 1.850 at n = 7.
func TestMeanUnitsNeeded(t *testing.T) {
	cases := []struct {
		name                   string
		mean, sd, target, conf float64
		from, want             int
		ok                     bool
	}{
		{"needs 7", 32, 2, 30, 0.95, 3, 7, true},
		{"already enough", 32, 2, 30, 0.95, 9, 9, true},
		{"no spread", 32, 0, 30, 0.95, 3, 3, true},
		{"mean at the target", 30, 2, 30, 0.95, 3, 0, false},
		{"mean below the target", 28, 2, 30, 0.95, 3, 0, false},
		{"large", 30.01, 5, 30, 0.95, 2, 960403, false},
	}
	for _, tc := range cases {
		got, ok := verdict.MeanUnitsNeeded(tc.mean, tc.sd, tc.target, tc.conf, tc.from)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSuccessRunPlan(t *testing.T) {
	// domain.md §6.1: R = 0.90 @ 90 % → 22 units; 0.99 @ 95 % → 299.
	for _, tc := range []struct {
		target, conf float64
		want         int
	}{{0.9, 0.9, 22}, {0.99, 0.95, 299}, {0.5493, 0.95, 6}} {
		if got := verdict.SuccessRunPlan(tc.target, tc.conf); got.Units != tc.want {
			t.Errorf("SuccessRunPlan(%v, %v) = %d units, want %d", tc.target, tc.conf, got.Units, tc.want)
		}
	}
}

func TestPlan(t *testing.T) {
	runs := append(dropUnits("a", 4, 1), batteryUnits("a", 30, 32, 34)...)
	runs = append(runs, dropUnits("b", 1, 1)...)
	runs = append(runs, batteryUnits("b", 35)...)
	prof := models.Profile{Requirements: []models.Requirement{
		dropReq(models.LowerBound, p(0.5), 5), dropReq(models.AllUnits, nil, 3), batteryReq(30, 3)}}
	prof.Requirements[1].Key = "drop-all"
	rows := verdict.Plan(verdict.Evaluate(prof, []string{"a", "b"}, runs))
	type want struct {
		more *int
		note string
	}
	wants := [][]want{
		{{p(3), "with 3 more passing units the Wilson 95 % lower bound of 7/8 reaches 0.500"},
			{p(6), "with 6 more passing units the Wilson 95 % lower bound of 7/8 reaches 0.500"}},
		{{nil, "1 unit failed: all_units cannot be met by testing more units"},
			{nil, "1 unit failed: all_units cannot be met by testing more units"}},
		{{p(4), "at the current mean 32.000 h and sd 2.000 h, 7 units in all would bring the 95 % t lower bound to 30.000 h"},
			{nil, "not computable without a variance: test at least 2 units"}},
	}
	for i, r := range rows {
		for j, c := range r.Cells {
			w := wants[i][j]
			if (c.MorePassingUnits == nil) != (w.more == nil) || (w.more != nil && *c.MorePassingUnits != *w.more) || c.Note != w.note {
				t.Errorf("%s/%s: %s %q; want %s %q", r.Key, c.Handset, show(c.MorePassingUnits), c.Note, show(w.more), w.note)
			}
		}
	}
	met := verdict.Plan(verdict.Evaluate(models.Profile{Requirements: []models.Requirement{dropReq(models.AllUnits, nil, 2)}}, []string{"a"}, dropUnits("a", 2, 0)))
	if c := met[0].Cells[0]; c.MorePassingUnits == nil || *c.MorePassingUnits != 0 || c.Note != "met" {
		t.Errorf("a met cell needs 0 more: %+v", c)
	}
	short := verdict.Plan(verdict.Evaluate(models.Profile{Requirements: []models.Requirement{dropReq(models.AllUnits, nil, 5)}}, []string{"a"}, dropUnits("a", 2, 0)))
	if c := short[0].Cells[0]; c.MorePassingUnits == nil || *c.MorePassingUnits != 3 {
		t.Errorf("all_units with 2 of min 5 needs 3 more: %+v", c)
	}
}

func show(n *int) string {
	if n == nil {
		return "null"
	}
	return strconv.Itoa(*n)
}
