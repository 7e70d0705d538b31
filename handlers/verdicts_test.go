package handlers

// Internal tests (package handlers) so that their helpers, all prefixed vt,
// stay out of the handlers_test package other API tests share.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

var vtNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type vtAPI struct {
	h  http.Handler
	st *store.Store
}

// vtOpen serves a fresh, migrated database; with demo it holds the demo
// tender (four candidates, every kind, the demo profile).
func vtOpen(t testing.TB, e testdb.Engine, withDemo bool) vtAPI {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return vtNow }))
	if withDemo {
		if _, err := demo.Load(ctx, st, vtNow); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{Store: st, Now: func() time.Time { return vtNow }}
	return vtAPI{h: s.Routes(), st: st}
}

type vtResponse struct {
	status int
	header http.Header
	body   []byte
}

func (a vtAPI) do(t testing.TB, method, path, body string, hdr ...string) vtResponse {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := apicontract.Serve(t, a.h, req, []byte(body)) // checked against the OpenAPI document (internal/apicontract)
	return vtResponse{w.Code, w.Header(), w.Body.Bytes()}
}

// want checks the status and decodes a JSON object body.
func (a vtAPI) want(t testing.TB, status int, method, path, body string, hdr ...string) map[string]any {
	t.Helper()
	r := a.do(t, method, path, body, hdr...)
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, status, r.body)
	}
	var out map[string]any
	if strings.Contains(r.header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, r.body)
		}
	}
	return out
}

// wantProblem checks a problem answer: status, media type, and the field
// paths its errors name (in order).
func (a vtAPI) wantProblem(t testing.TB, status int, method, path, body string, fields ...string) map[string]any {
	t.Helper()
	r := a.do(t, method, path, body)
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%s %s: %d %s, want %d problem+json\n%s", method, path, r.status, r.header.Get("Content-Type"), status, r.body)
	}
	var p map[string]any
	_ = json.Unmarshal(r.body, &p)
	var got []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		got = append(got, e.(map[string]any)["field"].(string))
	}
	if len(fields) > 0 && !slices.Equal(got, fields) {
		t.Errorf("%s %s: error fields %q, want %q\n%s", method, path, got, fields, r.body)
	}
	return p
}

func vtList(v any) []any         { l, _ := v.([]any); return l }
func vtObj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func vtNum(v any) float64        { f, _ := v.(float64); return f }
func vtCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, b)
	}
	return rows
}

var vtAllCodes = []string{"atlas-r1", "borealis-x", "cobalt-t8", "dune-p5"}

func TestCompareAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)

			d := a.want(t, 200, "GET", "/api/v1/compare?kind=drop&height_m=2&surface=concrete", "")
			if d["kind"] != "drop" || d["counted"] != "units" || vtNum(d["confidence"]) != 0.95 {
				t.Errorf("header: %v", d)
			}
			if f := vtObj(d["filters"]); f["surface"] != "concrete" || vtNum(f["height_m"]) != 2 {
				t.Errorf("filters echo %v", f)
			}
			hs := vtList(d["handsets"])
			var codes []string
			for _, h := range hs {
				codes = append(codes, vtObj(h)["handset"].(string))
			}
			if !slices.Equal(codes, vtAllCodes) {
				t.Errorf("handsets %v", codes)
			}
			atlas := vtObj(hs[0])
			// demo: 8 atlas units, one 2 m run each, all survive (met in the matrix)
			if vtNum(atlas["units"]) != 8 || vtNum(atlas["survived"]) != 8 || atlas["success_run_lower"] == nil {
				t.Errorf("atlas drop: %v", atlas)
			}
			if w := vtList(atlas["wilson"]); len(w) != 2 || vtNum(w[1]) != 1 {
				t.Errorf("wilson is [lower, upper]: %v", atlas["wilson"])
			}
			km := vtObj(atlas["km"])
			if _, ok := km["median"]; !ok || km["steps"] == nil {
				t.Errorf("km %v", km)
			}
			// borealis: 6 units, one 2 m run retracted in the demo history → 5
			if vtNum(vtObj(hs[1])["units"]) != 5 {
				t.Errorf("borealis counts 5 units (one run retracted): %v", vtObj(hs[1])["units"])
			}
			pairs := vtList(d["pairwise"])
			if len(pairs) != 6 {
				t.Fatalf("6 pairs for 4 handsets, got %d", len(pairs))
			}
			for _, k := range []string{"a", "b", "chisq", "df", "p", "fisher_p"} {
				if _, ok := vtObj(pairs[0])[k]; !ok {
					t.Errorf("pair lacks %s: %v", k, pairs[0])
				}
			}
			if o := vtObj(d["overall"]); o == nil || vtNum(o["df"]) != 3 {
				t.Errorf("overall log-rank %v", d["overall"])
			}

			b := a.want(t, 200, "GET", "/api/v1/compare?kind=battery&protocol=eu_eei_loop&handsets=borealis-x,atlas-r1", "")
			bh := vtList(b["handsets"])
			if len(bh) != 2 || vtObj(bh[0])["handset"] != "borealis-x" {
				t.Fatalf("battery handsets in the order asked: %v", bh)
			}
			bat := vtObj(bh[1])
			if len(vtList(bat["unit_means"])) != int(vtNum(bat["n"])) || vtNum(bat["n"]) != 8 || len(vtList(bat["ci"])) != 2 {
				t.Errorf("atlas battery: %v", bat)
			}
			wp := vtObj(vtList(b["pairwise"])[0])
			for _, k := range []string{"a", "b", "t", "df", "p", "diff_ci"} {
				if _, ok := wp[k]; !ok {
					t.Errorf("welch pair lacks %s: %v", k, wp)
				}
			}
			for _, q := range []string{"kind=temperature&procedure=operation_cold", "kind=ingress&ip_code=IP68"} {
				r := a.want(t, 200, "GET", "/api/v1/compare?"+q, "")
				h := vtObj(vtList(r["handsets"])[0])
				for _, k := range []string{"units", "passed", "proportion", "wilson", "clopper_pearson", "success_run_lower"} {
					if _, ok := h[k]; !ok {
						t.Errorf("%s: lacks %s", q, k)
					}
				}
				if _, ok := vtObj(vtList(r["pairwise"])[0])["fisher_p"]; !ok {
					t.Errorf("%s: pairwise lacks fisher_p", q)
				}
			}

			csvResp := a.do(t, "GET", "/api/v1/compare?kind=drop&surface=tumbler&format=csv", "")
			if csvResp.status != 200 || !strings.HasPrefix(csvResp.header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(csvResp.header.Get("Content-Disposition"), "compare-drop.csv") {
				t.Fatalf("csv: %d %v", csvResp.status, csvResp.header)
			}
			rows := vtCSV(t, csvResp.body)
			if len(rows) != 5 || rows[0][0] != "handset" || rows[1][0] != "atlas-r1" || rows[0][11] != "km_median" {
				t.Errorf("csv rows %v", rows)
			}

			// Retracting a run takes it out of the statistics at once.
			before := vtObj(vtList(a.want(t, 200, "GET", "/api/v1/compare?kind=temperature&procedure=thermal_shock&handsets=atlas-r1", "")["handsets"])[0])
			unit := vtObj(vtList(before["per_unit"])[0])
			id := vtList(unit["runs"])[0].(string)
			a.want(t, 200, "POST", "/api/v1/runs/"+id+"/retraction", `{"reason": "chamber log lost"}`)
			after := vtObj(vtList(a.want(t, 200, "GET", "/api/v1/compare?kind=temperature&procedure=thermal_shock&handsets=atlas-r1", "")["handsets"])[0])
			if vtNum(after["units"]) != vtNum(before["units"])-1 {
				t.Errorf("after retraction units %v, before %v", after["units"], before["units"])
			}
		})
	}
}

