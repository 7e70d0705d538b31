package stats

import (
	"fmt"
	"math"
)

// FisherExact returns the two-sided p-value of Fisher's exact test for the
// 2×2 table [[a, b], [c, d]], as R's fisher.test: the sum of the
// hypergeometric probabilities of all tables with the observed margins
// whose probability is at most the observed table's times (1 + 1e-7). The
// relative tolerance keeps tables that tie with the observed one despite
// rounding.
//
// For pass proportions use a = passed and b = failed for one candidate and
// c, d likewise for the other.
//
// Edge cases: an empty row (a candidate without units, or all zeros) has
// no test (ErrNoData). An empty column with both rows filled (everybody
// passed, or everybody failed) is a real answer, p = 1: the margins allow
// only the observed table, as R's fisher.test reports. Negative counts are
// treated as 0. The result is clamped to [0, 1].
func FisherExact(a, b, c, d int) (float64, error) {
	a, b, c, d = max(a, 0), max(b, 0), max(c, 0), max(d, 0)
	if a+b == 0 || c+d == 0 {
		return 0, fmt.Errorf("%w: Fisher's test of a 2×2 table with an empty row", ErrNoData)
	}
	col1, col2, row1 := a+c, b+d, a+b
	lo, hi := max(0, row1-col2), min(row1, col1)
	if lo == hi {
		return 1, nil // the margins allow only the observed table
	}
	// Log probabilities up to the constant 1/C(col1+col2, row1), which the
	// normalisation below cancels.
	logp := make([]float64, hi-lo+1)
	top := math.Inf(-1)
	for i := range logp {
		x := lo + i
		logp[i] = logChoose(col1, x) + logChoose(col2, row1-x)
		top = max(top, logp[i])
	}
	var total float64
	p := make([]float64, len(logp))
	for i, l := range logp {
		p[i] = math.Exp(l - top)
		total += p[i]
	}
	cutoff := p[a-lo] * (1 + 1e-7)
	var sum float64
	for _, v := range p {
		if v <= cutoff {
			sum += v
		}
	}
	return min(sum/total, 1), nil
}

// logChoose returns ln C(n, k) for 0 <= k <= n.
func logChoose(n, k int) float64 {
	ln, _ := math.Lgamma(float64(n + 1))
	lk, _ := math.Lgamma(float64(k + 1))
	lnk, _ := math.Lgamma(float64(n - k + 1))
	return ln - lk - lnk
}
