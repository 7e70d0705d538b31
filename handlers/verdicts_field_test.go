package handlers_test

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func decodeInto(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%v\n%s", err, r.Body)
	}
}

// fieldProfile is a profile with the three field metrics beside a lab
// requirement.
const fieldProfile = `{"name": "Pilote", "requirements": [
  {"key": "field-incidents", "title": "≤ 50 incidents per 1,000 device-days", "kind": "field", "metric": "incident_rate",
   "decision": {"rule": "upper_bound", "target": 50}},
  {"key": "field-cracks", "kind": "field", "metric": "incident_rate", "where": {"category": ["display_cracked"]},
   "decision": {"rule": "upper_bound", "target": 50}},
  {"key": "field-shifts", "kind": "field", "metric": "shifts_lasted", "decision": {"rule": "lower_bound", "target": 0.3}},
  {"key": "field-sus", "kind": "field", "metric": "sus", "decision": {"rule": "mean_lower_bound", "target": 68}},
  {"key": "drop", "kind": "drop", "decision": {"rule": "all_units"}}
]}`

type fieldCell struct {
	Handset  string    `json:"handset"`
	Verdict  string    `json:"verdict"`
	NUnits   int       `json:"n_units"`
	Estimate *float64  `json:"estimate"`
	CI       []float64 `json:"ci"`
	Reason   string    `json:"reason"`
	Field    *struct {
		Trials     []string `json:"trials"`
		DeviceDays int      `json:"device_days"`
		Incidents  int      `json:"incidents"`
	} `json:"field"`
}

func matrixCells(t *testing.T, a *testAPI, id string) map[string]map[string]fieldCell {
	t.Helper()
	var m struct {
		Rows []struct {
			Key    string      `json:"key"`
			Kind   string      `json:"kind"`
			Metric string      `json:"metric"`
			Cells  []fieldCell `json:"cells"`
		} `json:"rows"`
	}
	decodeInto(t, a.must(t, 200, "GET", "/api/v1/profiles/"+id+"/matrix", ""), &m)
	out := map[string]map[string]fieldCell{}
	for _, r := range m.Rows {
		out[r.Key] = map[string]fieldCell{}
		for _, c := range r.Cells {
			out[r.Key][c.Handset] = c
		}
	}
	return out
}

