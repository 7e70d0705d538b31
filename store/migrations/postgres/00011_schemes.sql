-- +goose Up
-- Scoring schemes for the award (issue #12, api.md §6.4). Like profiles,
-- each version is its own row and is never updated; a scheme version is
-- attached to one profile version (profile_version) and holds its
-- criteria, weights, gates and entered values (bid prices) as JSON.
CREATE TABLE schemes (
    profile_id      TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    profile_version INTEGER NOT NULL,
    name            TEXT NOT NULL,
    body            TEXT NOT NULL, -- JSON: criteria, order, gates, entered
    recorded_by     TEXT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (profile_id, version),
    FOREIGN KEY (profile_id, profile_version) REFERENCES profiles (id, version)
);

-- +goose Down
DROP TABLE schemes;
