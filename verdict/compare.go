package verdict

import (
	"encoding/json"
	"fmt"
	"math"

	"ruggedlab/models"
	"ruggedlab/stats"
)

// Comparison is the answer of GET /api/v1/compare (api.md §7): statistics
// per handset for one test kind, and tests between handsets. Exactly one of
// Drop, Pass or Battery is filled, by kind; JSON shows it as "handsets" and
// the matching pair list as "pairwise".
type Comparison struct {
	Kind       models.Kind
	Confidence float64
	// Filters echoes the run filters the evidence was narrowed by (set by
	// the caller; nil for none).
	Filters map[string]any

	Drop    []DropStats    // kind drop
	Pass    []PassStats    // kinds temperature and ingress
	Battery []BatteryStats // kind battery

	DropPairs    []DropPair
	PassPairs    []PassPair
	BatteryPairs []BatteryPair
	// Overall is the log-rank test across all handsets (drop only).
	Overall *stats.ChiSquareTest
}

// MarshalJSON writes the kind's own statistics as "handsets" and
// "pairwise", so every kind has the same top-level shape.
func (c Comparison) MarshalJSON() ([]byte, error) {
	var handsets, pairs any
	switch c.Kind {
	case models.Drop:
		handsets, pairs = nonNil(c.Drop), nonNil(c.DropPairs)
	case models.Battery:
		handsets, pairs = nonNil(c.Battery), nonNil(c.BatteryPairs)
	default:
		handsets, pairs = nonNil(c.Pass), nonNil(c.PassPairs)
	}
	filters := c.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	return json.Marshal(struct {
		Kind       models.Kind          `json:"kind"`
		Counted    string               `json:"counted"`
		Confidence float64              `json:"confidence"`
		Filters    map[string]any       `json:"filters"`
		Handsets   any                  `json:"handsets"`
		Pairwise   any                  `json:"pairwise"`
		Overall    *stats.ChiSquareTest `json:"overall,omitempty"`
	}{c.Kind, Counted, c.Confidence, filters, handsets, pairs, c.Overall})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Unit outcomes of a drop comparison.
const (
	Survived = "survived" // no failure over its planned drops
	Failed   = "failed"   // a failure was seen
	Censored = "censored" // stopped before its planned drops without failure
)

// DropUnit is one unit in a drop comparison: its outcome and its
// observation for the Kaplan–Meier curve.
type DropUnit struct {
	Unit    string   `json:"unit"`
	Outcome string   `json:"outcome"`
	T       float64  `json:"t"`     // drops to first failure, or drops survived
	Event   bool     `json:"event"` // false: right-censored at T
	Runs    []string `json:"runs"`
}

// DropStats is one handset's drop statistics.
type DropStats struct {
	Handset        string         `json:"handset"`
	Units          int            `json:"units"`
	Survived       int            `json:"survived"`
	Failed         int            `json:"failed"`
	Censored       int            `json:"censored"`
	Proportion     *float64       `json:"proportion"` // survived / units; null without units
	Wilson         stats.Interval `json:"wilson"`
	ClopperPearson stats.Interval `json:"clopper_pearson"`
	// SuccessRunLower is the zero-failure bound (1−C)^(1/n) over the units
	// that survived; null when a unit failed or none survived.
	SuccessRunLower *float64            `json:"success_run_lower"`
	KM              stats.KaplanMeier   `json:"km"`
	Runs            int                 `json:"runs"`
	PerUnit         []DropUnit          `json:"per_unit"`
	observations    []stats.Observation // for the log-rank tests
}

// DropPair compares two handsets' drop results.
type DropPair struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	ChiSq   float64 `json:"chisq"`
	DF      int     `json:"df"`
	P       float64 `json:"p"`        // log-rank
	FisherP float64 `json:"fisher_p"` // survived proportions, two-sided
}

// PassUnit is one unit in a temperature or ingress comparison.
type PassUnit struct {
	Unit   string   `json:"unit"`
	Passed bool     `json:"passed"`
	Runs   []string `json:"runs"`
}

// PassStats is one handset's pass proportion (temperature, ingress).
type PassStats struct {
	Handset         string         `json:"handset"`
	Units           int            `json:"units"`
	Passed          int            `json:"passed"`
	Failed          int            `json:"failed"`
	Proportion      *float64       `json:"proportion"` // null without units
	Wilson          stats.Interval `json:"wilson"`
	ClopperPearson  stats.Interval `json:"clopper_pearson"`
	SuccessRunLower *float64       `json:"success_run_lower"` // null when a unit failed or none was tested
	Runs            int            `json:"runs"`
	PerUnit         []PassUnit     `json:"per_unit"`
}

