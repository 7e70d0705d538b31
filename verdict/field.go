package verdict

import (
	"errors"
	"slices"

	"ruggedlab/models"
	"ruggedlab/stats"
)

// Requirements on field evidence (kind "field", models/profile_field.go)
// are judged here from the trials' counts, not from runs:
//
//   - incident_rate: incidents (of where.category, or all) over the
//     candidate's device-days, per 1,000, with the exact Poisson (Garwood)
//     interval; met when the upper bound is at most the target, not met
//     when the lower bound is above it, otherwise inconclusive. n_units is
//     the number of units assigned. When the profile counts verified
//     evidence only, only verified incidents count; since an incident
//     counts against the candidate, one still awaiting review may only
//     make the verdict worse, so it keeps a cell from being met (it stays
//     inconclusive until the incident is reviewed). Rejected incidents are
//     left out.
//   - shifts_lasted: the share of shifts the battery lasted, each unit's
//     share first, then their mean with the Wilson interval over units; met
//     when the lower bound reaches the target, not met when the upper bound
//     is below it. n_units is the units with a shift; passed_units those
//     whose own share reaches the target.
//   - sus: the SUS mean with its t interval; met when the lower bound
//     reaches the target, not met when the upper bound is below it.
//     n_units is the number of respondents; passed_units those scoring at
//     least the target.
//
// A requirement without where.trial pools every trial: device-days and
// incidents add up, each trial's units and respondents are listed (a unit
// carried in two trials counts once per trial for shifts).

// FieldData is one trial's field evidence by candidate (handset code), as
// the store's trial summary reads it.
type FieldData struct {
	Trial      string
	DeviceDays map[string]int
	Units      map[string][]string       // serials assigned
	Incidents  map[string]map[string]int // category → count (retractions left out)
	// Verified and Pending are the part of Incidents verified and still
	// awaiting review; the rest were rejected.
	Verified, Pending map[string]map[string]int
	Shifts            map[string][][2]int  // per unit [lasted, total]
	SUS               map[string][]float64 // scores 0–100
}

// FieldCell is what a field cell was computed from.
type FieldCell struct {
	Metric      string   `json:"metric"`
	Trials      []string `json:"trials"`
	DeviceDays  int      `json:"device_days"`
	Incidents   int      `json:"incidents"`
	Shifts      int      `json:"shifts"`
	Lasted      int      `json:"shifts_lasted"`
	Respondents int      `json:"respondents"`
}

// WithField replaces the rows of p's field requirements in m (Evaluate
// leaves them inconclusive: it sees runs only) by their verdicts on the
// trials. Rows keep the profile's order.
func WithField(m Matrix, p models.Profile, trials []FieldData) Matrix {
	rows := slices.Clone(m.Rows)
	for i := range p.Requirements {
		q := &p.Requirements[i]
		if q.Kind != models.FieldTrial || i >= len(rows) || rows[i].Key != q.Key {
			continue
		}
		rows[i] = EvaluateField(q, p.Evidence, m.Handsets, trials)
	}
	m.Rows = rows
	return m
}

// EvaluateField judges field requirement q for each handset (codes, in
// display order) on the trials, counting the incidents evidence (the
// profile's rule, models.EvidenceAny when empty) admits.
func EvaluateField(q *models.Requirement, evidence string, handsets []string, trials []FieldData) Row {
	row := Row{Key: q.Key, Title: q.Title, Kind: q.Kind, Metric: q.Metric, Rule: q.Decision.Rule, Target: q.Decision.Target,
		Confidence: q.Decision.Confidence, MinUnits: q.MinUnits, Cells: []Cell{}}
	var used []FieldData
	for _, t := range trials {
		if q.Where.Trial == "" || q.Where.Trial == t.Trial {
			used = append(used, t)
		}
	}
	for _, h := range handsets {
		row.Cells = append(row.Cells, judgeField(q, evidence == models.EvidenceVerified, h, used))
	}
	return row
}

