-- Evidence files attached to a value (PostgreSQL). Kept in the database so that every server
-- instance sees them.
CREATE TABLE evidence_files (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    period_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX evidence_by_value ON evidence_files (cycle_id, unit_id, task_id, period_id);
