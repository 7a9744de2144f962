-- 退单率: each return counts against the unit that made it. A case keeps the units that returned
-- it (JSON array, oldest first; NULL when it was never returned by a known unit), and the rollups
-- a counter of returns per returning unit × month × category, kept by the same transaction as the
-- event and rebuilt from the cases' rows (the packs hold one unit per case, so a rebuild from the
-- packs reads the few returned cases through the partial index below).
ALTER TABLE hotline_cases ADD COLUMN returned_by TEXT;
ALTER TABLE hotline_rollups ADD COLUMN returned BIGINT NOT NULL DEFAULT 0;
CREATE INDEX hotline_cases_returned ON hotline_cases (id) WHERE returned_by IS NOT NULL;
