-- Case packs: the fields the hotline counters are computed from, 1,024 cases to a row, so a full
-- rebuild of the counters reads them instead of every wide case row (see src/hotline_pack.rs).
-- A case's place is its seq: pack seq / 1024, slot seq % 1024. Cases stored before this
-- migration are numbered in the order they were stored; the store fills their packs right
-- after this script, in the same transaction.
ALTER TABLE hotline_cases ADD COLUMN seq BIGINT;
UPDATE hotline_cases SET seq = rowid - 1;
CREATE UNIQUE INDEX hotline_cases_seq ON hotline_cases (seq);
CREATE TABLE hotline_case_packs (
    pack BIGINT PRIMARY KEY,
    cases BIGINT NOT NULL,
    data BLOB NOT NULL
);
