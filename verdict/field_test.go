package verdict_test

import (
	"math"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

func fieldReq(metric, rule string, target float64) models.Requirement {
	return models.Requirement{Key: "f-" + metric, Title: metric, Kind: models.FieldTrial, Metric: metric,
		Decision: models.Decision{Rule: rule, Target: &target, Confidence: 0.95}, MinUnits: 1}
}

// trial is one trial's data for handset "a": device-days, incidents by
// category, shifts per unit, SUS scores.
func trial(id string, days int, incidents map[string]int, shifts [][2]int, sus []float64) verdict.FieldData {
	serials := []string{}
	for i := 0; i < max(1, len(shifts)); i++ {
		serials = append(serials, id+"-U"+string(rune('0'+i)))
	}
	return verdict.FieldData{Trial: id, DeviceDays: map[string]int{"a": days}, Units: map[string][]string{"a": serials},
		Incidents: map[string]map[string]int{"a": incidents}, Shifts: map[string][][2]int{"a": shifts}, SUS: map[string][]float64{"a": sus}}
}

func repeatShift(n int, u [2]int) [][2]int {
	out := make([][2]int, n)
	for i := range out {
		out[i] = u
	}
	return out
}

// Reference values are R's (stats/testdata/poisson.R, committed with
// poisson.json): poisson.test(x, t)$conf.int ×1000 for rates per 1,000
// device-days, prop.test(s·n, n, correct = FALSE) for shares of units, and
// t.test for SUS means.
func TestFieldJudging(t *testing.T) {
	atConf := func(r models.Requirement, conf float64) models.Requirement {
		r.Decision.Confidence = conf
		return r
	}
	upper0 := 1000 * stats.PoissonExact(0, 420, 0.99).CI.Upper
	lower150 := 1000 * stats.PoissonExact(150, 4200, 0.95).CI.Lower
	unitsOf40and4 := append([][2]int{{0, 40}}, repeatShift(10, [2]int{4, 4})...)
	cases := []struct {
		name     string
		req      models.Requirement
		trials   []verdict.FieldData
		verdict  verdict.Verdict
		n        int
		passed   int
		estimate float64 // NaN: null
		lo, hi   float64 // NaN: null CI
		reason   string  // substring
	}{
		{"0 incidents in 1,000 device-days: upper 3.689 ≤ 5", fieldReq(models.IncidentRate, models.UpperBound, 5),
			[]verdict.FieldData{trial("t1", 1000, nil, nil, nil)}, verdict.Met, 1, 0, 0, 0, 3.6888794541139352, "0 incident(s) in 1000 device-days"},
		{"0 incidents in 100 device-days: upper 36.889 contains 5", fieldReq(models.IncidentRate, models.UpperBound, 5),
			[]verdict.FieldData{trial("t1", 100, nil, nil, nil)}, verdict.Inconclusive, 1, 0, 0, 0, 36.888794541139355, "more exposure needed"},
		{"small exposure: 1 incident in 420 device-days at 99 %", atConf(fieldReq(models.IncidentRate, models.UpperBound, 5), 0.99),
			[]verdict.FieldData{trial("t1", 420, map[string]int{"battery": 1}, nil, nil)}, verdict.Inconclusive, 1, 0, 2.3809523809523812, 0.011934623389391158, 17.690784524476481, "99 % interval [0.012, 17.691]"},
		{"rate equal to the target: inconclusive", fieldReq(models.IncidentRate, models.UpperBound, 10.0/3),
			[]verdict.FieldData{trial("t1", 2100, map[string]int{"display_cracked": 7}, nil, nil)}, verdict.Inconclusive, 1, 0, 3.3333333333333335, 1.3401728816761272, 6.8679406484297035, "contains the target"},
		{"150 in 4,200: lower 30.228 > 5", fieldReq(models.IncidentRate, models.UpperBound, 5),
			[]verdict.FieldData{trial("t1", 4200, map[string]int{"display_cracked": 150}, nil, nil)}, verdict.NotMet, 1, 0, 35.714285714285712, 30.227657452677345, 41.908849070732043, "lower bound 30.228"},
		{"boundary: an upper bound equal to the target is met", atConf(fieldReq(models.IncidentRate, models.UpperBound, upper0), 0.99),
			[]verdict.FieldData{trial("t1", 420, nil, nil, nil)}, verdict.Met, 1, 0, 0, 0, 12.615041348923894, "within the target"},
		{"boundary: a lower bound equal to the target is inconclusive", fieldReq(models.IncidentRate, models.UpperBound, lower150),
			[]verdict.FieldData{trial("t1", 4200, map[string]int{"other": 150}, nil, nil)}, verdict.Inconclusive, 1, 0, 35.714285714285712, 30.227657452677345, 41.908849070732043, "contains"},
		{"category filter counts only display cracks", func() models.Requirement {
			r := fieldReq(models.IncidentRate, models.UpperBound, 5)
			r.Where.Category = []string{"display_cracked"}
			return r
		}(), []verdict.FieldData{trial("t1", 1000, map[string]int{"display_cracked": 0, "software": 30}, nil, nil)}, verdict.Met, 1, 0, 0, 0, 3.6888794541139352, "0 incident(s)"},
		{"two trials pooled: 3 in 1,000 and 4 in 1,100", fieldReq(models.IncidentRate, models.UpperBound, 7),
			[]verdict.FieldData{trial("t1", 1000, map[string]int{"lost": 3}, nil, nil), trial("t2", 1100, map[string]int{"lost": 4}, nil, nil)},
			verdict.Met, 2, 0, 3.3333333333333335, 1.3401728816761272, 6.8679406484297035, "7 incident(s) in 2100 device-days"},
		{"where.trial picks one", func() models.Requirement {
			r := fieldReq(models.IncidentRate, models.UpperBound, 5)
			r.Where.Trial = "t2"
			return r
		}(), []verdict.FieldData{trial("t1", 4200, map[string]int{"lost": 150}, nil, nil), trial("t2", 1000, nil, nil, nil)},
			verdict.Met, 1, 0, 0, 0, 3.6888794541139352, "0 incident(s) in 1000"},
		{"no exposure", fieldReq(models.IncidentRate, models.UpperBound, 5),
			[]verdict.FieldData{trial("t1", 0, nil, nil, nil)}, verdict.Inconclusive, 1, 0, math.NaN(), math.NaN(), math.NaN(), "no device-day"},
		{"handset in no trial", fieldReq(models.IncidentRate, models.UpperBound, 5),
			nil, verdict.Inconclusive, 0, 0, math.NaN(), math.NaN(), math.NaN(), "no unit of this handset in any field trial"},
		{"min_units not reached", func() models.Requirement {
			r := fieldReq(models.IncidentRate, models.UpperBound, 5)
			r.MinUnits = 5
			return r
		}(), []verdict.FieldData{trial("t1", 1000, nil, nil, nil)}, verdict.Inconclusive, 1, 0, 0, 0, 3.6888794541139352, "1 unit(s) carried in the field, profile needs 5"},

		{"shifts: 10 units all lasted, lower 0.722 ≥ 0.7", fieldReq(models.ShiftsLasted, models.LowerBound, 0.7),
			[]verdict.FieldData{trial("t1", 100, nil, repeatShift(10, [2]int{4, 4}), nil)}, verdict.Met, 10, 10, 1, 0.7224672001371109, 1, "40 of 40 shifts lasted over 10 unit(s)"},
		{"shifts: 10 units all lasted, 0.9 needs more units", fieldReq(models.ShiftsLasted, models.LowerBound, 0.9),
			[]verdict.FieldData{trial("t1", 100, nil, repeatShift(10, [2]int{4, 4}), nil)}, verdict.Inconclusive, 10, 10, 1, 0.7224672001371109, 1, "more units needed"},
		{"shifts: none lasted, upper 0.278 < 0.9", fieldReq(models.ShiftsLasted, models.LowerBound, 0.9),
			[]verdict.FieldData{trial("t1", 100, nil, repeatShift(10, [2]int{0, 4}), nil)}, verdict.NotMet, 10, 0, 0, 0, 0.27753279986288915, "upper bound 0.278"},
		{"shifts per unit first: a unit with 40 failed shifts weighs as one of 11", fieldReq(models.ShiftsLasted, models.LowerBound, 0.6),
			[]verdict.FieldData{trial("t1", 100, nil, unitsOf40and4, nil)}, verdict.Met, 11, 10, 0.9090909090909091, 0.6226415635484045, 0.9837678271141153, "40 of 80 shifts lasted over 11 unit(s)"},
		{"shifts mixed: contains 0.9", fieldReq(models.ShiftsLasted, models.LowerBound, 0.9),
			[]verdict.FieldData{trial("t1", 100, nil, [][2]int{{18, 20}, {20, 21}, {15, 20}, {9, 10}, {0, 2}}, nil)}, verdict.Inconclusive, 5, 3, 0.7004761904761905, 0.2991348960785951, 0.927610706136913, "contains the target 0.900"},
		{"no shift logged", fieldReq(models.ShiftsLasted, models.LowerBound, 0.9),
			[]verdict.FieldData{trial("t1", 100, nil, nil, nil)}, verdict.Inconclusive, 0, 0, math.NaN(), math.NaN(), math.NaN(), "no shift logged"},

		{"SUS of 10 respondents, lower 70.77 ≥ 68", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{82.5, 70, 77.5, 65, 90, 72.5, 80, 67.5, 75, 85})}, verdict.Met, 10, 8, 76.5, 70.76969796281543, 82.23030203718457, "reaches the target 68"},
		{"SUS of 2 respondents contains 68", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{55, 62.5})}, verdict.Inconclusive, 2, 0, 58.75, 11.101732239344894, 106.3982677606551, "more respondents needed"},
		{"SUS of 5 respondents, upper 59.30 < 68", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{40, 52.5, 47.5, 60, 35})}, verdict.NotMet, 5, 0, 47, 34.700316847161496, 59.29968315283851, "upper bound 59.300"},
		{"SUS one respondent", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{90})}, verdict.Inconclusive, 1, 1, 90, math.NaN(), math.NaN(), "1 respondent"},
		{"SUS all equal", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{75, 75, 75})}, verdict.Inconclusive, 3, 3, 75, math.NaN(), math.NaN(), "same score"},
		{"SUS none", fieldReq(models.SUSMean, models.MeanLowerBound, 68),
			[]verdict.FieldData{trial("t1", 100, nil, nil, nil)}, verdict.Inconclusive, 0, 0, math.NaN(), math.NaN(), math.NaN(), "no questionnaire"},
		{"a rule that is not the metric's", fieldReq(models.SUSMean, models.LowerBound, 0.5),
			[]verdict.FieldData{trial("t1", 100, nil, nil, []float64{70, 80})}, verdict.Inconclusive, 0, 0, math.NaN(), math.NaN(), math.NaN(), "is not judged with rule"},
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want)) }
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			row := verdict.EvaluateField(&tc.req, models.EvidenceAny, []string{"a"}, tc.trials)
			if row.Kind != models.FieldTrial || row.Metric != tc.req.Metric || len(row.Cells) != 1 {
				t.Fatalf("row %+v", row)
			}
			c := row.Cells[0]
			if c.Verdict != tc.verdict || c.NUnits != tc.n || c.PassedUnits != tc.passed || !strings.Contains(c.Reason, tc.reason) {
				t.Errorf("verdict %s n=%d passed=%d %q; want %s n=%d passed=%d, reason with %q",
					c.Verdict, c.NUnits, c.PassedUnits, c.Reason, tc.verdict, tc.n, tc.passed, tc.reason)
			}
			switch {
			case math.IsNaN(tc.estimate) != (c.Estimate == nil):
				t.Errorf("estimate %v, want %v", c.Estimate, tc.estimate)
			case c.Estimate != nil && !near(*c.Estimate, tc.estimate):
				t.Errorf("estimate %v, want %v", *c.Estimate, tc.estimate)
			}
			switch {
			case math.IsNaN(tc.lo) != (c.CI == nil):
				t.Errorf("ci %v, want [%v, %v]", c.CI, tc.lo, tc.hi)
			case c.CI != nil && (!near(c.CI.Lower, tc.lo) || !near(c.CI.Upper, tc.hi)):
				t.Errorf("ci [%v, %v], want [%v, %v]", c.CI.Lower, c.CI.Upper, tc.lo, tc.hi)
			}
			if (c.Estimate == nil || c.CI == nil) && len(c.NullReasons) == 0 && tc.reason != "is not judged with rule" {
				t.Errorf("a null statistic without null_reasons: %+v", c)
			}
			if c.Field == nil || c.Field.Metric != tc.req.Metric {
				t.Errorf("field detail %+v", c.Field)
			}
		})
	}
}