// PassPair compares two handsets' pass proportions.
type PassPair struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	FisherP float64 `json:"fisher_p"`
}

// BatteryUnit is one unit's mean runtime over its runs.
type BatteryUnit struct {
	Unit  string   `json:"unit"`
	MeanH float64  `json:"mean_h"`
	Runs  []string `json:"runs"`
}

// BatteryStats is one handset's runtime over unit means.
type BatteryStats struct {
	Handset   string    `json:"handset"`
	UnitMeans []float64 `json:"unit_means"` // one per unit, in unit serial order
	N         int       `json:"n"`
	Mean      *float64  `json:"mean"` // null without units
	// SD and CI need two units; null below that.
	SD      *float64        `json:"sd"`
	CI      *stats.Interval `json:"ci"`
	Runs    int             `json:"runs"`
	PerUnit []BatteryUnit   `json:"per_unit"`
}

// BatteryPair is Welch's t-test of mean(a) − mean(b) over unit means.
type BatteryPair struct {
	A string `json:"a"`
	B string `json:"b"`
	stats.WelchTest
}

// Compare computes the comparison of api.md §7 for kind over runs, one
// entry per handset code in handsets (in that order, including handsets
// without runs). Runs of other kinds, of other handsets and retracted runs
// are left out; the caller has already applied the exact-match filters.
// confidence is the interval level (0 means 95 %).
func Compare(kind models.Kind, handsets []string, runs []models.Run, confidence float64) (Comparison, error) {
	if _, ok := models.ParseKind(string(kind)); !ok {
		return Comparison{}, models.FieldErrors{{Field: "kind", Message: fmt.Sprintf("must be one of drop, temperature, ingress, battery, repair, not %q", kind)}}.Err("the comparison is not valid")
	}
	if confidence == 0 {
		confidence = DefaultConfidence
	}
	units := byHandset(runs, func(r *models.Run) bool { return r.Kind == kind })
	c := Comparison{Kind: kind, Confidence: confidence}
	switch kind {
	case models.Drop:
		var groups [][]stats.Observation
		for _, h := range handsets {
			s := dropStats(h, units[h], confidence)
			c.Drop = append(c.Drop, s)
			groups = append(groups, s.observations)
		}
		for i := range c.Drop {
			for j := i + 1; j < len(c.Drop); j++ {
				a, b := c.Drop[i], c.Drop[j]
				lr := stats.LogRank([][]stats.Observation{a.observations, b.observations})
				c.DropPairs = append(c.DropPairs, DropPair{A: a.Handset, B: b.Handset, ChiSq: lr.ChiSq, DF: lr.DF, P: lr.P,
					FisherP: stats.FisherExact(a.Survived, a.Units-a.Survived, b.Survived, b.Units-b.Survived)})
			}
		}
		overall := stats.LogRank(groups)
		c.Overall = &overall
	case models.Battery:
		for _, h := range handsets {
			c.Battery = append(c.Battery, batteryStats(h, units[h], confidence))
		}
		for i := range c.Battery {
			for j := i + 1; j < len(c.Battery); j++ {
				a, b := c.Battery[i], c.Battery[j]
				c.BatteryPairs = append(c.BatteryPairs, BatteryPair{A: a.Handset, B: b.Handset, WelchTest: stats.Welch(a.UnitMeans, b.UnitMeans, confidence)})
			}
		}
	default:
		for _, h := range handsets {
			c.Pass = append(c.Pass, passStats(h, kind, units[h], confidence))
		}
		for i := range c.Pass {
			for j := i + 1; j < len(c.Pass); j++ {
				a, b := c.Pass[i], c.Pass[j]
				c.PassPairs = append(c.PassPairs, PassPair{A: a.Handset, B: b.Handset,
					FisherP: stats.FisherExact(a.Passed, a.Units-a.Passed, b.Passed, b.Units-b.Passed)})
			}
		}
	}
	return c, nil
}

