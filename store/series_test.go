package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/store"
)

func batteryRun(serial string, start time.Time) models.Run {
	return models.Run{Kind: models.Battery, Handset: "atlas-r1", Unit: serial, Method: "EU 2023/1669 Annex IV",
		StartedAt: start, EndedAt: start.Add(30 * time.Hour), Protocol: "eu_eei_loop", RuntimeH: ptr(30.0),
		StartSocPct: ptr(100.0), EndSocPct: ptr(0.0), BrightnessNits: ptr(200.0), AmbientC: ptr(23.0)}
}

func chamberRun(serial string, start time.Time) models.Run {
	return models.Run{Kind: models.Temperature, Handset: "atlas-r1", Unit: serial, Method: "IEC 60068-2-1 Ad",
		StartedAt: start, EndedAt: start.Add(3 * time.Hour), Procedure: "operation_cold", SetpointC: ptr(-20.0),
		DwellMin: ptr(120.0), Passed: ptr(true)}
}

func mustRun(t testing.TB, s *store.Store, r models.Run) models.Run {
	t.Helper()
	out, err := s.CreateRun(context.Background(), r, "tester")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// csvSeries reads a CSV text as the upload body would be read.
func csvSeries(text string) store.SeriesReader {
	return func(k series.Kind, emit func(series.Frame) error) (series.Summary, error) {
		return series.ReadCSV(strings.NewReader(text), k, emit)
	}
}

// dischargeCSV is a battery series of n samples, one per 10 s, with exact
// decimal values that survive a round trip through float64 text.
func dischargeCSV(n int) string {
	var b strings.Builder
	b.WriteString("t_s,soc_pct,voltage_v,current_ma,temp_c\n")
	for i := range n {
		soc := 100 - 100*float64(i)/float64(max(n-1, 1))
		fmt.Fprintf(&b, "%d,%.3f,%.4f,%d.5,%.2f\n", i*10, soc, 4.35-1.05*float64(i)/float64(max(n, 1)), 400+i%50, 25+float64(i%7)/10)
	}
	return b.String()
}

// parse reads a CSV into one frame, as the reference for read-back checks.
func parse(t testing.TB, kind series.Kind, text string) series.Frame {
	t.Helper()
	var all series.Frame
	_, err := series.ReadCSV(strings.NewReader(text), kind, func(f series.Frame) error {
		if all.Columns == nil {
			all = series.Frame{Columns: f.Columns, Data: make([][]float64, len(f.Columns))}
		}
		for j := range f.Data {
			all.Data[j] = append(all.Data[j], f.Data[j]...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func equalFrames(a, b series.Frame) bool {
	if !slices.Equal(a.Columns, b.Columns) || len(a.Data) != len(b.Data) {
		return false
	}
	for j := range a.Data {
		if !slices.Equal(a.Data[j], b.Data[j]) {
			return false
		}
	}
	return true
}

func TestIngestSeriesReadsBackExactly(t *testing.T) {
	cases := []struct {
		name string
		kind models.Kind
		csv  string
	}{
		{"battery few", models.Battery, "t_s,soc_pct,voltage_v\n0,100,4.31\n0.5,99.9,4.3\n61.25,99,4.29\n"},
		// Crosses the reader's 8192-sample batches and the SQLite
		// statement's row count, with a remainder.
		{"battery 20k", models.Battery, dischargeCSV(20_003)},
		{"chamber", models.Temperature, "t_s,setpoint_c,air_c,device_c\n0,20,21.5,22\n30,-20,10.25,21\n60,-20,-5,18.125\n"},
		{"chamber without setpoint", models.Temperature, "air_c,t_s\n21.5,0\n10.25,30\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			openEach(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				seed(t, s)
				r := batteryRun("ATL-0001", testNow.Add(-72*time.Hour))
				if tc.kind == models.Temperature {
					r = chamberRun("ATL-0001", testNow.Add(-72*time.Hour))
				}
				run := mustRun(t, s, r)
				want := parse(t, series.Kind(tc.kind), tc.csv)

				got, err := s.IngestSeries(ctx, run.ID, csvSeries(tc.csv), store.IngestOptions{By: "tester"})
				if err != nil {
					t.Fatal(err)
				}
				if got.Samples != want.Len() || got.Revision != 1 || !slices.Equal(got.Columns, want.Columns) {
					t.Errorf("ingested %+v, want %d samples of %v at revision 1", got, want.Len(), want.Columns)
				}
				f, info, err := s.Series(ctx, run.ID, 0)
				if err != nil {
					t.Fatal(err)
				}
				if !equalFrames(f, want) {
					t.Errorf("read back differs from what was sent (%d vs %d rows)", f.Len(), want.Len())
				}
				if info.Samples != want.Len() || info.RecordedBy != "tester" || info.Revision != 1 {
					t.Errorf("info %+v", info)
				}
				n := 0
				err = s.StreamSeries(ctx, info, func(row []float64) error {
					if row[0] != want.Data[0][n] {
						return fmt.Errorf("row %d: t_s %v, want %v", n, row[0], want.Data[0][n])
					}
					n++
					return nil
				})
				if err != nil || n != want.Len() {
					t.Errorf("stream: %d rows, %v", n, err)
				}

				after, err := s.Run(ctx, run.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !after.HasSeries || after.Revision != 1 {
					t.Errorf("run after ingest: has_series %v, revision %d", after.HasSeries, after.Revision)
				}
				if tc.kind != models.Battery {
					return
				}
				var acc series.BatteryAccumulator
				acc.Add(want)
				wm := acc.Result()
				m := after.Metrics
				if m == nil || !samePtr(m.EnergyWh, wm.EnergyWh) || !samePtr(m.TimeTo20PctH, wm.TimeTo20PctH) || !samePtr(m.MeanPowerW, wm.MeanPowerW) {
					t.Errorf("metrics %s, want %s", fmtMetrics(m), fmtMetrics(metrics(wm)))
				}
			})
		})
	}
}

func metrics(m series.BatteryMetrics) *models.BatteryMetrics {
	return &models.BatteryMetrics{EnergyWh: m.EnergyWh, TimeTo20PctH: m.TimeTo20PctH, MeanPowerW: m.MeanPowerW}
}

func fmtMetrics(m *models.BatteryMetrics) string {
	if m == nil {
		return "nil"
	}
	f := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("{energy %s, t20 %s, power %s}", f(m.EnergyWh), f(m.TimeTo20PctH), f(m.MeanPowerW))
}

// samePtr compares stored metrics with computed ones; PostgreSQL and SQLite
// both store float64 exactly.
func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// badRows returns a 300-sample battery CSV whose lines 3, 17 and 250 are
// wrong in different ways.
func badRows() string {
	lines := strings.Split(strings.TrimSpace(dischargeCSV(299)), "\n")
	lines[2] = strings.Replace(lines[2], "4.", "4,", 1) // wrong decimal separator: one field too many
	f := strings.Split(lines[16], ",")
	f[2] = "9.9" // voltage out of range
	lines[16] = strings.Join(f, ",")
	f = strings.Split(lines[249], ",")
	f[0] = "10" // t_s goes back
	lines[249] = strings.Join(f, ",")
	return strings.Join(lines, "\n") + "\n"
}

func TestIngestSeriesAllOrNothing(t *testing.T) {
	late := errors.New("connection reset by peer")
	cases := []struct {
		name string
		read store.SeriesReader
		rows []int // CSV rows the problems must name
		is   error
	}{
		{"rows 3, 17 and 250", csvSeries(badRows()), []int{3, 17, 250}, nil},
		// A problem after two full batches have been written.
		{"late problem", csvSeries(dischargeCSV(20_000) + "199990,0,3.3,400,25\n"), []int{20_002}, nil},
		{"reader fails after batches", func(k series.Kind, emit func(series.Frame) error) (series.Summary, error) {
			sum, err := series.ReadCSV(strings.NewReader(dischargeCSV(20_000)), k, emit)
			if err != nil {
				return sum, err
			}
			return sum, late
		}, nil, late},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			openEach(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				seed(t, s)
				run := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-72*time.Hour)))
				_, err := s.IngestSeries(ctx, run.ID, tc.read, store.IngestOptions{By: "tester"})
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Fatalf("got %v, want %v", err, tc.is)
				}
				if tc.rows != nil {
					var ps series.Problems
					if !errors.As(err, &ps) {
						t.Fatalf("got %v, want series.Problems", err)
					}
					var rows []int
					for _, p := range ps {
						rows = append(rows, p.Row)
					}
					rows = slices.Compact(rows)
					if !slices.Equal(rows, tc.rows) {
						t.Errorf("problems on rows %v, want %v: %v", rows, tc.rows, ps)
					}
				}
				if _, err := s.SeriesInfo(ctx, run.ID, 0); code(err) != models.NotFound {
					t.Errorf("series after a failed upload: %v, want not found", err)
				}
				after, _ := s.Run(ctx, run.ID)
				if after.HasSeries || after.Metrics.EnergyWh != nil {
					t.Errorf("run after a failed upload: has_series %v, metrics %s", after.HasSeries, fmtMetrics(after.Metrics))
				}
				// The blocks written before the failure are rolled back
				// with it (the late cases fail after four blocks).
				if n, err := store.SeriesBlocks(ctx, s); err != nil || n != 0 {
					t.Errorf("series_blocks after a failed upload: %d rows, %v; want none", n, err)
				}
				// The run still takes a good series afterwards: nothing of
				// the failed one is in the way.
				if _, err := s.IngestSeries(ctx, run.ID, csvSeries(dischargeCSV(100)), store.IngestOptions{By: "tester"}); err != nil {
					t.Errorf("upload after a failed one: %v", err)
				}
			})
		})
	}
}

