-- +goose Up
-- Issue #16 item 3: the runs, handset and audit pages are paged, sorted
-- and filtered by the database (store/tables.go). A handset's runs were
-- found through runs_kind_handset only when a kind was given; this index
-- serves "this handset, newest first" and its COUNT at any size. No id
-- column: see PostgreSQL's 00010, kept the same here so that both engines
-- plan alike (ties on started_at are few and sorted after).
CREATE INDEX runs_handset_started ON runs (handset_id, started_at DESC);
-- The audit page filters by account, newest first.
CREATE INDEX audit_log_account ON audit_log (account, id DESC);

-- Issue #16 item 2: an import retracted as a whole says so on the list of
-- imports (the runs' own revisions hold the reason too).
ALTER TABLE imports ADD COLUMN retracted_at TIMESTAMP NULL;
ALTER TABLE imports ADD COLUMN retracted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN retract_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX imports_recorded ON imports (recorded_at DESC, id DESC);

-- +goose Down
DROP INDEX imports_recorded;
ALTER TABLE imports DROP COLUMN retract_reason;
ALTER TABLE imports DROP COLUMN retracted_by;
ALTER TABLE imports DROP COLUMN retracted_at;
DROP INDEX audit_log_account;
DROP INDEX runs_handset_started;
