package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"ruggedlab/models"
)

// pgConn runs fn on the *pgx.Conn under one of GORM's pooled connections
// (gorm.io/driver/postgres opens its pool with pgx's stdlib), so bulk work
// gets pgx's COPY without a second pool (stack-notes.md §4). fn must not
// keep the *pgx.Conn, and must leave no transaction open.
func (s *Store) pgConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: PostgreSQL connection is a %T, not a pgx stdlib connection", dc)
		}
		return fn(sc.Conn())
	})
}

// pgSeriesTx runs fn in a transaction begun on the pgx connection itself:
// GORM must not take part, since its own BEGIN/COMMIT would commit a
// transaction it did not open (stack-notes.md §4, pitfalls).
func (s *Store) pgSeriesTx(ctx context.Context, fn func(seriesTx) error) error {
	return s.pgConn(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		// A no-op after Commit; without cancellation so that a cancelled
		// request still rolls back cleanly when the connection survived.
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(pgTx{tx}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

type pgTx struct{ tx pgx.Tx }

func (t pgTx) forUpdate() string { return " FOR UPDATE" }

func (t pgTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := t.tx.Exec(ctx, rebind(query), args...)
	return err
}

func (t pgTx) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	err := t.tx.QueryRow(ctx, rebind(query), args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return models.Errorf(models.NotFound, "not found")
	}
	return err
}

// rebind turns the "?" placeholders shared with SQLite into $1, $2, …; the
// queries it sees are ours and hold no "?" in literals.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t pgTx) copyRows(ctx context.Context, table string, id int64, vcols []string, src rowSource) (int, error) {
	rows := newPGRows(id, len(vcols), src)
	n, err := t.tx.CopyFrom(ctx, pgx.Identifier{table}, append([]string{"series_id", "idx", "t_s"}, vcols...), rows)
	return int(n), err
}

// pgRows is the pgx.CopyFromSource of a bulk write; for the samples it
// pulls the reader's batches as they arrive. pgx encodes rows in its own
// goroutine, so the reader (parsing), pgx (encoding) and the server
// (inserting) all work at once. Values hands out pointers into one reused
// row: no allocation per value (a float64 stored in an interface would be
// one each).
type pgRows struct {
	src  rowSource
	sid  int64
	idx  int32
	row  []float64 // t_s, then the value columns
	vals []any
}

func newPGRows(sid int64, nv int, src rowSource) *pgRows {
	p := &pgRows{src: src, sid: sid, row: make([]float64, 1+nv)}
	p.vals = append(p.vals, &p.sid, &p.idx)
	for j := range p.row {
		p.vals = append(p.vals, &p.row[j])
	}
	return p
}

func (p *pgRows) Next() bool {
	idx, ok := p.src.next(p.row)
	p.idx = int32(idx)
	return ok
}

func (p *pgRows) Values() ([]any, error) { return p.vals, nil }

// Err is the reader's error once it has finished; pgx checks it after the
// last row and aborts the COPY when it is set. (The transaction is rolled
// back on a reader error in any case: this only saves the server work.)
func (p *pgRows) Err() error { return p.src.err() }
