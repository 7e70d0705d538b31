package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// PoissonRate is an event count over an exposure, with the exact interval
// of the rate (events per unit of exposure).
type PoissonRate struct {
	Count    int
	Exposure float64
	Estimate float64 // Count / Exposure
	CI       Interval
}

// PoissonExact returns the rate x/t with the exact (Garwood 1936) interval,
// as R's poisson.test(x, t, conf.level = confidence): the bounds of the
// expected count are the α/2 quantile of Gamma(x, 1) (0 when x = 0) and the
// 1−α/2 quantile of Gamma(x+1, 1), divided by t. Multiply every field by
// 1000 for a rate per 1,000 device-days.
//
// Edge cases: t <= 0 (no exposure) gives the estimate NaN and [0, +Inf]
// (no information); a negative x counts as 0. confidence must lie in (0, 1).
func PoissonExact(x int, t, confidence float64) PoissonRate {
	x = max(x, 0)
	if !(t > 0) {
		return PoissonRate{Count: x, Exposure: t, Estimate: math.NaN(), CI: Interval{0, math.Inf(1)}}
	}
	alpha := (1 - confidence) / 2
	lower := 0.0
	if x > 0 {
		lower = distuv.Gamma{Alpha: float64(x), Beta: 1}.Quantile(alpha)
	}
	upper := distuv.Gamma{Alpha: float64(x + 1), Beta: 1}.Quantile(1 - alpha)
	return PoissonRate{Count: x, Exposure: t, Estimate: float64(x) / t, CI: Interval{lower / t, upper / t}}
}

// RateRatioTest is the comparison of two Poisson rates.
type RateRatioTest struct {
	Ratio float64  // (x1/t1) / (x2/t2); NaN when x1 = x2 = 0, +Inf when only x2 = 0
	CI    Interval // exact conditional interval of the ratio; the upper bound may be +Inf
	P     float64  // two-sided p-value of rate ratio = 1
}

// RateRatio compares the rates x1/t1 and x2/t2 as R's
// poisson.test(c(x1, x2), c(t1, t2), conf.level = confidence) does:
// conditionally on n = x1 + x2, x1 is Binomial(n, t1/(t1+t2)) when the
// rates are equal. The p-value is binom.test's two-sided one (the sum of
// the probabilities of all outcomes no more likely than x1, with R's
// relative tolerance 1e-7), and the interval maps the Clopper–Pearson
// bounds p of the binomial proportion to p/(1−p)·t2/t1.
//
// Edge cases, as R: x1 = x2 = 0 gives ratio NaN, [0, +Inf] and p = 1;
// x2 = 0 < x1 gives ratio and upper bound +Inf; x1 = 0 gives ratio and
// lower bound 0. A non-positive exposure gives NaN everywhere (not
// computable). Negative counts count as 0.
func RateRatio(x1 int, t1 float64, x2 int, t2 float64, confidence float64) RateRatioTest {
	if !(t1 > 0) || !(t2 > 0) {
		nan := math.NaN()
		return RateRatioTest{Ratio: nan, CI: Interval{nan, nan}, P: nan}
	}
	x1, x2 = max(x1, 0), max(x2, 0)
	n := x1 + x2
	p0 := t1 / (t1 + t2)
	out := RateRatioTest{Ratio: (float64(x1) / t1) / (float64(x2) / t2)}
	if n == 0 {
		out.Ratio = math.NaN()
	}
	cp, err := ClopperPearson(x1, n, confidence)
	if err != nil { // no events on either side: R's poisson.test gives [0, Inf]
		cp = Interval{0, 1}
	}
	odds := func(p float64) float64 {
		if p >= 1 {
			return math.Inf(1)
		}
		return p / (1 - p) * t2 / t1
	}
	out.CI = Interval{odds(cp.Lower), odds(cp.Upper)}
	out.P = binomTwoSided(x1, n, p0)
	return out
}

