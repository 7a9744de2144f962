-- The id a 12345 platform gives an event it posts: the same event posted twice is recorded once.
-- Unique per case (a case's events are read together; the platform's ids are checked there).
ALTER TABLE hotline_events ADD COLUMN event_id TEXT;

-- The work queues read only the cases waiting, never the millions closed: a unit's open cases
-- (and, under unit NULL, those waiting for dispatch) by deadline, and the handled ones waiting
-- for the callback. Both hold open cases only, so they stay small and cheap to keep.
CREATE INDEX hotline_cases_open_by_unit ON hotline_cases (unit, completion_due) WHERE stage <> 'closed' AND handled_at IS NULL;
CREATE INDEX hotline_cases_to_call_back ON hotline_cases (handled_at) WHERE stage = 'handled';
