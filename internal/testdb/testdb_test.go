package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestEnginesGivesOneOfEach(t *testing.T) {
	es := Engines(t)
	if len(es) != 2 || es[0].Name != NameSQLite || es[1].Name != NamePostgres {
		t.Fatalf("Engines = %+v, want [sqlite postgres]", es)
	}
	if !strings.HasPrefix(es[1].DSN, "postgres") {
		t.Errorf("postgres DSN %q is not a URL", es[1].DSN)
	}
}

func TestSQLiteIsFreshFilePath(t *testing.T) {
	a, b := SQLite(t), SQLite(t)
	if a.Name != NameSQLite {
		t.Errorf("Name = %q, want %q", a.Name, NameSQLite)
	}
	if a.DSN == b.DSN {
		t.Fatalf("two SQLite engines share DSN %q", a.DSN)
	}
	for _, e := range []Engine{a, b} {
		// A plain path: the store package appends its own ?_pragma=... query.
		if !filepath.IsAbs(e.DSN) || !strings.HasSuffix(e.DSN, ".db") || strings.ContainsAny(e.DSN, "?:") {
			t.Errorf("DSN %q is not a plain absolute path ending in .db", e.DSN)
		}
		if fi, err := os.Stat(filepath.Dir(e.DSN)); err != nil || !fi.IsDir() {
			t.Errorf("directory of %q missing: %v", e.DSN, err)
		}
		if _, err := os.Stat(e.DSN); !os.IsNotExist(err) {
			t.Errorf("%q should not exist yet (stat err %v)", e.DSN, err)
		}
	}
}

// TestPostgresDatabasesAreSeparateAndDropped creates two databases inside a
// subtest, so that the subtest's t.Cleanup (the drop) has run by the time
// t.Run returns and the parent can check that both are gone.
func TestPostgresDatabasesAreSeparateAndDropped(t *testing.T) {
	admin := adminURL(t)
	var names []string
	t.Run("create", func(t *testing.T) {
		a, b := Postgres(t), Postgres(t)
		if a.Name != NamePostgres || a.DSN == b.DSN {
			t.Fatalf("engines %+v and %+v: want two postgres engines with different DSNs", a, b)
		}
		for _, e := range []Engine{a, b} {
			names = append(names, dbName(t, e.DSN))
		}
		if names[0] == names[1] {
			t.Fatalf("both databases are named %q", names[0])
		}

		ca, cb := connect(t, a.DSN), connect(t, b.DSN)
		for i, c := range []*pgx.Conn{ca, cb} {
			var got string
			if err := c.QueryRow(ctx(t), "SELECT current_database()").Scan(&got); err != nil {
				t.Fatalf("query %s: %v", names[i], err)
			}
			if got != names[i] {
				t.Errorf("connected to %q, want %q", got, names[i])
			}
		}
		// Isolation: a table made in one database must not show up in the other.
		if _, err := ca.Exec(ctx(t), "CREATE TABLE only_in_a (id int)"); err != nil {
			t.Fatalf("create table: %v", err)
		}
		var n int
		err := cb.QueryRow(ctx(t), "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("table from database a visible in b: n=%d err=%v", n, err)
		}
		// ca and cb are deliberately left open: DROP ... WITH (FORCE) must
		// cope with connections a careless test leaves behind.
	})
	if len(names) != 2 {
		t.Fatal("subtest did not create two databases")
	}
	for _, name := range names {
		if databaseExists(t, admin, name) {
			t.Errorf("database %s still exists after cleanup", name)
		}
	}
}

func TestCreatePostgresThenDrop(t *testing.T) {
	admin := adminURL(t)
	e, drop, err := createPostgres(admin)
	if err != nil {
		t.Fatal(err)
	}
	name := dbName(t, e.DSN)
	if name != strings.ToLower(name) || !strings.HasPrefix(name, "rl_test_") {
		t.Errorf("database name %q: want lowercase rl_test_<hex>", name)
	}
	if !databaseExists(t, admin, name) {
		t.Fatalf("database %s missing after create", name)
	}
	if err := drop(); err != nil {
		t.Fatal(err)
	}
	if databaseExists(t, admin, name) {
		t.Errorf("database %s still exists after drop", name)
	}
	// IF EXISTS: a second drop (e.g. a test that dropped it itself) is fine.
	if err := drop(); err != nil {
		t.Errorf("second drop: %v", err)
	}
}

func TestNewDatabaseURLKeepsServerAndOptions(t *testing.T) {
	dsn, name, err := newDatabaseURL("postgres://pg:secret@127.0.0.1:5499/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	want := "postgres://pg:secret@127.0.0.1:5499/" + name + "?sslmode=disable"
	if dsn != want {
		t.Errorf("dsn = %q, want %q", dsn, want)
	}
	_, other, err := newDatabaseURL("postgresql://127.0.0.1/postgres")
	if err != nil || other == name {
		t.Errorf("second name %q (err %v) should differ from %q", other, err, name)
	}
	_, _, err = newDatabaseURL("host=127.0.0.1 password=secret dbname=postgres")
	if err == nil || !strings.Contains(err.Error(), "postgres:// URL") {
		t.Errorf("keyword/value DSN: err = %v, want a 'must be a postgres:// URL' error", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

// TestWithoutURLFailsNotSkips pins the "fail, never skip" contract: with no
// TEST_DATABASE_URL, Postgres and Engines must call Fatal (not Skip) and
// point the developer at ./scripts/test.
func TestWithoutURLFailsNotSkips(t *testing.T) {
	t.Setenv(EnvURL, "")
	for name, call := range map[string]func(testing.TB){
		"Postgres": func(tb testing.TB) { Postgres(tb) },
		"Engines":  func(tb testing.TB) { Engines(tb) },
	} {
		t.Run(name, func(t *testing.T) {
			f := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				call(f)
			}()
			<-done
			if !f.failed {
				t.Fatal("did not fail without " + EnvURL)
			}
			if !strings.Contains(f.msg, "./scripts/test") {
				t.Errorf("failure message %q does not mention ./scripts/test", f.msg)
			}
		})
	}
}

// fatalRecorder is a testing.TB whose Fatal records the message and ends the
// calling goroutine (as the real one does) without failing the outer test.
// Skip is not overridden: a Skip would reach the real T and show up as a skip.
type fatalRecorder struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func adminURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Fatalf("%s is not set: run ./scripts/test", EnvURL)
	}
	return u
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx(t), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", redact(dsn), err)
	}
	return c
}

func dbName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %q: %v", dsn, err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func databaseExists(t *testing.T, admin, name string) bool {
	t.Helper()
	c := connect(t, admin)
	defer c.Close(context.Background())
	var exists bool
	err := c.QueryRow(ctx(t), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatalf("look up database %s: %v", name, err)
	}
	return exists
}

// TestParallelCreates: test packages run in parallel processes and tests
// call t.Parallel, so concurrent CREATE/DROP DATABASE must not trip over
// each other (e.g. "source database template1 is being accessed").
func TestParallelCreates(t *testing.T) {
	adminURL(t)
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			e := Postgres(t)
			c := connect(t, e.DSN)
			defer c.Close(context.Background())
			if _, err := c.Exec(ctx(t), "CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
