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
-- column the file lacks is simply left out of the COPY column list. Column
-- order avoids alignment padding: 8 + 4 + 1 (+3) then 8-byte doubles.
--
-- The primary key (series_id, idx) is the read path: idx is the sample's
-- position, and since t_s strictly increases within a series, ORDER BY idx
-- is ORDER BY t_s, served straight from the index. There is deliberately no
-- foreign key to series: it would fire a trigger per copied row (a lookup
-- into series for each of a million samples); samples are only ever written
-- by the store in the same transaction as their series row.
--
-- overview marks about 1 sample in 16, chosen by LTTB per ingest batch; the
-- partial index lets a chart request (max_points) read ~6 % of the rows.
CREATE TABLE samples (
    series_id BIGINT NOT NULL,
    idx       INTEGER NOT NULL,
    overview  BOOLEAN NOT NULL DEFAULT FALSE,
    t_s       DOUBLE PRECISION NOT NULL,
    v1        DOUBLE PRECISION,
    v2        DOUBLE PRECISION,
    v3        DOUBLE PRECISION,
    v4        DOUBLE PRECISION,
    PRIMARY KEY (series_id, idx)
);
CREATE INDEX samples_overview ON samples (series_id, idx) WHERE overview;

-- +goose Down
DROP TABLE samples;
DROP TABLE series;
