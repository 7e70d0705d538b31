-- +goose Up
-- Accounts (api.md §9). A name is never reused, even after removal: it is
-- what recorded_by, technician and the audit log hold, so a new person under
-- an old name would inherit someone else's history.
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('evaluator', 'technician', 'admin')),
    password_hash TEXT,            -- argon2id PHC string; NULL: API tokens only
    created_at    TIMESTAMP NOT NULL,
    removed_at    TIMESTAMP
);

-- API tokens are 256 random bits; only their SHA-256 is kept.
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Login sessions, in the database so that any instance can serve any user.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Failed logins by "account:NAME" and "addr:IP", for the rate limit; in the
-- database so that several instances count together.
CREATE TABLE login_failures (
    id  TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- Every write and audited action: who, when, what. Append-only; the
-- autoincrement id orders entries as they were written.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TIMESTAMP NOT NULL,
    account    TEXT NOT NULL,
    role       TEXT NOT NULL,
    request_id TEXT NOT NULL,
    method     TEXT NOT NULL,
    route      TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',
    address    TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE accounts;
