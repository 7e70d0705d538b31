package verdict

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

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

	// Pairs carry raw p-values and Holm-adjusted ones (the *Holm fields):
	// the family is all pairs of one endpoint in this comparison, e.g.
	// every log-rank p of DropPairs (see holmPairs).
	DropPairs    []DropPair
	PassPairs    []PassPair
	BatteryPairs []BatteryPair
	// Overall is the log-rank test across all handsets (drop only).
	Overall *LogRankTest
}

// Reasons names each statistic of an entry that could not be computed —
// null in JSON — with the reason, keyed by the field's JSON name ("p",
// "wilson", "km.median"). It is written as an object, {} when every
// statistic was computed.
type Reasons map[string]string

// MarshalJSON writes nil as {}.
func (r Reasons) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]string(r))
}

func (r *Reasons) set(why string, fields ...string) {
	if *r == nil {
		*r = Reasons{}
	}
	for _, f := range fields {
		(*r)[f] = why
	}
}

// LogRankTest is a log-rank test as the API shows it: chisq, df and p are
// null when it cannot be computed, and NullReasons says why.
type LogRankTest struct {
	ChiSq       *float64 `json:"chisq"`
	DF          *int     `json:"df"`
	P           *float64 `json:"p"`
	NullReasons Reasons  `json:"null_reasons"`
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
		Kind       models.Kind    `json:"kind"`
		Counted    string         `json:"counted"`
		Confidence float64        `json:"confidence"`
		Filters    map[string]any `json:"filters"`
		Handsets   any            `json:"handsets"`
		Pairwise   any            `json:"pairwise"`
		Overall    *LogRankTest   `json:"overall,omitempty"`
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
	// RunsTotal counts the unit's runs; Runs lists them all up to 50,
	// then the 50 latest (api.md §13.1).
	RunsTotal int `json:"runs_total"`
}

// DropStats is one handset's drop statistics.
type DropStats struct {
	Handset        string          `json:"handset"`
	Units          int             `json:"units"`
	Survived       int             `json:"survived"`
	Failed         int             `json:"failed"`
	Censored       int             `json:"censored"`
	Proportion     *float64        `json:"proportion"` // survived / units; null without units
	Wilson         *stats.Interval `json:"wilson"`     // null without units
	ClopperPearson *stats.Interval `json:"clopper_pearson"`
	// SuccessRunLower is the zero-failure bound (1−C)^(1/n) over the units
	// that survived; null when a unit failed or none survived.
	SuccessRunLower *float64          `json:"success_run_lower"`
	KM              stats.KaplanMeier `json:"km"`
	Runs            int               `json:"runs"`
	PerUnit         []DropUnit        `json:"per_unit"`
	// NullReasons explains every null above (km.median included).
	NullReasons  Reasons             `json:"null_reasons"`
	observations []stats.Observation // for the log-rank tests
}

// DropPair compares two handsets' drop results: the log-rank test of their
// survival curves and Fisher's exact test of their survived proportions,
// each with its Holm-adjusted p (family: that test over every pair). A
// statistic that cannot be computed is null, with its reason.
type DropPair struct {
	A           string   `json:"a"`
	B           string   `json:"b"`
	ChiSq       *float64 `json:"chisq"`
	DF          *int     `json:"df"`
	P           *float64 `json:"p"` // log-rank
	PHolm       *float64 `json:"p_holm"`
	FisherP     *float64 `json:"fisher_p"` // survived proportions, two-sided
	FisherPHolm *float64 `json:"fisher_p_holm"`
	NullReasons Reasons  `json:"null_reasons"`
}

// PassUnit is one unit in a temperature or ingress comparison.
type PassUnit struct {
	Unit      string   `json:"unit"`
	Passed    bool     `json:"passed"`
	Runs      []string `json:"runs"`
	RunsTotal int      `json:"runs_total"` // as DropUnit's
}

// PassStats is one handset's pass proportion (temperature, ingress).
type PassStats struct {
	Handset         string          `json:"handset"`
	Units           int             `json:"units"`
	Passed          int             `json:"passed"`
	Failed          int             `json:"failed"`
	Proportion      *float64        `json:"proportion"` // null without units
	Wilson          *stats.Interval `json:"wilson"`     // null without units
	ClopperPearson  *stats.Interval `json:"clopper_pearson"`
	SuccessRunLower *float64        `json:"success_run_lower"` // null when a unit failed or none was tested
	Runs            int             `json:"runs"`
	PerUnit         []PassUnit      `json:"per_unit"`
	NullReasons     Reasons         `json:"null_reasons"`
}

