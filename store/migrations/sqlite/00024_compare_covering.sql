-- +goose Up
-- Issue #18: the drop compare (store/evidence_compare.go) folds each unit's
-- summary rows and lists its latest 50 runs. 00022's runs_unit_kind did not
-- answer the list alone: SQLite counts a partial index as covering only
-- when it holds the column of its own WHERE, so each of the 50 entries per
-- unit read its run row for status. And the fold read every summary row
-- (3,100 at 100,000 runs, each carrying its 50 latest ids); this index holds
-- what the fold and its exact filters (height, surface) read, so the rows
-- are never visited.
DROP INDEX runs_unit_kind;
CREATE INDEX runs_unit_kind ON runs (unit_id, kind, started_at, id, status) WHERE status = 'active';
CREATE INDEX run_tallies_drop ON run_tallies (kind, unit_id, handset_id, height_m, surface, first_failure_drop, planned_drops, drops_completed, n);

-- +goose Down
DROP INDEX run_tallies_drop;
DROP INDEX runs_unit_kind;
CREATE INDEX runs_unit_kind ON runs (unit_id, kind, started_at, id) WHERE status = 'active';
