// Package storetest opens the stores tests talk to: a fresh database on a
// real engine (testdb), migrated, closed when the test ends. It replaces the
// open–migrate–cleanup block each test package used to copy.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"ruggedlab/internal/testdb"
	"ruggedlab/store"
)

// Option changes how Open opens the store.
type Option func(*store.Options)

// WithNow gives the store its clock (a Clock's Now, or a fixed time's).
func WithNow(now func() time.Time) Option {
	return func(o *store.Options) { o.Now = now }
}

// At fixes the store's clock at t.
func At(t time.Time) Option { return WithNow(func() time.Time { return t }) }

// Open opens a store on e's fresh database and applies every migration;
// the store is closed when tb ends. Any failure ends the test.
func Open(tb testing.TB, e testdb.Engine, opts ...Option) *store.Store {
	tb.Helper()
	var o store.Options
	for _, opt := range opts {
		opt(&o)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, e.DSN, o)
	if err != nil {
		tb.Fatalf("store.Open(%s): %v", e.Name, err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		tb.Fatalf("Migrate(%s): %v", e.Name, err)
	}
	return st
}

// Clock is the one test clock: it stands still until a test moves it, and
// is safe for a server's goroutines to read while the test sets it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock; pass it where a func() time.Time is wanted.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
