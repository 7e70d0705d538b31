package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"ruggedlab/auth"
	"ruggedlab/models"
)

type accountRow struct {
	ID           string
	Name         string
	Role         string
	PasswordHash *string
	CreatedAt    time.Time
	RemovedAt    *time.Time
}

func (accountRow) TableName() string { return "accounts" }

func (r accountRow) model() models.Account {
	a := models.Account{ID: r.ID, Name: r.Name, Role: models.Role(r.Role), HasPassword: r.PasswordHash != nil, CreatedAt: r.CreatedAt.UTC()}
	if r.RemovedAt != nil {
		t := r.RemovedAt.UTC()
		a.RemovedAt = &t
	}
	return a
}

type tokenRow struct {
	ID        string
	AccountID string
	TokenHash string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

// CreateAccount creates an account and its first API token, which is
// returned here once: only its digest is kept. An empty password makes an
// account that uses API tokens only. Errors: Invalid, Conflict (the name is
// taken, also by a removed account: names are never reused, since records
// and the audit log name their authors by name).
func (s *Store) CreateAccount(ctx context.Context, name string, role models.Role, password string) (models.Account, string, error) {
	if err := models.ValidateAccount(name, role, password); err != nil {
		return models.Account{}, "", err
	}
	row := accountRow{ID: s.newID(), Name: name, Role: string(role), CreatedAt: s.stamp()}
	if password != "" {
		// Hashed before the transaction: argon2id takes tens of
		// milliseconds, during which SQLite's one writer would wait.
		h := auth.HashPassword(password)
		row.PasswordHash = &h
	}
	token, digest := auth.NewToken()
	err := s.writeTx(ctx, "create_account", func(tx *gorm.DB, ch change) error {
		ch["created"], ch["role"] = name, role
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return tx.Create(&tokenRow{ID: s.newID(), AccountID: row.ID, TokenHash: digest, CreatedAt: row.CreatedAt}).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return models.Account{}, "", conflictAt("name", "an account named %s exists or existed: names are never reused", name)
	}
	if err != nil {
		return models.Account{}, "", translate(err, "account "+name)
	}
	return row.model(), token, nil
}

// IssueToken gives the active account name another API token, returned
// once. Errors: NotFound.
func (s *Store) IssueToken(ctx context.Context, name string) (string, error) {
	token, digest := auth.NewToken()
	err := s.writeTx(ctx, "issue_token", func(tx *gorm.DB, ch change) error {
		ch["target"] = name
		a, err := activeAccount(tx, name)
		if err != nil {
			return err
		}
		return tx.Create(&tokenRow{ID: s.newID(), AccountID: a.ID, TokenHash: digest, CreatedAt: s.stamp()}).Error
	})
	if err != nil {
		return "", translate(err, "account "+name)
	}
	return token, nil
}

// RemoveAccount marks the account removed, revokes its tokens and ends its
// sessions, all in one transaction, so that nothing it held works a moment
// later. The row stays: records name their author. Errors: NotFound (no
// active account of that name).
func (s *Store) RemoveAccount(ctx context.Context, name string) error {
	now := s.stamp()
	err := s.writeTx(ctx, "remove_account", func(tx *gorm.DB, ch change) error {
		ch["target"] = name
		a, err := activeAccount(tx, name)
		if err != nil {
			return err
		}
		if err := tx.Model(&accountRow{}).Where("id = ?", a.ID).Update("removed_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(&tokenRow{}).Where("account_id = ? AND revoked_at IS NULL", a.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return tx.Where("account_id = ?", a.ID).Delete(&sessionRow{}).Error
	})
	return translate(err, "account "+name)
}

// Accounts lists every account by name, removed ones included.
func (s *Store) Accounts(ctx context.Context) ([]models.Account, error) {
	var rows []accountRow
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, translate(err, "accounts")
	}
	out := make([]models.Account, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Account returns the account named name, removed or not. Errors: NotFound.
func (s *Store) Account(ctx context.Context, name string) (models.Account, error) {
	var row accountRow
	err := s.db.WithContext(ctx).Where("name = ?", name).Take(&row).Error
	return row.model(), translate(err, "account "+name)
}

// ActiveAccounts counts the accounts not removed, so that serve can say
// how to create the first one.
func (s *Store) ActiveAccounts(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&accountRow{}).Where("removed_at IS NULL").Count(&n).Error
	return n, translate(err, "accounts")
}

// errNoCredential is the one answer for any token or session that does not
// lead to an active account: the client need not know which it was.
func errNoCredential(what string) error {
	return models.Errorf(models.Unauthenticated, "the %s is not valid: it is unknown, expired or revoked, or its account was removed", what)
}

// AccountByToken returns the active account holding the API token.
// Errors: Unauthenticated (unknown or revoked token, removed account).
func (s *Store) AccountByToken(ctx context.Context, token string) (models.Account, error) {
	var row accountRow
	// every API request: on the lane, never behind long reads (dataversion.go)
	err := s.pointReads(ctx).
		Joins("JOIN api_tokens ON api_tokens.account_id = accounts.id").
		Where("api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL AND accounts.removed_at IS NULL", auth.Digest(token)).
		Select("accounts.*").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Account{}, errNoCredential("token")
	}
	if err != nil {
		return models.Account{}, translate(err, "token")
	}
	return row.model(), nil
}

func activeAccount(tx *gorm.DB, name string) (accountRow, error) {
	var row accountRow
	err := tx.Where("name = ? AND removed_at IS NULL", name).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, models.Errorf(models.NotFound, "no active account named %s", name)
	}
	return row, err
}
