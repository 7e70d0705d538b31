package award

import (
	"math"
	"math/rand/v2"
)

// MaxDraws bounds a simulation (api.md: the award's draws parameter).
const (
	MinDraws     = 100
	MaxDraws     = 50000
	DefaultDraws = 10000
	DefaultSeed  = 1
)

// Result is the SMAA-2 output. Indices follow p.Candidates and
// p.Criteria; every proportion has its Monte Carlo standard error
// √(p(1−p)/K).
type Result struct {
	Draws         int
	Seed          uint64
	WeightMethod  string
	Acceptability [][]float64 // [candidate][rank−1]
	AcceptSE      [][]float64
	Pairwise      [][]float64 // [i][k] = P(score_i > score_k)
	Central       [][]float64 // [candidate][criterion]; nil row if never first
	Confidence    []float64   // P(first | own central weights); 0 if never first
	ConfidenceSE  []float64
}

// Simulate runs K = draws SMAA-2 iterations with the PCG generator seeded
// by seed, then the confidence factors: the same K value draws scored with
// each candidate's central weight vector (the points are kept as float32,
// at most MaxDraws × criteria × candidates × 4 bytes, 24 MB for 8 × 15). Values of Fixed measures are
// computed once; criteria whose measures are all fixed are turned into
// points once.
func Simulate(p *Problem, draws int, seed uint64) Result {
	m, n := len(p.Candidates), len(p.Criteria)
	r := rand.New(rand.NewPCG(seed, 0x5ead_a7a2d))
	res := Result{Draws: draws, Seed: seed, Acceptability: grid(m, m), AcceptSE: grid(m, m),
		Pairwise: grid(m, m), Central: make([][]float64, m), Confidence: make([]float64, m), ConfidenceSE: make([]float64, m)}
	if m == 0 || draws <= 0 {
		return res
	}
	ws := NewWeightSampler(p, r)
	res.WeightMethod = ws.Method
	ev := newEvaluator(p)
	ev.kept = make([]float32, 0, draws*len(ev.random)*m)
	count := make([][]int, m)
	for i := range count {
		count[i] = make([]int, m)
	}
	wins := grid(m, m)
	first := make([]int, m)
	wsum := grid(m, n)
	w := make([]float64, n)
	score := make([]float64, m)
	for range draws {
		ws.Draw(r, w)
		ev.draw(r)
		ev.keep()
		ev.scores(w, score)
		for i := range m {
			rank := 0
			for k := range m {
				if score[k] > score[i]+scoreEps {
					rank++
				} else if k != i && score[i] > score[k]+scoreEps {
					wins[i][k]++
				}
			}
			count[i][rank]++
			if rank == 0 {
				first[i]++
				for j := range n {
					wsum[i][j] += w[j]
				}
			}
		}
	}
	K := float64(draws)
	for i := range m {
		for rk := range m {
			pr := float64(count[i][rk]) / K
			res.Acceptability[i][rk], res.AcceptSE[i][rk] = pr, se(pr, K)
		}
		for k := range m {
			res.Pairwise[i][k] = wins[i][k] / K
		}
		if first[i] > 0 {
			res.Central[i] = make([]float64, n)
			for j := range n {
				res.Central[i][j] = wsum[i][j] / float64(first[i])
			}
		}
	}
	// Confidence factors: the same K value draws (kept as float32 points),
	// each scored with every candidate's central weights.
	hits := make([]int, m)
	for d := range draws {
		ev.load(d)
		for i := range m {
			if res.Central[i] == nil {
				continue
			}
			ev.scores(res.Central[i], score)
			top := true
			for k := range m {
				if score[k] > score[i]+scoreEps {
					top = false
					break
				}
			}
			if top {
				hits[i]++
			}
		}
	}
	for i := range m {
		if res.Central[i] != nil {
			pr := float64(hits[i]) / K
			res.Confidence[i], res.ConfidenceSE[i] = pr, se(pr, K)
		}
	}
	return res
}

func se(p, k float64) float64 { return math.Sqrt(p * (1 - p) / k) }

func grid(a, b int) [][]float64 {
	g := make([][]float64, a)
	cells := make([]float64, a*b)
	for i := range g {
		g[i] = cells[i*b : (i+1)*b : (i+1)*b]
	}
	return g
}

// evaluator holds the per-draw points matrix; criteria with only fixed
// measures are computed once.
type evaluator struct {
	p      *Problem
	random []int       // criteria with at least one random measure
	pts    [][]float64 // [criterion][candidate]
	x      []float64
	kept   []float32 // per draw, the points of the random criteria
}

func newEvaluator(p *Problem) *evaluator {
	m, n := len(p.Candidates), len(p.Criteria)
	e := &evaluator{p: p, pts: grid(n, m), x: make([]float64, m)}
	for j := range n {
		fixed := true
		for i := range m {
			if !p.Values[i][j].Fixed() {
				fixed = false
			}
		}
		if fixed {
			for i := range m {
				e.x[i] = p.Values[i][j].Point()
			}
			points(&p.Criteria[j], e.x, e.pts[j])
		} else {
			e.random = append(e.random, j)
		}
	}
	return e
}

func (e *evaluator) draw(r *rand.Rand) {
	for _, j := range e.random {
		for i := range e.x {
			e.x[i] = e.p.Values[i][j].Draw(r)
		}
		points(&e.p.Criteria[j], e.x, e.pts[j])
	}
}

// keep appends the current points of the random criteria to e.kept.
func (e *evaluator) keep() {
	for _, j := range e.random {
		for _, v := range e.pts[j] {
			e.kept = append(e.kept, float32(v))
		}
	}
}

// load restores the points kept for draw d.
func (e *evaluator) load(d int) {
	m := len(e.x)
	off := d * len(e.random) * m
	for _, j := range e.random {
		for i := range e.pts[j] {
			e.pts[j][i] = float64(e.kept[off+i])
		}
		off += m
	}
}

func (e *evaluator) scores(w, out []float64) {
	clear(out)
	for j, row := range e.pts {
		wj := w[j]
		for i, v := range row {
			out[i] += wj * v
		}
	}
}
