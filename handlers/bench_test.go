package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// Benchmarks go through the real router on a real database of each engine,
// like the tests, and need TEST_DATABASE_URL (./scripts/test sets it):
//
//	TEST_DATABASE_URL=postgres://... go test -run '^$' -bench . -benchtime 2000x ./handlers/
//
// They report what an operator asks about — runs recorded per second and
// list latency percentiles — and assert nothing about timing.

// BenchmarkCreateRun records drop runs with POST /api/v1/runs.
func BenchmarkCreateRun(b *testing.B) {
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAPI(b, e)
			a.must(b, 201, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
			a.must(b, 201, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`)
			body := runBody("drop", nil)
			for b.Loop() {
				if r := a.call(b, "POST", "/api/v1/runs", body); r.Status != 201 {
					b.Fatalf("status %d: %s", r.Status, r.Body)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// BenchmarkListRuns reads the first page of 50 from 10,000 runs and reports
// the median and 99th percentile of the per-request durations.
func BenchmarkListRuns(b *testing.B) {
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAPI(b, e)
			seedRuns(b, a, 10_000)
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				r := a.call(b, "GET", "/api/v1/runs?limit=50", "")
				durations = append(durations, time.Since(start))
				if r.Status != 200 {
					b.Fatalf("status %d: %s", r.Status, r.Body)
				}
			}
			reportPercentiles(b, durations)
		})
	}
}

// BenchmarkLoopback measures the service over loopback HTTP with as many
// concurrent clients as GOMAXPROCS (-cpu changes it): requests per second
// and latency percentiles, for the run list and for recording runs.
func BenchmarkLoopback(b *testing.B) {
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAPI(b, e)
			seedRuns(b, a, 10_000)
			srv := httptest.NewServer(a.h)
			b.Cleanup(srv.Close)
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			tests := []struct {
				name, method, path, body string
				want                     int
			}{
				{"list", "GET", "/api/v1/runs?limit=50", "", 200},
				{"create", "POST", "/api/v1/runs", runBody("drop", map[string]any{"handset": "bench-0", "unit": "B0-0000"}), 201},
			}
			for _, tc := range tests {
				b.Run(tc.name, func(b *testing.B) {
					perWorker := make(chan []time.Duration, 256)
					b.RunParallel(func(pb *testing.PB) {
						var d []time.Duration
						for pb.Next() {
							start := time.Now()
							req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
							if tc.body != "" {
								req.Header.Set("Content-Type", "application/json")
							}
							resp, err := client.Do(req)
							if err != nil {
								b.Error(err)
								return
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							d = append(d, time.Since(start))
							if resp.StatusCode != tc.want {
								b.Errorf("status %d, want %d", resp.StatusCode, tc.want)
								return
							}
						}
						perWorker <- d
					})
					close(perWorker)
					var all []time.Duration
					for d := range perWorker {
						all = append(all, d...)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
					reportPercentiles(b, all)
				})
			}
		})
	}
}

// reportPercentiles reports the median and 99th percentile in µs.
func reportPercentiles(b *testing.B, d []time.Duration) {
	b.Helper()
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// seedRuns records n runs of every kind over 4 handsets of 5 units, one
// minute apart, through the store (the API is what is measured, not the
// seeding), and retracts none.
func seedRuns(b *testing.B, a *testAPI, n int) {
	b.Helper()
	ctx := context.Background()
	var serials [][2]string
	for h := range 4 {
		code := fmt.Sprintf("bench-%d", h)
		a.must(b, 201, "POST", "/api/v1/handsets", mustJSON(with(atlasHandset, map[string]any{"code": code})))
		for u := range 5 {
			serial := fmt.Sprintf("B%d-%04d", h, u)
			a.must(b, 201, "POST", "/api/v1/handsets/"+code+"/units", mustJSON(map[string]any{"serial": serial}))
			serials = append(serials, [2]string{code, serial})
		}
	}
	kinds := []string{"drop", "temperature", "ingress", "battery"}
	const batch = 2_000
	for done := 0; done < n; done += batch {
		runs := make([]models.Run, 0, batch)
		for i := done; i < min(n, done+batch); i++ {
			start := testNow.Add(-time.Duration(n-i) * time.Minute)
			u := serials[i%len(serials)]
			r, err := models.DecodeRun([]byte(runBody(kinds[i%len(kinds)], map[string]any{
				"handset": u[0], "unit": u[1],
				"started_at": start.Format(time.RFC3339), "ended_at": start.Add(30 * time.Second).Format(time.RFC3339)})))
			if err != nil {
				b.Fatal(err)
			}
			runs = append(runs, r)
		}
		if _, err := a.store.CreateRuns(ctx, runs, "bench"); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}
