//! A server instance answers many requests at once: while another process holds the database's
//! write lock (a long import), reads answer without error and a write answers 503 "busy" within
//! its bounded wait, never 500; once the lock is free the same write goes through. On SQLite
//! and PostgreSQL.

use jixiao_testkit::{config, demo_database, demo_postgres, spawn_with, Session};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

/// Holds the write lock from another connection, as `jixiao hotline import` does for the length
/// of its transaction, until told to let go.
fn hold_write_lock(
    url: String,
    held: std::sync::mpsc::SyncSender<()>,
    release: std::sync::mpsc::Receiver<()>,
) {
    let mut store = jixiao_store::Store::open(&url).unwrap();
    let begin = if store.backend() == "sqlite" {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN; SELECT pg_advisory_xact_lock(7120823)"
    };
    store.execute_raw(begin).unwrap();
    store
        .record_event_in_open_transaction("import", "hotline.import", "hotline/long-import")
        .unwrap();
    held.send(()).unwrap();
    let _ = release.recv();
    store.execute_raw("COMMIT").unwrap();
}

#[tokio::test]
async fn during_a_long_import_reads_answer_and_a_write_is_busy_then_succeeds() {
    let sqlite = demo_database();
    let postgres = tokio::task::spawn_blocking(demo_postgres).await.unwrap();
    let mut urls = vec![sqlite.url.clone()];
    urls.extend(postgres.as_ref().map(|p| p.url.clone()));
    for url in urls {
        let app = spawn_with(jixiao_server::Config {
            database_write_wait: Duration::from_millis(300),
            ..config(&url)
        })
        .await;
        let admin = Session::login(&app, "admin").await;
        let reporter = Session::login(&app, "dongcheng").await;
        let (held_tx, held) = std::sync::mpsc::sync_channel(1);
        let (release, release_rx) = std::sync::mpsc::sync_channel(1);
        let u = url.clone();
        let holder = std::thread::spawn(move || hold_write_lock(u, held_tx, release_rx));
        held.recv().unwrap();

        for path in [
            "/health",
            "/api/v1/cycles/2020/ranking",
            "/api/v1/cycles/2020/units/dongcheng",
            "/api/v1/cycles/2020/progress",
            "/overview",
        ] {
            let (status, body) = admin.get(path).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{url}: {path} during the import: {body}"
            );
        }
        let write = || {
            reporter.call(
                Method::PUT,
                "/api/v1/cycles/2020/units/dongcheng/values/A23-1/Q4",
                Some(json!({"value": 96.5, "submit": false})),
            )
        };
        let started = Instant::now();
        let (status, body) = write().await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("busy")),
            "{url}: a write during the import: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("nothing was saved"),
            "{body}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{url}: the busy answer took {:?}",
            started.elapsed()
        );

        release.send(()).unwrap();
        holder.join().unwrap();
        let (status, body) = write().await;
        assert_eq!(status, StatusCode::OK, "{url}: after the import: {body}");
        assert_eq!(body["value"], "96.5");
        app.stop().await;
    }
    tokio::task::spawn_blocking(move || drop(postgres))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_that_fails_inside_jixiao_fails_alone() {
    let db = demo_database();
    let state = jixiao_server::AppState::start(config(&db.url)).unwrap();
    for _ in 0..8 {
        // More failures than there are connections: each fails alone, none takes one away.
        let failed = state
            .read(|_, _| -> Result<(), jixiao_app::AppError> { panic!("a bug in one request") })
            .await;
        assert!(
            matches!(failed, Err(jixiao_app::AppError::Internal(_))),
            "{failed:?}"
        );
        let failed = state
            .write(|_, _| -> Result<(), jixiao_app::AppError> { panic!("a bug in one write") })
            .await;
        assert!(
            matches!(failed, Err(jixiao_app::AppError::Internal(_))),
            "{failed:?}"
        );
    }
    let cycles = state
        .read(|s, _| jixiao_app::cycles::list(s, &jixiao_app::Actor::office("test")))
        .await
        .unwrap();
    assert_eq!(cycles[0].id, "2020");
    let saved = state
        .write(|s, _| Ok(s.record_event("test", "after-panics", "test/x", None)?))
        .await;
    assert!(saved.is_ok(), "{saved:?}");
}