// PassPair compares two handsets' pass proportions with Fisher's exact
// test, raw and Holm-adjusted over every pair.
type PassPair struct {
	A           string   `json:"a"`
	B           string   `json:"b"`
	FisherP     *float64 `json:"fisher_p"`
	FisherPHolm *float64 `json:"fisher_p_holm"`
	NullReasons Reasons  `json:"null_reasons"`
}

// BatteryUnit is one unit's mean runtime over its runs.
type BatteryUnit struct {
	Unit      string   `json:"unit"`
	MeanH     float64  `json:"mean_h"`
	Runs      []string `json:"runs"`
	RunsTotal int      `json:"runs_total"` // as DropUnit's
}

// BatteryStats is one handset's runtime over unit means.
type BatteryStats struct {
	Handset   string    `json:"handset"`
	UnitMeans []float64 `json:"unit_means"` // one per unit, in unit serial order
	N         int       `json:"n"`
	Mean      *float64  `json:"mean"` // null without units
	// SD and CI need two units; null below that. CI is also null when
	// every unit mean is the same (no spread, no interval).
	SD          *float64        `json:"sd"`
	CI          *stats.Interval `json:"ci"`
	Runs        int             `json:"runs"`
	PerUnit     []BatteryUnit   `json:"per_unit"`
	NullReasons Reasons         `json:"null_reasons"`
}

// BatteryPair is Welch's t-test of mean(a) − mean(b) over unit means, with
// its p Holm-adjusted over every pair. Diff needs a unit on each side;
// t, df, p and diff_ci need two units on each side and some spread.
type BatteryPair struct {
	A           string          `json:"a"`
	B           string          `json:"b"`
	Diff        *float64        `json:"diff"`
	T           *float64        `json:"t"`
	DF          *float64        `json:"df"`
	P           *float64        `json:"p"`
	PHolm       *float64        `json:"p_holm"`
	DiffCI      *stats.Interval `json:"diff_ci"`
	NullReasons Reasons         `json:"null_reasons"`
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
				c.DropPairs = append(c.DropPairs, dropPair(c.Drop[i], c.Drop[j]))
			}
		}
		holmPairs(c.DropPairs, func(p *DropPair) (*float64, **float64) { return p.P, &p.PHolm })
		holmPairs(c.DropPairs, func(p *DropPair) (*float64, **float64) { return p.FisherP, &p.FisherPHolm })
		overall := logRankTest(groups, len(handsets))
		c.Overall = &overall
	case models.Battery:
		for _, h := range handsets {
			c.Battery = append(c.Battery, batteryStats(h, units[h], confidence))
		}
		for i := range c.Battery {
			for j := i + 1; j < len(c.Battery); j++ {
				c.BatteryPairs = append(c.BatteryPairs, batteryPair(c.Battery[i], c.Battery[j], confidence))
			}
		}
		holmPairs(c.BatteryPairs, func(p *BatteryPair) (*float64, **float64) { return p.P, &p.PHolm })
	default:
		for _, h := range handsets {
			c.Pass = append(c.Pass, passStats(h, kind, units[h], confidence))
		}
		for i := range c.Pass {
			for j := i + 1; j < len(c.Pass); j++ {
				a, b := c.Pass[i], c.Pass[j]
				pr := PassPair{A: a.Handset, B: b.Handset}
				if p, err := stats.FisherExact(a.Passed, a.Units-a.Passed, b.Passed, b.Units-b.Passed); err != nil {
					pr.NullReasons.set(noUnitsReason(a.Handset, a.Units, b.Handset, b.Units, "Fisher's test"), "fisher_p", "fisher_p_holm")
				} else {
					pr.FisherP = &p
				}
				c.PassPairs = append(c.PassPairs, pr)
			}
		}
		holmPairs(c.PassPairs, func(p *PassPair) (*float64, **float64) { return p.FisherP, &p.FisherPHolm })
	}
	return c, nil
}

// holmPairs Holm-adjusts one endpoint over all pairs (stats.Holm): field
// gives a pair's raw p (nil when not computable) and where its adjusted p
// goes. Pairs without a raw p are left out of the family and keep a null
// adjusted p; their reason already covers both fields.
func holmPairs[P any](pairs []P, field func(*P) (*float64, **float64)) {
	raw := make([]float64, len(pairs))
	for i := range pairs {
		raw[i] = math.NaN()
		if p, _ := field(&pairs[i]); p != nil {
			raw[i] = *p
		}
	}
	for i, adj := range stats.Holm(raw) {
		if !math.IsNaN(adj) {
			_, dst := field(&pairs[i])
			*dst = ptr(adj)
		}
	}
}

