//! A real server on port 0 with its own database (the demo cycle and accounts), and clients
//! logged in as each role.
#![allow(dead_code)]

#[path = "../../../jixiao-store/tests/common/mod.rs"]
pub mod db;

use jixiao_server::{AppState, Config};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

pub const TODAY: &str = "2020-12-20";

pub struct TestApp {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// Keeps a temporary folder (the database) alive as long as the server.
    pub fn keep(&mut self, dir: tempfile::TempDir) {
        self._dir = Some(dir);
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }
}

/// A fresh SQLite demo database with the demo accounts; returns its URL.
pub fn demo_database(dir: &std::path::Path) -> String {
    let (url, _) = jixiao_demo::build(dir, "test").expect("demo builds");
    add_accounts(&url);
    url
}

pub fn add_accounts(url: &str) {
    let mut store = jixiao_store::Store::open(url).expect("store");
    jixiao_demo::add_accounts(&mut store, "test").expect("demo accounts");
}

pub fn config(url: &str) -> Config {
    Config {
        database_url: url.into(),
        today: chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").ok(),
        login_max_failures: 3,
        job_interval: std::time::Duration::from_secs(3600),
        ..Config::default()
    }
}

pub async fn spawn_with(config: Config) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::start(config).expect("the database opens");
    let task = tokio::spawn(jixiao_server::serve(state, listener, async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        stop: Some(tx),
        task: Some(task),
        _dir: None,
    }
}

/// The demo on a fresh SQLite database.
pub async fn spawn() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = tokio::task::spawn_blocking(move || demo_database(&path))
        .await
        .unwrap();
    let mut app = spawn_with(config(&url)).await;
    app._dir = Some(dir);
    app
}

/// A client with its cookie jar and CSRF token.
pub struct Session {
    pub client: Client,
    pub csrf: String,
    pub base: String,
}

impl Session {
    pub async fn public(app: &TestApp) -> Session {
        Session {
            client: Client::builder().cookie_store(true).build().unwrap(),
            csrf: String::new(),
            base: app.base.clone(),
        }
    }

    pub async fn login(app: &TestApp, user: &str) -> Session {
        let password = jixiao_demo::ACCOUNTS
            .iter()
            .find(|a| a.0 == user)
            .map(|a| a.5)
            .expect("demo account");
        let mut s = Session::public(app).await;
        let (status, body) = s
            .call(
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"user": user, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {user}: {body}");
        s.csrf = body["csrf"].as_str().unwrap().to_string();
        s
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
}

/// The demo with a hotline: the Beijing geography, the catalogue, `cases` generated cases and an
/// Open311 API key (returned).
pub async fn spawn_hotline(cases: u64) -> (TestApp, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (url, key) = tokio::task::spawn_blocking(move || {
        let url = demo_database(&path);
        let mut s = jixiao_store::Store::open(&url).unwrap();
        let cfg = jixiao_hotline::HotlineConfig::default();
        let geo = jixiao_hotline::geography::beijing(2, 2);
        s.hotline_save_geography(&geo, "test").unwrap();
        s.hotline_save_categories(&jixiao_hotline::catalogue::built_in())
            .unwrap();
        let mut gen = jixiao_hotline::generate::Generator::new(&cfg, &geo, cases, 1, 2020);
        s.hotline_import(&mut gen, "gen", &cfg, "test", &mut |_| {})
            .unwrap();
        s.hotline_add_api_key("测试客户端", "test-key-311", "test")
            .unwrap();
        (url, "test-key-311".to_string())
    })
    .await
    .unwrap();
    let mut app = spawn_with(config(&url)).await;
    app.keep(dir);
    (app, key)
}