func TestCompareAPIRefuses(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			p := a.wantProblem(t, 404, "GET", "/api/v1/compare?kind=drop&handsets=atlas-r1,no-such", "")
			if !strings.Contains(p["detail"].(string), `"no-such"`) {
				t.Errorf("404 must name the unknown code: %v", p["detail"])
			}
			cases := []struct {
				query  string
				fields []string
			}{
				{"kind=shock", []string{"kind"}},
				{"", []string{"kind"}},
				{"kind=drop&protocol=web", []string{"protocol"}},
				{"kind=drop&surface=sand", []string{"surface"}},
				{"kind=drop&height_m=2,0", []string{"height_m"}},
				{"kind=battery&height_m=2", []string{"height_m"}},
				{"kind=ingress&ip_code=IP-68", []string{"ip_code"}},
				{"kind=drop&format=xlsx", []string{"format"}},
				{"kind=drop&confidence=95", []string{"confidence"}},
			}
			for _, tc := range cases {
				a.wantProblem(t, 422, "GET", "/api/v1/compare?"+tc.query, "", tc.fields...)
			}
		})
	}
}

const vtProfile = `{"name": "FSI tender 2020", "requirements": [
  {"key": "drop-2m", "title": "26 drops from 2 m onto concrete", "kind": "drop",
   "where": {"height_m_min": 2.0, "surface": ["concrete", "steel_on_concrete"], "protective_case": false},
   "unit_passes_if": {"drops_completed_min": 26, "worst_severity_max": 2},
   "decision": {"rule": "lower_bound", "target": 0.5, "confidence": 0.95}, "min_units": 5},
  {"key": "battery-30h", "title": "EU loop runtime ≥ 30 h", "kind": "battery",
   "where": {"protocol": "eu_eei_loop"},
   "decision": {"rule": "mean_lower_bound", "target": 30, "confidence": 0.95}, "min_units": 3}
]}`

func TestProfilesAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			r := a.do(t, "POST", "/api/v1/profiles", vtProfile, "Idempotency-Key", "p-1")
			if r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			var p map[string]any
			_ = json.Unmarshal(r.body, &p)
			id := p["id"].(string)
			if p["version"] != 1.0 || p["recorded_by"] != "anonymous" || r.header.Get("Location") != "/api/v1/profiles/"+id {
				t.Errorf("created %s, Location %q", r.body, r.header.Get("Location"))
			}
			req := vtObj(vtList(p["requirements"])[1])
			if vtNum(vtObj(req["decision"])["confidence"]) != 0.95 || vtList(vtObj(req["where"])["protocol"])[0] != "eu_eei_loop" {
				t.Errorf("stored requirement %v", req)
			}
			if again := a.do(t, "POST", "/api/v1/profiles", vtProfile, "Idempotency-Key", "p-1"); again.status != 201 || string(again.body) != string(r.body) {
				t.Errorf("idempotent replay: %d %s", again.status, again.body)
			}

			// Version 2 tightens the drop target: the diff shows which cells moved.
			v2body := strings.Replace(vtProfile, `"target": 0.5`, `"target": 0.7`, 1)
			v2body = strings.Replace(v2body, `"name": "FSI tender 2020", `, "", 1)
			v2 := a.want(t, 201, "POST", "/api/v1/profiles/"+id+"/versions", v2body)
			if v2["version"] != 2.0 || v2["name"] != "FSI tender 2020" || v2["id"] != id {
				t.Errorf("version 2: %v", v2)
			}
			if g := a.want(t, 200, "GET", "/api/v1/profiles/"+id, ""); g["version"] != 2.0 || len(vtList(g["versions"])) != 2 {
				t.Errorf("latest: %v", g)
			}
			if g := a.want(t, 200, "GET", "/api/v1/profiles/"+id+"?version=1", ""); g["version"] != 1.0 {
				t.Errorf("version 1: %v", g)
			}
			list := a.want(t, 200, "GET", "/api/v1/profiles?limit=1", "")
			if len(vtList(list["items"])) != 1 || list["next_cursor"] == nil {
				t.Errorf("paged list: %v", list)
			}
			list = a.want(t, 200, "GET", "/api/v1/profiles", "")
			var names []string
			for _, it := range vtList(list["items"]) {
				names = append(names, fmt.Sprint(vtObj(it)["name"], "@", vtObj(it)["version"]))
			}
			if !slices.Equal(names, []string{demo.ProfileName + "@1", "FSI tender 2020@2"}) || list["next_cursor"] != nil {
				t.Errorf("list of latest versions: %v", names)
			}

			m := a.want(t, 200, "GET", "/api/v1/profiles/"+id+"/matrix?version=1&handsets=atlas-r1,borealis-x", "")
			if pr := vtObj(m["profile"]); pr["id"] != id || pr["version"] != 1.0 || pr["name"] != "FSI tender 2020" {
				t.Errorf("matrix profile %v", pr)
			}
			rows := vtList(m["rows"])
			if len(rows) != 2 || vtObj(rows[0])["key"] != "drop-2m" || m["counted"] != "units" {
				t.Fatalf("rows %v", rows)
			}
			cell := vtObj(vtList(vtObj(rows[0])["cells"])[0])
			// atlas: 8 of 8 units survive 26 drops → Wilson [0.676, 1] ≥ 0.5
			if cell["handset"] != "atlas-r1" || cell["verdict"] != "met" || vtNum(cell["n_units"]) != 8 || vtNum(cell["passed_units"]) != 8 ||
				vtNum(cell["estimate"]) != 1 || len(vtList(cell["runs"])) != 8 || cell["reason"] != "" {
				t.Errorf("atlas drop cell %v", cell)
			}
			if ci := vtList(cell["ci"]); len(ci) != 2 || vtNum(ci[0]) < 0.6755 || vtNum(ci[0]) > 0.6757 {
				t.Errorf("atlas ci %v, want [0.6756, 1]", ci)
			}
			bat := vtObj(vtList(vtObj(rows[1])["cells"])[1])
			if bat["handset"] != "borealis-x" || bat["verdict"] == "met" || vtNum(bat["estimate"]) < 20 || vtNum(bat["estimate"]) > 35 {
				t.Errorf("borealis battery cell (mean of unit means, hours) %v", bat)
			}

			d := a.want(t, 200, "GET", "/api/v1/profiles/"+id+"/diff?from=1&to=2", "")
			if d["from"] != 1.0 || d["to"] != 2.0 {
				t.Errorf("diff header %v", d)
			}
			for _, ch := range vtList(d["changes"]) {
				c := vtObj(ch)
				if c["key"] != "drop-2m" || c["from"] == c["to"] {
					t.Errorf("only drop-2m verdicts can change with its target: %v", c)
				}
			}
			if len(vtList(d["changes"])) == 0 {
				t.Error("raising atlas' drop target from 0.5 to 0.7 must change its met verdict")
			}
			if d := a.want(t, 200, "GET", "/api/v1/profiles/"+id+"/diff", ""); d["from"] != 1.0 || d["to"] != 2.0 {
				t.Errorf("diff defaults to the last two versions: %v", d)
			}

			mc := a.do(t, "GET", "/api/v1/profiles/"+id+"/matrix?format=csv", "")
			if mc.status != 200 || !strings.HasPrefix(mc.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("matrix csv %d %s", mc.status, mc.body)
			}
			if cr := vtCSV(t, mc.body); len(cr) != 1+2*4 || cr[0][8] != "verdict" || cr[1][0] != "drop-2m" {
				t.Errorf("matrix csv rows %v", cr)
			}

			a.wantProblem(t, 404, "GET", "/api/v1/profiles/nope", "")
			a.wantProblem(t, 404, "GET", "/api/v1/profiles/"+id+"?version=9", "")
			a.wantProblem(t, 422, "GET", "/api/v1/profiles/"+id+"?version=first", "", "version")
			a.wantProblem(t, 404, "GET", "/api/v1/profiles/"+id+"/matrix?handsets=atlas-r1,ghost", "")
			a.wantProblem(t, 404, "GET", "/api/v1/profiles/nope/matrix", "")
			a.wantProblem(t, 404, "GET", "/api/v1/profiles/"+id+"/diff?from=1&to=7", "")
			a.wantProblem(t, 404, "POST", "/api/v1/profiles/nope/versions", vtProfile)
		})
	}
}

