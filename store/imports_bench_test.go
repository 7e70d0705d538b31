package store_test

import (
	"context"
	"strings"
	"testing"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// BenchmarkCreateImport imports a 100,000-row drop file per iteration on
// each engine and reports rows/s (validation, batched inserts, revisions
// and the summary, in one transaction):
//
//	./scripts/test ./store/ -run '^$' -bench CreateImport -benchtime 1x
func BenchmarkCreateImport(b *testing.B) {
	const rows = 100_000
	file := importDropFile(rows, nil)
	engines := []struct {
		name string
		open func(testing.TB) testdb.Engine
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			s := storetest.Open(b, e.open(b), storetest.At(testNow)) // a fresh database for every -count
			seed(b, s)
			ctx := context.Background()
			b.SetBytes(int64(len(file)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				imp, err := s.CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "bench"})
				if err != nil || imp.Rows != rows {
					b.Fatalf("import: %d rows, %v", imp.Rows, err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
