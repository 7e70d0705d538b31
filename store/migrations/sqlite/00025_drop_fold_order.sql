-- +goose Up
-- Issue #18: the drop compare's fold (store/evidence_compare.go) groups a
-- unit's summary rows by their outcome role. With the role computed from
-- 00024's index columns, SQLite sorted the 3,100 entries twice (GROUP BY,
-- then ORDER BY: two temporary B-trees, a fifth of the fold). With the
-- role as the index's fourth term — spelt exactly as the fold spells it
-- (dropRole), which is how SQLite matches an indexed expression — the
-- fold streams in index order. PostgreSQL hashes the groups: no change.
DROP INDEX run_tallies_drop;
CREATE INDEX run_tallies_drop ON run_tallies (kind, unit_id, handset_id,
    (CASE WHEN first_failure_drop IS NOT NULL THEN 0 WHEN planned_drops IS NULL OR coalesce(drops_completed, 0) < planned_drops THEN 1 ELSE 2 END),
    height_m, surface, first_failure_drop, planned_drops, drops_completed, n);

-- +goose Down
DROP INDEX run_tallies_drop;
CREATE INDEX run_tallies_drop ON run_tallies (kind, unit_id, handset_id, height_m, surface, first_failure_drop, planned_drops, drops_completed, n);
