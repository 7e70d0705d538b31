package handlers_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
)

// errorCase is one request the API must refuse. Path and body may name the
// seeded runs as {run} (active, revision 2) and {retracted}.
type errorCase struct {
	name   string
	method string
	path   string
	body   string
	hdr    []string
	fields []string // every errors[].field of the answer, in any order
	msg    string   // if set, a text one of the messages must contain
}

// refuseAll sends each case on a seeded database of each engine and checks
// the problem answer and that the database is unchanged afterwards.
func refuseAll(t *testing.T, status int, cases []errorCase, configure ...func(*handlers.Server)) {
	t.Helper()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAPI(t, e, configure...)
			f := seed(t, a)
			before := a.snapshot(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					r := a.call(t, tc.method, f.expand(tc.path), f.expand(tc.body), tc.hdr...)
					p := wantProblem(t, r, status, tc.fields...)
					if tc.msg != "" && !hasMessage(p, tc.msg) {
						t.Errorf("no message contains %q: %s", tc.msg, r.Body)
					}
					if after := a.snapshot(t); after != before {
						t.Errorf("the database changed: %s", firstDiff(before, after))
						before = after // report each change once, not in every later case
					}
				})
			}
		})
	}
}

// firstDiff shows the first line where two snapshots differ.
func firstDiff(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "\nbefore " + b[i] + "\nafter  " + a[i]
		}
	}
	return fmt.Sprintf("%d lines before, %d after", len(b), len(a))
}

func hasMessage(p problem, sub string) bool {
	for _, e := range p.Errors {
		if strings.Contains(e.Message, sub) {
			return true
		}
	}
	return false
}

// b64 encodes s as cursors are encoded, to forge them.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// twentyMB is a run body of 20 MiB, twice the default JSON limit.
var twentyMB = sync.OnceValue(func() string {
	return `{"kind": "drop", "notes": "` + strings.Repeat("x", 20<<20) + `"}`
})

func TestMalformed400(t *testing.T) {
	t.Parallel()
	refuseAll(t, 400, []errorCase{
		{name: "broken JSON run", method: "POST", path: "/api/v1/runs", body: `{"kind": "drop", "height_m": }`},
		{name: "unterminated run", method: "POST", path: "/api/v1/runs", body: runBody("drop", nil)[:40]},
		{name: "JSON array where a run belongs", method: "POST", path: "/api/v1/runs", body: "[" + runBody("drop", nil) + "]"},
		{name: "empty run body", method: "POST", path: "/api/v1/runs", hdr: []string{"Content-Type", "application/json"}},
		{name: "null run", method: "POST", path: "/api/v1/runs", body: `null`},
		{name: "trailing garbage after a run", method: "POST", path: "/api/v1/runs", body: runBody("drop", nil) + " x"},
		{name: "JSON array where a handset belongs", method: "POST", path: "/api/v1/handsets", body: "[" + mustJSON(atlasHandset) + "]"},
		{name: "broken JSON handset", method: "POST", path: "/api/v1/handsets", body: `{"code": "x",}`},
		{name: "JSON array where a patch belongs", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: `[{"name": "X"}]`},
		{name: "JSON array where a unit belongs", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `[{"serial": "ATL-0009"}]`},
		{name: "string where a unit belongs", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `"ATL-0009"`},
		{name: "JSON array where an amendment belongs", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `[{"reason": "typo", "revision": 2, "changes": {"worst_severity": 1}}]`},
		{name: "broken JSON amendment", method: "POST", path: "/api/v1/runs/{run}/amendments", body: `{"reason": "typo", "revision": 2,`},
		{name: "JSON array where a retraction belongs", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `[{"reason": "void"}]`},
		{name: "number where a retraction belongs", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `42`},
	})
}