func judgeField(q *models.Requirement, verifiedOnly bool, h string, trials []FieldData) Cell {
	fc := &FieldCell{Metric: q.Metric, Trials: []string{}}
	c := Cell{Handset: h, Runs: []string{}, Field: fc}
	conf := q.Decision.Confidence
	if conf == 0 {
		conf = models.DefaultConfidence
	}
	units := map[string]bool{}
	var lasted, total []int
	var scores []float64
	pending := 0 // incidents awaiting review that verifiedOnly leaves out
	for _, t := range trials {
		if _, in := t.DeviceDays[h]; !in {
			continue
		}
		fc.Trials = append(fc.Trials, t.Trial)
		fc.DeviceDays += t.DeviceDays[h]
		for _, u := range t.Units[h] {
			units[u] = true
		}
		for cat, n := range t.Incidents[h] {
			if len(q.Where.Category) > 0 && !slices.Contains(q.Where.Category, cat) {
				continue
			}
			if !verifiedOnly {
				fc.Incidents += n
				continue
			}
			fc.Incidents += t.Verified[h][cat]
			pending += t.Pending[h][cat]
			c.LeftOutUnverified += n - t.Verified[h][cat]
		}
		for _, u := range t.Shifts[h] {
			lasted, total = append(lasted, u[0]), append(total, u[1])
			fc.Lasted += u[0]
			fc.Shifts += u[1]
		}
		scores = append(scores, t.SUS[h]...)
	}
	fc.Respondents = len(scores)
	switch {
	case q.Decision.Target == nil:
		c.Verdict = Inconclusive
		c.because(models.M("the requirement has no target"))
		return c
	case q.Decision.Rule != models.FieldRule(q.Metric) || q.Metric == "":
		c.Verdict = Inconclusive
		c.because(models.M("field metric %q is not judged with rule %q", q.Metric, q.Decision.Rule))
		return c
	}
	target := *q.Decision.Target
	if len(fc.Trials) == 0 {
		why := "no unit of this handset in any field trial"
		if q.Where.Trial != "" {
			why = "no unit of this handset in the requirement's trial"
		}
		c.Verdict = Inconclusive
		c.because(models.M(why))
		c.NullReasons.set(why, "estimate", "ci")
		return c
	}
	switch q.Metric {
	case models.IncidentRate:
		c.NUnits = len(units)
		judgeRate(fc, target, conf, &c)
		if c.LeftOutUnverified > 0 {
			c.alsoBecause(models.M(" (%d unverified incident(s) left out: the profile counts verified evidence only)", c.LeftOutUnverified))
		}
		if pending > 0 && c.Verdict == Met {
			c.Verdict = Inconclusive
			c.alsoBecause(models.M("; %d incident(s) await review and could only raise the rate: review them before this is met", pending))
		}
	case models.ShiftsLasted:
		judgeShifts(lasted, total, target, conf, &c)
	case models.SUSMean:
		judgeSUS(scores, target, conf, &c)
	}
	if c.Verdict != Inconclusive && c.NUnits < q.MinUnits {
		c.Verdict = Inconclusive
		c.because(fieldTooFew(q.Metric, c.NUnits, q.MinUnits))
	}
	return c
}

func fieldTooFew(metric string, n, need int) models.Msg {
	switch metric {
	case models.SUSMean:
		return models.M("%d respondent(s), profile needs %d", n, need)
	case models.ShiftsLasted:
		return models.M("%d unit(s) with a logged shift, profile needs %d", n, need)
	}
	return models.M("%d unit(s) carried in the field, profile needs %d", n, need)
}

// judgeRate: the exact Poisson interval of incidents per 1,000 device-days.
func judgeRate(fc *FieldCell, target, conf float64, c *Cell) {
	if fc.DeviceDays <= 0 {
		c.Verdict = Inconclusive
		c.because(models.M("no device-day of exposure"))
		c.NullReasons.set(c.Reason, "estimate", "ci")
		return
	}
	r := stats.PoissonExact(fc.Incidents, float64(fc.DeviceDays), conf)
	c.Estimate = ptr(1000 * r.Estimate)
	c.CI = &stats.Interval{Lower: 1000 * r.CI.Lower, Upper: 1000 * r.CI.Upper}
	what := models.M("%d incident(s) in %d device-days", fc.Incidents, fc.DeviceDays)
	switch {
	case c.CI.Upper <= target:
		c.Verdict = Met
		c.because(models.M("%s: exact Poisson %s upper bound %s per 1000 device-days is within the target %s",
			what, pctN(conf), numN(c.CI.Upper), numN(target)))
	case c.CI.Lower > target:
		c.Verdict = NotMet
		c.because(models.M("%s: exact Poisson %s lower bound %s per 1000 device-days is above the target %s",
			what, pctN(conf), numN(c.CI.Lower), numN(target)))
	default:
		c.Verdict = Inconclusive
		c.because(models.M("%s: exact Poisson %s interval [%s, %s] per 1000 device-days contains the target %s: more exposure needed",
			what, pctN(conf), numN(c.CI.Lower), numN(c.CI.Upper), numN(target)))
	}
}