// WithField puts the field rows in the profile's order and leaves the lab
// rows as Evaluate made them.
func TestFieldRowsInMatrix(t *testing.T) {
	rate := fieldReq(models.IncidentRate, models.UpperBound, 5)
	lab := models.Requirement{Key: "drop", Title: "drop", Kind: models.Drop,
		Decision: models.Decision{Rule: models.AllUnits, Confidence: 0.95}, MinUnits: 1}
	p := models.Profile{ID: "p", Name: "p", Version: 1, Requirements: []models.Requirement{rate, lab}}
	runs := []models.Run{drop("a", "U1", 26, 26, 0, 1)}
	m := verdict.WithField(verdict.Evaluate(p, []string{"a", "b"}, runs), p, []verdict.FieldData{trial("t1", 1000, nil, nil, nil)})
	if len(m.Rows) != 2 || m.Rows[0].Key != rate.Key || m.Rows[1].Key != "drop" {
		t.Fatalf("rows %+v", m.Rows)
	}
	if c := m.Rows[0].Cells; c[0].Verdict != verdict.Met || c[1].Verdict != verdict.Inconclusive || c[1].Field == nil {
		t.Errorf("field cells %+v", c)
	}
	if c := m.Rows[1].Cells[0]; c.Verdict != verdict.Met || c.Field != nil || len(c.Runs) != 1 {
		t.Errorf("lab cell %+v", c)
	}
	plan := verdict.Plan(m)
	if pc := plan[0].Cells[1]; pc.MorePassingUnits != nil || !strings.Contains(pc.Note, "exposure") {
		t.Errorf("plan of a field cell: %+v", pc)
	}
}

