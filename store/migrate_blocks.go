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

// rowsDDL are the tables of migration 00002 that 00018 replaces, for its
// down step.
var rowsDDL = map[string]string{
	Postgres: `CREATE TABLE samples (
    series_id BIGINT NOT NULL, idx INTEGER NOT NULL, t_s DOUBLE PRECISION NOT NULL,
    v1 DOUBLE PRECISION, v2 DOUBLE PRECISION, v3 DOUBLE PRECISION, v4 DOUBLE PRECISION,
    PRIMARY KEY (series_id, idx)
);
CREATE TABLE series_overview (
    series_id BIGINT NOT NULL, idx INTEGER NOT NULL, t_s DOUBLE PRECISION NOT NULL,
    v1 DOUBLE PRECISION, v2 DOUBLE PRECISION, v3 DOUBLE PRECISION, v4 DOUBLE PRECISION,
    PRIMARY KEY (series_id, idx)
)`,
	SQLite: `CREATE TABLE samples (
    series_id INTEGER NOT NULL, idx INTEGER NOT NULL, t_s REAL NOT NULL,
    v1 REAL, v2 REAL, v3 REAL, v4 REAL,
    PRIMARY KEY (series_id, idx)
) WITHOUT ROWID;
CREATE TABLE series_overview (
    series_id INTEGER NOT NULL, idx INTEGER NOT NULL, t_s REAL NOT NULL,
    v1 REAL, v2 REAL, v3 REAL, v4 REAL,
    PRIMARY KEY (series_id, idx)
) WITHOUT ROWID`,
}

// blocksMigration is migration 00018 for engine; its down step writes the
// blocks back as rows of samples and series_overview.
func blocksMigration(engine string) *goose.Migration {
	return goose.NewGoMigration(blocksVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrateToBlocks(ctx, tx, engine) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrateFromBlocks(ctx, tx, engine) }})
}

// placeholders adapts a query written with "?" to engine.
func placeholders(engine string) func(string) string {
	return func(s string) string {
		if engine == Postgres {
			return rebind(s)
		}
		return s
	}
}

// migratedSeries is a series row as the migration reads it.
type migratedSeries struct {
	id             int64
	columns, kind  string
	nSamples, nOvw int
}

func allSeries(ctx context.Context, tx *sql.Tx) ([]migratedSeries, error) {
	var all []migratedSeries
	rows, err := tx.QueryContext(ctx, "SELECT s.id, s.columns, r.kind, s.n_samples, s.n_overview FROM series s JOIN runs r ON r.id = s.run_id ORDER BY s.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o migratedSeries
		if err := rows.Scan(&o.id, &o.columns, &o.kind, &o.nSamples, &o.nOvw); err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	return all, rows.Err()
}

func migrateToBlocks(ctx context.Context, tx *sql.Tx, engine string) error {
	q := placeholders(engine)
	for _, stmt := range strings.Split(blocksDDL[engine], ";\n") {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create series_blocks: %w", err)
		}
	}
	all, err := allSeries(ctx, tx)
	if err != nil {
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

// migrateFromBlocks is 00018's down step: every block back into rows of
// samples (idx = position) and series_overview (idx = the position of the
// sample with the same t_s, found by walking both levels in order, since
// the overview is a subset of the samples and t_s increases), then
// series_blocks dropped.
func migrateFromBlocks(ctx context.Context, tx *sql.Tx, engine string) error {
	q := placeholders(engine)
	for _, stmt := range strings.Split(rowsDDL[engine], ";\n") {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create the sample tables: %w", err)
		}
	}
	all, err := allSeries(ctx, tx)
	if err != nil {
		return err
	}
	for _, o := range all {
		cols := strings.Split(o.columns, ",")
		vcols, err := valueColumns(series.Kind(o.kind), cols)
		if err != nil {
			return fmt.Errorf("series %d: %w", o.id, err)
		}
		head := "INSERT INTO %s (series_id, idx, t_s" + prefixEach(", ", vcols) + ") VALUES "
		tuple := "(?" + strings.Repeat(", ?", 1+len(cols)) + ")"
		write := func(table string, idx []int, data [][]float64) error {
			for start := 0; start < len(idx); start += 256 {
				end := min(start+256, len(idx))
				args := make([]any, 0, (end-start)*(2+len(cols)))
				for k := start; k < end; k++ {
					args = append(args, o.id, idx[k])
					for _, c := range data {
						args = append(args, c[k])
					}
				}
				stmt := fmt.Sprintf(head, table) + strings.TrimSuffix(strings.Repeat(tuple+", ", end-start), ", ")
				if _, err := tx.ExecContext(ctx, q(stmt), args...); err != nil {
					return fmt.Errorf("series %d: %w", o.id, err)
				}
			}
			return nil
		}
		samples := levelReader{ctx: ctx, tx: tx, q: q, id: o.id, level: levelSamples}
		ovw := levelReader{ctx: ctx, tx: tx, q: q, id: o.id, level: levelOverview}
		var idx []int
		pos := 0
		for {
			data, err := samples.nextBlock()
			if err != nil {
				return err
			}
			if data == nil {
				break
			}
			idx = idx[:0]
			for range data[0] {
				idx = append(idx, pos)
				pos++
			}
			if err := write("samples", idx, data); err != nil {
				return err
			}
		}
		if pos != o.nSamples {
			return fmt.Errorf("series %d: %d samples in blocks, its record says %d", o.id, pos, o.nSamples)
		}
		// The overview's idx: walk the samples' t_s again beside it.
		samples = levelReader{ctx: ctx, tx: tx, q: q, id: o.id, level: levelSamples}
		var ts []float64
		at, base, n := 0, 0, 0
		for {
			data, err := ovw.nextBlock()
			if err != nil {
				return err
			}
			if data == nil {
				break
			}
			idx = idx[:0]
			for _, t := range data[0] {
				for {
					if at == len(ts) {
						base += len(ts)
						next, err := samples.nextBlock()
						if err != nil {
							return err
						}
						if next == nil {
							return fmt.Errorf("series %d: overview sample at t_s %v is not among the samples", o.id, t)
						}
						ts, at = append(ts[:0], next[0]...), 0
					}
					if ts[at] == t {
						break
					}
					at++
				}
				idx = append(idx, base+at)
				at++
			}
			n += len(idx)
			if err := write("series_overview", idx, data); err != nil {
				return err
			}
		}
		if n != o.nOvw {
			return fmt.Errorf("series %d: %d overview samples in blocks, its record says %d", o.id, n, o.nOvw)
		}
	}
	_, err = tx.ExecContext(ctx, "DROP TABLE series_blocks")
	return err
}

// levelReader reads the blocks of one level of a series in order, one
// query per block, so that no cursor stays open between writes.
type levelReader struct {
	ctx   context.Context
	tx    *sql.Tx
	q     func(string) string
	id    int64
	level int
	seq   int
	cols  [][]float64
}

// nextBlock decodes the next block; nil at the end. The columns are
// reused by the next call.
func (r *levelReader) nextBlock() ([][]float64, error) {
	var payload []byte
	err := r.tx.QueryRowContext(r.ctx, r.q("SELECT payload FROM series_blocks WHERE series_id = ? AND level = ? AND seq = ?"), r.id, r.level, r.seq).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("series %d, block %d/%d: %w", r.id, r.level, r.seq, err)
	}
	r.seq++
	if r.cols, err = block.Decode(r.cols, payload); err != nil {
		return nil, fmt.Errorf("series %d, block %d/%d: %w", r.id, r.level, r.seq-1, err)
	}
	return r.cols, nil
}
