//! The test kit (`jixiao-testkit`) under the names these tests use: a real server on port 0
//! with its own copy of the demo database, and clients logged in as each role.
#![allow(dead_code, unused_imports)]

#[path = "../../../jixiao-store/tests/common/mod.rs"]
pub mod db;

pub use jixiao_testkit::{config, spawn, spawn_hotline, spawn_with, Session, TestApp, TODAY};

/// A copy of the demo database (with the demo accounts) in `dir`; returns its URL.
pub fn demo_database(dir: &std::path::Path) -> String {
    jixiao_testkit::db::demo_database_in(dir)
}

/// Adds the demo accounts to the database at `url`.
pub fn add_accounts(url: &str) {
    let mut store = jixiao_store::Store::open(url).expect("store");
    jixiao_demo::add_accounts(&mut store, "test").expect("demo accounts");
}

/// Posts a multipart form of files (field, file name, content) with the session's CSRF token;
/// the answer as JSON (null when it is not).
pub async fn post_files(
    s: &Session,
    path: &str,
    files: &[(&str, &str, &[u8])],
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut form = reqwest::multipart::Form::new();
    for (field, name, bytes) in files {
        form = form.part(
            field.to_string(),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let resp = s
        .client
        .post(format!("{}{path}", s.base))
        .header("x-csrf-token", &s.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
