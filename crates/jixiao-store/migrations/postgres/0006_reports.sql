-- Report narratives written by units and the publication of cycles (same on both backends).
CREATE TABLE narratives (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, unit_id, section)
);
-- A row means the cycle's results are public; withdrawing deletes it (the audit log keeps both).
CREATE TABLE publications (
    cycle_id TEXT PRIMARY KEY REFERENCES cycles(id) ON DELETE CASCADE,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);
