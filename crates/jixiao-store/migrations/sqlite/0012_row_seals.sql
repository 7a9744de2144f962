-- Row seals: each audited row carries `SEQ:MAC`, the audit entry that last wrote it and a MAC
-- of the row's content with that sequence number (HMAC-SHA-256 with the configured audit key,
-- or plain SHA-256 without one), so `audit verify` can compare the data with the log (see
-- src/seals.rs). Rows stored before this migration are sealed right after this script, in the
-- same transaction, by one `audit.seal` entry. Audit entries written with an audit key carry
-- `mac`, an HMAC of their hash, so a chain recomputed with the public algorithm shows.
ALTER TABLE task_values ADD COLUMN seal TEXT;
ALTER TABLE ledger_entries ADD COLUMN seal TEXT;
ALTER TABLE narratives ADD COLUMN seal TEXT;
ALTER TABLE users ADD COLUMN seal TEXT;
ALTER TABLE publications ADD COLUMN seal TEXT;
ALTER TABLE publication_versions ADD COLUMN seal TEXT;
ALTER TABLE hotline_cases ADD COLUMN seal TEXT;
ALTER TABLE hotline_events ADD COLUMN seal TEXT;
ALTER TABLE cycles ADD COLUMN seal TEXT;
ALTER TABLE cycle_settings ADD COLUMN seal TEXT;
ALTER TABLE audit_log ADD COLUMN mac TEXT;
