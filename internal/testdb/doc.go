// Package testdb gives store and API tests a fresh, empty database on every
// engine RuggedLab supports, so the same test body proves the code on both
// the embedded SQLite default and PostgreSQL.
//
// # Contract
//
//   - One database per call. [Engines] (or [SQLite] / [Postgres]) returns a
//     brand-new database that no other test can see: a temp-file SQLite
//     path under t.TempDir(), and a PostgreSQL database made with
//     CREATE DATABASE on the server named by TEST_DATABASE_URL. Tests may
//     run in parallel and in parallel packages without sharing state.
//   - Empty. No tables, no migrations: the test opens it through the store
//     package, which migrates it, exactly as the service does at start-up.
//   - Cleaned up. The SQLite file disappears with t.TempDir(); the
//     PostgreSQL database is dropped WITH (FORCE) in t.Cleanup, so leftover
//     pooled connections do not keep it alive. Cleanups run last-in
//     first-out, so a test that registers db.Close after calling Engines
//     closes its pool before the drop.
//   - Fail, never skip. Without TEST_DATABASE_URL, or when the server
//     cannot be reached, the test fails with a message that says to run
//     ./scripts/test (which starts a throwaway PostgreSQL 15 cluster). A
//     suite that silently skips PostgreSQL would let an engine-specific bug
//     pass CI.
//
// # DSN forms
//
// The SQLite DSN is a plain file path ending in ".db"; the store package
// appends its own pragmas (WAL, busy_timeout, foreign_keys, _txlock), so this
// package must not. The PostgreSQL DSN is a postgres:// URL pointing at the new
// database (named rl_test_<random hex>), keeping every other part of
// TEST_DATABASE_URL (user, host, port, sslmode).
//
// # Typical use
//
//	func TestSaveResult(t *testing.T) {
//		for _, e := range testdb.Engines(t) {
//			t.Run(e.Name, func(t *testing.T) {
//				db := openStore(t, e.Name, e.DSN) // the store package's opener
//				// ... same assertions for both engines ...
//			})
//		}
//	}
package testdb
