// Command apicheck exercises every endpoint of the RuggedLab contract
// (api.md §1–§3: conventions, handsets and units, runs) against a running
// server and exits non-zero on any deviation. It prints one line per check,
// "ok" or "FAIL" and what was checked:
//
//	apicheck http://127.0.0.1:8080
//	apicheck --token rl_… http://127.0.0.1:8080   # a server with accounts: an admin's token
//
// It only adds data (a handset with a fresh code, its units and runs), so
// it may run against a server that already holds a tender.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run checks the server named in args and returns the exit status: 0 when
// every check passed, 1 when one failed, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apicheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	token := fs.String("token", "", "API token sent as \"Authorization: Bearer\" (a server with accounts, api.md §9: an admin's, from ruggedlab user add)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: apicheck [--token TOKEN] [flags] BASE_URL   (e.g. http://127.0.0.1:8080)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || !strings.HasPrefix(fs.Arg(0), "http") {
		fs.Usage()
		return 2
	}
	c := newChecker(strings.TrimSuffix(fs.Arg(0), "/"), *timeout, stdout)
	c.token = *token
	c.all()
	fmt.Fprintf(stdout, "apicheck: %d checks, %d failed\n", c.passed+c.failed, c.failed)
	if c.failed > 0 {
		return 1
	}
	return 0
}

type checker struct {
	base   string
	client *http.Client
	out    io.Writer
	passed int
	failed int

	// token is sent with every request; who is the recorded_by the server
	// should write: the token's account, or "anonymous" without accounts.
	token, who string

	code, other string    // handset codes made for this run
	start       time.Time // runs happen in the two days before it
}

func newChecker(base string, timeout time.Duration, out io.Writer) *checker {
	var b [4]byte
	_, _ = rand.Read(b[:])
	code := "chk-" + hex.EncodeToString(b[:])
	return &checker{
		base: base, client: &http.Client{Timeout: timeout}, out: out,
		code: code, other: code + "-b",
		start: time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second),
	}
}

// check runs one check and prints its line.
func (c *checker) check(what string, fn func() error) {
	if err := fn(); err != nil {
		c.failed++
		fmt.Fprintf(c.out, "FAIL %s: %v\n", what, err)
		return
	}
	c.passed++
	fmt.Fprintf(c.out, "ok   %s\n", what)
}

// answer is one HTTP exchange as the checks read it.
type answer struct {
	req    string // "METHOD path", for messages
	status int
	header http.Header
	body   []byte
	err    error // transport error
}

// do sends a request; hdr holds header name/value pairs. A body is sent as
// application/json unless hdr sets Content-Type.
func (c *checker) do(method, path, body string, hdr ...string) *answer {
	a := &answer{req: method + " " + path}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		a.err = err
		return a
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status, a.header = resp.StatusCode, resp.Header
	a.body, a.err = io.ReadAll(resp.Body)
	return a
}

// is checks the status; for an error status, also that the answer is a
// problem+json naming exactly fields.
func (a *answer) is(status int, fields ...string) error {
	if a.err != nil {
		return fmt.Errorf("%s: %v", a.req, a.err)
	}
	if a.status != status {
		return fmt.Errorf("%s: status %d, want %d: %s", a.req, a.status, status, clip(a.body))
	}
	if status < 400 {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); mt != "application/problem+json" {
		return fmt.Errorf("%s: Content-Type %q, want application/problem+json", a.req, a.header.Get("Content-Type"))
	}
	var p struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &p); err != nil || p.Status != status || !strings.HasPrefix(p.Type, "/problems/") || p.Title == "" {
		return fmt.Errorf("%s: not an RFC 9457 problem with status %d: %s", a.req, status, clip(a.body))
	}
	got := []string{}
	for _, e := range p.Errors {
		got = append(got, e.Field)
	}
	want := append([]string{}, fields...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: errors name %q, want %q", a.req, got, want)
	}
	return nil
}

// object decodes a JSON object answer.
func (a *answer) object() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", a.req, err)
	}
	return m, nil
}

