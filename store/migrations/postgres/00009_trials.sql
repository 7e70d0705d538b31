-- +goose Up
-- Field pilots (issue #14). Dates of the trial, assignments and incidents
-- are calendar days written YYYY-MM-DD, so text order is date order.
-- Carriers and respondents are pseudonyms: no personal data.
CREATE TABLE trials (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    site        TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    CHECK (end_date >= start_date)
);

CREATE TABLE trial_assignments (
    id         TEXT PRIMARY KEY,
    trial_id   TEXT NOT NULL REFERENCES trials(id),
    unit_id    TEXT NOT NULL REFERENCES units(id),
    handset_id TEXT NOT NULL REFERENCES handsets(id),
    carrier    TEXT NOT NULL CHECK (carrier NOT LIKE '%@%'),
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    position   INTEGER NOT NULL
);
CREATE INDEX trial_assignments_unit ON trial_assignments (unit_id, from_date);

CREATE TABLE trial_incidents (
    id                TEXT PRIMARY KEY,
    trial_id          TEXT NOT NULL REFERENCES trials(id),
    unit_id           TEXT NOT NULL REFERENCES units(id),
    handset_id        TEXT NOT NULL REFERENCES handsets(id),
    occurred_on       TEXT NOT NULL,
    category          TEXT NOT NULL,
    severity          INTEGER NOT NULL,
    out_of_service_h  REAL NOT NULL DEFAULT 0,
    outcome           TEXT NOT NULL,
    notes             TEXT NOT NULL DEFAULT '',
    retracted_at      TIMESTAMPTZ,
    retraction_reason TEXT,
    recorded_by       TEXT NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_incidents_trial ON trial_incidents (trial_id, handset_id);

CREATE TABLE trial_shifts (
    id                TEXT PRIMARY KEY,
    trial_id          TEXT NOT NULL REFERENCES trials(id),
    unit_id           TEXT NOT NULL REFERENCES units(id),
    handset_id        TEXT NOT NULL REFERENCES handsets(id),
    started_at        TIMESTAMPTZ NOT NULL,
    length_h          REAL NOT NULL,
    battery_start_pct REAL,
    battery_end_pct   REAL,
    charged           BOOLEAN NOT NULL,
    lasted_shift      BOOLEAN NOT NULL,
    recorded_by       TEXT NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX trial_shifts_trial ON trial_shifts (trial_id, handset_id, unit_id);

CREATE TABLE trial_questionnaires (
    id          TEXT PRIMARY KEY,
    trial_id    TEXT NOT NULL REFERENCES trials(id),
    handset_id  TEXT NOT NULL REFERENCES handsets(id),
    respondent  TEXT NOT NULL,
    answers     TEXT NOT NULL,
    custom      TEXT NOT NULL DEFAULT '{}',
    score       REAL NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (trial_id, handset_id, respondent)
);

-- +goose Down
DROP TABLE trial_questionnaires;
DROP TABLE trial_shifts;
DROP TABLE trial_incidents;
DROP TABLE trial_assignments;
DROP TABLE trials;
