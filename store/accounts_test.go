package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
	"ruggedlab/store"
)

// openEachClock is openEach with a clock the test can move.
func openEachClock(t *testing.T, fn func(t *testing.T, s *store.Store, clk *storetest.Clock)) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clk := storetest.NewClock(testNow)
			s := storetest.Open(t, e, storetest.WithNow(clk.Now))
			fn(t, s, clk)
		})
	}
}

const alicePassword = "tumbler-2m-concrete"

func TestAccountsAndTokens(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alice, token, err := s.CreateAccount(ctx, "alice", models.Admin, alicePassword)
		if err != nil {
			t.Fatal(err)
		}
		if alice.Name != "alice" || alice.Role != models.Admin || !alice.HasPassword || !alice.CreatedAt.Equal(testNow) || alice.RemovedAt != nil {
			t.Errorf("CreateAccount = %+v", alice)
		}
		got, err := s.AccountByToken(ctx, token)
		if err != nil || got.ID != alice.ID {
			t.Fatalf("AccountByToken = %+v, %v; want alice", got, err)
		}
		bot, botToken, err := s.CreateAccount(ctx, "rig-3", models.Technician, "")
		if err != nil || bot.HasPassword {
			t.Fatalf("token-only account: %+v, %v", bot, err)
		}
		second, err := s.IssueToken(ctx, "rig-3")
		if err != nil || second == botToken {
			t.Fatalf("IssueToken = %q, %v", second, err)
		}

		bad := []struct {
			name     string
			role     models.Role
			password string
			field    string
			code     models.Code
		}{
			{"alice", models.Evaluator, "", "name", models.Conflict},
			{"Alice Smith", models.Evaluator, "", "name", models.Invalid},
			{"", models.Evaluator, "", "name", models.Invalid},
			{"bob", "superuser", "", "role", models.Invalid},
			{"bob", models.Evaluator, "short", "password", models.Invalid},
		}
		for _, b := range bad {
			_, _, err := s.CreateAccount(ctx, b.name, b.role, b.password)
			var me *models.Error
			if !errors.As(err, &me) || me.Code != b.code || !me.Fields.Has(b.field) {
				t.Errorf("CreateAccount(%q, %q, %q) = %v; want %s naming %s", b.name, b.role, b.password, err, b.code, b.field)
			}
		}

		if err := s.RemoveAccount(ctx, "rig-3"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{botToken, second} {
			if _, err := s.AccountByToken(ctx, tok); code(err) != models.Unauthenticated {
				t.Errorf("token of a removed account: %v; want Unauthenticated", err)
			}
		}
		if err := s.RemoveAccount(ctx, "rig-3"); code(err) != models.NotFound {
			t.Errorf("removing twice: %v; want NotFound", err)
		}
		if _, _, err := s.CreateAccount(ctx, "rig-3", models.Technician, ""); code(err) != models.Conflict {
			t.Errorf("reusing a removed account's name: %v; want Conflict", err)
		}
		if _, err := s.AccountByToken(ctx, "rl_not-a-token"); code(err) != models.Unauthenticated {
			t.Errorf("unknown token: %v", err)
		}
		all, err := s.Accounts(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "alice" || all[1].Name != "rig-3" || all[1].RemovedAt == nil {
			t.Errorf("Accounts = %+v, %v", all, err)
		}
		if n, err := s.ActiveAccounts(ctx); n != 1 || err != nil {
			t.Errorf("ActiveAccounts = %d, %v; want 1", n, err)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	openEachClock(t, func(t *testing.T, s *store.Store, clk *storetest.Clock) {
		ctx := context.Background()
		if _, _, err := s.CreateAccount(ctx, "alice", models.Technician, alicePassword); err != nil {
			t.Fatal(err)
		}
		// Five failures a minute apart, then the sixth attempt is refused
		// even with the right password, until the first failure is 15
		// minutes old.
		for i := range store.MaxFailuresPerAccount {
			if _, _, err := s.Login(ctx, "alice", "wrong password!", "10.0.0.7", ""); !errors.Is(err, store.ErrWrongLogin) {
				t.Fatalf("failure %d: %v; want ErrWrongLogin", i+1, err)
			}
			clk.Advance(time.Minute)
		}
		_, _, err := s.Login(ctx, "alice", alicePassword, "10.0.0.7", "")
		var tooMany *store.TooManyAttempts
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 10*time.Minute {
			t.Fatalf("6th attempt: %v; want TooManyAttempts retry after 10m (first failure at +0, now +5m)", err)
		}
		// Another address does not unlock the account.
		if _, _, err := s.Login(ctx, "alice", alicePassword, "10.0.0.8", ""); !errors.As(err, &tooMany) {
			t.Fatalf("from another address: %v; want TooManyAttempts", err)
		}
		clk.Advance(10 * time.Minute)
		acct, sess, err := s.Login(ctx, "alice", alicePassword, "10.0.0.7", "")
		if err != nil || acct.Name != "alice" || sess.Token == "" || !sess.ExpiresAt.Equal(clk.Now().Add(store.SessionLifetime)) {
			t.Fatalf("after the window: %+v %+v %v", acct, sess, err)
		}
		// Success forgives the account's failures.
		if _, _, err := s.Login(ctx, "alice", "wrong password!", "10.0.0.9", ""); !errors.Is(err, store.ErrWrongLogin) {
			t.Errorf("after a success: %v; want ErrWrongLogin, not a lockout", err)
		}
	})
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	openEachClock(t, func(t *testing.T, s *store.Store, clk *storetest.Clock) {
		ctx := context.Background()
		// Guessing across many names from one address: each name stays
		// under its own limit, the address does not.
		for i := range store.MaxFailuresPerAddress {
			name := string(rune('a'+i)) + "-guess"
			if _, _, err := s.Login(ctx, name, "password1234", "10.0.0.66", ""); !errors.Is(err, store.ErrWrongLogin) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		clk.Advance(time.Second)
		_, _, err := s.Login(ctx, "zz-guess", "password1234", "10.0.0.66", "")
		var tooMany *store.TooManyAttempts
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != store.LoginWindow-time.Second {
			t.Fatalf("21st attempt: %v; want TooManyAttempts", err)
		}
		if _, _, err := s.Login(ctx, "zz-guess", "password1234", "10.0.0.67", ""); !errors.Is(err, store.ErrWrongLogin) {
			t.Errorf("another address: %v; want ErrWrongLogin", err)
		}
	})
}

func TestSessions(t *testing.T) {
	openEachClock(t, func(t *testing.T, s *store.Store, clk *storetest.Clock) {
		ctx := context.Background()
		if _, _, err := s.CreateAccount(ctx, "alice", models.Technician, alicePassword); err != nil {
			t.Fatal(err)
		}
		login := func(replaces string) string {
			t.Helper()
			_, sess, err := s.Login(ctx, "alice", alicePassword, "10.0.0.7", replaces)
			if err != nil {
				t.Fatal(err)
			}
			return sess.Token
		}
		alive := func(token string) bool {
			t.Helper()
			a, err := s.SessionAccount(ctx, token)
			if err != nil && code(err) != models.Unauthenticated {
				t.Fatal(err)
			}
			if err == nil && (a.Name != "alice" || a.Role != models.Technician || a.ID == "") {
				t.Fatalf("SessionAccount = %+v, want alice the technician", a)
			}
			return err == nil
		}

		first := login("")
		second := login(first)
		if first == second || alive(first) || !alive(second) {
			t.Fatalf("a login must replace the session it was given: first alive %v, second alive %v", alive(first), alive(second))
		}

		// Idle: used every 110 minutes it lives on; 2 h without use ends it.
		for range 6 {
			clk.Advance(110 * time.Minute)
			if !alive(second) {
				t.Fatalf("session ended at %s though used every 110 min", clk.Now())
			}
		}
		// Absolute: 12 h after login, whatever the use.
		clk.Advance(time.Hour) // 11 h 0 min + 1 h = 12 h
		if alive(second) {
			t.Error("session alive 12 h after login")
		}

		third := login("")
		clk.Advance(store.SessionIdle)
		if alive(third) {
			t.Error("session alive after 2 h idle")
		}

		fourth := login("")
		if err := s.EndSession(ctx, fourth); err != nil || alive(fourth) {
			t.Errorf("EndSession: %v, alive %v", err, alive(fourth))
		}
		if err := s.EndSession(ctx, fourth); err != nil {
			t.Errorf("EndSession twice: %v", err)
		}

		fifth := login("")
		if err := s.RemoveAccount(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if alive(fifth) {
			t.Error("session of a removed account still works")
		}
		if _, _, err := s.Login(ctx, "alice", alicePassword, "10.0.0.7", ""); !errors.Is(err, store.ErrWrongLogin) {
			t.Errorf("login of a removed account: %v; want ErrWrongLogin", err)
		}
	})
}

func TestAuditLog(t *testing.T) {
	openEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, path := range []string{"/api/v1/runs", "/api/v1/runs/r1/amendments", "/api/v1/runs/r1/retraction"} {
			err := s.RecordAudit(ctx, models.AuditEntry{Account: "alice", Role: models.Technician, RequestID: "req-" + string(rune('1'+i)),
				Method: "POST", Route: path, Path: path, Status: 201, Detail: json.RawMessage(`{"params":{"id":"r1"}}`), Address: "10.0.0.7"})
			if err != nil {
				t.Fatal(err)
			}
		}
		page1, next, err := s.AuditLog(ctx, store.Page{Limit: 2})
		if err != nil || len(page1) != 2 || next == "" {
			t.Fatalf("AuditLog page 1: %d entries, next %q, %v", len(page1), next, err)
		}
		if page1[0].RequestID != "req-3" || page1[1].RequestID != "req-2" || !page1[0].At.Equal(testNow) {
			t.Errorf("page 1 = %+v; want newest first", page1)
		}
		var d map[string]any
		if err := json.Unmarshal(page1[0].Detail, &d); err != nil || d["params"].(map[string]any)["id"] != "r1" {
			t.Errorf("detail = %s, %v", page1[0].Detail, err)
		}
		page2, next, err := s.AuditLog(ctx, store.Page{Limit: 2, Cursor: next})
		if err != nil || len(page2) != 1 || page2[0].RequestID != "req-1" || next != "" {
			t.Errorf("AuditLog page 2 = %+v, next %q, %v", page2, next, err)
		}
		if _, _, err := s.AuditLog(ctx, store.Page{Cursor: "c1.bm9wZQ"}); code(err) != models.Invalid {
			t.Errorf("foreign cursor: %v; want Invalid", err)
		}
	})
}
