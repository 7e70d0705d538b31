package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"strings"

	"github.com/dustin/go-humanize"
)

// dbFlag is the shared --db flag: flags over RUGGEDLAB_DB over DATABASE_URL
// over the default SQLite file.
func dbDefault(getenv func(string) string) string {
	for _, name := range []string{"RUGGEDLAB_DB", "DATABASE_URL"} {
		if v := getenv(name); v != "" {
			return v
		}
	}
	return "./ruggedlab.db"
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// maskDSN hides a password in a postgres URL before it is logged.
func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ruggedlab %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	return nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level: %v", err)}
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// byteSize is a flag holding a size in bytes, written as people write sizes:
// "10MiB", "1 GiB", "500kB" or a plain byte count. go-humanize parses the SI
// and IEC suffixes, so the README's "--max-json 10MiB" means 10 × 2^20.
type byteSize int64

func (b *byteSize) String() string { return humanize.IBytes(uint64(*b)) }

func (b *byteSize) Set(s string) error {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return fmt.Errorf("%q is not a size: give bytes or a unit, e.g. 10MiB or 1GiB", s)
	}
	if n == 0 || n > math.MaxInt64 {
		return fmt.Errorf("%q is out of range: give a size above 0 bytes", s)
	}
	*b = byteSize(n)
	return nil
}

// byteSizeFlag defines a byteSize flag with a default.
func byteSizeFlag(fs *flag.FlagSet, name string, def int64, usage string) *int64 {
	b := byteSize(def)
	fs.Var(&b, name, usage)
	return (*int64)(&b)
}
