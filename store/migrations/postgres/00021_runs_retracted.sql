-- +goose Up
-- Issue #18: the dashboard and the handset page count active runs from the
-- per-unit summaries (run_tallies) and retracted runs — few — from runs.
-- Without an index on status that count read every run (0.1 s at 100,000
-- runs); this partial index holds the retracted runs only, so it costs what
-- the retractions do. Queries must spell status = 'retracted' as a literal
-- for the planners to match the index's WHERE (store/pages_reads.go).
CREATE INDEX runs_retracted ON runs (handset_id, unit_id, kind) WHERE status = 'retracted';

-- A runs list of one kind, newest first (GET /api/v1/runs?kind=drop, the
-- load bench's first read): SQLite found the kind's runs on
-- runs_kind_handset and sorted all 100,000 of them for each page of 50
-- (seconds under 20 clients); this index is in the list's order. No id
-- column: see 00010 (the foreign-key checks of `id = $1` must not pick it);
-- ties are sorted after.
CREATE INDEX runs_kind_started ON runs (kind, started_at DESC);

-- +goose Down
DROP INDEX runs_kind_started;
DROP INDEX runs_retracted;
