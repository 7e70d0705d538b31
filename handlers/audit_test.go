package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

// A write whose audit entry cannot be written is not made: the client gets
// a 500 problem and the handset does not exist.
func TestAuditFailureIsA5xxAndNoWrite(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newAuthAPI(t, e)
			if e.Name == testdb.NamePostgres {
				testdb.Exec(t, e, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`,
					`CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()`)
			} else {
				testdb.Exec(t, e, `CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
			}
			r := a.call(t, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
			if r.Status < 500 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("POST with a failing audit insert: %d %s, want a 5xx problem\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
			}
			a.must(t, http.StatusNotFound, "GET", "/api/v1/handsets/atlas-r1", "", a.as(adminName)...)
		})
	}
}
