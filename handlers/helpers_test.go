package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ruggedlab/handlers"
	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// testNow is the clock of every API test: records are stamped with it and
// "in the future" is judged against it.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// nowJSON is testNow as the API writes it.
const nowJSON = "2026-06-01T12:00:00Z"

// testAPI is the real router on a real, migrated database.
type testAPI struct {
	engine string
	store  *store.Store
	h      http.Handler
	log    *lockedBuffer // the JSON log lines the server wrote
}

// newAPI opens a fresh store on e with the fixed clock and builds the
// router; configure may change the server (body limits) before Routes.
func newAPI(t testing.TB, e testdb.Engine, configure ...func(*handlers.Server)) *testAPI {
	t.Helper()
	st := storetest.Open(t, e, storetest.WithNow(func() time.Time { return testNow }))
	a := &testAPI{engine: e.Name, store: st, log: &lockedBuffer{}}
	srv := &handlers.Server{Store: st, Log: slog.New(slog.NewJSONHandler(a.log, nil)), Now: func() time.Time { return testNow }}
	for _, f := range configure {
		f(srv)
	}
	a.h = srv.Routes()
	return a
}

// eachEngine runs fn once per database engine, in subtests named by engine,
// each on its own empty database.
func eachEngine(t *testing.T, fn func(t *testing.T, a *testAPI)) {
	t.Helper()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, newAPI(t, e)) })
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends one request through the router. hdr holds header name/value
// pairs; a request with a body is sent as application/json unless hdr sets
// Content-Type (to "" to send none).
func (a *testAPI) call(t testing.TB, method, path, body string, hdr ...string) response {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	rec := apicontract.Serve(t, a.h, req, []byte(body)) // checked against the OpenAPI document (internal/apicontract)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// must is call that fails the test unless the answer has status want.
func (a *testAPI) must(t testing.TB, want int, method, path, body string, hdr ...string) response {
	t.Helper()
	r := a.call(t, method, path, body, hdr...)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, want, r.Body)
	}
	return r
}

