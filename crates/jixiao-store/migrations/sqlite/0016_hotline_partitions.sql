-- PostgreSQL partitions hotline cases and events by month (see its 0016); SQLite keeps one
-- table of each. Both give an event the month of its case, so the two schemas stay one.
ALTER TABLE hotline_events ADD COLUMN month TEXT NOT NULL DEFAULT '';
UPDATE hotline_events SET month = COALESCE((SELECT c.month FROM hotline_cases c WHERE c.id = hotline_events.case_id), '');