// judgeShifts: each unit's share of shifts lasted, then the Wilson
// interval of their mean over the units.
func judgeShifts(lasted, total []int, target, conf float64, c *Cell) {
	sh, err := stats.ShareByUnit(lasted, total, conf)
	c.NUnits = sh.Units
	for i := range total {
		if total[i] > 0 && float64(lasted[i])/float64(total[i]) >= target-eps {
			c.PassedUnits++
		}
	}
	if err != nil {
		c.Verdict = Inconclusive
		c.because(models.M("no shift logged"))
		c.NullReasons.set(c.Reason, "estimate", "ci")
		return
	}
	c.Estimate, c.CI = ptr(sh.Estimate), &sh.CI
	what := models.M("%d of %d shifts lasted over %d unit(s) (each unit's share first)", sh.Lasted, sh.Total, sh.Units)
	switch {
	case sh.CI.Lower >= target:
		c.Verdict = Met
		c.because(models.M("%s: Wilson %s lower bound %s reaches the target %s", what, pctN(conf), numN(sh.CI.Lower), numN(target)))
	case sh.CI.Upper < target:
		c.Verdict = NotMet
		c.because(models.M("%s: Wilson %s upper bound %s is below the target %s", what, pctN(conf), numN(sh.CI.Upper), numN(target)))
	default:
		c.Verdict = Inconclusive
		c.because(models.M("%s: Wilson %s interval [%s, %s] contains the target %s: more units needed",
			what, pctN(conf), numN(sh.CI.Lower), numN(sh.CI.Upper), numN(target)))
	}
}

// judgeSUS: the SUS mean with its t interval over respondents.
func judgeSUS(scores []float64, target, conf float64, c *Cell) {
	c.NUnits = len(scores)
	for _, s := range scores {
		if s >= target-eps {
			c.PassedUnits++
		}
	}
	m, err := stats.MeanT(scores, conf)
	switch {
	case err == nil:
		c.Estimate, c.CI, c.SD = ptr(m.Mean), &m.CI, ptr(m.SD)
	case errors.Is(err, stats.ErrNoData):
		c.Verdict = Inconclusive
		c.because(models.M("no questionnaire"))
		c.NullReasons.set(c.Reason, "estimate", "ci", "sd")
		return
	case errors.Is(err, stats.ErrTooFew):
		c.Estimate = ptr(m.Mean)
		c.Verdict = Inconclusive
		c.because(models.M("1 respondent: a t interval needs at least 2"))
		c.NullReasons.set(c.Reason, "ci", "sd")
		return
	case errors.Is(err, stats.ErrNoVariance):
		c.Estimate, c.SD = ptr(m.Mean), ptr(m.SD)
		c.Verdict = Inconclusive
		c.because(models.M("every one of %d respondents gave the same score: no spread to put an interval on", len(scores)))
		c.NullReasons.set(c.Reason, "ci")
		return
	default:
		c.Verdict = Inconclusive
		c.because(models.M(err.Error()))
		c.NullReasons.set(c.Reason, "estimate", "ci", "sd")
		return
	}
	what := models.M("SUS mean %s of %d respondents", numN(m.Mean), len(scores))
	switch {
	case m.CI.Lower >= target:
		c.Verdict = Met
		c.because(models.M("%s: t %s lower bound %s reaches the target %s", what, pctN(conf), numN(m.CI.Lower), numN(target)))
	case m.CI.Upper < target:
		c.Verdict = NotMet
		c.because(models.M("%s: t %s upper bound %s is below the target %s", what, pctN(conf), numN(m.CI.Upper), numN(target)))
	default:
		c.Verdict = Inconclusive
		c.because(models.M("%s: t %s interval [%s, %s] contains the target %s: more respondents needed",
			what, pctN(conf), numN(m.CI.Lower), numN(m.CI.Upper), numN(target)))
	}
}
