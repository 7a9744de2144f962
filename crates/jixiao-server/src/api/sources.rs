//! Assessment sources made of many answers: surveys (市民评议) and rating rounds (领导评价,
//! 线上评绩效, 开门考评) for the office, and a rater's own ballots.

use crate::context::Ctx;
use crate::error::{ApiError, ApiJson, ApiResult, ErrorBody, WebError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use jixiao_app::ratings::{BallotView, RoundView};
use jixiao_app::surveys::{SurveyImported, SurveyView};
use jixiao_app::AppError;
use jixiao_core::basis::{RaterGroupDef, RoundDefinition, RoundKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The cycle's surveys with each unit's score (0–100), margin of error and sample (the office
/// and evaluators).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/surveys", tag = "sources", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<SurveyView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn surveys(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<SurveyView>> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::surveys::list(s, actor, Some(&cycle)).map(|(_, v)| v)
        })
        .await?,
    ))
}

/// The multipart form of a survey import.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SurveyForm {
    /// The questionnaire (TOML): items, weights, scale, task, the results file's columns.
    #[schema(value_type = String, format = Binary)]
    questionnaire: Vec<u8>,
    /// The survey company's results (CSV or xlsx), one row per unit.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Import a survey (the office): both files are checked whole first; each unit's score enters
/// the survey's task, approved. The same files again change nothing (`changed` false).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/surveys", tag = "sources", params(("cycle" = String, Path)),
    request_body(content = inline(SurveyForm), content_type = "multipart/form-data"),
    responses((status = 200, body = SurveyImported), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<SurveyImported> {
    jixiao_app::policy::require(&ctx.actor, jixiao_app::policy::Act::Administer)?;
    let form = form.map_err(|e| WebError::BadBody(e.body_text()))?;
    let mut form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let (Some(q), Some(r)) = (form.files.remove("questionnaire"), form.file) else {
        return Err(ApiError(WebError::App(AppError::Invalid(
            "the form needs a `questionnaire` file and a results `file`".into(),
        ))));
    };
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::surveys::import(s, actor, Some(&cycle), (&q.0, &q.1), (&r.0, &r.1))
        })
        .await?,
    ))
}

/// The cycle's rating rounds with completion and each unit's aggregate so far (the office):
/// never one rater's scores.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/rounds", tag = "sources", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<RoundView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rounds(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<RoundView>> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::ratings::list(s, actor, Some(&cycle))
        })
        .await?,
    ))
}

/// A rating round as the office declares it.
#[derive(Deserialize, ToSchema)]
pub struct RoundIn {
    /// Letters, digits, - and _.
    id: String,
    name: String,
    /// leader (领导评价), online (线上评绩效) or session (开门考评).
    #[schema(value_type = String)]
    kind: RoundKind,
    /// The task the aggregates enter when the round closes.
    task: Option<String>,
    /// Raters score from 0 to this (default 100).
    #[schema(exclusive_minimum = 0)]
    scale: Option<f64>,
    /// Group means are shown only when every group has this many ballots (default 3).
    #[schema(minimum = 1)]
    disclose_from: Option<u32>,
    /// Units rated (default: the task's units, or all).
    #[serde(default)]
    units: Vec<String>,
    groups: Vec<GroupIn>,
    /// The last day raters may cast or change a ballot (YYYY-MM-DD); absent: until the office
    /// closes the round.
    #[serde(default)]
    closes: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct GroupIn {
    id: String,
    name: String,
    #[schema(exclusive_minimum = 0)]
    weight: f64,
    /// Account ids with the rater role.
    raters: Vec<String>,
}

/// Open a rating round (the office). 409 when the cycle has the id already.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/rounds", tag = "sources", params(("cycle" = String, Path)), request_body = RoundIn,
    responses((status = 201, body = RoundView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<RoundIn>,
) -> Result<(StatusCode, Json<RoundView>), ApiError> {
    let d = RoundDefinition {
        id: body.id,
        name: body.name,
        kind: body.kind,
        task: body.task,
        scale: body.scale.unwrap_or(100.0),
        disclose_from: body.disclose_from.unwrap_or(3),
        units: body.units,
        closes: None,
        groups: body
            .groups
            .into_iter()
            .map(|g| RaterGroupDef {
                id: g.id,
                name: g.name,
                weight: g.weight,
                raters: g.raters,
            })
            .collect(),
    };
    let closes = body.closes;
    let view = ctx
        .write(&state, move |s, _, actor| {
            // Who may open a round is asked before its last day is read.
            jixiao_app::policy::require(actor, jixiao_app::policy::Act::Administer)?;
            let d = RoundDefinition {
                closes: match closes.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(c) => Some(chrono::NaiveDate::parse_from_str(c, "%Y-%m-%d").map_err(
                        |_| {
                            jixiao_app::AppError::Invalid(format!(
                                "closes: `{c}` is not a date such as 2020-12-31"
                            ))
                        },
                    )?),
                    None => None,
                },
                ..d
            };
            jixiao_app::ratings::open(s, actor, Some(&cycle), &d)?;
            jixiao_app::ratings::progress(s, actor, Some(&cycle), &d.id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One round's completion and aggregates as they come in (the office).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/rounds/{round}", tag = "sources", params(("cycle" = String, Path), ("round" = String, Path)),
    responses((status = 200, body = RoundView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, round)): Path<(String, String)>,
) -> ApiResult<RoundView> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::ratings::progress(s, actor, Some(&cycle), &round)
        })
        .await?,
    ))
}

/// Close a round (the office): a round with a task writes each rated unit's aggregate to it.
/// 409 when it is closed already.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/rounds/{round}/close", tag = "sources", params(("cycle" = String, Path), ("round" = String, Path)),
    responses((status = 200, body = RoundView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close_round(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, round)): Path<(String, String)>,
) -> ApiResult<RoundView> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::ratings::close(s, actor, Some(&cycle), &round)?;
            jixiao_app::ratings::progress(s, actor, Some(&cycle), &round)
        })
        .await?,
    ))
}

/// The rounds the caller is a rater of, with its own scores (评议人).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/ballots", tag = "sources", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<BallotView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ballots(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<BallotView>> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::ratings::my_rounds(s, settings, actor, Some(&cycle))
        })
        .await?,
    ))
}

/// A rater's scores in a round.
#[derive(Deserialize, ToSchema)]
pub struct BallotIn {
    /// Unit id → score (0 to the round's scale).
    scores: BTreeMap<String, f64>,
}

/// Score units in an open round one is a rater of (评议人): replaces one's earlier scores of
/// the same units. 409 once the round is closed.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/ballots/{round}", tag = "sources", params(("cycle" = String, Path), ("round" = String, Path)), request_body = BallotIn,
    responses((status = 200, body = BallotView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cast_ballot(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, round)): Path<(String, String)>,
    ApiJson(body): ApiJson<BallotIn>,
) -> ApiResult<BallotView> {
    let scores: Vec<(String, f64)> = body.scores.into_iter().collect();
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::ratings::cast(s, settings, actor, Some(&cycle), &round, &scores)?;
            jixiao_app::ratings::my_round(s, settings, actor, Some(&cycle), &round)
        })
        .await?,
    ))
}
