package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
	sqlitedriver "github.com/ncruces/go-sqlite3/driver"

	"ruggedlab/models"
)

// sqliteBatchRows is how many samples one INSERT statement carries. SQLite
// allows 32,766 bound variables per statement; a sample binds at most 6
// (idx, t_s, four values), so the ceiling is 5,461 rows.
// BenchmarkSQLiteBatch (1 M battery samples already parsed, WAL file), CPU
// time per sample, two runs each on 2 shared cores: 1 row 1,756 ns,
// 16 rows 1,077–1,110, 64 rows 975–977, 256 rows 929–974, 1024 rows
// 985–1,011, 4096 rows 1,003–1,033. Past a few dozen rows the per-statement
// cost is gone and binding values is all that is left; wall-clock rates
// on the same shared machine ranged 300k–650k samples/s at 256 rows and up.
// 256 divides the readers' 8192-sample batches, so only the last batch
// needs one-row statements.
const sqliteBatchRows = 256

// sqliteConn runs fn on the SQLite connection under one of GORM's pooled
// connections, with ctx able to interrupt it. Binding values through the
// driver's own API skips database/sql's per-argument conversions, which
// box every float64 into an interface.
func (s *Store) sqliteConn(ctx context.Context, fn func(*sqlite3.Conn) error) error {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(sqlitedriver.Conn)
		if !ok {
			return fmt.Errorf("store: SQLite connection is a %T, not an ncruces driver connection", dc)
		}
		c := sc.Raw()
		old := c.SetInterrupt(ctx)
		defer c.SetInterrupt(old)
		return fn(c)
	})
}

// sqliteSeriesTx runs fn in an immediate transaction: it takes the write
// lock at BEGIN, so it waits on busy_timeout for another writer instead of
// failing half-way (stack-notes.md §3).
func (s *Store) sqliteSeriesTx(ctx context.Context, fn func(seriesTx) error) error {
	return s.sqliteConn(ctx, func(c *sqlite3.Conn) error {
		if err := c.Exec("BEGIN IMMEDIATE"); err != nil {
			return err
		}
		err := fn(&sqliteTx{c: c, batch: sqliteBatchRows})
		if err == nil {
			if err = c.Exec("COMMIT"); err == nil {
				return nil
			}
		}
		// Roll back even when ctx was cancelled: an interrupted ROLLBACK
		// would leave the connection inside the transaction.
		old := c.SetInterrupt(context.Background())
		c.Exec("ROLLBACK")
		c.SetInterrupt(old)
		return err
	})
}

type sqliteTx struct {
	c     *sqlite3.Conn
	batch int
}

func (t *sqliteTx) forUpdate() string { return "" }

func (t *sqliteTx) prepare(query string, args []any) (*sqlite3.Stmt, error) {
	st, _, err := t.c.Prepare(query)
	if err != nil {
		return nil, err
	}
	for i, a := range args {
		if err := bindSQLite(st, i+1, a); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

func (t *sqliteTx) exec(_ context.Context, query string, args ...any) error {
	st, err := t.prepare(query, args)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Exec()
}

func (t *sqliteTx) queryRow(_ context.Context, query string, args []any, dest ...any) error {
	st, err := t.prepare(query, args)
	if err != nil {
		return err
	}
	defer st.Close()
	if !st.Step() {
		if err := st.Err(); err != nil {
			return err
		}
		return models.Errorf(models.NotFound, "not found")
	}
	for i, d := range dest {
		switch d := d.(type) {
		case *int:
			*d = st.ColumnInt(i)
		case *int64:
			*d = st.ColumnInt64(i)
		case *string:
			*d = st.ColumnText(i)
		case *bool:
			*d = st.ColumnBool(i)
		default:
			return fmt.Errorf("store: cannot scan into %T", d)
		}
	}
	// Finish the statement: an INSERT … RETURNING writes when stepped to
	// its end.
	st.Step()
	return st.Err()
}

// bindSQLite binds the Go types the series queries use. Times are written
// in the store's fixed-width layout, as GORM writes them (see sqliteDSN).
func bindSQLite(st *sqlite3.Stmt, i int, a any) error {
	switch v := a.(type) {
	case nil:
		return st.BindNull(i)
	case string:
		return st.BindText(i, v)
	case int:
		return st.BindInt64(i, int64(v))
	case int64:
		return st.BindInt64(i, v)
	case bool:
		return st.BindBool(i, v)
	case float64:
		return st.BindFloat(i, v)
	case *float64:
		if v == nil {
			return st.BindNull(i)
		}
		return st.BindFloat(i, *v)
	case time.Time:
		return st.BindTime(i, v.UTC(), sqlite3.TimeFormat(sqliteTimeLayout))
	}
	return fmt.Errorf("store: cannot bind %T", a)
}

// copyRows inserts the rows with one statement of t.batch rows, prepared
// once, and a one-row statement for the remainder.
func (t *sqliteTx) copyRows(_ context.Context, table string, id int64, vcols []string, src rowSource) (int, error) {
	width := 1 + len(vcols) // t_s and the values; idx is bound apart
	per := 1 + width        // variables per row
	batch := min(t.batch, 32766/per)
	// The series id is our own integer, written into the SQL once rather
	// than bound once per row.
	head := "INSERT INTO " + table + " (series_id, idx, t_s" + prefixEach(", ", vcols) + ") VALUES "
	tuple := "(" + strconv.FormatInt(id, 10) + strings.Repeat(",?", per) + ")"
	many, _, err := t.c.Prepare(head + strings.TrimSuffix(strings.Repeat(tuple+",", batch), ","))
	if err != nil {
		return 0, err
	}
	defer many.Close()
	one, _, err := t.c.Prepare(head + tuple)
	if err != nil {
		return 0, err
	}
	defer one.Close()

	bind := func(st *sqlite3.Stmt, base, idx int, row []float64) error {
		if err := st.BindInt64(base+1, int64(idx)); err != nil {
			return err
		}
		for j, v := range row {
			if err := st.BindFloat(base+2+j, v); err != nil {
				return err
			}
		}
		return nil
	}
	// Rows wait in pending until a whole statement's worth is there, so the
	// last few can go one by one.
	pending := make([]float64, batch*width)
	idxs := make([]int, batch)
	n, q := 0, 0
	for {
		row := pending[q*width : (q+1)*width]
		idx, ok := src.next(row)
		if !ok {
			break
		}
		idxs[q] = idx
		n++
		if q++; q < batch {
			continue
		}
		for r := range batch {
			if err := bind(many, r*per, idxs[r], pending[r*width:(r+1)*width]); err != nil {
				return n, err
			}
		}
		if err := many.Exec(); err != nil {
			return n, err
		}
		q = 0
	}
	if err := src.err(); err != nil {
		return n, err
	}
	for r := range q {
		if err := bind(one, 0, idxs[r], pending[r*width:(r+1)*width]); err != nil {
			return n, err
		}
		if err := one.Exec(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func prefixEach(sep string, list []string) string {
	var b strings.Builder
	for _, s := range list {
		b.WriteString(sep)
		b.WriteString(s)
	}
	return b.String()
}
