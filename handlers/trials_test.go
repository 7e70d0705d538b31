package handlers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func trialBody(changes map[string]any) string {
	base := map[string]any{"name": "Pilote Lyon", "site": "DDSP 69", "start": "2026-03-02", "end": "2026-04-12",
		"assignments": []any{
			map[string]any{"handset": "atlas-r1", "unit": "ATL-0001", "carrier": "BR-1041", "from": "2026-03-02", "to": "2026-03-21"},
			map[string]any{"handset": "atlas-r1", "unit": "ATL-0001", "carrier": "BR-1077", "from": "2026-03-22", "to": "2026-04-12"},
			map[string]any{"handset": "atlas-r1", "unit": "ATL-0002", "carrier": "BR-2002", "from": "2026-03-02", "to": "2026-04-12"},
			map[string]any{"handset": "borealis-x", "unit": "BOR-0001", "carrier": "GX-7", "from": "2026-03-02", "to": "2026-04-12"},
		}}
	return mustJSON(with(base, changes))
}

type trialCSVError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// trialCSVProblem checks a 422 and returns its row/column errors.
func trialCSVProblem(t *testing.T, r response) []trialCSVError {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); r.Status != 422 || !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("status %d, %s, want a 422 problem\n%s", r.Status, ct, r.Body)
	}
	var p struct {
		Errors []trialCSVError `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p.Errors
}

func csvPost(a *testAPI, t *testing.T, path, file string) response {
	t.Helper()
	return a.call(t, "POST", path, file, "Content-Type", "text/csv")
}

func TestTrials(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		// Bad trials: nothing written.
		bad := func(changes map[string]any, fields ...string) {
			t.Helper()
			wantProblem(t, a.call(t, "POST", "/api/v1/trials", trialBody(changes)), 422, fields...)
		}
		bad(map[string]any{"end": "2026-03-01"}, "end")
		bad(map[string]any{"assignments": []any{map[string]any{"handset": "atlas-r1", "unit": "ATL-0001", "carrier": "jean.dupont@police.fr", "from": "2026-03-02", "to": "2026-03-21"}}}, "assignments[0].carrier")
		bad(map[string]any{"assignments": []any{
			map[string]any{"handset": "atlas-r1", "unit": "ATL-0001", "carrier": "A", "from": "2026-03-02", "to": "2026-03-21"},
			map[string]any{"handset": "atlas-r1", "unit": "ATL-0001", "carrier": "B", "from": "2026-03-21", "to": "2026-04-01"}}}, "assignments[1].from")
		bad(map[string]any{"assignments": []any{map[string]any{"handset": "atlas-r1", "unit": "NOPE", "carrier": "A", "from": "2026-03-02", "to": "2026-03-21"}}}, "assignments[0].unit")
		if l := decodeList(t, a.must(t, 200, "GET", "/api/v1/trials", "")); len(l.Items) != 0 {
			t.Fatalf("a rejected trial was written: %v", l.Items)
		}
		tr := object(t, a.must(t, 201, "POST", "/api/v1/trials", trialBody(nil)))
		id := tr["id"].(string)
		got := object(t, a.must(t, 200, "GET", "/api/v1/trials/"+id, ""))
		if n := len(got["assignments"].([]any)); n != 4 || !strings.Contains(mustJSON(got), "ATL-0002") {
			t.Logf("%v", got)
			t.Fatalf("%d assignments", n)
		}

		// One incident by JSON, one outside any assignment.
		inc := `{"handset":"atlas-r1","unit":"ATL-0002","date":"2026-03-10","category":"display_cracked","severity":3,"out_of_service_h":48,"outcome":"replaced"}`
		i1 := object(t, a.must(t, 201, "POST", "/api/v1/trials/"+id+"/incidents", inc))
		wantProblem(t, a.call(t, "POST", "/api/v1/trials/"+id+"/incidents", strings.Replace(inc, "2026-03-10", "2026-05-10", 1)), 422, "date")
		wantProblem(t, a.call(t, "POST", "/api/v1/trials/"+id+"/incidents", strings.Replace(inc, "display_cracked", "dropped", 1)), 422, "category")

		// Incident CSV: one bad row rejects the file.
		head := "trial,handset,unit,date,category,severity,out_of_service_h,outcome,notes\n"
		good := fmt.Sprintf("%s,atlas-r1,ATL-0001,2026-03-25,water_damage,5,72,replaced,rain\n%s,borealis-x,BOR-0001,2026-03-05,buttons,4,0,repaired,\n", id, id)
		p := trialCSVProblem(t, csvPost(a, t, "/api/v1/imports/incident", head+good+id+",atlas-r1,ATL-0001,2026-04-20,other,1,0,none,\n"))
		if len(p) != 1 || p[0].Row != 4 || p[0].Column != "date" {
			t.Errorf("incident outside assignment: %+v", p)
		}
		dry := object(t, a.must(t, 200, "POST", "/api/v1/imports/incident?dry_run=true", head+good, "Content-Type", "text/csv"))
		if dry["rows"].(float64) != 2 {
			t.Errorf("dry run: %v", dry)
		}
		a.must(t, 201, "POST", "/api/v1/imports/incident", head+good, "Content-Type", "text/csv")
		if r := a.call(t, "POST", "/api/v1/trials/"+id+"/incidents/"+i1["id"].(string)+"/retraction", `{"reason":"counted twice"}`); r.Status != 200 {
			t.Fatalf("retraction: %d %s", r.Status, r.Body)
		}
		l := decodeList(t, a.must(t, 200, "GET", "/api/v1/trials/"+id+"/incidents", ""))
		if len(l.Items) != 3 {
			t.Fatalf("%d incidents", len(l.Items))
		}

		// Shifts: > 24 h and a battery gaining charge are refused by row and column.
		sh := "trial,handset,unit,start,length_h,battery_start_pct,battery_end_pct,charged,lasted_shift\n"
		var b strings.Builder
		b.WriteString(sh)
		for d := 2; d <= 11; d++ {
			fmt.Fprintf(&b, "%s,atlas-r1,ATL-0001,2026-03-%02dT07:00:00Z,8,100,%d,false,\n", id, d, 33-3*d)
			fmt.Fprintf(&b, "%s,borealis-x,BOR-0001,2026-03-%02dT07:00:00Z,10,100,,,true\n", id, d)
		}
		p = trialCSVProblem(t, csvPost(a, t, "/api/v1/imports/shift", b.String()+
			id+",atlas-r1,ATL-0002,2026-03-02T07:00:00Z,26,100,40,false,\n"+
			id+",atlas-r1,ATL-0002,2026-03-03T07:00:00Z,8,40,90,false,\n"))
		if len(p) != 2 || p[0].Row != 22 || p[0].Column != "length_h" || p[1].Row != 23 || p[1].Column != "battery_end_pct" {
			t.Errorf("shift problems: %+v", p)
		}
		a.must(t, 201, "POST", "/api/v1/imports/shift", b.String()+id+",atlas-r1,ATL-0002,2026-03-03T07:00:00Z,8,40,90,true,\n", "Content-Type", "text/csv")

		// Questionnaires: 9 items or an answer of 6 are refused.
		q := "trial,handset,respondent,sus1,sus2,sus3,sus4,sus5,sus6,sus7,sus8,sus9,sus10,gloves\n"
		rows := []string{
			id + ",atlas-r1,BR-1041,4,2,5,1,4,2,4,2,5,2,4\n", id + ",atlas-r1,BR-2002,5,1,5,1,5,1,5,1,5,1,\n",
			id + ",borealis-x,GX-7,3,3,3,3,3,3,3,3,3,3,2\n",
		}
		p = trialCSVProblem(t, csvPost(a, t, "/api/v1/imports/questionnaire", q+rows[0]+id+",atlas-r1,X,6,2,5,1,4,2,4,2,5,2,\n"))
		if len(p) != 1 || p[0].Row != 3 || p[0].Column != "sus1" {
			t.Errorf("SUS answer 6: %+v", p)
		}
		nine := strings.Replace(q, ",sus10", "", 1)
		p = trialCSVProblem(t, csvPost(a, t, "/api/v1/imports/questionnaire", nine+id+",atlas-r1,BR-1041,4,2,5,1,4,2,4,2,5,4\n"))
		if len(p) != 1 || p[0].Column != "sus10" {
			t.Errorf("9 items: %+v", p)
		}
		a.must(t, 201, "POST", "/api/v1/imports/questionnaire", q+strings.Join(rows, ""), "Content-Type", "text/csv")

		// The summary.
		s := object(t, a.must(t, 200, "GET", "/api/v1/trials/"+id+"/summary?confidence=0.95", ""))
		cands := s["candidates"].([]any)
		if len(cands) != 2 {
			t.Fatalf("candidates %v", cands)
		}
		atlas, bor := cands[0].(map[string]any), cands[1].(map[string]any)
		if atlas["handset"] != "atlas-r1" || atlas["device_days"].(float64) != 84 || atlas["incidents"].(float64) != 1 {
			t.Errorf("atlas: %v", atlas)
		}
		r := atlas["incident_rate_per_1000_device_days"].(map[string]any)
		// poisson.test(1, 84): 1/84 = 0.0119, [0.000301, 0.0663]
		if math.Abs(r["estimate"].(float64)-1000.0/84) > 1e-9 || math.Abs(r["high"].(float64)-1000*5.571643/84) > 1e-3 {
			t.Errorf("atlas rate %v", r)
		}
		shifts := atlas["shifts"].(map[string]any)
		// ATL-0001: 9 of 10 lasted (the 10th ended at 0 %); ATL-0002: 0 of 1 (charged).
		if shifts["units"].(float64) != 2 || shifts["lasted"].(float64) != 9 || shifts["total"].(float64) != 11 || math.Abs(shifts["estimate"].(float64)-0.45) > 1e-12 {
			t.Errorf("atlas shifts %v", shifts)
		}
		sus := bor["sus"].(map[string]any)
		if sus["respondents"].(float64) != 1 || sus["mean"].(float64) != 50 || sus["low"] != nil {
			t.Errorf("borealis sus %v", sus)
		}
		if why := bor["null_reasons"].(map[string]any); why["sus.low"] == nil || why["sus.high"] == nil || why["sus.mean"] != nil {
			t.Errorf("borealis null_reasons %v; want sus.low and sus.high (one respondent)", why)
		}
		if why := atlas["null_reasons"].(map[string]any); len(why) != 0 {
			t.Errorf("atlas null_reasons %v; want {}", why)
		}
		if sus := atlas["sus"].(map[string]any); sus["mean"].(float64) != (82.5+100)/2 {
			t.Errorf("atlas sus %v", sus)
		}
		rr := s["rate_ratios"].([]any)
		if len(rr) != 1 || rr[0].(map[string]any)["a"] != "atlas-r1" || rr[0].(map[string]any)["p_holm"] == nil {
			t.Errorf("rate ratios %v", rr)
		}
		wantProblem(t, a.call(t, "GET", "/api/v1/trials/"+id+"/summary?confidence=95", ""), 422, "confidence")
		wantProblem(t, a.call(t, "GET", "/api/v1/trials/nope/summary", ""), 404)
	})
}
