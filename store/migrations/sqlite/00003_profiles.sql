-- +goose Up
-- Requirement profiles (api.md §6). Each version is its own row and is never
-- updated: a change inserts version N+1 under the same id, so a verdict can
-- always be traced to the exact requirements it was judged against.
-- Number 00002 is reserved for the imports/series tables.
CREATE TABLE profiles (
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    name         TEXT NOT NULL,
    requirements TEXT NOT NULL, -- JSON array, as models.Requirement marshals it
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (id, version)
);

-- +goose Down
DROP TABLE profiles;
