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

func (t pgTx) copyBlocks(ctx context.Context, id int64, level int, b *blocker) (int, error) {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"series_blocks"},
		[]string{"series_id", "level", "seq", "first_t_s", "last_t_s", "n", "payload"}, &pgBlocks{b: b, id: id, level: int16(level)})
	return b.samples, err
}

// pgBlocks is the pgx.CopyFromSource of the blocks of a series. pgx
// encodes each row before asking for the next, in its own goroutine, so
// the reader (parsing), this source (encoding blocks) and the server all
// work at once, and the reused payload buffer is safe.
type pgBlocks struct {
	b     *blocker
	id    int64
	level int16
	row   blockRow
}

func (p *pgBlocks) Next() bool {
	r, ok := p.b.next()
	p.row = r
	return ok
}

func (p *pgBlocks) Values() ([]any, error) {
	r := p.row
	return []any{p.id, p.level, int32(r.seq), r.first, r.last, int32(r.n), r.payload}, nil
}

// Err is the reader's error once it has finished; pgx checks it after the
// last row and aborts the COPY when it is set. (The transaction is rolled
// back on a reader error in any case: this only saves the server work.)
func (p *pgBlocks) Err() error { return p.b.err() }
