package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// bearerTokens adds each test server's API token to the requests sent to
// it, so that the end-to-end tests speak for an account as every client of
// a real server must (api.md §9), without each call naming one. Servers on
// one database share one admin's token, as one script would use one token
// against every instance behind a load balancer (Idempotency-Keys are per
// account).
type bearerTokens struct {
	byHost sync.Map
	mu     sync.Mutex
	byDB   map[string]string
}

// forDB returns the admin token for dsn, making the account the first time.
func (b *bearerTokens) forDB(ctx context.Context, getenv func(string) string, dsn string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if tok, ok := b.byDB[dsn]; ok {
		return tok, nil
	}
	_, tok, err := addAccount(ctx, getenv, dsn, "admin")
	if err != nil {
		return "", err
	}
	if b.byDB == nil {
		b.byDB = map[string]string{}
	}
	b.byDB[dsn] = tok
	return tok, nil
}

// tokens holds the token of every server the tests start; the tests'
// client sends through it.
var tokens = &bearerTokens{}

func (b *bearerTokens) set(serverURL, token string) {
	if u, err := url.Parse(serverURL); err == nil {
		b.byHost.Store(u.Host, token)
	}
}

func (b *bearerTokens) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := b.byHost.Load(req.URL.Host); ok && req.Header.Get("Authorization") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+tok.(string))
	}
	return http.DefaultTransport.RoundTrip(req)
}

// addAccount runs `ruggedlab user add` on dsn for a new account of role
// with a unique name, and returns the token it prints on its last line.
func addAccount(ctx context.Context, getenv func(string) string, dsn, role string) (name, token string, err error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name = "test-" + hex.EncodeToString(b[:])
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--name", name, "--role", role, "--db", dsn}, getenv, &stdout, &stderr); err != nil {
		return "", "", fmt.Errorf("user add: %v\n%s", err, stderr.String())
	}
	return name, lastLine(stdout.String()), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// dbOf is the database serve uses with args and getenv.
func dbOf(args []string, getenv func(string) string) string {
	for i, a := range args {
		switch {
		case (a == "--db" || a == "-db") && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--db="), strings.HasPrefix(a, "-db="):
			return a[strings.IndexByte(a, '=')+1:]
		}
	}
	return dbDefault(getenv)
}
