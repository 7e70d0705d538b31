package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"ruggedlab/auth"
	"ruggedlab/models"
)

// Login rate limit: more failures than these within LoginWindow and further
// attempts are refused until the oldest failures age out. Per account, it
// stops guessing one person's password; per address, guessing across many
// names from one machine.
const (
	LoginWindow           = 15 * time.Minute
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
)

type loginFailureRow struct {
	ID  string
	Key string
	At  time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// ErrWrongLogin is the one answer for an unknown name, a removed account,
// an account without a password and a wrong password, so that the login
// form does not tell which names exist.
var ErrWrongLogin = models.Errorf(models.Unauthenticated, "Wrong name or password")

// TooManyAttempts refuses a login attempt over the rate limit.
type TooManyAttempts struct {
	RetryAfter time.Duration
}

func (e *TooManyAttempts) Error() string {
	return fmt.Sprintf("too many failed logins: try again in %s", e.RetryAfter.Round(time.Second))
}

// Login checks name and password and opens a new session, ending the one
// whose token is replaces: a login always gets a fresh session token, so
// a token planted in the browser before login (session fixation) is
// worthless. addr is the client's address, for the rate limit.
// Errors: ErrWrongLogin, *TooManyAttempts.
func (s *Store) Login(ctx context.Context, name, password, addr, replaces string) (models.Account, Session, error) {
	keys := []struct {
		key   string
		limit int
	}{
		{"account:" + clip(name, 64), MaxFailuresPerAccount},
		{"addr:" + addr, MaxFailuresPerAddress},
	}
	// The attempt counts as a failure from the start and is forgiven only
	// once the password matched: concurrent guesses, each checked while the
	// others hash, cannot slip past the limit together.
	now := s.stamp()
	pending := make([]string, len(keys))
	var acct *accountRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("at <= ?", now.Add(-LoginWindow)).Delete(&loginFailureRow{}).Error; err != nil {
			return err
		}
		var wait time.Duration
		for _, k := range keys {
			var ats []time.Time
			if err := tx.Model(&loginFailureRow{}).Where("key = ? AND at > ?", k.key, now.Add(-LoginWindow)).
				Order("at").Pluck("at", &ats).Error; err != nil {
				return err
			}
			if n := len(ats); n >= k.limit {
				// Below the limit again once the n-limit+1 oldest failures
				// have aged out.
				wait = max(wait, ats[n-k.limit].Add(LoginWindow).Sub(now))
			}
		}
		if wait > 0 {
			return &TooManyAttempts{RetryAfter: max(wait, time.Second)}
		}
		for i, k := range keys {
			pending[i] = s.newID()
			if err := tx.Create(&loginFailureRow{ID: pending[i], Key: k.key, At: now}).Error; err != nil {
				return err
			}
		}
		row, err := activeAccount(tx, name)
		if err == nil {
			acct = &row
		} else if models.ErrorCode(err) != models.NotFound {
			return err
		}
		return nil
	})
	var tooMany *TooManyAttempts
	if errors.As(err, &tooMany) {
		return models.Account{}, Session{}, err
	}
	if err != nil {
		return models.Account{}, Session{}, translate(err, "login")
	}

	// The slow hash runs outside any transaction; an unknown name burns
	// the same time against a dummy hash.
	password = clip(password, models.MaxPasswordLen)
	ok := false
	if acct != nil && acct.PasswordHash != nil {
		var verr error
		ok, verr = auth.VerifyPassword(*acct.PasswordHash, password)
		if verr != nil {
			s.log.Error("stored password hash unreadable", "account", acct.Name, "err", verr)
		}
	} else {
		auth.BurnDummy(password)
	}
	if !ok {
		return models.Account{}, Session{}, ErrWrongLogin
	}

	var sess Session
	err = s.tx(ctx, func(tx *gorm.DB) error {
		// Success clears the account's failures (the person got in) but
		// only this attempt's address failure: a valid account must not
		// reset the count of an address that guesses at others.
		if err := tx.Where("key = ? OR id = ?", keys[0].key, pending[1]).Delete(&loginFailureRow{}).Error; err != nil {
			return err
		}
		var err error
		sess, err = s.newSession(tx, acct.ID, replaces)
		return err
	})
	if err != nil {
		return models.Account{}, Session{}, translate(err, "session")
	}
	return acct.model(), sess, nil
}

// clip cuts s to at most n bytes, so that a huge form field neither fills
// the failures table nor costs a long hash.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