// noUnitsReason says which side of a pair has no units for test.
func noUnitsReason(a string, na int, b string, nb int, test string) string {
	switch {
	case na == 0 && nb == 0:
		return fmt.Sprintf("neither %s nor %s has units: %s needs units on both sides", a, b, test)
	case na == 0:
		return fmt.Sprintf("%s has no units: %s needs units on both sides", a, test)
	}
	return fmt.Sprintf("%s has no units: %s needs units on both sides", b, test)
}

func dropPair(a, b DropStats) DropPair {
	pr := DropPair{A: a.Handset, B: b.Handset}
	lr, err := stats.LogRank([][]stats.Observation{a.observations, b.observations})
	if err != nil {
		pr.NullReasons.set(logRankReason(err, a.Handset, a.Units, b.Handset, b.Units), "chisq", "df", "p", "p_holm")
	} else {
		pr.ChiSq, pr.DF, pr.P = ptr(lr.ChiSq), ptr(lr.DF), ptr(lr.P)
	}
	fp, err := stats.FisherExact(a.Survived, a.Units-a.Survived, b.Survived, b.Units-b.Survived)
	if err != nil {
		pr.NullReasons.set(noUnitsReason(a.Handset, a.Units, b.Handset, b.Units, "Fisher's test"), "fisher_p", "fisher_p_holm")
	} else {
		pr.FisherP = &fp
	}
	return pr
}

func logRankReason(err error, a string, na int, b string, nb int) string {
	switch {
	case errors.Is(err, stats.ErrNoData):
		return noUnitsReason(a, na, b, nb, "the log-rank test")
	case errors.Is(err, stats.ErrNoEvents):
		return "no failure while units of both were still dropped: the log-rank test has nothing to compare"
	case errors.Is(err, stats.ErrNoVariance):
		return "every failure removed every unit still at risk: the log-rank test has no variance"
	}
	return err.Error()
}

// logRankTest is the overall log-rank test across the handsets.
func logRankTest(groups [][]stats.Observation, handsets int) LogRankTest {
	var t LogRankTest
	lr, err := stats.LogRank(groups)
	switch {
	case err == nil:
		t.ChiSq, t.DF, t.P = ptr(lr.ChiSq), ptr(lr.DF), ptr(lr.P)
		return t
	case errors.Is(err, stats.ErrNoData):
		t.NullReasons.set(fmt.Sprintf("fewer than 2 of the %d candidates have units: the log-rank test needs 2", handsets), "chisq", "df", "p")
	default:
		t.NullReasons.set(logRankReason(err, "", 1, "", 1), "chisq", "df", "p")
	}
	return t
}

func batteryPair(a, b BatteryStats, confidence float64) BatteryPair {
	pr := BatteryPair{A: a.Handset, B: b.Handset}
	if a.Mean != nil && b.Mean != nil {
		pr.Diff = ptr(*a.Mean - *b.Mean)
	} else {
		pr.NullReasons.set(noUnitsReason(a.Handset, a.N, b.Handset, b.N, "a difference of means"), "diff")
	}
	w, err := stats.Welch(a.UnitMeans, b.UnitMeans, confidence)
	if err == nil {
		pr.T, pr.DF, pr.P, pr.DiffCI = ptr(w.T), ptr(w.DF), ptr(w.P), &w.DiffCI
		return pr
	}
	var why string
	switch {
	case errors.Is(err, stats.ErrNoData):
		why = noUnitsReason(a.Handset, a.N, b.Handset, b.N, "Welch's test")
	case errors.Is(err, stats.ErrTooFew):
		var one []string
		for _, h := range []BatteryStats{a, b} {
			if h.N == 1 {
				one = append(one, h.Handset)
			}
		}
		why = strings.Join(one, " and ") + " has 1 unit: Welch's test needs at least 2 units on each side to estimate their spread"
		if len(one) == 2 {
			why = strings.Replace(why, " has 1 unit", " have 1 unit each", 1)
		}
	case errors.Is(err, stats.ErrNoVariance):
		why = fmt.Sprintf("the unit means of %s and of %s do not vary: Welch's test has no standard error", a.Handset, b.Handset)
	default:
		why = err.Error()
	}
	pr.NullReasons.set(why, "t", "df", "p", "p_holm", "diff_ci")
	return pr
}

