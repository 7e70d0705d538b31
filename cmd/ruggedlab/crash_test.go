package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// Crash-restart soak, run by scripts/crash-test and never by CI: it is
// skipped unless CRASH_TEST_KILLS is set. On each store the real binary
// serves three clients on loopback, one creating battery runs and uploading
// a 1,000,000-sample series to each, one importing drop CSV files, one
// amending (and now and then retracting) the imported runs; it is
// SIGKILLed at a random moment, restarted on the same database, and the
// database is checked:
//
//   - lost: an acknowledged write (a 201 read in full before the kill) that
//     is not there whole: a run, an import with all its rows, a series with
//     all its samples;
//   - partial: anything half-written, acknowledged or not: a run without its
//     revision, drop runs not covered by import records, a series whose
//     sample count differs from its record, samples of no series, a battery
//     run whose has_series disagrees with its series rows, a per-unit
//     summary group (issue #18) that differs from what `summaries rebuild`
//     computes from the runs.
//
// Knobs: CRASH_TEST_KILLS (kills per store), CRASH_TEST_IMPORT_ROWS (rows
// per CSV import, default 20,000), CRASH_TEST_SAMPLES (samples per series,
// default 1,000,000), CRASH_TEST_MAX_DELAY (longest wait before a kill,
// default 10s), CRASH_TEST_SEED.
func TestCrashRestart(t *testing.T) {
	kills := envInt(t, "CRASH_TEST_KILLS", 0)
	if kills <= 0 {
		t.Skip("set CRASH_TEST_KILLS (scripts/crash-test) to run the crash-restart soak")
	}
	importRows := envInt(t, "CRASH_TEST_IMPORT_ROWS", 20_000)
	samples := envInt(t, "CRASH_TEST_SAMPLES", 1_000_000)
	maxDelay := 10 * time.Second
	if v := os.Getenv("CRASH_TEST_MAX_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("CRASH_TEST_MAX_DELAY: %v", err)
		}
		maxDelay = d
	}
	seed := uint64(envInt(t, "CRASH_TEST_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("kills per store %d, import rows %d, series samples %d, max delay %s, seed %d",
		kills, importRows, samples, maxDelay, seed)

	bin := filepath.Join(t.TempDir(), "ruggedlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seriesCSV := batteryCSV(samples)
	importCSV := []byte(killFile(importRows))
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, uint64(len(e.Name))))
			db := countingDB(t, e.DSN)
			srv := startBinary(t, bin, e.DSN)
			srv.post(t, 201, "/api/v1/handsets", "application/json",
				`{"code":"kill-k1","name":"Kill K1","manufacturer":"Crash Test Ltd","form_factor":"phone","declared":{"battery_capacity_mah":5000,"nominal_voltage_v":3.87}}`)
			for u := 0; u < 10; u++ {
				srv.post(t, 201, "/api/v1/handsets/kill-k1/units", "application/json", fmt.Sprintf(`{"serial":"K-%04d"}`, u))
			}
			acked := &ackLog{series: map[string]bool{}, seriesRows: map[int64]bool{}}
			var tot crashTotals
			start := time.Now()
			for k := 1; k <= kills; k++ {
				delay := time.Duration(rng.Int64N(int64(maxDelay)))
				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				wg.Add(3)
				go func() { defer wg.Done(); seriesClient(ctx, srv, seriesCSV, samples, acked) }()
				go func() { defer wg.Done(); importClient(ctx, srv, importCSV, acked) }()
				go func() { defer wg.Done(); amendClient(ctx, srv, rng.Uint64(), acked) }()
				time.Sleep(delay)
				if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				<-srv.exited
				cancel()
				wg.Wait()
				srv = startBinary(t, bin, e.DSN)
				lost, partial := checkCrash(t, db, acked, samples)
				partial += summariesMatchRebuild(t, e.DSN)
				tot.lost += lost
				tot.partial += partial
				acked.mu.Lock()
				t.Logf("kill %d/%d after %s: acknowledged so far %d imports, %d runs, %d series, %d amendments; lost %d, partial %d",
					k, kills, delay.Round(time.Millisecond), len(acked.imports), len(acked.runs), len(acked.series), acked.amendments, lost, partial)
				acked.mu.Unlock()
			}
			srv.stop(t)
			acked.mu.Lock()
			defer acked.mu.Unlock()
			t.Logf("%s: %d kills in %s; acknowledged %d imports (%d rows), %d runs, %d series of %d samples, %d amendments; "+
				"acknowledged writes lost: %d; partial writes found (summaries included): %d",
				e.Name, kills, time.Since(start).Round(time.Second), len(acked.imports), len(acked.imports)*importRows,
				len(acked.runs), len(acked.series), samples, acked.amendments, tot.lost, tot.partial)
			for _, r := range acked.refused {
				t.Errorf("refused while the server was up: %s", r)
			}
			if tot.lost != 0 || tot.partial != 0 {
				t.Errorf("%s: %d acknowledged writes lost, %d partial writes found", e.Name, tot.lost, tot.partial)
			}
		})
	}
}

