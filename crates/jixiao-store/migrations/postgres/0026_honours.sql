-- The honours and external assessments register (荣誉和外部考核登记) of each cycle: what a unit
-- won or where it was placed by others (name, issuer, period, rank and its scope, streak), kept
-- by the office or proposed by a unit with an evidence file and approved. Report checking compares
-- ranks, streaks and honours claimed with it. Identified by unit, name, period and scope.
CREATE TABLE honours (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    period TEXT NOT NULL,
    rank BIGINT,
    scope TEXT,
    streak BIGINT,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    decided_by TEXT,
    evidence_name TEXT,
    evidence_type TEXT,
    evidence BYTEA,
    updated_at TEXT NOT NULL,
    -- The audit entry that wrote the row and its hash (see seals.rs).
    seal TEXT,
    PRIMARY KEY (cycle_id, id)
);
CREATE INDEX honours_unit ON honours (cycle_id, unit_id);
