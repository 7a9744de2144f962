-- Cases per month × district × grid cell × category, kept in step with the cases in the same
-- transaction (imports, events, Open311 submissions), so the dashboard's busiest grid cells and
-- repeat complaints (同一网格同类诉求) are read from here instead of grouping a month's cases.
-- Only cases with a district and a grid cell are counted. Filled here from the stored cases.
CREATE TABLE hotline_place_rollups (
    month TEXT NOT NULL,
    district TEXT NOT NULL,
    grid TEXT NOT NULL,
    category TEXT NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (month, district, grid, category)
);
INSERT INTO hotline_place_rollups (month, district, grid, category, cases)
SELECT month, district, grid, category, COUNT(*) FROM hotline_cases
WHERE district IS NOT NULL AND grid IS NOT NULL
GROUP BY month, district, grid, category;
-- A grid cell's cases newest first (a grid worker's list, a repeat complaint's cases).
CREATE INDEX hotline_cases_grid ON hotline_cases (grid, received_at);
-- The case list finds a month's cases by received time (a month is a range of it in the rules'
-- time zone), and the dashboard reads months from the rollups: nothing looks cases up by month
-- and category any more, and each index costs every import.
DROP INDEX hotline_cases_month_category;
-- Versions of data that is not a cycle's: scope `hotline` changes in the transaction of every
-- write to the hotline's cases, counters, geography or catalogue, so servers keep the
-- dashboard's read models until it changes (like cycle_versions for scores).
CREATE TABLE data_versions (
    scope TEXT PRIMARY KEY,
    version TEXT NOT NULL
);