func TestNotFound404(t *testing.T) {
	t.Parallel()
	const unknownRun = "/api/v1/runs/01a00000-0000-7000-8000-000000000000"
	refuseAll(t, 404, []errorCase{
		{name: "handset", method: "GET", path: "/api/v1/handsets/nope"},
		{name: "patch of an unknown handset", method: "PATCH", path: "/api/v1/handsets/nope", body: `{"name": "X"}`},
		{name: "units of an unknown handset", method: "GET", path: "/api/v1/handsets/nope/units"},
		{name: "unit of an unknown handset", method: "POST", path: "/api/v1/handsets/nope/units", body: `{"serial": "X-1"}`},
		{name: "unknown serial", method: "GET", path: "/api/v1/handsets/atlas-r1/units/ATL-9999"},
		{name: "serial of another handset", method: "GET", path: "/api/v1/handsets/borealis-x/units/ATL-0001"},
		{name: "run", method: "GET", path: unknownRun},
		{name: "revisions of an unknown run", method: "GET", path: unknownRun + "/revisions"},
		{name: "amendment of an unknown run", method: "POST", path: unknownRun + "/amendments",
			body: `{"reason": "typo", "revision": 1, "changes": {"worst_severity": 1}}`},
		{name: "retraction of an unknown run", method: "POST", path: unknownRun + "/retraction", body: `{"reason": "void"}`},
		{name: "unknown path", method: "GET", path: "/api/v1/nowhere"},
		{name: "unknown test kind", method: "GET", path: "/api/v1/fields/shock"},
		{name: "unknown problem type", method: "GET", path: "/problems/nope"},
	})
}

func TestMethodNotAllowed405(t *testing.T) {
	t.Parallel()
	allow := map[string]string{} // name → the Allow header expected
	cases := []errorCase{
		{name: "PUT on a run", method: "PUT", path: "/api/v1/runs/{run}", body: runBody("drop", nil)},
		{name: "DELETE on a run", method: "DELETE", path: "/api/v1/runs/{run}"},
		{name: "PATCH on a run", method: "PATCH", path: "/api/v1/runs/{run}", body: `{"worst_severity": 1}`},
		{name: "DELETE on a retracted run", method: "DELETE", path: "/api/v1/runs/{retracted}"},
		{name: "DELETE on the runs", method: "DELETE", path: "/api/v1/runs"},
		{name: "PUT on a revision list", method: "PUT", path: "/api/v1/runs/{run}/revisions", body: `{"items": []}`},
		{name: "DELETE on a handset", method: "DELETE", path: "/api/v1/handsets/atlas-r1"},
		{name: "GET on an amendment list", method: "GET", path: "/api/v1/runs/{run}/amendments"},
	}
	allow["PUT on a run"] = "GET"
	allow["DELETE on a run"] = "GET"
	allow["DELETE on the runs"] = "POST, GET"
	allow["DELETE on a handset"] = "GET, PATCH"
	refuseAll(t, 405, cases)

	// RFC 9110 §15.5.6: a 405 says which methods are allowed.
	for _, e := range []testdb.Engine{testdb.SQLite(t)} {
		a := newAPI(t, e)
		f := seed(t, a)
		for _, tc := range cases {
			r := a.call(t, tc.method, f.expand(tc.path), f.expand(tc.body))
			want, ok := allow[tc.name]
			if got := r.Header.Get("Allow"); got == "" || (ok && !sameMethods(got, want)) {
				t.Errorf("%s: Allow = %q, want %q", tc.name, got, want)
			}
		}
	}
}

