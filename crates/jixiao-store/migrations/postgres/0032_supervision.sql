-- 督查督办: supervision items of a cycle (inspection, audit and leader-instruction findings, key
-- tasks) with their unit, deadline, required evidence and status, carried from an earlier cycle
-- when they were still open at its end; and each item's progress reports by its unit.
CREATE TABLE supervision_items (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    deadline TEXT NOT NULL,
    evidence_required TEXT NOT NULL,
    status TEXT NOT NULL,
    closed_on TEXT,
    carried_from TEXT,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
CREATE INDEX supervision_items_unit ON supervision_items (cycle_id, unit_id);
CREATE TABLE supervision_reports (
    cycle_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    by_user TEXT NOT NULL,
    progress BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (cycle_id, item_id, seq),
    FOREIGN KEY (cycle_id, item_id) REFERENCES supervision_items(cycle_id, id) ON DELETE CASCADE
);
