package handlers_test

import (
	"slices"
	"testing"
)

// recordRuns records five runs whose start times are out of creation order
// and retracts one; it returns their ids by name.
//
//	name   kind         unit      started
//	drop   drop         ATL-0001  05-20
//	cold   temperature  ATL-0001  05-22  (retracted)
//	batt   battery      ATL-0001  05-25
//	bdrop  drop         BOR-0001  05-26
//	water  ingress      ATL-0002  05-28
func recordRuns(t *testing.T, a *testAPI) map[string]string {
	t.Helper()
	a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
	a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(borealisHandset))
	for _, u := range []struct{ code, serial string }{{"atlas-r1", "ATL-0001"}, {"atlas-r1", "ATL-0002"}, {"borealis-x", "BOR-0001"}} {
		a.must(t, 201, "POST", "/api/v1/handsets/"+u.code+"/units", mustJSON(map[string]any{"serial": u.serial}))
	}
	day := func(d string) map[string]any {
		return map[string]any{"started_at": "2026-05-" + d + "T09:00:00Z", "ended_at": "2026-05-" + d + "T11:00:00Z"}
	}
	runs := []struct {
		name, kind string
		changes    map[string]any
	}{
		{"batt", "battery", day("25")},
		{"water", "ingress", with(day("28"), map[string]any{"unit": "ATL-0002"})},
		{"drop", "drop", day("20")},
		{"bdrop", "drop", with(day("26"), map[string]any{"handset": "borealis-x", "unit": "BOR-0001"})},
		{"cold", "temperature", day("22")},
	}
	id := map[string]string{}
	for _, r := range runs {
		id[r.name] = object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody(r.kind, r.changes)))["id"].(string)
	}
	a.must(t, 200, "POST", "/api/v1/runs/"+id["cold"]+"/retraction", `{"reason": "chamber probe out of calibration"}`)
	return id
}

func TestListRuns(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		id := recordRuns(t, a)
		names := func(items []map[string]any) []string {
			var out []string
			for _, got := range ids(items, "id") {
				for n, v := range id {
					if v == got {
						out = append(out, n)
					}
				}
			}
			return out
		}
		tests := []struct {
			name  string
			query string
			want  []string // newest started_at first
		}{
			{"newest first, retracted left out", "", []string{"water", "bdrop", "batt", "drop"}},
			{"include_retracted=false", "?include_retracted=false", []string{"water", "bdrop", "batt", "drop"}},
			{"include_retracted=true", "?include_retracted=true", []string{"water", "bdrop", "batt", "cold", "drop"}},
			{"one handset", "?handset=atlas-r1", []string{"water", "batt", "drop"}},
			{"one unit with retracted", "?handset=atlas-r1&unit=ATL-0001&include_retracted=true", []string{"batt", "cold", "drop"}},
			{"one kind", "?kind=drop", []string{"bdrop", "drop"}},
			{"kind of the retracted run", "?kind=temperature", nil},
			{"kind of the retracted run, included", "?kind=temperature&include_retracted=true", []string{"cold"}},
			{"unit serial alone", "?unit=ATL-0002", []string{"water"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				l := decodeList(t, a.must(t, 200, "GET", "/api/v1/runs"+tc.query, ""))
				if got := names(l.Items); !slices.Equal(got, tc.want) {
					t.Errorf("runs = %q, want %q", got, tc.want)
				}
				if l.NextCursor != nil {
					t.Errorf("next_cursor = %q on the only page, want null", *l.NextCursor)
				}
				for _, it := range l.Items {
					want := "active"
					if it["id"] == id["cold"] {
						want = "retracted"
					}
					if it["status"] != want {
						t.Errorf("%s: status = %v, want %s", it["id"], it["status"], want)
					}
				}
			})
		}
		t.Run("page by page", func(t *testing.T) {
			for _, limit := range []string{"1", "2", "4", "5"} {
				got := walk(t, a, "/api/v1/runs?include_retracted=true&limit="+limit, "id")
				var gotNames []string
				for _, g := range got {
					gotNames = append(gotNames, names([]map[string]any{{"id": g}})...)
				}
				if want := []string{"water", "bdrop", "batt", "cold", "drop"}; !slices.Equal(gotNames, want) {
					t.Errorf("limit=%s walked %q, want %q", limit, gotNames, want)
				}
			}
		})
		t.Run("unit history oldest first with retracted runs", func(t *testing.T) {
			u := object(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1/units/ATL-0001", ""))
			runs, _ := u["runs"].([]any)
			var got, status []string
			for _, r := range runs {
				m := r.(map[string]any)
				got = append(got, names([]map[string]any{m})...)
				status = append(status, m["status"].(string))
			}
			if want := []string{"drop", "cold", "batt"}; !slices.Equal(got, want) {
				t.Errorf("runs = %q, want %q (oldest started_at first)", got, want)
			}
			if want := []string{"active", "retracted", "active"}; !slices.Equal(status, want) {
				t.Errorf("statuses = %q, want %q", status, want)
			}
		})
	})
}

func TestRunHistory(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
		a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`)
		created := a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil))
		id := object(t, created)["id"].(string)
		loc := "/api/v1/runs/" + id

		t.Run("GET shows revision 1", func(t *testing.T) {
			wantJSON(t, "GET", a.must(t, 200, "GET", loc, "").Body, string(created.Body))
		})
		t.Run("amendment makes revision 2", func(t *testing.T) {
			r := a.must(t, 201, "POST", loc+"/amendments",
				`{"reason": "re-inspected under a magnifier", "revision": 1, "changes": {"worst_severity": 3, "notes": "hairline crack, lower left"}}`)
			if got := r.Header.Get("Location"); got != loc {
				t.Errorf("Location = %q, want %q", got, loc)
			}
			want := with(object(t, created), map[string]any{"revision": 2, "worst_severity": 3, "notes": "hairline crack, lower left"})
			wantJSON(t, "amendment answer", r.Body, mustJSON(want))
			wantJSON(t, "GET after amendment", a.must(t, 200, "GET", loc, "").Body, mustJSON(want))
		})
		t.Run("retraction makes revision 3", func(t *testing.T) {
			r := a.must(t, 200, "POST", loc+"/retraction", `{"reason": "drop rig guide rail misaligned"}`)
			got := object(t, r)
			wantFields(t, got, map[string]any{"id": id, "revision": 3, "status": "retracted", "worst_severity": 3})
			wantJSON(t, "GET after retraction", a.must(t, 200, "GET", loc, "").Body, string(r.Body))
		})
		t.Run("revisions oldest first with who, when, why and what", func(t *testing.T) {
			r := a.must(t, 200, "GET", loc+"/revisions", "")
			wantJSON(t, "revisions", r.Body, `{"items": [
				{"revision": 1, "recorded_by": "anonymous", "recorded_at": "`+nowJSON+`", "reason": "created", "changes": {}},
				{"revision": 2, "recorded_by": "anonymous", "recorded_at": "`+nowJSON+`", "reason": "re-inspected under a magnifier",
				 "changes": {"worst_severity": {"from": 2, "to": 3}, "notes": {"from": "first unit of the batch", "to": "hairline crack, lower left"}}},
				{"revision": 3, "recorded_by": "anonymous", "recorded_at": "`+nowJSON+`", "reason": "drop rig guide rail misaligned",
				 "changes": {"status": {"from": "active", "to": "retracted"}}}]}`)
		})
	})
}
