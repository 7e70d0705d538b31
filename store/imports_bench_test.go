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
// engine, per round, two fresh stores — one with the upkeep, one without
// it (SkipTallyUpkeep: the code as it was before the summaries) — each
// import the same drop file (RUGGEDLAB_UPKEEP_ROWS, default 100,000), then
// amend RUGGEDLAB_UPKEEP_AMENDS of the runs just imported (default 200,
// newest first: each amendment moves the run to another group, and takes
// a listed run out of a 50,000-run group, which then reads its latest runs
// again — the dearest case). Imports alternate which goes first, and
// amendments alternate one by one; over RUGGEDLAB_UPKEEP_ROUNDS (default
// 2) the fastest of each is kept, since the machine's other load only ever
// adds time. The ratios (with / without) are measured in the same run:
//
//	./scripts/test ./store/ -run '^$' -bench TallyUpkeep -benchtime 1x
func BenchmarkTallyUpkeep(b *testing.B) {
	rows := envInt("RUGGEDLAB_UPKEEP_ROWS", 100_000)
	amends := envInt("RUGGEDLAB_UPKEEP_AMENDS", 200)
	rounds := envInt("RUGGEDLAB_UPKEEP_ROUNDS", 2)
	file := importDropFile(rows, nil)
	engines := []struct {
		name string
		open func(testing.TB) testdb.Engine
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				var imp, amend [2]time.Duration // fastest: [0] without the upkeep, [1] with it
				for round := range rounds {
					stores := [2]*store.Store{}
					created := [2][]string{}
					for i := range stores {
						stores[i] = storetest.Open(b, e.open(b), storetest.At(testNow))
						seed(b, stores[i])
						if i == 0 {
							store.SkipTallyUpkeep(stores[i])
						}
					}
					for _, i := range [][]int{{0, 1}, {1, 0}}[round%2] {
						t0 := time.Now()
						res, err := stores[i].CreateImport(ctx, "drop", strings.NewReader(file), store.ImportOptions{By: "bench"})
						if d := time.Since(t0); round == 0 || d < imp[i] {
							imp[i] = d
						}
						if err != nil || res.Rows != rows {
							b.Fatalf("import: %d rows, %v", res.Rows, err)
						}
						created[i] = res.Created
					}
					var took [2]time.Duration
					for j := range amends {
						for _, i := range []int{0, 1} {
							id := created[i][len(created[i])-1-j%len(created[i])]
							body := fmt.Sprintf(`{"drops_completed": %d}`, 20+j%5) // 26 in the file: the run leaves its group
							t0 := time.Now()
							_, err := stores[i].AmendRun(ctx, id, models.Amendment{Reason: "bench", Revision: 1 + j/len(created[i]), Changes: json.RawMessage(body)}, "bench")
							took[i] += time.Since(t0)
							if err != nil {
								b.Fatalf("amend %s: %v", id, err)
							}
						}
					}
					for i := range took {
						if round == 0 || took[i] < amend[i] {
							amend[i] = took[i]
						}
					}
					for _, st := range stores {
						st.Close() // the next round's databases, not these, are read
					}
				}
				b.Logf("%s, fastest of %d rounds: import of %d rows %s without the upkeep, %s with it (×%.2f); %d amendments %s without, %s with (×%.2f)",
					e.name, rounds, rows, imp[0].Round(time.Millisecond), imp[1].Round(time.Millisecond), float64(imp[1])/float64(imp[0]),
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
