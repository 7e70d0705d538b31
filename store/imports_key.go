package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ruggedlab/models"
)

// ImportKey makes an import idempotent (api.md §1, §11). An upload streams,
// so its hash is known only once it has been read. A key already answered
// is checked first: the body is then only hashed, and the stored answer
// replayed (or 422 for another body). Otherwise the key is claimed at the
// end, in the import's own transaction, with the answer to replay; twins
// sent at once serialise on the key's primary key, and the one that loses
// is rolled back and replays the winner's answer.
//
// Hash may be called twice (the body is read whole by the first call).
type ImportKey struct {
	Scope, Key string
	// Hash reads the rest of the body and returns the request's hash; its
	// error is the body's (413, a broken upload).
	Hash func() (string, error)
	// Answer is the response stored for a created import.
	Answer func(models.Import) StoredResponse
}

// ReplayError means an earlier request with the same key and body created
// the import; Response is its answer. Nothing was written this time.
type ReplayError struct{ Response StoredResponse }

func (e *ReplayError) Error() string {
	return "an earlier request with this Idempotency-Key was answered"
}

// replayImportKey answers a retry before anything is read into the
// database: a units file sent again would otherwise fail on its own
// serials. It returns nil when the key is unused (or expired, or held by a
// request in flight), else *ReplayError or Invalid (same key, other body).
func (s *Store) replayImportKey(ctx context.Context, k ImportKey) error {
	var prev []idempotencyRow
	err := s.db.WithContext(ctx).Where("scope = ? AND key = ? AND status <> 0 AND created_at >= ?", k.Scope, k.Key, s.stamp().Add(-KeyTTL)).
		Limit(1).Find(&prev).Error
	if err != nil || len(prev) == 0 {
		return err
	}
	hash, err := k.Hash()
	if err != nil {
		return err
	}
	return k.compare(prev[0], hash)
}

func (k ImportKey) compare(prev idempotencyRow, hash string) error {
	switch {
	case prev.RequestHash != hash:
		return models.FieldErrors{{Field: "Idempotency-Key", Message: "was already used with a different body: use a new key for a new request"}}.Err("the Idempotency-Key does not match this request")
	case prev.Status == 0:
		return ErrKeyInFlight
	}
	return &ReplayError{Response: StoredResponse{Status: prev.Status, ContentType: prev.ContentType, Location: prev.Location, Body: prev.Body}}
}

// keepImportKey stores k with the import's answer, or returns why it cannot:
// *ReplayError, Invalid (same key, other body), ErrKeyInFlight.
func (s *Store) keepImportKey(tx *gorm.DB, k ImportKey, imp models.Import) error {
	hash, err := k.Hash()
	if err != nil {
		return err
	}
	now := s.stamp()
	// An expired key is as good as none (ClaimKey purges them too).
	if err := tx.Where("scope = ? AND key = ? AND created_at < ?", k.Scope, k.Key, now.Add(-KeyTTL)).Delete(&idempotencyRow{}).Error; err != nil {
		return err
	}
	a := k.Answer(imp)
	row := idempotencyRow{Scope: k.Scope, Key: k.Key, RequestHash: hash, Status: a.Status, ContentType: a.ContentType,
		Location: a.Location, Body: a.Body, CreatedAt: now}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var prev idempotencyRow
	if err := tx.Where("scope = ? AND key = ?", k.Scope, k.Key).Take(&prev).Error; err != nil {
		return err
	}
	return k.compare(prev, hash)
}