func TestFieldRequirementsInMatrix(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		// Bad field requirements: 422 naming the field, nothing written.
		bad := []struct{ body, field string }{
			{strings.Replace(fieldProfile, `"metric": "sus"`, `"metric": "happiness"`, 1), "requirements[3].metric"},
			{strings.Replace(fieldProfile, `"metric": "shifts_lasted", `, ``, 1), "requirements[2].metric"},
			{strings.Replace(fieldProfile, `"rule": "mean_lower_bound", "target": 68`, `"rule": "mean_lower_bound"`, 1), "requirements[3].decision.target"},
			{strings.Replace(fieldProfile, `"target": 0.3`, `"target": 90`, 1), "requirements[2].decision.target"},
			{strings.Replace(fieldProfile, `"upper_bound", "target": 50}},
  {"key": "field-cracks"`, `"upper_bound", "target": 5000}},
  {"key": "field-cracks"`, 1), "requirements[0].decision.target"},
		}
		for _, b := range bad {
			wantProblem(t, a.call(t, "POST", "/api/v1/profiles", b.body), 422, b.field)
		}
		if l := decodeList(t, a.must(t, 200, "GET", "/api/v1/profiles", "")); len(l.Items) != 0 {
			t.Fatalf("a rejected profile was written: %v", l.Items)
		}
		pid := object(t, a.must(t, 201, "POST", "/api/v1/profiles", fieldProfile))["id"].(string)

		// Without a trial: field cells are inconclusive, lab rows as ever.
		cells := matrixCells(t, a, pid)
		if c := cells["field-incidents"]["atlas-r1"]; c.Verdict != "inconclusive" || c.Estimate != nil || !strings.Contains(c.Reason, "no unit of this handset") {
			t.Errorf("no trial: %+v", c)
		}
		if c := cells["drop"]["atlas-r1"]; c.Field != nil {
			t.Errorf("a lab cell has field detail: %+v", c)
		}

		tid := object(t, a.must(t, 201, "POST", "/api/v1/trials", trialBody(nil)))["id"].(string)
		// atlas-r1: 84 device-days, 0 incidents: exact upper 3.689/84×1000 = 43.9 ≤ 50.
		cells = matrixCells(t, a, pid)
		if c := cells["field-incidents"]["atlas-r1"]; c.Verdict != "met" || c.NUnits != 2 || c.Field == nil || c.Field.DeviceDays != 84 ||
			len(c.Field.Trials) != 1 || c.Field.Trials[0] != tid || len(c.CI) != 2 || c.CI[1] < 43.91 || c.CI[1] > 43.92 {
			t.Errorf("atlas incident rate, no incident: %+v %+v", c, c.Field)
		}
		// borealis-x: 42 device-days: upper 87.8 contains 50.
		if c := cells["field-incidents"]["borealis-x"]; c.Verdict != "inconclusive" || c.Field.DeviceDays != 42 || !strings.Contains(c.Reason, "more exposure needed") {
			t.Errorf("borealis incident rate: %+v", c)
		}

		// An incident changes the (cached) matrix: the write raised the data version.
		a.must(t, 201, "POST", "/api/v1/trials/"+tid+"/incidents",
			`{"handset":"atlas-r1","unit":"ATL-0002","date":"2026-03-10","category":"software","severity":1}`)
		cells = matrixCells(t, a, pid)
		if c := cells["field-incidents"]["atlas-r1"]; c.Field.Incidents != 1 || c.Verdict != "inconclusive" {
			t.Errorf("after an incident the matrix still says %+v", c)
		}
		if c := cells["field-cracks"]["atlas-r1"]; c.Field.Incidents != 0 || c.Verdict != "met" {
			t.Errorf("a software incident is not a display crack: %+v", c)
		}

		// Shifts and questionnaires.
		var sh strings.Builder
		sh.WriteString("trial,handset,unit,start,length_h,battery_start_pct,battery_end_pct,charged,lasted_shift\n")
		for d := 2; d <= 9; d++ {
			for _, u := range []string{"ATL-0001", "ATL-0002"} {
				sh.WriteString(tid + ",atlas-r1," + u + ",2026-03-0" + string(rune('0'+d)) + "T07:00:00Z,8,100,40,false,\n")
			}
			sh.WriteString(tid + ",borealis-x,BOR-0001,2026-03-0" + string(rune('0'+d)) + "T07:00:00Z,10,100,,,false\n")
		}
		a.must(t, 201, "POST", "/api/v1/imports/shift", sh.String(), "Content-Type", "text/csv")
		q := "trial,handset,respondent,sus1,sus2,sus3,sus4,sus5,sus6,sus7,sus8,sus9,sus10\n" +
			tid + ",atlas-r1,BR-1041,4,2,5,1,4,2,4,2,5,2\n" + tid + ",atlas-r1,BR-2002,5,1,5,1,5,1,5,1,5,1\n" +
			tid + ",atlas-r1,BR-1077,5,1,5,2,5,1,5,1,5,1\n"
		a.must(t, 201, "POST", "/api/v1/imports/questionnaire", q, "Content-Type", "text/csv")
		cells = matrixCells(t, a, pid)
		if c := cells["field-shifts"]["atlas-r1"]; c.Verdict != "met" || c.NUnits != 2 {
			t.Errorf("atlas shifts: %+v", c)
		}
		if c := cells["field-shifts"]["borealis-x"]; c.Verdict != "inconclusive" || c.NUnits != 1 || *c.Estimate != 0 {
			t.Errorf("borealis shifts (1 unit, none lasted): %+v", c)
		}
		// SUS 82.5, 100, 97.5: mean 93.33, t lower bound 93.33 − 4.303·9.46/√3 = 69.8 ≥ 68.
		if c := cells["field-sus"]["atlas-r1"]; c.Verdict != "met" || c.NUnits != 3 || *c.Estimate < 93.33 || *c.Estimate > 93.34 {
			t.Errorf("atlas SUS: %+v", c)
		}
		if c := cells["field-sus"]["borealis-x"]; c.Verdict != "inconclusive" || c.Estimate != nil {
			t.Errorf("borealis SUS (no questionnaire): %+v", c)
		}

		// The CSV export carries the field columns.
		rows, err := csv.NewReader(strings.NewReader(string(a.must(t, 200, "GET", "/api/v1/profiles/"+pid+"/matrix?format=csv", "").Body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := strings.Join(rows[0], ",")
		if !strings.HasSuffix(head, ",runs,metric,trials,device_days,incidents,shifts,shifts_lasted,respondents") || len(rows) != 1+5*2 {
			t.Fatalf("csv header %s, %d rows", head, len(rows))
		}
		if r := rows[1]; r[0] != "field-incidents" || r[2] != "field" || r[3] != "upper_bound" || r[16] != "incident_rate" || r[17] != tid || r[18] != "84" || r[19] != "1" {
			t.Errorf("csv field row %v", r)
		}
		if r := rows[9]; r[0] != "drop" || r[16] != "" {
			t.Errorf("csv lab row %v", r)
		}

		// Plan: a field cell is not moved by lab units.
		plan := object(t, a.must(t, 200, "GET", "/api/v1/plan?profile="+pid, ""))
		if s := mustJSON(plan); !strings.Contains(s, "more exposure in the trial") {
			t.Errorf("plan of field rows: %s", s)
		}

		// Award: a field requirement as a criterion, its interval in value_sources.
		scheme := `{"name": "field", "criteria": [
		  {"key": "incidents", "source": "requirement", "requirement": "field-incidents", "direction": "lower", "value_function": "linear", "worst": 100, "best": 0, "weight": 0.5},
		  {"key": "shifts", "source": "requirement", "requirement": "field-shifts", "direction": "higher", "value_function": "linear", "worst": 0, "best": 1, "weight": 0.5}]}`
		a.must(t, 201, "POST", "/api/v1/profiles/"+pid+"/schemes", scheme)
		var aw struct {
			Candidates []struct {
				Handset  string     `json:"handset"`
				Excluded bool       `json:"excluded"`
				Values   []*float64 `json:"values"`
				Sources  []string   `json:"value_sources"`
			} `json:"candidates"`
		}
		decodeInto(t, a.must(t, 200, "GET", "/api/v1/profiles/"+pid+"/award?draws=1000", ""), &aw)
		if len(aw.Candidates) != 2 || aw.Candidates[0].Excluded || aw.Candidates[0].Values[0] == nil ||
			!strings.Contains(aw.Candidates[0].Sources[0], "1 incident(s) in 84 device-days [") ||
			!strings.Contains(aw.Candidates[0].Sources[1], "share of shifts lasted over 2 unit(s) [") {
			t.Errorf("award: %+v", aw)
		}
	})
}
