//! Reports, the paragraphs units write for them, and publication.

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The office's results report: rankings, grades, scorecards, charts and every score's
/// explanation (docx, html, md or xlsx).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/reports/results/{format}", tag = "reports",
    params(("cycle" = String, Path), ("format" = String, Path)),
    responses((status = 200, description = "The report in the format asked for: docx, xlsx, html or md", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/html"), (String = "text/markdown"))), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn results_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let r = ctx
        .read_lagging(&state, move |s, settings, actor| {
            jixiao_app::reports::results_report(s, settings, actor, Some(&cycle), &format)
        })
        .await?;
    Ok(crate::download::report(r))
}

/// A unit's self-assessment report (`self`: docx, html, md) or task self-check table
/// (`selfcheck`: xlsx, html, docx, md).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/reports/{kind}/{format}", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path), ("kind" = String, Path), ("format" = String, Path)),
    responses((status = 200, description = "The report in the format asked for: docx, xlsx, html or md", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/html"), (String = "text/markdown"))), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unit_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, kind, format)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let r = ctx
        .read_lagging(&state, move |s, settings, actor| {
            jixiao_app::reports::unit_report(
                s,
                settings,
                actor,
                Some(&cycle),
                &unit,
                &kind,
                &format,
            )
        })
        .await?;
    Ok(crate::download::report(r))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NarrativeOut {
    /// overview, highlights, rectification or next_year.
    pub section: String,
    pub text: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// The paragraphs a unit wrote for its self-assessment report.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/narratives", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = Vec<NarrativeOut>), (status = 403, body = ErrorBody)))]
pub async fn list_narratives(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit)): Path<(String, String)>,
) -> ApiResult<Vec<NarrativeOut>> {
    let list = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::reports::unit_narratives(s, actor, Some(&cycle), &unit)
        })
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|n| NarrativeOut {
                section: n.section,
                text: n.body,
                updated_by: n.updated_by,
                updated_at: n.updated_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NarrativeIn {
    /// The section's text; empty removes it. Rectification items one per line.
    pub text: String,
}

/// Saves one section of a unit's report text (the unit itself, or the office).
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/narratives/{section}", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path), ("section" = String, Path)), request_body = NarrativeIn,
    responses((status = 200, body = Changed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn save_narrative(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, section)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<NarrativeIn>,
) -> ApiResult<Changed> {
    let changed = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::reports::save_narrative(s, actor, Some(&cycle), &unit, &section, &body.text)
        })
        .await?;
    Ok(Json(Changed { changed }))
}

#[derive(Deserialize, ToSchema)]
pub struct PublicationIn {
    pub published: bool,
    /// Why the results are published again after they changed (更正原因): required for a
    /// correction, which becomes a new version with a public notice.
    #[serde(default)]
    pub reason: Option<String>,
    /// A period whose ranking to publish (季度排名: the figures of the periods up to it), apart
    /// from the year's results; a period's ranking is corrected, not withdrawn.
    #[serde(default)]
    pub period: Option<String>,
}

/// Publishes a cycle's results on the public pages as a frozen version, or withdraws them (the
/// office). Publishing again after the results changed makes a correction (a new version), which
/// needs a `reason`; publishing unchanged results changes nothing.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/publication", tag = "reports",
    params(("cycle" = String, Path)), request_body = PublicationIn,
    responses((status = 200, body = Changed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<PublicationIn>,
) -> ApiResult<Changed> {
    let change = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::reports::set_published(
                s,
                actor,
                Some(&cycle),
                body.published,
                body.period.as_deref(),
                body.reason.as_deref(),
            )
        })
        .await?;
    Ok(Json(Changed {
        changed: change != jixiao_app::Change::Unchanged,
    }))
}

/// What units see of their own scores before publication.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct VisibilityIn {
    /// `status` (their tasks' status only: the default), `task_scores` (their task scores, no
    /// total or rank) or `total_and_rank`.
    pub units_see: String,
}

/// What units see of their own scores in this cycle before publication.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/visibility", tag = "reports",
    params(("cycle" = String, Path)),
    responses((status = 200, body = VisibilityIn), (status = 404, body = ErrorBody)))]
pub async fn get_visibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<VisibilityIn> {
    let v = ctx
        .read(&state, move |s, _, actor| {
            if actor.is_public() {
                return Err(jixiao_app::AppError::Unauthenticated);
            }
            let id = jixiao_app::cycles::load(s, actor, Some(&cycle))?.cycle.id;
            jixiao_app::visibility::setting(s, &id)
        })
        .await?;
    Ok(Json(VisibilityIn {
        units_see: v.as_str().into(),
    }))
}

/// Sets what units see of their own scores before publication (the office).
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/visibility", tag = "reports",
    params(("cycle" = String, Path)), request_body = VisibilityIn,
    responses((status = 200, body = Changed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_visibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<VisibilityIn>,
) -> ApiResult<Changed> {
    let change = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::visibility::set(s, actor, Some(&cycle), &body.units_see)
        })
        .await?;
    Ok(Json(Changed {
        changed: change != jixiao_app::Change::Unchanged,
    }))
}

/// Whether a write changed anything.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Changed {
    pub changed: bool,
}
