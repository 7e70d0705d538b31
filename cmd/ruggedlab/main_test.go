package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// instance is one `ruggedlab serve` started by run, as main would.
type instance struct {
	URL    string // http://127.0.0.1:PORT
	stdout *lockedBuffer
	stderr *lockedBuffer
	cancel context.CancelFunc // what SIGINT/SIGTERM do in main
	done   chan error         // run's result
}

// servingLine is what serve prints on stdout once it listens.
var servingLine = regexp.MustCompile(`serving on (http://[^/ ]+)/`)

// startTimeout bounds start-up (migrations, demo data) so that a hung
// server fails the test instead of go test's global timeout.
const startTimeout = 60 * time.Second

// env is a getenv over a fixed map: the test's own environment (CI may
// set DATABASE_URL) must not leak into the command.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

// startServe runs `ruggedlab serve args...` and returns once it prints the
// address it serves on. The instance is stopped at cleanup.
func startServe(t *testing.T, getenv func(string) string, args ...string) *instance {
	t.Helper()
	in, err := launch(getenv, args...)
	if in != nil {
		t.Cleanup(func() { in.shutdown(t) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// launch starts serve in the background; safe to call from any goroutine.
// On error the instance, if any, still needs shutdown.
func launch(getenv func(string) string, args ...string) (*instance, error) {
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	pr, pw := io.Pipe()
	go func() {
		err := run(ctx, append([]string{"serve"}, args...), getenv, pw, in.stderr)
		pw.Close()
		in.done <- err
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() { // keep draining stdout until run returns
			fmt.Fprintln(in.stdout, sc.Text())
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			err := <-in.done
			in.done <- err
			return in, fmt.Errorf("serve exited before serving: %v\nstderr:\n%s", err, in.stderr)
		}
		in.URL = u
		// An admin's token, made once serve has migrated the database.
		token, err := tokens.forDB(ctx, getenv, dbOf(args, getenv))
		if err != nil {
			return in, err
		}
		tokens.set(u, token)
		return in, nil
	case <-time.After(startTimeout):
		return in, fmt.Errorf("serve did not print its address within %s\nstderr:\n%s", startTimeout, in.stderr)
	}
}

// shutdown cancels the instance and waits for run to return.
func (in *instance) shutdown(t *testing.T) {
	in.cancel()
	select {
	case <-in.done:
	case <-time.After(startTimeout):
		t.Errorf("serve did not stop within %s", startTimeout)
	}
}

// stop cancels the instance's context and returns run's result.
func (in *instance) stop(t *testing.T) error {
	t.Helper()
	in.cancel()
	select {
	case err := <-in.done:
		in.done <- err // for the cleanup
		return err
	case <-time.After(startTimeout):
		t.Fatalf("serve did not stop within %s", startTimeout)
		return nil
	}
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: tokens}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends one request; hdr holds header name/value pairs. Bodies are JSON.
func call(t *testing.T, method, url, body string, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// must is call that fails the test unless the status is want.
func must(t *testing.T, want int, method, url, body string, hdr ...string) answer {
	t.Helper()
	a := call(t, method, url, body, hdr...)
	if a.Status != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, url, a.Status, want, a.Body)
	}
	return a
}

type list struct {
	Items      []map[string]any `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.Body, &v); err != nil {
		t.Fatalf("answer is not the JSON expected: %v\n%s", err, a.Body)
	}
	return v
}

func TestServeDemo(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "demo.db")
	in := startServe(t, env(), "--addr", "127.0.0.1:0", "--db", db, "--demo")

	handsets := decode[list](t, must(t, 200, "GET", in.URL+"/api/v1/handsets", "", "X-Request-ID", "demo-check-1"))
	var codes []string
	for _, h := range handsets.Items {
		codes = append(codes, h["code"].(string))
	}
	if want := []string{"atlas-r1", "borealis-x", "cobalt-t8", "dune-p5"}; !slices.Equal(codes, want) || handsets.NextCursor != nil {
		t.Errorf("handsets = %q (next %v), want %q", codes, handsets.NextCursor, want)
	}
	runs := decode[list](t, must(t, 200, "GET", in.URL+"/api/v1/runs?include_retracted=true&limit=500", ""))
	statuses := map[any]int{}
	for _, r := range runs.Items {
		statuses[r["status"]]++
	}
	if len(runs.Items) < 100 || statuses["retracted"] != 1 {
		t.Errorf("demo runs: %d, statuses %v; want over 100 with one retracted", len(runs.Items), statuses)
	}
	ready := decode[map[string]any](t, must(t, 200, "GET", in.URL+"/readyz", ""))
	if ready["database"] != "sqlite" {
		t.Errorf("readyz = %v, want database sqlite", ready)
	}

	if err := in.stop(t); err != nil {
		t.Fatalf("run returned %v after cancel, want nil (graceful shutdown)", err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(in.URL, "http://"), time.Second); err == nil {
		t.Error("the port still accepts connections after run returned")
	}
	// One JSON line per request on stderr, with the request ID.
	var found bool
	for _, l := range in.stderr.lines(t) {
		if l["msg"] == "request" && l["request_id"] == "demo-check-1" {
			found = l["route"] == "/api/v1/handsets" && l["status"] == float64(200)
		}
	}
	if !found {
		t.Errorf("no log line for request demo-check-1 with route and status:\n%s", in.stderr)
	}

	// A second start finds the demo loaded and leaves it alone.
	again := startServe(t, env(), "--addr", "127.0.0.1:0", "--db", db, "--demo")
	if n := len(decode[list](t, must(t, 200, "GET", again.URL+"/api/v1/handsets", "")).Items); n != 4 {
		t.Errorf("%d handsets after a second --demo start, want 4", n)
	}
}

// TestServeGracefulShutdown cancels serve (as SIGTERM does) while a request
// is still sending its body: the request must complete before run returns.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	in := startServe(t, env("RUGGEDLAB_ADDR", "127.0.0.1:0", "RUGGEDLAB_DB", filepath.Join(t.TempDir(), "g.db")), "--max-json", "64000000")
	// A valid handset padded with 32 MB of JSON whitespace: once the first
	// part is written, more than the loopback socket buffers can hold has
	// gone, so the server is reading the body inside the handler.
	head := `{"code": "atlas-r1", "name": "Atlas R1", "manufacturer": "Atlas Mobile", "form_factor": "phone"` + strings.Repeat(" ", 32<<20)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", in.URL+"/api/v1/handsets", pr)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(head) + 1)
	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		resp.Body.Close()
		res <- result{status: resp.StatusCode}
	}()
	if _, err := io.WriteString(pw, head); err != nil {
		t.Fatal(err)
	}

	in.cancel() // what SIGINT/SIGTERM do
	// Poll until the listener is closed: shutdown has begun.
	addr := strings.TrimPrefix(in.URL, "http://")
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("serve still accepts connections after cancel")
		}
	}
	select {
	case err := <-in.done:
		t.Fatalf("run returned (%v) with a request in flight", err)
	default:
	}
	io.WriteString(pw, "}")
	pw.Close()
	if r := <-res; r.err != nil || r.status != 201 {
		t.Errorf("in-flight request: %d, %v; want 201", r.status, r.err)
	}
	if err := in.stop(t); err != nil {
		t.Errorf("run = %v, want nil", err)
	}
	if log := in.stderr.String(); !strings.Contains(log, "shutting down") || !strings.Contains(log, `"msg":"stopped"`) {
		t.Errorf("stderr lacks the shutdown lines:\n%s", log)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		flags []string // each must be printed
	}{
		{[]string{"serve", "--help"}, []string{"-addr", "-db", "-demo", "-migrate", "-max-json", "-max-upload", "-log-level", "RUGGEDLAB_ADDR", "DATABASE_URL"}},
		{[]string{"serve", "-h"}, []string{"-addr", "-db", "-demo"}},
		{[]string{"migrate", "--help"}, []string{"-db", "RUGGEDLAB_DB"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, env(), &stdout, &stderr)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("run = %v, want flag.ErrHelp", err)
			}
			if code := exitCode(err); code != 0 {
				t.Errorf("exit status %d, want 0", code)
			}
			for _, f := range tc.flags {
				if !strings.Contains(stderr.String(), f) {
					t.Errorf("help lacks %s:\n%s", f, stderr.String())
				}
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"help"}, env(), &stdout, &stderr); err != nil {
			t.Fatalf("run = %v", err)
		}
		for _, cmd := range []string{"ruggedlab serve", "ruggedlab migrate"} {
			if !strings.Contains(stdout.String(), cmd) {
				t.Errorf("usage lacks %q:\n%s", cmd, stdout.String())
			}
		}
	})
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"serv"}, `unknown command "serv"`},
		{"unknown flag", []string{"serve", "--port", "8080"}, "flag provided but not defined: -port"},
		{"stray argument", []string{"migrate", "now"}, "unexpected arguments: now"},
		{"bad log level", []string{"serve", "--log-level", "loud", "--db", "unused.db"}, "--log-level"},
		{"unknown zone", []string{"serve", "--zone", "Mars/Olympus", "--db", "unused.db"}, `--zone "Mars/Olympus" is not a time zone`},
		{"the host's zone", []string{"serve", "--zone", "Local", "--db", "unused.db"}, "--zone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, env(), &stdout, &stderr)
			if code := exitCode(err); code != 2 || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("run = %v (exit %d), want exit 2 mentioning %q", err, code, tc.msg)
			}
		})
	}
}

func TestMigrateThenServeWithoutMigrating(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t.Run("an unmigrated database is refused", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--migrate=false", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "new.db")}, env(), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "ruggedlab migrate") {
			t.Errorf("run = %v, want a refusal naming 'ruggedlab migrate'", err)
		}
	})
	t.Run("migrate, then serve", func(t *testing.T) {
		db := filepath.Join(dir, "m.db")
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"migrate", "--db", db}, env(), &stdout, &stderr); err != nil {
			t.Fatalf("migrate: %v\n%s", err, stderr.String())
		}
		// Twice: a migrated database must read as migrated.
		if err := run(context.Background(), []string{"migrate", "--db", db}, env(), &stdout, &stderr); err != nil {
			t.Fatalf("second migrate: %v\n%s", err, stderr.String())
		}
		if got := strings.Count(stdout.String(), "database is up to date (sqlite)"); got != 2 {
			t.Errorf("migrate printed %q", stdout.String())
		}
		in := startServe(t, env("DATABASE_URL", db), "--migrate=false", "--addr", "127.0.0.1:0")
		must(t, 200, "GET", in.URL+"/readyz", "")
	})
}

// lockedBuffer collects a server's stderr while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines decodes the JSON log lines.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(l.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// --zone (or RUGGEDLAB_ZONE) is the lab's zone: the forms read times in
// it and say so.
func TestServeZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "lab time, Europe/Paris"},
		{[]string{"--zone", "America/Cayenne"}, nil, "lab time, America/Cayenne"},
		{nil, map[string]string{"RUGGEDLAB_ZONE": "Indian/Reunion"}, "lab time, Indian/Reunion"},
	} {
		getenv := env()
		if tc.env != nil {
			getenv = func(k string) string {
				if v, ok := tc.env[k]; ok {
					return v
				}
				return env()(k)
			}
		}
		in := startServe(t, getenv, append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "z.db")}, tc.args...)...)
		page := must(t, 200, "GET", in.URL+"/runs/new?kind=drop", "")
		if !strings.Contains(string(page.Body), tc.want) {
			t.Errorf("%v %v: the run form does not say %q", tc.args, tc.env, tc.want)
		}
	}
}
