package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"ruggedlab/auth"
	"ruggedlab/models"
)

// Session lifetimes: a session ends 12 h after login whatever happens (a
// lab shift), or after 2 h without a request (a workstation left alone).
const (
	SessionLifetime = 12 * time.Hour
	SessionIdle     = 2 * time.Hour
	// touchEvery spaces the writes that note a session's last request: the
	// idle limit is hours, so minute precision is plenty, and a page view
	// need not be a database write.
	touchEvery = time.Minute
)

type sessionRow struct {
	TokenHash  string `gorm:"primaryKey"`
	AccountID  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// Session is a login session as its holder sees it: the token goes in the
// cookie and is known only to the browser; the database keeps its digest.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// newSession writes a session for account, ending the one whose token is
// replaces (if any), and sweeps expired sessions.
func (s *Store) newSession(tx *gorm.DB, accountID, replaces string) (Session, error) {
	now := s.stamp()
	if replaces != "" {
		if err := tx.Where("token_hash = ?", auth.Digest(replaces)).Delete(&sessionRow{}).Error; err != nil {
			return Session{}, err
		}
	}
	if err := tx.Where("expires_at <= ? OR last_seen_at <= ?", now, now.Add(-SessionIdle)).Delete(&sessionRow{}).Error; err != nil {
		return Session{}, err
	}
	token, digest := auth.NewSessionToken()
	row := sessionRow{TokenHash: digest, AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), LastSeenAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: row.ExpiresAt}, nil
}

// SessionAccount returns the active account of a live session and notes
// that the session was used. Errors: Unauthenticated (unknown, expired or
// idle session, removed account).
func (s *Store) SessionAccount(ctx context.Context, token string) (models.Account, error) {
	now := s.stamp()
	digest := auth.Digest(token)
	var sess sessionRow
	// every page request: on the lane, never behind long reads (dataversion.go)
	err := s.pointReads(ctx).Where("token_hash = ?", digest).Take(&sess).Error
	var acct accountRow
	if err == nil {
		err = s.pointReads(ctx).Where("id = ? AND removed_at IS NULL", sess.AccountID).Take(&acct).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Account{}, errNoCredential("session")
	}
	if err != nil {
		return models.Account{}, translate(err, "session")
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(SessionIdle)) {
		err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Where("token_hash = ?", digest).Delete(&sessionRow{}).Error })
		if err != nil {
			return models.Account{}, translate(err, "session")
		}
		return models.Account{}, errNoCredential("session")
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&sessionRow{}).Where("token_hash = ?", digest).Update("last_seen_at", now).Error
		})
		if err != nil {
			return models.Account{}, translate(err, "session")
		}
	}
	return acct.model(), nil
}

// EndSession deletes the session holding token; an unknown token is not an
// error, so logging out twice is harmless.
func (s *Store) EndSession(ctx context.Context, token string) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("token_hash = ?", auth.Digest(token)).Delete(&sessionRow{}).Error
	})
	return translate(err, "session")
}
