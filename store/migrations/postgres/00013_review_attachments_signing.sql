-- +goose Up
-- Issue #13. Second-person review: a run's latest revision is recorded,
-- verified or rejected (models.Review); an amendment sets it back to
-- recorded. Every decision is also an audit entry.
ALTER TABLE runs ADD COLUMN review_state TEXT NOT NULL DEFAULT 'recorded';
ALTER TABLE runs ADD COLUMN review_by TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN review_at TIMESTAMPTZ NULL;
ALTER TABLE runs ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_review_state ON runs (review_state, recorded_at);

-- A profile may require verified evidence ("evidence": "verified").
ALTER TABLE profiles ADD COLUMN evidence TEXT NOT NULL DEFAULT 'any';

-- Attachments: the original bytes, their SHA-256, who/when; never deleted,
-- only retracted with a reason. The thumbnail is made once and cached.
CREATE TABLE attachments (
    id             TEXT PRIMARY KEY,
    run_id         TEXT NOT NULL REFERENCES runs(id),
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content        BYTEA NOT NULL,
    thumbnail      BYTEA NULL,
    status         TEXT NOT NULL DEFAULT 'active',
    recorded_by    TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    retract_reason TEXT NOT NULL DEFAULT '',
    retracted_by   TEXT NOT NULL DEFAULT '',
    retracted_at   TIMESTAMPTZ NULL
);
CREATE INDEX attachments_run ON attachments (run_id, recorded_at);

-- The instance's Ed25519 key that signs evidence packs, made on first start.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    public_key  BYTEA NOT NULL,
    private_key BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE attachments;
ALTER TABLE profiles DROP COLUMN evidence;
DROP INDEX runs_review_state;
ALTER TABLE runs DROP COLUMN review_reason;
ALTER TABLE runs DROP COLUMN review_at;
ALTER TABLE runs DROP COLUMN review_by;
ALTER TABLE runs DROP COLUMN review_state;
