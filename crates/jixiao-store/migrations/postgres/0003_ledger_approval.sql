-- Ledger entries proposed on the web wait for the office's approval (PostgreSQL).
ALTER TABLE ledger_entries ADD COLUMN status TEXT NOT NULL DEFAULT 'approved';   -- pending | approved | rejected
ALTER TABLE ledger_entries ADD COLUMN proposed_by TEXT NOT NULL DEFAULT '';
