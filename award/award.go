package award

import (
	"fmt"
	"math"
	"slices"
)

// Value functions turning a criterion's value into points in [0, 1].
const (
	// Linear: 0 at Worst, 1 at Best, straight in between, clamped.
	Linear = "linear"
	// LowestRatio: the procurement price rule, points = lowest ÷ offered
	// (for a lower-is-better criterion; highest-is-better takes
	// offered ÷ highest). The reference is taken among the candidates
	// in the award, inside each draw.
	LowestRatio = "lowest_ratio"
)

// Criterion is one line of a scoring scheme as the maths sees it.
type Criterion struct {
	Key string
	// LowerIsBetter: for LowestRatio the direction of the ratio; for
	// Linear it is implied by Worst > Best and only checked.
	LowerIsBetter bool
	Rule          string
	Worst, Best   float64
	// Weight is the nominal (published) weight used by the deterministic
	// table; Lo ≤ Weight ≤ Hi is the range SMAA samples (Lo = Hi = Weight
	// for an exact weight).
	Weight, Lo, Hi float64
}

// Problem is what both the deterministic table and SMAA need: candidates
// in the award (gates already applied), criteria, one Measure per
// candidate and criterion, and weight order constraints w[a] ≥ w[b].
type Problem struct {
	Candidates []string
	Criteria   []Criterion
	Values     [][]Measure // [candidate][criterion]
	Order      [][2]int
}

// Error names the part of a problem that is wrong, in the terms of the
// scheme (criteria[2].best), so handlers can answer problem+json.
type Error struct {
	Field, Detail string
}

func (e *Error) Error() string { return e.Field + ": " + e.Detail }

const wEps = 1e-9

// Validate checks what the maths needs: anchors that differ, weights that
// can sum to 1, a nominal weight vector inside the allowed set, an order
// without a cycle.
func (p *Problem) Validate() error {
	sumW, sumLo, sumHi := 0.0, 0.0, 0.0
	for j, c := range p.Criteria {
		f := fmt.Sprintf("criteria[%d]", j)
		switch c.Rule {
		case Linear:
			if c.Worst == c.Best {
				return &Error{f + ".best", "must differ from worst"}
			}
		case LowestRatio:
		default:
			return &Error{f + ".value_function", "must be linear or lowest_ratio"}
		}
		if !(c.Lo >= 0 && c.Lo <= c.Weight+wEps && c.Weight <= c.Hi+wEps && c.Hi <= 1) {
			return &Error{f + ".weight", fmt.Sprintf("needs 0 ≤ lo ≤ weight ≤ hi ≤ 1 (lo %g, weight %g, hi %g)", c.Lo, c.Weight, c.Hi)}
		}
		sumW += c.Weight
		sumLo += c.Lo
		sumHi += c.Hi
	}
	if len(p.Criteria) == 0 {
		return &Error{"criteria", "must list at least one criterion"}
	}
	if sumLo > 1+wEps {
		return &Error{"criteria", fmt.Sprintf("the lower bounds of the weights add up to %g > 1: no weights can sum to 1", sumLo)}
	}
	if sumHi < 1-wEps {
		return &Error{"criteria", fmt.Sprintf("the upper bounds of the weights add up to %g < 1: no weights can sum to 1", sumHi)}
	}
	if math.Abs(sumW-1) > 1e-6 {
		return &Error{"criteria", fmt.Sprintf("the weights add up to %g, not 1", sumW)}
	}
	for k, o := range p.Order {
		if o[0] < 0 || o[0] >= len(p.Criteria) || o[1] < 0 || o[1] >= len(p.Criteria) || o[0] == o[1] {
			return &Error{fmt.Sprintf("order[%d]", k), "names an unknown criterion or the same one twice"}
		}
	}
	if cyc := orderCycle(len(p.Criteria), p.Order); cyc != "" {
		return &Error{"order", "has a cycle through " + cyc}
	}
	for k, o := range p.Order {
		if p.Criteria[o[0]].Weight < p.Criteria[o[1]].Weight-wEps {
			return &Error{fmt.Sprintf("order[%d]", k), fmt.Sprintf("the weight of %s is below that of %s, against the order", p.Criteria[o[0]].Key, p.Criteria[o[1]].Key)}
		}
	}
	if len(p.Values) != len(p.Candidates) {
		return &Error{"values", "one row per candidate"}
	}
	for i := range p.Values {
		if len(p.Values[i]) != len(p.Criteria) {
			return &Error{"values", "one value per criterion"}
		}
		for j, c := range p.Criteria {
			if c.Rule == LowestRatio && !(p.Values[i][j].Point() > 0) {
				return &Error{fmt.Sprintf("criteria[%d]", j), fmt.Sprintf("%s: the lowest-price rule needs a positive value", p.Candidates[i])}
			}
		}
	}
	return nil
}

