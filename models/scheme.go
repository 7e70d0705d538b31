package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Scheme is one immutable version of a scoring scheme for the award
// (issue #12, api.md §6.4), attached to one version of a profile. A change
// makes a new version; nothing is ever edited, so an award can always be
// traced to the weights, anchors and bid prices it used.
type Scheme struct {
	ProfileID      string            `json:"profile_id"`
	Version        int               `json:"version"`
	ProfileVersion int               `json:"profile_version"`
	Name           string            `json:"name"`
	Criteria       []SchemeCriterion `json:"criteria"`
	// Order lists chains of criterion keys, heaviest first: each chain
	// says w[0] ≥ w[1] ≥ … for the weights SMAA samples.
	Order [][]string `json:"order"`
	// Gates are requirement keys a candidate must meet to be in the award.
	Gates      []string       `json:"gates"`
	Entered    []EnteredValue `json:"entered"`
	RecordedBy string         `json:"recorded_by"`
	RecordedAt time.Time      `json:"recorded_at"`
}

// Criterion sources. A new metric source (the measured repairability
// index, field-trial rates) adds a constant here and a case where the
// handlers turn evidence into award.Measure values.
const (
	SourceRequirement = "requirement" // the requirement's estimate: pass proportion or mean of units
	SourceEntered     = "entered"     // a value an admin entered per handset, with date and source
	// SourceRepairability is the repairability index R (1–5) the lab
	// measured from its own repair runs (measured.repairability, EU
	// 2023/1669 Annex IV point 5): the teardown, not the maker's letter.
	SourceRepairability = "measured_repairability"
)

// CriterionSources lists the sources in documentation order.
var CriterionSources = []string{SourceRequirement, SourceEntered, SourceRepairability}

// SchemeCriterion is one scoring criterion. Weight is the published
// weight (the deterministic table); WeightRange, when given, is the
// interval [lo, hi] SMAA samples it from (weight must lie inside). A
// weight with no range is exact.
type SchemeCriterion struct {
	Key           string    `json:"key"`
	Title         string    `json:"title"`
	Source        string    `json:"source"`
	Requirement   string    `json:"requirement,omitempty"`
	Unit          string    `json:"unit,omitempty"`
	Direction     string    `json:"direction"`      // higher | lower
	ValueFunction string    `json:"value_function"` // linear | lowest_ratio
	Worst         *float64  `json:"worst,omitempty"`
	Best          *float64  `json:"best,omitempty"`
	Weight        float64   `json:"weight"`
	WeightRange   []float64 `json:"weight_range,omitempty"`
	Note          string    `json:"note,omitempty"`
}

// EnteredValue is a declared fact for one handset on one entered
// criterion: a bid price per handset, a declared repairability class.
type EnteredValue struct {
	Criterion string  `json:"criterion"`
	Handset   string  `json:"handset"`
	Value     float64 `json:"value"`
	Date      string  `json:"date"`   // YYYY-MM-DD
	Source    string  `json:"source"` // "offre n° 12, bordereau des prix"
}

var schemeKey = keyPattern()

func keyPattern() func(string) bool {
	return func(s string) bool {
		if s == "" || len(s) > 64 {
			return false
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
				return false
			}
		}
		return true
	}
}

