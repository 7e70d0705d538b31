// Package auth holds RuggedLab's credential primitives: password hashing
// with argon2id, and random tokens stored as SHA-256 digests. It knows
// nothing of HTTP or SQL; the store keeps the digests and the handlers carry
// the tokens.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are written into every stored
// hash, so raising them later leaves existing passwords verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are OWASP's minimum for argon2id (19 MiB, 2 passes, 1
// lane): a guess costs an attacker with the database real memory, while a
// login costs the server tens of milliseconds, which the login rate limit
// bounds.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// HashPassword returns password hashed with a fresh random salt, in the PHC
// string format the reference argon2 tools write (unpadded standard
// base64): $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string) string {
	return hashWith(DefaultParams(), password)
}

func hashWith(p Params, password string) string {
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (Go ≥ 1.24)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// ErrBadHash means a stored hash is not an argon2id PHC string this
// package can read.
var ErrBadHash = errors.New("auth: stored password hash is not a readable argon2id string")

// VerifyPassword reports whether password matches encoded, comparing in
// constant time. Errors: ErrBadHash.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is a well-formed hash with DefaultParams whose password nobody
// knows. Verifying against it when the account does not exist makes an
// unknown name cost as much time as a wrong password, so response timing
// does not reveal which names exist.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$cnVnZ2VkbGFiLWR1bW15$3Lw6c1i9HBb2xYzrjB0H1wnG6rZ1dpmPjEs4+1xHtDQ"

// BurnDummy does the work of a password check against nothing, and always
// fails; see dummyHash.
func BurnDummy(password string) {
	_, _ = VerifyPassword(dummyHash, password)
}

func decode(encoded string) (Params, []byte, []byte, error) {
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return Params{}, nil, nil, ErrBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) == 0 || len(key) < 16 {
		return Params{}, nil, nil, ErrBadHash
	}
	return p, salt, key, nil
}
