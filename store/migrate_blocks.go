package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"

	"ruggedlab/series"
	"ruggedlab/series/block"
)

// Migration 00018 stores series by the block (issue #15 item 4, api.md
// §12.3): it creates series_blocks, moves every series' samples and
// overview rows into blocks of blockRows samples, checks each series'
// counts against its record, and drops samples and series_overview — in
// the one transaction goose runs it in, so a failure anywhere leaves the
// database at 00017, untouched. It is Go, not SQL, because the blocks are
// encoded by package series/block.
//
// series_blocks (both engines): one row per block; level 0 holds the
// samples, level 1 the overview; seq numbers a level's blocks from 0 in
// t_s order; first_t_s and last_t_s are the block's first and last t_s,
// n its sample count; payload the encoded columns of the series (t_s
// first, as in series.columns). The primary key is the read path. There is
// no foreign key to series, for the reason samples had none: only the
// store writes blocks, in the same transaction as their series row.
const blocksVersion = 18

var blocksDDL = map[string]string{
	// STORAGE EXTERNAL: a block (~28 KB) goes to TOAST as it is, without
	// pglz trying to compress bytes that are already compact.
	Postgres: `CREATE TABLE series_blocks (
    series_id BIGINT NOT NULL,
    level     SMALLINT NOT NULL,
    seq       INTEGER NOT NULL,
    first_t_s DOUBLE PRECISION NOT NULL,
    last_t_s  DOUBLE PRECISION NOT NULL,
    n         INTEGER NOT NULL,
    payload   BYTEA NOT NULL,
    PRIMARY KEY (series_id, level, seq)
);
ALTER TABLE series_blocks ALTER COLUMN payload SET STORAGE EXTERNAL`,
	// A rowid table, not WITHOUT ROWID: SQLite advises against WITHOUT
	// ROWID for rows larger than a twentieth of a page, and a block spans
	// several pages.
	SQLite: `CREATE TABLE series_blocks (
    series_id INTEGER NOT NULL,
    level     INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    first_t_s REAL NOT NULL,
    last_t_s  REAL NOT NULL,
    n         INTEGER NOT NULL,
    payload   BLOB NOT NULL,
    PRIMARY KEY (series_id, level, seq)
)`,
}

// blocksMigration is migration 00018 for engine.
func blocksMigration(engine string) *goose.Migration {
	return goose.NewGoMigration(blocksVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrateToBlocks(ctx, tx, engine) }},
		&goose.GoFunc{RunTx: func(context.Context, *sql.Tx) error {
			return errors.New("migration 00018 (series by the block) cannot be undone: restore the backup taken before the upgrade")
		}})
}

func migrateToBlocks(ctx context.Context, tx *sql.Tx, engine string) error {
	q := func(s string) string {
		if engine == Postgres {
			return rebind(s)
		}
		return s
	}
	for _, stmt := range strings.Split(blocksDDL[engine], ";\n") {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create series_blocks: %w", err)
		}
	}
	type one struct {
		id             int64
		columns, kind  string
		nSamples, nOvw int
	}
	var all []one
	rows, err := tx.QueryContext(ctx, "SELECT s.id, s.columns, r.kind, s.n_samples, s.n_overview FROM series s JOIN runs r ON r.id = s.run_id ORDER BY s.id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var o one
		if err := rows.Scan(&o.id, &o.columns, &o.kind, &o.nSamples, &o.nOvw); err != nil {
			rows.Close()
			return err
		}
		all = append(all, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, q("INSERT INTO series_blocks (series_id, level, seq, first_t_s, last_t_s, n, payload) VALUES (?, ?, ?, ?, ?, ?, ?)"))
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, o := range all {
		cols := strings.Split(o.columns, ",")
		vcols, err := valueColumns(series.Kind(o.kind), cols)
		if err != nil {
			return fmt.Errorf("series %d: %w", o.id, err)
		}
		for _, lv := range []struct {
			table string
			level int
			want  int
		}{{"samples", levelSamples, o.nSamples}, {"series_overview", levelOverview, o.nOvw}} {
			// A block's worth at a time, by keyset along the primary key:
			// memory stays one block whatever the series' length, and no
			// cursor is open while inserting (a PostgreSQL connection runs
			// one statement at a time).
			sel := q("SELECT idx, t_s" + prefixEach(", ", vcols) + " FROM " + lv.table +
				" WHERE series_id = ? AND idx > ? ORDER BY idx LIMIT " + fmt.Sprint(blockRows))
			data := make([][]float64, len(cols))
			dest := make([]any, 1+len(cols))
			var idx int64
			dest[0] = &idx
			vals := make([]float64, len(cols))
			for j := range vals {
				dest[1+j] = &vals[j]
			}
			var enc block.Encoder
			var buf []byte
			after, seq, n := int64(-1), 0, 0
			for {
				for j := range data {
					data[j] = data[j][:0]
				}
				rows, err := tx.QueryContext(ctx, sel, o.id, after)
				if err != nil {
					return fmt.Errorf("series %d: %w", o.id, err)
				}
				for rows.Next() {
					if err := rows.Scan(dest...); err != nil {
						rows.Close()
						return fmt.Errorf("series %d, %s idx %d: %w", o.id, lv.table, idx, err)
					}
					for j, v := range vals {
						data[j] = append(data[j], v)
					}
					after = idx
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				m := len(data[0])
				if m == 0 {
					break
				}
				buf = enc.Append(buf[:0], data)
				if _, err := ins.ExecContext(ctx, o.id, lv.level, seq, data[0][0], data[0][m-1], m, buf); err != nil {
					return fmt.Errorf("series %d: %w", o.id, err)
				}
				seq++
				n += m
			}
			if n != lv.want {
				return fmt.Errorf("series %d: %d rows in %s, its record says %d", o.id, n, lv.table, lv.want)
			}
		}
	}
	// Rows of no series would be lost silently: refuse instead.
	for _, table := range []string{"samples", "series_overview"} {
		var orphans int
		err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" t WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.id = t.series_id)").Scan(&orphans)
		if err != nil {
			return err
		}
		if orphans > 0 {
			return fmt.Errorf("%d rows of %s belong to no series: left as they are", orphans, table)
		}
	}
	for _, stmt := range []string{"DROP TABLE series_overview", "DROP TABLE samples"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

func prefixEach(sep string, list []string) string {
	var b strings.Builder
	for _, s := range list {
		b.WriteString(sep)
		b.WriteString(s)
	}
	return b.String()
}

// valueColumns maps a series' columns (t_s first, canonical order) to the
// value columns of the former samples and series_overview tables: the
// kind's k-th value column was v<k>.
func valueColumns(kind series.Kind, cols []string) ([]string, error) {
	all := series.Columns(kind)
	out := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		k := indexOf(all, c)
		if k < 1 || k > 4 {
			return nil, fmt.Errorf("series: column %q has no place in the samples table", c)
		}
		out = append(out, fmt.Sprintf("v%d", k))
	}
	return out, nil
}
