package handlers_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ruggedlab/eulabel"
	"ruggedlab/models"
)

// The API tests run the real router on a real database, once per engine,
// with the clock fixed at testNow. Error answers have one table per status
// in problems_test.go; idempotency and request IDs are in
// idempotency_test.go; operations endpoints in ops_test.go.

func TestEmptyLists(t *testing.T) {
	t.Parallel()
	const empty = `{"items":[],"next_cursor":null}`
	eachEngine(t, func(t *testing.T, a *testAPI) {
		// In order: each step records a little more.
		tests := []struct {
			name  string
			setup func(t *testing.T)
			path  string
		}{
			{name: "handsets before any", path: "/api/v1/handsets"},
			{name: "runs before any", path: "/api/v1/runs"},
			{name: "runs with retracted before any", path: "/api/v1/runs?include_retracted=true"},
			{name: "units of a handset without units", path: "/api/v1/handsets/borealis-x/units", setup: func(t *testing.T) {
				a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(borealisHandset))
			}},
			{name: "runs of a handset without runs", path: "/api/v1/runs?handset=borealis-x", setup: func(t *testing.T) {
				a.must(t, 201, "POST", "/api/v1/handsets/borealis-x/units", `{"serial": "BOR-0001"}`)
			}},
			{name: "runs of an unknown handset", path: "/api/v1/runs?handset=nope&include_retracted=true"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.setup != nil {
					tc.setup(t)
				}
				r := a.must(t, 200, "GET", tc.path, "")
				// Byte for byte: clients test for null and [] differently.
				if got := strings.TrimSpace(string(r.Body)); got != empty {
					t.Errorf("body = %s, want %s", got, empty)
				}
			})
		}
		t.Run("unit without runs has runs []", func(t *testing.T) {
			u := object(t, a.must(t, 200, "GET", "/api/v1/handsets/borealis-x/units/BOR-0001", ""))
			if runs, ok := u["runs"].([]any); !ok || len(runs) != 0 {
				t.Errorf("runs = %#v, want []", u["runs"])
			}
		})
	})
}