// orderCycle returns a criterion on a cycle (by index) or "".
func orderCycle(n int, order [][2]int) string {
	adj := make([][]int, n)
	for _, o := range order {
		adj[o[0]] = append(adj[o[0]], o[1])
	}
	state := make([]int, n) // 0 new, 1 on stack, 2 done
	var at int = -1
	var visit func(int) bool
	visit = func(v int) bool {
		state[v] = 1
		for _, w := range adj[v] {
			if state[w] == 1 {
				at = w
				return true
			}
			if state[w] == 0 && visit(w) {
				return true
			}
		}
		state[v] = 2
		return false
	}
	for v := range n {
		if state[v] == 0 && visit(v) {
			return fmt.Sprintf("criterion %d", at)
		}
	}
	return ""
}

// points maps raw values x[i] of criterion c over all candidates to
// points (written into out).
func points(c *Criterion, x, out []float64) {
	switch c.Rule {
	case LowestRatio:
		if c.LowerIsBetter {
			ref := slices.Min(x)
			for i, v := range x {
				out[i] = ref / v
			}
		} else {
			ref := slices.Max(x)
			for i, v := range x {
				if ref > 0 {
					out[i] = v / ref
				} else {
					out[i] = 0
				}
			}
		}
	default:
		d := c.Best - c.Worst
		for i, v := range x {
			out[i] = min(1, max(0, (v-c.Worst)/d))
		}
	}
}

// Row is one candidate in the deterministic table.
type Row struct {
	Candidate string
	Values    []float64 // point values per criterion
	Points    []float64 // in [0, 1]
	Weighted  []float64 // points × nominal weight
	Score     float64
	Rank      int
}

// Deterministic is the committee's spreadsheet with the nominal weights.
// Ranks: 1 + the number of candidates with a strictly higher score.
func Deterministic(p *Problem) []Row {
	m, n := len(p.Candidates), len(p.Criteria)
	rows := make([]Row, m)
	x := make([]float64, m)
	pt := make([]float64, m)
	for i := range rows {
		rows[i] = Row{Candidate: p.Candidates[i], Values: make([]float64, n), Points: make([]float64, n), Weighted: make([]float64, n)}
	}
	for j := range p.Criteria {
		if m == 0 {
			break
		}
		for i := range m {
			x[i] = p.Values[i][j].Point()
		}
		points(&p.Criteria[j], x, pt)
		for i := range m {
			rows[i].Values[j] = x[i]
			rows[i].Points[j] = pt[i]
			rows[i].Weighted[j] = pt[i] * p.Criteria[j].Weight
			rows[i].Score += rows[i].Weighted[j]
		}
	}
	for i := range rows {
		rows[i].Rank = 1
		for k := range rows {
			if rows[k].Score > rows[i].Score+scoreEps {
				rows[i].Rank++
			}
		}
	}
	return rows
}

// scoreEps: scores closer than this tie (float noise from summing the
// same weights in another order must not split a tie).
const scoreEps = 1e-12

// Range is one criterion's weight-stability range for the deterministic
// winner: over [Lo, Hi] (with the other weights rescaled proportionally
// to fill 1 − w) the winner stays first. Lo = 0 / Hi = 1 mean "all the
// way". Rival names who overtakes first at each end ("" if nobody).
type Range struct {
	Key              string
	Weight, Lo, Hi   float64
	RivalLo, RivalHi string
}

// Stability computes Range per criterion for the deterministic winner
// (the first candidate of rank 1). With fewer than two candidates every
// range is [0, 1].
func Stability(p *Problem, rows []Row) []Range {
	out := make([]Range, len(p.Criteria))
	win := -1
	for i, r := range rows {
		if r.Rank == 1 {
			win = i
			break
		}
	}
	for j, c := range p.Criteria {
		rg := Range{Key: c.Key, Weight: c.Weight, Lo: 0, Hi: 1}
		if win >= 0 && c.Weight < 1-wEps {
			// score_i(t) = t·P_ij + (1−t)/(1−w_j) · (S_i − w_j·P_ij)
			// d(t) = score_win − score_k = a + b·t, need d ≥ 0.
			for k := range rows {
				if k == win {
					continue
				}
				rest := func(i int) float64 { return (rows[i].Score - c.Weight*rows[i].Points[j]) / (1 - c.Weight) }
				a := rest(win) - rest(k)
				b := (rows[win].Points[j] - rows[k].Points[j]) - a
				// d(t) = a + b t ≥ 0
				if b > 0 {
					if t := -a / b; t > rg.Lo {
						rg.Lo, rg.RivalLo = min(t, c.Weight), rows[k].Candidate
					}
				} else if b < 0 {
					if t := -a / b; t < rg.Hi {
						rg.Hi, rg.RivalHi = max(t, c.Weight), rows[k].Candidate
					}
				}
			}
		}
		out[j] = rg
	}
	return out
}
