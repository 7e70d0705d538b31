package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ruggedlab/internal/testdb"
)

var tokenLine = regexp.MustCompile(`^rl_[A-Za-z0-9_-]{43}$`)

// The first admin is made from the command line on an empty database; the
// token it prints alone on its last line is what a script sends.
func TestUserAddPrintsAWorkingToken(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), []string{"user", "add", "--name", "alice", "--role", "admin", "--db", e.DSN}, env(), &stdout, &stderr); err != nil {
				t.Fatalf("user add: %v\n%s", err, stderr.String())
			}
			token := lastLine(stdout.String())
			if !tokenLine.MatchString(token) || strings.Count(stdout.String(), token) != 1 {
				t.Fatalf("last line %q is not a token alone; stdout:\n%s", token, stdout.String())
			}

			in := startServe(t, env(), "--addr", "127.0.0.1:0", "--db", e.DSN)
			bearer := []string{"Authorization", "Bearer " + token}
			me := decode[map[string]any](t, must(t, 200, "GET", in.URL+"/api/v1/me", "", bearer...))
			if me["name"] != "alice" || me["role"] != "admin" {
				t.Errorf("GET /api/v1/me = %v, want alice the admin", me)
			}
			h := decode[map[string]any](t, must(t, 201, "POST", in.URL+"/api/v1/handsets",
				`{"code": "atlas-r1", "name": "Atlas R1", "manufacturer": "Atlas Mobile", "form_factor": "phone"}`, bearer...))
			if h["recorded_by"] != "alice" {
				t.Errorf("recorded_by = %v, want alice", h["recorded_by"])
			}
			if a := call(t, "GET", in.URL+"/api/v1/handsets", "", "Authorization", "Bearer rl_"+strings.Repeat("A", 43)); a.Status != 401 {
				t.Errorf("an unknown token: %d, want 401", a.Status)
			}
		})
	}
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "users.db")
	ctx := context.Background()
	userRun := func(stdin string, args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := user(ctx, append(args, "--db", db), env(), strings.NewReader(stdin), &stdout, &stderr)
		return stdout.String(), err
	}

	out, err := userRun("tumbler-1m-300-falls\n", "add", "--name", "tom", "--role", "technician", "--password-stdin")
	if err != nil || !strings.Contains(out, "can also log in") || !tokenLine.MatchString(lastLine(out)) {
		t.Fatalf("add with a password: %v\n%s", err, out)
	}
	if out, err = userRun("", "add", "--name", "rig-3", "--role", "technician"); err != nil || !strings.Contains(out, "API token only") {
		t.Fatalf("add without a password: %v\n%s", err, out)
	}
	if _, err = userRun("", "remove", "--name", "rig-3"); err != nil {
		t.Fatal(err)
	}
	out, err = userRun("", "list")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "NAME") ||
		!regexp.MustCompile(`^rig-3\s+technician\s+token only\s+\S+\s+20\d\d-`).MatchString(rows[1]) ||
		!regexp.MustCompile(`^tom\s+technician\s+password\s+\S+\s+-$`).MatchString(rows[2]) {
		t.Errorf("list:\n%s", out)
	}

	var stderr bytes.Buffer
	if err := user(ctx, nil, env(), strings.NewReader(""), &stderr, &stderr); exitCode(err) != 2 || !strings.Contains(err.Error(), "add, remove or list") {
		t.Errorf("user without a subcommand: %v", err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		msg         string
		usage       bool
	}{
		{"unknown subcommand", "", []string{"rename"}, `unknown user subcommand "rename"`, true},
		{"add without --role", "", []string{"add", "--name", "eve"}, "--name and --role", true},
		{"empty password on stdin", "", []string{"add", "--name", "eve", "--role", "evaluator", "--password-stdin"}, "no password", true},
		{"unknown role", "", []string{"add", "--name", "eve", "--role", "boss"}, "role: must be one of evaluator, technician, admin", false},
		{"short password", "short\n", []string{"add", "--name", "eve", "--role", "evaluator", "--password-stdin"}, "password: must be 12 to 1024 characters", false},
		{"name taken", "", []string{"add", "--name", "tom", "--role", "admin"}, "tom exists or existed", false},
		{"removed name reused", "", []string{"add", "--name", "rig-3", "--role", "admin"}, "never reused", false},
		{"remove unknown", "", []string{"remove", "--name", "nobody"}, "no active account named nobody", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := userRun(tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.msg) || (exitCode(err) == 2) != tc.usage {
				t.Errorf("err = %v (exit %d), want one mentioning %q, usage error %v", err, exitCode(err), tc.msg, tc.usage)
			}
		})
	}
}

// serve --demo prints a login for each role once, and they work.
func TestServeDemoLogins(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "demo.db")
	in := startServe(t, env(), "--addr", "127.0.0.1:0", "--db", db, "--demo")
	m := regexp.MustCompile(`Demo logins: demo-admin / (\w+), demo-technician / (\w+), demo-evaluator / (\w+) `).FindStringSubmatch(in.stdout.String())
	if m == nil {
		t.Fatalf("no demo logins on stdout:\n%s", in.stdout)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, name := range []string{"demo-admin", "demo-technician", "demo-evaluator"} {
		resp, err := noRedirect.PostForm(in.URL+"/login", url.Values{"name": {name}, "password": {m[i+1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 || len(resp.Cookies()) == 0 {
			t.Errorf("login %s: %d, cookies %v; want 303 and a session", name, resp.StatusCode, resp.Cookies())
		}
	}
	if err := in.stop(t); err != nil {
		t.Fatal(err)
	}
	again := startServe(t, env(), "--addr", "127.0.0.1:0", "--db", db, "--demo")
	if strings.Contains(again.stdout.String(), "Demo logins") {
		t.Errorf("a second --demo start printed logins again:\n%s", again.stdout)
	}
}
