package award

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// tender is a small hand-computable problem: robustness (survival
// proportion, linear 0.5→1), battery (mean hours, linear 8→14), price
// (lowest ÷ offered).
func tender() *Problem {
	return &Problem{
		Candidates: []string{"a", "b", "c"},
		Criteria: []Criterion{
			{Key: "robustness", Rule: Linear, Worst: 0.5, Best: 1, Weight: 0.5, Lo: 0.5, Hi: 0.5},
			{Key: "battery", Rule: Linear, Worst: 8, Best: 14, Weight: 0.2, Lo: 0.2, Hi: 0.2},
			{Key: "price", Rule: LowestRatio, LowerIsBetter: true, Weight: 0.3, Lo: 0.3, Hi: 0.3},
		},
		Values: [][]Measure{
			{Proportion{X: 8, N: 8}, Mean{Mean: 11, SD: 1, N: 6}, Fixed(500)},
			{Proportion{X: 7, N: 10}, Mean{Mean: 14.6, SD: 1, N: 6}, Fixed(400)},
			{Proportion{X: 3, N: 6}, Mean{Mean: 7, SD: 1, N: 6}, Fixed(450)},
		},
	}
}

func TestDeterministicByHand(t *testing.T) {
	rows := Deterministic(tender())
	// a: 1·0.5 + 0.5·0.2 + 0.8·0.3 = 0.84
	// b: 0.4·0.5 + 1·0.2 (clamped) + 1·0.3 = 0.70
	// c: 0·0.5 + 0·0.2 (clamped) + (400/450)·0.3 = 0.2666…
	want := []struct {
		score float64
		rank  int
		pts   []float64
	}{
		{0.84, 1, []float64{1, 0.5, 0.8}},
		{0.70, 2, []float64{0.4, 1, 1}},
		{0.3 * 400 / 450, 3, []float64{0, 0, 400.0 / 450}},
	}
	for i, w := range want {
		r := rows[i]
		if math.Abs(r.Score-w.score) > 1e-12 || r.Rank != w.rank {
			t.Errorf("%s: score %v rank %d, want %v %d", r.Candidate, r.Score, r.Rank, w.score, w.rank)
		}
		for j := range w.pts {
			if math.Abs(r.Points[j]-w.pts[j]) > 1e-12 {
				t.Errorf("%s criterion %d: points %v, want %v", r.Candidate, j, r.Points[j], w.pts[j])
			}
		}
	}
}

func TestTiesShareARank(t *testing.T) {
	p := &Problem{Candidates: []string{"a", "b", "c"},
		Criteria: []Criterion{{Key: "x", Rule: Linear, Worst: 0, Best: 1, Weight: 1, Lo: 1, Hi: 1}},
		Values:   [][]Measure{{Fixed(0.5)}, {Fixed(0.5)}, {Fixed(0.2)}}}
	got := []int{}
	for _, r := range Deterministic(p) {
		got = append(got, r.Rank)
	}
	if !reflect.DeepEqual(got, []int{1, 1, 3}) {
		t.Errorf("ranks %v, want [1 1 3]", got)
	}
}

func TestStabilityByHand(t *testing.T) {
	p := tender()
	rows := Deterministic(p)
	st := Stability(p, rows)
	// robustness weight t, others rescaled by (1−t)/0.5:
	// a(t) = t + (1−t)·(0.1+0.24)/0.5 = t + 0.68(1−t)
	// b(t) = 0.4t + (1−t)·(0.2+0.3)/0.5 = 0.4t + (1−t)
	// a ≥ b ⇔ 0.32t + 0.68 ≥ 1 − 0.6t ⇔ t ≥ 0.32/0.92
	if got, want := st[0].Lo, 0.32/0.92; math.Abs(got-want) > 1e-12 || st[0].Hi != 1 || st[0].RivalLo != "b" {
		t.Errorf("robustness range %+v, want lo %v hi 1 rival b", st[0], want)
	}
	for _, r := range st {
		if r.Lo > r.Weight || r.Hi < r.Weight {
			t.Errorf("%s: range [%v, %v] does not contain the weight %v", r.Key, r.Lo, r.Hi, r.Weight)
		}
	}
}

