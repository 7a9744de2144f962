-- The cases that still hold a requester's contact, oldest closing first: the retention job
-- erases them in bounded batches from this index instead of scanning every case, and an
-- erased case leaves the index.
CREATE INDEX hotline_cases_contact_held ON hotline_cases (closed_at) WHERE contact IS NOT NULL AND closed_at IS NOT NULL;
