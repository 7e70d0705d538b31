package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"ruggedlab/store"
)

const auditUsage = `Usage: ruggedlab audit verify [--db ./ruggedlab.db]

verify walks the audit log's hash chain from the first entry to the last,
recomputing each entry's SHA-256 and checking it links to the previous
one. It exits 0 on an intact chain and 1 naming the first broken entry
(edited, or after a deleted one).
`

// audit runs "ruggedlab audit verify".
func audit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return dispatch("audit", auditUsage, args, stdout, stderr,
		subcommand{"verify", func(a []string) error { return auditVerify(ctx, a, getenv, stdout, stderr) }})
}

func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return withCurrentStore(ctx, "audit verify", "Check the audit log's hash chain; exit 1 naming the first broken entry.", args, getenv, stderr,
		func(st *store.Store) error {
			n, err := st.VerifyAudit(ctx)
			var broken *store.AuditBreak
			if errors.As(err, &broken) {
				return fmt.Errorf("audit log broken after %d intact entries: %w", n, err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "audit log intact: %d entries chained\n", n)
			return nil
		})
}

// withCurrentStore parses a read-or-check command's flags (only --db),
// opens the store and runs fn on it. It refuses a schema that is behind
// rather than migrating it unasked.
func withCurrentStore(ctx context.Context, name, summary string, args []string, getenv func(string) string, stderr io.Writer,
	fn func(*store.Store) error) error {
	fs := newFlagSet(name, summary, stderr)
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "warn")
	st, err := store.Open(ctx, *dsn, store.Options{Log: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if n, err := st.Pending(ctx); err != nil || n > 0 {
		if err == nil {
			err = fmt.Errorf("the database schema is %d migration(s) behind: run 'ruggedlab migrate' first", n)
		}
		return err
	}
	return fn(st)
}