func TestCreate201(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		f := seed(t, a)
		record := map[string]any{"recorded_by": "anonymous", "recorded_at": nowJSON}
		tests := []struct {
			name     string
			path     string
			body     map[string]any
			hdr      []string
			location string         // "" = /api/v1/runs/<id>
			want     map[string]any // besides every field of body
		}{
			{name: "handset with every declared value", path: "/api/v1/handsets",
				body:     with(atlasHandset, map[string]any{"code": "cobalt-t8", "form_factor": "tablet"}),
				location: "/api/v1/handsets/cobalt-t8", want: map[string]any{"unit_count": 0}},
			{name: "handset without declared values", path: "/api/v1/handsets",
				body:     with(borealisHandset, map[string]any{"code": "dune-p5"}),
				location: "/api/v1/handsets/dune-p5", want: map[string]any{"declared": map[string]any{}}},
			{name: "unit", path: "/api/v1/handsets/atlas-r1/units", body: map[string]any{"serial": "ATL-0003", "notes": "spare"},
				location: "/api/v1/handsets/atlas-r1/units/ATL-0003", want: map[string]any{"handset": "atlas-r1"}},
			{name: "unit with the same serial on another handset", path: "/api/v1/handsets/borealis-x/units", body: map[string]any{"serial": "ATL-0001"},
				location: "/api/v1/handsets/borealis-x/units/ATL-0001", want: map[string]any{"handset": "borealis-x"}},
			{name: "drop run", path: "/api/v1/runs", body: validRun("drop")},
			{name: "drop run with a drop log", path: "/api/v1/runs", body: with(validRun("drop"), map[string]any{
				"drops_completed": 2, "first_failure_drop": 2, "worst_severity": 3, "drops": []any{
					map[string]any{"seq": 1, "orientation": "face_1", "severity": 0},
					map[string]any{"seq": 2, "orientation": "corner_3", "severity": 3}}})},
			{name: "temperature run", path: "/api/v1/runs", body: validRun("temperature"), want: map[string]any{"has_series": false}},
			{name: "thermal shock run", path: "/api/v1/runs", body: with(validRun("temperature"), map[string]any{
				"procedure": "thermal_shock", "setpoint_c": omit, "low_c": -25, "high_c": 60, "cycles": 5})},
			{name: "ingress run", path: "/api/v1/runs", body: validRun("ingress")},
			{name: "battery run", path: "/api/v1/runs", body: validRun("battery"), want: map[string]any{"has_series": false}},
			{name: "run without technician", path: "/api/v1/runs", body: with(validRun("ingress"), map[string]any{"technician": omit}),
				want: map[string]any{"technician": "anonymous"}},
			{name: "JSON with a charset", path: "/api/v1/runs", body: validRun("drop"), hdr: []string{"Content-Type", "application/json; charset=utf-8"}},
			{name: "ended 4m59s after the clock is not the future", path: "/api/v1/runs", body: with(validRun("drop"), map[string]any{
				"started_at": "2026-06-01T10:00:00Z", "ended_at": "2026-06-01T12:04:59Z"})},
			{name: "timestamps with an offset come back in UTC", path: "/api/v1/runs", body: with(validRun("drop"), map[string]any{
				"started_at": "2026-05-30T11:00:00.5+02:00", "ended_at": "2026-05-30T13:00:00+02:00"}),
				want: map[string]any{"started_at": "2026-05-30T09:00:00.5Z", "ended_at": "2026-05-30T11:00:00Z"}},
			{name: "amendment", path: "/api/v1/runs/" + f.run + "/amendments",
				body:     map[string]any{"reason": "severity re-graded", "revision": 2, "changes": map[string]any{"worst_severity": 4}},
				location: "/api/v1/runs/" + f.run,
				want:     map[string]any{"id": f.run, "revision": 3, "worst_severity": 4, "unit": "ATL-0001"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := a.must(t, 201, "POST", tc.path, mustJSON(tc.body), tc.hdr...)
				got := object(t, r)
				want := with(tc.body, record)
				if strings.HasPrefix(tc.path, "/api/v1/runs") {
					want = with(want, map[string]any{"revision": 1, "status": "active"})
				}
				// An amendment's body is not the run: compare the run fields.
				want = with(with(want, tc.want), map[string]any{"reason": omit, "changes": omit})
				wantFields(t, got, want)
				id, _ := got["id"].(string)
				if id == "" {
					t.Errorf("no id: %s", r.Body)
				}
				loc := tc.location
				if loc == "" {
					loc = "/api/v1/runs/" + id
				}
				if got := r.Header.Get("Location"); got != loc {
					t.Errorf("Location = %q, want %q", got, loc)
				}
				// The Location reads back what was created.
				wantJSON(t, "GET "+loc, a.must(t, 200, "GET", loc, "").Body, string(withoutRuns(t, a, loc, r.Body)))
			})
		}
	})
}

// withoutRuns is the create answer as GET shows it: a unit's GET adds its
// (empty) run history, a handset's GET what the lab measured (nothing yet).
func withoutRuns(t *testing.T, a *testAPI, loc string, created []byte) []byte {
	t.Helper()
	m := object(t, response{Body: created})
	switch {
	case strings.Contains(loc, "/units/"):
		m["runs"] = []any{}
	case strings.HasPrefix(loc, "/api/v1/handsets/"):
		var h models.Handset
		if err := json.Unmarshal(created, &h); err != nil {
			t.Fatal(err)
		}
		// repairability is always an object: every priority part missing.
		m["measured"] = map[string]any{"free_fall": nil, "battery": nil, "ip_code": nil, "ingress": []any{}, "counted": "units",
			"repairability": eulabel.Repair(h, nil)}
	default:
		return created
	}
	return []byte(mustJSON(m))
}

