package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
	sqlitedriver "github.com/ncruces/go-sqlite3/driver"

	"ruggedlab/models"
)

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
		err := fn(&sqliteTx{c: c})
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

type sqliteTx struct{ c *sqlite3.Conn }

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

// copyBlocks inserts the blocks with one prepared statement.
func (t *sqliteTx) copyBlocks(_ context.Context, id int64, level int, b *blocker) (int, error) {
	st, _, err := t.c.Prepare("INSERT INTO series_blocks (series_id, level, seq, first_t_s, last_t_s, n, payload) VALUES (?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for {
		r, ok := b.next()
		if !ok {
			break
		}
		// BindBlob copies the payload, which the next block reuses.
		for _, err := range []error{st.BindInt64(1, id), st.BindInt64(2, int64(level)), st.BindInt64(3, int64(r.seq)),
			st.BindFloat(4, r.first), st.BindFloat(5, r.last), st.BindInt64(6, int64(r.n)), st.BindBlob(7, r.payload)} {
			if err != nil {
				return b.samples, err
			}
		}
		if err := st.Exec(); err != nil {
			return b.samples, err
		}
	}
	return b.samples, b.err()
}
