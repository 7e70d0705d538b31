-- +goose Up
-- Time series of battery and temperature runs (api.md §4).
--
-- One series row per upload: the first upload attaches it at the run's
-- current revision; a replacement (?replace=true&reason=…) bumps the run to
-- a new revision and adds a new series row, so every earlier series stays
-- readable with GET …/series?revision=N (ISO/IEC 17025 §7.5.2: records are
-- never overwritten). columns lists the series' columns, t_s first, comma
-- separated in the kind's canonical order.
CREATE TABLE series (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs(id),
    revision    INTEGER NOT NULL,
    columns     TEXT NOT NULL,
    n_samples   INTEGER NOT NULL,
    n_overview  INTEGER NOT NULL,
    first_t_s   DOUBLE PRECISION,
    last_t_s    DOUBLE PRECISION,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    reason      TEXT NOT NULL,
    UNIQUE (run_id, revision)
);

-- One row per sample, one generic table for both kinds: v1..v4 are the
-- kind's value columns in canonical order (battery: soc_pct, voltage_v,
-- current_ma, temp_c; temperature: setpoint_c, air_c, device_c, v4 unused),
-- NULL when the series lacks that column. Chosen for COPY speed: fixed-width
-- float8 needs no parsing on the server in binary COPY, a row per sample
-- (not per value) means one tuple header per sample instead of four, and a
-- column the file lacks is simply left out of the COPY column list.
--
-- The primary key (series_id, idx) is the read path: idx is the sample's
-- position, and since t_s strictly increases within a series, ORDER BY idx
-- is ORDER BY t_s, served straight from the index. There is deliberately no
-- foreign key to series: it would fire a trigger per copied row (a lookup
-- into series for each of a million samples); samples are only ever written
-- by the store in the same transaction as their series row.
CREATE TABLE samples (
    series_id BIGINT NOT NULL,
    idx       INTEGER NOT NULL,
    t_s       DOUBLE PRECISION NOT NULL,
    v1        DOUBLE PRECISION,
    v2        DOUBLE PRECISION,
    v3        DOUBLE PRECISION,
    v4        DOUBLE PRECISION,
    PRIMARY KEY (series_id, idx)
);

-- A bounded overview of each series, written at the end of the same
-- transaction: LTTB picks ~1 sample in 16 of each ingest batch, halving
-- the overview whenever it reaches 131,072 samples, so it holds at most
-- that many whole rows however long the series. A chart request
-- (max_points) reduces these instead of reading the whole series. A table
-- of its own, because flagged rows scattered through samples cost a read of
-- nearly every page of the series (measured: a bitmap heap scan of all 10k
-- pages of a 1 M-sample series plus an on-disk sort).
CREATE TABLE series_overview (
    series_id BIGINT NOT NULL,
    idx       INTEGER NOT NULL,
    t_s       DOUBLE PRECISION NOT NULL,
    v1        DOUBLE PRECISION,
    v2        DOUBLE PRECISION,
    v3        DOUBLE PRECISION,
    v4        DOUBLE PRECISION,
    PRIMARY KEY (series_id, idx)
);

-- +goose Down
DROP TABLE series_overview;
DROP TABLE samples;
DROP TABLE series;
