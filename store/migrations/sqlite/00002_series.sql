-- +goose Up
-- Time series of battery and temperature runs (api.md §4). Same design as
-- the PostgreSQL migration, which explains it: one series row per upload
-- (replacements add a row at the run's new revision, earlier ones stay
-- readable), one row per sample with the kind's value columns in canonical
-- order as v1..v4 (NULL when absent).
CREATE TABLE series (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs(id),
    revision    INTEGER NOT NULL,
    columns     TEXT NOT NULL,
    n_samples   INTEGER NOT NULL,
    n_overview  INTEGER NOT NULL,
    first_t_s   REAL,
    last_t_s    REAL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    reason      TEXT NOT NULL,
    UNIQUE (run_id, revision)
);

-- WITHOUT ROWID: the table is its primary-key B-tree, so a sample is
-- written once (a rowid table would write the row and then again into a
-- separate (series_id, idx) index), and rows of one series sit together in
-- idx order, which is t_s order. No foreign key to series: with
-- foreign_keys on it would cost a parent lookup per inserted sample; only
-- the store writes samples, in the same transaction as their series row.
CREATE TABLE samples (
    series_id INTEGER NOT NULL,
    idx       INTEGER NOT NULL,
    t_s       REAL NOT NULL,
    v1        REAL,
    v2        REAL,
    v3        REAL,
    v4        REAL,
    PRIMARY KEY (series_id, idx)
) WITHOUT ROWID;

-- The bounded overview chart requests read (at most 131,072 samples per
-- series, LTTB-picked at ingest); see the PostgreSQL migration.
CREATE TABLE series_overview (
    series_id INTEGER NOT NULL,
    idx       INTEGER NOT NULL,
    t_s       REAL NOT NULL,
    v1        REAL,
    v2        REAL,
    v3        REAL,
    v4        REAL,
    PRIMARY KEY (series_id, idx)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE series_overview;
DROP TABLE samples;
DROP TABLE series;
