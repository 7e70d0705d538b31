// Package eulabel measures a handset against the EU energy label's
// yardsticks (Delegated Regulation (EU) 2023/1669, domain.md §1.4 and §4.1)
// and the IP code its ingress runs demonstrate, so a candidate page can show
// what the lab measured beside what the maker declared.
//
// It is pure: a handset and its runs in, classes out. Units are counted,
// not runs, and retracted runs never count.
package eulabel

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"ruggedlab/models"
)

// Measured is what the lab's runs show, in the label's terms. A part is
// null when there are no runs to judge it by.
type Measured struct {
	FreeFall *FreeFall `json:"free_fall"`
	Battery  *Energy   `json:"battery"`
	// IPCode is the code all tested units demonstrated, e.g. "IP68"; null
	// when no code was demonstrated.
	IPCode  *string    `json:"ip_code"`
	Ingress []IPResult `json:"ingress"`
	// Repairability is the repairability class recomputed from repair
	// runs (repair.go); never null, its class is null until every
	// priority part has a run.
	Repairability *Repairability `json:"repairability"`
	Counted       string         `json:"counted"`
}

// FreeFall is the repeated free-fall reliability class (Annex IV point 4)
// from 1 m tumbler runs.
type FreeFall struct {
	// Class is A–D for phones, A–E for tablets; null for a phone below 45
	// falls (it fails ecodesign, 2023/1670, rather than getting a class).
	Class *string `json:"class"`
	// FallsWithoutDefect is the minimum over units: the label states one
	// number for the model, and a class that one unit did not reach is not
	// demonstrated. The mean or median would let a weak unit hide behind
	// strong ones.
	FallsWithoutDefect int         `json:"falls_without_defect"`
	Units              int         `json:"units"`
	PerUnit            []UnitFalls `json:"per_unit"`
	Note               string      `json:"note"`
	// Why is Note with its values apart, for pages to word in their
	// language (models.Msg); Note is its English.
	Why models.Msg `json:"-"`
}

// UnitFalls is one unit's falls without defect: first_failure_drop − 1, or
// drops_completed when no failure was seen (a unit stopped early counts
// what it completed: more was not demonstrated). With several runs the
// unit's smallest count stands.
type UnitFalls struct {
	Unit  string   `json:"unit"`
	Falls int      `json:"falls"`
	Runs  []string `json:"runs"`
}

// Energy is the energy-efficiency index from EU-loop runtimes (§4.1).
type Energy struct {
	Protocol string `json:"protocol"`
	Units    int    `json:"units"`
	// RuntimeH is the mean over units of each unit's mean runtime.
	RuntimeH float64 `json:"runtime_h"`
	// EEI = runtime_h × 1000 / (V × mAh), rounded to 2 decimals; null
	// without declared capacity and voltage.
	EEI   *float64   `json:"eei"`
	Class *string    `json:"class"`
	Note  string     `json:"note"`
	Why   models.Msg `json:"-"` // Note, as FreeFall's
}

// IPResult is one tested IP code: how many units passed every run of it
// (no ingress found and functional afterwards).
type IPResult struct {
	Code        string `json:"code"`
	Units       int    `json:"units"`
	PassedUnits int    `json:"passed_units"`
	AllPassed   bool   `json:"all_passed"`
}

// The free-fall test is 1 m onto a steel plate in a tumbler (domain.md
// §1.3–1.4); the lab records it as surface "tumbler" at 1 m.
const (
	freeFallHeightM = 1.0
	freeFallSurface = "tumbler"
	euLoop          = "eu_eei_loop"
)

type threshold struct {
	min   float64
	class string
}

// Falls without defect, smallest n per class (domain.md §1.4).
var (
	phoneFalls  = []threshold{{270, "A"}, {180, "B"}, {90, "C"}, {45, "D"}}
	tabletFalls = []threshold{{208, "A"}, {156, "B"}, {104, "C"}, {52, "D"}, {0, "E"}}
)

