package stats

import (
	"cmp"
	"math"
	"slices"
)

// Holm returns Holm's (1979) step-down adjusted p-values for one family of
// tests, in the order of p, as R's p.adjust(p, "holm"): sort the m p-values,
// multiply the i-th smallest by m − i + 1, take the running maximum, cap it
// at 1 and put the values back in their original order. Rejecting every
// hypothesis whose adjusted p is at most α controls the family-wise error
// rate at α under any dependence between the tests (pairwise tests share
// candidates, so they are dependent).
//
// Not-computable p-values are NaN (the JSON null of the callers). They are
// left out of the family — m counts only the computable ones — and stay NaN
// in the result. This is what R does with NA: p.adjust's default
// n = length(p) is evaluated after the NAs are dropped.
//
// The result is a new slice (p is not modified); nil or empty p gives an
// empty slice. Computable values are expected in [0, 1].
func Holm(p []float64) []float64 {
	out := make([]float64, len(p))
	idx := make([]int, 0, len(p)) // positions of the computable p-values
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	// A stable sort, like R's order(); ties give equal adjusted values
	// whatever their order, because the running maximum carries the larger.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	m := len(idx)
	running := 0.0
	for i, at := range idx {
		running = max(running, float64(m-i)*p[at])
		out[at] = min(1, running)
	}
	return out
}
