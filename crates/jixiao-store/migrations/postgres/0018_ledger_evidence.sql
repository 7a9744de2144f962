-- Evidence of an application for bonus points (创新创优申报) that a unit files: the office reads
-- it before deciding. Kept in the database so that every server instance sees it.
CREATE TABLE ledger_evidence (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    entry_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX ledger_evidence_entry ON ledger_evidence (cycle_id, entry_id);
