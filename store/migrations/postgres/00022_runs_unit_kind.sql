-- +goose Up
-- Issue #18: the API compare and the matrix list each unit's latest 50
-- active runs of a kind (store/evidence_window.go), read backwards on this
-- index per unit. No id column: see 00010 (the foreign-key checks of
-- `id = $1` must not pick it); an incremental sort orders the few runs
-- sharing a start time. Queries spell status = 'active' as a literal, to
-- match the WHERE.
CREATE INDEX runs_unit_kind ON runs (unit_id, kind, started_at) WHERE status = 'active';

-- +goose Down
DROP INDEX runs_unit_kind;
