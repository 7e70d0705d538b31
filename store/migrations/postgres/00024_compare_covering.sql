-- +goose Up
-- Issue #18: the drop compare (store/evidence_compare.go) folds each unit's
-- summary rows: 3,100 at 100,000 runs, each carrying its 50 latest ids.
-- This index holds what the fold and its exact filters (height, surface)
-- read, for an index-only scan that never visits the rows.
CREATE INDEX run_tallies_drop ON run_tallies (kind, unit_id, handset_id)
    INCLUDE (height_m, surface, first_failure_drop, planned_drops, drops_completed, n);

-- +goose Down
DROP INDEX run_tallies_drop;
