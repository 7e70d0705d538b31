package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// The three accounts of every account test, one per role.
const (
	adminName, techName, evalName = "ada", "tom", "eve"
	testPassword                  = "drop-26-times-2m"
)

// authAPI is the real router with accounts on, on a real database.
type authAPI struct {
	*testAPI
	clock  *storetest.Clock
	tokens map[string]string // API token by account name
}

// newAuthAPI opens a fresh store on e with a movable clock, creates ada
// (admin), tom (technician) and eve (evaluator), all with testPassword,
// and builds the router with accounts on.
func newAuthAPI(t testing.TB, e testdb.Engine, configure ...func(*handlers.Server)) *authAPI {
	t.Helper()
	ctx := context.Background()
	clk := storetest.NewClock(testNow)
	st := storetest.Open(t, e, storetest.WithNow(clk.Now))
	a := &authAPI{testAPI: &testAPI{engine: e.Name, store: st, log: &lockedBuffer{}}, clock: clk, tokens: map[string]string{}}
	for name, role := range map[string]models.Role{adminName: models.Admin, techName: models.Technician, evalName: models.Evaluator} {
		_, tok, err := st.CreateAccount(ctx, name, role, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[name] = tok
	}
	srv := &handlers.Server{Store: st, Log: slog.New(slog.NewJSONHandler(a.log, nil)), Now: clk.Now, Auth: &handlers.Auth{}}
	for _, f := range configure {
		f(srv)
	}
	a.h = srv.Routes()
	return a
}

func eachAuthEngine(t *testing.T, fn func(t *testing.T, a *authAPI)) {
	t.Helper()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, newAuthAPI(t, e)) })
	}
}

// as is the header pair that makes a request as the named account.
func (a *authAPI) as(name string) []string {
	return []string{"Authorization", "Bearer " + a.tokens[name]}
}

// asCookie is the header pair that sends a session cookie.
func asCookie(token string) []string {
	return []string{"Cookie", "rl_session=" + token}
}

// login posts the login form; hdr adds headers (a session cookie, say).
func (a *authAPI) login(t testing.TB, name, password, next string, hdr ...string) response {
	t.Helper()
	form := url.Values{"name": {name}, "password": {password}}
	if next != "" {
		form.Set("next", next)
	}
	return a.call(t, "POST", "/login", form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

// mustLogin logs in and returns the new session token.
func (a *authAPI) mustLogin(t testing.TB, name string, hdr ...string) string {
	t.Helper()
	r := a.login(t, name, testPassword, "", hdr...)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login %s: status %d\n%s", name, r.Status, r.Body)
	}
	c := sessionCookieOf(t, r)
	if c == nil || c.Value == "" {
		t.Fatalf("login %s set no session cookie: %q", name, r.Header.Values("Set-Cookie"))
	}
	return c.Value
}

// sessionCookieOf returns the rl_session cookie an answer sets, or nil.
func sessionCookieOf(t testing.TB, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "rl_session" {
			return c
		}
	}
	return nil
}

// wantAccessProblem checks a 401 or 403 problem+json answer of type slug.
func wantAccessProblem(t testing.TB, r response, status int, slug string) problem {
	t.Helper()
	var p problem
	if r.Status != status {
		t.Errorf("status = %d, want %d\n%s", r.Status, status, r.Body)
		return p
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", r.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem is not JSON: %v\n%s", err, r.Body)
	}
	if p.Status != status || p.Type != "/problems/"+slug || p.Title == "" || p.Detail == "" || p.RequestID == "" {
		t.Errorf("problem = %+v; want status %d, type /problems/%s, a title, a detail and a request_id", p, status, slug)
	}
	return p
}
