-- A street's application to leave a case out of its rates (不计入考核申请): the reason and what
-- supports it, who asked and when; the centre's decision (approved 1, refused 0, pending NULL).
-- One per case: a refused one may be asked again, replacing it.
CREATE TABLE hotline_exclusion_requests (
    case_id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    approved BIGINT
);
CREATE INDEX hotline_exclusion_requests_pending ON hotline_exclusion_requests (requested_at) WHERE decided_at IS NULL;