// Smartphone EEI classes: A > 2.70 … F > 1.20, G ≤ 1.20 (domain.md §4.1).
// Tablets are not classified: domain.md gives only their ends (A > 7.90,
// G ≤ 2.59), not the B–F thresholds, and a guessed class on a tender
// comparison would be worse than none.
var phoneEEI = []threshold{{2.70, "A"}, {2.30, "B"}, {1.95, "C"}, {1.66, "D"}, {1.41, "E"}, {1.20, "F"}}

// Measure computes the label yardsticks of handset h from its runs (runs of
// other handsets and retracted runs are ignored).
func Measure(h models.Handset, runs []models.Run) Measured {
	var mine []models.Run
	for _, r := range runs {
		if r.Handset == h.Code && r.Status != models.Retracted {
			mine = append(mine, r)
		}
	}
	m := Measured{Counted: "units", Ingress: []IPResult{}}
	m.FreeFall = freeFall(h, mine)
	m.Battery = energy(h, mine)
	m.Ingress, m.IPCode = ingress(mine)
	m.Repairability = Repair(h, mine)
	return m
}

// byUnit groups runs by unit serial, serials sorted.
func byUnit(runs []models.Run, keep func(models.Run) bool) ([]string, map[string][]models.Run) {
	units := map[string][]models.Run{}
	var serials []string
	for _, r := range runs {
		if !keep(r) {
			continue
		}
		if _, ok := units[r.Unit]; !ok {
			serials = append(serials, r.Unit)
		}
		units[r.Unit] = append(units[r.Unit], r)
	}
	slices.Sort(serials)
	return serials, units
}

