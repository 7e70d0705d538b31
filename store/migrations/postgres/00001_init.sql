-- +goose Up
-- Times are TIMESTAMPTZ (microseconds), stored in UTC.
CREATE TABLE handsets (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    manufacturer TEXT NOT NULL,
    form_factor  TEXT NOT NULL,
    declared     TEXT NOT NULL DEFAULT '{}',
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    handset_id  TEXT NOT NULL REFERENCES handsets(id),
    serial      TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (handset_id, serial)
);

-- One wide table for the four kinds: statistics filter and aggregate on
-- kind fields in SQL, and a run's fields are few enough to stay readable.
CREATE TABLE runs (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    handset_id         TEXT NOT NULL REFERENCES handsets(id),
    unit_id            TEXT NOT NULL REFERENCES units(id),
    method             TEXT NOT NULL,
    started_at         TIMESTAMPTZ NOT NULL,
    ended_at           TIMESTAMPTZ NOT NULL,
    technician         TEXT NOT NULL DEFAULT '',
    deviations         TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    height_m           DOUBLE PRECISION,
    surface            TEXT,
    protective_case    BOOLEAN,
    planned_drops      INTEGER,
    drops_completed    INTEGER,
    first_failure_drop INTEGER,
    worst_severity     INTEGER,
    drops              TEXT,
    procedure          TEXT,
    setpoint_c         DOUBLE PRECISION,
    low_c              DOUBLE PRECISION,
    high_c             DOUBLE PRECISION,
    cycles             INTEGER,
    dwell_min          DOUBLE PRECISION,
    passed             BOOLEAN,
    shutdown_observed  BOOLEAN,
    shutdown_temp_c    DOUBLE PRECISION,
    ip_code            TEXT,
    medium             TEXT,
    depth_m            DOUBLE PRECISION,
    duration_min       DOUBLE PRECISION,
    ingress_found      BOOLEAN,
    functional_after   BOOLEAN,
    protocol           TEXT,
    runtime_h          DOUBLE PRECISION,
    start_soc_pct      DOUBLE PRECISION,
    end_soc_pct        DOUBLE PRECISION,
    brightness_nits    DOUBLE PRECISION,
    ambient_c          DOUBLE PRECISION,
    energy_wh          DOUBLE PRECISION,
    time_to_20pct_h    DOUBLE PRECISION,
    mean_power_w       DOUBLE PRECISION,
    has_series         BOOLEAN NOT NULL DEFAULT FALSE,
    revision           INTEGER NOT NULL,
    status             TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX runs_started ON runs (started_at DESC, id DESC);
CREATE INDEX runs_unit ON runs (unit_id, started_at);
CREATE INDEX runs_kind_handset ON runs (kind, handset_id);

-- Append-only history (ISO/IEC 17025 §7.5.2): revision 1 is the creation.
CREATE TABLE run_revisions (
    run_id      TEXT NOT NULL REFERENCES runs(id),
    revision    INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    reason      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    PRIMARY KEY (run_id, revision)
);

-- Idempotency keys live in the database so that several instances share them.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE run_revisions;
DROP TABLE runs;
DROP TABLE units;
DROP TABLE handsets;
