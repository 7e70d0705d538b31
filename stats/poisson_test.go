package stats

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// rnum reads R's numbers as poisson.R writes them: null is NaN, "Inf" +Inf.
type rnum float64

func (r *rnum) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = rnum(math.NaN())
		return nil
	case bytes.Equal(b, []byte(`"Inf"`)):
		*r = rnum(math.Inf(1))
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*r = rnum(f)
	return err
}

type poissonReference struct {
	Rates []struct {
		X        int     `json:"x"`
		T        float64 `json:"t"`
		Conf     float64 `json:"conf"`
		Estimate rnum    `json:"estimate"`
		CI       [2]rnum `json:"ci"`
	} `json:"rates"`
	Ratios []struct {
		X1    int     `json:"x1"`
		T1    float64 `json:"t1"`
		X2    int     `json:"x2"`
		T2    float64 `json:"t2"`
		Conf  float64 `json:"conf"`
		Ratio rnum    `json:"ratio"`
		CI    [2]rnum `json:"ci"`
		P     rnum    `json:"p"`
	} `json:"ratios"`
	Shares []struct {
		S    float64 `json:"s"`
		N    int     `json:"n"`
		Conf float64 `json:"conf"`
		CI   [2]rnum `json:"ci"`
	} `json:"shares"`
	ByUnit []struct {
		Name     string  `json:"name"`
		K        []int   `json:"k"`
		N        []int   `json:"n"`
		Units    int     `json:"units"`
		Estimate float64 `json:"estimate"`
		CI       [2]rnum `json:"ci"`
	} `json:"by_unit"`
	SUS []struct {
		Answers []int   `json:"answers"`
		Score   float64 `json:"score"`
	} `json:"sus"`
	SUSMeans []struct {
		Scores []float64 `json:"scores"`
		Mean   float64   `json:"mean"`
		CI     [2]rnum   `json:"ci"`
	} `json:"sus_means"`
}

func loadPoissonReference(t *testing.T) poissonReference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "poisson.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref poissonReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Rates) < 10 || len(ref.Ratios) < 10 || len(ref.SUS) < 5 {
		t.Fatalf("poisson.json looks truncated: %d rates, %d ratios, %d SUS", len(ref.Rates), len(ref.Ratios), len(ref.SUS))
	}
	return ref
}

// checkR compares with R, where R's NaN and +Inf must be matched exactly.
func checkR(t *testing.T, what string, got float64, want rnum) {
	t.Helper()
	w := float64(want)
	switch {
	case math.IsNaN(w):
		if !math.IsNaN(got) {
			t.Errorf("%s = %g, want NaN (R)", what, got)
		}
	case math.IsInf(w, 0):
		if got != w {
			t.Errorf("%s = %g, want %g (R)", what, got, w)
		}
	default:
		checkClose(t, what, got, w)
	}
}

func TestReferencePoissonExact(t *testing.T) {
	for _, c := range loadPoissonReference(t).Rates {
		r := PoissonExact(c.X, c.T, c.Conf)
		what := func(s string) string { return s + " of " + jsonString(c.X, c.T, c.Conf) }
		checkR(t, what("estimate"), r.Estimate, c.Estimate)
		checkR(t, what("lower"), r.CI.Lower, c.CI[0])
		checkR(t, what("upper"), r.CI.Upper, c.CI[1])
		if c.X == 0 && r.CI.Lower != 0 {
			t.Errorf("0 events: lower bound %g, want exactly 0", r.CI.Lower)
		}
	}
}

func TestReferenceRateRatio(t *testing.T) {
	for _, c := range loadPoissonReference(t).Ratios {
		r := RateRatio(c.X1, c.T1, c.X2, c.T2, c.Conf)
		what := func(s string) string { return s + " of " + jsonString(c.X1, c.T1, c.X2, c.T2, c.Conf) }
		checkR(t, what("ratio"), r.Ratio, c.Ratio)
		checkR(t, what("lower"), r.CI.Lower, c.CI[0])
		checkR(t, what("upper"), r.CI.Upper, c.CI[1])
		checkR(t, what("p"), r.P, c.P)
	}
}

func TestReferenceWilsonShare(t *testing.T) {
	ref := loadPoissonReference(t)
	for _, c := range ref.Shares {
		iv, err := WilsonShare(c.S, c.N, c.Conf)
		if err != nil {
			t.Fatalf("WilsonShare(%v): %v", jsonString(c.S, c.N, c.Conf), err)
		}
		checkR(t, "lower of "+jsonString(c.S, c.N, c.Conf), iv.Lower, c.CI[0])
		checkR(t, "upper of "+jsonString(c.S, c.N, c.Conf), iv.Upper, c.CI[1])
	}
	for _, c := range ref.ByUnit {
		got, err := ShareByUnit(c.K, c.N, 0.95)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got.Units != c.Units {
			t.Errorf("%s: %d units, want %d", c.Name, got.Units, c.Units)
		}
		checkClose(t, c.Name+" estimate", got.Estimate, c.Estimate)
		checkR(t, c.Name+" lower", got.CI.Lower, c.CI[0])
		checkR(t, c.Name+" upper", got.CI.Upper, c.CI[1])
	}
}