// sameMethods compares Allow values regardless of order.
func sameMethods(a, b string) bool {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, x := range strings.Split(s, ",") {
			m[strings.TrimSpace(x)] = true
		}
		return m
	}
	x, y := set(a), set(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

func TestConflict409(t *testing.T) {
	t.Parallel()
	refuseAll(t, 409, []errorCase{
		{name: "duplicate handset code", method: "POST", path: "/api/v1/handsets",
			body: mustJSON(with(borealisHandset, map[string]any{"code": "atlas-r1"})), fields: []string{"code"}},
		{name: "duplicate serial", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `{"serial": "ATL-0001"}`, fields: []string{"serial"}},
		{name: "stale revision", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo", "revision": 1, "changes": {"worst_severity": 1}}`, fields: []string{"revision"}},
		{name: "revision not yet made", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo", "revision": 3, "changes": {"worst_severity": 1}}`, fields: []string{"revision"}},
		{name: "amendment of a retracted run", method: "POST", path: "/api/v1/runs/{retracted}/amendments",
			body: `{"reason": "typo", "revision": 2, "changes": {"worst_severity": 1}}`},
		{name: "retraction of a retracted run", method: "POST", path: "/api/v1/runs/{retracted}/retraction", body: `{"reason": "again"}`},
	})
}

func TestTooLarge413(t *testing.T) {
	t.Parallel()
	refuseAll(t, 413, []errorCase{
		{name: "run of 20 MB", method: "POST", path: "/api/v1/runs", body: twentyMB()},
		{name: "handset of 20 MB", method: "POST", path: "/api/v1/handsets", body: twentyMB()},
		{name: "patch of 20 MB", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: twentyMB()},
		{name: "unit of 20 MB", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: twentyMB()},
		{name: "amendment of 20 MB", method: "POST", path: "/api/v1/runs/{run}/amendments", body: twentyMB()},
		{name: "20 MB with an Idempotency-Key", method: "POST", path: "/api/v1/runs", body: twentyMB(), hdr: []string{"Idempotency-Key", "big-1"}},
	})
	t.Run("--max-json", func(t *testing.T) {
		// A body one byte over a configured limit is refused; one at the
		// limit is read (and here found invalid, so nothing is written).
		body := runBody("drop", map[string]any{"notes": strings.Repeat("n", 900)})
		refuseAll(t, 413, []errorCase{{name: "one byte over", method: "POST", path: "/api/v1/runs", body: body}},
			func(s *handlers.Server) { s.MaxJSON = int64(len(body)) - 1 })
		refuseAll(t, 422, []errorCase{{name: "at the limit", method: "POST", path: "/api/v1/runs", body: body[:len(body)-1] + `,"x":1}`,
			fields: []string{"x"}}}, func(s *handlers.Server) { s.MaxJSON = int64(len(body)) + 6 })
	})
}

func TestUnsupportedMediaType415(t *testing.T) {
	t.Parallel()
	run := runBody("drop", nil)
	refuseAll(t, 415, []errorCase{
		{name: "run as text/plain", method: "POST", path: "/api/v1/runs", body: run, hdr: []string{"Content-Type", "text/plain"}},
		{name: "run without Content-Type", method: "POST", path: "/api/v1/runs", body: run, hdr: []string{"Content-Type", ""}},
		{name: "run as text/csv", method: "POST", path: "/api/v1/runs", body: run, hdr: []string{"Content-Type", "text/csv"}},
		{name: "run as a form", method: "POST", path: "/api/v1/runs", body: run, hdr: []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{name: "unparsable Content-Type", method: "POST", path: "/api/v1/runs", body: run, hdr: []string{"Content-Type", "application/json; charset"}},
		{name: "handset as XML", method: "POST", path: "/api/v1/handsets", body: mustJSON(with(atlasHandset, map[string]any{"code": "new-1"})),
			hdr: []string{"Content-Type", "application/xml"}},
		{name: "patch as text/plain", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: `{"name": "X"}`, hdr: []string{"Content-Type", "text/plain"}},
		{name: "unit as text/plain", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `{"serial": "ATL-0009"}`,
			hdr: []string{"Content-Type", "text/plain"}},
		{name: "amendment as text/plain", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo", "revision": 2, "changes": {"worst_severity": 1}}`, hdr: []string{"Content-Type", "text/plain"}},
		{name: "retraction without Content-Type", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `{"reason": "void"}`,
			hdr: []string{"Content-Type", ""}},
	})
}

func TestInvalid422(t *testing.T) {
	t.Parallel()
	amend := func(changes string) string {
		return `{"reason": "re-inspected", "revision": 2, "changes": ` + changes + `}`
	}
	forged := []string{"abc", "c1.!!!", "c1." + b64(`[]`), "c1." + b64(`{"t": "yesterday", "id": "x"}`), "c1." + b64(`{"s": "a"}`), "c2." + b64(`{"id": "x"}`)}
	cases := []errorCase{
		// runs
		{name: "height_m as a string", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"height_m": "2"}), fields: []string{"height_m"},
			msg: "must be a number"},
		{name: "a type, an unknown unit and a missing field in one answer", method: "POST", path: "/api/v1/runs",
			body:   runBody("drop", map[string]any{"height_m": "2", "unit": "ATL-9999", "method": omit}),
			fields: []string{"height_m", "unit", "method"}, msg: "not registered"},
		{name: "a type and a broken rule in one answer", method: "POST", path: "/api/v1/runs",
			body:   runBody("battery", map[string]any{"runtime_h": "31", "end_soc_pct": 100, "start_soc_pct": 90}),
			fields: []string{"runtime_h", "end_soc_pct"}, msg: "must be below"},
		{name: "unknown field", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"colour": "red"}), fields: []string{"colour"},
			msg: "unknown field"},
		{name: "field of another kind", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"runtime_h": 3}), fields: []string{"runtime_h"}},
		{name: "unregistered unit", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"unit": "ATL-9999"}), fields: []string{"unit"},
			msg: "not registered"},
		{name: "unit of another handset", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"unit": "BOR-0001"}), fields: []string{"unit"}},
		{name: "unregistered handset", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"handset": "nope"}), fields: []string{"handset"}},
		{name: "height out of range", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"height_m": 5.5}), fields: []string{"height_m"}},
		{name: "ended before it started", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"ended_at": "2026-05-30T08:59:59Z"}),
			fields: []string{"ended_at"}},
		{name: "ended 5m01s after the clock", method: "POST", path: "/api/v1/runs",
			body: runBody("drop", map[string]any{"started_at": "2026-06-01T10:00:00Z", "ended_at": "2026-06-01T12:05:01Z"}), fields: []string{"ended_at"}},
		{name: "failure after the last drop", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"drops_completed": 10, "first_failure_drop": 11}),
			fields: []string{"first_failure_drop"}},
		{name: "record fields are not input", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"id": "x", "revision": 7, "status": "retracted"}),
			fields: []string{"id", "revision", "status"}},
		{name: "missing kind", method: "POST", path: "/api/v1/runs", body: runBody("drop", map[string]any{"kind": omit}), fields: []string{"kind"}},
		{name: "empty object", method: "POST", path: "/api/v1/runs", body: `{}`, fields: []string{"kind", "handset", "unit", "method", "started_at", "ended_at"}},
		{name: "every problem of a battery run", method: "POST", path: "/api/v1/runs",
			body:   runBody("battery", map[string]any{"runtime_h": 0, "end_soc_pct": 100, "brightness_nits": omit, "method": omit}),
			fields: []string{"runtime_h", "end_soc_pct", "brightness_nits", "method"}},
		// handsets and units
		{name: "handset code with capitals", method: "POST", path: "/api/v1/handsets", body: mustJSON(with(atlasHandset, map[string]any{"code": "Atlas R1"})),
			fields: []string{"code"}},
		{name: "handset without name and manufacturer", method: "POST", path: "/api/v1/handsets",
			body: mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "name": omit, "manufacturer": ""})), fields: []string{"name", "manufacturer"}},
		{name: "declared value of the wrong type", method: "POST", path: "/api/v1/handsets",
			body:   mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "declared": map[string]any{"drop_height_m": "2", "immersion_depth_m": true}})),
			fields: []string{"declared.drop_height_m", "declared.immersion_depth_m"}},
		{name: "handset type and rule in one answer", method: "POST", path: "/api/v1/handsets",
			body:   mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "name": 7, "manufacturer": omit})),
			fields: []string{"name", "manufacturer"}},
		{name: "declared values breaking rules", method: "POST", path: "/api/v1/handsets",
			body:   mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "declared": map[string]any{"ip_code": "IP9", "operating_min_c": 70, "operating_max_c": 60}})),
			fields: []string{"declared.ip_code", "declared.operating_max_c"}},
		{name: "handset unknown field", method: "POST", path: "/api/v1/handsets", body: mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "colour": "red"})),
			fields: []string{"colour"}},
		{name: "form factor", method: "POST", path: "/api/v1/handsets", body: mustJSON(with(atlasHandset, map[string]any{"code": "new-1", "form_factor": "watch"})),
			fields: []string{"form_factor"}},
		{name: "patch of the code", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: `{"code": "atlas-r2"}`, fields: []string{"code"}},
		{name: "patch emptying the name", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: `{"name": ""}`, fields: []string{"name"}},
		{name: "patch of a declared value", method: "PATCH", path: "/api/v1/handsets/atlas-r1", body: `{"declared": {"operating_max_c": -30}}`,
			fields: []string{"declared.operating_max_c"}},
		{name: "serial with a space", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `{"serial": "ATL 0009"}`, fields: []string{"serial"}},
		{name: "unit without serial", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `{"notes": "x"}`, fields: []string{"serial"}},
		{name: "unit unknown field", method: "POST", path: "/api/v1/handsets/atlas-r1/units", body: `{"serial": "ATL-0009", "imei": "1"}`, fields: []string{"imei"}},
		// amendments and retractions
		{name: "amendment without reason", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"revision": 2, "changes": {"worst_severity": 1}}`, fields: []string{"reason"}},
		{name: "amendment with a blank reason", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "    ", "revision": 2, "changes": {"worst_severity": 1}}`, fields: []string{"reason"}},
		{name: "amendment without revision or changes", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo"}`, fields: []string{"revision", "changes"}},
		{name: "amendment revision as a string", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo", "revision": "2", "changes": {"worst_severity": 1}}`, fields: []string{"revision"}},
		{name: "amendment unknown field", method: "POST", path: "/api/v1/runs/{run}/amendments",
			body: `{"reason": "typo", "revision": 2, "changes": {"worst_severity": 1}, "by": "me"}`, fields: []string{"by"}},
		{name: "amended height_m as a string", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"height_m": "2"}`),
			fields: []string{"changes.height_m"}},
		{name: "amended type and rule in one answer", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"height_m": "2", "drops_completed": 30}`),
			fields: []string{"changes.height_m", "changes.drops_completed"}},
		{name: "amended height out of range", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"height_m": 9}`),
			fields: []string{"changes.height_m"}},
		{name: "amended unknown field", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"colour": "red"}`),
			fields: []string{"changes.colour"}},
		{name: "amended unit", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"unit": "ATL-0002"}`),
			fields: []string{"changes.unit"}},
		{name: "amended into the future", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"ended_at": "2026-06-02T00:00:00Z"}`),
			fields: []string{"changes.ended_at"}},
		{name: "amendment that changes nothing", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`{"worst_severity": 3}`),
			fields: []string{"changes"}},
		{name: "amendment with changes null", method: "POST", path: "/api/v1/runs/{run}/amendments", body: amend(`null`),
			fields: []string{"changes"}},
		{name: "retraction without reason", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `{}`, fields: []string{"reason"}},
		{name: "retraction with a blank reason", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `{"reason": "\t \n"}`, fields: []string{"reason"}},
		{name: "retraction unknown field", method: "POST", path: "/api/v1/runs/{run}/retraction", body: `{"reason": "void", "status": "retracted"}`,
			fields: []string{"status"}},
		// lists
		{name: "runs limit=501", method: "GET", path: "/api/v1/runs?limit=501", fields: []string{"limit"}, msg: "not 501"},
		{name: "runs limit=0", method: "GET", path: "/api/v1/runs?limit=0", fields: []string{"limit"}, msg: `not "0"`},
		{name: "runs limit=-1", method: "GET", path: "/api/v1/runs?limit=-1", fields: []string{"limit"}, msg: "not -1"},
		{name: "runs limit=ten", method: "GET", path: "/api/v1/runs?limit=ten", fields: []string{"limit"}},
		{name: "handsets limit=501", method: "GET", path: "/api/v1/handsets?limit=501", fields: []string{"limit"}},
		{name: "units limit=501", method: "GET", path: "/api/v1/handsets/atlas-r1/units?limit=501", fields: []string{"limit"}},
		{name: "runs kind", method: "GET", path: "/api/v1/runs?kind=shock", fields: []string{"kind"}},
		{name: "runs include_retracted", method: "GET", path: "/api/v1/runs?include_retracted=maybe", fields: []string{"include_retracted"}},
		{name: "limit and cursor both wrong", method: "GET", path: "/api/v1/runs?limit=501&cursor=abc", fields: []string{"limit", "cursor"}},
		// headers
		{name: "Idempotency-Key of 256 characters", method: "POST", path: "/api/v1/runs", body: runBody("drop", nil),
			hdr: []string{"Idempotency-Key", strings.Repeat("k", 256)}, fields: []string{"Idempotency-Key"}},
	}
	for i, c := range forged {
		for _, list := range []string{"/api/v1/runs", "/api/v1/handsets", "/api/v1/handsets/atlas-r1/units"} {
			cases = append(cases, errorCase{name: "forged cursor " + string(rune('a'+i)) + " on " + list, method: "GET",
				path: list + "?cursor=" + c, fields: []string{"cursor"}})
		}
	}
	refuseAll(t, 422, cases)
}
