-- +goose Up
-- Issue #18: on PostgreSQL an index that holds a column an UPDATE changes
-- makes every update of the row a new tuple in every index (no HOT
-- update). run_tallies_counts (00023) and run_tallies_drop (00024) hold n,
-- which every write that moves a run changes, in two rows per amendment;
-- and PostgreSQL reads neither: the summary rows change too often for the
-- visibility map to allow index-only scans, and the fold and the counts
-- read all of a kind's rows, which the planner does by a sequential scan.
-- Without them the amendment's updates touch no index (the primary key
-- and (kind, handset_id) do not change), and a fill factor leaves room on
-- each page for the new versions.
DROP INDEX run_tallies_counts;
DROP INDEX run_tallies_drop;
ALTER TABLE run_tallies SET (fillfactor = 70);

-- +goose Down
ALTER TABLE run_tallies RESET (fillfactor);
CREATE INDEX run_tallies_drop ON run_tallies (kind, unit_id, handset_id)
    INCLUDE (height_m, surface, first_failure_drop, planned_drops, drops_completed, n);
CREATE INDEX run_tallies_counts ON run_tallies (handset_id, unit_id, kind, n);