// TestShareByUnitWeighsUnitsEqually is the rule: a unit with 40
// shifts must not outweigh ten units with 4.
func TestShareByUnitWeighsUnitsEqually(t *testing.T) {
	k := []int{0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}
	n := []int{40, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}
	got, err := ShareByUnit(k, n, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lasted != 40 || got.Total != 80 || got.Units != 11 {
		t.Fatalf("counts %+v", got)
	}
	if math.Abs(got.Estimate-10.0/11) > 1e-12 {
		t.Errorf("estimate %g, want 10/11 (pooled shifts would say 0.5)", got.Estimate)
	}
	if e, err := ShareByUnit(nil, nil, 0.95); !errors.Is(err, ErrNoData) || !math.IsNaN(e.Estimate) || !math.IsNaN(e.CI.Lower) || !math.IsNaN(e.CI.Upper) {
		t.Errorf("no unit: %+v, %v; want ErrNoData and no interval (not [0, 1])", e, err)
	}
	if _, err := ShareByUnit([]int{0}, []int{0}, 0.95); !errors.Is(err, ErrNoData) {
		t.Errorf("a unit with no shift only: %v; want ErrNoData", err)
	}
	if iv, err := WilsonShare(0.5, 0, 0.95); !errors.Is(err, ErrNoData) || !math.IsNaN(iv.Lower) {
		t.Errorf("WilsonShare over 0 units: %v, %v; want ErrNoData", iv, err)
	}
	// All shares 0 or 1: the plain Wilson interval on units.
	b, err := Wilson(2, 3, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := ShareByUnit([]int{3, 0, 2}, []int{3, 2, 2}, 0.95); !approx(a.CI.Lower, b.Lower) || !approx(a.CI.Upper, b.Upper) {
		t.Errorf("0/1 shares: %v, Wilson %v", a.CI, b)
	}
}

func TestReferenceSUS(t *testing.T) {
	ref := loadPoissonReference(t)
	for _, c := range ref.SUS {
		got, err := SUSScore(c.Answers)
		if err != nil || got != c.Score {
			t.Errorf("SUSScore(%v) = %g, %v; want %g", c.Answers, got, err, c.Score)
		}
	}
	for _, c := range ref.SUSMeans {
		m, err := MeanT(c.Scores, 0.95)
		if err != nil {
			t.Fatalf("MeanT(%v): %v", c.Scores, err)
		}
		checkClose(t, "SUS mean", m.Mean, c.Mean)
		checkR(t, "SUS lower", m.CI.Lower, c.CI[0])
		checkR(t, "SUS upper", m.CI.Upper, c.CI[1])
	}
}

func TestSUSScoreRejects(t *testing.T) {
	for _, tc := range []struct {
		answers []int
		want    string
	}{
		{[]int{4, 2, 5, 1, 4, 2, 4, 2, 5}, "SUS has 10 items, got 9"},
		{[]int{4, 2, 5, 1, 4, 2, 4, 2, 5, 2, 3}, "SUS has 10 items, got 11"},
		{[]int{4, 2, 5, 1, 4, 2, 0, 2, 5, 2}, "sus7 must be 1 to 5, not 0"},
		{[]int{4, 2, 5, 1, 4, 2, 4, 2, 5, 6}, "sus10 must be 1 to 5, not 6"},
	} {
		if _, err := SUSScore(tc.answers); err == nil || err.Error() != tc.want {
			t.Errorf("SUSScore(%v) error %v, want %q", tc.answers, err, tc.want)
		}
	}
}

func TestPoissonEdges(t *testing.T) {
	if r := PoissonExact(3, 0, 0.95); !math.IsNaN(r.Estimate) || r.CI.Lower != 0 || !math.IsInf(r.CI.Upper, 1) {
		t.Errorf("no exposure: %+v", r)
	}
	if r := RateRatio(3, 0, 2, 10, 0.95); !math.IsNaN(r.Ratio) || !math.IsNaN(r.P) {
		t.Errorf("no exposure on one side: %+v", r)
	}
	// Symmetry: swapping the candidates inverts the ratio and its interval
	// and keeps the p-value.
	a, b := RateRatio(7, 2100, 19, 2000, 0.95), RateRatio(19, 2000, 7, 2100, 0.95)
	if !approx(a.Ratio, 1/b.Ratio) || !approx(a.CI.Lower, 1/b.CI.Upper) || !approx(a.P, b.P) {
		t.Errorf("swap: %+v vs %+v", a, b)
	}
}

func jsonString(v ...any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
