-- Hotline cases and their events partitioned by month (LIST on `month`, one partition per month,
-- named hotline_cases_YYYY_MM and hotline_events_YYYY_MM): a month's cases are one table of
-- their own, so rebuilds, retention and vacuum work a month at a time and indexes stay the size
-- of a month. The store creates a month's partitions when its first case arrives (ATTACH, which
-- does not block readers or writers of the other months).
--
-- A partitioned table's unique indexes must hold the partition key, so a case id's uniqueness
-- across months is kept by hotline_case_months (id → month), written with every case; imports
-- look ids up there and then read each month's partition alone. Events live in their case's
-- month; their key is (month, case_id, seq). Case sequence numbers are unique by construction
-- (the store numbers cases under the write lock), no longer by an index.
--
-- Rows are moved, not changed: seals stay valid.
ALTER TABLE hotline_cases RENAME TO hotline_cases_unpartitioned;
ALTER TABLE hotline_cases_unpartitioned DROP CONSTRAINT hotline_cases_pkey;
DROP INDEX hotline_cases_seq;
DROP INDEX hotline_cases_overdue;
DROP INDEX hotline_cases_overdue_district;
DROP INDEX hotline_cases_grid;
DROP INDEX hotline_cases_unit_month;
DROP INDEX hotline_cases_received;
CREATE TABLE hotline_cases (
    id TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    unit TEXT,
    district TEXT,
    grid TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    urgency TEXT NOT NULL,
    contact TEXT,
    stage TEXT NOT NULL,
    dispatched_at TEXT,
    responded_at TEXT,
    handled_at TEXT,
    callback_at TEXT,
    solved BIGINT,
    satisfaction TEXT,
    closed_at TEXT,
    closure TEXT,
    returns BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    exclusion_reason TEXT,
    exclusion_note TEXT,
    exclusion_approver TEXT,
    response_due TEXT,
    completion_due TEXT,
    response_tracked BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq BIGINT,
    seal TEXT
) PARTITION BY LIST (month);

ALTER TABLE hotline_events RENAME TO hotline_events_unpartitioned;
ALTER TABLE hotline_events_unpartitioned DROP CONSTRAINT hotline_events_pkey;
CREATE TABLE hotline_events (
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    seal TEXT,
    month TEXT NOT NULL,
    PRIMARY KEY (month, case_id, seq)
) PARTITION BY LIST (month);

DO $$
DECLARE m TEXT;
BEGIN
    FOR m IN SELECT DISTINCT month FROM hotline_cases_unpartitioned ORDER BY month LOOP
        IF m !~ '^[0-9]{4}-[0-9]{2}$' THEN
            RAISE EXCEPTION 'hotline case month % is not YYYY-MM', m;
        END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF hotline_cases FOR VALUES IN (%L)',
                       'hotline_cases_' || replace(m, '-', '_'), m);
        EXECUTE format('CREATE TABLE %I PARTITION OF hotline_events FOR VALUES IN (%L)',
                       'hotline_events_' || replace(m, '-', '_'), m);
    END LOOP;
END $$;

INSERT INTO hotline_cases (id, channel, received_at, month, category, description, address, unit,
    district, grid, lat, lon, urgency, contact, stage, dispatched_at, responded_at, handled_at,
    callback_at, solved, satisfaction, closed_at, closure, returns, reopened, exclusion_reason,
    exclusion_note, exclusion_approver, response_due, completion_due, response_tracked, source,
    updated_at, seq, seal)
SELECT id, channel, received_at, month, category, description, address, unit,
    district, grid, lat, lon, urgency, contact, stage, dispatched_at, responded_at, handled_at,
    callback_at, solved, satisfaction, closed_at, closure, returns, reopened, exclusion_reason,
    exclusion_note, exclusion_approver, response_due, completion_due, response_tracked, source,
    updated_at, seq, seal
FROM hotline_cases_unpartitioned;
INSERT INTO hotline_events (case_id, seq, at, kind, actor, detail, seal, month)
SELECT e.case_id, e.seq, e.at, e.kind, e.actor, e.detail, e.seal, c.month
FROM hotline_events_unpartitioned e JOIN hotline_cases_unpartitioned c ON c.id = e.case_id;

CREATE TABLE hotline_case_months (
    id TEXT PRIMARY KEY,
    month TEXT NOT NULL
);
INSERT INTO hotline_case_months (id, month) SELECT id, month FROM hotline_cases_unpartitioned;
DROP TABLE hotline_events_unpartitioned;
DROP TABLE hotline_cases_unpartitioned;

CREATE INDEX hotline_cases_id ON hotline_cases (id);
CREATE INDEX hotline_cases_seq ON hotline_cases (seq);
CREATE INDEX hotline_cases_unit_month ON hotline_cases (unit, month);
CREATE INDEX hotline_cases_received ON hotline_cases (received_at);
CREATE INDEX hotline_cases_grid ON hotline_cases (grid, received_at);
CREATE INDEX hotline_cases_overdue ON hotline_cases (completion_due) WHERE stage <> 'closed' AND handled_at IS NULL;
CREATE INDEX hotline_cases_overdue_district ON hotline_cases (district, completion_due) WHERE stage <> 'closed' AND handled_at IS NULL;
CREATE INDEX hotline_events_case ON hotline_events (case_id, seq);
