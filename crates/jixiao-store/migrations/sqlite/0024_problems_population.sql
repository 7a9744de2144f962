-- 每月一题: the month's designated problem (a category, optionally limited to streets), its lead
-- units and action items, kept as the domain's JSON (`body`); the month and category are columns
-- to list and find them.
CREATE TABLE hotline_problems (
    id TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Residents of an area (常住人口), for rates per 10,000 residents; NULL when not known.
ALTER TABLE hotline_areas ADD COLUMN population BIGINT;