// list decodes a list answer and checks its shape.
func (a *answer) list() ([]map[string]any, *string, error) {
	var l struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil || l.Items == nil {
		return nil, nil, fmt.Errorf("%s: not {\"items\": [...], \"next_cursor\": ...}: %s", a.req, clip(a.body))
	}
	return l.Items, l.NextCursor, nil
}

// has checks that m holds each key of want with the same JSON value.
func has(m map[string]any, want map[string]any) error {
	for k, w := range want {
		if g, w := norm(m[k]), norm(w); !reflect.DeepEqual(g, w) {
			return fmt.Errorf("%s = %s, want %s", k, js(g), js(w))
		}
	}
	return nil
}

func norm(v any) any {
	var out any
	_ = json.Unmarshal([]byte(js(v)), &out)
	return out
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// each joins the errors that are not nil: nil when all passed.
func each(errs ...error) error { return errors.Join(errs...) }

// at formats start+h hours.
func (c *checker) at(h float64) string {
	return c.start.Add(time.Duration(h * float64(time.Hour))).Format(time.RFC3339)
}

// runBody is a valid run of kind on handset c.code, unit serial, at hour h
// of the check's two days; changes override fields (nil removes one).
func (c *checker) runBody(kind, serial string, h float64, changes map[string]any) string {
	m := map[string]any{"kind": kind, "handset": c.code, "unit": serial, "started_at": c.at(h), "ended_at": c.at(h + 1),
		"technician": "apicheck"}
	switch kind {
	case "drop":
		m["method"], m["height_m"], m["surface"], m["protective_case"] = "MIL-STD-810H 516.8 IV", 2.0, "concrete", false
		m["planned_drops"], m["drops_completed"], m["first_failure_drop"], m["worst_severity"] = 26, 26, nil, 1
	case "temperature":
		m["method"], m["procedure"], m["setpoint_c"], m["dwell_min"], m["passed"] = "IEC 60068-2-1 Ad", "operation_cold", -20, 120, true
	case "ingress":
		m["method"], m["ip_code"], m["medium"], m["depth_m"], m["duration_min"] = "IEC 60529 IPX8", "IP68", "fresh", 1.5, 30
		m["ingress_found"], m["functional_after"] = false, true
	case "battery":
		m["method"], m["protocol"], m["runtime_h"], m["start_soc_pct"], m["end_soc_pct"] = "EU 2023/1669 Annex IV", "eu_eei_loop", 31.5, 100, 0
		m["brightness_nits"] = 200
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return js(m)
}

// runIDs lists the ids of the check handset's runs, newest first.
func (c *checker) runIDs(query string) ([]string, error) {
	items, next, err := c.do("GET", "/api/v1/runs?limit=500&handset="+c.code+query, "").list()
	if err != nil {
		return nil, err
	}
	if next != nil {
		return nil, errors.New("more than 500 runs on the check handset")
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, fmt.Sprint(it["id"]))
	}
	return ids, nil
}

// unchanged runs fn and checks that the check handset's runs (retracted
// included) and units are the same afterwards: refused requests write nothing.
func (c *checker) unchanged(fn func() error) error {
	snap := func() string {
		runs, err := c.runIDs("&include_retracted=true")
		units := c.do("GET", "/api/v1/handsets/"+c.code+"/units?limit=500", "")
		return fmt.Sprint(runs, err, string(units.body))
	}
	before := snap()
	if err := fn(); err != nil {
		return err
	}
	if after := snap(); after != before {
		return errors.New("the refused request changed the database")
	}
	return nil
}

// all runs every check, in an order where each builds on the last.
func (c *checker) all() {
	c.who = "anonymous"
	if c.token != "" {
		c.check("GET /api/v1/me → 200 with the token's account", func() error {
			a := c.do("GET", "/api/v1/me", "")
			m, err := a.object()
			if e := each(a.is(200), err); e != nil {
				return e
			}
			c.who, _ = m["name"].(string)
			return nil
		})
	}
	c.operations()
	c.handsets()
	ids := c.runs()
	c.trials() // field pilots (trials.go)
	c.badInput()
	c.idempotency()
	c.history(ids)
	c.repair()
	c.award() // scoring schemes and the award (award.go)
}

func (c *checker) operations() {
	c.check("GET /healthz → 200 {status: ok}", func() error {
		a := c.do("GET", "/healthz", "")
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"status": "ok"}))
	})
	c.check("GET /readyz → 200 (database reachable)", func() error {
		a := c.do("GET", "/readyz", "")
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"status": "ready"}))
	})
	c.check("X-Request-ID: a sane one is echoed", func() error {
		a := c.do("GET", "/healthz", "", "X-Request-ID", "apicheck.sane-ID_1")
		if got := a.header.Get("X-Request-ID"); got != "apicheck.sane-ID_1" {
			return fmt.Errorf("X-Request-ID = %q", got)
		}
		return a.is(200)
	})
	for _, bad := range []string{strings.Repeat("x", 65), "has spaces in it"} {
		c.check(fmt.Sprintf("X-Request-ID: %q is replaced by a sane one", clip([]byte(bad))), func() error {
			got := c.do("GET", "/healthz", "", "X-Request-ID", bad).header.Get("X-Request-ID")
			if got == "" || got == bad || len(got) > 64 || strings.ContainsAny(got, " /") {
				return fmt.Errorf("X-Request-ID = %q", got)
			}
			return nil
		})
	}
	c.check("X-Request-ID: generated when absent, also on problems", func() error {
		if got := c.do("GET", "/api/v1/handsets/"+c.code, "").header.Get("X-Request-ID"); got == "" {
			return errors.New("no X-Request-ID")
		}
		return nil
	})
}

