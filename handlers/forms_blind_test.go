package handlers_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestBlindEvaluators: with --blind-evaluators an evaluator's pages and
// exports are blind whatever the query, until an admin unmasks the
// profile; the unmask is audited and only admins may make it; technicians
// and admins always see names.
func TestBlindEvaluators(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newPagesFixture(t, e, func(s *handlers.Server) { s.Auth = &handlers.Auth{}; s.BlindEvaluators = true })
			tokens := map[models.Role]string{}
			for name, role := range map[string]models.Role{"ada": models.Admin, "tom": models.Technician, "eve": models.Evaluator} {
				_, tok, err := f.st.CreateAccount(context.Background(), name, role, testPassword)
				if err != nil {
					t.Fatal(err)
				}
				tokens[role] = tok
			}
			as := func(r models.Role) []string { return []string{"Authorization", "Bearer " + tokens[r]} }
			matrix := "/profiles/" + f.profileID + "/matrix"
			for _, path := range []string{"/", "/compare?kind=drop", matrix, matrix + "/export.csv", "/compare/export.csv?kind=ingress"} {
				resp, body := f.get(t, path, as(models.Evaluator)...)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
				f.assertNoSecrets(t, path, body)
			}
			if _, body := f.get(t, "/", as(models.Technician)...); !strings.Contains(body, "atlas") {
				t.Errorf("a technician's dashboard is blind")
			}
			post := func(r models.Role) int {
				req, _ := http.NewRequest("POST", f.srv.URL+"/profiles/"+f.profileID+"/unmask", nil)
				req.Header.Set(as(r)[0], as(r)[1])
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			for _, r := range []models.Role{models.Evaluator, models.Technician} {
				if st := post(r); st != http.StatusForbidden {
					t.Errorf("unmask as %s: %d, want 403", r, st)
				}
			}
			if _, body := f.get(t, matrix, as(models.Evaluator)...); strings.Contains(body, "atlas") {
				t.Errorf("a refused unmask unmasked the matrix")
			}
			button := `action="/profiles/` + f.profileID + `/unmask"`
			if _, body := f.get(t, matrix+"?blind=1", as(models.Admin)...); !strings.Contains(body, button) {
				t.Errorf("an admin's blind matrix offers no unmask button")
			}
			if _, body := f.get(t, matrix, as(models.Evaluator)...); strings.Contains(body, button) {
				t.Errorf("an evaluator is offered the unmask button")
			}
			if st := post(models.Admin); st != http.StatusSeeOther {
				t.Fatalf("unmask as admin: %d, want 303", st)
			}
			if _, body := f.get(t, matrix, as(models.Evaluator)...); !strings.Contains(body, "atlas") {
				t.Errorf("the unmasked profile's matrix is still blind for evaluators")
			}
			if _, body := f.get(t, "/audit", as(models.Admin)...); !regexp.MustCompile(`&#34;action&#34;:\s*&#34;unmask&#34;`).MatchString(body) {
				t.Errorf("the audit log lacks the unmask")
			}
		})
	}
}
