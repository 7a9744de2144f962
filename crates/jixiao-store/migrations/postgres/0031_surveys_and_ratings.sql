-- Surveys (市民评议): a cycle's questionnaires (the definition with the mapping of the survey
-- company's file, as JSON) and each unit's results per item.
CREATE TABLE surveys (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    definition TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
CREATE TABLE survey_results (
    cycle_id TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    mean DOUBLE PRECISION NOT NULL,
    sample BIGINT NOT NULL,
    sd DOUBLE PRECISION,
    PRIMARY KEY (cycle_id, survey_id, unit_id, item_id),
    FOREIGN KEY (cycle_id, survey_id) REFERENCES surveys(cycle_id, id) ON DELETE CASCADE
);
-- Rating rounds (领导评价, 线上评绩效, 开门考评): the round's definition (kind, task, scale, rater
-- groups with weights and members) as JSON, and whether it is open.
CREATE TABLE rating_rounds (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, id)
);
-- One rater's score of one unit in a round. Read back only by its rater; the office reads
-- aggregates. The audit log records that a ballot was cast, never its scores.
CREATE TABLE ballots (
    cycle_id TEXT NOT NULL,
    round_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, round_id, user_id, unit_id),
    FOREIGN KEY (cycle_id, round_id) REFERENCES rating_rounds(cycle_id, id) ON DELETE CASCADE
);
-- How a value was made from a survey or a rating round (jixiao_core::basis::Basis as JSON),
-- written with the value; scoring uses it while the value is still the one it made.
CREATE TABLE value_bases (
    cycle_id TEXT NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    basis TEXT NOT NULL,
    PRIMARY KEY (cycle_id, task_id, unit_id)
);
