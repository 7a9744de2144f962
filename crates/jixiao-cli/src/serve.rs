//! `jixiao serve`: loads the configuration, binds, and runs the server until SIGINT/SIGTERM.

use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use std::process::ExitCode;

pub fn serve(args: &ServeArgs, database: Option<&str>) -> Result<ExitCode> {
    let file = match &args.config {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        )),
        None => None,
    };
    let mut config =
        jixiao_server::Config::load(file.as_ref().map(|(n, t)| (n.as_str(), t.as_str())), |k| {
            std::env::var(k).ok()
        })?;
    if let Some(db) = database {
        config.database_url = db.to_string();
    }
    if let Some(bind) = &args.bind {
        config.bind = bind.clone();
    }
    run_server(config)
}

pub fn run_server(config: jixiao_server::Config) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.bind).await.with_context(|| format!("binding {}", config.bind))?;
        let addr = listener.local_addr()?;
        println!("\n网页 web: http://{addr}/   API: http://{addr}/api/v1/docs   健康检查 health: http://{addr}/health");
        tracing::info!(%addr, "serving");
        let state = jixiao_server::AppState::start(config).context("opening the database")?;
        jixiao_server::serve(state, listener, jixiao_server::shutdown_signal()).await.context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}
