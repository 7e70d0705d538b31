package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// The contract: "ruggedlab audit verify" exits 0 on an intact chain and
// non-zero naming the entry once one row was edited behind the store's
// back (on PostgreSQL with the append-only trigger disabled first).
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, e.DSN, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				if err := st.RecordAudit(ctx, models.AuditEntry{Account: "ada", Method: "POST", Route: "/api/v1/handsets", Path: fmt.Sprint("/api/v1/handsets/", i), Status: 201}); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			verify := func() (int, string) {
				var stdout, stderr bytes.Buffer
				err := run(ctx, []string{"audit", "verify", "--db", e.DSN}, env(), &stdout, &stderr)
				if err != nil {
					return exitCode(err), err.Error()
				}
				return 0, stdout.String()
			}
			if code, out := verify(); code != 0 || !strings.Contains(out, "4 entries") {
				t.Fatalf("intact chain: exit %d, %q; want 0, 4 entries", code, out)
			}
			disable := "DROP TRIGGER audit_log_no_update"
			if e.Name == testdb.NamePostgres {
				disable = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"
			}
			testdb.Exec(t, e, disable, "UPDATE audit_log SET account = 'mallory' WHERE id = 2")
			if code, out := verify(); code == 0 || !strings.Contains(out, "audit entry 2:") {
				t.Errorf("after editing entry 2: exit %d, %q; want non-zero naming audit entry 2", code, out)
			}
		})
	}
}
