//! The jixiao web application: server-rendered pages (zh-CN first, English second), the JSON
//! API under `/api/v1` with its OpenAPI document, sessions and roles, and scheduled jobs.
//!
//! The server keeps no state of its own: sessions, login throttling and job claims live in the
//! database, so several instances can share one PostgreSQL database behind a load balancer.
//! Only this crate knows HTTP.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod hotline_pages;
pub mod i18n;
pub mod jobs;
pub mod open311;
pub mod pages;
pub mod policy;
pub mod report_pages;
pub mod reports;
pub mod state;
pub mod upload;
pub mod view;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
pub use config::Config;
pub use state::AppState;
use std::future::Future;

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let spec = serde_json::to_string_pretty(&openapi).expect("the OpenAPI document serialises");
    let limit = state.config.upload_max_bytes;
    api.route(
        "/api/v1/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], spec) }),
    )
    .route(
        "/api/v1/docs",
        get(|| async { axum::response::Html(SWAGGER_PAGE) }),
    )
    .route("/assets/{*file}", get(asset))
    .route("/open311/{*rest}", axum::routing::any(open311::handle))
    .merge(pages::routes())
    .merge(report_pages::routes())
    .merge(hotline_pages::routes())
    .fallback(not_found)
    .layer(axum::middleware::from_fn(log_request))
    .layer(axum::extract::DefaultBodyLimit::max(limit))
    .with_state(state)
}

/// One structured log line per request: method, path (no query string: it may carry names),
/// status and time taken.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        error::AppError::NotFound(format!("API route {}", uri.path())).into_response()
    } else {
        pages::not_found_page().await
    }
}

/// Serves on an already-bound listener until `shutdown` completes, then drains in-flight
/// requests. Scheduled jobs run alongside.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let jobs = tokio::spawn(jobs::run(state.clone(), jobs_stopped));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_jobs.send(true);
    let _ = jobs.await;
    result
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: draining requests");
}

/// The client's address for login throttling: the first X-Forwarded-For hop behind a proxy.
pub fn client_address(h: &HeaderMap) -> String {
    h.get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "direct".into())
}

const ASSETS: [(&str, &str, &[u8]); 5] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "vendor/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/swagger-ui-bundle.js"),
    ),
    (
        "vendor/swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/swagger-ui.css"),
    ),
];

async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> axum::response::Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

const SWAGGER_PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jixiao API</title>
<link rel="stylesheet" href="/assets/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/assets/vendor/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui" });</script>
</body></html>"##;
