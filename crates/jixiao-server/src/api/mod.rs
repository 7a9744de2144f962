//! The JSON API under `/api/v1`, with its OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`, browsable at `/api/v1/docs`). Handlers parse the request, call the
//! application (which decides permissions before it looks anything up, so a guessed id tells
//! nothing) and answer JSON; CSRF is checked by the session layer for cookie sessions.
//!
//! Modules: [`health`], [`cycles`] (scores, rankings, progress, explanations), [`values`] (entry, review,
//! grading, evidence), [`admin`] (ledger, audit log, users), [`session`] (login, logout, own
//! account), [`reports`] (reports, report texts, publication), [`hotline`] (接诉即办: rankings,
//! cases, case work and events), [`grid`] (网格化管理: patrol reports and grid figures),
//! [`sources`] (多元评价: surveys, rating rounds, a rater's ballots), [`supervision`] (督查督办).

mod admin;
mod cycles;
mod grid;
pub(crate) mod health;
mod hotline;
mod reports;
mod session;
mod sources;
mod supervision;
mod taskbook;
mod values;

use crate::state::AppState;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "jixiao API", version = "1", description = "Government performance management: cycles, scores with explanations, rankings, reported values and their review."),
    paths(health::health),
    tags((name = "cycles", description = "Scores, rankings and progress"), (name = "values", description = "Reporting and review"), (name = "reports", description = "Reports, report texts and publication"), (name = "admin", description = "Audit log and accounts"), (name = "session", description = "Login, logout, own account"), (name = "hotline", description = "接诉即办: rankings, cases, case work and events"), (name = "grid", description = "网格化管理: patrol reports and grid figures"), (name = "sources", description = "多元评价: surveys, rating rounds and ballots"), (name = "supervision", description = "督查督办: supervision items, progress, warnings and deductions"), (name = "taskbook", description = "任务书编辑: task-book drafts, checked as they are edited, issued as a cycle's version"))
)]
struct ApiDoc;

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(cycles::list_cycles))
        .routes(routes!(cycles::ranking))
        .routes(routes!(cycles::tags))
        .routes(routes!(cycles::levels))
        .routes(routes!(taskbook::list, taskbook::create))
        .routes(routes!(taskbook::get, taskbook::save, taskbook::delete))
        .routes(routes!(taskbook::put_node, taskbook::delete_node))
        .routes(routes!(taskbook::issue))
        .routes(routes!(taskbook::check))
        .routes(routes!(cycles::tag_ranking))
        .routes(routes!(cycles::progress))
        .routes(routes!(cycles::unit_scores))
        .routes(routes!(cycles::explain_node))
        .routes(routes!(values::unit_values))
        .routes(routes!(values::enter_value))
        .routes(routes!(values::review_value))
        .routes(routes!(values::value_history))
        .routes(routes!(values::comment_value))
        .routes(routes!(session::notifications))
        .routes(routes!(session::notifications_seen))
        .routes(routes!(values::review_queue))
        .routes(routes!(values::grade_value))
        .routes(routes!(values::upload_evidence))
        .routes(routes!(values::download_evidence))
        .routes(routes!(admin::list_ledger, admin::propose_ledger))
        .routes(routes!(admin::decide_ledger))
        .routes(routes!(admin::list_honours, admin::add_honour))
        .routes(routes!(admin::decide_honour))
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
        .routes(routes!(reports::get_visibility, reports::set_visibility))
        .routes(routes!(hotline::ranking))
        .routes(routes!(hotline::boards))
        .routes(routes!(hotline::governance))
        .routes(routes!(hotline::problems, hotline::designate))
        .routes(routes!(hotline::problem))
        .routes(routes!(hotline::unit_month))
        .routes(routes!(hotline::cases))
        .routes(routes!(hotline::case))
        .routes(routes!(hotline::post_event))
        .routes(routes!(hotline::decide_exclusion))
        .routes(routes!(hotline::work))
        .routes(routes!(grid::figures))
        .routes(routes!(grid::reports, grid::post_report))
        .routes(routes!(grid::categories))
        .routes(routes!(sources::surveys, sources::import_survey))
        .routes(routes!(sources::rounds, sources::open_round))
        .routes(routes!(sources::round))
        .routes(routes!(sources::close_round))
        .routes(routes!(sources::ballots))
        .routes(routes!(sources::cast_ballot))
        .routes(routes!(supervision::items, supervision::add_item))
        .routes(routes!(supervision::item))
        .routes(routes!(supervision::report))
        .routes(routes!(supervision::decide))
        .routes(routes!(supervision::set_rules))
        .routes(routes!(supervision::deductions))
        .routes(routes!(supervision::carry))
        .routes(routes!(supervision::import))
        .split_for_parts();
    (router, documented(api))
}

/// The answer to a write a sender may repeat with its own id (a case event, a patrol report):
/// 201 when it was recorded now, 200 when the id was recorded before and nothing changed.
pub(crate) fn recorded_or_seen(
    fresh: bool,
    body: impl serde::Serialize,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = if fresh {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
    };
    (status, axum::Json(body)).into_response()
}

/// Operations anyone may call without logging in.
const OPEN: [&str; 3] = ["/health", "/api/v1/session", "/api/v1/cycles"];

/// Completes the generated document with what every operation shares: the two ways to
/// authenticate (the session cookie, whose writes also need the X-CSRF-Token header, and a
/// bearer token), and the errors any operation can answer (401 without a login, 404 for a path
/// naming nothing, 413, 415 and 422 for a body that is too large, of another type or not what
/// the operation reads), each with the JSON error body.
fn documented(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
    };
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::context::SESSION_COOKIE,
            "The session cookie set by POST /api/v1/session; requests that change anything also send its csrf value as the X-CSRF-Token header.",
        ))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    let authenticated = vec![
        SecurityRequirement::new("session", Vec::<String>::new()),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
    ];
    for (path, item) in api.paths.paths.iter_mut() {
        let open = OPEN.contains(&path.as_str());
        let with_id = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let r = &mut op.responses.responses;
            if open {
                op.security = Some(vec![SecurityRequirement::default()]);
                r.entry("401".into()).or_insert_with(|| {
                    error("A session cookie or token was sent and has ended or is not valid")
                });
            } else {
                op.security = Some(authenticated.clone());
                r.entry("401".into())
                    .or_insert_with(|| error("Not logged in, or the session or token has ended"));
                r.entry("403".into())
                    .or_insert_with(|| error("The account may not do this"));
            }
            if with_id {
                r.entry("404".into()).or_insert_with(|| {
                    error("Nothing with that id (or not visible to the account)")
                });
            }
            let has_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == utoipa::openapi::path::ParameterIn::Query);
            if has_query {
                r.entry("422".into())
                    .or_insert_with(|| error("A query parameter is not what the operation reads"));
            }
            if op.request_body.is_some() {
                r.entry("413".into())
                    .or_insert_with(|| error("The body is larger than upload_max_bytes"));
                r.entry("415".into()).or_insert_with(|| {
                    error("The body is not of the content type the operation reads")
                });
                r.entry("422".into())
                    .or_insert_with(|| error("The body is not what the operation reads"));
            }
            r.entry("503".into())
                .or_insert_with(|| error("The database is busy; try again (Retry-After)"));
        }
    }
    api
}
