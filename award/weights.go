package award

import (
	"math"
	"math/rand/v2"
	"slices"
)

// WeightSampler draws weight vectors uniformly from the set a problem
// allows (see the package comment for the methods).
type WeightSampler struct {
	Method string
	n      int
	lo, hi []float64
	order  [][2]int
	free   []int // criteria whose weight is not exact
	mass   float64
	fixed  []float64
	chain  []int // for "sorted": free criteria from heaviest to lightest
	cur    []float64
	dir    []float64
	thin   int
}

// NewWeightSampler picks the method for p and, for hit-and-run, burns in
// the chain with r.
func NewWeightSampler(p *Problem, r *rand.Rand) *WeightSampler {
	n := len(p.Criteria)
	s := &WeightSampler{n: n, lo: make([]float64, n), hi: make([]float64, n), order: p.Order, fixed: make([]float64, n), mass: 1}
	intervals := false
	for j, c := range p.Criteria {
		s.lo[j], s.hi[j] = c.Lo, c.Hi
		if c.Hi-c.Lo <= wEps {
			s.fixed[j] = c.Weight
			s.mass -= c.Weight
			continue
		}
		s.free = append(s.free, j)
		if c.Lo > wEps || c.Hi < 1-wEps {
			intervals = true
		}
	}
	switch {
	case len(s.free) == 0:
		s.Method = "fixed"
	case len(s.free) == 1:
		// One free weight takes all the free mass: nothing to sample.
		s.Method = "fixed"
		s.fixed[s.free[0]] = s.mass
	case !intervals && len(p.Order) == 0:
		s.Method = "dirichlet"
	case !intervals && s.totalOrder():
		s.Method = "sorted"
	default:
		s.Method = "rejection"
		w := make([]float64, n)
		ok := 0
		for range 2000 {
			s.simplex(r, w)
			if s.inside(w, 0) {
				ok++
			}
		}
		if ok < 100 {
			s.Method = "hit-and-run"
			s.thin = len(s.free)
			s.cur = s.start(r)
			for range 100 * len(s.free) {
				s.step(r)
			}
		}
	}
	return s
}

// totalOrder reports whether Order is a chain through every free
// criterion; if so it sets s.chain.
func (s *WeightSampler) totalOrder() bool {
	k := len(s.free)
	if len(s.order) < k-1 {
		return false
	}
	// Count, per free criterion, how many others it must outweigh
	// (transitively); a total order gives k−1, k−2, …, 0.
	idx := map[int]int{}
	for i, j := range s.free {
		idx[j] = i
	}
	reach := make([][]bool, k)
	for i := range reach {
		reach[i] = make([]bool, k)
	}
	for _, o := range s.order {
		a, okA := idx[o[0]]
		b, okB := idx[o[1]]
		if !okA || !okB {
			return false
		}
		reach[a][b] = true
	}
	for m := range k {
		for i := range k {
			for j := range k {
				if reach[i][m] && reach[m][j] {
					reach[i][j] = true
				}
			}
		}
	}
	cnt := make([]int, k)
	for i := range k {
		for j := range k {
			if reach[i][j] {
				cnt[i]++
			}
		}
	}
	seen := make([]bool, k)
	for _, c := range cnt {
		if seen[c] {
			return false
		}
		seen[c] = true
	}
	s.chain = make([]int, k)
	for i, c := range cnt {
		s.chain[k-1-c] = s.free[i]
	}
	return true
}

// simplex writes a uniform draw of the free weights (scaled to the free
// mass) over the exact ones.
func (s *WeightSampler) simplex(r *rand.Rand, w []float64) {
	copy(w, s.fixed)
	sum := 0.0
	for _, j := range s.free {
		e := r.ExpFloat64()
		w[j] = e
		sum += e
	}
	for _, j := range s.free {
		w[j] *= s.mass / sum
	}
}

func (s *WeightSampler) inside(w []float64, eps float64) bool {
	for _, j := range s.free {
		if w[j] < s.lo[j]+eps || w[j] > s.hi[j]-eps {
			return false
		}
	}
	for _, o := range s.order {
		if w[o[0]] < w[o[1]]+eps {
			return false
		}
	}
	return true
}

// Draw writes one weight vector into w.
func (s *WeightSampler) Draw(r *rand.Rand, w []float64) {
	switch s.Method {
	case "fixed":
		copy(w, s.fixed)
	case "dirichlet":
		s.simplex(r, w)
	case "sorted":
		s.simplex(r, w)
		v := make([]float64, 0, len(s.chain))
		for _, j := range s.chain {
			v = append(v, w[j])
		}
		slices.Sort(v)
		for i, j := range s.chain {
			w[j] = v[len(v)-1-i]
		}
	case "rejection":
		for {
			s.simplex(r, w)
			if s.inside(w, 0) {
				return
			}
		}
	default:
		for range s.thin {
			s.step(r)
		}
		copy(w, s.cur)
	}
}

// start finds a point strictly inside the polytope: a rejection draw if
// one comes within 100,000 tries, else the barycentre of the interval
// box projected on the sum (fine when there is no order constraint).
func (s *WeightSampler) start(r *rand.Rand) []float64 {
	w := make([]float64, s.n)
	for range 100000 {
		s.simplex(r, w)
		if s.inside(w, 1e-9) {
			return w
		}
	}
	copy(w, s.fixed)
	lo, span := 0.0, 0.0
	for _, j := range s.free {
		lo += s.lo[j]
		span += s.hi[j] - s.lo[j]
	}
	for _, j := range s.free {
		w[j] = s.lo[j] + (s.mass-lo)*(s.hi[j]-s.lo[j])/span
	}
	return w
}

// step moves the hit-and-run chain once: a random direction in the free
// coordinates with zero sum, the chord of the polytope along it, a
// uniform point on the chord.
func (s *WeightSampler) step(r *rand.Rand) {
	if s.dir == nil {
		s.dir = make([]float64, s.n)
	}
	d := s.dir
	mean := 0.0
	for _, j := range s.free {
		d[j] = r.NormFloat64()
		mean += d[j]
	}
	mean /= float64(len(s.free))
	for _, j := range s.free {
		d[j] -= mean
	}
	tmin, tmax := math.Inf(-1), math.Inf(1)
	bound := func(coef, slack float64) { // coef·t ≤ slack
		switch {
		case coef > 1e-15:
			tmax = min(tmax, slack/coef)
		case coef < -1e-15:
			tmin = max(tmin, slack/coef)
		}
	}
	for _, j := range s.free {
		bound(-d[j], s.cur[j]-s.lo[j]) // w ≥ lo
		bound(d[j], s.hi[j]-s.cur[j])  // w ≤ hi
		bound(-d[j], s.cur[j])         // w ≥ 0
	}
	for _, o := range s.order { // w_a − w_b ≥ 0
		bound(d[o[1]]-d[o[0]], s.cur[o[0]]-s.cur[o[1]])
	}
	if !(tmin <= tmax) || math.IsInf(tmin, 0) || math.IsInf(tmax, 0) {
		return
	}
	t := tmin + (tmax-tmin)*r.Float64()
	for _, j := range s.free {
		s.cur[j] += t * d[j]
	}
}
