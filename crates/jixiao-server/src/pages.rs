//! Server-rendered pages. Filled in below.

use crate::state::AppState;
use axum::Router;

pub fn templates() -> minijinja::Environment<'static> {
    minijinja::Environment::new()
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
