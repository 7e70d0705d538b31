package stats

import (
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
// Edge cases: no values give the zero MeanCI. One value gives SD 0 and the
// degenerate interval [mean, mean]: a single unit says nothing about
// spread (R's t.test refuses it). The values must be finite.
func MeanT(xs []float64, confidence float64) MeanCI {
	n := len(xs)
	if n == 0 {
		return MeanCI{}
	}
	mean, variance := meanVar(xs)
	if n == 1 {
		return MeanCI{N: 1, Mean: mean, CI: Interval{mean, mean}}
	}
	sd := math.Sqrt(variance)
	q := tQuantile(confidence, float64(n-1))
	half := q * sd / math.Sqrt(float64(n))
	return MeanCI{N: n, Mean: mean, SD: sd, CI: Interval{mean - half, mean + half}}
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
// Results are always finite. Edge cases:
//   - Either group has fewer than 2 values (R refuses): no variance can be
//     estimated, so T 0, DF 0, P 1, and DiffCI is [diff, diff] (or [0, 0]
//     if a group is empty).
//   - Both groups are constant (R stops with "data are essentially
//     constant", using its tolerance 10·ε·max(|mean a|, |mean b|) on the
//     standard error): DF is len(a)+len(b)−2 (the limit of the Welch df
//     for equal variances), DiffCI is [diff, diff], and if the means are
//     equal (to the same tolerance) T is 0 and P is 1; otherwise the
//     difference is certain, so P is 0 and T is ±math.MaxFloat64 with the
//     sign of diff, standing in for ±Inf.
//
// The values must be finite.
func Welch(a, b []float64, confidence float64) WelchTest {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return WelchTest{P: 1}
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	diff := ma - mb
	if na < 2 || nb < 2 {
		return WelchTest{P: 1, DiffCI: Interval{diff, diff}}
	}
	sa, sb := va/float64(na), vb/float64(nb) // squared standard errors
	se := math.Sqrt(sa + sb)
	if se < 10*0x1p-52*max(math.Abs(ma), math.Abs(mb)) || se == 0 {
		res := WelchTest{DF: float64(na + nb - 2), P: 1, DiffCI: Interval{diff, diff}}
		// Means that differ only by rounding (0.1+0.2 vs 0.3) count as equal.
		if math.Abs(diff) > 10*0x1p-52*max(math.Abs(ma), math.Abs(mb)) {
			res.T = math.Copysign(math.MaxFloat64, diff)
			res.P = 0
		}
		return res
	}
	df := (sa + sb) * (sa + sb) / (sa*sa/float64(na-1) + sb*sb/float64(nb-1))
	t := diff / se
	p := 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
	half := tQuantile(confidence, df) * se
	return WelchTest{T: t, DF: df, P: min(p, 1), DiffCI: Interval{diff - half, diff + half}}
}