func TestReadHandsetsAndUnits(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		f := seed(t, a)
		a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(with(borealisHandset, map[string]any{"code": "aardvark-1"})))

		t.Run("handsets by code with unit counts", func(t *testing.T) {
			l := decodeList(t, a.must(t, 200, "GET", "/api/v1/handsets", ""))
			if got, want := ids(l.Items, "code"), []string{"aardvark-1", "atlas-r1", "borealis-x"}; !slices.Equal(got, want) {
				t.Errorf("codes = %q, want %q", got, want)
			}
			if l.NextCursor != nil {
				t.Errorf("next_cursor = %q, want null", *l.NextCursor)
			}
			wantFields(t, l.Items[1], with(atlasHandset, map[string]any{"unit_count": 2, "recorded_by": "anonymous", "recorded_at": nowJSON}))
		})
		t.Run("handsets page by page", func(t *testing.T) {
			got := walk(t, a, "/api/v1/handsets?limit=1", "code")
			if want := []string{"aardvark-1", "atlas-r1", "borealis-x"}; !slices.Equal(got, want) {
				t.Errorf("walked %q, want %q", got, want)
			}
		})
		t.Run("one handset", func(t *testing.T) {
			h := object(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1", ""))
			wantFields(t, h, with(atlasHandset, map[string]any{"unit_count": 2}))
		})
		t.Run("units by serial, page by page", func(t *testing.T) {
			a.must(t, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0000", "notes": "golden sample"}`)
			got := walk(t, a, "/api/v1/handsets/atlas-r1/units?limit=2", "serial")
			if want := []string{"ATL-0000", "ATL-0001", "ATL-0002"}; !slices.Equal(got, want) {
				t.Errorf("walked %q, want %q", got, want)
			}
		})
		t.Run("one unit with its runs", func(t *testing.T) {
			u := object(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1/units/ATL-0002", ""))
			wantFields(t, u, map[string]any{"handset": "atlas-r1", "serial": "ATL-0002", "recorded_by": "anonymous", "recorded_at": nowJSON})
			runs, _ := u["runs"].([]any)
			if len(runs) != 1 || runs[0].(map[string]any)["id"] != f.retracted || runs[0].(map[string]any)["status"] != "retracted" {
				t.Errorf("runs = %s, want the retracted run %s", mustJSON(runs), f.retracted)
			}
		})
	})
}

func TestPatchHandset(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, a *testAPI) {
		seed(t, a)
		tests := []struct {
			name string
			body string
			want map[string]any // fields of the handset after the patch
		}{
			{name: "name", body: `{"name": "Atlas R1 Pro"}`,
				want: map[string]any{"code": "atlas-r1", "name": "Atlas R1 Pro", "manufacturer": "Atlas Mobile", "unit_count": 2}},
			{name: "one declared value keeps the others", body: `{"declared": {"drop_height_m": 1.8}}`,
				want: map[string]any{"name": "Atlas R1 Pro", "declared": with(atlasHandset["declared"].(map[string]any), map[string]any{"drop_height_m": 1.8})}},
			{name: "manufacturer as merge-patch", body: `{"manufacturer": "Atlas Mobile SA"}`,
				want: map[string]any{"manufacturer": "Atlas Mobile SA", "form_factor": "phone"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				hdr := []string{}
				if strings.Contains(tc.name, "merge-patch") {
					hdr = []string{"Content-Type", "application/merge-patch+json"}
				}
				r := a.must(t, 200, "PATCH", "/api/v1/handsets/atlas-r1", tc.body, hdr...)
				wantFields(t, object(t, r), tc.want)
				got := object(t, a.must(t, 200, "GET", "/api/v1/handsets/atlas-r1", ""))
				delete(got, "measured") // GET adds what the lab measured; PATCH answers the handset
				wantJSON(t, "GET after PATCH", []byte(mustJSON(got)), string(r.Body))
			})
		}
	})
}

// walk follows next_cursor from path to the last page and lists key of
// every item; every page but the last is full.
func walk(t *testing.T, a *testAPI, path, key string) []string {
	t.Helper()
	var out []string
	next := path
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages: the cursor does not advance")
		}
		l := decodeList(t, a.must(t, 200, "GET", next, ""))
		out = append(out, ids(l.Items, key)...)
		if l.NextCursor == nil {
			return out
		}
		if *l.NextCursor == "" {
			t.Fatal(`next_cursor is "", want null or a cursor`)
		}
		sep := "&"
		if !strings.Contains(path, "?") {
			sep = "?"
		}
		next = path + sep + "cursor=" + *l.NextCursor
	}
}
