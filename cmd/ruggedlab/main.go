// Command ruggedlab serves the RuggedLab results tracker: the REST API, the
// evaluators' chart pages and the technicians' forms, on SQLite by default
// or PostgreSQL when DATABASE_URL or --db names one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ruggedlab:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

const usage = `ruggedlab — results tracker for rugged-handset test labs

Usage:
  ruggedlab serve   [--addr 127.0.0.1:8080] [--db ./ruggedlab.db] [--demo]   run the service
  ruggedlab migrate [--db ./ruggedlab.db]                                    apply database migrations
  ruggedlab user add --name NAME --role ROLE [--password-stdin]              create an account, print its API token
  ruggedlab user remove --name NAME | ruggedlab user list                    manage accounts
  ruggedlab audit verify [--db …]                                            check the audit log's hash chain
  ruggedlab summaries rebuild [--db …]                                       recompute the per-unit summaries from the runs
  ruggedlab signing-key [--db …]                                             print the public key that signs evidence packs
  ruggedlab verify-pack FILE.zip [--key KEY]                                 check an evidence pack's hashes and signature offline
  ruggedlab help                                                             this text

The database is a SQLite file unless --db (or DATABASE_URL) is a
postgres:// URL. Flags may also come from RUGGEDLAB_ADDR and RUGGEDLAB_DB.
Run "ruggedlab COMMAND --help" for the flags of a command.

Quick start:
  ruggedlab serve --demo        # SQLite file ./ruggedlab.db with a demo tender; open http://127.0.0.1:8080/
                                # and log in with a demo login it prints
`

// run is main without the process: tests call it with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		return user(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	case "audit":
		return audit(ctx, args[1:], getenv, stdout, stderr)
	case "summaries":
		return summaries(ctx, args[1:], getenv, stdout, stderr)
	case "signing-key":
		return signingKey(ctx, args[1:], getenv, stdout, stderr)
	case "verify-pack":
		return verifyPack(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