func (c *checker) handsets() {
	handset := map[string]any{"code": c.code, "name": "Check Phone", "manufacturer": "apicheck", "form_factor": "phone",
		"declared": map[string]any{"ip_code": "IP68", "immersion_depth_m": 1.5, "drop_height_m": 2.0, "operating_min_c": -20,
			"operating_max_c": 60, "battery_capacity_mah": 5000, "nominal_voltage_v": 3.87, "repairability_class": "B"}}
	c.check("GET /api/v1/handsets/{code} of an unknown handset → 404 problem", func() error {
		return c.do("GET", "/api/v1/handsets/"+c.code, "").is(404)
	})
	c.check("POST /api/v1/handsets → 201 with the handset and Location", func() error {
		a := c.do("POST", "/api/v1/handsets", js(handset))
		m, err := a.object()
		return each(a.is(201), err, has(m, handset), has(m, map[string]any{"recorded_by": c.who}),
			header(a, "Location", "/api/v1/handsets/"+c.code))
	})
	c.check("POST /api/v1/handsets (another, no declared values) → 201", func() error {
		return c.do("POST", "/api/v1/handsets", js(map[string]any{"code": c.other, "name": "Check Tablet", "manufacturer": "apicheck", "form_factor": "tablet"})).is(201)
	})
	c.check("POST /api/v1/handsets with a taken code → 409 naming code", func() error {
		return c.unchanged(func() error { return c.do("POST", "/api/v1/handsets", js(handset)).is(409, "code") })
	})
	c.check("GET /api/v1/handsets/{code} → 200 with what was created", func() error {
		a := c.do("GET", "/api/v1/handsets/"+c.code, "")
		m, err := a.object()
		return each(a.is(200), err, has(m, handset), has(m, map[string]any{"unit_count": 0}))
	})
	c.check("GET /api/v1/handsets lists both, by code, across pages", func() error {
		var codes []string
		path := "/api/v1/handsets?limit=2"
		for range 1000 {
			items, next, err := c.do("GET", path, "").list()
			if err != nil {
				return err
			}
			for _, it := range items {
				if s := fmt.Sprint(it["code"]); strings.HasPrefix(s, c.code) {
					codes = append(codes, s)
				}
			}
			if next == nil {
				break
			}
			path = "/api/v1/handsets?limit=2&cursor=" + *next
		}
		if !slices.Equal(codes, []string{c.code, c.other}) {
			return fmt.Errorf("found %q, want %q", codes, []string{c.code, c.other})
		}
		return nil
	})
	c.check("PATCH /api/v1/handsets/{code} → 200 with the new name", func() error {
		a := c.do("PATCH", "/api/v1/handsets/"+c.code, `{"name": "Check Phone Pro"}`)
		m, err := a.object()
		g := c.do("GET", "/api/v1/handsets/"+c.code, "")
		gm, gerr := g.object()
		return each(a.is(200), err, has(m, map[string]any{"name": "Check Phone Pro", "code": c.code}), gerr, has(gm, map[string]any{"name": "Check Phone Pro"}))
	})
	c.check("GET /api/v1/handsets/{code}/units before any → {items: [], next_cursor: null}", func() error {
		a := c.do("GET", "/api/v1/handsets/"+c.code+"/units", "")
		if err := a.is(200); err != nil {
			return err
		}
		if got := strings.TrimSpace(string(a.body)); got != `{"items":[],"next_cursor":null}` {
			return fmt.Errorf("body %s", got)
		}
		return nil
	})
	for _, serial := range []string{"CHK-0001", "CHK-0002"} {
		c.check("POST /api/v1/handsets/{code}/units "+serial+" → 201 with Location", func() error {
			a := c.do("POST", "/api/v1/handsets/"+c.code+"/units", js(map[string]any{"serial": serial, "notes": "apicheck"}))
			m, err := a.object()
			return each(a.is(201), err, has(m, map[string]any{"serial": serial, "handset": c.code}),
				header(a, "Location", "/api/v1/handsets/"+c.code+"/units/"+serial))
		})
	}
	c.check("POST /api/v1/handsets/{code}/units with a taken serial → 409 naming serial", func() error {
		return c.unchanged(func() error {
			return c.do("POST", "/api/v1/handsets/"+c.code+"/units", `{"serial": "CHK-0001"}`).is(409, "serial")
		})
	})
	c.check("GET /api/v1/handsets/{code}/units?limit=1 pages by serial to a null cursor", func() error {
		items, next, err := c.do("GET", "/api/v1/handsets/"+c.code+"/units?limit=1", "").list()
		if err != nil || len(items) != 1 || items[0]["serial"] != "CHK-0001" || next == nil {
			return fmt.Errorf("page 1: %v %v %v", items, next, err)
		}
		items, next, err = c.do("GET", "/api/v1/handsets/"+c.code+"/units?limit=1&cursor="+*next, "").list()
		if err != nil || len(items) != 1 || items[0]["serial"] != "CHK-0002" || next != nil {
			return fmt.Errorf("page 2: %v %v %v", items, next, err)
		}
		return nil
	})
	c.check("GET /api/v1/handsets/{code}/units/{serial} → 200 with runs []", func() error {
		a := c.do("GET", "/api/v1/handsets/"+c.code+"/units/CHK-0002", "")
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"serial": "CHK-0002", "runs": []any{}}))
	})
	c.check("GET /api/v1/handsets/{code}/units/{serial} of an unknown serial → 404", func() error {
		return c.do("GET", "/api/v1/handsets/"+c.code+"/units/CHK-9999", "").is(404)
	})
}

