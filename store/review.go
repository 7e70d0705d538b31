package store

import (
	"context"

	"gorm.io/gorm"

	"ruggedlab/models"
)

// ReviewRun records a second person's decision on the latest revision of
// a run (models.ReviewDecision.Apply, on the run as locked in this
// transaction) with its audit entry. The decision does not make a new
// revision: it is about the revision it names. Errors: Invalid, NotFound,
// Forbidden (self-review), Conflict (stale revision, retracted or already
// reviewed run).
func (s *Store) ReviewRun(ctx context.Context, id string, d models.ReviewDecision, by string) (models.Run, error) {
	var out models.Run
	if err := d.Validate(); err != nil {
		return out, err
	}
	err := s.writeTx(ctx, "review_run", func(tx *gorm.DB, ch change) error {
		if err := s.lockTallies(tx); err != nil {
			return err
		}
		cur, _, err := s.lockRun(tx, id)
		if err != nil {
			return err
		}
		var creator string
		if err := tx.Model(&revisionRow{}).Select("recorded_by").Where("run_id = ? AND revision = 1", id).
			Scan(&creator).Error; err != nil {
			return err
		}
		next, err := d.Apply(cur, creator, by, s.stamp())
		if err != nil {
			return err
		}
		rv := next.Review
		tc := s.newTallyChange() // the run moves to its new review state's group
		if err := tc.collect(tx, []string{id}, -1); err != nil {
			return err
		}
		res := tx.Model(&runRow{}).Where("id = ? AND revision = ? AND review_state = ?", id, cur.Revision, string(models.Recorded)).
			Updates(map[string]any{"review_state": string(rv.State), "review_by": rv.By, "review_at": *rv.At, "review_reason": rv.Reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.Errorf(models.Conflict, "run %s changed meanwhile: reload it", id)
		}
		if err := tc.collect(tx, []string{id}, +1); err != nil {
			return err
		}
		if err := tc.apply(tx); err != nil {
			return err
		}
		out = next
		ch["target"], ch["revision"], ch["decision"] = id, cur.Revision, string(rv.State)
		if rv.Reason != "" {
			ch["reason"] = rv.Reason
		}
		return nil
	})
	if err != nil {
		return out, translate(err, "run "+id)
	}
	return out, nil
}

// ReviewQueue lists active runs whose latest revision awaits review
// (recorded) or an amendment (rejected), oldest recorded_at first.
func (s *Store) ReviewQueue(ctx context.Context, limit int) ([]models.Run, int64, error) {
	states := []string{string(models.Recorded), string(models.Rejected)}
	var total int64
	if err := s.db.WithContext(ctx).Model(&runRow{}).Where("status = ? AND review_state IN ?", string(models.Active), states).
		Count(&total).Error; err != nil {
		return nil, 0, translate(err, "review queue")
	}
	var rows []runRow
	if err := s.runQuery(ctx).Where("runs.status = ? AND runs.review_state IN ?", string(models.Active), states).
		Order("runs.recorded_at, runs.id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "review queue")
	}
	out := make([]models.Run, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, total, nil
}
