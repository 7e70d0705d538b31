package verdict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"ruggedlab/models"
	"ruggedlab/stats"
)

// maxPlanUnits bounds the searches below; beyond it a plan is not a plan.
const maxPlanUnits = 100000

// PlanRow is one requirement of a plan, one cell per handset.
type PlanRow struct {
	Key        string      `json:"key"`
	Title      string      `json:"title"`
	Kind       models.Kind `json:"kind"`
	Rule       string      `json:"rule"`
	Target     *float64    `json:"target"`
	Confidence float64     `json:"confidence"`
	MinUnits   int         `json:"min_units"`
	Cells      []PlanCell  `json:"cells"`
}

// PlanCell says how many more units would move a verdict to met.
// MorePassingUnits is null when more units cannot do it (a unit already
// failed an all_units rule, a mean at or below its target) or it cannot be
// computed (a mean of fewer than 2 units has no variance); Note says which.
type PlanCell struct {
	Handset          string  `json:"handset"`
	Verdict          Verdict `json:"verdict"`
	NUnits           int     `json:"n_units"`
	PassedUnits      int     `json:"passed_units"`
	MorePassingUnits *int    `json:"more_passing_units"`
	Note             string  `json:"note"`
}

// Plan turns a verdict matrix into how many more passing units each cell
// needs:
//   - met: 0;
//   - all_units: max(0, min_units − n) while no unit failed;
//   - lower_bound: the smallest k with n + k ≥ min_units such that the
//     Wilson lower bound of (x + k)/(n + k) reaches the target;
//   - mean_lower_bound: with n ≥ 2, the smallest total n' ≥ max(n, min_units)
//     at which mean − t(n'−1)·sd/√n' reaches the target, assuming further
//     units keep today's mean and sd; the answer is n' − n.
func Plan(m Matrix) []PlanRow {
	rows := []PlanRow{}
	for _, r := range m.Rows {
		pr := PlanRow{Key: r.Key, Title: r.Title, Kind: r.Kind, Rule: r.Rule, Target: r.Target, Confidence: r.Confidence, MinUnits: r.MinUnits, Cells: []PlanCell{}}
		for _, c := range r.Cells {
			pr.Cells = append(pr.Cells, planCell(r, c))
		}
		rows = append(rows, pr)
	}
	return rows
}

func planCell(r Row, c Cell) PlanCell {
	p := PlanCell{Handset: c.Handset, Verdict: c.Verdict, NUnits: c.NUnits, PassedUnits: c.PassedUnits}
	if c.Verdict == Met {
		p.MorePassingUnits, p.Note = ptr(0), "met"
		return p
	}
	if r.Kind == models.FieldTrial {
		p.Note = "a field requirement is moved by more exposure in the trial (device-days, shifts, respondents), not by lab units"
		return p
	}
	conf := r.Confidence
	if conf == 0 {
		conf = models.DefaultConfidence
	}
	if r.Rule != models.AllUnits && r.Target == nil {
		p.Note = "the requirement has no target"
		return p
	}
	switch r.Rule {
	case models.AllUnits:
		if failed := c.NUnits - c.PassedUnits; failed > 0 {
			p.Note = fmt.Sprintf("%s failed: all_units cannot be met by testing more units", units1(failed))
			return p
		}
		k := max(0, r.MinUnits-c.NUnits)
		p.MorePassingUnits, p.Note = ptr(k), fmt.Sprintf("%d more passing units reach min_units %d", k, r.MinUnits)
	case models.LowerBound:
		k, ok := WilsonUnitsNeeded(c.PassedUnits, c.NUnits, *r.Target, conf, r.MinUnits)
		if !ok {
			p.Note = fmt.Sprintf("no number of passing units brings the Wilson lower bound to %s", num(*r.Target))
			return p
		}
		p.MorePassingUnits = ptr(k)
		p.Note = fmt.Sprintf("with %d more passing units the Wilson %s lower bound of %d/%d reaches %s",
			k, pct(conf), c.PassedUnits+k, c.NUnits+k, num(*r.Target))
	case models.MeanLowerBound:
		if c.NUnits < 2 || c.SD == nil || c.Estimate == nil {
			p.Note = "not computable without a variance: test at least 2 units"
			return p
		}
		total, ok := MeanUnitsNeeded(*c.Estimate, *c.SD, *r.Target, conf, max(c.NUnits, r.MinUnits))
		if !ok {
			p.Note = fmt.Sprintf("the mean of unit means (%s h) does not exceed the target %s h: more units at this mean cannot meet it",
				num(*c.Estimate), num(*r.Target))
			return p
		}
		p.MorePassingUnits = ptr(total - c.NUnits)
		p.Note = fmt.Sprintf("at the current mean %s h and sd %s h, %d units in all would bring the %s t lower bound to %s h",
			num(*c.Estimate), num(*c.SD), total, pct(conf), num(*r.Target))
	}
	return p
}

// WilsonUnitsNeeded returns the smallest k ≥ max(0, minUnits − n) such that
// the Wilson lower bound of (x + k)/(n + k) at confidence is at least
// target, and false if none up to maxPlanUnits does (a target of 1 is
// never reached: the Wilson bound stays below 1).
func WilsonUnitsNeeded(x, n int, target, confidence float64, minUnits int) (int, bool) {
	for k := max(0, minUnits-n); k <= maxPlanUnits; k++ {
		// n + k ≥ 1 here unless n = minUnits = k = 0, where no units
		// demonstrate nothing and the next k is tried.
		if iv, err := stats.Wilson(x+k, n+k, confidence); err == nil && iv.Lower >= target {
			return k, true
		}
	}
	return 0, false
}

// MeanUnitsNeeded returns the smallest total number of units n ≥ from
// (and ≥ 2) at which mean − t(1−α/2, n−1)·sd/√n ≥ target, i.e. the number
// at which the two-sided t interval of a mean with this sd clears the
// target; false when the mean does not exceed the target or the bound is
// beyond maxPlanUnits.
func MeanUnitsNeeded(mean, sd, target, confidence float64, from int) (int, bool) {
	margin := mean - target
	if !(margin > 0) || math.IsNaN(sd) {
		return 0, false
	}
	n := max(from, 2)
	if sd == 0 {
		return n, true
	}
	// The half-width falls monotonically with n: double, then bisect.
	half := func(n int) float64 {
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile((1 + confidence) / 2)
		return t * sd / math.Sqrt(float64(n))
	}
	if half(n) <= margin {
		return n, true
	}
	lo, hi := n, n
	for half(hi) > margin {
		lo = hi
		hi *= 2
		if hi > maxPlanUnits {
			if half(maxPlanUnits) > margin {
				return 0, false
			}
			hi = maxPlanUnits
			break
		}
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if half(mid) <= margin {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// SuccessRun is the zero-failure demonstration plan of domain.md §6.1.
type SuccessRun struct {
	Target      float64 `json:"target"`
	Confidence  float64 `json:"confidence"`
	Units       int     `json:"units"`
	Explanation string  `json:"explanation"`
}

// SuccessRunPlan says how many units must all pass, with no failure, to show
// reliability ≥ target at confidence. target and confidence must be in
// (0, 1); the caller validates them.
func SuccessRunPlan(target, confidence float64) SuccessRun {
	n := stats.SuccessRunUnits(target, confidence)
	return SuccessRun{Target: target, Confidence: confidence, Units: n,
		Explanation: fmt.Sprintf("%d units that all pass, with no failure, show reliability ≥ %s at %s confidence (n = ⌈ln(1−C)/ln R⌉); one failure and the demonstration needs more units",
			n, num(target), pct(confidence))}
}
