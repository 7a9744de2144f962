//! Fresh databases for tests: a SQLite file in a temporary folder, and a PostgreSQL schema of
//! its own, dropped afterwards. When PostgreSQL cannot be reached the PostgreSQL half is skipped
//! with a loud message, unless JIXIAO_REQUIRE_POSTGRES=1 makes that a failure.
#![allow(dead_code)]

use jixiao_store::Store;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn postgres_url() -> String {
    std::env::var("JIXIAO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    /// A URL other programs (the CLI) can use to reach the same database.
    pub url: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema {
            if let Ok(mut c) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
    TestDb {
        store: Store::open(&url).expect("sqlite opens"),
        name: "sqlite",
        url,
        schema: None,
        _dir: Some(dir),
    }
}

pub fn postgres() -> Option<TestDb> {
    let schema = format!(
        "jx_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    match Store::open_postgres_schema(&postgres_url(), &schema) {
        Ok(store) => {
            let url = format!("{}?options=-csearch_path%3D{schema}", postgres_url());
            Some(TestDb {
                store,
                name: "postgres",
                url,
                schema: Some(schema),
                _dir: None,
            })
        }
        Err(e) => {
            if std::env::var("JIXIAO_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("PostgreSQL is required (JIXIAO_REQUIRE_POSTGRES=1) but unreachable: {e}");
            }
            // Written to stderr directly, not through eprintln!, so the test harness does not
            // swallow it.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "\n!!! SKIPPING the PostgreSQL half of this test: {e}\n!!! Set JIXIAO_REQUIRE_POSTGRES=1 to make this a failure.\n");
            None
        }
    }
}

/// Every backend available: SQLite always, PostgreSQL when reachable.
pub fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

/// Rewrites audit entry 2's actor and recomputes every later hash with the published
/// algorithm, as an intruder who read the README could: the chain itself checks out again.
pub fn rechain_from_entry_2(s: &mut Store) {
    let mut entries = s.audit_entries(None).unwrap();
    entries[1].actor = "someone-else".into();
    let mut prev = entries[0].hash.clone();
    for e in entries.iter_mut().skip(1) {
        e.prev_hash = prev.clone();
        e.hash = jixiao_store::audit::entry_hash(e);
        prev = e.hash.clone();
        s.execute_raw(&format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
            e.actor, e.prev_hash, e.hash, e.seq
        ))
        .unwrap();
    }
}

/// SQL that takes a database back to the schema as migration 0015 left it (before hotline
/// cases and events were partitioned by month on PostgreSQL and events carried their case's
/// month), for tests of databases made by older versions: undo this first, then what they undo.
#[allow(dead_code)]
pub fn before_partitions(db: &TestDb) -> &'static str {
    if db.name == "sqlite" {
        "ALTER TABLE hotline_events DROP COLUMN month; DELETE FROM schema_migrations WHERE version = 16; "
    } else {
        // Migration 16 makes the tables again from its own column lists: the columns and
        // indexes later migrations added (20, 22, 25) go with them and are made again after it.
        "ALTER TABLE hotline_events DROP COLUMN event_id; \
         DROP INDEX hotline_cases_returned; ALTER TABLE hotline_cases DROP COLUMN returned_by; \
         ALTER TABLE hotline_rollups DROP COLUMN returned; \
         CREATE TABLE plain_cases (LIKE hotline_cases INCLUDING DEFAULTS); \
         INSERT INTO plain_cases SELECT * FROM hotline_cases; DROP TABLE hotline_cases; \
         ALTER TABLE plain_cases RENAME TO hotline_cases; ALTER TABLE hotline_cases ADD PRIMARY KEY (id); \
         CREATE UNIQUE INDEX hotline_cases_seq ON hotline_cases (seq); \
         CREATE INDEX hotline_cases_unit_month ON hotline_cases (unit, month); \
         CREATE INDEX hotline_cases_received ON hotline_cases (received_at); \
         CREATE INDEX hotline_cases_grid ON hotline_cases (grid, received_at); \
         CREATE INDEX hotline_cases_overdue ON hotline_cases (completion_due) WHERE stage <> 'closed' AND handled_at IS NULL; \
         CREATE INDEX hotline_cases_overdue_district ON hotline_cases (district, completion_due) WHERE stage <> 'closed' AND handled_at IS NULL; \
         CREATE TABLE plain_events (LIKE hotline_events INCLUDING DEFAULTS); \
         INSERT INTO plain_events SELECT * FROM hotline_events; DROP TABLE hotline_events; \
         ALTER TABLE plain_events RENAME TO hotline_events; ALTER TABLE hotline_events DROP COLUMN month; \
         ALTER TABLE hotline_events ADD PRIMARY KEY (case_id, seq); DROP TABLE hotline_case_months; \
         DELETE FROM schema_migrations WHERE version IN (16, 20, 22, 25); "
    }
}
