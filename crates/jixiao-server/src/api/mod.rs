//! The JSON API under `/api/v1`, with its OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`, browsable at `/api/v1/docs`). Handlers parse the request, call the
//! application (which decides permissions before it looks anything up, so a guessed id tells
//! nothing) and answer JSON; CSRF is checked by the session layer for cookie sessions.
//!
//! Modules: [`health`], [`cycles`] (scores, rankings, progress, explanations), [`values`] (entry, review,
//! grading, evidence), [`admin`] (ledger, audit log, users), [`session`] (login, logout, own
//! account), [`reports`] (reports, report texts, publication).

mod admin;
mod cycles;
pub(crate) mod health;
mod reports;
mod session;
mod values;

use crate::state::AppState;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "jixiao API", version = "1", description = "Government performance management: cycles, scores with explanations, rankings, reported values and their review."),
    paths(health::health),
    tags((name = "cycles", description = "Scores, rankings and progress"), (name = "values", description = "Reporting and review"), (name = "reports", description = "Reports, report texts and publication"), (name = "admin", description = "Audit log and accounts"), (name = "session", description = "Login, logout, own account"))
)]
struct ApiDoc;

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cycles::list_cycles))
        .routes(routes!(cycles::ranking))
        .routes(routes!(cycles::progress))
        .routes(routes!(cycles::unit_scores))
        .routes(routes!(cycles::explain_node))
        .routes(routes!(values::unit_values))
        .routes(routes!(values::enter_value))
        .routes(routes!(values::review_value))
        .routes(routes!(values::review_queue))
        .routes(routes!(values::grade_value))
        .routes(routes!(values::upload_evidence))
        .routes(routes!(values::download_evidence))
        .routes(routes!(admin::list_ledger, admin::propose_ledger))
        .routes(routes!(admin::decide_ledger))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::change_password))
        .routes(routes!(session::create_token, session::list_tokens))
        .routes(routes!(session::revoke_token))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::list_all_tokens))
        .routes(routes!(admin::revoke_any_token))
        .routes(routes!(admin::list_api_keys))
        .routes(routes!(admin::revoke_api_key))
        .routes(routes!(reports::results_report))
        .routes(routes!(reports::unit_report))
        .routes(routes!(reports::list_narratives))
        .routes(routes!(reports::save_narrative))
        .routes(routes!(reports::set_publication))
        .split_for_parts()
}