// binomTwoSided is binom.test(x, n, p)$p.value for 0 < p < 1: the
// probabilities of all outcomes whose density is at most that of x (times
// 1 + 1e-7), taken from the other tail, plus the tail of x itself.
func binomTwoSided(x, n int, p float64) float64 {
	if n == 0 {
		return 1
	}
	const relErr = 1 + 1e-7
	d := binomPMF(x, n, p)
	m := float64(n) * p
	var pval float64
	switch {
	case float64(x) == m:
		return 1
	case float64(x) < m:
		y := 0
		for i := int(math.Ceil(m)); i <= n; i++ {
			if binomPMF(i, n, p) <= d*relErr {
				y++
			}
		}
		pval = binomCDF(x, n, p) + binomUpper(n-y, n, p)
	default:
		y := 0
		for i := 0; i <= int(math.Floor(m)); i++ {
			if binomPMF(i, n, p) <= d*relErr {
				y++
			}
		}
		pval = binomCDF(y-1, n, p) + binomUpper(x-1, n, p)
	}
	return min(1, pval)
}

// binomPMF is P(X = k) for X ~ Binomial(n, p).
func binomPMF(k, n int, p float64) float64 {
	if k < 0 || k > n {
		return 0
	}
	return math.Exp(logChoose(n, k) + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

// binomCDF is P(X <= k), from the regularized incomplete beta function so
// that small tails keep their precision.
func binomCDF(k, n int, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	}
	return mathext.RegIncBeta(float64(n-k), float64(k+1), 1-p)
}

// binomUpper is P(X > k).
func binomUpper(k, n int, p float64) float64 {
	switch {
	case k < 0:
		return 1
	case k >= n:
		return 0
	}
	return mathext.RegIncBeta(float64(k+1), float64(n-k), p)
}

// WilsonShare is Wilson's score interval for a share s (0 to 1) observed on
// n equally weighted units, as R's prop.test(s*n, n, correct = FALSE): the
// formula of Wilson with the (possibly fractional) success count s·n. It is
// how the field pilot counts shifts per unit first — each unit contributes
// its own share of shifts lasted, so a unit with 40 shifts weighs as much
// as a unit with 4 — and is Wilson(x, n) when every share is 0 or 1.
//
// Edge cases: n <= 0 (or a NaN share) has no interval: ErrNoData, never
// the stand-in [0, 1]; s is clamped into [0, 1]; s = 0 gives a lower bound
// of exactly 0 and s = 1 an upper bound of exactly 1.
func WilsonShare(s float64, n int, confidence float64) (Interval, error) {
	if n <= 0 || math.IsNaN(s) {
		return Interval{math.NaN(), math.NaN()}, fmt.Errorf("share over %d units: %w", n, ErrNoData)
	}
	p := min(max(s, 0), 1)
	z := zTwoSided(confidence)
	nf := float64(n)
	z22n := z * z / (2 * nf)
	half := z * math.Sqrt(p*(1-p)/nf+z22n/(2*nf))
	lower, upper := 0.0, 1.0
	if p > 0 {
		lower = (p + z22n - half) / (1 + 2*z22n)
	}
	if p < 1 {
		upper = (p + z22n + half) / (1 + 2*z22n)
	}
	return Interval{max(lower, 0), min(upper, 1)}, nil
}

// UnitShares is the share of successes counted per unit first.
type UnitShares struct {
	Units    int     // units with at least one trial
	Lasted   int     // successes over all units
	Total    int     // trials over all units
	Estimate float64 // mean of the units' shares
	CI       Interval
}

// ShareByUnit takes per-unit (successes, trials) pairs and returns the mean
// of the units' shares with WilsonShare over the number of units. Units
// with no trial are left out. No unit is not computable: ErrNoData, with
// the estimate and both bounds NaN (the counts, all 0, are still set).
func ShareByUnit(successes, trials []int, confidence float64) (UnitShares, error) {
	var out UnitShares
	sum := 0.0
	for i := range trials {
		if i >= len(successes) || trials[i] <= 0 {
			continue
		}
		k := clampCount(successes[i], trials[i])
		out.Units++
		out.Lasted += k
		out.Total += trials[i]
		sum += float64(k) / float64(trials[i])
	}
	if out.Units == 0 {
		out.Estimate = math.NaN()
		out.CI = Interval{math.NaN(), math.NaN()}
		return out, fmt.Errorf("no unit with a shift: %w", ErrNoData)
	}
	out.Estimate = sum / float64(out.Units)
	var err error
	out.CI, err = WilsonShare(out.Estimate, out.Units, confidence)
	return out, err
}
