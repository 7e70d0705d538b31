package models

import (
	"encoding/json"
	"regexp"
	"time"
)

// Access error codes (api.md §9).
const (
	Unauthenticated Code = "unauthenticated" // no valid token or session: 401
	Forbidden       Code = "forbidden"       // the account's role may not do this: 403
)

// Role is what an account may do. Each role includes the ones below it.
type Role string

// Roles, from least to most trusted (api.md §9).
const (
	Evaluator  Role = "evaluator"  // reads, charts, exports
	Technician Role = "technician" // also units, runs, amendments, retractions, imports, series
	Admin      Role = "admin"      // also handsets, profiles, accounts, unmasking a blind view
)

// Roles lists every role, least trusted first.
func Roles() []Role { return []Role{Evaluator, Technician, Admin} }

// ParseRole reads a role name.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, r.rank() > 0
}

func (r Role) rank() int {
	switch r {
	case Evaluator:
		return 1
	case Technician:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// AtLeast reports whether r may do what needs min; an unknown role may do
// nothing, so a corrupt row fails closed.
func (r Role) AtLeast(min Role) bool { return r.rank() > 0 && r.rank() >= min.rank() }

// Account is a person or a script that signs in.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// HasPassword tells whether the account can log in with the form; an
	// account without one uses API tokens only.
	HasPassword bool       `json:"has_password"`
	CreatedAt   time.Time  `json:"created_at"`
	RemovedAt   *time.Time `json:"removed_at"`
}

// Account names are recorded as recorded_by and technician on every write,
// so they are short, lower-case and free of spaces: easy to type at the
// login form and unambiguous in an audit trail.
var accountNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Password bounds: long enough to resist guessing when the rate limit is
// spread over many addresses; bounded so that hashing cannot be used to
// exhaust the server.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// ValidateAccount checks a new account's name, role and optional password
// (empty: the account uses API tokens only). Errors: Invalid, naming each
// field.
func ValidateAccount(name string, role Role, password string) error {
	var errs FieldErrors
	if !accountNamePattern.MatchString(name) {
		errs.Add("name", "must be 1–64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, not %q", name)
	}
	if role.rank() == 0 {
		errs.Add("role", "must be one of evaluator, technician, admin, not %q", string(role))
	}
	if n := len([]rune(password)); password != "" && (n < MinPasswordLen || len(password) > MaxPasswordLen) {
		errs.Add("password", "must be %d to %d characters long", MinPasswordLen, MaxPasswordLen)
	}
	return errs.Err("the account is not valid")
}

// AuditEntry is one recorded write or audited action: who, when, what.
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Account   string          `json:"account"`
	Role      Role            `json:"role"`
	RequestID string          `json:"request_id"`
	Method    string          `json:"method"`
	Route     string          `json:"route"`
	Path      string          `json:"path"`
	Status    int             `json:"status"`
	Detail    json.RawMessage `json:"detail"`
	Address   string          `json:"address"`
	// PrevHash and Hash chain the log: Hash is the SHA-256 (hex) of this
	// entry's canonical content including PrevHash, the previous entry's
	// Hash ("" for the first).
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}
