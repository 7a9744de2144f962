-- Each publication of a cycle is a frozen version: the snapshot of everything it was computed
-- from and everything it showed (a JSON bundle, see jixiao-app's reports::publication), its
-- SHA-256, and the audit log's head at that moment. Versions after the first are corrections
-- (更正公告) with the office's reason. The public pages serve the newest version of a cycle that
-- is published (a row in `publications`); every version stays listed. A period's ranking
-- (季度排名) is published the same way, versioned on its own, public once published.
CREATE TABLE publication_versions (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    -- '' for the year's results; a period id for that period's ranking (季度排名).
    period TEXT NOT NULL,
    version BIGINT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    reason TEXT,
    sha256 TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    audit_hash TEXT NOT NULL,
    bundle TEXT NOT NULL,
    PRIMARY KEY (cycle_id, period, version)
);
