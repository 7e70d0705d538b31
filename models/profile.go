package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Profile is one immutable version of a tender's requirement list
// (api.md §6). A change makes a new version with the same ID.
type Profile struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Version      int           `json:"version"`
	Requirements []Requirement `json:"requirements"`
	// Evidence says which runs count: "any" active run (the default) or
	// only "verified" ones (second-person review, review.go).
	Evidence   string    `json:"evidence"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Decision rules of a requirement.
const (
	AllUnits       = "all_units"        // every unit passed, n ≥ min_units
	LowerBound     = "lower_bound"      // Wilson lower bound of the unit pass rate ≥ target
	MeanLowerBound = "mean_lower_bound" // lower t-bound of the mean of unit means ≥ target (battery)
)

// DecisionRules lists the rules in the order the API documents them
// (upper_bound: field incident rates, profile_field.go).
var DecisionRules = []string{AllUnits, LowerBound, MeanLowerBound, UpperBound}

// DefaultConfidence applies when a decision gives none (api.md §6).
const DefaultConfidence = 0.95

// Requirement is one line of a profile: which runs are evidence (Where),
// when one unit passes (UnitPassesIf), and how units make a verdict
// (Decision). Units, not runs, are counted (domain.md §6.5).
type Requirement struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Kind  Kind   `json:"kind"`
	// Metric is the statistic a field requirement judges (profile_field.go);
	// empty for the run kinds.
	Metric       string       `json:"metric,omitempty"`
	Where        Where        `json:"where"`
	UnitPassesIf UnitPassesIf `json:"unit_passes_if"`
	Decision     Decision     `json:"decision"`
	MinUnits     int          `json:"min_units"`
}

// Where selects a requirement's evidence among the active runs of its kind.
// Each kind accepts only its own fields (see WhereFields); a list matches
// any of its values, a _min/_max bound is inclusive.
type Where struct {
	// drop
	HeightMMin     *float64 `json:"height_m_min,omitempty"`
	HeightMMax     *float64 `json:"height_m_max,omitempty"`
	Surface        []string `json:"surface,omitempty"`
	ProtectiveCase *bool    `json:"protective_case,omitempty"`
	// temperature; setpoint bounds apply to the steady procedures,
	// low_c_max/high_c_min/cycles_min to thermal_shock
	Procedure    []string `json:"procedure,omitempty"`
	SetpointCMin *float64 `json:"setpoint_c_min,omitempty"`
	SetpointCMax *float64 `json:"setpoint_c_max,omitempty"`
	LowCMax      *float64 `json:"low_c_max,omitempty"`
	HighCMin     *float64 `json:"high_c_min,omitempty"`
	CyclesMin    *int     `json:"cycles_min,omitempty"`
	DwellMinMin  *float64 `json:"dwell_min_min,omitempty"`
	// ingress
	IPCode         []string `json:"ip_code,omitempty"`
	Medium         []string `json:"medium,omitempty"`
	DepthMMin      *float64 `json:"depth_m_min,omitempty"`
	DurationMinMin *float64 `json:"duration_min_min,omitempty"`
	// battery
	Protocol          []string `json:"protocol,omitempty"`
	BrightnessNitsMin *float64 `json:"brightness_nits_min,omitempty"`
	BrightnessNitsMax *float64 `json:"brightness_nits_max,omitempty"`
	AmbientCMin       *float64 `json:"ambient_c_min,omitempty"`
	AmbientCMax       *float64 `json:"ambient_c_max,omitempty"`
	// repair
	Part []string `json:"part,omitempty"`
	// field: one trial (its id; empty = every trial, pooled) and, for
	// incident_rate, the incident categories counted (empty = all).
	Trial    string   `json:"trial,omitempty"`
	Category []string `json:"category,omitempty"`
}

// UnitPassesIf says when one run of a unit passes; a unit passes when all
// its matching runs pass. Each kind accepts only its own fields.
type UnitPassesIf struct {
	// drop: at least this many drops with no failure among them (default:
	// the run's planned drops), and a worst severity no higher than this.
	DropsCompletedMin *int `json:"drops_completed_min,omitempty"`
	WorstSeverityMax  *int `json:"worst_severity_max,omitempty"`
	// temperature: the run passed (default true); no shutdown was seen.
	Passed     *bool `json:"passed,omitempty"`
	NoShutdown *bool `json:"no_shutdown,omitempty"`
	// ingress: no ingress found, functional afterwards (both default true).
	NoIngress       *bool `json:"no_ingress,omitempty"`
	FunctionalAfter *bool `json:"functional_after,omitempty"`
	// battery: the unit's mean runtime reaches this (all_units and
	// lower_bound rules; for mean_lower_bound it only counts passed_units).
	RuntimeHMin *float64 `json:"runtime_h_min,omitempty"`
	// repair, per run of the parts in where.part (every unit must pass
	// under all_units): at most this many steps, at most this disassembly
	// plus reassembly time, and functional_after (only when set true).
	MaxDisassemblySteps *int     `json:"max_disassembly_steps,omitempty"`
	MaxRepairS          *float64 `json:"max_repair_s,omitempty"`
	// repair, the model's class: the measured repairability class
	// (eulabel) is this letter or better. Judged with all_units over the
	// priority parts' units; alone in unit_passes_if.
	RepairabilityClassAtLeast string `json:"repairability_class_at_least,omitempty"`
}

// Decision turns the units' results into a verdict.
type Decision struct {
	Rule       string   `json:"rule"`
	Target     *float64 `json:"target,omitempty"`
	Confidence float64  `json:"confidence"`
}

// --- decoding -------------------------------------------------------------

// The input types hold pointers so that an explicit 0 (min_units: 0) is
// told apart from an absent value that takes a default.
type profileInput struct {
	Name         string
	Requirements []Requirement
	Evidence     string
}

type requirementInput struct {
	Key, Title string
	Kind       string
	Metric     string
	MinUnits   *int
}

type decisionInput struct {
	Rule       string
	Target     *float64
	Confidence *float64
}

// Wide numeric bounds: the real limits depend on the rule and are checked
// with messages that say why.
const anyNumber = math.MaxFloat64

var profileFields = []field[profileInput]{
	text("name", 120, true, func(p *profileInput) *string { return &p.Name }),
	{FieldInfo: FieldInfo{Name: "requirements", Type: Nested, Required: true, Help: "the tender's requirements, in display order"},
		nested: decodeRequirements},
	enum("evidence", EvidenceRules, false, func(p *profileInput) *string { return &p.Evidence }),
}

var requirementFields = []field[requirementInput]{
	text("key", 64, true, func(r *requirementInput) *string { return &r.Key }),
	text("title", 200, false, func(r *requirementInput) *string { return &r.Title }),
	enum("kind", requirementKindNames(), true, func(r *requirementInput) *string { return &r.Kind }),
	enum("metric", FieldMetrics, false, func(r *requirementInput) *string { return &r.Metric }),
	integer("min_units", 1, 10000, false, func(r *requirementInput) **int { return &r.MinUnits }),
}

var decisionFields = []field[decisionInput]{
	enum("rule", DecisionRules, true, func(d *decisionInput) *string { return &d.Rule }),
	num("target", "", -anyNumber, anyNumber, false, func(d *decisionInput) **float64 { return &d.Target }),
	num("confidence", "", -anyNumber, anyNumber, false, func(d *decisionInput) **float64 { return &d.Confidence }),
}

// whereFields is the closed set of evidence filters per kind.
var whereFields = map[Kind][]field[Where]{
	Drop: {
		num("height_m_min", "m", 0.01, 5, false, func(w *Where) **float64 { return &w.HeightMMin }),
		num("height_m_max", "m", 0.01, 5, false, func(w *Where) **float64 { return &w.HeightMMax }),
		enumList("surface", Surfaces, func(w *Where) *[]string { return &w.Surface }),
		boolean("protective_case", false, func(w *Where) **bool { return &w.ProtectiveCase }),
	},
	Temperature: {
		enumList("procedure", Procedures, func(w *Where) *[]string { return &w.Procedure }),
		num("setpoint_c_min", "°C", -80, 150, false, func(w *Where) **float64 { return &w.SetpointCMin }),
		num("setpoint_c_max", "°C", -80, 150, false, func(w *Where) **float64 { return &w.SetpointCMax }),
		num("low_c_max", "°C", -80, 150, false, func(w *Where) **float64 { return &w.LowCMax }),
		num("high_c_min", "°C", -80, 150, false, func(w *Where) **float64 { return &w.HighCMin }),
		integer("cycles_min", 1, 1000, false, func(w *Where) **int { return &w.CyclesMin }),
		num("dwell_min_min", "min", 1, 10080, false, func(w *Where) **float64 { return &w.DwellMinMin }),
	},
	Ingress: {
		ipCodeList("ip_code", func(w *Where) *[]string { return &w.IPCode }),
		enumList("medium", Media, func(w *Where) *[]string { return &w.Medium }),
		num("depth_m_min", "m", 0, 100, false, func(w *Where) **float64 { return &w.DepthMMin }),
		num("duration_min_min", "min", 0.1, 10080, false, func(w *Where) **float64 { return &w.DurationMinMin }),
	},
	Battery: {
		enumList("protocol", Protocols, func(w *Where) *[]string { return &w.Protocol }),
		num("brightness_nits_min", "cd/m²", 0, 2500, false, func(w *Where) **float64 { return &w.BrightnessNitsMin }),
		num("brightness_nits_max", "cd/m²", 0, 2500, false, func(w *Where) **float64 { return &w.BrightnessNitsMax }),
		num("ambient_c_min", "°C", -40, 60, false, func(w *Where) **float64 { return &w.AmbientCMin }),
		num("ambient_c_max", "°C", -40, 60, false, func(w *Where) **float64 { return &w.AmbientCMax }),
	},
	Repair: {
		enumList("part", Parts, func(w *Where) *[]string { return &w.Part }),
	},
	FieldTrial: {
		text("trial", 64, false, func(w *Where) *string { return &w.Trial }),
		enumList("category", IncidentCategories, func(w *Where) *[]string { return &w.Category }),
	},
}

// passFields is the closed set of unit pass conditions per kind.
var passFields = map[Kind][]field[UnitPassesIf]{
	Drop: {
		integer("drops_completed_min", 1, 10000, false, func(u *UnitPassesIf) **int { return &u.DropsCompletedMin }),
		integer("worst_severity_max", 0, 6, false, func(u *UnitPassesIf) **int { return &u.WorstSeverityMax }),
	},
	Temperature: {
		boolean("passed", false, func(u *UnitPassesIf) **bool { return &u.Passed }),
		boolean("no_shutdown", false, func(u *UnitPassesIf) **bool { return &u.NoShutdown }),
	},
	Ingress: {
		boolean("no_ingress", false, func(u *UnitPassesIf) **bool { return &u.NoIngress }),
		boolean("functional_after", false, func(u *UnitPassesIf) **bool { return &u.FunctionalAfter }),
	},
	Battery: {
		num("runtime_h_min", "h", 0, 2000, false, func(u *UnitPassesIf) **float64 { return &u.RuntimeHMin }),
	},
	Repair: {
		integer("max_disassembly_steps", 1, 500, false, func(u *UnitPassesIf) **int { return &u.MaxDisassemblySteps }),
		num("max_repair_s", "s", 1, 2*maxRepairS, false, func(u *UnitPassesIf) **float64 { return &u.MaxRepairS }),
		boolean("functional_after", false, func(u *UnitPassesIf) **bool { return &u.FunctionalAfter }),
		enum("repairability_class_at_least", []string{"A", "B", "C", "D", "E"}, false, func(u *UnitPassesIf) *string { return &u.RepairabilityClassAtLeast }),
	},
}

// WhereFields names the evidence filters a requirement of kind k accepts.
func WhereFields(k Kind) []FieldInfo { return infos(whereFields[k]) }

// UnitPassFields names the pass conditions a requirement of kind k accepts.
func UnitPassFields(k Kind) []FieldInfo { return infos(passFields[k]) }

func infos[T any](fs []field[T]) []FieldInfo {
	out := make([]FieldInfo, len(fs))
	for i, f := range fs {
		out[i] = f.FieldInfo
	}
	return out
}

func names[T any](fs []field[T]) string {
	n := make([]string, len(fs))
	for i, f := range fs {
		n[i] = f.Name
	}
	return strings.Join(n, ", ")
}

// enumList is a field holding a JSON array of allowed strings.
func enumList[T any](name string, values []string, ref func(*T) *[]string) field[T] {
	return stringList(name, "one of "+strings.Join(values, ", "), func(s string) bool { return slices.Contains(values, s) }, ref)
}

var requirementIPPattern = regexp.MustCompile(`^IP[0-6X][0-9X]K?$`)

func ipCodeList[T any](name string, ref func(*T) *[]string) field[T] {
	return stringList(name, "an IP code such as IPX7, IP6X or IP68", requirementIPPattern.MatchString, ref)
}

func stringList[T any](name, want string, ok func(string) bool, ref func(*T) *[]string) field[T] {
	return field[T]{FieldInfo: FieldInfo{Name: name, Type: Nested, Help: "a list; a run matches any of its values"},
		nested: func(raw json.RawMessage, path string, dst *T, errs *FieldErrors) {
			var items []json.RawMessage
			var one string
			if json.Unmarshal(raw, &one) == nil {
				// A single value stands for a list of one, as api.md's
				// example writes "protocol": "eu_eei_loop".
				items = []json.RawMessage{raw}
			} else if json.Unmarshal(raw, &items) != nil || items == nil {
				errs.Add(path, "must be a string or an array of strings, each %s", want)
				return
			}
			if len(items) == 0 {
				errs.Add(path, "must list at least one value (leave the field out to accept any)")
				return
			}
			var out []string
			for i, item := range items {
				var s string
				if json.Unmarshal(item, &s) != nil {
					errs.Add(fmt.Sprintf("%s[%d]", path, i), "must be a string, not %s", jsonKind(bytes.TrimSpace(item)))
					continue
				}
				if !ok(s) {
					errs.Add(fmt.Sprintf("%s[%d]", path, i), "must be %s, not %q", want, s)
					continue
				}
				out = append(out, s)
			}
			*ref(dst) = out
		}}
}

// DecodeProfile decodes a profile body {"name", "requirements"} and checks
// it, listing every problem with its path (requirements[2].decision.target).
// Defaults are filled in: confidence 0.95, min_units 1, title = key.
// A body that is not a JSON object is Malformed.
func DecodeProfile(body []byte) (Profile, error) { return decodeProfile(body, profileFields) }

// DecodeProfileVersion decodes the body of a new version: as DecodeProfile,
// but the name may be left out to keep the previous version's.
func DecodeProfileVersion(body []byte) (Profile, error) {
	fields := slices.Clone(profileFields)
	fields[0].Required = false
	return decodeProfile(body, fields)
}

func decodeProfile(body []byte, fields []field[profileInput]) (Profile, error) {
	var in profileInput
	var errs FieldErrors
	if isNull(body) || !decodeObject(body, "", fields, &in, &errs) {
		return Profile{}, notAnObject(body, json.Unmarshal(body, &map[string]any{}))
	}
	checkFields(fields, &in, "", &errs)
	if in.Requirements == nil && !errs.Has("requirements") {
		errs.Add("requirements", "is required: a list of requirements")
	}
	p := Profile{Name: in.Name, Requirements: in.Requirements, Evidence: in.Evidence}
	p.check(&errs)
	return p, errs.Err("the profile is not valid")
}

func decodeRequirements(raw json.RawMessage, path string, p *profileInput, errs *FieldErrors) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		errs.Add(path, "must be an array of requirements")
		return
	}
	if len(items) == 0 {
		errs.Add(path, "must hold at least one requirement")
	}
	if len(items) > MaxRequirements {
		errs.Add(path, "holds %d requirements, at most %d", len(items), MaxRequirements)
		return
	}
	p.Requirements = make([]Requirement, len(items))
	for i, item := range items {
		p.Requirements[i] = decodeRequirement(item, fmt.Sprintf("%s[%d]", path, i), errs)
	}
}

// MaxRequirements bounds a profile; a tender has a few dozen at most.
const MaxRequirements = 200

// decodeRequirement reads the kind first: where and unit_passes_if accept
// the fields of that kind only.
func decodeRequirement(raw json.RawMessage, path string, errs *FieldErrors) Requirement {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		errs.Add(path, "must be an object {key, title, kind, where, unit_passes_if, decision, min_units}")
		return Requirement{}
	}
	var kindName string
	_ = json.Unmarshal(obj["kind"], &kindName)
	kind, kindOK := Kind(kindName), parseRequirementKind(kindName)

	var in requirementInput
	var where Where
	var pass UnitPassesIf
	var dec decisionInput
	fields := append(slices.Clone(requirementFields),
		field[requirementInput]{FieldInfo: FieldInfo{Name: "where", Type: Nested},
			nested: func(raw json.RawMessage, p string, _ *requirementInput, errs *FieldErrors) {
				decodeKindObject(raw, p, kind, kindOK, whereFields, &where, errs)
			}},
		field[requirementInput]{FieldInfo: FieldInfo{Name: "unit_passes_if", Type: Nested},
			nested: func(raw json.RawMessage, p string, _ *requirementInput, errs *FieldErrors) {
				decodeKindObject(raw, p, kind, kindOK, passFields, &pass, errs)
			}},
		field[requirementInput]{FieldInfo: FieldInfo{Name: "decision", Type: Nested, Required: true},
			nested: func(raw json.RawMessage, p string, _ *requirementInput, errs *FieldErrors) {
				if !decodeObject(raw, p, decisionFields, &dec, errs) {
					errs.Add(p, "must be an object {rule, target, confidence}")
					return
				}
				checkFields(decisionFields, &dec, p, errs)
			}},
	)
	decodeObject(raw, path, fields, &in, errs)
	checkFields(requirementFields, &in, path, errs)
	if _, ok := obj["decision"]; !ok {
		errs.Add(join(path, "decision"), "is required: {\"rule\": \"all_units\" | \"lower_bound\" | \"mean_lower_bound\", \"target\", \"confidence\"}")
	}

	r := Requirement{Key: in.Key, Title: in.Title, Kind: Kind(in.Kind), Metric: in.Metric, Where: where, UnitPassesIf: pass,
		Decision: Decision{Rule: dec.Rule, Target: dec.Target, Confidence: DefaultConfidence}, MinUnits: 1}
	if r.Title == "" {
		r.Title = r.Key
	}
	if dec.Confidence != nil {
		r.Decision.Confidence = *dec.Confidence
	}
	if in.MinUnits != nil {
		r.MinUnits = *in.MinUnits
	}
	return r
}

// decodeKindObject decodes where or unit_passes_if with the fields of kind.
// Without a valid kind the fields are unknowable, so nothing is reported
// beyond the kind's own error.
func decodeKindObject[T any](raw json.RawMessage, path string, kind Kind, kindOK bool, table map[Kind][]field[T], dst *T, errs *FieldErrors) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		errs.Add(path, "must be an object")
		return
	}
	if !kindOK {
		return
	}
	fields := table[kind]
	var scratch FieldErrors
	decodeObject(raw, path, fields, dst, &scratch)
	for _, e := range scratch {
		if e.Message == "unknown field" && len(fields) == 0 {
			e.Message = fmt.Sprintf("is not a field of a %s requirement: it has none (leave the object out)", kind)
		} else if e.Message == "unknown field" {
			e.Message = fmt.Sprintf("is not a field of a %s requirement: use %s", kind, names(fields))
		}
		*errs = append(*errs, e)
	}
	checkFields(fields, dst, path, errs)
}

// --- validation -----------------------------------------------------------

var requirementKeyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks a profile as the store is about to record it: every rule
// of api.md §6, with paths such as requirements[2].decision.target.
func (p *Profile) Validate() error {
	var errs FieldErrors
	checkFields(profileFields, &profileInput{Name: p.Name, Requirements: p.Requirements, Evidence: p.Evidence}, "", &errs)
	if len(p.Requirements) == 0 && !errs.Has("requirements") {
		errs.Add("requirements", "must hold at least one requirement")
	}
	p.check(&errs)
	return errs.Err("the profile is not valid")
}

// check adds the cross-field rules; a path already holding a decode error
// is not reported twice.
func (p *Profile) check(errs *FieldErrors) {
	seen := map[string]int{}
	for i, r := range p.Requirements {
		path := fmt.Sprintf("requirements[%d]", i)
		add := func(field, format string, args ...any) {
			if f := join(path, field); !reported(*errs, f) {
				errs.Add(f, format, args...)
			}
		}
		if r.Key != "" && !errs.Has(path+".key") {
			if !requirementKeyPattern.MatchString(r.Key) {
				add("key", "%q must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit", r.Key)
			} else if j, dup := seen[r.Key]; dup {
				add("key", "%q is already the key of requirements[%d]: keys must be unique", r.Key, j)
			} else {
				seen[r.Key] = i
			}
		}
		if r.Key == "" {
			add("key", "is required")
		}
		if !parseRequirementKind(string(r.Kind)) {
			add("kind", "must be one of %s, not %q", strings.Join(requirementKindNames(), ", "), r.Kind)
			continue
		}
		if r.MinUnits < 1 {
			add("min_units", "must be at least 1, not %d", r.MinUnits)
		}
		r.checkField(add)
		if r.Kind != FieldTrial {
			r.checkDecision(add)
		} else if c := r.Decision.Confidence; math.IsNaN(c) || c <= 0 || c >= 1 {
			add("decision.confidence", "must be between 0 and 1 (exclusive), e.g. 0.95, not %s", fmtNum(c))
		}
		r.checkRanges(add)
	}
}

// reported says whether path or a field containing it (requirements[0]
// for requirements[0].key) already has a problem: one cause, one message.
func reported(errs FieldErrors, path string) bool {
	for _, e := range errs {
		if e.Field == path || strings.HasPrefix(path, e.Field+".") {
			return true
		}
	}
	return false
}

func (r Requirement) checkDecision(add func(field, format string, args ...any)) {
	d := r.Decision
	if c := d.Confidence; math.IsNaN(c) || c <= 0 || c >= 1 {
		add("decision.confidence", "must be between 0 and 1 (exclusive), e.g. 0.95, not %s", fmtNum(c))
	}
	switch d.Rule {
	case "":
		add("decision.rule", "is required: one of %s", strings.Join(DecisionRules, ", "))
	case AllUnits:
		if d.Target != nil {
			add("decision.target", "does not apply to all_units: every unit must pass (use lower_bound for a pass-rate target)")
		}
	case LowerBound:
		if d.Target == nil {
			add("decision.target", "is required for lower_bound: the pass rate the Wilson lower bound must reach, in (0, 1]")
		} else if t := *d.Target; !(t > 0 && t <= 1) {
			add("decision.target", "is a pass rate and must be in (0, 1], not %s", fmtNum(t))
		}
	case UpperBound:
		add("decision.rule", "upper_bound applies to field incident rates only; a %s requirement uses all_units or lower_bound", r.Kind)
	case MeanLowerBound:
		if r.Kind != Battery {
			add("decision.rule", "mean_lower_bound applies to battery runtimes only; a %s requirement uses all_units or lower_bound", r.Kind)
		}
		if d.Target == nil {
			add("decision.target", "is required for mean_lower_bound: the runtime in hours the lower t-bound must reach")
		} else if t := *d.Target; !(t > 0 && t <= 2000) {
			add("decision.target", "is a runtime and must be in (0, 2000] h, not %s", fmtNum(t))
		}
	default:
		add("decision.rule", "must be one of %s, not %q", strings.Join(DecisionRules, ", "), d.Rule)
	}
	if r.Kind == Battery && (d.Rule == AllUnits || d.Rule == LowerBound) && r.UnitPassesIf.RuntimeHMin == nil {
		add("unit_passes_if.runtime_h_min", "is required for a battery %s rule: the mean runtime a unit must reach", d.Rule)
	}
}

// checkRanges rejects filters that can match nothing and pass conditions
// that require nothing: both are typing mistakes, not tender intent.
func (r Requirement) checkRanges(add func(field, format string, args ...any)) {
	w, u := r.Where, r.UnitPassesIf
	pairs := []struct {
		lo, hi *float64
		name   string
	}{
		{w.HeightMMin, w.HeightMMax, "height_m_max"},
		{w.SetpointCMin, w.SetpointCMax, "setpoint_c_max"},
		{w.BrightnessNitsMin, w.BrightnessNitsMax, "brightness_nits_max"},
		{w.AmbientCMin, w.AmbientCMax, "ambient_c_max"},
	}
	for _, p := range pairs {
		if p.lo != nil && p.hi != nil && *p.lo > *p.hi {
			add("where."+p.name, "is below the matching _min (%s): no run can match", fmtNum(*p.lo))
		}
	}
	switch r.Kind {
	case Temperature:
		if u.Passed != nil && !*u.Passed && (u.NoShutdown == nil || !*u.NoShutdown) {
			add("unit_passes_if", "requires nothing: set passed and/or no_shutdown to true")
		}
	case Ingress:
		if u.NoIngress != nil && !*u.NoIngress && u.FunctionalAfter != nil && !*u.FunctionalAfter {
			add("unit_passes_if", "requires nothing: set no_ingress and/or functional_after to true")
		}
	case Repair:
		perRun := u.MaxDisassemblySteps != nil || u.MaxRepairS != nil || (u.FunctionalAfter != nil && *u.FunctionalAfter)
		switch {
		case u.RepairabilityClassAtLeast != "" && (perRun || u.FunctionalAfter != nil):
			add("unit_passes_if.repairability_class_at_least", "judges the whole model: put per-part conditions in a requirement of their own")
		case u.RepairabilityClassAtLeast != "" && len(w.Part) > 0:
			add("where.part", "does not apply to repairability_class_at_least: the class needs every priority part")
		case u.RepairabilityClassAtLeast != "" && r.Decision.Rule != AllUnits && r.Decision.Rule != "":
			add("decision.rule", "repairability_class_at_least is judged with all_units (the class is the worst unit's)")
		case u.RepairabilityClassAtLeast == "" && !perRun:
			add("unit_passes_if", "requires nothing: set max_disassembly_steps, max_repair_s, functional_after: true or repairability_class_at_least")
		}
	}
}
