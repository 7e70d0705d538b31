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
		stored, _, err := s.lockRun(tx, id)
		if err != nil {
			return err
		}
		cur := stored.model()
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
		tc.locked = true         // by lockRun
		res := tx.Model(&runRow{}).Where("id = ? AND revision = ? AND review_state = ?", id, cur.Revision, string(models.Recorded)).
			Updates(map[string]any{"review_state": string(rv.State), "review_by": rv.By, "review_at": *rv.At, "review_reason": rv.Reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.Errorf(models.Conflict, "run %s changed meanwhile: reload it", id)
		}
		if stored.Status == string(models.Active) {
			now := stored
			now.ReviewState = string(rv.State)
			tc.queue(stored, -1)
			tc.queue(now, +1)
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

// ReviewIncident records a second person's decision on a field-trial
// incident (models.ReviewDecision.ApplyIncident) with its audit entry.
// Errors: Invalid, NotFound, Forbidden (self-review), Conflict (retracted
// or already reviewed).
func (s *Store) ReviewIncident(ctx context.Context, trial, id string, d models.ReviewDecision, by string) (models.Incident, error) {
	var out models.Incident
	if err := d.ValidateIncident(); err != nil {
		return out, err
	}
	err := s.writeTx(ctx, "review_incident", func(tx *gorm.DB, ch change) error {
		list, err := s.incidents(tx.Where("trial_incidents.trial_id = ? AND trial_incidents.id = ?", trial, id))
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return models.Errorf(models.NotFound, "incident %s not found in trial %s", id, trial)
		}
		next, err := d.ApplyIncident(list[0], by, s.stamp())
		if err != nil {
			return err
		}
		rv := next.Review
		// The guard makes two reviewers racing for one incident a conflict
		// for the second, not a silent overwrite.
		res := tx.Model(&incidentRow{}).Where("id = ? AND review_state = ? AND retracted_at IS NULL", id, string(models.Recorded)).
			Updates(map[string]any{"review_state": string(rv.State), "review_by": rv.By, "review_at": *rv.At, "review_reason": rv.Reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.Errorf(models.Conflict, "incident %s changed meanwhile: reload it", id)
		}
		out = next
		ch["target"], ch["trial"], ch["decision"] = id, trial, string(rv.State)
		if rv.Reason != "" {
			ch["reason"] = rv.Reason
		}
		return nil
	})
	if err != nil {
		return out, translate(err, "incident "+id)
	}
	return out, nil
}

// IncidentQueue lists active field-trial incidents awaiting review, oldest
// recorded first, with how many wait. Rejected incidents are not listed:
// they are never amended, so they wait for a retraction, not a review.
func (s *Store) IncidentQueue(ctx context.Context, limit int) ([]models.Incident, int64, error) {
	db := s.db.WithContext(ctx)
	pending := "trial_incidents.review_state = ? AND trial_incidents.retracted_at IS NULL"
	var total int64
	if err := db.Model(&incidentRow{}).Where(pending, string(models.Recorded)).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "review queue")
	}
	list, err := s.incidents(db.Where(pending, string(models.Recorded)).
		Order("trial_incidents.recorded_at, trial_incidents.id").Limit(limit))
	return list, total, err
}
