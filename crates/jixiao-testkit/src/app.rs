//! A real server on port 0 with its own database.

use crate::db::{demo_database, DemoDb};
use jixiao_server::{AppState, Config};

/// The date the tests judge deadlines against: the fourth quarter of 2020 is open.
pub const TODAY: &str = "2020-12-20";

pub struct TestApp {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    db: Option<DemoDb>,
    dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// Keeps a temporary folder (the database) alive as long as the server.
    pub fn keep(&mut self, dir: tempfile::TempDir) {
        self.dir = Some(dir);
    }

    /// The URL of the server's database.
    pub fn database_url(&self) -> Option<&str> {
        self.db.as_ref().map(|d| d.url.as_str())
    }

    /// Stops the server, waiting for it to drain.
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

/// The tests' configuration of a server on database `url`.
pub fn config(url: &str) -> Config {
    Config {
        database_url: url.into(),
        today: chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").ok(),
        login_max_failures: 3,
        job_interval: std::time::Duration::from_secs(3600),
        ..Config::default()
    }
}

/// A server with `config`, on a free port.
pub async fn spawn_with(config: Config) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = tokio::task::spawn_blocking(move || AppState::start(config))
        .await
        .expect("the database opens")
        .expect("the database opens");
    let task = tokio::spawn(jixiao_server::serve(state, listener, async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        stop: Some(tx),
        task: Some(task),
        db: None,
        dir: None,
    }
}

/// A server on the test's own copy of `db`.
pub async fn spawn_on(db: DemoDb) -> TestApp {
    let mut app = spawn_with(config(&db.url)).await;
    app.db = Some(db);
    app
}

/// The demo on a fresh SQLite database.
pub async fn spawn() -> TestApp {
    spawn_on(demo_database()).await
}

/// Cases of the demo's day of work that [`spawn_hotline`] adds to the generated ones (seven,
/// and the one the demo inspector's patrol passed to 东华门街道).
pub const DAY_OF_WORK_CASES: usize = 8;

/// The demo with a hotline: the Beijing geography (2 communities of 2 grid cells per street),
/// the catalogue, `cases` generated cases, the demo's day of work ([`DAY_OF_WORK_CASES`] more)
/// and an Open311 API key (returned).
pub async fn spawn_hotline(cases: u64) -> (TestApp, String) {
    let db = demo_database();
    let url = db.url.clone();
    let key = tokio::task::spawn_blocking(move || {
        let mut s = jixiao_store::Store::open(&url).unwrap();
        let cfg = jixiao_hotline::HotlineConfig::default();
        let geo = jixiao_hotline::geography::beijing(2, 2);
        s.hotline_save_geography(&geo, "test").unwrap();
        s.hotline_save_categories(&jixiao_hotline::catalogue::built_in())
            .unwrap();
        let (_, campaign) = jixiao_app::hotline::problems::demo_problem();
        let mut gen = jixiao_hotline::generate::Generator::new(&cfg, &geo, cases, 1, 2020)
            .with_intervention(campaign);
        s.hotline_import(&mut gen, "gen", &cfg, "test", &mut |_| {})
            .unwrap();
        s.hotline_add_api_key("测试客户端", "test-key-311", "test")
            .unwrap();
        // The demo's day of work (cases waiting for the centre and 东华门街道).
        jixiao_app::hotline::work::seed_day_of_work(
            &mut s,
            &jixiao_app::Settings::default(),
            &jixiao_app::Actor::office("test"),
            chrono::NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
        )
        .unwrap();
        // A year of grid patrol reports (one a month per street, on average) and the demo
        // inspector's patrol day (one report passed on to 东华门街道 as a case).
        let office = jixiao_app::Actor::office("test");
        let settings = jixiao_app::Settings::default();
        jixiao_app::hotline::grid::seed_demo(
            &mut s,
            &settings,
            &office,
            2020,
            1,
            &Default::default(),
        )
        .unwrap();
        jixiao_app::hotline::grid::seed_patrol_day(
            &mut s,
            &settings,
            &office,
            "wgy01",
            chrono::NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
        )
        .unwrap();
        // The demo's 每月一题.
        jixiao_app::hotline::problems::designate_demo(
            &mut s,
            &jixiao_app::Settings::default(),
            &jixiao_app::Actor::office("test"),
        )
        .unwrap();
        "test-key-311".to_string()
    })
    .await
    .unwrap();
    (spawn_on(db).await, key)
}
