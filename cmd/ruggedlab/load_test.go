package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"ruggedlab/internal/testdb"
)

// TestLoadBench is scripts/bench-load (#15 item 5, #18): the real binary
// serves the demo tender grown to each size in LOAD_BENCH_SIZES (runs in the
// store, drop runs imported through the API on the demo units), and vegeta
// drives it over loopback with LOAD_BENCH_CLIENTS concurrent clients for
// LOAD_BENCH_DURATION per size, on a bounded mix of the evaluators' reads,
// while a technician amends a run every LOAD_BENCH_WRITE_EVERY so cached
// answers keep being recomputed. It logs p50/p99/max and errors per
// endpoint and per size, and how p99 grows from the first size to the last.
//
// It is a soak, not a unit test: it asserts nothing about time, only that
// no request failed. Skipped unless LOAD_BENCH=1 (scripts/bench-load sets it).
func TestLoadBench(t *testing.T) {
	if os.Getenv("LOAD_BENCH") != "1" {
		t.Skip("set LOAD_BENCH=1 (scripts/bench-load) to run the load benchmark")
	}
	sizes := loadSizes(t, os.Getenv("LOAD_BENCH_SIZES"))
	clients := envInt(t, "LOAD_BENCH_CLIENTS", 20)
	duration := envDuration(t, "LOAD_BENCH_DURATION", 20*time.Second)
	writeEvery := envDuration(t, "LOAD_BENCH_WRITE_EVERY", 2*time.Second)
	profileDir := os.Getenv("LOAD_BENCH_PROFILE")

	bin := filepath.Join(t.TempDir(), "ruggedlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			args := []string{"--demo"}
			pprofURL := ""
			if profileDir != "" {
				addr := freeAddr(t)
				args = append(args, "--pprof-addr", addr)
				pprofURL = "http://" + addr + "/debug/pprof/"
			}
			srv := startBinary(t, bin, e.DSN, args...)
			defer srv.stop(t)
			_, reader, err := addAccount(context.Background(), os.Getenv, e.DSN, "evaluator")
			if err != nil {
				t.Fatal(err)
			}
			// The amendments are a technician's, as in the lab (the
			// admin token startBinary made imports the runs).
			_, technician, err := addAccount(context.Background(), os.Getenv, e.DSN, "technician")
			if err != nil {
				t.Fatal(err)
			}
			mix := readMix(t, srv)
			var table []loadRow
			for _, size := range sizes {
				have := srv.runCount(t)
				if size > have {
					start := time.Now()
					srv.post(t, 201, "/api/v1/imports/drop", "text/csv", loadDropFile(t, srv, size-have, size))
					t.Logf("%s: imported %d drop runs in %s (%d in the store)", e.Name, size-have, time.Since(start).Round(time.Millisecond), srv.runCount(t))
				}
				var prof *profiling
				if pprofURL != "" {
					prof = startProfile(t, pprofURL, duration, filepath.Join(profileDir, fmt.Sprintf("%s-%d", e.Name, size)))
				}
				load0 := loadAverage()
				rows := attack(t, srv, reader, technician, mix, clients, duration, writeEvery)
				load := load0 + " → " + loadAverage()
				prof.wait(t)
				for _, r := range rows {
					r.size, r.load = size, load
					table = append(table, r)
				}
			}
			logLoadTable(t, e.Name, sizes, table)
		})
	}
}

// endpoint is one read in the mix, named as the report names it.
type endpoint struct{ name, path string }

// readMix is the evaluators' reads, with the ids they need looked up on the
// demo: a runs list page, compare (API and page), the profile's matrix, the
// dashboard, a handset page and a battery run's reduced series.
func readMix(t *testing.T, srv *process) []endpoint {
	t.Helper()
	var profiles struct{ Items []struct{ ID string } }
	srv.getJSON(t, "/api/v1/profiles", &profiles)
	if len(profiles.Items) == 0 {
		t.Fatal("the demo has no profile")
	}
	var battery struct{ Items []struct{ ID string } }
	srv.getJSON(t, "/api/v1/runs?kind=battery&limit=100", &battery)
	series := ""
	for _, r := range battery.Items {
		if code, _ := srv.get(t, "/api/v1/runs/"+r.ID+"/series?max_points=2000"); code == 200 {
			series = "/api/v1/runs/" + r.ID + "/series?max_points=2000"
			break
		}
	}
	if series == "" {
		t.Fatal("no demo battery run has a series")
	}
	return []endpoint{
		{"runs list", "/api/v1/runs?kind=drop&limit=50"},
		{"compare API", "/api/v1/compare?kind=drop"},
		{"compare page", "/compare?kind=drop"},
		{"matrix API", "/api/v1/profiles/" + profiles.Items[0].ID + "/matrix"},
		{"dashboard", "/"},
		{"handset page", "/handsets/atlas-r1"},
		{"series reduced", series},
	}
}

