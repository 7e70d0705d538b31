package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/series"
	"ruggedlab/store"
)

// oldSeries is a series as schema 00017 held it: rows of samples and
// series_overview.
type oldSeries struct {
	run      models.Run
	id       int
	kind     series.Kind
	cols     []string
	vcols    []string // the samples columns of cols[1:]
	n        int
	overview []int // idx of the overview rows
}

// openAt17 opens a fresh database migrated up to 00017 only.
func openAt17(t *testing.T, e testdb.Engine) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, e.DSN, store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := store.MigrateTo(ctx, s, 17); err != nil {
		t.Fatal(err)
	}
	// Today's writes keep summaries of later schemas (unit_recent,
	// 00026); these tests are about series.
	store.SkipTallyUpkeep(s)
	return s
}

// insertOld writes a series the way the store before 00018 did.
func insertOld(t *testing.T, e testdb.Engine, o oldSeries, value func(i, j int) float64) {
	t.Helper()
	stmts := []string{fmt.Sprintf(`INSERT INTO series (id, run_id, revision, columns, n_samples, n_overview, first_t_s, last_t_s, recorded_by, recorded_at, reason)
		VALUES (%d, '%s', 1, '%s', %d, %d, %s, %s, 'tester', '2026-06-01T12:00:00.000000Z', 'uploaded')`,
		o.id, o.run.ID, strings.Join(o.cols, ","), o.n, len(o.overview), num(value(0, 0)), num(value(o.n-1, 0))),
		fmt.Sprintf("UPDATE runs SET has_series = TRUE WHERE id = '%s'", o.run.ID)}
	if e.Name == testdb.NamePostgres {
		stmts[0] = strings.Replace(stmts[0], "reason)", "reason) OVERRIDING SYSTEM VALUE", 1)
	}
	rows := func(table string, idxs []int) {
		for start := 0; start < len(idxs); start += 500 {
			var b strings.Builder
			b.WriteString("INSERT INTO " + table + " (series_id, idx, t_s" + prefix(o.vcols) + ") VALUES ")
			for k, i := range idxs[start:min(start+500, len(idxs))] {
				if k > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "(%d, %d", o.id, i)
				for j := range o.cols {
					b.WriteString(", " + num(value(i, j)))
				}
				b.WriteByte(')')
			}
			stmts = append(stmts, b.String())
		}
	}
	all := make([]int, o.n)
	for i := range all {
		all[i] = i
	}
	rows("samples", all)
	rows("series_overview", o.overview)
	testdb.Exec(t, e, stmts...)
}

func prefix(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return ", " + strings.Join(cols, ", ")
}

func num(v float64) string { return fmt.Sprintf("%.17g", v) }

