//! The connection pool: reads go on while another process holds the write lock, a write that
//! cannot get the lock in time fails as busy instead of hanging, readers refuse writes, and a
//! job that panics fails alone.

mod common;

use jixiao_store::{Pool, PoolConfig, Store, StoreError};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on the pool's readers (or writer) and waits for its answer; `None` if the job
/// was lost (it panicked).
fn run<T: Send + 'static>(
    pool: &Pool,
    write: bool,
    f: impl FnOnce(&mut Store) -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let job = Box::new(move |s: &mut Store| {
        let _ = tx.send(f(s));
    });
    if write {
        pool.write(job).unwrap();
    } else {
        pool.read(job).unwrap();
    }
    // A bound so a regression fails instead of hanging the test run.
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(v) => Some(v),
        Err(mpsc::RecvTimeoutError::Disconnected) => None,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the pool did not answer within a minute"),
    }
}

fn pool(url: &str) -> Pool {
    Pool::open(
        url,
        &PoolConfig {
            readers: 2,
            write_wait: Duration::from_millis(300),
            replica: None,
        },
    )
    .unwrap()
}

/// Holds the write lock the way a long import in another process does.
/// The write lock of the audit chain is PostgreSQL's advisory lock, one per database, and the
/// tests' PostgreSQL stores are schemas of one database: a test that holds the lock would make
/// another test's write busy. The tests here that write take turns.
static WRITING_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    WRITING_TESTS.lock().unwrap_or_else(|e| e.into_inner())
}

fn hold_write_lock(db: &mut common::TestDb) {
    let begin = if db.name == "sqlite" {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN; SELECT pg_advisory_xact_lock(7120823)"
    };
    db.store.execute_raw(begin).unwrap();
    db.store
        .record_event_in_open_transaction("test", "import.running", "test/long-import")
        .unwrap();
}

#[test]
fn reads_go_on_and_writes_fail_as_busy_while_another_process_holds_the_write_lock() {
    let _turn = take_turn();
    for mut db in common::backends() {
        let pool = pool(&db.url);
        hold_write_lock(&mut db);
        for _ in 0..20 {
            let answer = run(&pool, false, |s| s.ping().and_then(|_| s.cycles()));
            assert!(
                matches!(answer, Some(Ok(_))),
                "{}: a read during a write: {answer:?}",
                db.name
            );
        }
        let started = std::time::Instant::now();
        let write = run(&pool, true, |s| {
            s.record_event("test", "probe", "test/probe", None)
        });
        assert!(
            matches!(write, Some(Err(StoreError::Busy))),
            "{}: a write that cannot get the lock is busy: {write:?}",
            db.name
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}: the busy answer came after {:?}",
            db.name,
            started.elapsed()
        );
        db.store.execute_raw("COMMIT").unwrap();
        let write = run(&pool, true, |s| {
            s.record_event("test", "probe", "test/probe", None)
        });
        assert!(
            matches!(write, Some(Ok(()))),
            "{}: once the lock is free the write goes through: {write:?}",
            db.name
        );
        let entries = run(&pool, false, |s| s.audit_entries(Some("test/")))
            .unwrap()
            .unwrap();
        assert_eq!(
            entries
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["import.running", "probe"],
            "{}",
            db.name
        );
    }
}

#[test]
fn readers_refuse_writes() {
    let _turn = take_turn();
    for db in common::backends() {
        let pool = pool(&db.url);
        let write = run(&pool, false, |s| {
            s.record_event("test", "probe", "test/probe", None)
        });
        assert!(
            matches!(write, Some(Err(_))),
            "{}: a write on a reader: {write:?}",
            db.name
        );
        let entries = run(&pool, true, |s| s.audit_entries(Some("test/")))
            .unwrap()
            .unwrap();
        assert!(entries.is_empty(), "{}: {entries:?}", db.name);
    }
}

#[test]
fn a_job_that_panics_fails_alone_and_the_pool_goes_on() {
    let _turn = take_turn();
    for db in common::backends() {
        let pool = pool(&db.url);
        for write in [false, true] {
            let lost = run(&pool, write, |_| -> () { panic!("a bug in one request") });
            assert!(
                lost.is_none(),
                "{}: the panicking job has no answer",
                db.name
            );
        }
        assert!(matches!(run(&pool, false, |s| s.ping()), Some(Ok(()))));
        let write = run(&pool, true, |s| {
            s.record_event("test", "after-panic", "test/probe", None)
        });
        assert!(matches!(write, Some(Ok(()))), "{}: {write:?}", db.name);
    }
}
