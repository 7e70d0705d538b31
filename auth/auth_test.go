package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// fastParams keep the tests quick; the format and the checks are the same.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestPasswordRoundTrip(t *testing.T) {
	enc := hashWith(fastParams, "correct horse battery")
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(enc) {
		t.Fatalf("hash %q is not a PHC argon2id string", enc)
	}
	tests := []struct {
		name, password string
		want           bool
	}{
		{"same password", "correct horse battery", true},
		{"one letter off", "correct horse batterY", false},
		{"empty", "", false},
		{"prefix", "correct horse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(enc, tt.password)
			if err != nil || got != tt.want {
				t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.password, got, err, tt.want)
			}
		})
	}
	if again := hashWith(fastParams, "correct horse battery"); again == enc {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestDefaultParamsAreStored(t *testing.T) {
	enc := HashPassword("correct horse battery")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("HashPassword = %q, want OWASP parameters in the string", enc)
	}
	if ok, err := VerifyPassword(enc, "correct horse battery"); !ok || err != nil {
		t.Fatalf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestDummyHashIsReadable(t *testing.T) {
	p, salt, key, err := decode(dummyHash)
	if err != nil {
		t.Fatalf("dummy hash does not decode: %v", err)
	}
	if p != (Params{Memory: 19456, Time: 2, Threads: 1}) || len(salt) == 0 || len(key) != 32 {
		t.Errorf("dummy hash params %+v salt %d key %d: want DefaultParams' cost, so an unknown name costs what a wrong password does", p, len(salt), len(key))
	}
}

func TestVerifyRejectsBadHashes(t *testing.T) {
	for _, enc := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
	} {
		if ok, err := VerifyPassword(enc, "x"); ok || !errors.Is(err, ErrBadHash) {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false, ErrBadHash", enc, ok, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, digest := NewToken()
	if !regexp.MustCompile(`^rl_[A-Za-z0-9_-]{43}$`).MatchString(tok) {
		t.Errorf("NewToken = %q, want rl_ and 43 base64url characters (32 bytes)", tok)
	}
	if digest != Digest(tok) || len(digest) != 64 {
		t.Errorf("digest %q is not the hex SHA-256 of the token", digest)
	}
	if Digest("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Error("Digest is not SHA-256 in hex")
	}
	other, _ := NewToken()
	sess, _ := NewSessionToken()
	if other == tok || sess == tok || strings.HasPrefix(sess, TokenPrefix) {
		t.Errorf("tokens repeat or a session token looks like an API token: %q %q %q", tok, other, sess)
	}
	if pw := RandomPassword(); !regexp.MustCompile(`^[A-Za-z0-9]{24}$`).MatchString(pw) {
		t.Errorf("RandomPassword = %q, want 24 letters and digits", pw)
	}
}
