package store

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"
)

// DataVersion is a number that changes whenever data an answer may be
// computed from changes: every write through writeTx (handsets, units,
// runs, amendments, retractions, imports, profiles, accounts), every audit
// entry recorded on its own (an unmask is one), and every series upload
// (triggers, migration 00012), and every field-trial write (trials with
// their assignments, incidents and their retraction, shifts,
// questionnaires, and their imports; not a dry run): the compare pages and
// the matrix read them. Answers computed at one version may be served
// again, unchanged, while it stays the same (handlers/cache.go). It is
// read afresh on every call, never remembered: another process (the
// command line, another instance on the same PostgreSQL) may have written.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pointReads(ctx).Raw("SELECT n FROM data_version WHERE id = 1").Scan(&n).Error; err != nil {
		return 0, translate(err, "data version")
	}
	return n, nil
}

// pointReads is the pool for the one-row reads every request makes before
// its answer: the data version and the account behind a token or session.
// On the main pool — four connections on SQLite — they queued behind the
// compare and matrix computations that hold every connection after a
// write, so answers already cached waited as long as the ones being
// computed (scripts/bench-load at 100,000 runs: 7 of 20 clients parked on
// the version read in a goroutine dump). Falls back to the main pool if
// the lane cannot be opened.
func (s *Store) pointReads(ctx context.Context) *gorm.DB {
	db, err := s.lane.get()
	if err != nil {
		return s.db.WithContext(ctx)
	}
	return db.WithContext(ctx)
}

// laneConns bounds the lane: its reads take microseconds, so two
// connections serve hundreds of requests a second.
const laneConns = 2

// laneDB is a small pool opened on first use, so a Store that never
// authenticates or caches (the command line, most tests) opens none.
type laneDB struct {
	open func() (*gorm.DB, error)

	mu     sync.Mutex
	db     *gorm.DB
	closed bool
}

var errLaneClosed = errors.New("store closed")

func (l *laneDB) get() (*gorm.DB, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errLaneClosed
	}
	if l.db == nil {
		db, err := l.open()
		if err != nil {
			return nil, err // tried again on the next call
		}
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.SetMaxOpenConns(laneConns)
			sqlDB.SetMaxIdleConns(laneConns)
		}
		l.db = db
	}
	return l.db, nil
}

func (l *laneDB) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db != nil {
		if sqlDB, err := l.db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	}
	l.db, l.closed = nil, true
}

// bumpVersion raises the data version inside the write's transaction, so
// a reader sees the new version exactly when it sees the new data.
func bumpVersion(tx *gorm.DB) error {
	return tx.Exec("UPDATE data_version SET n = n + 1 WHERE id = 1").Error
}