type crashTotals struct{ lost, partial int }

// ackLog is what the clients were told was written.
type ackLog struct {
	mu      sync.Mutex
	imports []ackedImport
	runs    []string
	series  map[string]bool // run id → checked already

	seriesRows map[int64]bool // series checked against their samples already
	refused    []string       // answers other than 201 and 503 from a live server
	amendments int            // acknowledged amendments and retractions
}

type ackedImport struct {
	id   string
	rows int
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// request sends one request and returns the status and the whole body; an
// error when the server died before the answer was read in full.
func (p *process) request(ctx context.Context, method, path, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.url+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// send retries while the service answers 503 (SQLite's write lock held by
// the other client); it gives up, with status 0, once the server is gone.
func (p *process) send(ctx context.Context, path, contentType string, body []byte, acked *ackLog) (int, []byte) {
	return p.sendWant(ctx, path, contentType, body, 201, acked)
}

// sendWant is send for a write answered with status want (a retraction:
// 200).
func (p *process) sendWant(ctx context.Context, path, contentType string, body []byte, want int, acked *ackLog) (int, []byte) {
	for ctx.Err() == nil {
		st, b, err := p.request(ctx, "POST", path, contentType, bytes.NewReader(body))
		if err != nil {
			return 0, nil
		}
		if st != http.StatusServiceUnavailable {
			if st != want {
				acked.mu.Lock()
				acked.refused = append(acked.refused, fmt.Sprintf("POST %s: %d %.200s", path, st, b))
				acked.mu.Unlock()
			}
			return st, b
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, nil
}

const crashBatteryRun = `{"kind":"battery","handset":"kill-k1","unit":"K-0001","method":"EU 2023/1669 Annex IV",` +
	`"started_at":"2026-01-05T08:00:00Z","ended_at":"2026-01-06T16:00:00Z","protocol":"eu_eei_loop","runtime_h":32,` +
	`"start_soc_pct":100,"end_soc_pct":0,"brightness_nits":200,"ambient_c":23}`

// seriesClient creates battery runs and uploads a series to each until the
// server dies.
func seriesClient(ctx context.Context, p *process, csv []byte, samples int, acked *ackLog) {
	for ctx.Err() == nil {
		st, b := p.send(ctx, "/api/v1/runs", "application/json", []byte(crashBatteryRun), acked)
		if st != 201 {
			return
		}
		var run struct{ ID string }
		if json.Unmarshal(b, &run) != nil || run.ID == "" {
			return
		}
		acked.mu.Lock()
		acked.runs = append(acked.runs, run.ID)
		acked.mu.Unlock()
		st, b = p.send(ctx, "/api/v1/runs/"+run.ID+"/series", "text/csv", csv, acked)
		if st != 201 {
			return
		}
		var up struct{ Samples int }
		if json.Unmarshal(b, &up) != nil || up.Samples != samples {
			return
		}
		acked.mu.Lock()
		acked.series[run.ID] = false
		acked.mu.Unlock()
	}
}

// amendClient amends imported drop runs until the server dies: each
// amendment changes drops_completed, so the run moves between summary
// groups, and one in ten is a retraction, which takes it out of them.
func amendClient(ctx context.Context, p *process, seed uint64, acked *ackLog) {
	rng := rand.New(rand.NewPCG(seed, 10))
	for ctx.Err() == nil {
		st, b, err := p.request(ctx, "GET", "/api/v1/runs?kind=drop&limit=50", "", nil)
		if err != nil || st != 200 {
			return
		}
		var page struct {
			Items []struct {
				ID       string `json:"id"`
				Revision int    `json:"revision"`
				Status   string `json:"status"`
				Drops    int    `json:"drops_completed"`
			} `json:"items"`
		}
		if json.Unmarshal(b, &page) != nil {
			return
		}
		active := 0
		for _, r := range page.Items {
			if ctx.Err() != nil {
				return
			}
			if r.Status != "active" {
				continue
			}
			active++
			drops := 10 + rng.IntN(16)
			if drops == r.Drops {
				drops = 26 // an amendment must change something
			}
			path, want := "/api/v1/runs/"+r.ID+"/amendments", 201
			body := fmt.Sprintf(`{"revision": %d, "reason": "crash test", "changes": {"drops_completed": %d}}`, r.Revision, drops)
			if rng.IntN(10) == 0 {
				path, want = "/api/v1/runs/"+r.ID+"/retraction", 200
				body = `{"reason": "crash test"}`
			}
			if st, _ := p.sendWant(ctx, path, "application/json", []byte(body), want, acked); st != want {
				return
			}
			acked.mu.Lock()
			acked.amendments++
			acked.mu.Unlock()
		}
		if active == 0 {
			time.Sleep(100 * time.Millisecond) // no import has landed yet
		}
	}
}

// summariesMatchRebuild checks the per-unit summaries the writes kept
// (issue #18) against what `summaries rebuild` computes from the runs,
// group by group (counts, runtime sums, listed runs), and returns how many
// groups differ. The rebuild leaves the store as it should be for the
// next round.
func summariesMatchRebuild(t *testing.T, dsn string) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kept, err := st.Tallies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildTallies(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := st.Tallies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := func(r store.TallyRow) string { return r.Unit + "\x00" + r.Kind + "\x00" + r.Review + "\x00" + r.GKey }
	want := map[string]store.TallyRow{}
	for _, r := range rebuilt {
		want[key(r)] = r
	}
	bad := 0
	for _, r := range kept {
		w, ok := want[key(r)]
		delete(want, key(r))
		// the rebuild's SQL adds runtimes in another order
		if ok && math.Abs(r.RuntimeSum-w.RuntimeSum) <= 1e-9*math.Max(1, math.Abs(w.RuntimeSum)) {
			r.RuntimeSum = w.RuntimeSum
		}
		if !ok || r != w {
			t.Errorf("summary group kept by the writes differs from the rebuild:\nkept:    %+v\nrebuilt: %+v", r, w)
			bad++
		}
	}
	for _, w := range want {
		t.Errorf("summary group missing, the rebuild has %+v", w)
		bad++
	}
	return bad
}

// importClient imports the drop file again and again until the server dies.
func importClient(ctx context.Context, p *process, csv []byte, acked *ackLog) {
	for ctx.Err() == nil {
		st, b := p.send(ctx, "/api/v1/imports/drop", "text/csv", csv, acked)
		if st != 201 {
			return
		}
		var imp struct {
			ID   string `json:"import_id"`
			Rows int    `json:"rows"`
		}
		if json.Unmarshal(b, &imp) != nil || imp.ID == "" {
			return
		}
		acked.mu.Lock()
		acked.imports = append(acked.imports, ackedImport{imp.ID, imp.Rows})
		acked.mu.Unlock()
	}
}

// checkCrash counts acknowledged writes missing or incomplete, and partial
// writes of any kind, in the database after a restart.
func checkCrash(t *testing.T, db *gorm.DB, acked *ackLog, samples int) (lost, partial int) {
	t.Helper()
	acked.mu.Lock()
	defer acked.mu.Unlock()
	talliesMatchRuns(t, db)
	scalar := func(query string, args ...any) int64 {
		var n int64
		if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for _, imp := range acked.imports {
		if scalar(`SELECT COUNT(*) FROM imports WHERE id = ? AND row_count = ?`, imp.id, imp.rows) != 1 {
			t.Errorf("acknowledged import %s (%d rows) is missing", imp.id, imp.rows)
			lost++
		}
	}
	if n := scalar(`SELECT COUNT(*) FROM runs WHERE kind = 'battery'`); n < int64(len(acked.runs)) {
		t.Errorf("%d acknowledged battery runs, %d in the database", len(acked.runs), n)
		lost += len(acked.runs) - int(n)
	}
	for id, checked := range acked.series {
		if checked {
			continue
		}
		n := scalar(`SELECT COALESCE(SUM(n), 0) FROM series_blocks WHERE level = 0 AND series_id = (SELECT MAX(id) FROM series WHERE run_id = ?)`, id)
		if n != int64(samples) {
			t.Errorf("acknowledged series of run %s: %d samples, want %d", id, n, samples)
			lost++
		}
		acked.series[id] = true
	}
	if n := scalar(`SELECT COUNT(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM run_revisions v WHERE v.run_id = r.id)`); n != 0 {
		t.Errorf("%d runs without a revision", n)
		partial += int(n)
	}
	drops := scalar(`SELECT COUNT(*) FROM runs WHERE kind = 'drop'`)
	covered := scalar(`SELECT COALESCE(SUM(row_count), 0) FROM imports`)
	if drops != covered {
		t.Errorf("%d drop runs, imports cover %d", drops, covered)
		partial += int(math.Abs(float64(drops - covered)))
	}
	// Each series once: its samples against its record; then all samples
	// against all records, which also catches samples of no series.
	var series []struct {
		ID       int64
		NSamples int64
	}
	if err := db.Raw(`SELECT id, n_samples FROM series`).Scan(&series).Error; err != nil {
		t.Fatal(err)
	}
	var recorded int64
	for _, s := range series {
		recorded += s.NSamples
		if acked.seriesRows[s.ID] {
			continue
		}
		if n := scalar(`SELECT COALESCE(SUM(n), 0) FROM series_blocks WHERE level = 0 AND series_id = ?`, s.ID); n != s.NSamples {
			t.Errorf("series %d: %d samples, its record says %d", s.ID, n, s.NSamples)
			partial++
		}
		acked.seriesRows[s.ID] = true
	}
	if n := scalar(`SELECT COALESCE(SUM(n), 0) FROM series_blocks WHERE level = 0`); n != recorded {
		t.Errorf("%d samples in all, series records say %d", n, recorded)
		partial++
	}
	if n := scalar(`SELECT COUNT(*) FROM runs r WHERE r.kind = 'battery' AND r.has_series <> EXISTS (SELECT 1 FROM series s WHERE s.run_id = r.id)`); n != 0 {
		t.Errorf("%d battery runs whose has_series disagrees with their series", n)
		partial += int(n)
	}
	return lost, partial
}

// batteryCSV is a 1 Hz discharge every row of which series.ReadCSV accepts
// (the shape of scripts/bench-series).
func batteryCSV(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 40)
	b.WriteString("t_s,soc_pct,voltage_v,current_ma,temp_c\n")
	for i := 0; i < n; i++ {
		u := float64(i) / float64(n)
		fi := float64(i)
		fmt.Fprintf(&b, "%.1f,%.4f,%.5f,%.2f,%.3f\n", fi, 100*(1-u), 4.35-0.75*u-0.3*math.Pow(u, 8),
			420+60*math.Sin(fi*0.0037)+5*math.Sin(fi*1.3), 25+6*(1-math.Exp(-fi/3600))+0.2*math.Sin(fi*0.7))
	}
	return b.Bytes()
}
