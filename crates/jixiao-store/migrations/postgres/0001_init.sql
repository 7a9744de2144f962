-- jixiao schema, version 1 (PostgreSQL). Never edit a released migration; add a new one.
CREATE TABLE cycles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    framework TEXT NOT NULL,      -- the validated framework as JSON
    source TEXT NOT NULL,         -- the canonical TOML task book
    updated_at TEXT NOT NULL
);
CREATE TABLE units (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    ranked BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
CREATE TABLE periods (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    deadline TEXT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
CREATE TABLE nodes (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    is_task BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
CREATE TABLE task_values (
    cycle_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    period_id TEXT NOT NULL,
    number DOUBLE PRECISION,
    grade TEXT,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    reopened BIGINT NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, task_id, unit_id, period_id),
    FOREIGN KEY (cycle_id, task_id) REFERENCES nodes(cycle_id, id),
    FOREIGN KEY (cycle_id, unit_id) REFERENCES units(cycle_id, id),
    FOREIGN KEY (cycle_id, period_id) REFERENCES periods(cycle_id, id)
);
CREATE TABLE ledger_entries (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL,
    entry_date TEXT,
    PRIMARY KEY (cycle_id, id),
    FOREIGN KEY (cycle_id, unit_id) REFERENCES units(cycle_id, id)
);
CREATE TABLE score_runs (
    id BIGSERIAL PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
