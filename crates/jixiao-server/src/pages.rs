//! Server-rendered pages. Filled in below.

use crate::state::AppState;
use axum::Router;

pub fn templates() -> minijinja::Environment<'static> {
    minijinja::Environment::new()
}

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub async fn not_found_page() -> axum::response::Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::NOT_FOUND, axum::response::Html("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>未找到</title><p>页面未找到 / page not found. <a href=\"/\">返回首页</a></p></html>")).into_response()
}
