-- +goose Up
-- Issue #18: the API compare and the matrix list each unit's latest 50
-- runs of a kind (store/evidence_window.go). runs_unit (unit_id,
-- started_at) leaves the kind and the id ties to filter and sort, and
-- SQLite preferred runs_kind_started, walking every unit's runs of the
-- kind for each unit; this index is the read's own order, so a unit costs
-- its 50 entries.
CREATE INDEX runs_unit_kind ON runs (unit_id, kind, started_at, id);

-- +goose Down
DROP INDEX runs_unit_kind;
