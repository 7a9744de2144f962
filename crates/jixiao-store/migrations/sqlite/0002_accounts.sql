-- Accounts, sessions, API tokens, login throttling and once-only scheduled jobs (SQLite).
CREATE TABLE users (
    id TEXT PRIMARY KEY,              -- login name
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,      -- argon2id PHC string
    role TEXT NOT NULL,               -- admin | evaluator | reporter
    unit_id TEXT,                     -- the reporting unit of a reporter
    evaluator_id TEXT,                -- the evaluating unit of an evaluator
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,      -- SHA-256 of the cookie value; the value itself is never stored
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE login_attempts (
    attempt_key TEXT NOT NULL,        -- login name and client address
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_by_key ON login_attempts (attempt_key, at);
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,               -- e.g. the period whose deadline passed, or the day
    instance TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (job, slot)           -- the first instance to insert runs the job; others skip
);
