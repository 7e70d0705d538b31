package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix marks RuggedLab API tokens, so a leaked one is recognisable
// (secret scanners, logs) and a token pasted in the wrong place is obvious.
const TokenPrefix = "rl_"

// NewToken returns a fresh API token — "rl_" and 32 random bytes in
// base64url — and the digest to store for it.
func NewToken() (token, digest string) {
	t := TokenPrefix + randomString(32)
	return t, Digest(t)
}

// NewSessionToken returns a fresh session token (32 random bytes in
// base64url) and the digest to store for it.
func NewSessionToken() (token, digest string) {
	t := randomString(32)
	return t, Digest(t)
}

// Digest is what the database keeps of a token: its SHA-256, in hex.
//
// A slow password hash (argon2id) is for secrets people choose, which can
// be guessed. A token is 256 random bits: nobody can guess it, and from
// its digest nobody can recover it, so a stolen database yields no usable
// token either way. A fast, unsalted digest is also what a token needs: it
// is checked on every request, and the service finds the account by
// looking the digest up, which a salted hash would not allow.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RandomPassword returns a random password of 24 characters (about 140
// bits),
// for demo accounts.
func RandomPassword() string {
	// 18 bytes encode to exactly 24 base64url characters; '-' and '_' are
	// swapped for letters so the password is easy to select and copy.
	return strings.NewReplacer("-", "x", "_", "y").Replace(randomString(18))
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
