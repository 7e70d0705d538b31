package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ruggedlab/models"
)

type idempotencyRow struct {
	Scope       string
	Key         string
	RequestHash string
	Status      int
	ContentType string
	Location    string
	Body        []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// StoredResponse is the first answer given to a request with an
// Idempotency-Key, replayed for retries.
type StoredResponse struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// Idempotency key timings: keys are kept at least KeyTTL (api.md §11); a
// claim whose request never finished (a crashed instance) is given up after
// abandonAfter so the client's retry can proceed.
const (
	KeyTTL       = 24 * time.Hour
	abandonAfter = 2 * time.Minute
)

// ErrKeyInFlight means another request with the same key is being served.
var ErrKeyInFlight = models.Errorf(models.Conflict, "a request with this Idempotency-Key is still being processed: retry shortly")

// ClaimKey claims an idempotency key for a request whose body hashes to
// hash. It returns the stored response when the key was used before with
// the same body; (nil, nil) when the caller now owns the key and must call
// CompleteKey or ReleaseKey. Errors: Invalid (same key, other body),
// ErrKeyInFlight.
func (s *Store) ClaimKey(ctx context.Context, scope, key, hash string) (*StoredResponse, error) {
	now := s.stamp()
	var out *StoredResponse
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// Old keys go first so the table does not grow without bound.
		if err := tx.Where("created_at < ?", now.Add(-KeyTTL)).Delete(&idempotencyRow{}).Error; err != nil {
			return err
		}
		row := idempotencyRow{Scope: scope, Key: key, RequestHash: hash, CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return nil // ours now
		}
		var prev idempotencyRow
		if err := tx.Where("scope = ? AND key = ?", scope, key).Take(&prev).Error; err != nil {
			return err
		}
		switch {
		case prev.RequestHash != hash:
			return models.FieldErrors{{Field: "Idempotency-Key", Message: "was already used with a different body: use a new key for a new request"}}.Err("the Idempotency-Key does not match this request")
		case prev.Status != 0:
			out = &StoredResponse{Status: prev.Status, ContentType: prev.ContentType, Location: prev.Location, Body: prev.Body}
			return nil
		case prev.CreatedAt.Before(now.Add(-abandonAfter)):
			return tx.Model(&prev).Where("scope = ? AND key = ?", scope, key).Update("created_at", now).Error
		}
		return ErrKeyInFlight
	})
	if err != nil && !errors.Is(err, ErrKeyInFlight) {
		return nil, translate(err, "idempotency key")
	}
	return out, err
}

// CompleteKey stores the response given for a claimed key.
func (s *Store) CompleteKey(ctx context.Context, scope, key string, r StoredResponse) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&idempotencyRow{}).Where("scope = ? AND key = ?", scope, key).
			Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "location": r.Location, "body": r.Body}).Error
	})
}

// ReleaseKey forgets a claimed key whose request failed: error answers are
// not stored, so the client may retry with the same key.
func (s *Store) ReleaseKey(ctx context.Context, scope, key string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("scope = ? AND key = ? AND status = 0", scope, key).Delete(&idempotencyRow{}).Error
	})
}
