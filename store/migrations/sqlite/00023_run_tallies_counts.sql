-- +goose Up
-- Issue #18: the dashboard and the handset page count active runs per unit
-- and kind by summing run_tallies.n (store/pages_reads.go RunCounts, and
-- the runs tables' totals). A summary row carries its 50 latest run ids,
-- so summing from the table read every one of them (3,000 at 100,000
-- runs, 11 ms of the dashboard's 16 on SQLite); this index holds what the
-- sum needs and nothing else.
CREATE INDEX run_tallies_counts ON run_tallies (handset_id, unit_id, kind, n);

-- +goose Down
DROP INDEX run_tallies_counts;
