package series

import "math"

// LTTB picks at most threshold of the points (x[i], y[i]) so that a line
// chart through them looks like the chart of all of them, using
// Steinarsson's largest-triangle-three-buckets: the first and last points
// are kept, the others are split into threshold−2 buckets of consecutive
// points, and each bucket keeps the point that makes the largest triangle
// with the point kept before it and the mean of the next bucket. It returns
// the indices of the kept points in increasing order.
//
// x must be increasing (t_s is). Only the first min(len(x), len(y)) points
// are used. Edge cases:
//   - threshold >= number of points: every index (nothing to reduce);
//   - threshold == 2: the first and last index;
//   - threshold < 2: every index — there is no way to keep both ends, and
//     "no limit" is the safer reading; callers that take a limit from a
//     request should reject values below 2 themselves.
func LTTB(x, y []float64, threshold int) []int {
	n := min(len(x), len(y))
	if threshold >= n || threshold < 2 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	if threshold == 2 {
		return []int{0, n - 1}
	}

	// Bucket b (0 ≤ b < threshold−2) holds indices [edge(b), edge(b+1)).
	// Integer arithmetic makes the buckets exact and never empty, since
	// threshold−2 ≤ n−2.
	buckets := threshold - 2
	edge := func(b int) int { return 1 + int(int64(b)*int64(n-2)/int64(buckets)) }

	kept := make([]int, 0, threshold)
	kept = append(kept, 0)
	a := 0 // the point kept last
	for b := 0; b < buckets; b++ {
		// Mean of the next bucket; for the last bucket, the last point.
		nextLo, nextHi := edge(b+1), edge(b+2)
		if b == buckets-1 {
			nextLo, nextHi = n-1, n
		}
		var mx, my float64
		for j := nextLo; j < nextHi; j++ {
			mx += x[j]
			my += y[j]
		}
		cnt := float64(nextHi - nextLo)
		mx, my = mx/cnt, my/cnt

		ax, ay := x[a], y[a]
		lo, hi := edge(b), edge(b+1)
		best, bestArea := lo, -1.0
		for j := lo; j < hi; j++ {
			// Twice the triangle's area; the factor does not change the
			// maximum.
			area := math.Abs((ax-mx)*(y[j]-ay) - (ax-x[j])*(my-ay))
			if area > bestArea {
				best, bestArea = j, area
			}
		}
		kept = append(kept, best)
		a = best
	}
	return append(kept, n-1)
}

// Reduce keeps at most maxPoints whole rows of f (every column of a kept
// row, so columns stay aligned), chosen by LTTB on t_s and mainColumn. When
// f has no column mainColumn, the first column after t_s is used, and t_s
// itself for a frame of t_s alone. f is returned as it is when it has no
// more than maxPoints rows or when maxPoints < 2 (see LTTB); otherwise the
// result has new slices and f is not changed.
func Reduce(f Frame, mainColumn string, maxPoints int) Frame {
	n := f.Len()
	if maxPoints >= n || maxPoints < 2 {
		return f
	}
	y := f.Column(mainColumn)
	if y == nil {
		y = f.Data[min(1, len(f.Data)-1)]
	}
	keep := LTTB(f.Data[0], y, maxPoints)
	out := Frame{Columns: append([]string(nil), f.Columns...), Data: make([][]float64, len(f.Data))}
	for c, col := range f.Data {
		kept := make([]float64, len(keep))
		for i, j := range keep {
			kept[i] = col[j]
		}
		out.Data[c] = kept
	}
	return out
}
