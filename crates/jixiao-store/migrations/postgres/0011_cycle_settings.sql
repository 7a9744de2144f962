-- Settings the office changes per cycle without a new task book: what units see of their
-- scores before publication (`unit_visibility`).
CREATE TABLE cycle_settings (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, key)
);
