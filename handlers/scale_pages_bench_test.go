package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// BenchmarkScalePages serves each of BenchmarkScale's five requests again
// and again on the demo tender plus RUGGEDLAB_SCALE_RUNS drop runs (default
// 100,000), without the answer cache, in a loop long enough for
// -cpuprofile to say where their time goes (BenchmarkScale's profile is
// mostly the import). Pick one request by its sub-benchmark name:
//
//	./scripts/test ./handlers/ -run '^$' -bench 'BenchmarkScalePages/sqlite/api-compare' -cpuprofile=/tmp/pages.prof
func BenchmarkScalePages(b *testing.B) {
	extra := envInt("RUGGEDLAB_SCALE_RUNS", 100_000)
	for _, e := range testdb.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			st, profiles := scaleDemo(b, e)
			file := scaleDropFile(b, st, extra)
			if _, err := st.CreateImport(context.Background(), "drop", strings.NewReader(file), store.ImportOptions{By: "bench"}); err != nil {
				b.Fatal(err)
			}
			if dir := os.Getenv("RUGGEDLAB_SCALE_KEEP"); dir != "" && e.Name == testdb.NameSQLite {
				// a copy to read query plans from with the sqlite3 shell
				for _, sfx := range []string{"", "-wal", "-shm"} {
					if b, err := os.ReadFile(e.DSN + sfx); err == nil {
						os.WriteFile(filepath.Join(dir, "scale.db"+sfx), b, 0o644)
					}
				}
			}
			b.Setenv("RUGGEDLAB_SCALE_NOCACHE", "1")
			h := scaleHandler(st)
			for _, p := range []string{
				"/api/v1/compare?kind=drop",
				"/compare?kind=drop",
				"/api/v1/profiles/" + profiles[0].ID + "/matrix",
				"/",
				"/handsets/atlas-r1",
			} {
				b.Run(metricName(p), func(b *testing.B) {
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s: %d", p, rec.Code)
						}
					}
				})
			}
		})
	}
}
