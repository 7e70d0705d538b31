package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"ruggedlab/handlers"
	"ruggedlab/internal/testdb"
)

func TestWithoutAccount(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		t.Run("API answers 401", func(t *testing.T) {
			for _, tc := range []struct {
				name, method, path, body string
				hdr                      []string
			}{
				{"no credentials", "GET", "/api/v1/handsets", "", nil},
				{"no credentials, write", "POST", "/api/v1/runs", runBody("drop", nil), nil},
				{"unknown API path", "GET", "/api/v1/nothing-here", "", nil},
				{"Basic is not Bearer", "GET", "/api/v1/handsets", "", []string{"Authorization", "Basic dG9tOnRvbQ=="}},
				{"empty Bearer", "GET", "/api/v1/handsets", "", []string{"Authorization", "Bearer "}},
				{"unknown token", "GET", "/api/v1/handsets", "", []string{"Authorization", "Bearer rl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
				{"session of nobody", "GET", "/api/v1/handsets", "", asCookie("forged")},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r := a.call(t, tc.method, tc.path, tc.body, tc.hdr...)
					wantAccessProblem(t, r, http.StatusUnauthorized, "unauthenticated")
					if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="ruggedlab"` {
						t.Errorf("WWW-Authenticate = %q", got)
					}
				})
			}
		})
		t.Run("pages redirect to the login form and back", func(t *testing.T) {
			for _, tc := range []struct{ path, next string }{
				{"/account", "%2Faccount"},
				{"/compare?kind=drop&blind=1", "%2Fcompare%3Fkind%3Ddrop%26blind%3D1"},
				{"/no-such-page", "%2Fno-such-page"},
			} {
				r := a.must(t, http.StatusSeeOther, "GET", tc.path, "")
				if got, want := r.Header.Get("Location"), "/login?next="+tc.next; got != want {
					t.Errorf("GET %s: Location = %q, want %q", tc.path, got, want)
				}
			}
		})
		t.Run("public routes", func(t *testing.T) {
			for _, path := range []string{"/healthz", "/readyz", "/metrics", "/problems/unauthenticated", "/problems/forbidden", "/problems/cross-site", "/login"} {
				a.must(t, http.StatusOK, "GET", path, "")
			}
			// A stale cookie does not keep anyone from the login form.
			a.must(t, http.StatusOK, "GET", "/login", "", asCookie("stale")...)
		})
	})
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		form := a.must(t, http.StatusOK, "GET", "/login?next=/account", "")
		if !strings.Contains(string(form.Body), `name="next" value="/account"`) || !strings.Contains(string(form.Body), "/static/") {
			t.Errorf("login form lacks next or the stylesheet:\n%s", form.Body)
		}

		r := a.login(t, techName, testPassword, "/account")
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
			t.Fatalf("login: %d to %q, want 303 to /account\n%s", r.Status, r.Header.Get("Location"), r.Body)
		}
		first := sessionCookieOf(t, r)
		if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Path != "/" || first.MaxAge != 12*3600 || first.Secure {
			t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, Max-Age=43200, not Secure over plain HTTP", first)
		}
		page := a.must(t, http.StatusOK, "GET", "/account", "", asCookie(first.Value)...)
		if !strings.Contains(string(page.Body), "<strong data-account>tom</strong> (technician)") {
			t.Errorf("account page does not name tom:\n%s", page.Body)
		}
		// The session works for the API too (pages' own fetches).
		a.must(t, http.StatusOK, "GET", "/api/v1/handsets", "", asCookie(first.Value)...)

		t.Run("a login rotates the session", func(t *testing.T) {
			second := a.mustLogin(t, techName, asCookie(first.Value)...)
			if second == first.Value {
				t.Fatal("a second login kept the session token")
			}
			a.must(t, http.StatusSeeOther, "GET", "/account", "", asCookie(first.Value)...)
			a.must(t, http.StatusOK, "GET", "/account", "", asCookie(second)...)
			first.Value = second
		})

		t.Run("a stolen cookie is useless after logout", func(t *testing.T) {
			stolen := first.Value
			out := a.must(t, http.StatusSeeOther, "POST", "/logout", "", asCookie(stolen)...)
			if out.Header.Get("Location") != "/login" {
				t.Errorf("logout goes to %q, want /login", out.Header.Get("Location"))
			}
			if c := sessionCookieOf(t, out); c == nil || c.MaxAge >= 0 || c.Value != "" {
				t.Errorf("logout cookie = %+v; want it cleared", c)
			}
			a.must(t, http.StatusSeeOther, "GET", "/account", "", asCookie(stolen)...)
			wantAccessProblem(t, a.call(t, "GET", "/api/v1/handsets", "", asCookie(stolen)...), http.StatusUnauthorized, "unauthenticated")
			// Logging out again is harmless.
			a.must(t, http.StatusSeeOther, "POST", "/logout", "", asCookie(stolen)...)
		})
	})
}

func TestSecureCookie(t *testing.T) {
	t.Parallel()
	e := testdb.SQLite(t)
	t.Run("--secure-cookies", func(t *testing.T) {
		a := newAuthAPI(t, e, func(s *handlers.Server) { s.Auth.SecureCookies = true })
		if c := sessionCookieOf(t, a.login(t, techName, testPassword, "")); c == nil || !c.Secure {
			t.Errorf("cookie = %+v, want Secure", c)
		}
	})
	t.Run("over TLS", func(t *testing.T) {
		a := newAuthAPI(t, testdb.SQLite(t))
		req := httptest.NewRequest("POST", "https://lab.example/login", strings.NewReader("name=tom&password="+testPassword))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		a.h.ServeHTTP(rec, req)
		if c := sessionCookieOf(t, response{Header: rec.Header()}); rec.Code != http.StatusSeeOther || c == nil || !c.Secure {
			t.Errorf("status %d, cookie = %+v, want a Secure cookie", rec.Code, c)
		}
	})
}

func TestWrongLoginLooksTheSame(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		a.must(t, http.StatusCreated, "POST", "/api/v1/accounts", `{"name": "rig-3", "role": "technician"}`, a.as(adminName)...)
		a.must(t, http.StatusCreated, "POST", "/api/v1/accounts", `{"name": "gone", "role": "technician", "password": "`+testPassword+`"}`, a.as(adminName)...)
		a.must(t, http.StatusNoContent, "DELETE", "/api/v1/accounts/gone", "", a.as(adminName)...)

		answer := func(name, password string) (int, string) {
			r := a.login(t, name, password, "/account")
			if sessionCookieOf(t, r) != nil {
				t.Errorf("login %s/%s set a session cookie", name, password)
			}
			// The form echoes the name typed; everything else must match.
			return r.Status, strings.ReplaceAll(string(r.Body), `value="`+name+`"`, `value="NAME"`)
		}
		wantStatus, wantBody := answer(techName, "not the password")
		if wantStatus != http.StatusUnauthorized || strings.Count(wantBody, "Wrong name or password") != 1 {
			t.Fatalf("wrong password: %d\n%s", wantStatus, wantBody)
		}
		for _, tc := range []struct{ why, name, password string }{
			{"unknown name", "mallory", "not the password"},
			{"unknown name, a real password", "mallory", testPassword},
			{"removed account, right password", "gone", testPassword},
			{"account without a password", "rig-3", ""},
			{"empty form", "", ""},
		} {
			if status, body := answer(tc.name, tc.password); status != wantStatus || body != wantBody {
				t.Errorf("%s: %d\n%s\nwant the same as a wrong password: %d\n%s", tc.why, status, body, wantStatus, wantBody)
			}
		}
	})
}

// An unknown name costs a password hash too, so response timing does not
// tell which names exist. Timing itself is too noisy to test on a shared
// machine; argon2id's memory is not: each hash allocates its 19 MiB, so a
// login that allocated less computed none. Not parallel: another test's
// allocations could hide a missing hash.
func TestUnknownNameCostsAHash(t *testing.T) {
	a := newAuthAPI(t, testdb.SQLite(t))
	allocated := func(name string) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if r := a.login(t, name, "not the password", ""); r.Status != http.StatusUnauthorized {
			t.Fatalf("login %s: %d", name, r.Status)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	const hash = 19 << 20
	for _, name := range []string{techName, "nobody-at-all"} {
		if got := allocated(name); got < hash {
			t.Errorf("a failed login as %q allocated %d KiB, less than one argon2id hash (%d KiB)", name, got>>10, hash>>10)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		for i := range 5 {
			if r := a.login(t, evalName, "guess-number-"+string(rune('1'+i)), ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d", i+1, r.Status)
			}
		}
		// The sixth attempt is refused even with the right password: the
		// limit must not confirm a guess.
		r := a.login(t, evalName, testPassword, "")
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "900" || sessionCookieOf(t, r) != nil {
			t.Fatalf("6th attempt: %d, Retry-After %q, cookie %v; want 429, 900 s (15 min: the clock stands still), no cookie",
				r.Status, r.Header.Get("Retry-After"), sessionCookieOf(t, r))
		}
		if !strings.Contains(string(r.Body), "Too many failed logins. Try again in 15 minutes.") {
			t.Errorf("429 page:\n%s", r.Body)
		}
		// Another account from the same address is not locked.
		a.mustLogin(t, techName)

		var failed, refused int
		for _, l := range a.log.lines(t) {
			if l["name"] == evalName && l["address"] == "192.0.2.1" {
				switch l["msg"] {
				case "login failed":
					failed++
				case "login refused: too many failures":
					refused++
				}
			}
		}
		if failed != 5 || refused != 1 {
			t.Errorf("log has %d failed and %d refused logins for eve, want 5 and 1", failed, refused)
		}

		a.clock.Advance(15 * time.Minute)
		a.mustLogin(t, evalName)
	})
}

func TestExpiredSessionReturnsToThePage(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		token := a.mustLogin(t, evalName)
		a.clock.Advance(2*time.Hour + time.Minute) // idle too long
		r := a.must(t, http.StatusSeeOther, "GET", "/account?tab=tokens", "", asCookie(token)...)
		next := r.Header.Get("Location")
		if next != "/login?next=%2Faccount%3Ftab%3Dtokens" {
			t.Fatalf("expired session goes to %q", next)
		}
		if c := sessionCookieOf(t, r); c == nil || c.MaxAge >= 0 {
			t.Errorf("the dead cookie is not cleared: %+v", c)
		}
		form := a.must(t, http.StatusOK, "GET", next, "")
		if !strings.Contains(string(form.Body), `value="/account?tab=tokens"`) {
			t.Fatalf("login form does not carry next:\n%s", form.Body)
		}
		back := a.login(t, evalName, testPassword, "/account?tab=tokens")
		if back.Status != http.StatusSeeOther || back.Header.Get("Location") != "/account?tab=tokens" {
			t.Fatalf("after login: %d to %q, want 303 to /account?tab=tokens", back.Status, back.Header.Get("Location"))
		}
		a.must(t, http.StatusOK, "GET", "/account?tab=tokens", "", asCookie(sessionCookieOf(t, back).Value)...)
	})
}

func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	a := newAuthAPI(t, testdb.SQLite(t))
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil.example", "/login"} {
		r := a.login(t, evalName, testPassword, next)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d to %q, want 303 to /", next, r.Status, r.Header.Get("Location"))
		}
	}
}

func TestRemovedAccountsTokenIsRefused(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		session := a.mustLogin(t, techName)
		a.must(t, http.StatusOK, "GET", "/api/v1/me", "", a.as(techName)...)
		a.must(t, http.StatusNoContent, "DELETE", "/api/v1/accounts/tom", "", a.as(adminName)...)
		wantAccessProblem(t, a.call(t, "GET", "/api/v1/handsets", "", a.as(techName)...), http.StatusUnauthorized, "unauthenticated")
		wantAccessProblem(t, a.call(t, "POST", "/api/v1/runs", runBody("drop", nil), a.as(techName)...), http.StatusUnauthorized, "unauthenticated")
		a.must(t, http.StatusSeeOther, "GET", "/account", "", asCookie(session)...)
		wantProblem(t, a.call(t, "DELETE", "/api/v1/accounts/tom", "", a.as(adminName)...), http.StatusNotFound)
	})
}

func TestCrossSiteWritesAreRefused(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		handset := mustJSON(atlasHandset)
		for _, tc := range []struct {
			name   string
			method string
			path   string
			body   string
			hdr    []string
			want   int
		}{
			{"Sec-Fetch-Site cross-site", "POST", "/api/v1/handsets", handset, []string{"Sec-Fetch-Site", "cross-site"}, 403},
			{"Origin of another site", "POST", "/api/v1/handsets", handset, []string{"Origin", "http://evil.example"}, 403},
			{"Origin on another port", "POST", "/api/v1/handsets", handset, []string{"Origin", "http://example.com:8081"}, 403},
			{"login form posted from another site", "POST", "/login", "name=tom&password=x", []string{"Sec-Fetch-Site", "cross-site", "Content-Type", "application/x-www-form-urlencoded"}, 403},
			{"a read from another site", "GET", "/api/v1/handsets", "", []string{"Sec-Fetch-Site", "cross-site"}, 200},
			{"same origin by Sec-Fetch-Site", "POST", "/api/v1/handsets", handset, []string{"Sec-Fetch-Site", "same-origin"}, 201},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.call(t, tc.method, tc.path, tc.body, append(a.as(adminName), tc.hdr...)...)
				if tc.want == 403 {
					p := wantAccessProblem(t, r, 403, "cross-site")
					if !strings.HasPrefix(p.Detail, "cross-site request refused") {
						t.Errorf("detail = %q", p.Detail)
					}
					return
				}
				if r.Status != tc.want {
					t.Errorf("status %d, want %d\n%s", r.Status, tc.want, r.Body)
				}
			})
		}
		// Same host by Origin, and no browser headers at all (curl): allowed.
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(borealisHandset), append(a.as(adminName), "Origin", "http://example.com")...)
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets/borealis-x/units", `{"serial": "BOR-0001"}`, a.as(techName)...)
		l := decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/handsets", "", a.as(evalName)...))
		if got := ids(l.Items, "code"); !slices.Equal(got, []string{"atlas-r1", "borealis-x"}) {
			t.Errorf("handsets = %q: a refused request wrote something", got)
		}
	})
}

func TestCrossSiteWithoutAccounts(t *testing.T) {
	t.Parallel()
	a := newAPI(t, testdb.SQLite(t))
	wantAccessProblem(t, a.call(t, "POST", "/api/v1/handsets", mustJSON(atlasHandset), "Sec-Fetch-Site", "cross-site"), 403, "cross-site")
	a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(atlasHandset))
}

func TestRecordedByComesFromTheAccount(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		h := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...))
		u := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, a.as(techName)...))
		wantFields(t, h, map[string]any{"recorded_by": "ada"})
		wantFields(t, u, map[string]any{"recorded_by": "tom"})

		// The body cannot name the recorder.
		wantProblem(t, a.call(t, "POST", "/api/v1/runs", runBody("drop", map[string]any{"recorded_by": "mallory"}), a.as(techName)...),
			http.StatusUnprocessableEntity, "recorded_by")
		wantProblem(t, a.call(t, "POST", "/api/v1/handsets", mustJSON(with(borealisHandset, map[string]any{"recorded_by": "mallory"})), a.as(adminName)...),
			http.StatusUnprocessableEntity, "recorded_by")

		// technician defaults to the account's name; a given one is kept.
		own := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/runs", runBody("drop", map[string]any{"technician": omit}), a.as(techName)...))
		wantFields(t, own, map[string]any{"recorded_by": "tom", "technician": "tom"})
		other := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/runs", runBody("drop", nil), a.as(techName)...))
		wantFields(t, other, map[string]any{"recorded_by": "tom", "technician": "R. Okafor"})

		id := own["id"].(string)
		a.must(t, http.StatusCreated, "POST", "/api/v1/runs/"+id+"/amendments",
			`{"reason": "re-inspected under a magnifier", "revision": 1, "changes": {"worst_severity": 3}}`, a.as(adminName)...)
		a.must(t, http.StatusOK, "POST", "/api/v1/runs/"+id+"/retraction", `{"reason": "wrong unit on the rig"}`, a.as(techName)...)
		var by []string
		for _, r := range decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/runs/"+id+"/revisions", "", a.as(evalName)...)).Items {
			by = append(by, r["recorded_by"].(string))
		}
		if !slices.Equal(by, []string{"tom", "ada", "tom"}) {
			t.Errorf("revisions recorded by %q, want tom (created), ada (amended), tom (retracted)", by)
		}
	})
}

func TestIdempotencyKeysPerAccount(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, a.as(techName)...)
		run := runBody("drop", nil)
		key := []string{"Idempotency-Key", "rig-3/0001"}
		tom := a.must(t, http.StatusCreated, "POST", "/api/v1/runs", run, append(a.as(techName), key...)...)
		ada := a.must(t, http.StatusCreated, "POST", "/api/v1/runs", run, append(a.as(adminName), key...)...)
		if ada.Header.Get("Idempotent-Replayed") != "" || object(t, ada)["id"] == object(t, tom)["id"] {
			t.Errorf("ada's request with tom's key replayed tom's answer: keys must be per account")
		}
		again := a.must(t, http.StatusCreated, "POST", "/api/v1/runs", run, append(a.as(techName), key...)...)
		if again.Header.Get("Idempotent-Replayed") != "true" || object(t, again)["id"] != object(t, tom)["id"] {
			t.Errorf("tom's retry was not replayed")
		}
	})
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets/atlas-r1/units", `{"serial": "ATL-0001"}`, a.as(techName)...)
		created := a.must(t, http.StatusCreated, "POST", "/api/v1/runs", runBody("drop", nil), append(a.as(techName), "X-Request-ID", "rig3-0001")...)
		runID := object(t, created)["id"].(string)
		a.must(t, http.StatusOK, "POST", "/api/v1/runs/"+runID+"/retraction", `{"reason": "wrong unit on the rig"}`, a.as(techName)...)
		wantAccessProblem(t, a.call(t, "POST", "/api/v1/handsets", mustJSON(borealisHandset), a.as(evalName)...), 403, "forbidden")
		a.login(t, "mallory", "guess", "")
		a.must(t, http.StatusOK, "GET", "/api/v1/handsets", "", a.as(evalName)...) // reads are not audited

		wantAccessProblem(t, a.call(t, "GET", "/api/v1/audit", "", a.as(techName)...), 403, "forbidden")
		l := decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/audit?limit=5", "", a.as(adminName)...))
		type entry struct{ account, role, method, route, path string }
		var got []entry
		for _, e := range l.Items {
			got = append(got, entry{e["account"].(string), e["role"].(string), e["method"].(string), e["route"].(string), e["path"].(string)})
		}
		want := []entry{
			{"", "", "POST", "/login", "/login"},
			{"eve", "evaluator", "POST", "/api/v1/handsets", "/api/v1/handsets"},
			{"tom", "technician", "POST", "/api/v1/runs/:id/retraction", "/api/v1/runs/" + runID + "/retraction"},
			{"tom", "technician", "POST", "/api/v1/runs", "/api/v1/runs"},
			{"tom", "technician", "POST", "/api/v1/handsets/:code/units", "/api/v1/handsets/atlas-r1/units"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit log, newest first:\n got %v\nwant %v", got, want)
		}
		wantFields(t, l.Items[0], map[string]any{"status": 401, "detail": map[string]any{"name": "mallory", "outcome": "wrong_name_or_password"}, "address": "192.0.2.1"})
		wantFields(t, l.Items[1], map[string]any{"status": 403})
		// Writes are entered by the store in their own transaction, with
		// what they changed.
		wantFields(t, l.Items[2], map[string]any{"status": 200, "detail": map[string]any{"params": map[string]any{"id": runID},
			"action": "retract_run", "target": runID, "reason": "wrong unit on the rig", "revision": 2,
			"changes": map[string]any{"status": map[string]any{"from": "active", "to": "retracted"}}}})
		wantFields(t, l.Items[3], map[string]any{"status": 201, "request_id": "rig3-0001", "at": nowJSON, "address": "192.0.2.1",
			"detail": map[string]any{"action": "create_runs", "created": runID}})
		for i, e := range l.Items[:len(l.Items)-1] {
			if h, _ := e["hash"].(string); len(h) != 64 || l.Items[i+1]["hash"] != e["prev_hash"] {
				t.Errorf("entry %v: hash %v, prev_hash %v; want it chained to %v", e["id"], e["hash"], e["prev_hash"], l.Items[i+1]["hash"])
			}
		}
		if l.NextCursor == nil {
			t.Fatal("no next page")
		}
		rest := decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/audit?cursor="+*l.NextCursor, "", a.as(adminName)...))
		if len(rest.Items) != 1 || rest.Items[0]["route"] != "/api/v1/handsets" || rest.Items[0]["account"] != "ada" || rest.NextCursor != nil {
			t.Errorf("second page = %v", rest.Items)
		}
	})
}

func TestAccountsAPI(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		r := a.must(t, http.StatusCreated, "POST", "/api/v1/accounts", `{"name": "rig-7", "role": "technician"}`, a.as(adminName)...)
		made := object(t, r)
		wantFields(t, made, map[string]any{"name": "rig-7", "role": "technician", "has_password": false, "created_at": nowJSON, "removed_at": nil})
		if r.Header.Get("Location") != "/api/v1/accounts/rig-7" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Location %q, Cache-Control %q", r.Header.Get("Location"), r.Header.Get("Cache-Control"))
		}
		token, _ := made["token"].(string)
		me := object(t, a.must(t, http.StatusOK, "GET", "/api/v1/me", "", "Authorization", "Bearer "+token))
		wantFields(t, me, map[string]any{"name": "rig-7", "role": "technician"})
		if _, ok := me["token"]; ok {
			t.Error("GET /me shows a token")
		}
		wantFields(t, object(t, a.must(t, http.StatusOK, "GET", "/api/v1/accounts/rig-7", "", a.as(adminName)...)), map[string]any{"name": "rig-7"})

		wantProblem(t, a.call(t, "POST", "/api/v1/accounts", `{"name": "rig-7", "role": "evaluator"}`, a.as(adminName)...), http.StatusConflict, "name")
		wantProblem(t, a.call(t, "POST", "/api/v1/accounts", `{"name": "Rig 8", "role": "boss", "password": "short"}`, a.as(adminName)...),
			http.StatusUnprocessableEntity, "name", "role", "password")
		wantProblem(t, a.call(t, "POST", "/api/v1/accounts", `{"name": "rig-8", "role": "evaluator", "token": "mine"}`, a.as(adminName)...),
			http.StatusUnprocessableEntity, "token")
		wantAccessProblem(t, a.call(t, "POST", "/api/v1/accounts", `{"name": "rig-9", "role": "admin"}`, a.as(techName)...), 403, "forbidden")

		l := decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/accounts", "", a.as(adminName)...))
		if got := ids(l.Items, "name"); !slices.Equal(got, []string{"ada", "eve", "rig-7", "tom"}) {
			t.Errorf("accounts = %q", got)
		}
	})
}

// tenderProfile is a one-requirement profile (api.md §6).
const tenderProfile = `{"name": "FSI tender 2020", "requirements": [
  {"key": "drop-2m", "title": "26 drops from 2 m onto concrete", "kind": "drop",
   "where": {"height_m_min": 2.0, "surface": ["concrete"], "protective_case": false},
   "unit_passes_if": {"drops_completed_min": 26, "worst_severity_max": 2},
   "decision": {"rule": "lower_bound", "target": 0.5, "confidence": 0.95}, "min_units": 5}]}`

// Imports, series and profiles record their author from the account too.
func TestOtherWritesRecordTheAccount(t *testing.T) {
	t.Parallel()
	eachAuthEngine(t, func(t *testing.T, a *authAPI) {
		a.must(t, http.StatusCreated, "POST", "/api/v1/handsets", mustJSON(atlasHandset), a.as(adminName)...)
		imp := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/imports/units", "handset,serial,notes\natlas-r1,ATL-0001,\n",
			append(a.as(techName), "Content-Type", "text/csv")...))
		wantFields(t, imp, map[string]any{"recorded_by": "tom", "rows": 1})

		run := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/runs", runBody("battery", nil), a.as(techName)...))["id"].(string)
		a.must(t, http.StatusCreated, "POST", "/api/v1/runs/"+run+"/series", seriesCSV(10), append(a.as(techName), "Content-Type", "text/csv")...)
		a.must(t, http.StatusCreated, "POST", "/api/v1/runs/"+run+"/series?replace=true&reason=logger+clock+was+off", seriesCSV(12),
			append(a.as(adminName), "Content-Type", "text/csv")...)
		revs := decodeList(t, a.must(t, http.StatusOK, "GET", "/api/v1/runs/"+run+"/revisions", "", a.as(evalName)...)).Items
		if last := revs[len(revs)-1]; last["recorded_by"] != "ada" {
			t.Errorf("series replacement recorded by %v, want ada", last["recorded_by"])
		}

		p := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/profiles", tenderProfile, a.as(adminName)...))
		wantFields(t, p, map[string]any{"recorded_by": "ada"})
		v2 := object(t, a.must(t, http.StatusCreated, "POST", "/api/v1/profiles/"+p["id"].(string)+"/versions", tenderProfile, a.as(adminName)...))
		wantFields(t, v2, map[string]any{"recorded_by": "ada", "version": 2})
	})
}
