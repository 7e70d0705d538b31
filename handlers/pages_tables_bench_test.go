package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// BenchmarkTableHandset30k is issue #16 item 3's figure: the handset page
// of the demo's atlas-r1, then again after 30,000 drop runs were imported
// on that one handset's units, on both engines, with deep pages of its
// "All runs" table and of /runs. It logs each request's median time and
// reports the growth (30k / demo) measured in the same run:
//
//	./scripts/test ./handlers/ -run '^$' -bench BenchmarkTableHandset30k -benchtime 1x
//
// Each request carries a distinct dummy parameter, so the answer cache
// (cache.go) never serves it: these are the costs of building the page.
// RUGGEDLAB_SCALE_REPS (default 5) sets the requests per median,
// RUGGEDLAB_TABLE_RUNS the 30,000.
func BenchmarkTableHandset30k(b *testing.B) {
	reps := envInt("RUGGEDLAB_SCALE_REPS", 5)
	extra := envInt("RUGGEDLAB_TABLE_RUNS", 30_000)
	paths := []string{
		"/handsets/atlas-r1",
		"/handsets/atlas-r1?page=300",
		"/handsets/atlas-r1?unit=ATL-0002&kind=drop&status=active&sort=kind&order=asc&page=40",
		"/runs?handset=atlas-r1&page=600",
		"/runs?serial=atl&from=2026-04-01&to=2026-04-30&page=100",
	}
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				st, _ := scaleDemo(b, e)
				h := benchHandler(st)
				before := make([]time.Duration, len(paths))
				for i, p := range paths {
					before[i] = uncachedMedian(b, h, p, reps)
				}
				t0 := time.Now()
				imp, err := st.CreateImport(ctx, "drop", strings.NewReader(oneHandsetDrops(b, st, "atlas-r1", extra)), store.ImportOptions{By: "bench"})
				if err != nil || imp.Rows != extra {
					b.Fatalf("import: %d rows, %.300v", imp.Rows, err)
				}
				b.Logf("%s: %d drop runs imported on atlas-r1 in %s", e.Name, extra, time.Since(t0).Round(time.Millisecond))
				var out strings.Builder
				fmt.Fprintf(&out, "\n| %s request | demo | +%d runs on atlas-r1 | growth |\n|---|---|---|---|\n", e.Name, extra)
				for i, p := range paths {
					after := uncachedMedian(b, h, p, reps)
					ratio := float64(after) / float64(before[i])
					fmt.Fprintf(&out, "| `%s` | %s | %s | %.1f× |\n", p, before[i].Round(10*time.Microsecond), after.Round(10*time.Microsecond), ratio)
					if i == 0 {
						b.ReportMetric(ratio, "handset-page-x")
						b.ReportMetric(float64(after.Microseconds())/1000, "handset-page-ms")
					}
				}
				b.Log(out.String())
			}
		})
	}
}

// uncachedMedian serves path reps times after one warm-up, each with its
// own dummy parameter, and returns the median duration.
func uncachedMedian(b *testing.B, h http.Handler, path string, reps int) time.Duration {
	b.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	ds := make([]time.Duration, 0, reps)
	for i := range reps + 1 {
		req := httptest.NewRequest(http.MethodGet, path+sep+"bench="+strconv.FormatInt(time.Now().UnixNano(), 36), nil)
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(t0)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d\n%.500s", path, rec.Code, rec.Body.String())
		}
		if i > 0 {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// oneHandsetDrops is n drop runs on the units of one handset, a minute
// apart from 1 April 2026, one in ten failing.
func oneHandsetDrops(b testing.TB, st *store.Store, code string, n int) string {
	b.Helper()
	units, err := st.UnitsOf(context.Background(), []string{code})
	if err != nil || len(units[code]) == 0 {
		b.Fatalf("units of %s: %v", code, err)
	}
	var w strings.Builder
	w.WriteString("handset,unit,method,started_at,ended_at,technician,height_m,surface,protective_case,planned_drops,drops_completed,first_failure_drop,worst_severity\n")
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		u := units[code][i%len(units[code])]
		at := start.Add(time.Duration(i) * time.Minute)
		done, first, sev := 26, "", 1
		if i%10 == 3 {
			done, first, sev = 1+i%26, strconv.Itoa(1+i%26), 3
		}
		fmt.Fprintf(&w, "%s,%s,MIL-STD-810H 516.8 IV,%s,%s,M. Roux,1.5,concrete,false,26,%d,%s,%d\n",
			code, u.Serial, at.Format(time.RFC3339), at.Add(30*time.Second).Format(time.RFC3339), done, first, sev)
	}
	return w.String()
}
