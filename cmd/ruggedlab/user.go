package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"ruggedlab/models"
	"ruggedlab/store"
)

const userUsage = `Usage:
  ruggedlab user add    --name NAME --role evaluator|technician|admin [--password-stdin] [--db …]
  ruggedlab user remove --name NAME [--db …]
  ruggedlab user list   [--db …]

add prints the account's API token once, alone on the last line of stdout;
only its hash is kept. --password-stdin reads a password (first line of
stdin) so the account can also log in at /login; without it the account
uses API tokens only. On an empty database, add migrates it first, so the
first admin can be created before the service ever ran.
`

// user runs "ruggedlab user add|remove|list". stdin is read only for
// --password-stdin.
func user(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatch("user", userUsage, args, stdout, stderr,
		subcommand{"add", func(a []string) error { return userAdd(ctx, a, getenv, stdin, stdout, stderr) }},
		subcommand{"remove", func(a []string) error { return userRemove(ctx, a, getenv, stdout, stderr) }},
		subcommand{"list", func(a []string) error { return userList(ctx, a, getenv, stdout, stderr) }})
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user add", "Create an account and print its API token once (the last line of stdout).", stderr)
	name := fs.String("name", "", "account name: a-z, 0-9, '.', '_', '-' (recorded as the author of its writes)")
	role := fs.String("role", "", "evaluator, technician or admin")
	pwStdin := fs.Bool("password-stdin", false, "read a login password from the first line of stdin")
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *role == "" {
		return usageError{"user add needs --name and --role"}
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return usageError{"--password-stdin: stdin holds no password"}
		}
	}
	st, err := openForUsers(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	a, token, err := st.CreateAccount(ctx, *name, models.Role(*role), password)
	if err != nil {
		return err
	}
	login := "API token only"
	if a.HasPassword {
		login = "can also log in at /login"
	}
	fmt.Fprintf(stdout, "Created %s account %s (%s).\nAPI token, shown this once (only its hash is kept):\n%s\n", a.Role, a.Name, login, token)
	return nil
}

func userRemove(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user remove", "Remove an account: its tokens and sessions stop working at once. Its name stays on its records and is never reused.", stderr)
	name := fs.String("name", "", "account name")
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"user remove needs --name"}
	}
	st, err := openForUsers(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RemoveAccount(ctx, *name); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Removed account %s: its tokens and sessions no longer work.\n", *name)
	return nil
}

func userList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user list", "List accounts, removed ones included.", stderr)
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openForUsers(ctx, *dsn, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tLOGIN\tCREATED\tREMOVED")
	for _, a := range accounts {
		login, removed := "token only", "-"
		if a.HasPassword {
			login = "password"
		}
		if a.RemovedAt != nil {
			removed = a.RemovedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, login, a.CreatedAt.Format(time.RFC3339), removed)
	}
	return w.Flush()
}

// openForUsers opens the database for an account command. An empty
// database is migrated, so the first admin can be made before the first
// serve; a database merely behind is left to "ruggedlab migrate", as serve
// --migrate=false would.
func openForUsers(ctx context.Context, dsn string, stderr io.Writer) (*store.Store, error) {
	log, _ := newLogger(stderr, "warn")
	st, err := store.Open(ctx, dsn, store.Options{Log: log})
	if err != nil {
		return nil, err
	}
	version, err := st.SchemaVersion(ctx)
	if err == nil && version == 0 {
		err = st.Migrate(ctx)
	} else if err == nil {
		var n int
		if n, err = st.Pending(ctx); err == nil && n > 0 {
			err = fmt.Errorf("the database schema is %d migration(s) behind: run 'ruggedlab migrate' first", n)
		}
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}
