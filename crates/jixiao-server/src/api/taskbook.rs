//! 任务书编辑: task-book drafts (the office's), checked by the same reader as `jixiao check`,
//! edited a node at a time or as a whole, and issued as their cycle's version.

use crate::context::Ctx;
use crate::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use jixiao_app::drafts::{CheckRequest, Checked, DraftInfo, DraftView, Issued, NewDraft, NodeForm};
use serde::Deserialize;
use utoipa::ToSchema;

/// The drafts the office works on (a district office: its own).
#[utoipa::path(get, path = "/api/v1/taskbook-drafts", tag = "taskbook",
    responses((status = 200, body = Vec<DraftInfo>), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Vec<DraftInfo>> {
    Ok(Json(
        ctx.read(&state, |s, _, actor| jixiao_app::drafts::list(s, actor))
            .await?,
    ))
}

/// Starts a draft from a cycle's task book (`from`) or a blank one. 409 when the id is taken.
#[utoipa::path(post, path = "/api/v1/taskbook-drafts", tag = "taskbook", request_body = NewDraft,
    responses((status = 201, body = DraftView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewDraft>,
) -> Result<(StatusCode, Json<DraftView>), ApiError> {
    let view = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::drafts::create(s, actor, &body)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A draft: its text, the problems the check finds, what it would issue, its tree.
#[utoipa::path(get, path = "/api/v1/taskbook-drafts/{draft}", tag = "taskbook", params(("draft" = String, Path)),
    responses((status = 200, body = DraftView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<DraftView> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::drafts::get(s, actor, &id)
        })
        .await?,
    ))
}

/// A draft's whole text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SourceIn {
    pub source: String,
}

/// Saves a draft's whole text, valid or not, and checks it.
#[utoipa::path(put, path = "/api/v1/taskbook-drafts/{draft}", tag = "taskbook", params(("draft" = String, Path)), request_body = SourceIn,
    responses((status = 200, body = DraftView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SourceIn>,
) -> ApiResult<DraftView> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::drafts::save(s, actor, &id, &body.source)
        })
        .await?,
    ))
}

/// Deletes a draft (the cycles it issued stay).
#[utoipa::path(delete, path = "/api/v1/taskbook-drafts/{draft}", tag = "taskbook", params(("draft" = String, Path)),
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::drafts::delete(s, actor, &id)
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// Sets node `node` from the form (a node not in the draft is added; a different `id` in the
/// form renames it, its children following) and saves the draft.
#[utoipa::path(put, path = "/api/v1/taskbook-drafts/{draft}/nodes/{node}", tag = "taskbook", params(("draft" = String, Path), ("node" = String, Path)), request_body = NodeForm,
    responses((status = 200, body = DraftView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
    ApiJson(body): ApiJson<NodeForm>,
) -> ApiResult<DraftView> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::drafts::put_node(s, actor, &id, &node, &body)
        })
        .await?,
    ))
}

/// Removes a node that has no children and saves the draft.
#[utoipa::path(delete, path = "/api/v1/taskbook-drafts/{draft}/nodes/{node}", tag = "taskbook", params(("draft" = String, Path), ("node" = String, Path)),
    responses((status = 200, body = DraftView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
) -> ApiResult<DraftView> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::drafts::remove_node(s, actor, &id, &node)
        })
        .await?,
    ))
}

/// Issues a draft that passes the check as its cycle's task book: a new cycle, or the cycle's
/// next version (values reported stay). 422 lists every problem with its line.
#[utoipa::path(post, path = "/api/v1/taskbook-drafts/{draft}/issue", tag = "taskbook", params(("draft" = String, Path)),
    responses((status = 200, body = Issued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Issued> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::drafts::issue(s, actor, &id)
        })
        .await?,
    ))
}

/// Checks a task book (with a node form applied first, if given) without saving anything:
/// the editor's check as one types. The problems are the same as `jixiao check` prints.
#[utoipa::path(post, path = "/api/v1/taskbook/check", tag = "taskbook", request_body = CheckRequest,
    responses((status = 200, body = Checked), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<CheckRequest>,
) -> ApiResult<Checked> {
    Ok(Json(
        ctx.read(&state, move |_, _, actor| {
            jixiao_app::drafts::check(actor, &body)
        })
        .await?,
    ))
}
