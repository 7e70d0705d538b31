package handlers

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"ruggedlab/demo"
	"ruggedlab/internal/testdb"
)

// vtDemoProfile is the id of the demo profile.
func vtDemoProfile(t *testing.T, a vtAPI) string {
	t.Helper()
	l := a.want(t, 200, "GET", "/api/v1/profiles", "")
	items := vtList(l["items"])
	if len(items) == 0 {
		t.Fatal("no demo profile")
	}
	return vtObj(items[0])["id"].(string)
}

// vtScheme is a valid scheme body on the demo profile, changed by edit.
func vtScheme(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	sc := demo.Scheme("x", 1)
	b, _ := json.Marshal(map[string]any{"name": sc.Name, "criteria": sc.Criteria, "order": sc.Order, "gates": sc.Gates, "entered": sc.Entered})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if edit != nil {
		edit(m)
	}
	out, _ := json.Marshal(m)
	return string(out)
}

func vtCrit(m map[string]any, i int) map[string]any { return vtList(m["criteria"])[i].(map[string]any) }

// TestAwardAPI: the demo profile's award answers 200 with no parameters
// (Contract), the same request gives the same bytes, a new scheme version
// is recorded and listed, CSV carries the table, and every bad input of
// the issue is a problem naming its field.
func TestAwardAPI(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := vtOpen(t, e, true)
			id := vtDemoProfile(t, a)
			base := "/api/v1/profiles/" + id

			d := a.want(t, 200, "GET", base+"/award", "")
			if vtNum(d["draws"]) != 10000 || vtNum(d["seed"]) != 1 || vtNum(vtObj(d["scheme"])["version"]) != 1 {
				t.Errorf("award header: draws %v seed %v scheme %v", d["draws"], d["seed"], d["scheme"])
			}
			cands := vtList(d["candidates"])
			in := 0
			for _, c := range cands {
				if !vtObj(c)["excluded"].(bool) {
					in++
				}
			}
			for _, c := range cands {
				cm := vtObj(c)
				for _, k := range []string{"handset", "excluded", "reason", "score", "rank", "rank_acceptability", "first_rank_se"} {
					if _, ok := cm[k]; !ok {
						t.Errorf("candidate %v lacks %q", cm["handset"], k)
					}
				}
				ra := vtList(cm["rank_acceptability"])
				if cm["excluded"].(bool) {
					if len(ra) != 0 || cm["score"] != nil || cm["reason"] == "" {
						t.Errorf("excluded %v: %v", cm["handset"], cm)
					}
					continue
				}
				if len(ra) != in {
					t.Errorf("%v: %d rank acceptabilities, want %d", cm["handset"], len(ra), in)
				}
			}
			if in != 3 || len(cands) != 4 {
				t.Errorf("%d candidates, %d in the award; want 4 and 3", len(cands), in)
			}

			q := base + "/award?scheme=1&draws=2000&seed=42"
			r1, r2 := a.do(t, "GET", q, ""), a.do(t, "GET", q, "")
			if r1.status != 200 || !bytes.Equal(r1.body, r2.body) {
				t.Errorf("same seed, different answers:\n%s\n%s", r1.body, r2.body)
			}
			if r3 := a.do(t, "GET", base+"/award?draws=2000&seed=43", ""); bytes.Equal(r1.body, r3.body) {
				t.Error("another seed gives the same bytes")
			}
			csvR := a.do(t, "GET", q+"&format=csv", "")
			rows := vtCSV(t, csvR.body)
			if csvR.status != 200 || len(rows) != 5 || rows[0][0] != "handset" || !strings.Contains(strings.Join(rows[0], ","), "p_rank1") {
				t.Errorf("award CSV: %d %v", csvR.status, rows)
			}

			// A new version: price weighs 50 %, robustness's interval moves.
			body := vtScheme(t, func(m map[string]any) {
				vtCrit(m, 0)["weight"], vtCrit(m, 0)["weight_range"] = 0.2, []any{0.1, 0.3}
				vtCrit(m, 3)["weight"] = 0.5
			})
			s2 := a.want(t, 201, "POST", base+"/schemes", body)
			if vtNum(s2["version"]) != 2 || s2["recorded_by"] == "" {
				t.Errorf("new scheme: %v", s2)
			}
			l := a.want(t, 200, "GET", base+"/schemes", "")
			if items := vtList(l["items"]); len(items) != 2 || vtNum(vtObj(items[1])["version"]) != 2 {
				t.Errorf("schemes list: %v", l)
			}
			if d2 := a.want(t, 200, "GET", base+"/award?draws=500", ""); vtNum(vtObj(d2["scheme"])["version"]) != 2 {
				t.Errorf("default scheme is not the latest: %v", d2["scheme"])
			}
			a.wantProblem(t, 404, "GET", base+"/award?scheme=9", "")
			a.wantProblem(t, 404, "GET", "/api/v1/profiles/nope/schemes", "")

			// Bad input: each names its field; nothing is written.
			bad := []struct {
				name  string
				edit  func(m map[string]any)
				field string
			}{
				{"lower bounds over 1", func(m map[string]any) {
					vtCrit(m, 0)["weight_range"] = []any{0.3, 0.4}
					vtCrit(m, 1)["weight"], vtCrit(m, 1)["weight_range"] = 0.3, []any{0.3, 1}
					vtCrit(m, 2)["weight"], vtCrit(m, 2)["weight_range"] = 0.3, []any{0.3, 1}
				}, "criteria"},
				{"zero price", func(m map[string]any) { vtList(m["entered"])[0].(map[string]any)["value"] = 0 }, "entered[0].value"},
				{"negative price", func(m map[string]any) { vtList(m["entered"])[1].(map[string]any)["value"] = -5 }, "entered[1].value"},
				{"worst equals best", func(m map[string]any) { vtCrit(m, 1)["best"] = 20 }, "criteria[1].best"},
				{"unknown requirement", func(m map[string]any) { vtCrit(m, 0)["requirement"] = "nope" }, "criteria[0].requirement"},
				{"order cycle", func(m map[string]any) {
					m["order"] = []any{[]any{"battery", "repairability"}, []any{"repairability", "battery"}}
				}, "order"},
				{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "colour"},
			}
			for _, b := range bad {
				p := a.wantProblem(t, 422, "POST", base+"/schemes", vtScheme(t, b.edit))
				errs := vtList(p["errors"])
				if len(errs) == 0 || vtObj(errs[0])["field"] != b.field {
					t.Errorf("%s: errors %v, want field %s", b.name, errs, b.field)
				}
			}
			if l := a.want(t, 200, "GET", base+"/schemes", ""); len(vtList(l["items"])) != 2 {
				t.Errorf("a refused scheme was written: %v", l)
			}
			for _, qs := range []struct{ q, field string }{
				{"draws=99", "draws"}, {"draws=50001", "draws"}, {"draws=ten", "draws"},
				{"seed=1.5", "seed"}, {"seed=-1", "seed"}, {"scheme=0", "scheme"},
			} {
				a.wantProblem(t, 422, "GET", base+"/award?"+qs.q, "", qs.field)
			}
		})
	}
}
