package verdict

import (
	"errors"
	"strconv"

	"ruggedlab/models"
	"ruggedlab/stats"
)

// Verdict of one requirement for one handset.
type Verdict string

// Verdicts (api.md §6).
const (
	Met          Verdict = "met"
	NotMet       Verdict = "not_met"
	Inconclusive Verdict = "inconclusive"
)

// ProfileRef names the profile version a matrix was computed for.
type ProfileRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Matrix is the requirement × handset table of api.md §6.
type Matrix struct {
	Profile  ProfileRef `json:"profile"`
	Handsets []string   `json:"handsets"`
	Counted  string     `json:"counted"`
	// Evidence is the profile's evidence rule: "any" active run, or only
	// "verified" runs (the others are left out, and each cell says how many).
	Evidence string `json:"evidence"`
	Rows     []Row  `json:"rows"`
}

// Row is one requirement with one cell per handset, in the matrix's
// handset order.
type Row struct {
	Key        string      `json:"key"`
	Title      string      `json:"title"`
	Kind       models.Kind `json:"kind"`
	Metric     string      `json:"metric,omitempty"` // field requirements (field.go)
	Rule       string      `json:"rule"`
	Target     *float64    `json:"target"`
	Confidence float64     `json:"confidence"`
	MinUnits   int         `json:"min_units"`
	Cells      []Cell      `json:"cells"`
}

// Cell is one requirement's verdict for one handset.
//
// For all_units and lower_bound, Estimate is passed_units / n_units and CI
// the Wilson interval at the requirement's confidence. For
// mean_lower_bound, Estimate is the mean of unit means (hours), CI its t
// interval and SD the standard deviation of unit means; passed_units counts
// the unit means reaching the target (or unit_passes_if.runtime_h_min).
// Estimate and CI are null without units (CI also for a mean of one unit,
// or of unit means that are all equal); NullReasons says why.
type Cell struct {
	Handset     string          `json:"handset"`
	Verdict     Verdict         `json:"verdict"`
	NUnits      int             `json:"n_units"`
	PassedUnits int             `json:"passed_units"`
	Estimate    *float64        `json:"estimate"`
	CI          *stats.Interval `json:"ci"`
	SD          *float64        `json:"sd,omitempty"`
	Reason      string          `json:"reason"`
	// Why is Reason with its values apart, for pages to word in their
	// language (models.Msg); Reason is its English.
	Why  models.Msgs `json:"-"`
	Runs []string    `json:"runs"` // evidence: every matching active run, all units (up to 50 per unit)
	// RunsTotal counts the matching active runs; Runs lists each unit's
	// latest 50 (api.md §13.1).
	RunsTotal   int     `json:"runs_total"`
	NullReasons Reasons `json:"null_reasons"`
	// LeftOutUnverified counts the active runs that match the requirement
	// but were left out because the profile requires verified evidence
	// and they are not (yet) verified.
	LeftOutUnverified int `json:"left_out_unverified"`
	// Field is what a field requirement's cell counted (field.go); absent
	// for lab requirements.
	Field *FieldCell `json:"field,omitempty"`
}

// Evaluate computes the verdict matrix of profile p for the handsets (codes,
// in display order) from runs. Runs are matched to each requirement with
// Matches; retracted runs are left out.
func Evaluate(p models.Profile, handsets []string, runs []models.Run) Matrix {
	hs := make([]models.Handset, len(handsets))
	for i, c := range handsets {
		hs[i] = models.Handset{Code: c}
	}
	return EvaluateHandsets(p, hs, runs)
}

