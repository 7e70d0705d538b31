package testdb

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/ncruces/go-sqlite3/driver" // database/sql driver "sqlite3"
)

// Exec runs statements on e's database over a connection of its own,
// outside the store, as someone with rights on the database would: tests
// use it to tamper with rows or to make a write fail.
func Exec(t testing.TB, e Engine, statements ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if e.Name == NamePostgres {
		conn, err := pgx.Connect(ctx, e.DSN)
		if err != nil {
			t.Fatalf("testdb.Exec: connect: %v", err)
		}
		defer conn.Close(context.Background())
		for _, q := range statements {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Fatalf("testdb.Exec %q: %v", q, err)
			}
		}
		return
	}
	db, err := sql.Open("sqlite3", "file:"+e.DSN+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("testdb.Exec: open: %v", err)
	}
	defer db.Close()
	for _, q := range statements {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("testdb.Exec %q: %v", q, err)
		}
	}
}