func ids(runs []models.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func freeFall(h models.Handset, runs []models.Run) *FreeFall {
	serials, units := byUnit(runs, func(r models.Run) bool {
		return r.Kind == models.Drop && r.Surface == freeFallSurface && r.HeightM != nil &&
			math.Abs(*r.HeightM-freeFallHeightM) < 1e-6 && r.DropsCompleted != nil
	})
	if len(serials) == 0 {
		return nil
	}
	ff := &FreeFall{Units: len(serials), FallsWithoutDefect: math.MaxInt}
	for _, s := range serials {
		u := UnitFalls{Unit: s, Falls: math.MaxInt, Runs: ids(units[s])}
		for _, r := range units[s] {
			u.Falls = min(u.Falls, FallsWithoutDefect(r))
		}
		ff.PerUnit = append(ff.PerUnit, u)
		ff.FallsWithoutDefect = min(ff.FallsWithoutDefect, u.Falls)
	}
	table := phoneFalls
	if h.FormFactor == "tablet" {
		table = tabletFalls
	}
	n := float64(ff.FallsWithoutDefect)
	if c := classAtLeast(table, n); c != "" {
		ff.Class = &c
	}
	switch {
	case ff.Class == nil:
		ff.Why = models.M("%d falls without defect is below 45: fails the ecodesign minimum for phones (EU 2023/1670)", ff.FallsWithoutDefect)
	default:
		ff.Why = models.M("class %s from the minimum over %d units (%s thresholds, EU 2023/1669 Annex IV)", *ff.Class, ff.Units, models.Word(h.FormFactor))
	}
	ff.Note = ff.Why.String()
	return ff
}

// FallsWithoutDefect is one run's count (domain.md §1.4): the falls before
// the first failure, or every completed fall if none failed.
func FallsWithoutDefect(r models.Run) int {
	if r.FirstFailureDrop != nil {
		return *r.FirstFailureDrop - 1
	}
	if r.DropsCompleted != nil {
		return *r.DropsCompleted
	}
	return 0
}

// classAtLeast returns the first class whose minimum n reaches.
func classAtLeast(table []threshold, n float64) string {
	for _, t := range table {
		if n >= t.min {
			return t.class
		}
	}
	return ""
}

// EEI is the energy-efficiency index in 1/W, rounded to 2 decimals as the
// label states it (domain.md §4.1).
func EEI(runtimeH, voltageV, capacityMAh float64) float64 {
	return math.Round(runtimeH*1000/(voltageV*capacityMAh)*100) / 100
}

// PhoneEEIClass is the smartphone class of a (rounded) EEI: strictly above
// each threshold, G at or below 1.20.
func PhoneEEIClass(eei float64) string {
	for _, t := range phoneEEI {
		if eei > t.min {
			return t.class
		}
	}
	return "G"
}

func energy(h models.Handset, runs []models.Run) *Energy {
	serials, units := byUnit(runs, func(r models.Run) bool {
		return r.Kind == models.Battery && r.Protocol == euLoop && r.RuntimeH != nil
	})
	if len(serials) == 0 {
		return nil
	}
	e := &Energy{Protocol: euLoop, Units: len(serials)}
	for _, s := range serials {
		var sum float64
		for _, r := range units[s] {
			sum += *r.RuntimeH
		}
		e.RuntimeH += sum / float64(len(units[s]))
	}
	e.RuntimeH /= float64(len(serials))
	d := h.Declared
	if d.BatteryCapacityMAh == nil || d.NominalVoltageV == nil || *d.BatteryCapacityMAh <= 0 || *d.NominalVoltageV <= 0 {
		e.Why = models.M("declare battery_capacity_mah and nominal_voltage_v to compute the EEI")
		e.Note = e.Why.String()
		return e
	}
	eei := EEI(e.RuntimeH, *d.NominalVoltageV, *d.BatteryCapacityMAh)
	e.EEI = &eei
	if h.FormFactor == "tablet" {
		e.Why = models.M("tablet EEI classes B–F are not in the lab's reference (only A > 7.90 and G ≤ 2.59): not classified")
		e.Note = e.Why.String()
		return e
	}
	c := PhoneEEIClass(eei)
	e.Class = &c
	e.Why = models.M("EEI from the mean EU-loop runtime of %d units", e.Units)
	e.Note = e.Why.String()
	return e
}

// ingress lists each tested code and the code demonstrated: the highest
// water numeral that every unit tested at it passed, with the solids
// numeral of dust runs (water numeral X) that every unit passed, e.g. a
// passing IP68 immersion plus a passing IP6X dust run give "IP68".
func ingress(runs []models.Run) ([]IPResult, *string) {
	codes := map[string]bool{}
	for _, r := range runs {
		if r.Kind == models.Ingress && len(r.IPCode) >= 4 {
			codes[r.IPCode] = true
		}
	}
	results := []IPResult{}
	var water, solids string
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		serials, units := byUnit(runs, func(r models.Run) bool { return r.Kind == models.Ingress && r.IPCode == code })
		res := IPResult{Code: code, Units: len(serials)}
		for _, s := range serials {
			ok := true
			for _, r := range units[s] {
				ok = ok && r.IngressFound != nil && !*r.IngressFound && r.FunctionalAfter != nil && *r.FunctionalAfter
			}
			if ok {
				res.PassedUnits++
			}
		}
		res.AllPassed = res.Units > 0 && res.PassedUnits == res.Units
		results = append(results, res)
		if !res.AllPassed {
			continue
		}
		s, w := code[2:3], code[3:]
		if w != "X" && rank(w) > rank(water) {
			water = w
		}
		if w == "X" && s != "X" && rank(s) > rank(solids) {
			solids = s
		}
	}
	if water == "" && solids == "" {
		return results, nil
	}
	code := "IP" + cmp.Or(solids, "X") + cmp.Or(water, "X")
	return results, &code
}

// rank orders numerals; "9K" ranks above "9", "" below everything.
func rank(numeral string) float64 {
	if numeral == "" {
		return -1
	}
	v := float64(numeral[0] - '0')
	if strings.HasSuffix(numeral, "K") {
		v += 0.5
	}
	return v
}
