package models

import (
	"slices"
	"strings"
)

// Requirements on field evidence (issue #14 item 7): a requirement of kind
// "field" judges one statistic of the field trials instead of lab runs —
// the incident rate per 1,000 device-days on its exact Poisson upper bound,
// the share of shifts the battery lasted (counted per unit first) on its
// Wilson lower bound, or the SUS mean on its t lower bound.

// FieldTrial is the requirement kind of field evidence. It is not a run
// kind: ParseKind and Kinds do not know it.
const FieldTrial Kind = "field"

// Field metrics (Requirement.Metric) and the decision rule each takes.
const (
	IncidentRate = "incident_rate" // incidents per 1,000 device-days ≤ target (upper_bound)
	ShiftsLasted = "shifts_lasted" // share of shifts lasted ≥ target (lower_bound)
	SUSMean      = "sus"           // SUS mean ≥ target (mean_lower_bound)
)

// UpperBound is the rule of a rate that must stay low: met when the upper
// bound of the interval is at most the target, not met when the lower
// bound exceeds it, otherwise inconclusive.
const UpperBound = "upper_bound"

// FieldMetrics lists the metrics in documentation order.
var FieldMetrics = []string{IncidentRate, ShiftsLasted, SUSMean}

// fieldRule is the decision rule of each metric, and the target's range.
var fieldRule = map[string]struct {
	rule     string
	lo, hi   float64
	what     string
	interval string
}{
	IncidentRate: {UpperBound, 0, 1000, "a rate per 1,000 device-days", "exact Poisson upper bound"},
	ShiftsLasted: {LowerBound, 0, 1, "a share of shifts", "Wilson lower bound (units counted first)"},
	SUSMean:      {MeanLowerBound, 0, 100, "a SUS score", "t lower bound"},
}

// FieldRule is the decision rule a field metric is judged with ("" for an
// unknown metric).
func FieldRule(metric string) string { return fieldRule[metric].rule }

// requirementKindNames are the kinds a requirement accepts: the run kinds
// and field.
func requirementKindNames() []string { return append(kindNames(), string(FieldTrial)) }

func parseRequirementKind(s string) bool {
	return slices.Contains(requirementKindNames(), s)
}

// checkField adds the rules of a field requirement (and refuses a metric
// on a lab one).
func (r Requirement) checkField(add func(field, format string, args ...any)) {
	if r.Kind != FieldTrial {
		if r.Metric != "" {
			add("metric", "applies to field requirements only (kind field), not to a %s requirement", r.Kind)
		}
		return
	}
	fr, ok := fieldRule[r.Metric]
	switch {
	case r.Metric == "":
		add("metric", "is required for a field requirement: one of %s", strings.Join(FieldMetrics, ", "))
		return
	case !ok:
		add("metric", "must be one of %s, not %q", strings.Join(FieldMetrics, ", "), r.Metric)
		return
	}
	d := r.Decision
	if d.Rule != fr.rule {
		if d.Rule != "" {
			add("decision.rule", "a field %s requirement is judged with %s (the %s), not %q", r.Metric, fr.rule, fr.interval, d.Rule)
		}
		return
	}
	if d.Target == nil {
		add("decision.target", "is required for a field %s requirement: %s", r.Metric, fr.what)
	} else if t := *d.Target; !(t > fr.lo && t <= fr.hi) {
		add("decision.target", "is %s and must be in (%s, %s], not %s", fr.what, fmtNum(fr.lo), fmtNum(fr.hi), fmtNum(t))
	}
	if len(r.Where.Category) > 0 && r.Metric != IncidentRate {
		add("where.category", "filters incidents: it applies to incident_rate only")
	}
}
