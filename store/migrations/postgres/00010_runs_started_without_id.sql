-- +goose Up
-- runs_started was (started_at DESC, id DESC). With id as its second
-- column, the planner may answer `id = $1` with that index: a scan of the
-- whole index with id checked on every entry. It does so whenever it
-- believes runs is empty, and an import makes it believe so: autovacuum
-- running while an import's transaction is open (after a killed import left
-- dead rows, say) cannot count the import's own, still uncommitted rows, so
-- it writes reltuples = 0 with relpages > 0, and every estimate on runs is
-- then 0 rows, every index scan ~8 cost units, and runs_started wins the tie.
-- The foreign-key check of each run_revisions and series row
-- (SELECT 1 FROM ONLY runs x WHERE id = $1 FOR KEY SHARE OF x), replanned
-- on that vacuum's invalidation, then read ~1,150 buffers per row at
-- 100,000 runs instead of 4: minutes per import. Without id in this index,
-- runs_pkey is the only index that can serve `id = $1`. The list order
-- (started_at DESC, id DESC) is kept: an incremental sort orders the few
-- runs sharing a start time.
DROP INDEX runs_started;
CREATE INDEX runs_started ON runs (started_at DESC);

-- +goose Down
DROP INDEX runs_started;
CREATE INDEX runs_started ON runs (started_at DESC, id DESC);
