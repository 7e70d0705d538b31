package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"ruggedlab/demo"
	"ruggedlab/handlers"
	"ruggedlab/store"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Serve the REST API and pages. Logs one JSON line per request to stderr;\nstops cleanly on SIGINT/SIGTERM (in-flight requests finish first).", stderr)
	addr := fs.String("addr", envOr(getenv, "RUGGEDLAB_ADDR", "127.0.0.1:8080"), "listen address (env RUGGEDLAB_ADDR)")
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	withDemo := fs.Bool("demo", false, "load the demo tender (4 candidates, runs of all kinds) if the database is empty")
	doMigrate := fs.Bool("migrate", true, "apply pending migrations at start; with =false, refuse to start on an outdated schema")
	maxJSON := byteSizeFlag(fs, "max-json", handlers.DefaultMaxJSON, "largest JSON body, e.g. 10MiB or a byte count (larger → 413)")
	maxUpload := byteSizeFlag(fs, "max-upload", handlers.DefaultMaxUpload, "largest CSV or series upload, e.g. 1GiB or a byte count (larger → 413)")
	maxAttachment := byteSizeFlag(fs, "max-attachment", handlers.DefaultMaxAttachment, "largest photo or PDF attached to a run, e.g. 20MiB (larger → 413)")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	blindEvaluators := fs.Bool("blind-evaluators", false, "force blind mode on evaluators' pages and exports until an admin unmasks a profile")
	labName := fs.String("lab-name", envOr(getenv, "RUGGEDLAB_LAB_NAME", ""), "laboratory name printed on test reports (env RUGGEDLAB_LAB_NAME)")
	labAddress := fs.String("lab-address", envOr(getenv, "RUGGEDLAB_LAB_ADDRESS", ""), `laboratory address printed on test reports; "\n" starts a new line (env RUGGEDLAB_LAB_ADDRESS)`)
	secureCookies := fs.Bool("secure-cookies", false, "mark the session cookie Secure on plain-HTTP requests too (TLS ends at a proxy)")
	zoneName := fs.String("zone", envOr(getenv, "RUGGEDLAB_ZONE", handlers.DefaultZone),
		"the lab's time zone (IANA name): pages show times in it and forms read the times typed in it; stored in UTC (env RUGGEDLAB_ZONE)")
	pprofAddr := fs.String("pprof-addr", "", "serve Go's profiler (net/http/pprof) on this address, e.g. 127.0.0.1:6060: a diagnostic, off when empty; never expose it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	zone, err := time.LoadLocation(*zoneName)
	if err != nil || *zoneName == "" || *zoneName == "Local" {
		return usageError{fmt.Sprintf("--zone %q is not a time zone: give an IANA name such as Europe/Paris or UTC", *zoneName)}
	}
	log, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *dsn, store.Options{Log: log})
	if err != nil {
		return err
	}
	defer st.Close() // after the server has drained: deferred first, runs last
	if *doMigrate {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
	} else if n, err := st.Pending(ctx); err != nil || n > 0 {
		return fmt.Errorf("the database schema is %d migration(s) behind: run 'ruggedlab migrate' (%v)", n, err)
	}
	if *withDemo {
		loaded, err := demo.Load(ctx, st, time.Now())
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		log.Info("demo data", "loaded", loaded)
		if loaded {
			if err := addDemoAccounts(ctx, st, stdout); err != nil {
				return fmt.Errorf("create demo accounts: %w", err)
			}
		}
	}
	// Statistics for the query planners: a store grown run by run (or by
	// an older version) may have none, and SQLite never gathers them itself.
	if err := st.RefreshPlannerStats(ctx); err != nil {
		log.Warn("could not refresh the query planner's statistics", "err", err)
	}
	if n, err := st.ActiveAccounts(ctx); err == nil && n == 0 {
		log.Warn("no accounts yet: every request but the probes will be refused",
			"create_the_first_admin", "ruggedlab user add --name NAME --role admin --password-stdin")
	}

	// The instance key that signs evidence packs is made on first start.
	if _, err := st.SigningKey(ctx); err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	srv := &handlers.Server{Store: st, Log: log, MaxJSON: *maxJSON, MaxUpload: *maxUpload, MaxAttachment: *maxAttachment,
		Auth: &handlers.Auth{SecureCookies: *secureCookies}, BlindEvaluators: *blindEvaluators, Zone: zone,
		Lab: handlers.Lab{Name: strings.TrimSpace(*labName), Address: strings.ReplaceAll(*labAddress, `\n`, "\n")}}
	httpSrv := &http.Server{
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "engine", st.Engine(), "db", maskDSN(*dsn))
	fmt.Fprintf(stdout, "RuggedLab is serving on http://%s/ (%s)\n", ln.Addr(), st.Engine())

	if *pprofAddr != "" {
		stopProfiler, err := serveProfiler(*pprofAddr, stdout)
		if err != nil {
			return err
		}
		defer stopProfiler()
	}

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Apply pending database migrations (each in a transaction) and exit.", stderr)
	dsn := fs.String("db", dbDefault(getenv), "SQLite file, or postgres:// URL (env RUGGEDLAB_DB, DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "info")
	st, err := store.Open(ctx, *dsn, store.Options{Log: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is up to date (%s)\n", st.Engine())
	return nil
}