func TestIngestSeriesRefusals(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		drop := mustRun(t, s, dropRun("ATL-0001", testNow.Add(-48*time.Hour)))
		bat := mustRun(t, s, batteryRun("ATL-0002", testNow.Add(-72*time.Hour)))
		gone := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-96*time.Hour)))
		if _, err := s.RetractRun(ctx, gone.ID, models.Retraction{Reason: "wrong unit"}, "tester"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestSeries(ctx, bat.ID, csvSeries(dischargeCSV(10)), store.IngestOptions{By: "tester"}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			run  string
			opts store.IngestOptions
			want models.Code
		}{
			{"unknown run", "no-such-run", store.IngestOptions{}, models.NotFound},
			{"drop run", drop.ID, store.IngestOptions{}, models.Invalid},
			{"retracted run", gone.ID, store.IngestOptions{}, models.Conflict},
			{"second upload", bat.ID, store.IngestOptions{}, models.Conflict},
			{"replace without reason", bat.ID, store.IngestOptions{Replace: true, Reason: "  "}, models.Invalid},
		}
		for _, tc := range cases {
			called := false
			read := func(series.Kind, func(series.Frame) error) (series.Summary, error) {
				called = true
				return series.Summary{}, nil
			}
			_, err := s.IngestSeries(ctx, tc.run, read, tc.opts)
			if code(err) != tc.want {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
			}
			if called {
				t.Errorf("%s: the body was read although the upload is refused", tc.name)
			}
		}
	})
}

