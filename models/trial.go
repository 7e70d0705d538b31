package models

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Field pilots (issue #14): officers carry candidate units on duty; the
// trial counts incidents against device-days of exposure, logs shifts and
// collects SUS questionnaires. Carriers are pseudonyms only.

// DateLayout is how trial dates are written: a calendar day, no time zone.
const DateLayout = "2006-01-02"

// Trial is one field pilot with its assignments of units to carriers.
type Trial struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Site        string       `json:"site"`
	Start       string       `json:"start"`
	End         string       `json:"end"`
	Notes       string       `json:"notes"`
	Assignments []Assignment `json:"assignments"`
	RecordedBy  string       `json:"recorded_by"`
	RecordedAt  time.Time    `json:"recorded_at"`
}

// Assignment gives a unit to a carrier from From to To, both days included.
type Assignment struct {
	Handset string `json:"handset"`
	Unit    string `json:"unit"` // serial
	Carrier string `json:"carrier"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// Days is the assignment's exposure in device-days (both ends included).
func (a Assignment) Days() int {
	f, err1 := time.Parse(DateLayout, a.From)
	t, err2 := time.Parse(DateLayout, a.To)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0
	}
	return int(t.Sub(f).Hours()/24) + 1
}

// Covers reports whether day (YYYY-MM-DD) lies within the assignment.
func (a Assignment) Covers(day string) bool { return a.From <= day && day <= a.To }

func validDate(fe *FieldErrors, field, v string) bool {
	if _, err := time.Parse(DateLayout, v); err != nil {
		fe.Add(field, "must be a date as YYYY-MM-DD, not %q", v)
		return false
	}
	return true
}

// ValidCarrier checks a carrier pseudonym: an alias or badge reference, no
// personal data, so nothing that looks like an e-mail address.
func ValidCarrier(v string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return "is required: an alias or badge reference"
	case strings.Contains(v, "@"):
		return "must be a pseudonym (alias or badge reference), not an e-mail address: the record holds no personal data"
	case len(v) > 64:
		return "must be at most 64 characters"
	}
	return ""
}

// Validate checks the trial and its assignments: dates, the period's
// order, carriers, and that no unit is assigned twice at once.
func (t Trial) Validate() error {
	var fe FieldErrors
	if strings.TrimSpace(t.Name) == "" {
		fe.Add("name", "is required")
	}
	if strings.TrimSpace(t.Site) == "" {
		fe.Add("site", "is required")
	}
	okS, okE := validDate(&fe, "start", t.Start), validDate(&fe, "end", t.End)
	if okS && okE && t.End < t.Start {
		fe.Add("end", "must not be before start (%s)", t.Start)
		okE = false // no period to check the assignments against
	}
	for i, a := range t.Assignments {
		p := fmt.Sprintf("assignments[%d].", i)
		if a.Handset == "" {
			fe.Add(p+"handset", "is required")
		}
		if a.Unit == "" {
			fe.Add(p+"unit", "is required")
		}
		if m := ValidCarrier(a.Carrier); m != "" {
			fe.Add(p+"carrier", "%s", m)
		}
		okF, okT := validDate(&fe, p+"from", a.From), validDate(&fe, p+"to", a.To)
		if !okF || !okT {
			continue
		}
		if a.To < a.From {
			fe.Add(p+"to", "must not be before from (%s)", a.From)
			continue
		}
		if okS && okE && (a.From < t.Start || a.To > t.End) {
			fe.Add(p+"from", "the assignment %s–%s must lie within the trial %s–%s", a.From, a.To, t.Start, t.End)
		}
		for j := range i {
			b := t.Assignments[j]
			if b.Handset == a.Handset && b.Unit == a.Unit && a.From <= b.To && b.From <= a.To {
				fe.Add(p+"from", "unit %s is already assigned from %s to %s (assignments[%d]): one unit, one carrier at a time", a.Unit, b.From, b.To, j)
			}
		}
	}
	return fe.Err("the trial is not valid")
}

// Incident categories and outcomes.
var (
	IncidentCategories = []string{"display_cracked", "housing_damaged", "water_damage", "battery", "charging",
		"buttons", "software", "connectivity", "lost", "other"}
	IncidentOutcomes = []string{"repaired", "replaced", "none"}
)

// Incident is one event on a unit in service. Severity is the drop scale
// of domain.md §1.5 (0 none … 6 safety).
type Incident struct {
	ID               string     `json:"id"`
	Trial            string     `json:"trial"`
	Handset          string     `json:"handset"`
	Unit             string     `json:"unit"`
	Date             string     `json:"date"`
	Category         string     `json:"category"`
	Severity         int        `json:"severity"`
	OutOfServiceH    float64    `json:"out_of_service_h"`
	Outcome          string     `json:"outcome"`
	Notes            string     `json:"notes"`
	Retracted        bool       `json:"retracted"`
	RetractionReason string     `json:"retraction_reason,omitempty"`
	RetractedAt      *time.Time `json:"retracted_at,omitempty"`
	RecordedBy       string     `json:"recorded_by"`
	RecordedAt       time.Time  `json:"recorded_at"`
	Review           Review     `json:"review"` // second-person review (issue #13)
}

// Validate checks one incident's own fields (not its assignment).
func (in Incident) Validate() FieldErrors {
	var fe FieldErrors
	if in.Handset == "" {
		fe.Add("handset", "is required")
	}
	if in.Unit == "" {
		fe.Add("unit", "is required")
	}
	validDate(&fe, "date", in.Date)
	if !slices.Contains(IncidentCategories, in.Category) {
		fe.Add("category", "must be one of %s, not %q", strings.Join(IncidentCategories, ", "), in.Category)
	}
	if in.Severity < 0 || in.Severity > 6 {
		fe.Add("severity", "must be 0 to 6 (the drop severity scale), not %d", in.Severity)
	}
	if math.IsNaN(in.OutOfServiceH) || in.OutOfServiceH < 0 || in.OutOfServiceH > 24*366 {
		fe.Add("out_of_service_h", "must be between 0 and 8784 hours, not %g", in.OutOfServiceH)
	}
	if in.Outcome == "" {
		in.Outcome = "none"
	}
	if !slices.Contains(IncidentOutcomes, in.Outcome) {
		fe.Add("outcome", "must be one of %s, not %q", strings.Join(IncidentOutcomes, ", "), in.Outcome)
	}
	return fe
}

// Shift is one duty shift of a unit, from a fleet-management export.
type Shift struct {
	Trial       string    `json:"trial"`
	Handset     string    `json:"handset"`
	Unit        string    `json:"unit"`
	Start       time.Time `json:"start"`
	LengthH     float64   `json:"length_h"`
	BatteryFrom *float64  `json:"battery_start_pct"`
	BatteryTo   *float64  `json:"battery_end_pct"`
	Charged     bool      `json:"charged"` // charged during the shift
	LastedShift *bool     `json:"lasted_shift"`
}

// Complete validates the shift and derives lasted_shift when both battery
// percentages are given: the battery lasted when it ended above 0 % with
// no charge during the shift. A given lasted_shift that contradicts the
// percentages is a problem.
func (s *Shift) Complete() FieldErrors {
	var fe FieldErrors
	if s.Handset == "" {
		fe.Add("handset", "is required")
	}
	if s.Unit == "" {
		fe.Add("unit", "is required")
	}
	if s.Start.IsZero() {
		fe.Add("start", "is required (RFC 3339)")
	}
	if !(s.LengthH > 0 && s.LengthH <= 24) {
		fe.Add("length_h", "must be more than 0 and at most 24 hours, not %g", s.LengthH)
	}
	pct := func(field string, v *float64) bool {
		if v == nil {
			return false
		}
		if !(*v >= 0 && *v <= 100) {
			fe.Add(field, "must be 0 to 100 (%%), not %g", *v)
			return false
		}
		return true
	}
	okF, okT := pct("battery_start_pct", s.BatteryFrom), pct("battery_end_pct", s.BatteryTo)
	if okF && okT {
		if *s.BatteryTo > *s.BatteryFrom && !s.Charged {
			fe.Add("battery_end_pct", "is above battery_start_pct (%g > %g) with no charge: set charged to true if the unit was charged during the shift", *s.BatteryTo, *s.BatteryFrom)
		}
		lasted := *s.BatteryTo > 0 && !s.Charged
		if s.LastedShift != nil && *s.LastedShift != lasted {
			fe.Add("lasted_shift", "is %t but the battery percentages say %t (lasted: ended above 0 %% with no charge)", *s.LastedShift, lasted)
		}
		s.LastedShift = &lasted
	}
	if s.LastedShift == nil && len(fe) == 0 {
		fe.Add("lasted_shift", "is required unless both battery_start_pct and battery_end_pct are given")
	}
	return fe
}

// Questionnaire is one respondent's System Usability Scale answers for one
// candidate, with optional tender-specific Likert items (1–5).
type Questionnaire struct {
	Trial      string         `json:"trial"`
	Handset    string         `json:"handset"`
	Respondent string         `json:"respondent"`
	SUS        []int          `json:"sus"`
	Custom     map[string]int `json:"custom,omitempty"`
	Score      float64        `json:"score"`
}

// Complete validates the questionnaire and computes its SUS score.
func (q *Questionnaire) Complete(score func([]int) (float64, error)) FieldErrors {
	var fe FieldErrors
	if q.Handset == "" {
		fe.Add("handset", "is required")
	}
	if m := ValidCarrier(q.Respondent); m != "" {
		fe.Add("respondent", "%s", strings.Replace(m, "an alias or badge reference", "the respondent's alias", 1))
	}
	if len(q.SUS) != 10 {
		fe.Add("sus", "must have the 10 SUS items sus1 … sus10, not %d", len(q.SUS))
	} else {
		for i, a := range q.SUS {
			if a < 1 || a > 5 {
				fe.Add(fmt.Sprintf("sus%d", i+1), "must be 1 to 5, not %d", a)
			}
		}
	}
	for k, v := range q.Custom {
		if v < 1 || v > 5 {
			fe.Add(k, "must be 1 to 5 (a Likert item), not %d", v)
		}
	}
	if len(fe) == 0 {
		s, err := score(q.SUS)
		if err != nil {
			fe.Add("sus", "%v", err)
		}
		q.Score = s
	}
	return fe
}
