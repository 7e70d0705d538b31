package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
)

// The foreign-key check behind every run_revisions and series row must look
// the run up through runs_pkey even when PostgreSQL's statistics say runs is
// empty. They say so in the middle of any large import that autovacuum
// visits: it cannot count the import's uncommitted rows and writes
// reltuples = 0 with relpages > 0. With id as the second column of
// runs_started, the planner then picked that index for `id = $1` and read
// the whole of it for every row checked (migration 00010). This recreates
// those statistics and asks for the plan, custom and generic.
func TestRunForeignKeyCheckUsesPrimaryKeyWithZeroedStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 20,000 runs")
	}
	pg := testdb.Postgres(t)
	dsn := pg.DSN
	s := storetest.Open(t, pg, storetest.At(testNow))
	seed(t, s)
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `ALTER TABLE runs SET (autovacuum_enabled = false)`); err != nil {
		t.Fatal(err)
	}
	imp, err := db.BeginTx(ctx, nil) // the import, left open
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Rollback()
	if _, err := imp.ExecContext(ctx, `
		INSERT INTO runs (id, kind, handset_id, unit_id, method, started_at, ended_at, revision, status, recorded_by, recorded_at)
		SELECT 'imp-' || lpad(i::text, 6, '0'), 'drop', u.handset_id, u.id, 'MIL-STD-810H 516.8 IV',
		       timestamptz '2025-01-01' + i * interval '1 minute', timestamptz '2025-01-01' + i * interval '1 minute' + interval '30 seconds',
		       1, 'active', 'tester', now()
		FROM generate_series(1, 20000) i, (SELECT id, handset_id FROM units ORDER BY serial LIMIT 1) u`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM runs`); err != nil { // what autovacuum does mid-import
		t.Fatal(err)
	}
	var pages int
	var tuples float64
	if err := db.QueryRowContext(ctx, `SELECT relpages, reltuples FROM pg_class WHERE relname = 'runs'`).Scan(&pages, &tuples); err != nil {
		t.Fatal(err)
	}
	if pages == 0 || tuples != 0 {
		t.Fatalf("the statistics were not zeroed as in the slow imports: relpages %d, reltuples %v", pages, tuples)
	}
	const riQuery = `SELECT 1 FROM ONLY runs x WHERE id = $1 FOR KEY SHARE OF x`
	if _, err := imp.ExecContext(ctx, `PREPARE ri(text) AS `+riQuery); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := imp.ExecContext(ctx, `SET LOCAL plan_cache_mode = `+mode); err != nil {
			t.Fatal(err)
		}
		rows, err := imp.QueryContext(ctx, `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) EXECUTE ri('imp-010000')`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "Index Scan using runs_pkey") {
			t.Errorf("%s: the foreign-key check on runs does not use runs_pkey:\n%s", mode, text)
		}
	}
}