func TestReplaceSeriesKeepsTheOldOne(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		run := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-72*time.Hour)))
		first, second := dischargeCSV(50), dischargeCSV(80)
		if _, err := s.IngestSeries(ctx, run.ID, csvSeries(first), store.IngestOptions{By: "alice"}); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Run(ctx, run.ID)
		got, err := s.IngestSeries(ctx, run.ID, csvSeries(second), store.IngestOptions{Replace: true, Reason: "logger clock was off by an hour", By: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || got.Samples != 80 {
			t.Errorf("replacement: %+v, want revision 2 with 80 samples", got)
		}
		after, _ := s.Run(ctx, run.ID)
		if after.Revision != 2 || after.RecordedBy != "bob" || !after.HasSeries {
			t.Errorf("run after replacement: revision %d by %s", after.Revision, after.RecordedBy)
		}
		if samePtr(after.Metrics.EnergyWh, before.Metrics.EnergyWh) {
			t.Errorf("energy unchanged by a different series: %s", fmtMetrics(after.Metrics))
		}
		for _, tc := range []struct {
			revision int
			want     string
		}{{0, second}, {2, second}, {1, first}} {
			f, info, err := s.Series(ctx, run.ID, tc.revision)
			if err != nil {
				t.Fatalf("revision %d: %v", tc.revision, err)
			}
			if !equalFrames(f, parse(t, series.Battery, tc.want)) {
				t.Errorf("revision %d: got %d samples of revision %d", tc.revision, f.Len(), info.Revision)
			}
		}
		if _, err := s.SeriesInfo(ctx, run.ID, 3); code(err) != models.NotFound {
			t.Errorf("revision 3: %v, want not found", err)
		}
		revs, err := s.Revisions(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := revs[len(revs)-1]
		if len(revs) != 2 || last.Reason != "logger clock was off by an hour" || last.RecordedBy != "bob" {
			t.Fatalf("revisions %+v", revs)
		}
		for _, field := range []string{"series", "metrics.energy_wh"} {
			if _, ok := last.Changes[field]; !ok {
				t.Errorf("revision 2 changes lack %s: %v", field, last.Changes)
			}
		}
		// An amendment after the replacement still sees the series.
		amended, err := s.AmendRun(ctx, run.ID, models.Amendment{Reason: "typo", Revision: 2, Changes: []byte(`{"notes": "shelf 3"}`)}, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if !amended.HasSeries || amended.Metrics == nil || !samePtr(amended.Metrics.EnergyWh, after.Metrics.EnergyWh) {
			t.Errorf("amendment lost the series: %+v", amended)
		}
		if f, _, err := s.Series(ctx, run.ID, 3); err != nil || f.Len() != 80 {
			t.Errorf("series at revision 3 (an amendment): %d samples, %v", f.Len(), err)
		}
	})
}

func TestReducedSeries(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		run := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-72*time.Hour)))
		text := dischargeCSV(40_000)
		if _, err := s.IngestSeries(ctx, run.ID, csvSeries(text), store.IngestOptions{By: "t"}); err != nil {
			t.Fatal(err)
		}
		full := parse(t, series.Battery, text)
		info, err := s.SeriesInfo(ctx, run.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			max   int
			exact bool // the streaming path: exactly series.Reduce of the whole series
		}{{2, false}, {3, false}, {100, false}, {1000, true}, {2000, true}, {39_999, true}, {40_000, true}, {1 << 30, true}} {
			f, err := s.ReducedSeries(ctx, info, tc.max)
			if err != nil {
				t.Fatalf("max %d: %v", tc.max, err)
			}
			n := f.Len()
			if n > tc.max || n < min(tc.max, 2) {
				t.Errorf("max %d: %d rows", tc.max, n)
			}
			if f.Data[0][0] != full.Data[0][0] || f.Data[0][n-1] != full.Data[0][full.Len()-1] {
				t.Errorf("max %d: first/last t_s %v/%v, want %v/%v", tc.max, f.Data[0][0], f.Data[0][n-1], full.Data[0][0], full.Data[0][full.Len()-1])
			}
			if tc.exact && !equalFrames(f, series.Reduce(full, "soc_pct", tc.max)) {
				t.Errorf("max %d: differs from series.Reduce of the whole series", tc.max)
			}
			// Whole rows: every kept row is a row of the series.
			for i := range n {
				k, ok := slices.BinarySearch(full.Data[0], f.Data[0][i])
				if !ok || full.Data[1][k] != f.Data[1][i] || full.Data[4][k] != f.Data[4][i] {
					t.Fatalf("max %d: row %d is not a row of the series", tc.max, i)
				}
			}
		}
	})
}

