-- The id a 12345 platform gives an event it posts: the same event posted twice is recorded once.
-- Unique per case (a case's events are read together; the platform's ids are checked there).
ALTER TABLE hotline_events ADD COLUMN event_id TEXT;
