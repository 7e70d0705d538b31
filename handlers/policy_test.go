package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/internal/apicontract"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// writePolicy is the expected policy for every write route, the routes
// other parts of the service add included (api.md §9). A write route the
// router serves but this table lacks fails TestPolicyHTTP.
var writePolicy = map[string]models.Role{
	"POST /login":                        public,
	"POST /logout":                       public,
	"POST /api/v1/handsets":              models.Admin,
	"PATCH /api/v1/handsets/:code":       models.Admin,
	"POST /api/v1/handsets/:code/units":  models.Technician,
	"POST /api/v1/runs":                  models.Technician,
	"POST /api/v1/runs/:id/amendments":   models.Technician,
	"POST /api/v1/runs/:id/retraction":   models.Technician,
	"POST /api/v1/runs/:id/series":       models.Technician,
	"POST /api/v1/imports/:kind":         models.Technician,
	"POST /api/v1/imports/:kind/retract": models.Technician,
	// field pilots (trials.go)
	"POST /api/v1/trials":                                    models.Technician,
	"POST /api/v1/trials/:id/incidents":                      models.Technician,
	"POST /api/v1/trials/:id/incidents/:incident/retraction": models.Technician,
	"POST /api/v1/trials/:id/shifts":                         models.Technician,
	"POST /api/v1/trials/:id/questionnaires":                 models.Technician,
	"POST /api/v1/profiles":                                  models.Admin,
	"POST /api/v1/profiles/:id/versions":                     models.Admin,
	"POST /api/v1/profiles/:id/schemes":                      models.Admin,
	"POST /api/v1/accounts":                                  models.Admin,
	"DELETE /api/v1/accounts/:name":                          models.Admin,
	// the technicians' forms (forms.go)
	"POST /runs/new":                 models.Technician,
	"POST /runs/:id/amend":           models.Technician,
	"POST /runs/:id/retract":         models.Technician,
	"POST /runs/:id/series/new":      models.Technician,
	"POST /handsets/:code/units/new": models.Technician,
	"POST /imports/new":              models.Technician,
	"POST /imports/:id/retract":      models.Technician, // forms_imports.go
	"POST /handsets/new":             models.Admin,
	"POST /profiles/:id/unmask":      models.Admin,
	// second-person review (review.go)
	"POST /api/v1/runs/:id/review":                       models.Technician,
	"POST /runs/:id/review":                              models.Technician,
	"POST /api/v1/trials/:id/incidents/:incident/review": models.Technician,
	"POST /trials/:id/incidents/:incident/review":        models.Technician,
	"POST /review": models.Technician,
	// attachments.go
	"POST /api/v1/runs/:id/attachments":       models.Technician,
	"POST /api/v1/attachments/:id/retraction": models.Technician,
	"POST /runs/:id/attachments/new":          models.Technician,
}

func TestRequiredRole(t *testing.T) {
	tests := []struct {
		method, route string
		want          models.Role
	}{
		{"GET", "/healthz", public},
		{"GET", "/readyz", public},
		{"GET", "/metrics", public},
		{"GET", "/problems/:slug", public},
		{"GET", "/static/*name", public},
		{"HEAD", "/static/*name", public},
		{"GET", "/favicon.ico", public},
		{"GET", "/login", public},
		{"GET", "/", models.Evaluator},
		{"GET", "/compare", models.Evaluator},
		{"GET", "/compare/export.csv", models.Evaluator},
		{"GET", "/account", models.Evaluator},
		{"GET", "/api/v1/handsets", models.Evaluator},
		{"GET", "/api/v1/runs/:id/series", models.Evaluator},
		{"GET", "/api/v1/profiles/:id/matrix", models.Evaluator},
		{"GET", "/api/v1/me", models.Evaluator},
		{"GET", "/runs/new", models.Technician},
		{"GET", "/imports/new", models.Technician},
		{"GET", "/imports", models.Technician},
		{"GET", "/imports/:id/retract", models.Technician},
		{"GET", "/runs/:id/amend", models.Technician},
		{"GET", "/review", models.Technician},
		{"GET", "/runs/:id/review", models.Technician},
		{"GET", "/trials/:id/incidents/:incident/review", models.Technician},
		{"GET", "/handsets/new", models.Admin},
		{"GET", "/audit", models.Admin},
		{"GET", "/api/v1/audit", models.Admin},
		{"GET", "/api/v1/accounts", models.Admin},
		{"GET", "/api/v1/accounts/:name", models.Admin},
		// No route matched: an account, then 404 or 405 (PUT on a run).
		{"GET", "", models.Evaluator},
		{"PUT", "", models.Evaluator},
		{"DELETE", "", models.Evaluator},
		// A write route nobody listed fails closed.
		{"POST", "/api/v1/something-new", models.Admin},
		{"PATCH", "/api/v1/runs/:id", models.Admin},
		{"DELETE", "/api/v1/handsets/:code", models.Admin},
		{"POST", "/runs/something-new", models.Admin},
	}
	for route, want := range writePolicy {
		method, path, _ := strings.Cut(route, " ")
		tests = append(tests, struct {
			method, route string
			want          models.Role
		}{method, path, want})
	}
	for _, tt := range tests {
		if got := requiredRole(tt.method, tt.route); got != tt.want {
			t.Errorf("requiredRole(%s, %q) = %q, want %q", tt.method, tt.route, got, tt.want)
		}
	}
}

