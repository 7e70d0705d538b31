package models_test

import (
	"encoding/json"
	"testing"

	"ruggedlab/models"
)

// fieldRequirement is a valid field requirement of metric with rule and
// target; changes replace fields (omit removes one).
func fieldRequirement(metric, rule string, target any, changes map[string]any) map[string]any {
	d := map[string]any{"rule": rule, "target": target}
	if target == omit {
		delete(d, "target")
	}
	r := map[string]any{"key": "field-" + metric, "title": metric, "kind": "field", "metric": metric,
		"decision": d, "min_units": 5, "unit_passes_if": omit, "where": omit}
	for k, v := range changes {
		r[k] = v
	}
	return requirement(r)
}

func TestProfileFieldRequirements(t *testing.T) {
	body := profileBody(
		fieldRequirement("incident_rate", "upper_bound", 5, map[string]any{"where": map[string]any{"trial": "T1", "category": []any{"display_cracked", "water_damage"}}}),
		fieldRequirement("shifts_lasted", "lower_bound", 0.9, nil),
		fieldRequirement("sus", "mean_lower_bound", 68, map[string]any{"min_units": omit}),
		requirement(nil),
	)
	p, err := models.DecodeProfile(body)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Requirements[0]
	if r.Kind != models.FieldTrial || r.Metric != models.IncidentRate || r.Where.Trial != "T1" || len(r.Where.Category) != 2 ||
		r.Decision.Rule != models.UpperBound || *r.Decision.Target != 5 || r.Decision.Confidence != 0.95 || r.MinUnits != 5 {
		t.Errorf("incident_rate requirement %+v", r)
	}
	if s := p.Requirements[2]; s.Metric != models.SUSMean || s.MinUnits != 1 {
		t.Errorf("sus requirement %+v", s)
	}
	// A lab requirement's JSON is unchanged: no metric, no trial.
	lab, _ := json.Marshal(p.Requirements[3])
	var m map[string]any
	_ = json.Unmarshal(lab, &m)
	if _, ok := m["metric"]; ok {
		t.Errorf("a lab requirement gained a metric: %s", lab)
	}
	if w := m["where"].(map[string]any); w["trial"] != nil || w["category"] != nil {
		t.Errorf("a lab requirement gained field filters: %s", lab)
	}
	// Round trip, as a new version sends a stored profile back.
	b, _ := json.Marshal(map[string]any{"name": p.Name, "requirements": p.Requirements})
	again, err := models.DecodeProfile(b)
	if err != nil {
		t.Fatalf("round trip: %v\n%s", err, b)
	}
	if a1, a2 := jsonText(p.Requirements), jsonText(again.Requirements); a1 != a2 {
		t.Errorf("round trip changed the requirements:\n%s\n%s", a1, a2)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestProfileFieldRequirementsInvalid(t *testing.T) {
	cases := []struct {
		name string
		req  map[string]any
		want string
		msg  string
	}{
		{"unknown metric", fieldRequirement("crashes", "upper_bound", 5, nil), "requirements[0].metric", "incident_rate, shifts_lasted, sus"},
		{"metric missing", fieldRequirement("sus", "mean_lower_bound", 68, map[string]any{"metric": omit}), "requirements[0].metric", "is required"},
		{"metric on a lab requirement", requirement(map[string]any{"metric": "sus"}), "requirements[0].metric", "field requirements only"},
		{"target missing", fieldRequirement("incident_rate", "upper_bound", omit, nil), "requirements[0].decision.target", "per 1,000 device-days"},
		{"rate target 0", fieldRequirement("incident_rate", "upper_bound", 0, nil), "requirements[0].decision.target", "(0, 1000]"},
		{"rate target above 1000", fieldRequirement("incident_rate", "upper_bound", 1500, nil), "requirements[0].decision.target", "(0, 1000]"},
		{"share target above 1", fieldRequirement("shifts_lasted", "lower_bound", 90, nil), "requirements[0].decision.target", "(0, 1]"},
		{"SUS target above 100", fieldRequirement("sus", "mean_lower_bound", 101, nil), "requirements[0].decision.target", "(0, 100]"},
		{"rate with the wrong rule", fieldRequirement("incident_rate", "lower_bound", 5, nil), "requirements[0].decision.rule", "upper_bound"},
		{"SUS with all_units", fieldRequirement("sus", "all_units", 68, nil), "requirements[0].decision.rule", "mean_lower_bound"},
		{"upper_bound on a lab requirement", requirement(map[string]any{"decision": map[string]any{"rule": "upper_bound", "target": 0.5}}), "requirements[0].decision.rule", "field incident rates only"},
		{"category on shifts", fieldRequirement("shifts_lasted", "lower_bound", 0.9, map[string]any{"where": map[string]any{"category": []any{"battery"}}}), "requirements[0].where.category", "incident_rate only"},
		{"unknown category", fieldRequirement("incident_rate", "upper_bound", 5, map[string]any{"where": map[string]any{"category": []any{"dropped"}}}), "requirements[0].where.category[0]", "display_cracked"},
		{"lab filter on a field requirement", fieldRequirement("incident_rate", "upper_bound", 5, map[string]any{"where": map[string]any{"surface": []any{"concrete"}}}), "requirements[0].where.surface", "trial, category"},
		{"unit_passes_if on a field requirement", fieldRequirement("sus", "mean_lower_bound", 68, map[string]any{"unit_passes_if": map[string]any{"runtime_h_min": 3}}), "requirements[0].unit_passes_if.runtime_h_min", "it has none"},
		{"trial filter on a lab requirement", requirement(map[string]any{"where": map[string]any{"trial": "T1"}}), "requirements[0].where.trial", "height_m_min"},
		{"confidence 1", fieldRequirement("sus", "mean_lower_bound", 68, map[string]any{"decision": map[string]any{"rule": "mean_lower_bound", "target": 68, "confidence": 1}}), "requirements[0].decision.confidence", "between 0 and 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeProfile(profileBody(tc.req))
			wantFields(t, err, tc.want)
			if err != nil {
				wantMessages(t, err, map[string]string{tc.want: tc.msg})
			}
		})
	}
}
