// Package store owns RuggedLab's database: GORM, SQL, migrations and
// transactions, on PostgreSQL (production) or SQLite (embedded default).
// Each exported method is one transaction; callers never see a *gorm.DB.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"ruggedlab/models"
)

//go:embed migrations
var migrations embed.FS

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options tune a Store; zero values are sensible.
type Options struct {
	Log *slog.Logger
	// Now is the clock used for record timestamps and "in the future"
	// checks; tests inject a fixed one.
	Now func() time.Time
	// NewID makes resource ids; tests may make them predictable.
	NewID func() string
}

// Store is the database behind the service.
type Store struct {
	db     *gorm.DB
	sqlDB  *sql.DB
	engine string
	now    func() time.Time
	newID  func() string
	log    *slog.Logger
	// noTallies skips the upkeep of the per-unit summaries: set only by
	// the benchmarks (export_test.go), to measure what the upkeep costs
	// against the same code without it. Never set in the program.
	noTallies bool
	// stmts are the summary upkeep's statements prepared once (SQLite).
	stmts tallyStmts

	// lane is a pool of its own for the point reads every request makes
	// before its answer (dataversion.go), opened on first use.
	lane laneDB
}

// IsPostgres reports whether a DSN names a PostgreSQL server rather than a
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL or a SQLite file path. It does not
// migrate; call Migrate or check Pending.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	s := &Store{now: o.Now, newID: o.NewID, log: o.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true, // duplicate keys become gorm.ErrDuplicatedKey on both engines
		NowFunc:        func() time.Time { return s.now().UTC() },
		// Every write method opens its own transaction explicitly.
		SkipDefaultTransaction: true,
	}
	dialect := func() gorm.Dialector { return gormlite.Open(sqliteDSN(dsn)) }
	s.engine = SQLite
	if IsPostgres(dsn) {
		s.engine = Postgres
		dialect = func() gorm.Dialector { return postgres.Open(dsn) }
	}
	s.lane.open = func() (*gorm.DB, error) { return gorm.Open(dialect(), cfg) }
	db, err := gorm.Open(dialect(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", s.engine, err)
	}
	s.db = db.WithContext(ctx)
	if s.sqlDB, err = db.DB(); err != nil {
		return nil, err
	}
	if s.engine == SQLite {
		// WAL lets readers run beside the one writer; immediate
		// transactions queue writers on busy_timeout instead of failing.
		s.sqlDB.SetMaxOpenConns(4)
	} else {
		s.sqlDB.SetMaxOpenConns(20)
		s.sqlDB.SetMaxIdleConns(10)
	}
	s.sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.sqlDB.PingContext(ctx); err != nil {
		s.sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", s.engine, err)
	}
	return s, nil
}

// sqliteTimeLayout is fixed-width so that stored text sorts in time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// sqliteDSN puts every pragma in the DSN, because a pragma sent with Exec
// reaches only one pooled connection (stack-notes.md §3).
func sqliteDSN(path string) string {
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)") // first: later pragmas may wait on a lock
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(normal)")
	// ANALYZE samples about this many index rows instead of reading whole
	// tables: approximate statistics in milliseconds (planner.go).
	q.Add("_pragma", "analysis_limit(1000)")
	// 32 MiB of page cache per connection, not the default 2 MiB: the
	// per-unit summaries of 100,000 runs (each group lists its latest 50
	// ids) are about 11 MiB, and re-reading them from the file on every
	// answer was half the compare and matrix time (issue #18).
	q.Add("_pragma", "cache_size(-32768)")
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", sqliteTimeLayout)
	return "file:" + path + "?" + q.Encode()
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.engine }

// Close closes the connection pool.
func (s *Store) Close() error {
	s.lane.close()
	return s.sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

func (s *Store) provider() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if s.engine == Postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	if s.engine == SQLite {
		versions, err := database.NewStore(database.DialectSQLite3, goose.DefaultTablename)
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectCustom, s.sqlDB, sub, goose.WithStore(sqliteVersions{versions}),
			goose.WithGoMigrations(blocksMigration(SQLite)))
	}
	// Instances behind a load balancer start together: without a lock they
	// ran the same migration at once on an empty database and all but one
	// failed (duplicate pg_type). Waiters poll every second, for 2 minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 120))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, s.sqlDB, sub, goose.WithSessionLocker(locker),
		goose.WithGoMigrations(blocksMigration(Postgres)))
}

// sqliteVersions is goose's SQLite store reading its version table's
// tstamp as text. Our DSN's _timefmt (fixed-width, so stored times sort)
// cannot decode the "2006-01-02 15:04:05" that goose's datetime('now')
// default writes, so goose could not read an applied migration, took a
// migrated database for an empty one, and every start after the first
// failed with "table goose_db_version already exists".
type sqliteVersions struct{ database.Store }

// TableExists spares goose its fallback: reading version 0.
func (v sqliteVersions) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", v.Tablename()).Scan(&n)
	return n > 0, err
}

// GetMigration is goose's query with tstamp read as text.
func (v sqliteVersions) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	var stamp string
	var res database.GetMigrationResult
	err := db.QueryRowContext(ctx, "SELECT CAST(tstamp AS TEXT), is_applied FROM "+v.Tablename()+
		" WHERE version_id = ? ORDER BY tstamp DESC LIMIT 1", version).Scan(&stamp, &res.IsApplied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", database.ErrVersionNotFound, version)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to get migration %d: %w", version, err)
	}
	res.Timestamp, _ = time.Parse(time.DateTime, stamp) // informative only
	return &res, nil
}

// Migrate applies every pending versioned migration, each in a transaction.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		s.log.Info("migrated", "engine", s.engine, "version", r.Source.Version, "file", r.Source.Path, "ms", r.Duration.Milliseconds())
	}
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", s.engine, err)
	}
	if err := s.sealAudit(ctx); err != nil {
		return fmt.Errorf("seal the audit log of the %s database: %w", s.engine, err)
	}
	return nil
}

// Pending reports how many migrations have not been applied, so that serve
// can refuse an outdated schema.
func (s *Store) Pending(ctx context.Context) (int, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range st {
		if m.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// tx runs fn in one transaction bound to ctx.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// stamp is the current time as stored: UTC, microseconds.
func (s *Store) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// conflictAt is a Conflict that names the field of the body at fault, as
// every problem answer does (api.md §11 "Where").
func conflictAt(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &models.Error{Code: models.Conflict, Message: msg, Fields: models.FieldErrors{{Field: field, Message: msg}}}
}

// translate turns driver errors into models errors.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.Errorf(models.NotFound, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return models.Errorf(models.Conflict, "%s already exists", what)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, sqlite3.BUSY):
		// A long import holds SQLite's only write lock; the client should
		// come back rather than see an internal error.
		return models.Errorf(models.Busy, "the database is busy with another write (a long import?): retry in a few seconds")
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
