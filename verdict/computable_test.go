package verdict_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/stats"
	"ruggedlab/verdict"
)

// Every comparison on 0, 1 and 2 units per candidate: a statistic is either
// a number or null with a reason, never a stand-in p = 1 or zero-width
// interval (issue #10, item 5).

// drops gives handset n units of a 2 m programme: the first `failed`
// fail at drop 5 + i, the rest survive 26 drops.
func drops(handset string, n, failed int) []models.Run {
	var runs []models.Run
	for i := range n {
		if i < failed {
			runs = append(runs, drop(handset, fmt.Sprintf("%s%d", handset, i), 26, 5+i, 5+i, 4))
		} else {
			runs = append(runs, drop(handset, fmt.Sprintf("%s%d", handset, i), 26, 26, 0, 1))
		}
	}
	return runs
}

func batteries(handset string, means ...float64) []models.Run {
	var runs []models.Run
	for i, m := range means {
		runs = append(runs, battery(handset, fmt.Sprintf("%s%d", handset, i), m))
	}
	return runs
}

func TestCompareDropSmallN(t *testing.T) {
	tests := []struct {
		name           string
		runs           []models.Run
		logrank        bool   // computable?
		logrankReason  string // substring
		fisher         bool
		fisherReason   string
		medianA        bool // km median of "aa" computed?
		medianReasonA  string
		intervalsA     bool
		successReasonA string
	}{
		{"0 vs 0", nil, false, "neither aa nor bb has units", false, "neither aa nor bb has units", false, "no units", false, "no units"},
		{"0 vs 1", drops("bb", 1, 1), false, "aa has no units", false, "aa has no units", false, "no units", false, "no units"},
		{"1 vs 1, both survived", append(drops("aa", 1, 0), drops("bb", 1, 0)...), false, "nothing to compare", true, "", false, "not reached", true, ""},
		{"1 vs 1, one failed", append(drops("aa", 1, 1), drops("bb", 1, 0)...), true, "", true, "", true, "", true, "1 unit failed"},
		{"2 vs 2", append(drops("aa", 2, 1), drops("bb", 2, 2)...), true, "", true, "", true, "", true, "1 unit failed"},
		{"2 vs 0", drops("aa", 2, 0), false, "bb has no units", false, "bb has no units", false, "not reached", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := verdict.Compare(models.Drop, []string{"aa", "bb"}, tt.runs, 0)
			if err != nil {
				t.Fatal(err)
			}
			pr := c.DropPairs[0]
			checkTest(t, "log-rank p", pr.P, pr.PHolm, pr.NullReasons, "p", tt.logrank, tt.logrankReason)
			if tt.logrank != (pr.ChiSq != nil && pr.DF != nil) {
				t.Errorf("chisq %v df %v, want computed = %v", pr.ChiSq, pr.DF, tt.logrank)
			}
			checkTest(t, "Fisher p", pr.FisherP, pr.FisherPHolm, pr.NullReasons, "fisher_p", tt.fisher, tt.fisherReason)
			a := c.Drop[0]
			checkNull(t, "km.median", a.KM.Median, a.NullReasons, tt.medianA, tt.medianReasonA)
			if tt.intervalsA != (a.Wilson != nil && a.ClopperPearson != nil && a.Proportion != nil) {
				t.Errorf("wilson %v clopper_pearson %v proportion %v, want computed = %v", a.Wilson, a.ClopperPearson, a.Proportion, tt.intervalsA)
			}
			if !tt.intervalsA && (a.NullReasons["wilson"] != "no units tested" || a.NullReasons["clopper_pearson"] != "no units tested") {
				t.Errorf("null intervals without their reason: %v", a.NullReasons)
			}
			checkNull(t, "success_run_lower", a.SuccessRunLower, a.NullReasons, tt.successReasonA == "", tt.successReasonA)
			checkJSONNulls(t, c)
		})
	}
}

func TestComparePassSmallN(t *testing.T) {
	tests := []struct {
		name   string
		a, b   [2]int // passed, failed
		fisher *float64
		reason string
	}{
		{"0 vs 0", [2]int{0, 0}, [2]int{0, 0}, nil, "neither aa nor bb has units"},
		{"1 vs 0", [2]int{1, 0}, [2]int{0, 0}, nil, "bb has no units"},
		{"1/1 vs 0/1", [2]int{1, 0}, [2]int{0, 1}, p(1.0), ""},
		{"1/1 vs 1/1", [2]int{1, 0}, [2]int{1, 0}, p(1.0), ""},
		{"2/2 vs 0/2", [2]int{2, 0}, [2]int{0, 2}, p(1.0 / 3), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := append(tempUnits("aa", tt.a[0], tt.a[1]), tempUnits("bb", tt.b[0], tt.b[1])...)
			c, err := verdict.Compare(models.Temperature, []string{"aa", "bb"}, runs, 0)
			if err != nil {
				t.Fatal(err)
			}
			pr := c.PassPairs[0]
			checkTest(t, "Fisher p", pr.FisherP, pr.FisherPHolm, pr.NullReasons, "fisher_p", tt.fisher != nil, tt.reason)
			if tt.fisher != nil {
				wantPtr(t, "fisher_p", pr.FisherP, *tt.fisher, 1e-12)
			}
			for i, h := range c.Pass {
				n := tt.a[0] + tt.a[1]
				if i == 1 {
					n = tt.b[0] + tt.b[1]
				}
				if (n > 0) != (h.Wilson != nil && h.ClopperPearson != nil) {
					t.Errorf("%s with %d units: wilson %v, clopper_pearson %v", h.Handset, n, h.Wilson, h.ClopperPearson)
				}
			}
			checkJSONNulls(t, c)
		})
	}
}