// TestIngestSeriesMetricsNeedColumns: without current the energy cannot be
// computed, and the run says so with null metrics rather than zeros.
func TestIngestSeriesMetricsNeedColumns(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		run := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-72*time.Hour)))
		csv := "t_s,soc_pct,voltage_v\n0,100,4.3\n3600,50,3.9\n7200,10,3.5\n"
		if _, err := s.IngestSeries(ctx, run.ID, csvSeries(csv), store.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Run(ctx, run.ID)
		m := after.Metrics
		if m.EnergyWh != nil || m.MeanPowerW != nil || m.TimeTo20PctH == nil || math.Abs(*m.TimeTo20PctH-1.75) > 1e-12 {
			t.Errorf("metrics %s, want energy and power null, time to 20 %% 1.75 h", fmtMetrics(m))
		}
	})
}

// TestConcurrentFirstUploads: of two first series sent to one run at once,
// exactly one is stored; the other is a conflict, whichever engine
// serialises them (a row lock on PostgreSQL, the write lock on SQLite).
func TestConcurrentFirstUploads(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seed(t, s)
		run := mustRun(t, s, batteryRun("ATL-0001", testNow.Add(-72*time.Hour)))
		errs := make(chan error, 2)
		for _, n := range []int{3000, 5000} {
			go func() {
				_, err := s.IngestSeries(ctx, run.ID, csvSeries(dischargeCSV(n)), store.IngestOptions{By: "t"})
				errs <- err
			}()
		}
		var codes []models.Code
		for range 2 {
			codes = append(codes, code(<-errs))
		}
		slices.Sort(codes)
		if !slices.Equal(codes, []models.Code{"", models.Conflict}) {
			t.Fatalf("outcomes %q, want one success and one conflict", codes)
		}
		f, info, err := s.Series(ctx, run.ID, 0)
		if err != nil || f.Len() != info.Samples || (f.Len() != 3000 && f.Len() != 5000) {
			t.Errorf("stored series: %d samples (info %d), %v", f.Len(), info.Samples, err)
		}
	})
}
