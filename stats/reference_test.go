package stats

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// reference mirrors testdata/reference.json, written by testdata/reference.R.
type reference struct {
	Generator string `json:"generator"`
	Binomial  []struct {
		Name           string     `json:"name"`
		X              int        `json:"x"`
		N              int        `json:"n"`
		Conf           float64    `json:"conf"`
		Wilson         [2]float64 `json:"wilson"`
		ClopperPearson [2]float64 `json:"clopper_pearson"`
	} `json:"binomial"`
	SuccessRunLower []struct {
		Name  string  `json:"name"`
		N     int     `json:"n"`
		Conf  float64 `json:"conf"`
		Lower float64 `json:"lower"`
	} `json:"success_run_lower"`
	SuccessRunUnits []struct {
		Name   string  `json:"name"`
		Target float64 `json:"target"`
		Conf   float64 `json:"conf"`
		Units  int     `json:"units"`
	} `json:"success_run_units"`
	KM []struct {
		Name  string    `json:"name"`
		Conf  float64   `json:"conf"`
		T     []float64 `json:"t"`
		E     []int     `json:"e"`
		Steps []struct {
			T       float64  `json:"t"`
			NRisk   int      `json:"n_risk"`
			NEvent  int      `json:"n_event"`
			NCensor int      `json:"n_censor"`
			Surv    float64  `json:"surv"`
			Lower   *float64 `json:"lower"` // null where R gives NA
			Upper   *float64 `json:"upper"`
		} `json:"steps"`
		Median *float64 `json:"median"`
	} `json:"km"`
	LogRank []struct {
		Name   string `json:"name"`
		Groups []struct {
			T []float64 `json:"t"`
			E []int     `json:"e"`
		} `json:"groups"`
		ChiSq float64 `json:"chisq"`
		DF    int     `json:"df"`
		P     float64 `json:"p"`
	} `json:"logrank"`
	Fisher []struct {
		Name string  `json:"name"`
		A    int     `json:"a"`
		B    int     `json:"b"`
		C    int     `json:"c"`
		D    int     `json:"d"`
		P    float64 `json:"p"`
	} `json:"fisher"`
	MeanT []struct {
		Name string     `json:"name"`
		Xs   []float64  `json:"xs"`
		Conf float64    `json:"conf"`
		N    int        `json:"n"`
		Mean float64    `json:"mean"`
		SD   float64    `json:"sd"`
		CI   [2]float64 `json:"ci"`
	} `json:"mean_t"`
	Welch []struct {
		Name   string     `json:"name"`
		A      []float64  `json:"a"`
		B      []float64  `json:"b"`
		Conf   float64    `json:"conf"`
		T      float64    `json:"t"`
		DF     float64    `json:"df"`
		P      float64    `json:"p"`
		DiffCI [2]float64 `json:"diff_ci"`
	} `json:"welch"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// approx reports whether got matches want to 1e-6 relative, or 1e-9
// absolute for values near zero.
func approx(got, want float64) bool {
	if math.IsNaN(got) || math.IsInf(got, 0) {
		return false
	}
	d := math.Abs(got - want)
	return d <= 1e-9 || d <= 1e-6*math.Abs(want)
}

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !approx(got, want) {
		t.Errorf("%s = %.12g, want %.12g (R)", what, got, want)
	}
}

func TestReferenceBinomial(t *testing.T) {
	for _, c := range loadReference(t).Binomial {
		t.Run(c.Name, func(t *testing.T) {
			w := ok(Wilson(c.X, c.N, c.Conf))
			checkClose(t, "Wilson lower", w.Lower, c.Wilson[0])
			checkClose(t, "Wilson upper", w.Upper, c.Wilson[1])
			cp := ok(ClopperPearson(c.X, c.N, c.Conf))
			checkClose(t, "ClopperPearson lower", cp.Lower, c.ClopperPearson[0])
			checkClose(t, "ClopperPearson upper", cp.Upper, c.ClopperPearson[1])
		})
	}
}

func TestReferenceSuccessRun(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.SuccessRunLower {
		t.Run(c.Name, func(t *testing.T) {
			checkClose(t, "SuccessRunLower", SuccessRunLower(c.N, c.Conf), c.Lower)
		})
	}
	for _, c := range ref.SuccessRunUnits {
		t.Run(c.Name, func(t *testing.T) {
			if got := SuccessRunUnits(c.Target, c.Conf); got != c.Units {
				t.Errorf("SuccessRunUnits(%g, %g) = %d, want %d", c.Target, c.Conf, got, c.Units)
			}
		})
	}
}

func TestReferenceKM(t *testing.T) {
	for _, c := range loadReference(t).KM {
		t.Run(c.Name, func(t *testing.T) {
			obs := make([]Observation, len(c.T))
			for i := range c.T {
				obs[i] = Observation{T: c.T[i], Event: c.E[i] == 1}
			}
			got := KM(obs, c.Conf)
			if len(got.Steps) != len(c.Steps) {
				t.Fatalf("%d steps, want %d: %+v", len(got.Steps), len(c.Steps), got.Steps)
			}
			for i, want := range c.Steps {
				g := got.Steps[i]
				if g.T != want.T || g.NRisk != want.NRisk || g.NEvent != want.NEvent || g.NCensor != want.NCensor {
					t.Errorf("step %d = %+v, want t=%g risk=%d event=%d censor=%d",
						i, g, want.T, want.NRisk, want.NEvent, want.NCensor)
				}
				checkClose(t, "surv", g.Surv, want.Surv)
				if want.Lower == nil || want.Upper == nil {
					// R's NA: the documented convention is a zero-width band.
					if g.Lower != g.Surv || g.Upper != g.Surv {
						t.Errorf("step %d (t=%g): bounds [%g, %g], want both = surv %g where R gives NA",
							i, g.T, g.Lower, g.Upper, g.Surv)
					}
					continue
				}
				checkClose(t, "lower", g.Lower, *want.Lower)
				checkClose(t, "upper", g.Upper, *want.Upper)
			}
			switch {
			case c.Median == nil && got.Median != nil:
				t.Errorf("median = %g, want nil", *got.Median)
			case c.Median != nil && got.Median == nil:
				t.Errorf("median = nil, want %g", *c.Median)
			case c.Median != nil:
				checkClose(t, "median", *got.Median, *c.Median)
			}
		})
	}
}

func TestReferenceLogRank(t *testing.T) {
	for _, c := range loadReference(t).LogRank {
		t.Run(c.Name, func(t *testing.T) {
			groups := make([][]Observation, len(c.Groups))
			for g, grp := range c.Groups {
				for i := range grp.T {
					groups[g] = append(groups[g], Observation{T: grp.T[i], Event: grp.E[i] == 1})
				}
			}
			got, err := LogRank(groups)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "chisq", got.ChiSq, c.ChiSq)
			if got.DF != c.DF {
				t.Errorf("df = %d, want %d", got.DF, c.DF)
			}
			checkClose(t, "p", got.P, c.P)
		})
	}
}

func TestReferenceFisher(t *testing.T) {
	for _, c := range loadReference(t).Fisher {
		t.Run(c.Name, func(t *testing.T) {
			p, err := FisherExact(c.A, c.B, c.C, c.D)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "p", p, c.P)
		})
	}
}

func TestReferenceMeanT(t *testing.T) {
	for _, c := range loadReference(t).MeanT {
		t.Run(c.Name, func(t *testing.T) {
			got, err := MeanT(c.Xs, c.Conf)
			if err != nil {
				t.Fatal(err)
			}
			if got.N != c.N {
				t.Errorf("n = %d, want %d", got.N, c.N)
			}
			checkClose(t, "mean", got.Mean, c.Mean)
			checkClose(t, "sd", got.SD, c.SD)
			checkClose(t, "ci lower", got.CI.Lower, c.CI[0])
			checkClose(t, "ci upper", got.CI.Upper, c.CI[1])
		})
	}
}

func TestReferenceWelch(t *testing.T) {
	for _, c := range loadReference(t).Welch {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Welch(c.A, c.B, c.Conf)
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, "t", got.T, c.T)
			checkClose(t, "df", got.DF, c.DF)
			checkClose(t, "p", got.P, c.P)
			checkClose(t, "diff ci lower", got.DiffCI.Lower, c.DiffCI[0])
			checkClose(t, "diff ci upper", got.DiffCI.Upper, c.DiffCI[1])
		})
	}
}