// EvaluateHandsets is Evaluate with the handsets themselves: a
// repairability_class_at_least requirement needs their form factor and
// declared support parameters (with codes only, it is inconclusive).
func EvaluateHandsets(p models.Profile, hs []models.Handset, runs []models.Run) Matrix {
	handsets := make([]string, len(hs))
	for i, h := range hs {
		handsets[i] = h.Code
	}
	evidence := p.Evidence
	if evidence == "" {
		evidence = models.EvidenceAny
	}
	m := Matrix{Profile: ProfileRef{ID: p.ID, Name: p.Name, Version: p.Version}, Handsets: nonNil(handsets), Counted: Counted,
		Evidence: evidence, Rows: []Row{}}
	all := runs
	if evidence == models.EvidenceVerified {
		runs = make([]models.Run, 0, len(all))
		for _, r := range all {
			if r.Review.State == models.Verified {
				runs = append(runs, r)
			}
		}
	}
	for i := range p.Requirements {
		q := &p.Requirements[i]
		units := byHandset(runs, func(r *models.Run) bool { return matches(q, r) })
		leftOut := map[string]int{}
		if evidence == models.EvidenceVerified {
			for j := range all {
				r := &all[j]
				if counts(r) && r.Review.State != models.Verified && matches(q, r) {
					leftOut[r.Handset] += r.Weight()
				}
			}
		}
		row := Row{Key: q.Key, Title: q.Title, Kind: q.Kind, Rule: q.Decision.Rule, Target: q.Decision.Target,
			Confidence: q.Decision.Confidence, MinUnits: q.MinUnits, Cells: []Cell{}}
		for i, h := range handsets {
			var c Cell
			if q.Kind == models.Repair && q.UnitPassesIf.RepairabilityClassAtLeast != "" {
				c = judgeClass(q, hs[i], runs)
			} else {
				c = judge(q, h, units[h])
			}
			c.LeftOutUnverified = leftOut[h]
			if n := leftOut[h]; n > 0 {
				c.alsoBecause(models.M(" (%d unverified run(s) left out: the profile counts verified evidence only)", n))
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// judge gives one cell: requirement q for one handset's units.
func judge(q *models.Requirement, handset string, units []unit) Cell {
	c := Cell{Handset: handset, NUnits: len(units), Runs: allRunIDs(units), RunsTotal: allRunsCount(units)}
	conf := q.Decision.Confidence
	if conf == 0 {
		conf = models.DefaultConfidence
	}
	// A stored profile has passed Validate; these guard profiles built in
	// code, so a mistake shows as a reason rather than a panic.
	switch rule := q.Decision.Rule; {
	case rule != models.AllUnits && rule != models.LowerBound && rule != models.MeanLowerBound:
		c.Verdict = Inconclusive
		c.because(models.M("unknown decision rule %q", rule))
		return c
	case rule != models.AllUnits && q.Decision.Target == nil:
		c.Verdict = Inconclusive
		c.because(models.M("the requirement has no target"))
		return c
	}
	if q.Decision.Rule == models.MeanLowerBound {
		judgeMean(q, units, conf, &c)
		return c
	}
	for _, u := range units {
		if unitPasses(q, u) {
			c.PassedUnits++
		}
	}
	if ci, err := stats.Wilson(c.PassedUnits, c.NUnits, conf); err == nil {
		c.Estimate, c.CI = ptr(stats.Proportion(c.PassedUnits, c.NUnits)), &ci
	} else {
		c.NullReasons.set(noUnits, "estimate", "ci")
	}
	failed := c.NUnits - c.PassedUnits
	if c.NUnits < q.MinUnits {
		c.Verdict = Inconclusive
		c.because(tooFew(c.NUnits, q.MinUnits))
		if q.Decision.Rule == models.AllUnits && failed > 0 {
			c.alsoBecause(models.M("; %s did not pass already, so all_units cannot be met", unitsMsg(failed)))
		}
		return c
	}
	switch q.Decision.Rule {
	case models.AllUnits:
		if failed > 0 {
			c.Verdict = NotMet
			c.because(models.M("%d of %s did not pass", failed, unitsMsg(c.NUnits)))
		} else {
			c.Verdict = Met
		}
	case models.LowerBound:
		target := *q.Decision.Target
		switch {
		case c.CI == nil:
			c.Verdict = Inconclusive
			c.because(models.M(noUnits))
		case c.CI.Lower >= target:
			c.Verdict = Met
		case c.CI.Upper < target:
			c.Verdict = NotMet
			c.because(models.M("Wilson %s upper bound %s is below the target %s", pctN(conf), numN(c.CI.Upper), numN(target)))
		default:
			c.Verdict = Inconclusive
			c.because(models.M("Wilson %s interval [%s, %s] contains the target %s: more units needed",
				pctN(conf), numN(c.CI.Lower), numN(c.CI.Upper), numN(target)))
		}
	}
	return c
}

// unitPasses: a unit passes when all its matching runs pass; for battery,
// when its mean runtime reaches runtime_h_min.
func unitPasses(q *models.Requirement, u unit) bool {
	if q.Kind == models.Battery {
		m, ok := unitMean(u)
		return ok && (q.UnitPassesIf.RuntimeHMin == nil || m >= *q.UnitPassesIf.RuntimeHMin-eps)
	}
	for _, r := range u.runs {
		if !runPasses(q, r) {
			return false
		}
	}
	return len(u.runs) > 0
}

func judgeMean(q *models.Requirement, units []unit, conf float64, c *Cell) {
	target := *q.Decision.Target
	bar := target
	if q.UnitPassesIf.RuntimeHMin != nil {
		bar = *q.UnitPassesIf.RuntimeHMin
	}
	var means []float64
	for _, u := range units {
		if m, ok := unitMean(u); ok {
			means = append(means, m)
			if m >= bar-eps {
				c.PassedUnits++
			}
		}
	}
	c.NUnits = len(means)
	mc, err := stats.MeanT(means, conf)
	var noCI models.Msg // why the interval is null
	switch {
	case err == nil:
		c.Estimate, c.CI, c.SD = ptr(mc.Mean), &mc.CI, ptr(mc.SD)
	case errors.Is(err, stats.ErrNoData):
		noCI = models.M("no unit with a runtime")
		c.NullReasons.set(noCI.String(), "estimate", "ci", "sd")
	case errors.Is(err, stats.ErrTooFew):
		c.Estimate = ptr(mc.Mean)
		noCI = models.M(oneUnitSpread)
		c.NullReasons.set(oneUnitSpread, "ci", "sd")
	case errors.Is(err, stats.ErrNoVariance):
		c.Estimate, c.SD = ptr(mc.Mean), ptr(mc.SD)
		noCI = noSpreadMsg(c.NUnits)
		c.NullReasons.set(noCI.String(), "ci")
	default:
		noCI = models.M(err.Error())
		c.NullReasons.set(err.Error(), "estimate", "ci", "sd")
	}
	switch {
	case c.NUnits < q.MinUnits:
		c.Verdict = Inconclusive
		c.because(tooFew(c.NUnits, q.MinUnits))
	case c.NUnits == 0:
		c.Verdict = Inconclusive
		c.because(models.M("no unit with a runtime"))
	case c.NUnits < 2:
		c.Verdict = Inconclusive
		c.because(models.M("1 unit tested: a t interval needs at least 2 units"))
	case c.CI == nil:
		c.Verdict = Inconclusive
		c.because(noCI)
	case c.CI.Lower >= target:
		c.Verdict = Met
	case c.CI.Upper < target:
		c.Verdict = NotMet
		c.because(models.M("%s t upper bound %s h is below the target %s h", pctN(conf), numN(c.CI.Upper), numN(target)))
	default:
		c.Verdict = Inconclusive
		c.because(models.M("%s t interval [%s, %s] h contains the target %s h: more units needed",
			pctN(conf), numN(c.CI.Lower), numN(c.CI.Upper), numN(target)))
	}
}

// because gives the cell its reason: m for pages, its English for the API.
func (c *Cell) because(m models.Msg) { c.Why, c.Reason = models.Msgs{m}, m.String() }

// alsoBecause adds m to the reason; m's key starts with its joiner
// ("; …", " (…)").
func (c *Cell) alsoBecause(m models.Msg) {
	c.Why = append(c.Why, m)
	c.Reason += m.String()
}

// tooFew is the reason for a cell below min_units, as evaluators read it.
func tooFew(n, need int) models.Msg {
	return models.M("%s tested, profile needs %d", unitsMsg(n), need)
}

// unitsMsg counts units in words: "1 unit", "3 units".
func unitsMsg(n int) models.Msg {
	if n == 1 {
		return models.M("1 unit")
	}
	return models.M("%d units", n)
}

func units1(n int) string { return unitsMsg(n).String() }

func pct(conf float64) string { return strconv.FormatFloat(conf*100, 'f', -1, 64) + " %" }

func num(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// pctN and numN are pct and num as a Msg's values, whose decimal mark a
// page changes.
func pctN(conf float64) models.Figure { return models.Figure(pct(conf)) }

func numN(x float64) models.Figure { return models.Figure(num(x)) }