func header(a *answer, name, want string) error {
	if got := a.header.Get(name); got != want {
		return fmt.Errorf("%s: %s = %q, want %q", a.req, name, got, want)
	}
	return nil
}

// runs records one run of each kind and returns their ids by kind.
func (c *checker) runs() map[string]string {
	ids := map[string]string{}
	for i, kind := range []string{"drop", "temperature", "ingress", "battery"} {
		c.check("POST /api/v1/runs ("+kind+") → 201, revision 1, active, Location", func() error {
			a := c.do("POST", "/api/v1/runs", c.runBody(kind, "CHK-0001", float64(i*4), nil))
			m, err := a.object()
			if err == nil {
				ids[kind] = fmt.Sprint(m["id"])
			}
			return each(a.is(201), err, has(m, map[string]any{"kind": kind, "handset": c.code, "unit": "CHK-0001", "revision": 1,
				"status": "active", "started_at": c.at(float64(i * 4))}), header(a, "Location", "/api/v1/runs/"+ids[kind]))
		})
	}
	c.check("GET /api/v1/runs/{id} → 200, the run as created", func() error {
		a := c.do("GET", "/api/v1/runs/"+ids["drop"], "")
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"id": ids["drop"], "kind": "drop", "height_m": 2.0, "revision": 1}))
	})
	c.check("GET /api/v1/runs?handset= → newest started_at first", func() error {
		got, err := c.runIDs("")
		want := []string{ids["battery"], ids["ingress"], ids["temperature"], ids["drop"]}
		if err == nil && !slices.Equal(got, want) {
			err = fmt.Errorf("order %q, want %q", got, want)
		}
		return err
	})
	c.check("GET /api/v1/runs?handset=&kind=drop → only drop runs", func() error {
		got, err := c.runIDs("&kind=drop")
		if err == nil && !slices.Equal(got, []string{ids["drop"]}) {
			err = fmt.Errorf("got %q", got)
		}
		return err
	})
	c.check("GET /api/v1/runs/{id} of an unknown run → 404", func() error {
		return c.do("GET", "/api/v1/runs/no-such-run", "").is(404)
	})
	return ids
}

