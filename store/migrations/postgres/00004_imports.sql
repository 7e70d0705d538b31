-- +goose Up
-- One row per committed bulk import (api.md §5), written in the same
-- transaction as the units or runs it created, so it exists exactly when
-- they do. created is the JSON array of their ids in file order: it is only
-- ever read whole, with the import, so a side table would buy nothing.
-- row_count, not rows: ROWS is an SQL keyword on both engines.
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL DEFAULT '',
    row_count   INTEGER NOT NULL,
    created     TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE imports;