func TestCompareBatterySmallN(t *testing.T) {
	tests := []struct {
		name       string
		a, b       []float64
		diff       bool
		welch      bool
		reason     string
		ciA, ciB   bool
		ciReasonA  string
		meanReason string // of a, when its mean is null
	}{
		{"0 vs 0", nil, nil, false, false, "neither aa nor bb has units", false, false, "no unit with a runtime", "no unit with a runtime"},
		{"0 vs 2", nil, []float64{27, 28.5}, false, false, "aa has no units", false, true, "no unit with a runtime", "no unit with a runtime"},
		{"1 vs 1", []float64{30}, []float64{27}, true, false, "aa and bb have 1 unit each", false, false, "1 unit", ""},
		{"1 vs 2 (the issue's diff 3.31 with p 1)", []float64{31.31}, []float64{27, 29}, true, false, "aa has 1 unit", false, true, "1 unit", ""},
		{"2 vs 2, equal means within each", []float64{30, 30}, []float64{27, 27}, true, false, "do not vary", false, false, "all equal", ""},
		{"2 vs 2", []float64{30, 32}, []float64{27, 28.5}, true, true, "", true, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := append(batteries("aa", tt.a...), batteries("bb", tt.b...)...)
			c, err := verdict.Compare(models.Battery, []string{"aa", "bb"}, runs, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			pr := c.BatteryPairs[0]
			checkNull(t, "diff", pr.Diff, pr.NullReasons, tt.diff, tt.reason)
			checkTest(t, "Welch p", pr.P, pr.PHolm, pr.NullReasons, "p", tt.welch, tt.reason)
			for _, f := range []struct {
				name string
				ok   bool
			}{{"t", pr.T != nil}, {"df", pr.DF != nil}, {"diff_ci", pr.DiffCI != nil}} {
				if f.ok != tt.welch || (!f.ok && pr.NullReasons[f.name] != pr.NullReasons["p"]) {
					t.Errorf("%s computed = %v, reason %q; want %v with p's reason", f.name, f.ok, pr.NullReasons[f.name], tt.welch)
				}
			}
			if tt.welch {
				w, _ := stats.Welch(tt.a, tt.b, 0.95)
				if *pr.P != w.P || *pr.PHolm != w.P {
					t.Errorf("p %v p_holm %v, want both %v (one pair)", *pr.P, *pr.PHolm, w.P)
				}
			}
			a, b := c.Battery[0], c.Battery[1]
			checkNull(t, "ci", a.CI, a.NullReasons, tt.ciA, tt.ciReasonA)
			if (b.CI != nil) != tt.ciB {
				t.Errorf("ci of bb = %v, want computed = %v", b.CI, tt.ciB)
			}
			if tt.meanReason != "" {
				checkNull(t, "mean", a.Mean, a.NullReasons, false, tt.meanReason)
			}
			checkJSONNulls(t, c)
		})
	}
}

