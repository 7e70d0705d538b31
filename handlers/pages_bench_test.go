package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"ruggedlab/charts"
	"ruggedlab/demo"
	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/store"
)

// BenchmarkComparePages measures the compare pages: render time (ns/op)
// and page size (B/page) per kind on the demo tender, then on a large
// tender of 4 candidates × 10 units, each unit with one battery run whose
// discharge curve has 150,000 samples; and, on that tender, drawing the
// same 40 curves reduced (as the page does) against unreduced.
//
//	go test ./handlers/ -run '^$' -bench BenchmarkComparePages -benchtime 5x
//
// SQLite by default; RUGGEDLAB_BENCH_ENGINE=postgres uses TEST_DATABASE_URL.
func BenchmarkComparePages(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		st := benchStore(b)
		if _, err := demo.Load(context.Background(), st, pagesNow); err != nil {
			b.Fatal(err)
		}
		h := benchHandler(st)
		for _, kind := range []string{"drop", "temperature", "ingress", "battery"} {
			b.Run(kind, func(b *testing.B) { benchPage(b, h, "/compare?kind="+kind) })
		}
		b.Run("browser/battery", func(b *testing.B) { benchBrowser(b, h, "/compare?kind=battery") })
	})
	b.Run("large", func(b *testing.B) {
		st := benchStore(b)
		t0 := time.Now()
		runs := loadLargeTender(b, st, 4, 10, 150_000)
		b.Logf("large tender: %d battery runs × 150,000 samples loaded in %s", len(runs), time.Since(t0).Round(time.Millisecond))
		h := benchHandler(st)
		b.Run("page/battery", func(b *testing.B) { benchPage(b, h, "/compare?kind=battery") })
		b.Run("browser/battery", func(b *testing.B) { benchBrowser(b, h, "/compare?kind=battery") })
		b.Run("discharge/reduced", func(b *testing.B) { benchDischarge(b, st, runs, 2000) })
		b.Run("discharge/unreduced", func(b *testing.B) { benchDischarge(b, st, runs, 0) })
	})
}

func benchStore(b *testing.B) *store.Store {
	b.Helper()
	e := testdb.SQLite(b)
	if os.Getenv("RUGGEDLAB_BENCH_ENGINE") == "postgres" {
		e = testdb.Postgres(b)
	}
	st := storetest.Open(b, e, storetest.WithNow(func() time.Time { return pagesNow }))
	return st
}

func benchHandler(st *store.Store) http.Handler {
	return (&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return pagesNow }}).Routes()
}

// benchPage serves path in process (no network) and reports its size.
func benchPage(b *testing.B, h http.Handler, path string) {
	var size int
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d\n%.500s", path, rec.Code, rec.Body.String())
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "B/page")
	if size > 3<<20 {
		b.Errorf("GET %s: %d bytes, over the 3 MB page budget", path, size)
	}
}

// benchBrowser times headless Chromium from navigation until every chart
// on the page has drawn (browsertest.Visit: load, charts checked for ink,
// plus its fixed 300 ms settle), the figure the "draws in under 3 s" target
// is about. The demo page, timed the same way, is the reference.
func benchBrowser(b *testing.B, h http.Handler, path string) {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	br := browsertest.New(b)
	for b.Loop() {
		rep := br.Visit(b, srv.URL+path, "")
		rep.AssertClean(b)
	}
}

