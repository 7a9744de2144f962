//! Databases for tests. The demo database takes a second to build (values imported, passwords
//! hashed), so each test binary builds it once into a template and every test gets a copy of
//! the file: tests never share a database.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The PostgreSQL server tests use (`JIXIAO_TEST_POSTGRES_URL`, default the local one).
pub fn postgres_url() -> String {
    std::env::var("JIXIAO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A test's own copy of the demo database; the folder goes when it is dropped.
pub struct DemoDb {
    pub url: String,
    pub path: PathBuf,
    pub dir: tempfile::TempDir,
}

struct Template {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (url, _) = jixiao_demo::build(dir.path(), "test").expect("the demo builds");
        let mut store = jixiao_store::Store::open(&url).expect("the demo opens");
        jixiao_demo::add_accounts(&mut store, "test").expect("the demo accounts");
        show_units_everything(&mut store);
        // Everything into the main file, so copying that one file copies the database.
        store
            .execute_raw("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("a checkpoint");
        drop(store);
        let path = dir.path().join("jixiao.sqlite");
        Template { _dir: dir, path }
    })
}

/// A fresh copy of the demo database (the Beijing 2020 cycle and the demo accounts).
pub fn demo_database() -> DemoDb {
    let t = template();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jixiao.sqlite");
    std::fs::copy(&t.path, &path).expect("the template copies");
    DemoDb {
        url: format!("sqlite://{}", path.display()),
        path,
        dir,
    }
}

/// Copies the demo database into `dir` and returns its URL.
pub fn demo_database_in(dir: &Path) -> String {
    let path = dir.join("jixiao.sqlite");
    std::fs::copy(&template().path, &path).expect("the template copies");
    format!("sqlite://{}", path.display())
}

/// The demo (cycle and accounts) in a PostgreSQL schema of its own, dropped with this value.
/// Open and drop it on a blocking thread: the PostgreSQL client runs a runtime of its own.
pub struct PostgresDemo {
    /// A URL that works inside the schema (its search path).
    pub url: String,
    schema: String,
}

impl Drop for PostgresDemo {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// The demo in a fresh PostgreSQL schema; `None` (with a loud message) when PostgreSQL cannot
/// be reached, unless `JIXIAO_REQUIRE_POSTGRES=1` makes that a failure.
pub fn demo_postgres() -> Option<PostgresDemo> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let schema = format!(
        "jx_kit_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut store = match jixiao_store::Store::open_postgres_schema(&postgres_url(), &schema) {
        Ok(s) => s,
        Err(e) => {
            if std::env::var("JIXIAO_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("PostgreSQL is required (JIXIAO_REQUIRE_POSTGRES=1) but unreachable: {e}");
            }
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "\n!!! SKIPPING the PostgreSQL half of this test: {e}\n!!! Set JIXIAO_REQUIRE_POSTGRES=1 to make this a failure.\n");
            return None;
        }
    };
    let demo = PostgresDemo {
        url: format!("{}?options=-csearch_path%3D{schema}", postgres_url()),
        schema,
    };
    jixiao_demo::load(&mut store, "test").expect("the demo loads");
    jixiao_demo::add_accounts(&mut store, "test").expect("the demo accounts");
    show_units_everything(&mut store);
    Some(demo)
}

/// Units see their own totals and ranks in the tests' demo, so tests of other features can read
/// them as a unit; tests of the setting itself (tests/visibility.rs of the server) set it back.
fn show_units_everything(store: &mut jixiao_store::Store) {
    store
        .set_cycle_setting("2020", "unit_visibility", "total_and_rank", "test")
        .expect("the visibility setting");
}