// object decodes a JSON object answer.
func object(t testing.TB, r response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// listPage is the shape of every list answer.
type listPage struct {
	Items      []map[string]any `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

func decodeList(t testing.TB, r response) listPage {
	t.Helper()
	var l listPage
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("answer is not {items, next_cursor}: %v\n%s", err, r.Body)
	}
	if l.Items == nil {
		t.Fatalf("items is null or missing:\n%s", r.Body)
	}
	return l
}

// ids lists the id (or, for handsets and units, code or serial) of items.
func ids(items []map[string]any, key string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it[key].(string)
		out = append(out, s)
	}
	return out
}

// mustJSON marshals v; test inputs always marshal.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// normal is v after a JSON round trip, so that 2 and 2.0, or a struct and
// a map, compare equal.
func normal(v any) any {
	var out any
	if err := json.Unmarshal([]byte(mustJSON(v)), &out); err != nil {
		panic(err)
	}
	return out
}

// wantJSON checks that got holds the same JSON value as want.
func wantJSON(t testing.TB, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("%s: not JSON: %v\n%s", what, err, got)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// wantFields checks that got has every key of want with the same JSON value.
func wantFields(t testing.TB, got map[string]any, want map[string]any) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, w := normal(got[k]), normal(want[k]); !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %s, want %s", k, mustJSON(g), mustJSON(w))
		}
	}
}

// problem is an RFC 9457 answer as clients read it.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// problemSlugs is the problem type of each status (api.md §11).
var problemSlugs = map[int]string{
	400: "malformed", 404: "not-found", 405: "method-not-allowed", 409: "conflict",
	413: "too-large", 415: "unsupported-media-type", 422: "validation", 503: "internal",
}

// wantProblem checks that r is a problem+json answer with status and
// exactly the field errors named (in any order).
func wantProblem(t testing.TB, r response, status int, fields ...string) problem {
	t.Helper()
	var p problem
	if r.Status != status {
		t.Errorf("status = %d, want %d\n%s", r.Status, status, r.Body)
		return p
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", r.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem is not JSON: %v\n%s", err, r.Body)
	}
	if p.Status != status || p.Type != "/problems/"+problemSlugs[status] || p.Title == "" || p.Detail == "" {
		t.Errorf("problem = status %d, type %q, title %q, detail %q; want status %d, type /problems/%s",
			p.Status, p.Type, p.Title, p.Detail, status, problemSlugs[status])
	}
	if id := r.Header.Get("X-Request-ID"); p.RequestID == "" || p.RequestID != id {
		t.Errorf("request_id = %q, X-Request-ID = %q: want the same, non-empty", p.RequestID, id)
	}
	got := []string{}
	for _, e := range p.Errors {
		got = append(got, e.Field)
		if e.Message == "" {
			t.Errorf("error at %q has no message", e.Field)
		}
	}
	slices.Sort(got)
	want := append([]string{}, fields...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("error fields = %q, want %q\n%s", got, want, r.Body)
	}
	return p
}

// omit, as a value in with's changes, removes the key.
var omit = &struct{}{}

// with returns a copy of base with changes applied.
func with(base map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == omit {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// atlasHandset is the api.md §2 example.
var atlasHandset = map[string]any{
	"code": "atlas-r1", "name": "Atlas R1", "manufacturer": "Atlas Mobile", "form_factor": "phone",
	"declared": map[string]any{
		"ip_code": "IP68", "immersion_depth_m": 1.5, "drop_height_m": 2.0,
		"operating_min_c": -20, "operating_max_c": 60, "battery_capacity_mah": 5000,
		"nominal_voltage_v": 3.87, "repairability_class": "B",
	},
}

var borealisHandset = map[string]any{"code": "borealis-x", "name": "Borealis X", "manufacturer": "Borealis Devices", "form_factor": "phone"}

// validRun is a run of kind on atlas-r1/ATL-0001 that passes every rule.
func validRun(kind string) map[string]any {
	m := map[string]any{
		"kind": kind, "handset": "atlas-r1", "unit": "ATL-0001",
		"started_at": "2026-05-30T09:00:00Z", "ended_at": "2026-05-30T11:00:00Z",
		"technician": "R. Okafor", "deviations": "none", "notes": "first unit of the batch",
	}
	switch kind {
	case "drop":
		maps.Copy(m, map[string]any{"method": "MIL-STD-810H 516.8 IV", "height_m": 1.22, "surface": "plywood_on_concrete",
			"protective_case": false, "planned_drops": 26, "drops_completed": 26, "first_failure_drop": nil, "worst_severity": 2})
	case "temperature":
		maps.Copy(m, map[string]any{"method": "IEC 60068-2-1 Ad", "procedure": "operation_cold", "setpoint_c": -20,
			"dwell_min": 120, "passed": true})
	case "ingress":
		maps.Copy(m, map[string]any{"method": "IEC 60529 IPX8", "ip_code": "IP68", "medium": "fresh", "depth_m": 1.5,
			"duration_min": 30, "ingress_found": false, "functional_after": true})
	case "battery":
		maps.Copy(m, map[string]any{"method": "EU 2023/1669 Annex IV", "protocol": "eu_eei_loop", "runtime_h": 31.5,
			"start_soc_pct": 100, "end_soc_pct": 0, "brightness_nits": 200, "ambient_c": 22})
	}
	return m
}

// runBody is validRun(kind) with changes, as JSON.
func runBody(kind string, changes map[string]any) string {
	return mustJSON(with(validRun(kind), changes))
}

// fixture names what seed recorded.
type fixture struct {
	run       string // active drop run on atlas-r1/ATL-0001, amended once: revision 2
	retracted string // retracted drop run on atlas-r1/ATL-0002
}

// seed records two handsets, three units and two runs through the API.
func seed(t testing.TB, a *testAPI) fixture {
	t.Helper()
	a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
	a.must(t, 201, "POST", "/api/v1/handsets", mustJSON(borealisHandset))
	for _, u := range []struct{ code, serial string }{{"atlas-r1", "ATL-0001"}, {"atlas-r1", "ATL-0002"}, {"borealis-x", "BOR-0001"}} {
		a.must(t, 201, "POST", "/api/v1/handsets/"+u.code+"/units", mustJSON(map[string]any{"serial": u.serial}))
	}
	var f fixture
	f.run = object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", nil)))["id"].(string)
	a.must(t, 201, "POST", "/api/v1/runs/"+f.run+"/amendments",
		`{"reason": "re-inspected under a magnifier", "revision": 1, "changes": {"worst_severity": 3}}`)
	f.retracted = object(t, a.must(t, 201, "POST", "/api/v1/runs", runBody("drop", map[string]any{"unit": "ATL-0002"})))["id"].(string)
	a.must(t, 200, "POST", "/api/v1/runs/"+f.retracted+"/retraction", `{"reason": "rig misaligned"}`)
	return f
}

// expand puts the fixture's run ids into a path or body.
func (f fixture) expand(s string) string {
	return strings.NewReplacer("{run}", f.run, "{retracted}", f.retracted).Replace(s)
}

// snapshot reads everything the API shows — handsets, units with their run
// histories, runs including retracted ones and every revision — so a test
// can prove a failed request changed nothing.
func (a *testAPI) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	get := func(path string) []byte {
		r := a.must(t, 200, "GET", path, "")
		b.Write(r.Body)
		b.WriteByte('\n')
		return r.Body
	}
	var handsets listPage
	_ = json.Unmarshal(get("/api/v1/handsets?limit=500"), &handsets)
	for _, code := range ids(handsets.Items, "code") {
		get("/api/v1/handsets/" + code)
		var units listPage
		_ = json.Unmarshal(get("/api/v1/handsets/"+code+"/units?limit=500"), &units)
		for _, serial := range ids(units.Items, "serial") {
			get("/api/v1/handsets/" + code + "/units/" + url.PathEscape(serial))
		}
	}
	var runs listPage
	_ = json.Unmarshal(get("/api/v1/runs?include_retracted=true&limit=500"), &runs)
	for _, id := range ids(runs.Items, "id") {
		get("/api/v1/runs/" + id + "/revisions")
	}
	return b.String()
}

// lockedBuffer is a log destination safe for concurrent requests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the JSON log lines written so far.
func (l *lockedBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %q", err, line)
		}
		out = append(out, m)
	}
	return out
}