// dropOutcome classifies one unit over all its runs: failed if any run saw
// a failure (at the earliest first_failure_drop), survived if every run
// completed its planned drops without one, censored otherwise — a run
// stopped early without failure proves nothing beyond its last drop. One
// unit gives one Kaplan–Meier observation.
func dropOutcome(u unit) DropUnit {
	d := DropUnit{Unit: u.serial, Outcome: Survived, Runs: u.runIDs(), RunsTotal: u.count()}
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
		s.Runs += d.RunsTotal
		switch d.Outcome {
		case Survived:
			s.Survived++
		case Failed:
			s.Failed++
		default:
			s.Censored++
		}
	}
	s.Proportion, s.Wilson, s.ClopperPearson = proportion(s.Survived, s.Units, confidence, &s.NullReasons)
	// Censored units did not finish, so they demonstrate nothing: the
	// zero-failure bound rests on the units that survived.
	switch {
	case s.Units == 0:
		s.NullReasons.set(noUnits, "success_run_lower")
	case s.Failed > 0:
		s.NullReasons.set(unitFailed(s.Failed), "success_run_lower")
	case s.Survived == 0:
		s.NullReasons.set("no unit completed its planned drops: the zero-failure bound rests on survived units", "success_run_lower")
	default:
		s.SuccessRunLower = ptr(stats.SuccessRunLower(s.Survived, confidence))
	}
	s.KM = stats.KM(s.observations, confidence)
	switch {
	case s.KM.Median != nil:
	case s.Units == 0:
		s.NullReasons.set(noUnits, "km.median")
	default:
		s.NullReasons.set("not reached: more than half the units had not failed when observation stopped", "km.median")
	}
	return s
}

const noUnits = "no units tested"

func unitFailed(n int) string {
	return fmt.Sprintf("%s failed: the zero-failure bound holds only when none did", units1(n))
}

// proportion is x/n with its Wilson and Clopper–Pearson intervals, all
// null without units (the reason goes to r).
func proportion(x, n int, confidence float64, r *Reasons) (est *float64, wilson, cp *stats.Interval) {
	w, err := stats.Wilson(x, n, confidence)
	if err != nil {
		r.set(noUnits, "proportion", "wilson", "clopper_pearson")
		return nil, nil, nil
	}
	c, err := stats.ClopperPearson(x, n, confidence)
	if err != nil {
		r.set(noUnits, "clopper_pearson")
		return ptr(stats.Proportion(x, n)), &w, nil
	}
	return ptr(stats.Proportion(x, n)), &w, &c
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
		n := u.count()
		s.Runs += n
		s.PerUnit = append(s.PerUnit, PassUnit{Unit: u.serial, Passed: ok, Runs: u.runIDs(), RunsTotal: n})
		if ok {
			s.Passed++
		}
	}
	s.Failed = s.Units - s.Passed
	s.Proportion, s.Wilson, s.ClopperPearson = proportion(s.Passed, s.Units, confidence, &s.NullReasons)
	switch {
	case s.Units == 0:
		s.NullReasons.set(noUnits, "success_run_lower")
	case s.Failed > 0:
		s.NullReasons.set(unitFailed(s.Failed), "success_run_lower")
	default:
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
		n := u.count()
		s.PerUnit = append(s.PerUnit, BatteryUnit{Unit: u.serial, MeanH: m, Runs: u.runIDs(), RunsTotal: n})
		s.Runs += n
	}
	s.N = len(s.UnitMeans)
	mc, err := stats.MeanT(s.UnitMeans, confidence)
	switch {
	case err == nil:
		s.Mean, s.SD, s.CI = ptr(mc.Mean), ptr(mc.SD), ptr(mc.CI)
	case errors.Is(err, stats.ErrNoData):
		s.NullReasons.set("no unit with a runtime", "mean", "sd", "ci")
	case errors.Is(err, stats.ErrTooFew):
		s.Mean = ptr(mc.Mean)
		s.NullReasons.set(oneUnitSpread, "sd", "ci")
	case errors.Is(err, stats.ErrNoVariance):
		s.Mean, s.SD = ptr(mc.Mean), ptr(mc.SD)
		s.NullReasons.set(noSpread(s.N), "ci")
	default:
		s.NullReasons.set(err.Error(), "mean", "sd", "ci")
	}
	return s
}

// Reasons for a t interval that cannot be computed.
const oneUnitSpread = "1 unit: a standard deviation and a t interval need at least 2 units"

func noSpread(n int) string { return noSpreadMsg(n).String() }

func noSpreadMsg(n int) models.Msg {
	return models.M("the %d unit means are all equal: with no spread a t interval cannot be computed", n)
}