// TestFieldVerifiedIncidents: a profile counting verified evidence only
// counts verified incidents; one awaiting review keeps a cell from being
// met (it could only raise the rate), a rejected one is left out.
func TestFieldVerifiedIncidents(t *testing.T) {
	with := func(all, verified, pending int) verdict.FieldData {
		d := trial("t1", 1000, map[string]int{"battery": all}, nil, nil)
		d.Verified = map[string]map[string]int{"a": {"battery": verified}}
		d.Pending = map[string]map[string]int{"a": {"battery": pending}}
		return d
	}
	req := fieldReq(models.IncidentRate, models.UpperBound, 5)
	cases := []struct {
		name      string
		evidence  string
		data      verdict.FieldData
		verdict   verdict.Verdict
		incidents int
		leftOut   int
		reason    string
	}{
		{"any evidence counts all three", models.EvidenceAny, with(3, 1, 1), verdict.Inconclusive, 3, 0, "3 incident(s) in 1000"},
		{"verified only: 0 verified, 1 pending: not met yet", models.EvidenceVerified, with(1, 0, 1), verdict.Inconclusive, 0, 1,
			"1 incident(s) await review"},
		{"verified only: a rejected one is left out and does not block", models.EvidenceVerified, with(1, 0, 0), verdict.Met, 0, 1,
			"1 unverified incident(s) left out"},
		{"verified only: all verified", models.EvidenceVerified, with(0, 0, 0), verdict.Met, 0, 0, "0 incident(s) in 1000"},
		{"verified only: not met stays not met with pending ones", models.EvidenceVerified, with(40, 30, 10), verdict.NotMet, 30, 10,
			"30 incident(s) in 1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := verdict.EvaluateField(&req, tc.evidence, []string{"a"}, []verdict.FieldData{tc.data}).Cells[0]
			if c.Verdict != tc.verdict || c.Field.Incidents != tc.incidents || c.LeftOutUnverified != tc.leftOut || !strings.Contains(c.Reason, tc.reason) {
				t.Errorf("got %s, %d incidents, %d left out, %q; want %s, %d, %d, reason with %q",
					c.Verdict, c.Field.Incidents, c.LeftOutUnverified, c.Reason, tc.verdict, tc.incidents, tc.leftOut, tc.reason)
			}
		})
	}
}
