package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/handlers"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// BenchmarkScale measures the five requests issue #18 is about on two
// stores side by side, on both engines: the demo tender, and the demo
// tender with 100,000 drop runs imported on its units. It reports each
// request's growth as a ratio (100k / demo) measured in the same run —
// never an absolute time:
//
//	./scripts/test ./handlers/ -run '^$' -bench BenchmarkScale -benchtime 1x
//
// Each figure is the median of RUGGEDLAB_SCALE_REPS requests (default 5),
// the two stores' requests alternating, so that what else the machine does
// meanwhile weighs on both sides alike (measured one size after the other,
// the ratios moved by ±3 run to run on this 2-CPU machine).
// RUGGEDLAB_SCALE_RUNS changes the 100,000. Requests send no If-None-Match
// (BenchmarkScaleCached has the 304 path), but the service still serves a
// computed answer again until the data version changes (cache.go):
// RUGGEDLAB_SCALE_NOCACHE=1 turns that off to measure what answers cost to
// compute.
func BenchmarkScale(b *testing.B) { benchScale(b, false) }

// BenchmarkScaleCached is BenchmarkScale with the client revalidating the
// ETag of its previous answer, as a browser does on reload (304s).
func BenchmarkScaleCached(b *testing.B) { benchScale(b, true) }

func benchScale(b *testing.B, revalidate bool) {
	reps := envInt("RUGGEDLAB_SCALE_REPS", 5)
	extra := envInt("RUGGEDLAB_SCALE_RUNS", 100_000)
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				small, smallProfiles := scaleDemo(b, e)
				big, bigProfiles := scaleDemo(b, freshEngine(b, e))
				paths := func(profile string) []string {
					return []string{
						"/api/v1/compare?kind=drop",
						"/compare?kind=drop",
						"/api/v1/profiles/" + profile + "/matrix",
						"/",
						"/handsets/atlas-r1",
					}
				}
				smallPaths, bigPaths := paths(smallProfiles[0].ID), paths(bigProfiles[0].ID)
				t0 := time.Now()
				file := scaleDropFile(b, big, extra)
				imp, err := big.CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "bench"})
				if err != nil || imp.Rows != extra {
					b.Fatalf("import: %d rows, %.300v", imp.Rows, err)
				}
				b.Logf("%s: %d drop runs imported in %s", e.Name, extra, time.Since(t0).Round(time.Millisecond))
				hs, hb := scaleHandler(small), scaleHandler(big)
				var table strings.Builder
				// The answer's own growth (bytes) beside the time's: a list of
				// each unit's latest 50 runs is longer at 100,000 runs.
				fmt.Fprintf(&table, "\n| %s request | demo | %d runs | growth | answer bytes demo → %d runs |\n|---|---|---|---|---|\n", e.Name, extra, extra)
				for i := range smallPaths {
					m := pairedMedians(b, [2]http.Handler{hs, hb}, [2]string{smallPaths[i], bigPaths[i]}, reps, revalidate)
					ratio := float64(m[1].d) / float64(m[0].d)
					fmt.Fprintf(&table, "| `%s` | %s | %s | %.1f× | %d → %d (%.1f×) |\n", bigPaths[i], m[0].d.Round(10*time.Microsecond), m[1].d.Round(10*time.Microsecond), ratio,
						m[0].size, m[1].size, float64(m[1].size)/float64(m[0].size))
					b.ReportMetric(ratio, metricName(bigPaths[i])+"-x")
				}
				b.Log(table.String())
			}
		})
	}
}

// freshEngine is another empty database of e's engine.
func freshEngine(b *testing.B, e testdb.Engine) testdb.Engine {
	if e.Name == testdb.NameSQLite {
		return testdb.SQLite(b)
	}
	return testdb.Postgres(b)
}

// scaleHandler is benchHandler, without the answer cache under
// RUGGEDLAB_SCALE_NOCACHE=1.
func scaleHandler(st *store.Store) http.Handler {
	if os.Getenv("RUGGEDLAB_SCALE_NOCACHE") != "1" {
		return benchHandler(st)
	}
	return (&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return pagesNow }, NoAnswerCache: true}).Routes()
}