func TestProfilesAPIRefuses(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, false)
			req := func(changes string) string {
				base := `"key": "drop-2m", "kind": "drop", "where": {"height_m_min": 2}, "decision": {"rule": "lower_bound", "target": 0.5}, "min_units": 5`
				return `{"name": "t", "requirements": [{"key": "ok", "kind": "temperature", "decision": {"rule": "all_units"}}, {"key": "ok2", "kind": "temperature", "decision": {"rule": "all_units"}}, {` + base + changes + `}]}`
			}
			cases := []struct {
				name, body string
				fields     []string
			}{
				{"unknown kind", strings.Replace(req(""), `"kind": "drop"`, `"kind": "shock"`, 1), []string{"requirements[2].kind"}},
				{"unknown where field", strings.Replace(req(""), `{"height_m_min": 2}`, `{"height_m_min": 2, "colour": "red"}`, 1), []string{"requirements[2].where.colour"}},
				{"target above 1", strings.Replace(req(""), `"target": 0.5`, `"target": 1.2`, 1), []string{"requirements[2].decision.target"}},
				{"target 0", strings.Replace(req(""), `"target": 0.5`, `"target": 0`, 1), []string{"requirements[2].decision.target"}},
				{"confidence 1", strings.Replace(req(""), `"target": 0.5`, `"target": 0.5, "confidence": 1`, 1), []string{"requirements[2].decision.confidence"}},
				{"min_units 0", strings.Replace(req(""), `"min_units": 5`, `"min_units": 0`, 1), []string{"requirements[2].min_units"}},
				{"duplicate key", strings.Replace(req(""), `"key": "drop-2m"`, `"key": "ok"`, 1), []string{"requirements[2].key"}},
				{"mean rule on drop", strings.Replace(req(""), `"rule": "lower_bound", "target": 0.5`, `"rule": "mean_lower_bound", "target": 30`, 1), []string{"requirements[2].decision.rule"}},
				{"unknown top-level field", `{"name": "t", "requirements": [], "x": 1}`, []string{"requirements", "x"}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					a.wantProblem(t, 422, "POST", "/api/v1/profiles", tc.body, tc.fields...)
				})
			}
			a.wantProblem(t, 400, "POST", "/api/v1/profiles", `[]`)
			a.wantProblem(t, 400, "POST", "/api/v1/profiles", `{"name": `)
			if r := a.do(t, "POST", "/api/v1/profiles", vtProfile, "Content-Type", "text/plain"); r.status != 415 {
				t.Errorf("text/plain: %d", r.status)
			}
			if l := a.want(t, 200, "GET", "/api/v1/profiles", ""); string(must(json.Marshal(l))) != `{"items":[],"next_cursor":null}` {
				t.Errorf("nothing was written: %v", l)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestPlanAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			sr := vtObj(a.want(t, 200, "GET", "/api/v1/plan?target=0.9&confidence=0.9", "")["success_run"])
			if vtNum(sr["units"]) != 22 {
				t.Errorf("0.9 @ 90 %%: %v, want 22 units (domain.md §6.1)", sr)
			}
			if sr := vtObj(a.want(t, 200, "GET", "/api/v1/plan?target=0.99", "")["success_run"]); vtNum(sr["units"]) != 299 {
				t.Errorf("0.99 @ default 95 %%: %v, want 299", sr)
			}
			id := vtObj(vtList(a.want(t, 200, "GET", "/api/v1/profiles", "")["items"])[0])["id"].(string)
			pl := a.want(t, 200, "GET", "/api/v1/plan?profile="+id, "")
			if pl["success_run"] != nil || len(vtList(pl["rows"])) != len(demo.Profile().Requirements) {
				t.Fatalf("plan for the demo profile: %v", pl)
			}
			seen := map[string]bool{}
			for _, r := range vtList(pl["rows"]) {
				for _, c := range vtList(vtObj(r)["cells"]) {
					cell := vtObj(c)
					if _, ok := cell["more_passing_units"]; !ok || cell["note"] == "" {
						t.Errorf("cell %v", cell)
					}
					seen[cell["verdict"].(string)] = true
					if cell["verdict"] == "met" && vtNum(cell["more_passing_units"]) != 0 {
						t.Errorf("a met cell needs nothing more: %v", cell)
					}
				}
			}
			if !seen["inconclusive"] {
				t.Errorf("demo plan has no inconclusive cell to plan for: %v", seen)
			}
			a.wantProblem(t, 422, "GET", "/api/v1/plan", "", "target")
			a.wantProblem(t, 422, "GET", "/api/v1/plan?target=1&confidence=0.9", "", "target")
			a.wantProblem(t, 422, "GET", "/api/v1/plan?target=0.9&confidence=1.5", "", "confidence")
			a.wantProblem(t, 404, "GET", "/api/v1/plan?profile=nope", "")
		})
	}
}

