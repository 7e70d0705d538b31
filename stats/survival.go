package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Observation is one unit's time to event, e.g. drops until first defect.
// Event=false means the unit was right-censored at T: it was still intact
// when observation stopped.
type Observation struct {
	T     float64
	Event bool
}

// KMStep is the Kaplan–Meier estimate just after time T.
type KMStep struct {
	T       float64 `json:"t"`
	NRisk   int     `json:"n_risk"`   // units still under observation just before T
	NEvent  int     `json:"n_event"`  // events at T
	NCensor int     `json:"n_censor"` // censorings at T
	Surv    float64 `json:"surv"`
	Lower   float64 `json:"lower"`
	Upper   float64 `json:"upper"`
}

// KaplanMeier is a survival curve and its median.
type KaplanMeier struct {
	Steps  []KMStep `json:"steps"`
	Median *float64 `json:"median"` // nil when the curve never falls to 0.5
}

// KM returns the Kaplan–Meier estimate for right-censored observations, as
// R's survfit(Surv(t, e) ~ 1, conf.type = "log-log") with
// summary(fit, censored = TRUE).
//
// There is one step per distinct time, whether it has events, censorings or
// both. At a tied time the events come before the censorings, so units
// censored at T still count as at risk at T. The interval is the log-log
// interval built on Greenwood's variance of the cumulative hazard.
//
// Where R reports NA bounds — while Surv is 1 (no event yet, zero variance)
// and once Surv is 0 (Greenwood's variance is infinite) — Lower and Upper
// are both set to Surv, because JSON has no NaN.
//
// Median follows R's summary(fit)$table["median"]: the first time at which
// Surv <= 0.5, except that when Surv is exactly 0.5 over a stretch it is the
// midpoint of that time and the next time Surv falls. Median is nil when
// Surv never reaches 0.5.
//
// Observations with a NaN time are ignored. No observations give no steps
// (an empty, non-nil slice) and a nil median.
func KM(obs []Observation, confidence float64) KaplanMeier {
	sorted := sortedObservations(obs)
	z := zTwoSided(confidence)
	steps := []KMStep{}
	surv, greenwood := 1.0, 0.0
	atRisk := len(sorted)
	for i := 0; i < len(sorted); {
		t := sorted[i].T
		var events, censored int
		for ; i < len(sorted) && sorted[i].T == t; i++ {
			if sorted[i].Event {
				events++
			} else {
				censored++
			}
		}
		n, d := float64(atRisk), float64(events)
		surv *= 1 - d/n
		if events < atRisk {
			greenwood += d / (n * (n - d))
		} else {
			surv = 0 // exact, not 1 - 1 rounding
			greenwood = math.Inf(1)
		}
		lower, upper := logLogInterval(surv, math.Sqrt(greenwood), z)
		steps = append(steps, KMStep{
			T: t, NRisk: atRisk, NEvent: events, NCensor: censored,
			Surv: surv, Lower: lower, Upper: upper,
		})
		atRisk -= events + censored
	}
	return KaplanMeier{Steps: steps, Median: kmMedian(steps)}
}

// sortedObservations returns the observations with a usable time, sorted by
// time with events before censorings at the same time.
func sortedObservations(obs []Observation) []Observation {
	out := make([]Observation, 0, len(obs))
	for _, o := range obs {
		if !math.IsNaN(o.T) {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Observation) int {
		if c := cmp.Compare(a.T, b.T); c != 0 {
			return c
		}
		switch {
		case a.Event && !b.Event:
			return -1
		case !a.Event && b.Event:
			return 1
		}
		return 0
	})
	return out
}

// logLogInterval is survival:::survfit_confint for conf.type "log-log",
// where se is the standard error of the cumulative hazard (-log S).
func logLogInterval(surv, se, z float64) (lower, upper float64) {
	if surv <= 0 || surv >= 1 || math.IsInf(se, 0) || math.IsNaN(se) {
		return surv, surv // R gives NA here
	}
	logS := math.Log(surv)
	centre := math.Log(-logS)
	w := z * se / logS
	return math.Exp(-math.Exp(centre - w)), math.Exp(-math.Exp(centre + w))
}

// kmMedian mirrors the minmin helper in R survival's median computation.
func kmMedian(steps []KMStep) *float64 {
	tol := math.Sqrt(0x1p-52) // R's sqrt(.Machine$double.eps), as all.equal uses
	for i, s := range steps {
		if s.Surv >= 0.5+tol {
			continue
		}
		m := s.T
		if math.Abs(s.Surv-0.5) < tol {
			for _, later := range steps[i+1:] {
				if later.Surv < s.Surv {
					m = (s.T + later.T) / 2
					break
				}
			}
		}
		return &m
	}
	return nil
}

// ChiSquareTest is the result of a chi-square test.
type ChiSquareTest struct {
	ChiSq float64 `json:"chisq"`
	DF    int     `json:"df"`
	P     float64 `json:"p"`
}