func TestSameSeedSameOutput(t *testing.T) {
	p := tender()
	p.Criteria[0].Lo, p.Criteria[0].Hi = 0.3, 0.7
	p.Criteria[1].Lo, p.Criteria[1].Hi = 0, 1
	a, b := Simulate(p, 3000, 42), Simulate(p, 3000, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different results")
	}
	if c := Simulate(p, 3000, 43); reflect.DeepEqual(a.Acceptability, c.Acceptability) {
		t.Error("another seed gave the very same acceptabilities")
	}
}

// With exact weights and huge samples the measurement noise vanishes, so
// every candidate takes its deterministic rank in (nearly) every draw.
func TestConvergesToDeterministicRanks(t *testing.T) {
	p := tender()
	p.Values = [][]Measure{
		{Proportion{X: 99000, N: 100000}, Mean{Mean: 11, SD: 1, N: 100000}, Fixed(500)},
		{Proportion{X: 70000, N: 100000}, Mean{Mean: 14.6, SD: 1, N: 100000}, Fixed(400)},
		{Proportion{X: 60000, N: 100000}, Mean{Mean: 7, SD: 1, N: 100000}, Fixed(450)},
	}
	rows := Deterministic(p)
	res := Simulate(p, 2000, 7)
	for i, r := range rows {
		if got := res.Acceptability[i][r.Rank-1]; got < 0.999 {
			t.Errorf("%s: P(rank %d) = %v, want ≈ 1", r.Candidate, r.Rank, got)
		}
	}
	if res.WeightMethod != "fixed" {
		t.Errorf("method %q, want fixed", res.WeightMethod)
	}
}

// Two candidates, one criterion with normal uncertainty and no clamping:
// P(A first) = Φ((μA − μB) / √(σA² + σB²)).
func TestTwoCandidatesNormalClosedForm(t *testing.T) {
	for _, tc := range []struct{ muA, sdA, muB, sdB float64 }{
		{10, 1, 9.5, 1.5}, {10, 2, 10, 1}, {12, 0.5, 11, 1},
	} {
		p := &Problem{Candidates: []string{"A", "B"},
			Criteria: []Criterion{{Key: "x", Rule: Linear, Worst: -100, Best: 100, Weight: 1, Lo: 1, Hi: 1}},
			Values:   [][]Measure{{Normal{tc.muA, tc.sdA}}, {Normal{tc.muB, tc.sdB}}}}
		res := Simulate(p, 40000, 3)
		want := distuv.UnitNormal.CDF((tc.muA - tc.muB) / math.Hypot(tc.sdA, tc.sdB))
		got, se := res.Acceptability[0][0], res.AcceptSE[0][0]
		if math.Abs(got-want) > 3*se {
			t.Errorf("%+v: P(A first) = %v ± %v, want Φ = %v", tc, got, se, want)
		}
		if math.Abs(res.Pairwise[0][1]-got) > 1e-12 {
			t.Errorf("pairwise %v ≠ first-rank %v with two candidates", res.Pairwise[0][1], got)
		}
	}
}

func TestBetaAndTDraws(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200000
	sum, sq := 0.0, 0.0
	for range n {
		v := betaRand(r, 7.5, 1.5)
		sum += v
		sq += v * v
	}
	mean := sum / n
	if want := 7.5 / 9; math.Abs(mean-want) > 0.002 {
		t.Errorf("Beta(7.5,1.5) mean %v, want %v", mean, want)
	}
	sum, sq = 0, 0
	for range n {
		v := tRand(r, 5)
		sum += v
		sq += v * v
	}
	if v := sq / n; math.Abs(v-5.0/3) > 0.05 {
		t.Errorf("t(5) variance %v, want %v", v, 5.0/3)
	}
	if m := Median([]float64{3, 1, 2, 10}); m != 2.5 {
		t.Errorf("median %v", m)
	}
}

