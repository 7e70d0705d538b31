package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ruggedlab/models"

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

// BenchmarkTallyUpkeep is what keeping the per-unit summaries costs
// writes (issue #18: no more than 20 % slower than without them). On each
// engine, two fresh stores — one with the upkeep, one without it
// (SkipTallyUpkeep: the code as it was before the summaries) — each import
// the same drop file (RUGGEDLAB_UPKEEP_ROWS, default 100,000), then amend
// RUGGEDLAB_UPKEEP_AMENDS of the runs just imported (default 200, the
// newest first: each amendment moves the run to another group, and takes
// a listed run out of a 50,000-run group, which then reads its latest
// runs again — the dearest case). The two are interleaved, and the ratios
// (with / without) are reported, measured in the same run:
//
//	./scripts/test ./store/ -run '^$' -bench TallyUpkeep -benchtime 1x
func BenchmarkTallyUpkeep(b *testing.B) {
	rows := envInt("RUGGEDLAB_UPKEEP_ROWS", 100_000)
	amends := envInt("RUGGEDLAB_UPKEEP_AMENDS", 200)
	file := importDropFile(rows, nil)
	engines := []struct {
		name string
		open func(testing.TB) testdb.Engine
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				var imp, amend [2]time.Duration // [0] without the upkeep, [1] with it
				stores := [2]*store.Store{}
				created := [2][]string{}
				for i := range stores {
					stores[i] = storetest.Open(b, e.open(b), storetest.At(testNow))
					seed(b, stores[i])
					if i == 0 {
						store.SkipTallyUpkeep(stores[i])
					}
				}
				for _, i := range []int{0, 1} {
					t0 := time.Now()
					res, err := stores[i].CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "bench"})
					imp[i] = time.Since(t0)
					if err != nil || res.Rows != rows {
						b.Fatalf("import: %d rows, %v", res.Rows, err)
					}
					created[i] = res.Created
				}
				// amendments interleaved, one each in turn, newest runs first
				for j := range amends {
					for _, i := range []int{0, 1} {
						id := created[i][len(created[i])-1-j%len(created[i])]
						done := 20 + j%5 // 26 in the file: the run leaves its group
						body := fmt.Sprintf(`{"drops_completed": %d}`, done)
						t0 := time.Now()
						_, err := stores[i].AmendRun(ctx, id, models.Amendment{Reason: "bench", Revision: 1 + j/len(created[i]), Changes: json.RawMessage(body)}, "bench")
						amend[i] += time.Since(t0)
						if err != nil {
							b.Fatalf("amend %s: %v", id, err)
						}
					}
				}
				b.Logf("%s: import of %d rows %s without the upkeep, %s with it (×%.2f); %d amendments %s without, %s with (×%.2f)",
					e.name, rows, imp[0].Round(time.Millisecond), imp[1].Round(time.Millisecond), float64(imp[1])/float64(imp[0]),
					amends, amend[0].Round(time.Millisecond), amend[1].Round(time.Millisecond), float64(amend[1])/float64(amend[0]))
				b.ReportMetric(float64(imp[1])/float64(imp[0]), "import-x")
				b.ReportMetric(float64(amend[1])/float64(amend[0]), "amend-x")
				b.ReportMetric(float64(amend[1].Microseconds())/float64(amends), "amend-µs")
			}
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
