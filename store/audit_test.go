package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// audited is a context whose writes are audited as made by who.
func audited(who string) context.Context {
	return store.WithAudit(context.Background(), &store.Audit{Describe: func() models.AuditEntry {
		return models.AuditEntry{Account: who, Role: models.Technician, RequestID: "req-" + who, Method: "POST", Route: "/test", Path: "/test", Address: "192.0.2.9"}
	}})
}

func eachAudited(t *testing.T, fn func(t *testing.T, e testdb.Engine, s *store.Store)) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e, storetest.Open(t, e, storetest.At(testNow))) })
	}
}

func verifyBreak(t *testing.T, s *store.Store) *store.AuditBreak {
	t.Helper()
	_, err := s.VerifyAudit(context.Background())
	var b *store.AuditBreak
	if err != nil && !errors.As(err, &b) {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return b
}

// A write and its entry commit together; the entry says what changed.
func TestAuditInTheWritesTransaction(t *testing.T) {
	eachAudited(t, func(t *testing.T, e testdb.Engine, s *store.Store) {
		seed(t, s) // not audited: no descriptor in the context
		ctx := audited("tom")
		run, err := s.CreateRun(ctx, dropRun("ATL-0001", testNow.Add(-48*time.Hour)), "tom")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AmendRun(ctx, run.ID, models.Amendment{Reason: "recount", Revision: 1, Changes: json.RawMessage(`{"worst_severity": 3}`)}, "tom"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RetractRun(ctx, run.ID, models.Retraction{Reason: "wrong rig"}, "tom"); err != nil {
			t.Fatal(err)
		}
		entries, _, err := s.AuditLog(context.Background(), store.Page{Limit: 10})
		if err != nil || len(entries) != 3 {
			t.Fatalf("AuditLog = %d entries, %v; want 3", len(entries), err)
		}
		var retract, amend, create map[string]any
		for i, m := range []*map[string]any{&retract, &amend, &create} {
			if err := json.Unmarshal(entries[i].Detail, m); err != nil {
				t.Fatal(err)
			}
		}
		if create["action"] != "create_runs" || create["created"] != run.ID || entries[2].Status != 201 || entries[2].Account != "tom" || entries[2].RequestID != "req-tom" {
			t.Errorf("create entry %+v detail %v", entries[2], create)
		}
		ch, _ := amend["changes"].(map[string]any)
		ws, _ := ch["worst_severity"].(map[string]any)
		if amend["action"] != "amend_run" || amend["target"] != run.ID || amend["reason"] != "recount" || ws["from"] != 1.0 || ws["to"] != 3.0 {
			t.Errorf("amend entry detail %v, want worst_severity 1 → 3", amend)
		}
		if retract["action"] != "retract_run" || retract["reason"] != "wrong rig" || entries[0].Status != 200 {
			t.Errorf("retract entry %+v detail %v", entries[0], retract)
		}
		if entries[2].PrevHash != "" || entries[1].PrevHash != entries[2].Hash || entries[0].PrevHash != entries[1].Hash || len(entries[0].Hash) != 64 {
			t.Errorf("entries are not chained: %+v", entries)
		}
		if n, err := s.VerifyAudit(context.Background()); n != 3 || err != nil {
			t.Errorf("VerifyAudit = %d, %v; want 3, nil", n, err)
		}
	})
}

// If the entry cannot be written, the write does not happen.
func TestAuditFailureRollsBackTheWrite(t *testing.T) {
	eachAudited(t, func(t *testing.T, e testdb.Engine, s *store.Store) {
		seed(t, s)
		if e.Name == testdb.NamePostgres {
			testdb.Exec(t, e, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`,
				`CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()`)
		} else {
			testdb.Exec(t, e, `CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
		}
		ctx := audited("tom")
		_, err := s.CreateRun(ctx, dropRun("ATL-0001", testNow.Add(-48*time.Hour)), "tom")
		if err == nil || models.ErrorCode(err) != models.Internal {
			t.Fatalf("CreateRun with a failing audit insert: %v, want an internal error", err)
		}
		runs, _, err := s.Runs(context.Background(), store.RunFilter{Page: store.Page{Limit: 10}})
		if err != nil || len(runs) != 0 {
			t.Errorf("runs after the failed audit insert: %d, %v; want none", len(runs), err)
		}
		if _, err := s.CreateHandset(ctx, models.Handset{Code: "dune-p5", Name: "Dune P5", Manufacturer: "Dune", FormFactor: "phone"}, "tom"); err == nil {
			t.Error("CreateHandset with a failing audit insert succeeded")
		}
		if _, err := s.Handset(context.Background(), "dune-p5"); models.ErrorCode(err) != models.NotFound {
			t.Errorf("handset after the failed audit insert: %v, want not found", err)
		}
	})
}

// Concurrent writers all get an entry, and the chain stays one line.
func TestAuditConcurrentWriters(t *testing.T) {
	eachAudited(t, func(t *testing.T, e testdb.Engine, s *store.Store) {
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := models.Handset{Code: fmt.Sprintf("h-%02d", i), Name: "H", Manufacturer: "M", FormFactor: "phone"}
				if _, err := s.CreateHandset(audited(fmt.Sprint("w", i)), h, "w"); err != nil {
					errs <- err
				}
				if err := s.RecordAudit(context.Background(), models.AuditEntry{Account: "r", Method: "POST", Route: "/x", Path: "/x", Status: 403}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got, err := s.VerifyAudit(context.Background()); got != 2*n || err != nil {
			t.Errorf("VerifyAudit = %d, %v; want %d, nil", got, err, 2*n)
		}
	})
}

// Edits and deletions made behind the store's back break the chain at the
// row; on PostgreSQL the trigger must be disabled first.
func TestAuditTamperingIsDetected(t *testing.T) {
	for _, tamper := range []struct {
		name   string
		sql    string
		broken int64
	}{
		{"edit", "UPDATE audit_log SET detail = '{\"action\":\"nothing\"}' WHERE id = 3", 3},
		{"edit status", "UPDATE audit_log SET status = 403 WHERE id = 2", 2},
		{"delete", "DELETE FROM audit_log WHERE id = 3", 4},
		{"delete first", "DELETE FROM audit_log WHERE id = 1", 2},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			eachAudited(t, func(t *testing.T, e testdb.Engine, s *store.Store) {
				for i := range 5 {
					if err := s.RecordAudit(context.Background(), models.AuditEntry{Account: "ada", Method: "POST", Route: "/r", Path: fmt.Sprint("/r/", i), Status: 201, Detail: json.RawMessage(`{"n": 1.50, "b": [1, 2]}`)}); err != nil {
						t.Fatal(err)
					}
				}
				if b := verifyBreak(t, s); b != nil {
					t.Fatalf("intact chain reported broken: %v", b)
				}
				refused := "audit_log is append-only"
				if e.Name == testdb.NamePostgres {
					if err := execErr(t, e, tamper.sql); err == nil || !strings.Contains(err.Error(), refused) {
						t.Errorf("%s with the trigger on: %v, want refused", tamper.sql, err)
					}
					testdb.Exec(t, e, "ALTER TABLE audit_log DISABLE TRIGGER USER", tamper.sql)
				} else {
					if err := execErr(t, e, tamper.sql); err == nil || !strings.Contains(err.Error(), refused) {
						t.Errorf("%s with the trigger on: %v, want refused", tamper.sql, err)
					}
					testdb.Exec(t, e, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete", tamper.sql)
				}
				b := verifyBreak(t, s)
				if b == nil || b.ID != tamper.broken {
					t.Errorf("after %q: break %v, want entry %d", tamper.sql, b, tamper.broken)
				}
			})
		})
	}
}

// execErr is testdb.Exec returning the error instead of failing.
func execErr(t *testing.T, e testdb.Engine, q string) (err error) {
	t.Helper()
	ft := &failRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		testdb.Exec(ft, e, q)
	}()
	if ft.msg != "" {
		return errors.New(ft.msg)
	}
	return nil
}

type failRecorder struct {
	testing.TB
	msg string
}

func (f *failRecorder) Helper() {}
func (f *failRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// A database upgraded from before the chain has entries without hashes;
// Migrate seals them in order, so it verifies.
func TestAuditSealsOlderEntries(t *testing.T) {
	eachAudited(t, func(t *testing.T, e testdb.Engine, s *store.Store) {
		for i := range 3 {
			if err := s.RecordAudit(context.Background(), models.AuditEntry{Account: "ada", Method: "POST", Route: "/r", Path: fmt.Sprint("/r/", i), Status: 201}); err != nil {
				t.Fatal(err)
			}
		}
		// As migration 00006 leaves them: hash and prev_hash ''.
		if e.Name == testdb.NamePostgres {
			testdb.Exec(t, e, "ALTER TABLE audit_log DISABLE TRIGGER USER", "UPDATE audit_log SET hash = '', prev_hash = ''", "ALTER TABLE audit_log ENABLE TRIGGER USER")
		} else {
			testdb.Exec(t, e, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET hash = '', prev_hash = ''")
		}
		if b := verifyBreak(t, s); b == nil || b.ID != 1 {
			t.Errorf("unsealed entries: break %v, want entry 1", b)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n, err := s.VerifyAudit(context.Background()); n != 3 || err != nil {
			t.Errorf("after sealing: VerifyAudit = %d, %v; want 3, nil", n, err)
		}
	})
}
