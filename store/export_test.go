package store

import (
	"context"
	"fmt"
	"strings"
)

// PlannerRowEstimate is the planner's idea of how many rows table has, or
// -1 when it has no statistics: SQLite's sqlite_stat1 row count, PostgreSQL's
// pg_class.reltuples (-1 until the first ANALYZE or VACUUM).
func PlannerRowEstimate(ctx context.Context, s *Store, table string) (float64, error) {
	var n float64
	if s.engine == Postgres {
		err := s.db.WithContext(ctx).Raw("SELECT reltuples FROM pg_class WHERE relname = ?", table).Scan(&n).Error
		return n, err
	}
	var has int
	if err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").Scan(&has).Error; err != nil || has == 0 {
		return -1, err
	}
	var stat []string
	if err := s.db.WithContext(ctx).Raw("SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL", table).Scan(&stat).Error; err != nil || len(stat) == 0 {
		return -1, err
	}
	// "N a b …": N is the rows the index holds — the table's, but for a
	// partial index (runs_retracted holds only retracted runs): the most.
	n = -1
	for _, st := range stat {
		var rows float64
		if _, err := fmt.Sscan(st, &rows); err != nil {
			return -1, err
		}
		n = max(n, rows)
	}
	return n, nil
}

// MigrateTo applies the migrations up to version only, to build a database
// of an earlier schema.
func MigrateTo(ctx context.Context, s *Store, version int64) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// SeriesBlocks counts the rows of series_blocks, every series together.
func SeriesBlocks(ctx context.Context, s *Store) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM series_blocks").Scan(&n).Error
	return n, err
}

// SkipTallyUpkeep makes s write runs without keeping the per-unit
// summaries: the benchmarks' "before tallies" reference, measured in the
// same run as the real thing. The summaries are wrong afterwards.
func SkipTallyUpkeep(s *Store) { s.noTallies = true }

// MigrateDownTo undoes the migrations above version.
func MigrateDownTo(ctx context.Context, s *Store, version int64) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// GkeysGoAndSQL are the group keys of tuples of summary columns' values
// (as tallyValues makes them) spelt by Go (goGkey: "" where it is not
// sure) and by the engine's view expression.
func GkeysGoAndSQL(ctx context.Context, s *Store, tuples [][]any) (goKeys, sqlKeys []string, err error) {
	for _, vals := range tuples {
		k, _ := goGkey(s.engine, vals)
		goKeys = append(goKeys, k)
	}
	sqlKeys, err = s.sqlGkeys(s.db.WithContext(ctx), tuples)
	return goKeys, sqlKeys, err
}

// TallyTypes are the summary columns' types, r real, i integer, b
// boolean, t text.
func TallyTypes() string { return string(tallyTypes) }

// DropFoldPlan is SQLite's query plan of the drop compare's fold for f,
// its steps' details joined by newlines.
func DropFoldPlan(ctx context.Context, s *Store, f EvidenceFilter, handsetIDs []string) (string, error) {
	q, args := dropFold(f, handsetIDs)
	rows, err := s.db.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+q, args...).Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "\n"), rows.Err()
}
