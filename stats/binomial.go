package stats

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided confidence interval.
//
// It is written to JSON as the two-element array [lower, upper], the form
// api.md uses for "ci", "wilson", "clopper_pearson" and "diff_ci".
type Interval struct{ Lower, Upper float64 }

// MarshalJSON writes the interval as [lower, upper].
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]float64{iv.Lower, iv.Upper})
}

// UnmarshalJSON reads an interval written as [lower, upper].
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var a []float64
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) != 2 {
		return fmt.Errorf("stats: interval needs 2 numbers, got %d", len(a))
	}
	iv.Lower, iv.Upper = a[0], a[1]
	return nil
}

// Proportion returns x/n, or 0 when n is 0 (no units, no estimate).
func Proportion(x, n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(x) / float64(n)
}

// zTwoSided returns the standard normal quantile for a two-sided interval
// with the given confidence, e.g. 1.959964 for 0.95.
func zTwoSided(confidence float64) float64 {
	return distuv.UnitNormal.Quantile((1 + confidence) / 2)
}

// clampCount keeps x within [0, n] so that a bad count cannot produce NaN.
func clampCount(x, n int) int {
	return max(0, min(x, n))
}

// Wilson returns the Wilson score interval for x successes out of n trials,
// without continuity correction, as R's prop.test(x, n, correct = FALSE).
//
// Edge cases: n <= 0 has no interval (ErrNoData: no units, no estimate);
// x = 0 gives a lower bound of exactly 0 and x = n an upper bound of
// exactly 1. x outside [0, n] is clamped into it. confidence must lie in
// (0, 1).
func Wilson(x, n int, confidence float64) (Interval, error) {
	if n <= 0 {
		return Interval{}, fmt.Errorf("%w: Wilson interval of 0 trials", ErrNoData)
	}
	x = clampCount(x, n)
	z := zTwoSided(confidence)
	nf := float64(n)
	p := float64(x) / nf
	z22n := z * z / (2 * nf)
	half := z * math.Sqrt(p*(1-p)/nf+z22n/(2*nf))
	// Same branches as prop.test: the bound at p = 0 or 1 is set exactly
	// rather than computed, so 5/5 reports an upper bound of 1, not 0.9999….
	lower, upper := 0.0, 1.0
	if x > 0 {
		lower = (p + z22n - half) / (1 + 2*z22n)
	}
	if x < n {
		upper = (p + z22n + half) / (1 + 2*z22n)
	}
	return Interval{max(lower, 0), min(upper, 1)}, nil
}

// ClopperPearson returns the exact (beta) interval for x successes out of n
// trials, as R's binom.test(x, n)$conf.int: the α/2 and 1−α/2 quantiles of
// Beta(x, n−x+1) and Beta(x+1, n−x), with α = 1 − confidence.
//
// Edge cases: x = 0 gives a lower bound of 0 and x = n an upper bound of 1
// (the beta quantile is undefined there); n <= 0 has no interval
// (ErrNoData). x outside [0, n] is clamped into it. confidence must lie in
// (0, 1).
func ClopperPearson(x, n int, confidence float64) (Interval, error) {
	if n <= 0 {
		return Interval{}, fmt.Errorf("%w: Clopper–Pearson interval of 0 trials", ErrNoData)
	}
	x = clampCount(x, n)
	alpha := (1 - confidence) / 2
	iv := Interval{0, 1}
	if x > 0 {
		iv.Lower = distuv.Beta{Alpha: float64(x), Beta: float64(n - x + 1)}.Quantile(alpha)
	}
	if x < n {
		iv.Upper = distuv.Beta{Alpha: float64(x + 1), Beta: float64(n - x)}.Quantile(1 - alpha)
	}
	return iv, nil
}

// SuccessRunLower returns the lower confidence bound on reliability after n
// units all passed with no failure: (1 − confidence)^(1/n). For example 5
// units at 0.95 give 0.5493.
//
// Edge case: n <= 0 gives 0 (no units demonstrate nothing).
func SuccessRunLower(n int, confidence float64) float64 {
	if n <= 0 {
		return 0
	}
	return math.Pow(1-confidence, 1/float64(n))
}

// SuccessRunUnits returns how many units must all pass, with no failure, to
// show reliability of at least target with the given confidence: the
// smallest n with target^n <= 1 − confidence, i.e. ⌈ln(1−C)/ln(target)⌉.
// For example 0.9 at 0.9 needs 22 units and 0.99 at 0.95 needs 299.
//
// Edge cases: it returns -1 when no number of units suffices (target >= 1,
// confidence >= 1, or a NaN argument), and 0 when none are needed
// (target <= 0 or confidence <= 0).
func SuccessRunUnits(target, confidence float64) int {
	switch {
	case math.IsNaN(target) || math.IsNaN(confidence) || target >= 1 || confidence >= 1:
		return -1
	case target <= 0 || confidence <= 0:
		return 0
	}
	r := math.Log(1-confidence) / math.Log(target)
	// When the exact answer is a whole number (0.5 at 0.75 is exactly 2),
	// rounding in the logarithms can land just above it, and a plain ceil
	// would then ask for one unit too many.
	if near := math.Round(r); math.Abs(r-near) <= 1e-9*max(1, r) {
		return int(near)
	}
	return int(math.Ceil(r))
}
