-- 吹哨报到: departments a street summons to one of its cases, each part with its own task and
-- deadline (summoned → reported → done). One row per case and department; every step is also
-- an event on the case's record (audited and sealed there).
CREATE TABLE hotline_summons (
    case_id TEXT NOT NULL,
    department TEXT NOT NULL,
    street TEXT NOT NULL,
    task TEXT NOT NULL,
    due TEXT NOT NULL,
    summoned_at TEXT NOT NULL,
    summoned_by TEXT NOT NULL,
    reported_at TEXT,
    done_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, department)
);
-- A department's open parts (its queue) and the overdue ones.
CREATE INDEX hotline_summons_department ON hotline_summons (department, done_at, due);
