package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// With accounts on, the same checks pass given an admin's token, the
// records naming that admin; without the token the server refuses them.
func TestAgainstServerWithAccounts(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, e)
			_, token, err := st.CreateAccount(ctx, "checker", models.Admin, "")
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer((&handlers.Server{Store: st, Auth: &handlers.Auth{}}).Routes())
			t.Cleanup(srv.Close)

			var out, errs bytes.Buffer
			if code := run([]string{"--token", token, srv.URL}, &out, &errs); code != 0 || strings.Contains(out.String(), "FAIL") {
				t.Fatalf("apicheck --token: exit %d:\n%s%s", code, out.String(), errs.String())
			}
			out.Reset()
			if code := run([]string{srv.URL}, &out, &errs); code != 1 || !strings.Contains(out.String(), "status 401") {
				t.Errorf("apicheck without a token: exit %d, want 1 with 401s:\n%s", code, out.String())
			}
		})
	}
}
