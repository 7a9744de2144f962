-- 接诉即办: geography, categories, cases with their events, the rollup counters kept in step
-- with the cases, who viewed requester contacts, and Open311 API keys.
CREATE TABLE hotline_areas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT,
    lat REAL,
    lon REAL
);
CREATE TABLE hotline_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE hotline_cases (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    unit TEXT,
    district TEXT,
    grid TEXT,
    lat REAL,
    lon REAL,
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
    updated_at TEXT NOT NULL
);
CREATE INDEX hotline_cases_unit_month ON hotline_cases (unit, month);
CREATE INDEX hotline_cases_month_category ON hotline_cases (month, category);
CREATE INDEX hotline_cases_received ON hotline_cases (received_at);
CREATE TABLE hotline_events (
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TABLE hotline_rollups (
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    category TEXT NOT NULL,
    district TEXT,
    accepted BIGINT NOT NULL,
    excluded BIGINT NOT NULL,
    response_tracked BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    responded_in_time BIGINT NOT NULL,
    handled BIGINT NOT NULL,
    handled_in_time BIGINT NOT NULL,
    callbacks BIGINT NOT NULL,
    solved BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    basically_satisfied BIGINT NOT NULL,
    closed_fixed BIGINT NOT NULL,
    closed_unfixed BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    PRIMARY KEY (unit, month, category)
);
CREATE INDEX hotline_rollups_month ON hotline_rollups (month, district);
CREATE TABLE hotline_contact_views (
    case_id TEXT NOT NULL,
    viewer TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE hotline_api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