// policyServer is a server with accounts on a fresh database, with one
// account per role; it returns their tokens by role.
func policyServer(t *testing.T, e testdb.Engine) (*Server, map[models.Role]string) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e)
	tokens := map[models.Role]string{}
	for _, r := range models.Roles() {
		_, tok, err := st.CreateAccount(ctx, "the-"+string(r), r, "")
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = tok
	}
	return &Server{Store: st, Log: slog.New(slog.DiscardHandler), Auth: &Auth{}}, tokens
}

// TestPolicyHTTP sends every write route the router serves as each role,
// and checks the answer: 403 forbidden below the route's role, anything
// but 401 or 403 from it up (the handler then answers 201, 404 or 422 as
// the body and path deserve).
func TestPolicyHTTP(t *testing.T) {
	t.Parallel()
	sample := strings.NewReplacer(":code", "atlas-r1", ":id", "0190f0e0-0000-7000-8000-000000000000", ":kind", "drop", ":name", "nobody", ":serial", "ATL-0001")
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s, tokens := policyServer(t, e)
			h := s.Routes()
			seen := map[string]bool{}
			for _, ri := range h.(*gin.Engine).Routes() {
				if isSafeMethod(ri.Method) {
					continue
				}
				key := ri.Method + " " + ri.Path
				seen[key] = true
				want, ok := writePolicy[key]
				if !ok {
					t.Errorf("%s has no expected role: add it to requiredRole (policy.go) and to writePolicy here", key)
					continue
				}
				if want == public {
					continue // login and logout: see auth_test.go
				}
				for _, role := range models.Roles() {
					t.Run(key+" as "+string(role), func(t *testing.T) {
						req := httptest.NewRequest(ri.Method, sample.Replace(ri.Path), strings.NewReader("{}"))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+tokens[role])
						rec := apicontract.Serve(t, h, req, []byte("{}")) // checked against the OpenAPI document (internal/apicontract)
						allowed := role.AtLeast(want)
						switch {
						case allowed && (rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden):
							t.Errorf("%d, want it let through\n%s", rec.Code, rec.Body)
						case !allowed && !isForbidden(rec):
							t.Errorf("%d, want 403 /problems/forbidden\n%s", rec.Code, rec.Body)
						}
					})
				}
			}
			for key := range writePolicy {
				if !seen[key] {
					t.Errorf("%s is in writePolicy but the router does not serve it", key)
				}
			}
		})
	}
}

func isForbidden(rec *httptest.ResponseRecorder) bool {
	var p Problem
	return rec.Code == http.StatusForbidden && rec.Header().Get("Content-Type") == "application/problem+json" &&
		json.Unmarshal(rec.Body.Bytes(), &p) == nil && p.Type == "/problems/forbidden" && strings.Contains(p.Detail, "role")
}

// TestUnmaskIsAuditedAndAdminOnly covers the helpers the pages use for a
// blind view: may decides, audit leaves the trace.
func TestUnmaskIsAuditedAndAdminOnly(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s, _ := policyServer(t, e)
			s.Routes()
			for _, tc := range []struct {
				role models.Role
				want bool
			}{{models.Evaluator, false}, {models.Technician, false}, {models.Admin, true}} {
				c, _ := gin.CreateTestContext(httptest.NewRecorder())
				c.Request = httptest.NewRequest("GET", "/profiles/p1/matrix?blind=0", nil)
				c.Set(accountKey, models.Account{Name: "the-" + string(tc.role), Role: tc.role})
				c.Set(requestIDKey, fmt.Sprintf("unmask-%s", tc.role))
				if got := s.may(c, "unmask"); got != tc.want {
					t.Errorf("may(%s, unmask) = %v, want %v", tc.role, got, tc.want)
				}
				if tc.want {
					if err := s.audit(c, "unmask", map[string]any{"profile": "p1"}); err != nil {
						t.Fatal(err)
					}
				}
			}
			entries, _, err := s.Store.AuditLog(context.Background(), store.Page{})
			if err != nil || len(entries) != 1 {
				t.Fatalf("audit log = %+v, %v; want one entry", entries, err)
			}
			got := entries[0]
			var detail map[string]any
			_ = json.Unmarshal(got.Detail, &detail)
			if got.Account != "the-admin" || got.Role != models.Admin || got.RequestID != "unmask-admin" || got.Path != "/profiles/p1/matrix" ||
				detail["action"] != "unmask" || detail["profile"] != "p1" || time.Since(got.At) > time.Minute {
				t.Errorf("audit entry = %+v, detail %v", got, detail)
			}
			// Without accounts (tests of other concerns) nothing is refused.
			if !(&Server{}).may(&gin.Context{}, "unmask") {
				t.Error("a server without accounts refused to unmask")
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                           "/",
		"/":                          "/",
		"/compare?kind=drop&blind=1": "/compare?kind=drop&blind=1",
		"/runs/0190f0e0":             "/runs/0190f0e0",
		"https://evil.example/":      "/",
		"//evil.example/path":        "/",
		"/\\evil.example":            "/",
		"javascript:alert(1)":        "/",
		"relative/path":              "/",
		"/login?next=/x":             "/",
		"/ok\r\nSet-Cookie: x=1":     "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