func (c *checker) badInput() {
	huge := `{"kind": "drop", "notes": "` + strings.Repeat("x", 20<<20) + `"}`
	refusals := []struct {
		what   string
		method string
		path   string
		body   string
		hdr    []string
		status int
		fields []string
	}{
		{"a body of 20 MB → 413", "POST", "/api/v1/runs", huge, nil, 413, nil},
		{"text/plain → 415", "POST", "/api/v1/runs", c.runBody("drop", "CHK-0001", 30, nil), []string{"Content-Type", "text/plain"}, 415, nil},
		{"malformed JSON → 400", "POST", "/api/v1/runs", `{"kind": "drop",`, nil, 400, nil},
		{"a JSON array → 400", "POST", "/api/v1/runs", "[" + c.runBody("drop", "CHK-0001", 30, nil) + "]", nil, 400, nil},
		{`"height_m": "2" → 422 naming height_m`, "POST", "/api/v1/runs", c.runBody("drop", "CHK-0001", 30, map[string]any{"height_m": "2"}), nil, 422, []string{"height_m"}},
		{"an unknown field → 422 naming it", "POST", "/api/v1/runs", c.runBody("drop", "CHK-0001", 30, map[string]any{"colour": "red"}), nil, 422, []string{"colour"}},
		{"an unregistered unit → 422 naming unit", "POST", "/api/v1/runs", c.runBody("drop", "CHK-9999", 30, nil), nil, 422, []string{"unit"}},
		{"ended before started → 422 naming ended_at", "POST", "/api/v1/runs", c.runBody("drop", "CHK-0001", 30, map[string]any{"ended_at": c.at(29)}), nil, 422, []string{"ended_at"}},
		{"limit=501 → 422 naming limit", "GET", "/api/v1/runs?limit=501", "", nil, 422, []string{"limit"}},
		{"limit=0 → 422 naming limit", "GET", "/api/v1/handsets?limit=0", "", nil, 422, []string{"limit"}},
		{"a forged cursor → 422 naming cursor", "GET", "/api/v1/runs?cursor=forged", "", nil, 422, []string{"cursor"}},
		{"a forged cursor on units → 422 naming cursor", "GET", "/api/v1/handsets/" + c.code + "/units?cursor=c1.e30", "", nil, 422, []string{"cursor"}},
	}
	for _, r := range refusals {
		path := strings.ReplaceAll(strings.SplitN(r.path, "?", 2)[0], c.code, "{code}")
		c.check(r.method+" "+path+" with "+r.what+", nothing written", func() error {
			return c.unchanged(func() error { return c.do(r.method, r.path, r.body, r.hdr...).is(r.status, r.fields...) })
		})
	}
}