// The demo's atlas-r1 has 18 units: 8 in the lab, 10 carried in the field pilot.
func TestHandsetMeasuredAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			h := a.want(t, 200, "GET", "/api/v1/handsets/atlas-r1", "")
			if h["code"] != "atlas-r1" || h["name"] != "Atlas R1" || vtNum(h["unit_count"]) != 18 || vtObj(h["declared"])["ip_code"] != "IP68" {
				t.Errorf("existing fields must stay: %v", h)
			}
			m := vtObj(h["measured"])
			ff := vtObj(m["free_fall"])
			if ff == nil || vtNum(ff["units"]) != 8 || len(vtList(ff["per_unit"])) != 8 {
				t.Fatalf("free_fall %v", m["free_fall"])
			}
			low := 1e9
			for _, u := range vtList(ff["per_unit"]) {
				low = min(low, vtNum(vtObj(u)["falls"]))
			}
			if vtNum(ff["falls_without_defect"]) != low {
				t.Errorf("falls_without_defect %v, want the minimum over units %v", ff["falls_without_defect"], low)
			}
			bat := vtObj(m["battery"])
			// 5000 mAh at 3.87 V: EEI = runtime × 1000 / 19350
			eei := vtNum(bat["eei"])
			if want := float64(int(vtNum(bat["runtime_h"])*1000/19350*100+0.5)) / 100; eei != want || bat["class"] == nil {
				t.Errorf("battery %v: eei %v, want %v and a class", bat, eei, want)
			}
			if m["ip_code"] == nil || m["counted"] != "units" {
				t.Errorf("measured %v", m)
			}
			cobalt := vtObj(a.want(t, 200, "GET", "/api/v1/handsets/cobalt-t8", "")["measured"])
			if cb := vtObj(cobalt["battery"]); cb["eei"] == nil || cb["class"] != nil {
				t.Errorf("tablet EEI without a class: %v", cb)
			}
			a.wantProblem(t, 404, "GET", "/api/v1/handsets/ghost-1", "")
			a.want(t, 201, "POST", "/api/v1/handsets", `{"code": "bare-1", "name": "Bare", "manufacturer": "M", "form_factor": "phone"}`)
			bm := vtObj(a.want(t, 200, "GET", "/api/v1/handsets/bare-1", "")["measured"])
			if bm["free_fall"] != nil || bm["battery"] != nil || bm["ip_code"] != nil {
				t.Errorf("no runs, nothing measured: %v", bm)
			}
		})
	}
}

func TestSafeCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+cmd", "'+cmd"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"-20", "-20"},
		{"-0.375", "-0.375"},
		{"-1e-05", "-1e-05"},
		{"0.5", "0.5"},
		{"drop-2m", "drop-2m"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := safeCell(tc.in); got != tc.want {
			t.Errorf("safeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMatrixCSVNeutralisesFormulas: a title is user text and reaches the
// export; a formula in it must arrive as text.
func TestMatrixCSVNeutralisesFormulas(t *testing.T) {
	a := vtOpen(t, testdb.SQLite(t), false)
	a.want(t, 201, "POST", "/api/v1/handsets", `{"code": "atlas-r1", "name": "Atlas", "manufacturer": "M", "form_factor": "phone"}`)
	p := a.want(t, 201, "POST", "/api/v1/profiles", `{"name": "t", "requirements": [{"key": "cold", "title": "=HYPERLINK(\"http://evil\",\"ok\")",
		"kind": "temperature", "where": {"setpoint_c_max": -20}, "decision": {"rule": "all_units"}}]}`)
	r := a.do(t, "GET", "/api/v1/profiles/"+p["id"].(string)+"/matrix?format=csv", "")
	rows := vtCSV(t, r.body)
	if rows[1][1] != `'=HYPERLINK("http://evil","ok")` {
		t.Errorf("title cell %q", rows[1][1])
	}
}
