//! The jixiao web application: server-rendered pages (zh-CN first, English second), the JSON
//! API under `/api/v1` with its OpenAPI document, Open311 GeoReport v2, and scheduled jobs.
//! Only this crate knows HTTP; everything a request does is a use case of `jixiao-app`.
//!
//! One request's path: the router picks the handler → [`context::session_layer`] builds the
//! request's [`context::Ctx`] (actor, CSRF token, language) and checks CSRF → the handler
//! parses what was sent and calls the application on a reader or the writer of the
//! connection pool ([`state::AppState`]) → the application checks the permission and works
//! on the store → the handler renders a page or JSON; errors become a status and a page in
//! the user's language ([`pages::render::render_errors`]) or `{code, message}` ([`error`]).
//!
//! The server keeps no state of its own: sessions, login throttling and job claims live in the
//! database, so several instances can share one PostgreSQL database behind a load balancer.

pub mod api;
pub mod assets;
pub mod config;
pub mod context;
pub mod download;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod open311;
pub mod pages;
pub mod state;
pub mod templates;
pub mod upload;

use axum::http::{header, Method};
use axum::middleware::{from_fn, from_fn_with_state};
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
    // Pages and API: every request gets its context (and its CSRF check) first; page errors
    // are drawn as pages.
    let app = api
        .merge(pages::routes())
        .layer(from_fn_with_state(state.clone(), context::session_layer))
        .layer(from_fn_with_state(
            state.clone(),
            pages::render::render_errors,
        ));
    fixed_routes(spec)
        .into_iter()
        .fold(Router::new().merge(app), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .fallback(pages::render::not_found)
        .method_not_allowed_fallback(pages::render::method_not_allowed)
        .layer(from_fn(security_headers))
        .layer(compression())
        .layer(from_fn(log_request))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Answers compressed (brotli or gzip, as the client accepts) when that helps: pages, JSON,
/// Open311 XML, scripts and styles; not what is compressed already (Office files are zip
/// archives, images, PDFs) nor answers under a kilobyte.
fn compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    tower_http::compression::CompressionLayer::new().compress_when(
        SizeAbove::new(1024)
            .and(NotForContentType::GRPC)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::SSE)
            .and(NotForContentType::const_new(
                "application/vnd.openxmlformats",
            ))
            .and(NotForContentType::const_new("application/pdf"))
            .and(NotForContentType::const_new("application/zip")),
    )
}

/// The routes outside the pages and the API: the OpenAPI document and its browser, the health
/// probe, static files, and Open311 (whose one handler parses its paths itself, for GET and POST: the only
/// methods of GeoReport v2).
fn fixed_routes(spec: String) -> Vec<pages::render::PageRoute> {
    vec![
        (
            Method::GET,
            "/api/v1/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], spec) }),
        ),
        (
            Method::GET,
            "/api/v1/docs",
            get(|| async { axum::response::Html(assets::SWAGGER_PAGE) }),
        ),
        // Outside the session layer: a probe needs no session, and answers as fast as the
        // database does.
        (Method::GET, "/health", get(api::health::health)),
        (Method::GET, "/assets/{*file}", get(assets::asset)),
        (Method::GET, "/open311/{*rest}", get(open311::handle)),
        (
            Method::POST,
            "/open311/{*rest}",
            axum::routing::post(open311::handle),
        ),
        (
            Method::OPTIONS,
            "/open311/{*rest}",
            axum::routing::options(open311::handle),
        ),
    ]
}

/// Every route of the application as (method, path with `{parameters}`): the API's from its
/// OpenAPI document, the pages' from their table, and the fixed ones. The route tests require a
/// permission case for each, so a new route cannot arrive untested.
pub fn route_table() -> Vec<(Method, String)> {
    let (_, openapi) = api::router();
    let mut out = Vec::new();
    for (path, item) in &openapi.paths.paths {
        for (method, operation) in [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ] {
            if operation.is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out.extend(
        pages::table()
            .into_iter()
            .chain(fixed_routes(String::new()))
            .map(|(method, path, _)| (method, path.to_string())),
    );
    out
}

/// A panic inside one request answers 500 for that request only; the instance goes on.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    tracing::error!(cause = %what, "a request panicked");
    error::WebError::App(jixiao_app::AppError::Internal(what.to_string())).to_json()
}

/// Headers on every answer: scripts only from this site and never inline (templates pass data
/// to scripts in JSON blocks), styles from this site (inline style attributes allowed: the
/// chart library's tooltips are HTML with styles), no plugins, no framing by other sites, no type
/// sniffing, no referrer beyond the site. Downloads keep their own policy (sandboxed).
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::HeaderValue;
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    // A download sets its own, stricter policy.
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
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

/// Serves on an already-bound listener until `shutdown` completes, then drains in-flight
/// requests. Scheduled jobs run alongside.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Cycles published before publications were versioned get their version 1 now, so the
    // public pages always have a frozen version to show.
    match state
        .write(|s, _| jixiao_app::reports::publication::freeze_unversioned(s))
        .await
    {
        Ok(frozen) if !frozen.is_empty() => {
            tracing::info!(cycles = ?frozen, "published cycles frozen as version 1")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "freezing published cycles failed"),
    }
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