// DecodeScheme decodes the body of POST /profiles/{id}/schemes and checks
// it against profile p (the version it attaches to). Unknown fields are
// refused. The weights' arithmetic (can they sum to 1, does the order hold)
// is checked by the award package when the scheme is validated in full by
// the store (see ValidateScheme's callers).
func DecodeScheme(body []byte, p Profile) (Scheme, error) {
	var s Scheme
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in struct {
		ProfileVersion int               `json:"profile_version"`
		Name           string            `json:"name"`
		Criteria       []SchemeCriterion `json:"criteria"`
		Order          [][]string        `json:"order"`
		Gates          []string          `json:"gates"`
		Entered        []EnteredValue    `json:"entered"`
	}
	if err := dec.Decode(&in); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok {
			field = te.Field
		}
		msg := err.Error()
		if strings.HasPrefix(msg, "json: unknown field ") {
			field = strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
			msg = "is not a field of a scheme"
		}
		fe := FieldErrors{{Field: field, Message: msg}}
		return s, fe.Err("the scheme is not valid JSON of the documented shape")
	}
	s = Scheme{ProfileID: p.ID, ProfileVersion: p.Version, Name: in.Name, Criteria: in.Criteria,
		Order: in.Order, Gates: in.Gates, Entered: in.Entered}
	var errs FieldErrors
	if in.ProfileVersion != 0 && in.ProfileVersion != p.Version {
		errs.Add("profile_version", "is %d but the scheme is checked against version %d", in.ProfileVersion, p.Version)
	}
	s.Check(p, &errs)
	return s, errs.Err("the scheme is not valid")
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// Check records every problem of s against profile p in errs (field paths
// as in the request body).
func (s *Scheme) Check(p Profile, errs *FieldErrors) {
	if s.Name == "" {
		errs.Add("name", "is required")
	} else if len(s.Name) > 120 {
		errs.Add("name", "is longer than 120 characters")
	}
	if s.Order == nil {
		s.Order = [][]string{}
	}
	if s.Gates == nil {
		s.Gates = []string{}
	}
	if s.Entered == nil {
		s.Entered = []EnteredValue{}
	}
	reqs := map[string]Requirement{}
	for _, r := range p.Requirements {
		reqs[r.Key] = r
	}
	if len(s.Criteria) == 0 {
		errs.Add("criteria", "must list at least one criterion")
	}
	if len(s.Criteria) > 50 {
		errs.Add("criteria", "lists %d criteria; at most 50", len(s.Criteria))
	}
	keys := map[string]int{}
	for i := range s.Criteria {
		c := &s.Criteria[i]
		f := fmt.Sprintf("criteria[%d]", i)
		if !schemeKey(c.Key) {
			errs.Add(f+".key", "must be 1–64 characters of a–z, 0–9, _ - . (got %q)", c.Key)
		} else if _, dup := keys[c.Key]; dup {
			errs.Add(f+".key", "%q is used twice", c.Key)
		}
		keys[c.Key] = i
		if c.Title == "" {
			c.Title = c.Key
		}
		switch c.Source {
		case SourceRequirement:
			if _, ok := reqs[c.Requirement]; !ok {
				errs.Add(f+".requirement", "%q is not a requirement of version %d of profile %s", c.Requirement, p.Version, p.ID)
			}
		case SourceEntered, SourceRepairability:
			if c.Requirement != "" {
				errs.Add(f+".requirement", "only a requirement criterion names a requirement")
			}
		default:
			errs.Add(f+".source", "must be one of %s, not %q", strings.Join(CriterionSources, ", "), c.Source)
		}
		if c.Direction != "higher" && c.Direction != "lower" {
			errs.Add(f+".direction", "must be higher or lower, not %q", c.Direction)
		}
		switch c.ValueFunction {
		case "linear":
			switch {
			case c.Worst == nil:
				errs.Add(f+".worst", "is required for a linear value function")
			case c.Best == nil:
				errs.Add(f+".best", "is required for a linear value function")
			case *c.Worst == *c.Best:
				errs.Add(f+".best", "must differ from worst (%g)", *c.Worst)
			case c.Direction == "higher" && *c.Best < *c.Worst, c.Direction == "lower" && *c.Best > *c.Worst:
				errs.Add(f+".best", "is on the wrong side of worst for direction %s", c.Direction)
			}
		case "lowest_ratio":
			if c.Worst != nil || c.Best != nil {
				errs.Add(f+".value_function", "lowest_ratio takes no worst/best anchors")
			}
		default:
			errs.Add(f+".value_function", "must be linear or lowest_ratio, not %q", c.ValueFunction)
		}
		if !(c.Weight >= 0 && c.Weight <= 1) || math.IsNaN(c.Weight) {
			errs.Add(f+".weight", "must be a number in [0, 1], not %g", c.Weight)
		}
		if c.WeightRange != nil {
			switch {
			case len(c.WeightRange) != 2:
				errs.Add(f+".weight_range", "must be [lo, hi]")
			case !(c.WeightRange[0] >= 0 && c.WeightRange[0] <= c.WeightRange[1] && c.WeightRange[1] <= 1):
				errs.Add(f+".weight_range", "needs 0 ≤ lo ≤ hi ≤ 1, not [%g, %g]", c.WeightRange[0], c.WeightRange[1])
			case c.Weight < c.WeightRange[0] || c.Weight > c.WeightRange[1]:
				errs.Add(f+".weight", "%g is outside its weight_range [%g, %g]", c.Weight, c.WeightRange[0], c.WeightRange[1])
			}
		}
	}
	for i, chain := range s.Order {
		if len(chain) < 2 {
			errs.Add(fmt.Sprintf("order[%d]", i), "a rank order names at least two criteria")
		}
		for k, key := range chain {
			if _, ok := keys[key]; !ok {
				errs.Add(fmt.Sprintf("order[%d][%d]", i, k), "%q is not a criterion of this scheme", key)
			}
		}
	}
	for i, g := range s.Gates {
		if _, ok := reqs[g]; !ok {
			errs.Add(fmt.Sprintf("gates[%d]", i), "%q is not a requirement of version %d of profile %s", g, p.Version, p.ID)
		}
	}
	seen := map[[2]string]bool{}
	for i := range s.Entered {
		e := &s.Entered[i]
		f := fmt.Sprintf("entered[%d]", i)
		j, ok := keys[e.Criterion]
		switch {
		case !ok:
			errs.Add(f+".criterion", "%q is not a criterion of this scheme", e.Criterion)
		case s.Criteria[j].Source != SourceEntered:
			errs.Add(f+".criterion", "%q is measured (source %s), not entered", e.Criterion, s.Criteria[j].Source)
		case s.Criteria[j].ValueFunction == "lowest_ratio" && !(e.Value > 0):
			errs.Add(f+".value", "must be > 0 for the lowest-price rule (a price), not %g", e.Value)
		}
		if e.Handset == "" {
			errs.Add(f+".handset", "is required")
		}
		if seen[[2]string{e.Criterion, e.Handset}] {
			errs.Add(f+".handset", "%s already has a value for %s", e.Handset, e.Criterion)
		}
		seen[[2]string{e.Criterion, e.Handset}] = true
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			errs.Add(f+".date", "must be a date YYYY-MM-DD, not %q", e.Date)
		}
		if strings.TrimSpace(e.Source) == "" {
			errs.Add(f+".source", "is required: where the value comes from (the bid, a declaration)")
		}
		if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
			errs.Add(f+".value", "must be a finite number")
		}
	}
}
