package award

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

// A field requirement scores as a criterion: the rate, share or mean the
// matrix estimated, drawn from its own sampling distribution, with the
// interval kept in value_sources.
func TestAwardFieldCriteria(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rate := verdict.Row{Key: "incidents", Kind: models.FieldTrial, Metric: models.IncidentRate, Rule: models.UpperBound, Target: f(5), Cells: []verdict.Cell{
		{Handset: "a", Verdict: verdict.Met, NUnits: 10, Estimate: f(0), CI: &stats.Interval{Lower: 0, Upper: 3.689},
			Field: &verdict.FieldCell{Metric: models.IncidentRate, DeviceDays: 1000}},
		{Handset: "b", Verdict: verdict.NotMet, NUnits: 10, Estimate: f(30), CI: &stats.Interval{Lower: 20.24, Upper: 42.83},
			Field: &verdict.FieldCell{Metric: models.IncidentRate, DeviceDays: 1000, Incidents: 30}},
	}}
	shifts := verdict.Row{Key: "shifts", Kind: models.FieldTrial, Metric: models.ShiftsLasted, Rule: models.LowerBound, Target: f(0.9), Cells: []verdict.Cell{
		{Handset: "a", NUnits: 11, Estimate: f(0.909), CI: &stats.Interval{Lower: 0.623, Upper: 0.984}, Field: &verdict.FieldCell{}},
		{Handset: "b", NUnits: 10, Estimate: f(0.5), CI: &stats.Interval{Lower: 0.237, Upper: 0.763}, Field: &verdict.FieldCell{}},
	}}
	sus := verdict.Row{Key: "sus", Kind: models.FieldTrial, Metric: models.SUSMean, Rule: models.MeanLowerBound, Target: f(68), Cells: []verdict.Cell{
		{Handset: "a", NUnits: 10, Estimate: f(76.5), SD: f(8), CI: &stats.Interval{Lower: 70.77, Upper: 82.23}, Field: &verdict.FieldCell{}},
		{Handset: "b", NUnits: 0, Field: &verdict.FieldCell{}}, // no questionnaire: no value
	}}
	m := verdict.Matrix{Handsets: []string{"a", "b"}, Rows: []verdict.Row{rate, shifts, sus}}
	crit := func(key, dir string, worst, best float64) models.SchemeCriterion {
		return models.SchemeCriterion{Key: key, Source: models.SourceRequirement, Requirement: key, Direction: dir,
			ValueFunction: "linear", Worst: f(worst), Best: f(best), Weight: 1.0 / 3}
	}
	sc := models.Scheme{Name: "s", Criteria: []models.SchemeCriterion{crit("incidents", "lower", 50, 0), crit("shifts", "higher", 0, 1), crit("sus", "higher", 0, 100)}}
	p, rep, err := Build(sc, m, Measured{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := rep.Candidates[0], rep.Candidates[1]
	if a.Excluded || *a.Values[0] != 0 || *a.Values[1] != 0.909 || *a.Values[2] != 76.5 {
		t.Errorf("a: %+v", a)
	}
	for j, want := range []string{"0 incident(s) in 1000 device-days [0.000, 3.689] per 1,000", "over 11 unit(s) [0.623, 0.984]", "SUS mean of 10 respondents [70.770, 82.230], t(9)"} {
		if !strings.Contains(a.Describe[j], want) {
			t.Errorf("value_sources[%d] = %q, want %q in it", j, a.Describe[j], want)
		}
	}
	if !b.Excluded || !strings.Contains(b.Reason, "no value for criterion sus") || *b.Values[0] != 30 {
		t.Errorf("b: %+v", b)
	}
	if len(p.Candidates) != 1 {
		t.Errorf("candidates in the award %v", p.Candidates)
	}
	// Draws: the Jeffreys rate posterior Gamma(x+½, t) has mean (x+½)/t.
	r := rand.New(rand.NewPCG(3, 4))
	sum := 0.0
	const n = 100000
	for range n {
		sum += Rate{X: 30, T: 1000}.Draw(r)
	}
	if mean, want := sum/n, 1000*30.5/1000; math.Abs(mean-want) > 0.1 {
		t.Errorf("rate draws mean %v, want %v", mean, want)
	}
	sum = 0
	for range n {
		sum += Share{S: 0.5, N: 10}.Draw(r)
	}
	if mean := sum / n; math.Abs(mean-0.5) > 0.005 {
		t.Errorf("share draws mean %v, want 0.5", mean)
	}
}
