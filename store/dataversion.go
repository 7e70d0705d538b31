package store

import (
	"context"

	"gorm.io/gorm"
)

// DataVersion is a number that changes whenever data an answer may be
// computed from changes: every write through writeTx (handsets, units,
// runs, amendments, retractions, imports, profiles, accounts), every audit
// entry recorded on its own (an unmask is one), and every series upload
// (triggers, migration 00012), and every field-trial write (trials with
// their assignments, incidents and their retraction, shifts,
// questionnaires, and their imports; not a dry run): the compare pages and
// the matrix read them. Answers computed at one version may be served
// again, unchanged, while it stays the same (handlers/cache.go).
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw("SELECT n FROM data_version WHERE id = 1").Scan(&n).Error; err != nil {
		return 0, translate(err, "data version")
	}
	return n, nil
}

// bumpVersion raises the data version inside the write's transaction, so
// a reader sees the new version exactly when it sees the new data.
func bumpVersion(tx *gorm.DB) error {
	return tx.Exec("UPDATE data_version SET n = n + 1 WHERE id = 1").Error
}