func (c *checker) idempotency() {
	body := c.runBody("battery", "CHK-0002", 20, nil)
	key := "apicheck-" + c.code
	c.check("Idempotency-Key: same key and body → the first answer again, one run", func() error {
		before, err := c.runIDs("")
		if err != nil {
			return err
		}
		a := c.do("POST", "/api/v1/runs", body, "Idempotency-Key", key)
		b := c.do("POST", "/api/v1/runs", body, "Idempotency-Key", key)
		after, err := c.runIDs("")
		if e := each(a.is(201), b.is(201), err); e != nil {
			return e
		}
		if !bytes.Equal(a.body, b.body) || a.header.Get("Location") != b.header.Get("Location") {
			return errors.New("the retry's answer differs from the first")
		}
		if len(after) != len(before)+1 {
			return fmt.Errorf("%d runs created, want 1", len(after)-len(before))
		}
		return nil
	})
	c.check("Idempotency-Key: same key, other body → 422, nothing written", func() error {
		return c.unchanged(func() error {
			return c.do("POST", "/api/v1/runs", c.runBody("battery", "CHK-0002", 20, map[string]any{"runtime_h": 30}), "Idempotency-Key", key).is(422, "Idempotency-Key")
		})
	})
	c.check("Idempotency-Key: an error is not stored; the fixed retry with the key → 201", func() error {
		k := key + "-retry"
		bad := c.do("POST", "/api/v1/runs", c.runBody("drop", "CHK-0002", 22, map[string]any{"height_m": "2"}), "Idempotency-Key", k)
		good := c.do("POST", "/api/v1/runs", c.runBody("drop", "CHK-0002", 22, nil), "Idempotency-Key", k)
		return each(bad.is(422, "height_m"), good.is(201))
	})
	c.check("Idempotency-Key: 6 concurrent requests with one key → one run, one answer", func() error {
		before, err := c.runIDs("")
		if err != nil {
			return err
		}
		body := c.runBody("ingress", "CHK-0002", 24, nil)
		answers := make([]*answer, 6)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() { answers[i] = c.do("POST", "/api/v1/runs", body, "Idempotency-Key", key+"-burst") })
		}
		wg.Wait()
		for _, a := range answers {
			if err := a.is(201); err != nil {
				return err
			}
			if !bytes.Equal(a.body, answers[0].body) {
				return errors.New("the answers differ")
			}
		}
		after, err := c.runIDs("")
		if err == nil && len(after) != len(before)+1 {
			err = fmt.Errorf("%d runs created, want 1", len(after)-len(before))
		}
		return err
	})
}

