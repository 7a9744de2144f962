-- Geography versions (a re-division such as Dongcheng's 177 → 168 社区): the first local month
-- (YYYY-MM) an area is in force, and the first month it no longer is (NULL: since always / still).
-- Retired areas stay, so that cases and patrol reports of before keep their cells and ancestry.
ALTER TABLE hotline_areas ADD COLUMN valid_from TEXT;
ALTER TABLE hotline_areas ADD COLUMN valid_until TEXT;