type loadRow struct {
	size     int
	load     string // the machine's 1-minute load average before → after
	endpoint string
	requests uint64
	errors   uint64
	p50, p99 time.Duration
	max      time.Duration
}

// attack runs the mix round robin with clients workers for d and returns one
// row per endpoint; a technician's amendment lands every writeEvery
// (amendOne).
func attack(t *testing.T, srv *process, reader, technician string, mix []endpoint, clients int, d, writeEvery time.Duration) []loadRow {
	t.Helper()
	header := http.Header{"Authorization": {"Bearer " + reader}, "Accept": {"application/json, text/html"}}
	targets := make([]vegeta.Target, len(mix))
	byURL := map[string]string{}
	for i, e := range mix {
		targets[i] = vegeta.Target{Method: "GET", URL: srv.url + e.path, Header: header}
		byURL[srv.url+e.path] = e.name
	}
	var amended atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if writeEvery <= 0 {
			return
		}
		tech := &process{url: srv.url, token: technician}
		candidates := amendable(t, tech)
		rng := rand.New(rand.NewPCG(18, uint64(len(candidates))))
		tick := time.NewTicker(writeEvery)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if err := amendOne(tech, candidates[rng.IntN(len(candidates))], n); err != nil {
				t.Errorf("amendment: %v", err)
				continue
			}
			amended.Add(1)
		}
	}()
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Timeout(60*time.Second))
	metrics := map[string]*vegeta.Metrics{}
	for res := range atk.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{}, d, "load") {
		name := byURL[res.URL]
		if metrics[name] == nil {
			metrics[name] = &vegeta.Metrics{}
		}
		metrics[name].Add(res)
	}
	close(stop)
	<-done
	t.Logf("%d amendments during the attack", amended.Load())
	var rows []loadRow
	for _, e := range mix {
		m := metrics[e.name]
		if m == nil {
			t.Errorf("%s: no request was sent", e.name)
			continue
		}
		m.Close()
		errs := m.Requests - uint64(m.StatusCodes["200"])
		if errs > 0 {
			t.Errorf("%s: %d of %d requests failed: %v %v", e.name, errs, m.Requests, m.StatusCodes, m.Errors)
		}
		rows = append(rows, loadRow{endpoint: e.name, requests: m.Requests, errors: errs,
			p50: m.Latencies.P50, p99: m.Latencies.P99, max: m.Latencies.Max})
	}
	return rows
}

func logLoadTable(t *testing.T, engine string, sizes []int, rows []loadRow) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %-15s %9s %9s %9s %10s %9s %7s\n", engine, "endpoint", "runs", "requests", "p50", "p99", "max", "errors")
	first := map[string]time.Duration{}
	for i, r := range rows {
		if i == 0 || rows[i-1].size != r.size {
			fmt.Fprintf(&b, "%s   (%d runs: load average %s on %d CPUs)\n", engine, r.size, r.load, runtime.NumCPU())
		}
		if r.size == sizes[0] {
			first[r.endpoint] = r.p99
		}
		growth := ""
		if r.size != sizes[0] && first[r.endpoint] > 0 {
			growth = fmt.Sprintf("  p99 ×%.1f vs %d runs", float64(r.p99)/float64(first[r.endpoint]), sizes[0])
		}
		fmt.Fprintf(&b, "%s   %-15s %9d %9d %9s %10s %9s %7d%s\n", engine, r.endpoint, r.size, r.requests,
			r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(time.Millisecond), r.errors, growth)
	}
	t.Logf("load table (%s):\n%s", engine, b.String())
}

// loadDropFile is n drop runs spread over every demo unit, numbered from
// offset so that files for successive sizes do not repeat a run.
func loadDropFile(t *testing.T, srv *process, n, offset int) string {
	t.Helper()
	var handsets struct{ Items []struct{ Code string } }
	srv.getJSON(t, "/api/v1/handsets?limit=500", &handsets)
	type unit struct{ handset, serial string }
	var units []unit
	for _, h := range handsets.Items {
		var us struct{ Items []struct{ Serial string } }
		srv.getJSON(t, "/api/v1/handsets/"+h.Code+"/units?limit=500", &us)
		for _, u := range us.Items {
			units = append(units, unit{h.Code, u.Serial})
		}
	}
	if len(units) == 0 {
		t.Fatal("the demo has no units")
	}
	rng := rand.New(rand.NewPCG(15, uint64(offset)))
	var w strings.Builder
	w.WriteString(killHeader + "\n")
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(offset) * time.Minute)
	for i := range n {
		u := units[i%len(units)]
		at := start.Add(time.Duration(i) * time.Minute)
		done, first, sev := 26, "", 1
		switch rng.IntN(10) {
		case 0: // a failure on a random drop
			f := 1 + rng.IntN(26)
			done, first, sev = f, strconv.Itoa(f), 3
		case 1: // stopped early, censored
			done = 10 + rng.IntN(16)
		}
		fmt.Fprintf(&w, "%s,%s,MIL-STD-810H 516.8 IV,%s,%s,rig 7,1.5,concrete,false,26,%d,%s,%d\n",
			u.handset, u.serial, at.Format(time.RFC3339), at.Add(30*time.Second).Format(time.RFC3339), done, first, sev)
	}
	return w.String()
}

