-- 网格化管理: what grid inspectors (网格员) report on patrol. A report disposed on the spot is
-- disposed when reported; one passed to the street became hotline case `case_id` and is disposed
-- when the street handles that case (kept in step by the case's event, in its transaction).
-- Months are local (the hotline rules' time zone); the monthly grid figures count from here.
CREATE TABLE grid_reports (
    id TEXT PRIMARY KEY,
    grid TEXT NOT NULL,
    district TEXT NOT NULL,
    month TEXT NOT NULL,
    inspector TEXT NOT NULL,
    found_at TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    lat REAL,
    lon REAL,
    disposal TEXT NOT NULL,
    disposed_at TEXT,
    due TEXT,
    case_id TEXT,
    photo_name TEXT,
    photo_type TEXT,
    photo BLOB,
    recorded_at TEXT NOT NULL
);
CREATE INDEX grid_reports_month ON grid_reports (month, district, grid);
CREATE INDEX grid_reports_inspector ON grid_reports (inspector, found_at);
CREATE INDEX grid_reports_case ON grid_reports (case_id) WHERE case_id IS NOT NULL;