// readOld reads a table of schema 00017 back as the database holds it:
// the reference the migrated series must equal bit for bit.
func readOld(t *testing.T, e testdb.Engine, table string, o oldSeries) series.Frame {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+e.DSN
	if e.Name == testdb.NamePostgres {
		driver, dsn = "pgx", e.DSN
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf("SELECT t_s%s FROM %s WHERE series_id = %d ORDER BY idx", prefix(o.vcols), table, o.id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	f := series.Frame{Columns: o.cols, Data: make([][]float64, len(o.cols))}
	vals := make([]float64, len(o.cols))
	dest := make([]any, len(vals))
	for j := range vals {
		dest[j] = &vals[j]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			f.Data[j] = append(f.Data[j], v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

// readIdx lists the idx of a series' rows in table, in order.
func readIdx(t *testing.T, e testdb.Engine, table string, id int) []int {
	t.Helper()
	driver, dsn := "sqlite3", "file:"+e.DSN
	if e.Name == testdb.NamePostgres {
		driver, dsn = "pgx", e.DSN
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf("SELECT idx FROM %s WHERE series_id = %d ORDER BY idx", table, id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			t.Fatal(err)
		}
		out = append(out, i)
	}
	return out
}

func sameFrame(t *testing.T, what string, got, want series.Frame) {
	t.Helper()
	if strings.Join(got.Columns, ",") != strings.Join(want.Columns, ",") || got.Len() != want.Len() {
		t.Fatalf("%s: columns %v, %d rows; want %v, %d rows", what, got.Columns, got.Len(), want.Columns, want.Len())
	}
	for j := range want.Data {
		for i := range want.Data[j] {
			if math.Float64bits(got.Data[j][i]) != math.Float64bits(want.Data[j][i]) {
				t.Fatalf("%s: row %d column %s = %v, want %v", what, i, want.Columns[j], got.Data[j][i], want.Data[j][i])
			}
		}
	}
}

// Migration 00018 on a database made by schema 00017: every series reads
// back with the values its rows held, bit for bit (so GET answers the same
// bytes), its overview too, and new uploads work beside them.
func TestMigrateSeriesToBlocks(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAt17(t, e)
			seed(t, s)
			start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
			bat := oldSeries{run: mustRun(t, s, batteryRun("ATL-0001", start)), id: 7, kind: series.Battery,
				cols: series.Columns(series.Battery), vcols: []string{"v1", "v2", "v3", "v4"}, n: 3*4096 + 17}
			for i := 0; i < bat.n-1; i += 16 {
				bat.overview = append(bat.overview, i)
			}
			bat.overview = append(bat.overview, bat.n-1)
			insertOld(t, e, bat, func(i, j int) float64 {
				switch j {
				case 0:
					return float64(i) * 0.5
				case 1:
					return math.Round(1e4*(100-100*float64(i)/float64(bat.n))) / 1e4
				case 2:
					return 4.35 - 1.05*float64(i)/float64(bat.n) // not a short decimal
				case 3:
					return float64(400 + i%50)
				}
				return 25 + float64(i%7)/10
			})
			// A chamber log without device_c: value columns v1, v2 only.
			cold := oldSeries{run: mustRun(t, s, chamberRun("ATL-0002", start)), id: 9, kind: series.Temperature,
				cols: []string{"t_s", "setpoint_c", "air_c"}, vcols: []string{"v1", "v2"}, n: 30, overview: []int{0, 29}}
			insertOld(t, e, cold, func(i, j int) float64 {
				return []float64{float64(i * 60), -20, -19.5 + float64(i%3)*0.25}[j]
			})
			wantBat, wantBatOvw := readOld(t, e, "samples", bat), readOld(t, e, "series_overview", bat)
			wantCold := readOld(t, e, "samples", cold)

			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				o    oldSeries
				want series.Frame
			}{{bat, wantBat}, {cold, wantCold}} {
				got, info, err := s.Series(ctx, c.o.run.ID, 0)
				if err != nil {
					t.Fatal(err)
				}
				if info.Samples != c.o.n {
					t.Errorf("%s: %d samples, want %d", c.o.run.ID, info.Samples, c.o.n)
				}
				sameFrame(t, "series "+c.o.run.ID, got, c.want)
			}
			// The overview holds 4 × 100 points or more: a chart of 100
			// points is reduced from it, as before the migration.
			info, err := s.SeriesInfo(ctx, bat.run.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			red, err := s.ReducedSeries(ctx, info, 100)
			if err != nil {
				t.Fatal(err)
			}
			sameFrame(t, "reduced", red, series.Reduce(wantBatOvw, series.MainColumn(series.Battery), 100))

			// A replacement after the migration is stored by the block and
			// keeps the migrated series readable at revision 1.
			text := dischargeCSV(5000)
			if _, err := s.IngestSeries(ctx, bat.run.ID, csvSeries(text), store.IngestOptions{Replace: true, Reason: "re-logged", By: "tester"}); err != nil {
				t.Fatal(err)
			}
			got, _, err := s.Series(ctx, bat.run.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			sameFrame(t, "replacement", got, parse(t, series.Battery, text))
			old, _, err := s.Series(ctx, bat.run.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			sameFrame(t, "revision 1", old, wantBat)

			// Down to 00017: the rows come back as they were, the
			// overview at the same idx, and the replacement as rows too.
			if err := store.MigrateDownTo(ctx, s, 17); err != nil {
				t.Fatal(err)
			}
			sameFrame(t, "samples after down", readOld(t, e, "samples", bat), wantBat)
			sameFrame(t, "overview after down", readOld(t, e, "series_overview", bat), wantBatOvw)
			sameFrame(t, "chamber after down", readOld(t, e, "samples", cold), wantCold)
			if got := readIdx(t, e, "series_overview", bat.id); !slices.Equal(got, bat.overview) {
				t.Errorf("overview idx after down: %d rows, want %d (first %v)", len(got), len(bat.overview), got[:min(5, len(got))])
			}
			// And up again, as a later upgrade would.
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			again, _, err := s.Series(ctx, bat.run.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			sameFrame(t, "revision 1 after down and up", again, wantBat)
		})
	}
}

// A series whose rows disagree with its record stops the migration, and
// the database stays at schema 00017 with its rows where they were.
func TestMigrateSeriesToBlocksAllOrNothing(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAt17(t, e)
			seed(t, s)
			start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
			cols := series.Columns(series.Battery)
			good := oldSeries{run: mustRun(t, s, batteryRun("ATL-0001", start)), id: 1, kind: series.Battery,
				cols: cols, vcols: []string{"v1", "v2", "v3", "v4"}, n: 5000, overview: []int{0, 4999}}
			bad := oldSeries{run: mustRun(t, s, batteryRun("ATL-0002", start)), id: 2, kind: series.Battery,
				cols: cols, vcols: []string{"v1", "v2", "v3", "v4"}, n: 100, overview: []int{0, 99}}
			v := func(i, j int) float64 { return []float64{float64(i), 100 - float64(i)/100, 4, 400, 25}[j] }
			insertOld(t, e, good, v)
			insertOld(t, e, bad, v)
			testdb.Exec(t, e, "DELETE FROM samples WHERE series_id = 2 AND idx = 50")

			err := s.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "99 rows in samples, its record says 100") {
				t.Fatalf("Migrate: %v, want the count mismatch of series 2", err)
			}
			if n, err := s.Pending(ctx); err != nil || n == 0 {
				t.Fatalf("Pending = %d, %v; want the migration still pending", n, err)
			}
			sameFrame(t, "series 1 left in samples", readOld(t, e, "samples", good), func() series.Frame {
				f := series.Frame{Columns: cols, Data: make([][]float64, len(cols))}
				for i := range good.n {
					for j := range cols {
						f.Data[j] = append(f.Data[j], v(i, j))
					}
				}
				return f
			}())
			if got := readOld(t, e, "samples", bad).Len(); got != 99 {
				t.Errorf("series 2: %d rows left, want 99", got)
			}
		})
	}
}