func TestWeightSamplers(t *testing.T) {
	free := Criterion{Rule: Linear, Worst: 0, Best: 1, Lo: 0, Hi: 1}
	mk := func(ws []float64, lo, hi []float64, order [][2]int) *Problem {
		p := &Problem{Order: order}
		for j, w := range ws {
			c := free
			c.Key, c.Weight, c.Lo, c.Hi = itoa(j), w, lo[j], hi[j]
			p.Criteria = append(p.Criteria, c)
		}
		return p
	}
	n15lo, n15hi, n15w := make([]float64, 15), make([]float64, 15), make([]float64, 15)
	for j := range 15 {
		n15w[j], n15lo[j], n15hi[j] = 1.0/15, 0.05, 0.09
	}
	cases := []struct {
		name, method string
		p            *Problem
	}{
		{"dirichlet", "dirichlet", mk([]float64{0.4, 0.3, 0.3}, []float64{0, 0, 0}, []float64{1, 1, 1}, nil)},
		{"sorted", "sorted", mk([]float64{0.5, 0.3, 0.2}, []float64{0, 0, 0}, []float64{1, 1, 1}, [][2]int{{0, 1}, {1, 2}})},
		{"rejection", "rejection", mk([]float64{0.4, 0.3, 0.3}, []float64{0.2, 0, 0.3}, []float64{0.6, 1, 0.3}, [][2]int{{0, 1}})},
		{"hit-and-run", "hit-and-run", mk(n15w, n15lo, n15hi, nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); err != nil && !errors.As(err, new(*Error)) {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(5, 6))
			s := NewWeightSampler(tc.p, r)
			if s.Method != tc.method {
				t.Fatalf("method %q, want %q", s.Method, tc.method)
			}
			w := make([]float64, len(tc.p.Criteria))
			mean := make([]float64, len(w))
			const k = 20000
			for range k {
				s.Draw(r, w)
				sum := 0.0
				for j, v := range w {
					sum += v
					mean[j] += v / k
					c := tc.p.Criteria[j]
					if v < c.Lo-1e-9 || v > c.Hi+1e-9 {
						t.Fatalf("w[%d] = %v outside [%v, %v]", j, v, c.Lo, c.Hi)
					}
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Fatalf("weights sum to %v", sum)
				}
				for _, o := range tc.p.Order {
					if w[o[0]] < w[o[1]]-1e-12 {
						t.Fatalf("order %v broken: %v", o, w)
					}
				}
			}
			// Uniform on the ordered simplex w1 ≥ w2 ≥ w3: the centroid is
			// the rank-order centroid (11/18, 5/18, 2/18).
			if tc.name == "sorted" {
				for j, want := range []float64{11.0 / 18, 5.0 / 18, 2.0 / 18} {
					if math.Abs(mean[j]-want) > 0.005 {
						t.Errorf("mean w[%d] = %v, want %v", j, mean[j], want)
					}
				}
			}
			if tc.name == "hit-and-run" {
				for j := range mean {
					if math.Abs(mean[j]-1.0/15) > 0.002 {
						t.Errorf("mean w[%d] = %v, want 1/15 by symmetry", j, mean[j])
					}
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(*Problem)
	}{
		{"worst = best", "criteria[1].best", func(p *Problem) { p.Criteria[1].Best = p.Criteria[1].Worst }},
		{"lower bounds > 1", "criteria", func(p *Problem) {
			for j := range p.Criteria {
				p.Criteria[j].Lo, p.Criteria[j].Hi = 0.4, 0.9
				p.Criteria[j].Weight = 0.4
			}
		}},
		{"weights ≠ 1", "criteria", func(p *Problem) { p.Criteria[0].Weight, p.Criteria[0].Lo, p.Criteria[0].Hi = 0.6, 0.6, 0.6 }},
		{"cycle", "order", func(p *Problem) {
			for j := range p.Criteria {
				p.Criteria[j].Lo, p.Criteria[j].Hi = 0, 1
				p.Criteria[j].Weight = 1.0 / 3
			}
			p.Order = [][2]int{{0, 1}, {1, 2}, {2, 0}}
		}},
		{"zero price", "criteria[2]", func(p *Problem) { p.Values[1][2] = Fixed(0) }},
		{"weight against order", "order[0]", func(p *Problem) { p.Order = [][2]int{{1, 0}} }},
	} {
		p := tender()
		tc.edit(p)
		var e *Error
		if err := p.Validate(); !errors.As(err, &e) || e.Field != tc.field {
			t.Errorf("%s: got %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	if err := tender().Validate(); err != nil {
		t.Errorf("valid tender: %v", err)
	}
}