func metricName(p string) string {
	switch {
	case strings.HasPrefix(p, "/api/v1/compare"):
		return "api-compare"
	case strings.HasPrefix(p, "/compare"):
		return "page-compare"
	case strings.HasSuffix(p, "/matrix"):
		return "api-matrix"
	case p == "/":
		return "page-dashboard"
	}
	return "page-handset"
}

// median is a request's median duration and its answer's size in bytes.
type median struct {
	d    time.Duration
	size int
}

// pairedMedians serves paths[0] on hs[0] and paths[1] on hs[1] reps times
// each (after one warm-up each), alternating which goes first, and returns
// their medians. With revalidate, each request carries the ETag of its
// warm-up answer.
func pairedMedians(b *testing.B, hs [2]http.Handler, paths [2]string, reps int, revalidate bool) [2]median {
	b.Helper()
	get := func(i int, etag string) (*httptest.ResponseRecorder, time.Duration) {
		req := httptest.NewRequest(http.MethodGet, paths[i], nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		t0 := time.Now()
		hs[i].ServeHTTP(rec, req)
		d := time.Since(t0)
		if rec.Code != http.StatusOK && rec.Code != http.StatusNotModified {
			b.Fatalf("GET %s: %d\n%.500s", paths[i], rec.Code, rec.Body.String())
		}
		return rec, d
	}
	// The import leaves garbage behind: a collection now, not during the
	// timed requests.
	runtime.GC()
	var out [2]median
	var etags [2]string
	for i := range hs {
		first, _ := get(i, "")
		out[i].size = first.Body.Len()
		if revalidate {
			etags[i] = first.Header().Get("ETag")
		}
	}
	ds := [2][]time.Duration{make([]time.Duration, reps), make([]time.Duration, reps)}
	for r := range reps {
		for _, i := range [][]int{{0, 1}, {1, 0}}[r%2] {
			_, ds[i][r] = get(i, etags[i])
		}
	}
	for i := range ds {
		slices.Sort(ds[i])
		out[i].d = ds[i][len(ds[i])/2]
	}
	return out
}

// scaleDropFile is n drop runs spread over every demo unit, with failures
// and censored units as a tumbler programme logs them.
func scaleDropFile(b testing.TB, st *store.Store, n int) string {
	b.Helper()
	ctx := context.Background()
	hs, err := st.AllHandsets(ctx)
	if err != nil {
		b.Fatal(err)
	}
	codes := make([]string, len(hs))
	for i, h := range hs {
		codes[i] = h.Code
	}
	byCode, err := st.UnitsOf(ctx, codes)
	if err != nil {
		b.Fatal(err)
	}
	var units []models.Unit
	for _, c := range codes {
		units = append(units, byCode[c]...)
	}
	rng := rand.New(rand.NewPCG(18, 100_000))
	var w strings.Builder
	w.WriteString("handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity\n")
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		u := units[i%len(units)]
		at := start.Add(time.Duration(i) * time.Minute)
		done, first, sev := 26, "", 1
		switch rng.IntN(10) {
		case 0:
			f := 1 + rng.IntN(26)
			done, first, sev = f, strconv.Itoa(f), 3
		case 1:
			done = 10 + rng.IntN(16)
		}
		fmt.Fprintf(&w, "%s,%s,MIL-STD-810H 516.8 IV,%s,%s,M. Roux,1.5,concrete,false,26,%d,%s,%d\n",
			u.Handset, u.Serial, at.Format(time.RFC3339), at.Add(30*time.Second).Format(time.RFC3339), done, first, sev)
	}
	return w.String()
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkScaleLoad is 20 clients over loopback HTTP on the demo tender
// plus 100,000 drop runs, each GETting the five #18 requests in turn
// without If-None-Match (RUGGEDLAB_LOAD_REQUESTS each, default 100), while
// a technician amends a run every RUGGEDLAB_LOAD_WRITE_EVERY (default 2s;
// 0s: no writes) so answers keep being recomputed. Reports p50 and p99.
//
//	./scripts/test ./handlers/ -run '^$' -bench BenchmarkScaleLoad -benchtime 1x
func BenchmarkScaleLoad(b *testing.B) {
	const clients = 20
	per := envInt("RUGGEDLAB_LOAD_REQUESTS", 100)
	extra := envInt("RUGGEDLAB_SCALE_RUNS", 100_000)
	every := 2 * time.Second
	if d, err := time.ParseDuration(os.Getenv("RUGGEDLAB_LOAD_WRITE_EVERY")); err == nil {
		every = d
	}
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				st, profiles := scaleDemo(b, e)
				if imp, err := st.CreateImport(ctx, "drop", strings.NewReader(scaleDropFile(b, st, extra)), store.ImportOptions{By: "bench"}); err != nil || imp.Rows != extra {
					b.Fatalf("import: %d rows, %.300v", imp.Rows, err)
				}
				paths := []string{"/api/v1/compare?kind=drop", "/compare?kind=drop", "/api/v1/profiles/" + profiles[0].ID + "/matrix", "/", "/handsets/atlas-r1"}
				srv := httptest.NewServer(scaleHandler(st))
				defer srv.Close()
				client := srv.Client()
				client.Transport.(*http.Transport).MaxIdleConnsPerHost = clients
				runs, _, err := st.Runs(ctx, store.RunFilter{Kind: models.Drop, Page: store.Page{Limit: 1}})
				if err != nil || len(runs) == 0 {
					b.Fatalf("a drop run to amend: %v", err)
				}
				stop := make(chan struct{})
				writes := 0
				var wg sync.WaitGroup
				if every > 0 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						t := time.NewTicker(every)
						defer t.Stop()
						revision := runs[0].Revision
						for note := 0; ; note++ {
							select {
							case <-stop:
								return
							case <-t.C:
							}
							// The revision amended is required (api.md §2): without it
							// every write was a 422 and the load ran without writes.
							body := fmt.Sprintf(`{"revision": %d, "reason": "load bench", "changes": {"notes": "amended %d"}}`, revision, note)
							resp, err := client.Post(srv.URL+"/api/v1/runs/"+runs[0].ID+"/amendments", "application/json", strings.NewReader(body))
							if err != nil {
								b.Errorf("amendment: %v", err)
								continue
							}
							answer, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode >= 300 {
								b.Errorf("amendment: %d: %.300s", resp.StatusCode, answer)
								continue
							}
							revision++
							writes++
						}
					}()
				}
				durations := make([][]time.Duration, clients)
				var cw sync.WaitGroup
				t0 := time.Now()
				for c := range clients {
					cw.Add(1)
					go func() {
						defer cw.Done()
						for i := range per {
							p := paths[(c+i)%len(paths)]
							start := time.Now()
							resp, err := client.Get(srv.URL + p)
							if err != nil {
								b.Error(err)
								return
							}
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							durations[c] = append(durations[c], time.Since(start))
							if resp.StatusCode != 200 {
								b.Errorf("GET %s: %d", p, resp.StatusCode)
								return
							}
						}
					}()
				}
				cw.Wait()
				elapsed := time.Since(t0)
				close(stop)
				wg.Wait()
				var all []time.Duration
				for _, d := range durations {
					all = append(all, d...)
				}
				slices.Sort(all)
				p := func(q float64) time.Duration { return all[int(q*float64(len(all)-1))] }
				b.Logf("%s: %d clients × %d GETs in %s (%d amendments): p50 %s, p99 %s, max %s",
					e.Name, clients, per, elapsed.Round(time.Millisecond), writes, p(0.5).Round(time.Microsecond), p(0.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond))
				b.ReportMetric(float64(p(0.5).Microseconds()), "p50-µs")
				b.ReportMetric(float64(p(0.99).Microseconds()), "p99-µs")
			}
		})
	}
}

// scaleDemo opens a fresh store on e with the demo tender, and its
// profiles, for the scale benchmarks.
func scaleDemo(b *testing.B, e testdb.Engine) (*store.Store, []models.Profile) {
	b.Helper()
	ctx := context.Background()
	st := storetest.Open(b, e, storetest.At(pagesNow))
	if _, err := demo.Load(ctx, st, pagesNow); err != nil {
		b.Fatal(err)
	}
	profiles, err := st.AllProfiles(ctx)
	if err != nil || len(profiles) == 0 {
		b.Fatalf("demo profile: %v", err)
	}
	return st, profiles
}