// TestCompareHolm: with four candidates the six pairs of one endpoint are
// one family; a pair that cannot be tested is left out of it.
func TestCompareHolm(t *testing.T) {
	runs := append(tempUnits("aa", 6, 0), tempUnits("bb", 3, 3)...)
	runs = append(runs, tempUnits("cc", 0, 6)...)
	runs = append(runs, tempUnits("dd", 5, 1)...)
	c, err := verdict.Compare(models.Temperature, []string{"aa", "bb", "cc", "dd", "ee"}, runs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.PassPairs) != 10 {
		t.Fatalf("%d pairs, want 10", len(c.PassPairs))
	}
	raw := make([]float64, len(c.PassPairs))
	tested := 0
	for i, pr := range c.PassPairs {
		raw[i] = math.NaN()
		if pr.FisherP != nil {
			raw[i] = *pr.FisherP
			tested++
		}
	}
	if tested != 6 {
		t.Fatalf("%d pairs tested, want the 6 without ee", tested)
	}
	want := stats.Holm(raw)
	for i, pr := range c.PassPairs {
		switch {
		case pr.B == "ee":
			if pr.FisherPHolm != nil || pr.NullReasons["fisher_p_holm"] == "" {
				t.Errorf("%s–ee: fisher_p_holm %v reason %q, want null with a reason", pr.A, pr.FisherPHolm, pr.NullReasons["fisher_p_holm"])
			}
		case pr.FisherPHolm == nil || *pr.FisherPHolm != want[i]:
			t.Errorf("%s–%s: fisher_p_holm %v, want %v", pr.A, pr.B, pr.FisherPHolm, want[i])
		case *pr.FisherPHolm < *pr.FisherP:
			t.Errorf("%s–%s: adjusted %v below raw %v", pr.A, pr.B, *pr.FisherPHolm, *pr.FisherP)
		}
	}
	// By hand: the smallest raw p (aa 6/6 vs cc 0/6, 2/C(12,6) = 2/924) is
	// multiplied by the family size 6.
	ac := c.PassPairs[1]
	if ac.A != "aa" || ac.B != "cc" {
		t.Fatalf("pair 1 is %s–%s", ac.A, ac.B)
	}
	wantPtr(t, "aa–cc fisher_p", ac.FisherP, 2.0/924, 1e-12)
	wantPtr(t, "aa–cc fisher_p_holm", ac.FisherPHolm, 6*2.0/924, 1e-12)
}

// TestCompareDropHolmFamilies: log-rank and Fisher are adjusted each in its
// own family.
func TestCompareDropHolmFamilies(t *testing.T) {
	runs := append(drops("aa", 5, 0), drops("bb", 5, 3)...)
	runs = append(runs, drops("cc", 5, 5)...)
	c, err := verdict.Compare(models.Drop, []string{"aa", "bb", "cc"}, runs, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lr, fp []float64
	for _, pr := range c.DropPairs {
		lr, fp = append(lr, *pr.P), append(fp, *pr.FisherP)
	}
	wantLR, wantFP := stats.Holm(lr), stats.Holm(fp)
	for i, pr := range c.DropPairs {
		if *pr.PHolm != wantLR[i] || *pr.FisherPHolm != wantFP[i] {
			t.Errorf("%s–%s: p_holm %v fisher_p_holm %v, want %v %v", pr.A, pr.B, *pr.PHolm, *pr.FisherPHolm, wantLR[i], wantFP[i])
		}
	}
}

// checkTest checks a raw p and its Holm p: both numbers, or both null with
// reasons under field and field_holm containing reason.
func checkTest(t *testing.T, what string, raw, holm *float64, r verdict.Reasons, field string, computed bool, reason string) {
	t.Helper()
	if computed {
		if raw == nil || holm == nil {
			t.Errorf("%s = %v, holm %v; want numbers (reason %q)", what, raw, holm, r[field])
		}
		if _, ok := r[field]; ok {
			t.Errorf("%s computed but has a reason %q", what, r[field])
		}
		return
	}
	if raw != nil || holm != nil {
		t.Errorf("%s = %v, holm %v; want null", what, *raw, holm)
	}
	for _, f := range []string{field, field + "_holm"} {
		if !strings.Contains(r[f], reason) {
			t.Errorf("%s: reason for %s = %q, want it to say %q", what, f, r[f], reason)
		}
	}
}

func checkNull[T any](t *testing.T, field string, v *T, r verdict.Reasons, computed bool, reason string) {
	t.Helper()
	switch {
	case computed && v == nil:
		t.Errorf("%s = null (%q), want a value", field, r[field])
	case computed && r[field] != "":
		t.Errorf("%s computed but has a reason %q", field, r[field])
	case !computed && v != nil:
		t.Errorf("%s = %v, want null", field, *v)
	case !computed && !strings.Contains(r[field], reason):
		t.Errorf("%s: reason %q, want it to say %q", field, r[field], reason)
	}
}

// checkJSONNulls: in the JSON, every null statistic of a handset or pair
// entry is named in its null_reasons, and every named one is null.
func checkJSONNulls(t *testing.T, c verdict.Comparison) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Handsets []map[string]any `json:"handsets"`
		Pairwise []map[string]any `json:"pairwise"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range append(doc.Handsets, doc.Pairwise...) {
		reasons, ok := e["null_reasons"].(map[string]any)
		if !ok {
			t.Errorf("entry without a null_reasons object: %v", e)
			continue
		}
		if km, ok := e["km"].(map[string]any); ok {
			e["km.median"] = km["median"]
		}
		for k, v := range e {
			if _, why := reasons[k]; (v == nil) != why {
				t.Errorf("entry %v–%v: %s = %v, reason %v", e["a"], e["b"], k, v, reasons[k])
			}
		}
		for k := range reasons {
			if _, ok := e[k]; !ok {
				t.Errorf("reason for unknown field %s: %v", k, e)
			}
		}
	}
}
