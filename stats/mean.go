package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// MeanCI is a sample mean with its standard deviation and t interval.
type MeanCI struct {
	N    int      `json:"n"`
	Mean float64  `json:"mean"`
	SD   float64  `json:"sd"` // sample SD, divisor n − 1
	CI   Interval `json:"ci"`
}

// MeanT returns the mean, the sample standard deviation (divisor n − 1) and
// the t interval mean ± t(1−α/2, n−1)·SD/√n, as R's t.test(xs)$conf.int.
//
// Not computable (the error wraps one of the package's reasons, and only
// the fields named here are set):
//   - no values: ErrNoData, the zero MeanCI;
//   - one value: ErrTooFew; N and Mean are set, but a single unit says
//     nothing about spread, so SD and CI are not (R's t.test refuses it);
//   - values that do not vary (a standard error below R's tolerance
//     10·ε·|mean|, or 0): ErrNoVariance; N, Mean and SD (0) are set, CI is
//     not: a zero-width interval would claim the mean is known exactly
//     (R stops with "data are essentially constant").
//
// The values must be finite.
func MeanT(xs []float64, confidence float64) (MeanCI, error) {
	n := len(xs)
	if n == 0 {
		return MeanCI{}, fmt.Errorf("%w: mean of 0 values", ErrNoData)
	}
	mean, variance := meanVar(xs)
	if n == 1 {
		return MeanCI{N: 1, Mean: mean}, fmt.Errorf("%w: 1 value, a t interval needs at least 2", ErrTooFew)
	}
	sd := math.Sqrt(variance)
	se := sd / math.Sqrt(float64(n))
	if constant(se, mean, mean) {
		return MeanCI{N: n, Mean: mean, SD: sd}, fmt.Errorf("%w: %d equal values, a t interval needs spread", ErrNoVariance, n)
	}
	half := tQuantile(confidence, float64(n-1)) * se
	return MeanCI{N: n, Mean: mean, SD: sd, CI: Interval{mean - half, mean + half}}, nil
}

// constant reports whether a standard error is too small to divide by:
// R's t.test test stderr < 10·ε·max(|mean a|, |mean b|), or exactly 0.
func constant(se, ma, mb float64) bool {
	return se == 0 || se < 10*0x1p-52*max(math.Abs(ma), math.Abs(mb))
}

// meanVar returns the mean and the sample variance (0 for one value). The
// two-pass form avoids the cancellation of sum-of-squares formulas when
// runtimes are large and close together.
func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss, s float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
		s += x - mean
	}
	// Correction term of the compensated two-pass algorithm.
	n := float64(len(xs))
	return mean, (ss - s*s/n) / (n - 1)
}

// tQuantile returns the two-sided critical value t(1 − α/2, df).
func tQuantile(confidence, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile((1 + confidence) / 2)
}

// WelchTest is the result of Welch's unequal-variance t-test; the
// difference is mean(a) − mean(b).
type WelchTest struct {
	T      float64  `json:"t"`
	DF     float64  `json:"df"`
	P      float64  `json:"p"` // two-sided
	DiffCI Interval `json:"diff_ci"`
}

// Welch returns Welch's two-sample t-test of mean(a) − mean(b) with the
// Welch–Satterthwaite degrees of freedom, its two-sided p-value and the
// confidence interval for the difference, as R's
// t.test(a, b, var.equal = FALSE).
//
// Not computable, with the zero WelchTest (never read it as p = 1):
//   - either group is empty: ErrNoData;
//   - either group has 1 value: ErrTooFew, no variance can be estimated
//     (R refuses);
//   - the standard error of the difference is 0 or below R's tolerance
//     10·ε·max(|mean a|, |mean b|), because both groups are constant:
//     ErrNoVariance (R stops with "data are essentially constant").
//
// The values must be finite.
func Welch(a, b []float64, confidence float64) (WelchTest, error) {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return WelchTest{}, fmt.Errorf("%w: Welch's test of %d and %d values", ErrNoData, na, nb)
	}
	if na < 2 || nb < 2 {
		return WelchTest{}, fmt.Errorf("%w: Welch's test of %d and %d values needs at least 2 in each group", ErrTooFew, na, nb)
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	sa, sb := va/float64(na), vb/float64(nb) // squared standard errors
	se := math.Sqrt(sa + sb)
	if constant(se, ma, mb) {
		return WelchTest{}, fmt.Errorf("%w: both groups are constant", ErrNoVariance)
	}
	diff := ma - mb
	df := (sa + sb) * (sa + sb) / (sa*sa/float64(na-1) + sb*sb/float64(nb-1))
	t := diff / se
	p := 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
	half := tQuantile(confidence, df) * se
	return WelchTest{T: t, DF: df, P: min(p, 1), DiffCI: Interval{diff - half, diff + half}}, nil
}
