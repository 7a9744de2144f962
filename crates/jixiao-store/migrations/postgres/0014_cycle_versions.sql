-- A cycle's data version: every transaction that writes its task book, values or ledger sets
-- it to the hash of its last audit entry (unique across databases and histories), so a server
-- can keep a cycle's scores until the version changes, and several instances on one database
-- see each other's writes. No row: never written since this migration (nothing is cached).
CREATE TABLE cycle_versions (
    cycle_id TEXT PRIMARY KEY,
    version TEXT NOT NULL
);