// benchDischarge draws every run's discharge curve in one chart, each read
// reduced to maxPoints (0: every sample), and reports the chart's HTML size.
func benchDischarge(b *testing.B, st *store.Store, runs []models.Run, maxPoints int) {
	ctx := context.Background()
	groupOf := map[string]int{}
	var groups []string
	for _, r := range runs {
		if _, ok := groupOf[r.Handset]; !ok {
			groupOf[r.Handset] = len(groups)
			groups = append(groups, r.Handset)
		}
	}
	var size, points int
	b.ReportAllocs()
	for b.Loop() {
		var curves []charts.Curve
		points = 0
		for _, r := range runs {
			info, err := st.SeriesInfo(ctx, r.ID, 0)
			if err != nil {
				b.Fatal(err)
			}
			var f series.Frame
			if maxPoints > 0 {
				f, err = st.ReducedSeries(ctx, info, maxPoints)
			} else {
				f, _, err = st.Series(ctx, r.ID, 0)
			}
			if err != nil {
				b.Fatal(err)
			}
			ts := f.Column("t_s")
			hours := make([]float64, len(ts))
			for i, s := range ts {
				hours[i] = s / 3600
			}
			curves = append(curves, charts.Curve{Group: groupOf[r.Handset], X: hours, Y: f.Column("soc_pct")})
			points += len(ts)
		}
		ch, err := charts.Discharge("discharge", "EU loop", groups, curves)
		if err != nil {
			b.Fatal(err)
		}
		html, err := ch.HTML()
		if err != nil {
			b.Fatal(err)
		}
		size = len(html)
	}
	b.ReportMetric(float64(size), "B/chart")
	b.ReportMetric(float64(points), "points")
}

// loadLargeTender records candidates × units battery runs, each with a
// discharge curve of samples samples, streamed into the store in batches
// as an upload would be.
func loadLargeTender(b *testing.B, st *store.Store, candidates, units, samples int) []models.Run {
	b.Helper()
	ctx := context.Background()
	var runs []models.Run
	for c := 0; c < candidates; c++ {
		code := fmt.Sprintf("bench-%c", 'a'+c)
		if _, err := st.CreateHandset(ctx, models.Handset{Code: code, Name: "Bench " + code, Manufacturer: "Bench", FormFactor: "phone"}, "bench"); err != nil {
			b.Fatal(err)
		}
		var us []models.Unit
		for u := 0; u < units; u++ {
			serial := fmt.Sprintf("B%c-%03d", 'A'+c, u+1)
			us = append(us, models.Unit{Handset: code, Serial: serial})
			runtime := 28 + 3*float64(c) + 0.4*float64(u%5)
			start := time.Date(2026, 3, 1+u, 8, 0, 0, 0, time.UTC).Add(time.Duration(c) * time.Hour)
			runs = append(runs, models.Run{Kind: models.Battery, Handset: code, Unit: serial, Method: "EU 2023/1669 Annex IV",
				StartedAt: start, EndedAt: start.Add(time.Duration(runtime * float64(time.Hour))),
				Protocol: "eu_eei_loop", RuntimeH: fptr(runtime), StartSocPct: fptr(100), EndSocPct: fptr(0),
				BrightnessNits: fptr(200), AmbientC: fptr(23)})
		}
		if _, err := st.CreateUnits(ctx, us, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	created, err := st.CreateRuns(ctx, runs, "bench")
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range created {
		if _, err := st.IngestSeries(ctx, r.ID, syntheticDischarge(*r.RuntimeH, samples), store.IngestOptions{By: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	return created
}

// syntheticDischarge emits a smooth, non-increasing SoC curve over
// runtimeH hours with a small ripple, as a fuel gauge logged at a fixed
// rate would, in batches of 8,192 samples.
func syntheticDischarge(runtimeH float64, samples int) store.SeriesReader {
	return func(_ series.Kind, emit func(series.Frame) error) (series.Summary, error) {
		cols := []string{"t_s", "soc_pct", "voltage_v"}
		dt := runtimeH * 3600 / float64(samples-1)
		const batch = 8192
		for start := 0; start < samples; start += batch {
			n := min(batch, samples-start)
			t, soc, v := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				k := start + i
				x := float64(k) / float64(samples-1)
				t[i] = float64(k) * dt
				soc[i] = math.Max(0, 100*(1-math.Pow(x, 1.15))-0.3*math.Abs(math.Sin(float64(k)/500)))
				v[i] = 3.3 + 1.05*soc[i]/100
			}
			if err := emit(series.Frame{Columns: cols, Data: [][]float64{t, soc, v}}); err != nil {
				return series.Summary{}, err
			}
		}
		return series.Summary{Rows: samples, Columns: cols, First: 0, Last: float64(samples-1) * dt}, nil
	}
}