// history amends and retracts the drop run and reads its history.
func (c *checker) history(ids map[string]string) {
	run := "/api/v1/runs/" + ids["drop"]
	c.check("POST …/amendments without a reason → 422 naming reason", func() error {
		return c.unchanged(func() error {
			return c.do("POST", run+"/amendments", `{"revision": 1, "changes": {"worst_severity": 3}}`).is(422, "reason")
		})
	})
	c.check("POST …/amendments → 201, the run at revision 2, Location", func() error {
		a := c.do("POST", run+"/amendments", `{"reason": "re-inspected", "revision": 1, "changes": {"worst_severity": 3}}`)
		m, err := a.object()
		return each(a.is(201), err, has(m, map[string]any{"id": ids["drop"], "revision": 2, "worst_severity": 3}), header(a, "Location", run))
	})
	c.check("POST …/amendments against revision 1 again → 409 naming revision", func() error {
		return c.unchanged(func() error {
			return c.do("POST", run+"/amendments", `{"reason": "typo", "revision": 1, "changes": {"worst_severity": 4}}`).is(409, "revision")
		})
	})
	c.check("POST …/retraction without a reason → 422 naming reason", func() error {
		return c.unchanged(func() error { return c.do("POST", run+"/retraction", `{}`).is(422, "reason") })
	})
	c.check("POST …/retraction → 200, status retracted", func() error {
		a := c.do("POST", run+"/retraction", `{"reason": "rig misaligned"}`)
		m, err := a.object()
		return each(a.is(200), err, has(m, map[string]any{"status": "retracted", "revision": 3}))
	})
	c.check("POST …/retraction again → 409", func() error {
		return c.unchanged(func() error { return c.do("POST", run+"/retraction", `{"reason": "again"}`).is(409) })
	})
	c.check("POST …/amendments of a retracted run → 409", func() error {
		return c.unchanged(func() error {
			return c.do("POST", run+"/amendments", `{"reason": "late", "revision": 3, "changes": {"worst_severity": 1}}`).is(409)
		})
	})
	for _, method := range []string{"PUT", "DELETE"} {
		c.check(method+" /api/v1/runs/{id} → 405 with Allow, nothing written", func() error {
			return c.unchanged(func() error {
				a := c.do(method, run, c.runBody("drop", "CHK-0001", 0, nil))
				if a.header.Get("Allow") == "" {
					return errors.New("no Allow header")
				}
				return a.is(405)
			})
		})
	}
	c.check("GET …/revisions → created, amended, retracted, oldest first", func() error {
		a := c.do("GET", run+"/revisions", "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return e
		}
		items, _ := m["items"].([]any)
		want := []map[string]any{
			{"revision": 1, "reason": "created", "recorded_by": c.who, "changes": map[string]any{}},
			{"revision": 2, "reason": "re-inspected", "changes": map[string]any{"worst_severity": map[string]any{"from": 1, "to": 3}}},
			{"revision": 3, "reason": "rig misaligned", "changes": map[string]any{"status": map[string]any{"from": "active", "to": "retracted"}}},
		}
		if len(items) != len(want) {
			return fmt.Errorf("%d revisions, want 3: %s", len(items), clip(a.body))
		}
		for i, w := range want {
			it, _ := items[i].(map[string]any)
			if err := has(it, w); err != nil {
				return fmt.Errorf("revision %d: %v", i+1, err)
			}
			if _, err := time.Parse(time.RFC3339, fmt.Sprint(it["recorded_at"])); err != nil {
				return fmt.Errorf("revision %d: recorded_at %v", i+1, it["recorded_at"])
			}
		}
		return nil
	})
	c.check("GET /api/v1/runs leaves the retracted run out; include_retracted=true shows it", func() error {
		active, err1 := c.runIDs("&kind=drop")
		all, err2 := c.runIDs("&kind=drop&include_retracted=true")
		if err := each(err1, err2); err != nil {
			return err
		}
		if slices.Contains(active, ids["drop"]) || !slices.Contains(all, ids["drop"]) {
			return fmt.Errorf("default %q, include_retracted %q", active, all)
		}
		return nil
	})
	c.check("GET …/units/{serial} → runs oldest first, retracted included", func() error {
		a := c.do("GET", "/api/v1/handsets/"+c.code+"/units/CHK-0001", "")
		m, err := a.object()
		if e := each(a.is(200), err); e != nil {
			return e
		}
		runs, _ := m["runs"].([]any)
		var got, status []string
		for _, r := range runs {
			r, _ := r.(map[string]any)
			got = append(got, fmt.Sprint(r["id"]))
			status = append(status, fmt.Sprint(r["status"]))
		}
		want := []string{ids["drop"], ids["temperature"], ids["ingress"], ids["battery"]}
		if !slices.Equal(got, want) || status[0] != "retracted" {
			return fmt.Errorf("runs %q (%q), want %q with the first retracted", got, status, want)
		}
		return nil
	})
	c.check("GET /metrics → Prometheus text with ruggedlab_http_requests_total by route", func() error {
		a := c.do("GET", "/metrics", "")
		if err := a.is(200); err != nil {
			return err
		}
		for _, want := range []string{"ruggedlab_http_requests_total{", `route="/api/v1/runs"`, `route="/api/v1/runs/:id/amendments"`} {
			if !bytes.Contains(a.body, []byte(want)) {
				return fmt.Errorf("no %s", want)
			}
		}
		if bytes.Contains(a.body, []byte(ids["drop"])) {
			return errors.New("a run id appears in a label")
		}
		return nil
	})
}