// dropOutcome classifies one unit over all its runs: failed if any run saw
// a failure (at the earliest first_failure_drop), survived if every run
// completed its planned drops without one, censored otherwise — a run
// stopped early without failure proves nothing beyond its last drop. One
// unit gives one Kaplan–Meier observation.
func dropOutcome(u unit) DropUnit {
	d := DropUnit{Unit: u.serial, Outcome: Survived, Runs: u.runIDs()}
	first, done := math.MaxInt, 0
	for _, r := range u.runs {
		completed := 0
		if r.DropsCompleted != nil {
			completed = *r.DropsCompleted
		}
		done = max(done, completed)
		if r.FirstFailureDrop != nil {
			first = min(first, *r.FirstFailureDrop)
			continue
		}
		if r.PlannedDrops == nil || completed < *r.PlannedDrops {
			if d.Outcome == Survived {
				d.Outcome = Censored
			}
		}
	}
	if first != math.MaxInt {
		d.Outcome, d.T, d.Event = Failed, float64(first), true
	} else {
		d.T = float64(done)
	}
	return d
}

func dropStats(handset string, units []unit, confidence float64) DropStats {
	s := DropStats{Handset: handset, Units: len(units), PerUnit: []DropUnit{}, observations: []stats.Observation{}}
	for _, u := range units {
		d := dropOutcome(u)
		s.PerUnit = append(s.PerUnit, d)
		s.observations = append(s.observations, stats.Observation{T: d.T, Event: d.Event})
		s.Runs += len(u.runs)
		switch d.Outcome {
		case Survived:
			s.Survived++
		case Failed:
			s.Failed++
		default:
			s.Censored++
		}
	}
	if s.Units > 0 {
		s.Proportion = ptr(stats.Proportion(s.Survived, s.Units))
	}
	s.Wilson = stats.Wilson(s.Survived, s.Units, confidence)
	s.ClopperPearson = stats.ClopperPearson(s.Survived, s.Units, confidence)
	// Censored units did not finish, so they demonstrate nothing: the
	// zero-failure bound rests on the units that survived.
	if s.Failed == 0 && s.Survived > 0 {
		s.SuccessRunLower = ptr(stats.SuccessRunLower(s.Survived, confidence))
	}
	s.KM = stats.KM(s.observations, confidence)
	return s
}

// passOf is the run-level pass rule of the temperature and ingress
// comparisons (api.md §7): temperature passed; ingress no ingress and
// functional afterwards.
func passOf(kind models.Kind, r *models.Run) bool {
	switch kind {
	case models.Temperature:
		return isTrue(r.Passed)
	case models.Repair:
		// a repair comparison's pass: the unit works after reassembly
		return isTrue(r.FunctionalAfter)
	}
	return isFalse(r.IngressFound) && isTrue(r.FunctionalAfter)
}

func passStats(handset string, kind models.Kind, units []unit, confidence float64) PassStats {
	s := PassStats{Handset: handset, Units: len(units), PerUnit: []PassUnit{}}
	for _, u := range units {
		ok := true
		for _, r := range u.runs {
			ok = ok && passOf(kind, r)
		}
		s.Runs += len(u.runs)
		s.PerUnit = append(s.PerUnit, PassUnit{Unit: u.serial, Passed: ok, Runs: u.runIDs()})
		if ok {
			s.Passed++
		}
	}
	s.Failed = s.Units - s.Passed
	if s.Units > 0 {
		s.Proportion = ptr(stats.Proportion(s.Passed, s.Units))
	}
	s.Wilson = stats.Wilson(s.Passed, s.Units, confidence)
	s.ClopperPearson = stats.ClopperPearson(s.Passed, s.Units, confidence)
	if s.Failed == 0 && s.Units > 0 {
		s.SuccessRunLower = ptr(stats.SuccessRunLower(s.Units, confidence))
	}
	return s
}

func batteryStats(handset string, units []unit, confidence float64) BatteryStats {
	s := BatteryStats{Handset: handset, UnitMeans: []float64{}, PerUnit: []BatteryUnit{}}
	for _, u := range units {
		m, ok := unitMean(u)
		if !ok {
			continue
		}
		s.UnitMeans = append(s.UnitMeans, m)
		s.PerUnit = append(s.PerUnit, BatteryUnit{Unit: u.serial, MeanH: m, Runs: u.runIDs()})
		s.Runs += len(u.runs)
	}
	s.N = len(s.UnitMeans)
	if s.N == 0 {
		return s
	}
	mc := stats.MeanT(s.UnitMeans, confidence)
	s.Mean = ptr(mc.Mean)
	if s.N >= 2 {
		s.SD, s.CI = ptr(mc.SD), ptr(mc.CI)
	}
	return s
}
