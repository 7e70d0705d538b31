package models_test

import (
	"encoding/json"
	"maps"
	"testing"

	"ruggedlab/models"
)

// apiExample is the profile of api.md §6, verbatim.
const apiExample = `{"name": "FSI tender 2020", "requirements": [
  {"key": "drop-2m", "title": "26 drops from 2 m onto concrete", "kind": "drop",
   "where": {"height_m_min": 2.0, "surface": ["concrete", "steel_on_concrete"], "protective_case": false},
   "unit_passes_if": {"drops_completed_min": 26, "worst_severity_max": 2},
   "decision": {"rule": "lower_bound", "target": 0.5, "confidence": 0.95}, "min_units": 5},
  {"key": "battery-30h", "title": "EU loop runtime ≥ 30 h", "kind": "battery",
   "where": {"protocol": "eu_eei_loop"},
   "decision": {"rule": "mean_lower_bound", "target": 30, "confidence": 0.95}, "min_units": 3}
]}`

func TestDecodeProfileExample(t *testing.T) {
	p, err := models.DecodeProfile([]byte(apiExample))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "FSI tender 2020" || len(p.Requirements) != 2 {
		t.Fatalf("decoded %+v", p)
	}
	d := p.Requirements[0]
	if d.Kind != models.Drop || *d.Where.HeightMMin != 2 || len(d.Where.Surface) != 2 || *d.Where.ProtectiveCase ||
		*d.UnitPassesIf.DropsCompletedMin != 26 || *d.UnitPassesIf.WorstSeverityMax != 2 ||
		d.Decision.Rule != models.LowerBound || *d.Decision.Target != 0.5 || d.MinUnits != 5 {
		t.Errorf("drop requirement = %+v", d)
	}
	// Re-encoding and decoding gives the same profile: what the store
	// writes is what a new version may send back.
	b, _ := json.Marshal(map[string]any{"name": p.Name, "requirements": p.Requirements})
	again, err := models.DecodeProfile(b)
	if err != nil {
		t.Fatalf("round trip: %v\n%s", err, b)
	}
	a1, _ := json.Marshal(p.Requirements)
	a2, _ := json.Marshal(again.Requirements)
	if string(a1) != string(a2) {
		t.Errorf("round trip changed the requirements:\n%s\n%s", a1, a2)
	}
}

