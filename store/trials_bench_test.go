package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ruggedlab/importer"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// BenchmarkImportShifts imports a 100,000-row shift log per iteration
// (CSV parsing, checks against the assignments, batched inserts, one
// transaction), beside the 100,000-row drop import of BenchmarkCreateImport
// measured in the same run on the same engine, and reports both rows/s:
//
//	./scripts/test ./store/ -run '^$' -bench 'ImportShifts' -benchtime 1x
func BenchmarkImportShifts(b *testing.B) {
	const rows = 100_000
	drop := importDropFile(rows, nil)
	engines := []struct {
		name string
		open func(testing.TB) testdb.Engine
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}}
	for _, e := range engines {
		for _, kind := range []string{"drop", "shift"} {
			b.Run(e.name+"/"+kind, func(b *testing.B) {
				s := storetest.Open(b, e.open(b), storetest.At(testNow))
				seed(b, s)
				ctx := context.Background()
				file := drop
				if kind == "shift" {
					file = shiftFile(b, s, rows)
				}
				b.SetBytes(int64(len(file)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					var n int
					var err error
					if kind == "drop" {
						var imp models.Import
						imp, err = s.CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "bench"})
						n = imp.Rows
					} else {
						items, lines, rerr := importer.ReadShifts(strings.NewReader(file))
						if rerr != nil {
							b.Fatal(rerr)
						}
						n, err = s.CreateShifts(ctx, items, store.TrialWrite{By: "bench", Where: store.Where{Lines: lines}})
					}
					if err != nil || n != rows {
						b.Fatalf("import: %d rows, %v", n, err)
					}
				}
				b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// shiftFile creates a trial holding the seed's two units for a year and
// returns a shift log of n rows spread over them.
func shiftFile(b *testing.B, s *store.Store, n int) string {
	t, err := s.CreateTrial(context.Background(), models.Trial{Name: "bench", Site: "lab", Start: "2026-01-01", End: "2026-12-31",
		Assignments: []models.Assignment{
			{Handset: "atlas-r1", Unit: "ATL-0001", Carrier: "A1", From: "2026-01-01", To: "2026-12-31"},
			{Handset: "atlas-r1", Unit: "ATL-0002", Carrier: "A2", From: "2026-01-01", To: "2026-12-31"},
		}}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("trial,handset,unit,start,length_h,battery_start_pct,battery_end_pct,charged,lasted_shift\n")
	base := time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)
	for i := range n {
		start := base.Add(time.Duration(i) * 5 * time.Minute)
		fmt.Fprintf(&sb, "%s,atlas-r1,ATL-000%d,%s,8,100,%d,false,\n", t.ID, 1+i%2, start.Format(time.RFC3339), i%60)
	}
	return sb.String()
}
