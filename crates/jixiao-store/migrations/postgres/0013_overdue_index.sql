-- Overdue cases (open, not handled, past the completion deadline) found from their deadline,
-- citywide or in one district, instead of walking every case by received time: the dashboard's
-- overdue panel and the overdue case list. Partial: only open, unhandled cases are in it, so
-- it stays small however many cases the years hold.
CREATE INDEX hotline_cases_overdue ON hotline_cases (completion_due) WHERE stage <> 'closed' AND handled_at IS NULL;
CREATE INDEX hotline_cases_overdue_district ON hotline_cases (district, completion_due) WHERE stage <> 'closed' AND handled_at IS NULL;
