-- 分级考评: cycles run by an organisation below the city (a district office assessing its
-- streets) and the accounts of such an organisation. NULL is the city's own. A cycle's
-- organisation is also in its framework; the column lets cycles be listed per organisation
-- without reading every framework.
ALTER TABLE cycles ADD COLUMN organisation TEXT;
ALTER TABLE users ADD COLUMN organisation TEXT;
CREATE INDEX cycles_organisation ON cycles (organisation);
-- Task-book drafts the office edits in the browser before issuing them as a cycle's version:
-- the TOML as last saved (valid or not), the organisation that owns the draft, and the cycle
-- it was started from.
CREATE TABLE taskbook_drafts (
    id TEXT PRIMARY KEY,
    organisation TEXT,
    source TEXT NOT NULL,
    started_from TEXT,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    issued_at TEXT
);
