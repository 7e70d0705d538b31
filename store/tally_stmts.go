package store

import (
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// tallyStmts keeps the summary upkeep's few fixed statements prepared on
// SQLite. Each of them carries the view's gkey expression (thirty CASE
// terms, and the view itself when a refill reads runs), and the wasm
// build of SQLite spent more time preparing them than running them: a
// third of an amendment's upkeep (issue #18). database/sql prepares a
// cached statement once per connection and reuses it inside later
// transactions on that connection (Tx.StmtContext). PostgreSQL needs none
// of this: pgx caches its prepared statements by text already.
type tallyStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxTallyStmts and maxTallyStmtLen bound the cache: statements whose
// text grows with a write's size (an import's upsert) are not worth
// keeping.
const (
	maxTallyStmts   = 32
	maxTallyStmtLen = 32 << 10
)

// stmt is the prepared statement for query on s's SQLite database, or nil
// (PostgreSQL, a full cache, a prepare that failed: the caller sends the
// text as usual).
func (s *Store) stmt(query string) *sql.Stmt {
	if s.engine != SQLite || len(query) > maxTallyStmtLen {
		return nil
	}
	c := &s.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxTallyStmts {
		return nil
	}
	st, err := s.sqlDB.Prepare(query)
	if err != nil {
		return nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// rawRows runs query in tx, prepared once if it can be (stmt).
func (s *Store) rawRows(tx *gorm.DB, query string, args ...any) (*sql.Rows, error) {
	if sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx); ok {
		if st := s.stmt(query); st != nil {
			return sqlTx.StmtContext(tx.Statement.Context, st).QueryContext(tx.Statement.Context, args...)
		}
	}
	return tx.Raw(query, args...).Rows()
}

// rawExec is rawRows for a statement that returns no rows.
func (s *Store) rawExec(tx *gorm.DB, query string, args ...any) error {
	if sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx); ok {
		if st := s.stmt(query); st != nil {
			_, err := sqlTx.StmtContext(tx.Statement.Context, st).ExecContext(tx.Statement.Context, args...)
			return err
		}
	}
	return tx.Exec(query, args...).Error
}