// runCount is how many runs the dashboard counts, read from the runs list.
func (p *process) runCount(t *testing.T) int {
	t.Helper()
	n := 0
	path := "/api/v1/runs?limit=500&include_retracted=true"
	for {
		var page struct {
			Items      []json.RawMessage
			NextCursor *string `json:"next_cursor"`
		}
		p.getJSON(t, path, &page)
		n += len(page.Items)
		if page.NextCursor == nil || *page.NextCursor == "" {
			return n
		}
		path = "/api/v1/runs?limit=500&include_retracted=true&cursor=" + *page.NextCursor
	}
}

func (p *process) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	code, body, err := p.request(context.Background(), "GET", path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return code, body
}

func (p *process) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	code, body := p.get(t, path)
	if code != 200 {
		t.Fatalf("GET %s: %d: %.300s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func loadSizes(t *testing.T, s string) []int {
	if s == "" {
		return []int{10_000, 100_000}
	}
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("LOAD_BENCH_SIZES: %q is not a run count", f)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

// amendable is what a technician corrects during the attack: drop runs
// among the latest 200 with no failure and a severity of 1 or 2, so that
// amendOne can move the severity between them and the run stays valid.
func amendable(t *testing.T, tech *process) []string {
	t.Helper()
	var runs struct {
		Items []struct {
			ID               string
			FirstFailureDrop *int `json:"first_failure_drop"`
			WorstSeverity    *int `json:"worst_severity"`
		}
	}
	tech.getJSON(t, "/api/v1/runs?kind=drop&limit=200", &runs)
	var ids []string
	for _, r := range runs.Items {
		if r.FirstFailureDrop == nil && r.WorstSeverity != nil && (*r.WorstSeverity == 1 || *r.WorstSeverity == 2) {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatal("no drop run to amend among the latest 200")
	}
	return ids
}

// amendOne is a technician's correction as the run form makes it: read the
// run (its revision and values), then amend it — every other time its
// worst severity (1 ↔ 2, a result the statistics and verdicts read), else
// its notes (which none of them read).
func amendOne(tech *process, id string, n int) error {
	ctx := context.Background()
	code, body, err := tech.request(ctx, "GET", "/api/v1/runs/"+id, "", nil)
	if err != nil || code != 200 {
		return fmt.Errorf("GET run %s: %d %v: %.300s", id, code, err, body)
	}
	var run struct {
		Revision      int
		WorstSeverity int `json:"worst_severity"`
	}
	if err := json.Unmarshal(body, &run); err != nil {
		return err
	}
	changes := fmt.Sprintf(`{"notes": "re-read the rig log (%d)"}`, n)
	if n%2 == 0 {
		changes = fmt.Sprintf(`{"worst_severity": %d}`, 3-run.WorstSeverity)
	}
	req := fmt.Sprintf(`{"revision": %d, "reason": "load bench: corrected from the rig log", "changes": %s}`, run.Revision, changes)
	code, answer, err := tech.request(ctx, "POST", "/api/v1/runs/"+id+"/amendments", "application/json", strings.NewReader(req))
	if err != nil {
		return err
	}
	if code >= 300 {
		return fmt.Errorf("%d: %.300s", code, answer)
	}
	return nil
}

// loadAverage is the machine's 1-minute load average (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// freeAddr is a loopback address nothing listens on, for --pprof-addr.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// profiling is the server's CPU profile over an attack, and a goroutine
// dump half-way through it (where requests wait), written beside each other
// as <base>.cpu.pprof and <base>.goroutines.txt (LOAD_BENCH_PROFILE=dir;
// read with `go tool pprof -top <binary> <file>`).
type profiling struct{ done chan error }

func startProfile(t *testing.T, pprofURL string, d time.Duration, base string) *profiling {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		t.Fatal(err)
	}
	p := &profiling{done: make(chan error, 2)}
	save := func(url, file string) {
		resp, err := http.Get(url)
		if err != nil {
			p.done <- err
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("GET %s: %d: %.200s", url, resp.StatusCode, b)
		}
		if err == nil {
			err = os.WriteFile(file, b, 0o644)
		}
		p.done <- err
	}
	secs := max(1, int((d-time.Second)/time.Second))
	go save(fmt.Sprintf("%sprofile?seconds=%d", pprofURL, secs), base+".cpu.pprof")
	go func() {
		time.Sleep(d / 2)
		save(pprofURL+"goroutine?debug=1", base+".goroutines.txt")
	}()
	t.Logf("profiling the server to %s.*", base)
	return p
}

func (p *profiling) wait(t *testing.T) {
	if p == nil {
		return
	}
	for range 2 {
		if err := <-p.done; err != nil {
			t.Errorf("profile: %v", err)
		}
	}
}
