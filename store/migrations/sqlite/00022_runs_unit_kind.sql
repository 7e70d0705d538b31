-- +goose Up
-- Issue #18: the API compare and the matrix list each unit's latest 50
-- active runs of a kind (store/evidence_window.go). runs_unit (unit_id,
-- started_at) leaves the kind, the status and the id ties to read rows
-- for and sort, and SQLite preferred runs_kind_started, walking every
-- unit's runs of the kind for each unit; this index is the read's own
-- order and holds its columns, so a unit costs its 50 index entries.
-- Queries spell status = 'active' as a literal, to match the WHERE.
CREATE INDEX runs_unit_kind ON runs (unit_id, kind, started_at, id) WHERE status = 'active';

-- +goose Down
DROP INDEX runs_unit_kind;
