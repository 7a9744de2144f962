-- Files of a hotline case: photos a handler takes when handling it (办理照片) and evidence a
-- street files with its application to leave the case out of its rates (佐证材料). Kept in the
-- database so that every server instance sees them; each upload is an audit entry.
CREATE TABLE hotline_case_files (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX hotline_case_files_case ON hotline_case_files (case_id);
