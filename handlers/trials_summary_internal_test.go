package handlers

import (
	"encoding/json"
	"strings"
	"testing"

	"ruggedlab/models"
	"ruggedlab/store"
)

// The trial summary follows "Not computable is null, with the reason":
// no exposure, no shift, no questionnaire, one respondent, no incident on
// either side of a pair; never [0, 1], [0, Inf] or p = 1 as a stand-in.
func TestTrialSummaryNullReasons(t *testing.T) {
	d := store.TrialData{
		Trial:      models.Trial{ID: "t1"},
		Candidates: []string{"a", "b", "c"},
		DeviceDays: map[string]int{"a": 42, "b": 42, "c": 0},
		Incidents:  map[string]map[string]int{"a": {"display_cracked": 2}, "b": {}, "c": {}},
		Shifts:     map[string][][2]int{"a": {{3, 4}}},
		SUS:        map[string][]float64{"a": {70, 80}, "b": {55}},
	}
	raw, err := json.Marshal(summarize(d, 0.95))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Candidates []map[string]any `json:"candidates"`
		RateRatios []map[string]any `json:"rate_ratios"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	reasons := func(m map[string]any) map[string]any { r, _ := m["null_reasons"].(map[string]any); return r }
	a, b, c := got.Candidates[0], got.Candidates[1], got.Candidates[2]
	if r := reasons(a); len(r) != 0 {
		t.Errorf("a: null_reasons %v, want {}", r)
	}
	sh := b["shifts"].(map[string]any)
	if sh["estimate"] != nil || sh["low"] != nil || sh["high"] != nil || reasons(b)["shifts.low"] == nil {
		t.Errorf("b without shifts: %v, %v; want null share and interval with a reason, not [0, 1]", sh, reasons(b))
	}
	if sus := b["sus"].(map[string]any); sus["mean"] != 55.0 || sus["low"] != nil || reasons(b)["sus.high"] == nil {
		t.Errorf("b with one respondent: %v, %v", sus, reasons(b))
	}
	if r := c["incident_rate_per_1000_device_days"].(map[string]any); r["estimate"] != nil || r["high"] != nil || reasons(c)["incident_rate_per_1000_device_days.high"] == nil {
		t.Errorf("c without exposure: %v, %v", r, reasons(c))
	}
	if sus := c["sus"].(map[string]any); sus["mean"] != nil || reasons(c)["sus.mean"] == nil {
		t.Errorf("c without questionnaire: %v", sus)
	}
	if len(got.RateRatios) != 3 {
		t.Fatalf("rate_ratios %v", got.RateRatios)
	}
	ab, ac, bc := got.RateRatios[0], got.RateRatios[1], got.RateRatios[2]
	if ab["ratio"] != nil || ab["high"] != nil || ab["low"] == nil || ab["p"] == nil || ab["p_holm"] == nil || reasons(ab)["high"] == nil {
		t.Errorf("a vs b (none on b): %v", ab)
	}
	for _, e := range []map[string]any{ac, bc} {
		if e["ratio"] != nil || e["p"] != nil || e["p_holm"] != nil || e["low"] != nil || len(reasons(e)) != 5 {
			t.Errorf("%v vs %v: %v; want everything null with reasons", e["a"], e["b"], e)
		}
	}
	if !strings.Contains(string(raw), `"null_reasons":{}`) {
		t.Errorf("a computed entry must carry null_reasons {}: %s", raw)
	}
	// With only a vs b in the Holm family, its adjusted p is its raw p.
	if ab["p_holm"] != ab["p"] {
		t.Errorf("p_holm %v, p %v", ab["p_holm"], ab["p"])
	}
}