// LogRank returns the k-group log-rank test (Mantel–Haenszel weights), as
// R's survdiff(Surv(t, e) ~ group) with rho = 0: the quadratic form of
// observed minus expected events in the full covariance matrix, after
// dropping one group, on df = (number of groups with expected events > 0)
// − 1 degrees of freedom.
//
// A group counts only if some of its units were at risk at an event time;
// empty groups and groups censored before the first event are left out, as
// survdiff does. Where survdiff would stop on a singular covariance matrix,
// a Moore–Penrose inverse is used instead, so the test then uses only the
// directions that carry information.
//
// Not computable, with the zero ChiSquareTest (never read it as p = 1):
//   - fewer than two groups have observations: ErrNoData;
//   - fewer than two groups were at risk at an event time (no events at
//     all, or one group censored before any event): ErrNoEvents;
//   - the covariance carries no information at all (every event time
//     removed everybody at risk, e.g. one unit against one unit failing
//     at the same drop): ErrNoVariance.
//
// survdiff reports chisq 0 on 0 df (p = 1) in the first two cases, which
// reads as "no difference" when there is no evidence either way.
func LogRank(groups [][]Observation) (ChiSquareTest, error) {
	type tagged struct {
		Observation
		group int
	}
	var pooled []tagged
	atRisk := make([]float64, len(groups))
	for g, obs := range groups {
		for _, o := range sortedObservations(obs) {
			pooled = append(pooled, tagged{o, g})
			atRisk[g]++
		}
	}
	slices.SortStableFunc(pooled, func(a, b tagged) int { return cmp.Compare(a.T, b.T) })

	k := len(groups)
	observed := make([]float64, k)
	expected := make([]float64, k)
	cov := mat.NewSymDense(max(k, 1), nil) // gonum rejects a 0×0 matrix
	events := make([]float64, k)
	removed := make([]float64, k)
	for i := 0; i < len(pooled); {
		t := pooled[i].T
		clear(events)
		clear(removed)
		for ; i < len(pooled) && pooled[i].T == t; i++ {
			g := pooled[i].group
			if pooled[i].Event {
				events[g]++
			}
			removed[g]++
		}
		var n, d float64
		for g := range k {
			n += atRisk[g]
			d += events[g]
		}
		if d > 0 {
			for g := range k {
				observed[g] += events[g]
				expected[g] += d * atRisk[g] / n
			}
			// Hypergeometric covariance; a time with one unit at risk adds none.
			if n > 1 {
				f := d * (n - d) / (n - 1)
				for a := range k {
					for b := a; b < k; b++ {
						v := -atRisk[a] * atRisk[b] / (n * n)
						if a == b {
							v += atRisk[a] / n
						}
						cov.SetSym(a, b, cov.At(a, b)+f*v)
					}
				}
			}
		}
		for g := range k {
			atRisk[g] -= removed[g]
		}
	}

	var keep []int
	withData := 0
	for g := range k {
		if expected[g] > 0 {
			keep = append(keep, g)
		}
		if len(sortedObservations(groups[g])) > 0 {
			withData++
		}
	}
	switch {
	case withData < 2:
		return ChiSquareTest{}, fmt.Errorf("%w: log-rank test of %d groups with observations", ErrNoData, withData)
	case len(keep) < 2:
		return ChiSquareTest{}, fmt.Errorf("%w: no event while two groups were at risk", ErrNoEvents)
	}
	// The k deviations sum to zero, so one group (the first, like survdiff)
	// is dropped to leave a full-rank system.
	keep = keep[1:]
	m := len(keep)
	dev := mat.NewVecDense(m, nil)
	v := mat.NewDense(m, m, nil)
	for a, ga := range keep {
		dev.SetVec(a, observed[ga]-expected[ga])
		for b, gb := range keep {
			v.Set(a, b, cov.At(ga, gb))
		}
	}
	chi, ok := quadFormPinv(v, dev)
	if !ok {
		return ChiSquareTest{}, fmt.Errorf("%w: the log-rank variance is 0", ErrNoVariance)
	}
	df := m
	return ChiSquareTest{ChiSq: chi, DF: df, P: distuv.ChiSquared{K: float64(df)}.Survival(chi)}, nil
}

// quadFormPinv returns xᵀ V⁺ x for a symmetric positive semi-definite V,
// using the SVD so that a singular V still gives a finite answer; ok is
// false when V is 0 (rank 0) or cannot be factorised.
func quadFormPinv(v *mat.Dense, x *mat.VecDense) (chi float64, ok bool) {
	var svd mat.SVD
	if !svd.Factorize(v, mat.SVDThin) {
		return 0, false
	}
	rank := svd.Rank(1e-10)
	if rank == 0 {
		return 0, false
	}
	var sol mat.Dense
	svd.SolveTo(&sol, x, rank)
	return max(mat.Dot(x, sol.ColView(0)), 0), true
}