func TestDecodeProfileDefaults(t *testing.T) {
	p, err := models.DecodeProfile([]byte(`{"name": "n", "requirements": [
		{"key": "cold", "kind": "temperature", "decision": {"rule": "all_units"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Requirements[0]
	if r.Decision.Confidence != 0.95 || r.MinUnits != 1 || r.Title != "cold" {
		t.Errorf("defaults: confidence %v, min_units %d, title %q; want 0.95, 1, the key", r.Decision.Confidence, r.MinUnits, r.Title)
	}
	one, err := models.DecodeProfile([]byte(`{"name": "n", "requirements": [
		{"key": "b", "kind": "battery", "where": {"protocol": "eu_eei_loop"}, "decision": {"rule": "mean_lower_bound", "target": 30}}]}`))
	if err != nil || len(one.Requirements[0].Where.Protocol) != 1 || one.Requirements[0].Where.Protocol[0] != "eu_eei_loop" {
		t.Errorf("a single value is a list of one: %+v, %v", one.Requirements, err)
	}
	if _, err := models.DecodeProfileVersion([]byte(`{"requirements": [{"key": "k", "kind": "drop", "decision": {"rule": "all_units"}}]}`)); err != nil {
		t.Errorf("a new version may leave the name out: %v", err)
	}
}

// requirement returns a valid drop requirement with changes applied (omit
// removes a field).
func requirement(changes map[string]any) map[string]any {
	r := map[string]any{"key": "drop-2m", "title": "26 drops", "kind": "drop",
		"where":          map[string]any{"height_m_min": 2.0, "surface": []any{"concrete"}},
		"unit_passes_if": map[string]any{"drops_completed_min": 26},
		"decision":       map[string]any{"rule": "lower_bound", "target": 0.5}, "min_units": 5}
	maps.Copy(r, changes)
	for k, v := range r {
		if v == omit {
			delete(r, k)
		}
	}
	return r
}

func profileBody(reqs ...map[string]any) []byte {
	list := make([]any, len(reqs))
	for i, r := range reqs {
		list[i] = r
	}
	b, _ := json.Marshal(map[string]any{"name": "tender", "requirements": list})
	return b
}

func TestDecodeProfileInvalid(t *testing.T) {
	battery := func(d map[string]any) map[string]any {
		return requirement(map[string]any{"kind": "battery", "where": map[string]any{"protocol": []any{"eu_eei_loop"}},
			"unit_passes_if": omit, "decision": d})
	}
	cases := []struct {
		name string
		body []byte
		want []string
		msg  map[string]string
	}{
		{"unknown kind", profileBody(requirement(nil), requirement(map[string]any{"key": "b", "kind": "shock"})),
			[]string{"requirements[1].kind"}, nil},
		{"unknown where field", profileBody(requirement(map[string]any{"where": map[string]any{"height_m_min": 2, "ip_code": []any{"IP68"}}})),
			[]string{"requirements[0].where.ip_code"}, map[string]string{"requirements[0].where.ip_code": "height_m_min, height_m_max, surface, protective_case"}},
		{"unknown unit_passes_if field", profileBody(requirement(map[string]any{"unit_passes_if": map[string]any{"runtime_h_min": 3}})),
			[]string{"requirements[0].unit_passes_if.runtime_h_min"}, nil},
		{"target above 1", profileBody(requirement(nil), requirement(nil), requirement(map[string]any{"key": "c", "decision": map[string]any{"rule": "lower_bound", "target": 1.5}})),
			[]string{"requirements[1].key", "requirements[2].decision.target"}, map[string]string{"requirements[2].decision.target": "(0, 1]"}},
		{"target 0", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "lower_bound", "target": 0}})),
			[]string{"requirements[0].decision.target"}, nil},
		{"target missing", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "lower_bound"}})),
			[]string{"requirements[0].decision.target"}, nil},
		{"target on all_units", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "all_units", "target": 0.9}})),
			[]string{"requirements[0].decision.target"}, nil},
		{"confidence 1", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "lower_bound", "target": 0.5, "confidence": 1}})),
			[]string{"requirements[0].decision.confidence"}, nil},
		{"confidence 0", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "all_units", "confidence": 0}})),
			[]string{"requirements[0].decision.confidence"}, nil},
		{"min_units 0", profileBody(requirement(map[string]any{"min_units": 0})),
			[]string{"requirements[0].min_units"}, nil},
		{"duplicate key", profileBody(requirement(nil), requirement(nil)),
			[]string{"requirements[1].key"}, map[string]string{"requirements[1].key": "requirements[0]"}},
		{"mean_lower_bound on drop", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "mean_lower_bound", "target": 30}})),
			[]string{"requirements[0].decision.rule"}, map[string]string{"requirements[0].decision.rule": "battery"}},
		{"unknown rule", profileBody(requirement(map[string]any{"decision": map[string]any{"rule": "majority"}})),
			[]string{"requirements[0].decision.rule"}, nil},
		{"decision missing", profileBody(requirement(map[string]any{"decision": omit})),
			[]string{"requirements[0].decision"}, nil},
		{"battery all_units without runtime_h_min", profileBody(battery(map[string]any{"rule": "all_units"})),
			[]string{"requirements[0].unit_passes_if.runtime_h_min"}, nil},
		{"battery mean target negative", profileBody(battery(map[string]any{"rule": "mean_lower_bound", "target": -3})),
			[]string{"requirements[0].decision.target"}, nil},
		{"bad surface value", profileBody(requirement(map[string]any{"where": map[string]any{"surface": []any{"concrete", "sand"}}})),
			[]string{"requirements[0].where.surface[1]"}, nil},
		{"surface not a list", profileBody(requirement(map[string]any{"where": map[string]any{"surface": 3}})),
			[]string{"requirements[0].where.surface"}, nil},
		{"min above max", profileBody(requirement(map[string]any{"where": map[string]any{"height_m_min": 2, "height_m_max": 1}})),
			[]string{"requirements[0].where.height_m_max"}, nil},
		{"bad ip code", profileBody(requirement(map[string]any{"kind": "ingress", "unit_passes_if": omit, "where": map[string]any{"ip_code": []any{"IP-68"}},
			"decision": map[string]any{"rule": "all_units"}})),
			[]string{"requirements[0].where.ip_code[0]"}, nil},
		{"ingress requiring nothing", profileBody(requirement(map[string]any{"kind": "ingress", "where": omit,
			"unit_passes_if": map[string]any{"no_ingress": false, "functional_after": false}, "decision": map[string]any{"rule": "all_units"}})),
			[]string{"requirements[0].unit_passes_if"}, nil},
		{"wrong types", profileBody(requirement(map[string]any{"min_units": "5", "where": map[string]any{"height_m_min": "2"}})),
			[]string{"requirements[0].min_units", "requirements[0].where.height_m_min"}, nil},
		{"unknown requirement field", profileBody(requirement(map[string]any{"weight": 2})),
			[]string{"requirements[0].weight"}, nil},
		{"missing key and kind", profileBody(requirement(map[string]any{"key": omit, "kind": omit})),
			[]string{"requirements[0].key", "requirements[0].kind"}, nil},
		{"unknown top-level field", []byte(`{"name": "x", "requirements": [], "owner": "me"}`),
			[]string{"owner", "requirements"}, nil},
		{"no name, no requirements", []byte(`{}`), []string{"name", "requirements"}, nil},
		{"requirements not a list", []byte(`{"name": "x", "requirements": {}}`), []string{"requirements"}, nil},
		{"requirement not an object", []byte(`{"name": "x", "requirements": [3]}`), []string{"requirements[0]"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeProfile(tc.body)
			wantFields(t, err, tc.want...)
			if err != nil && tc.msg != nil {
				wantMessages(t, err, tc.msg)
			}
		})
	}
}

func TestDecodeProfileMalformed(t *testing.T) {
	for _, body := range []string{`[]`, `null`, `{"name": `, `"profile"`} {
		_, err := models.DecodeProfile([]byte(body))
		if models.ErrorCode(err) != models.Malformed {
			t.Errorf("%s: code %s, want malformed (%v)", body, models.ErrorCode(err), err)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	p, err := models.DecodeProfile([]byte(apiExample))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("decoded profile does not validate: %v", err)
	}
	p.Requirements[1].Key = p.Requirements[0].Key
	p.Requirements[0].MinUnits = 0
	wantFields(t, p.Validate(), "requirements[0].min_units", "requirements[1].key")
	wantFields(t, (&models.Profile{Name: "x"}).Validate(), "requirements")
}
