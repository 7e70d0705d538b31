-- +goose Up
-- Issue #13: field-trial incidents are reviewed by a second person like
-- runs (models.Review). An incident has one revision (it is never amended,
-- only retracted), so a rejected incident is retracted and recorded anew.
-- A profile requiring verified evidence counts verified incidents only.
ALTER TABLE trial_incidents ADD COLUMN review_state TEXT NOT NULL DEFAULT 'recorded';
ALTER TABLE trial_incidents ADD COLUMN review_by TEXT NOT NULL DEFAULT '';
ALTER TABLE trial_incidents ADD COLUMN review_at TIMESTAMPTZ NULL;
ALTER TABLE trial_incidents ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX trial_incidents_review ON trial_incidents (review_state, recorded_at);

-- +goose Down
DROP INDEX trial_incidents_review;
ALTER TABLE trial_incidents DROP COLUMN review_reason;
ALTER TABLE trial_incidents DROP COLUMN review_at;
ALTER TABLE trial_incidents DROP COLUMN review_by;
ALTER TABLE trial_incidents DROP COLUMN review_state;
