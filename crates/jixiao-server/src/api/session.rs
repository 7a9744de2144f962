//! Logging in and out, and one's own account: password and API tokens.

use crate::context::{client_address, log_in, peer, session_cookie, Ctx};
use crate::error::ApiResult;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jixiao_app::accounts::UserOut;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct LoginIn {
    user: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    user: UserOut,
    /// Send as X-CSRF-Token with every state-changing request made with the session cookie.
    csrf: String,
}

/// Log in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginIn,
    responses((status = 200, body = SessionOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    ApiJson(body): ApiJson<LoginIn>,
) -> Result<Response, ApiError> {
    let client = client_address(peer(&ext), &headers, &state.config.trusted_proxies);
    let session = log_in(&state, body.user, body.password, client).await?;
    let cookie = session_cookie(&state, &session.token, state.config.session_hours * 3600);
    Ok((
        [(SET_COOKIE, cookie)],
        Json(SessionOut {
            user: session.user.into(),
            csrf: session.csrf,
        }),
    )
        .into_response())
}

/// Log out; ends the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 200)))]
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    if let Some(token) = ctx.session.clone() {
        state
            .write(move |s, _| jixiao_app::accounts::logout(s, &token))
            .await?;
    }
    Ok((
        [(SET_COOKIE, session_cookie(&state, "", 0))],
        Json(serde_json::json!({"ok": true})),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    current: String,
    new: String,
}

/// Change one's own password; other sessions and every API token end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordIn, responses((status = 200), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<PasswordIn>,
) -> ApiResult<serde_json::Value> {
    let session = ctx.session.clone();
    ctx.write(&state, move |s, settings, actor| {
        jixiao_app::accounts::change_password(
            s,
            settings,
            actor,
            &body.current,
            &body.new,
            session.as_deref(),
        )
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    /// Shown once; send as `Authorization: Bearer TOKEN`.
    token: String,
}

/// Create an API token for machine clients, acting as oneself.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "session", request_body = TokenIn, responses((status = 200, body = TokenOut), (status = 401, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<TokenIn>,
) -> ApiResult<TokenOut> {
    let token = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::create_token(s, actor, &body.name)
        })
        .await?;
    Ok(Json(TokenOut { token }))
}

/// One's own API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "session", responses((status = 200, body = Vec<crate::api::admin::TokenInfo>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Vec<crate::api::admin::TokenInfo>> {
    let tokens = ctx
        .read(&state, |s, _, actor| {
            jixiao_app::accounts::tokens(s, actor, false)
        })
        .await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Revoke one of one's own API tokens by its id.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "session", params(("id" = String, Path)), responses((status = 200), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::accounts::revoke_token(s, actor, &id, false)
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// One's notifications of the newest cycle: values returned, approved or reopened and comments
/// (a unit), values waiting for review and comments (an evaluator), bonus applications (the
/// office), newest first, led by the to-do's or the review queue's count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "session",
    responses((status = 200, body = jixiao_app::notices::Notices), (status = 401, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<jixiao_app::notices::Notices> {
    Ok(axum::Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::notices::notices(s, settings, actor, None)
        })
        .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct SeenIn {
    /// The newest notification read (`newest` of the list).
    seq: i64,
}

/// Marks one's notifications read up to `seq`.
#[utoipa::path(post, path = "/api/v1/notifications/seen", tag = "session", request_body = SeenIn,
    responses((status = 200), (status = 401, body = ErrorBody)))]
pub async fn notifications_seen(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<SeenIn>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::notices::mark_seen(s, actor, body.seq)
    })
    .await?;
    Ok(axum::Json(serde_json::json!({ "seen": body.seq })))
}
