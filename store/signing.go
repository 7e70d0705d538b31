package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type signingKeyRow struct {
	ID         string
	PublicKey  []byte
	PrivateKey []byte
	CreatedAt  time.Time
}

func (signingKeyRow) TableName() string { return "signing_keys" }

// instanceKeyID names the one instance key (the table can hold rotated
// keys later).
const instanceKeyID = "instance"

// SigningKey returns the instance's Ed25519 key that signs evidence packs,
// making it on first use (serve calls it at start). Two instances starting
// at once on one database agree: the first insert wins, the other reads it.
func (s *Store) SigningKey(ctx context.Context) (ed25519.PrivateKey, error) {
	var row signingKeyRow
	err := s.db.WithContext(ctx).Where("id = ?", instanceKeyID).Take(&row).Error
	if err == gorm.ErrRecordNotFound {
		pub, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		row = signingKeyRow{ID: instanceKeyID, PublicKey: pub, PrivateKey: priv.Seed(), CreatedAt: s.stamp()}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return nil, translate(err, "signing key")
		}
		err = s.db.WithContext(ctx).Where("id = ?", instanceKeyID).Take(&row).Error
	}
	if err != nil {
		return nil, translate(err, "signing key")
	}
	return ed25519.NewKeyFromSeed(row.PrivateKey), nil
}
