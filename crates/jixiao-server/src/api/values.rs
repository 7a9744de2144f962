//! Reported values: a unit's values, entry and submission, review, the review queue, grading
//! and evidence files.

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::error::{ApiError, ApiJson, ErrorBody, WebError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use jixiao_app::grading::GradeValue;
use jixiao_app::values::{EnterValue, ReviewValue, ValueOut};
use jixiao_app::AppError;
use jixiao_core::workflow::Action;
use serde::Deserialize;
use utoipa::ToSchema;

/// A unit's reported values with their state and in-year status.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/values", tag = "values", params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = Vec<ValueOut>), (status = 403, body = ErrorBody)))]
pub async fn unit_values(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit)): Path<(String, String)>,
) -> ApiResult<Vec<ValueOut>> {
    let (_, mine) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::read::of_unit(s, actor, Some(&cycle), &unit)
        })
        .await?;
    Ok(Json(mine))
}

/// A value as entered by a unit. `value` is a number, or a grade for qualitative tasks.
#[derive(Deserialize, ToSchema)]
pub struct ValueIn {
    #[schema(schema_with = number_or_text)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub evidence: String,
    /// false saves a draft; true submits for review.
    #[serde(default)]
    pub submit: bool,
}

/// What was typed for a value: a JSON number, or a string (a grade, or a number as text);
/// anything else is passed on as its JSON text, which the action refuses as not a number
/// (after deciding whether the caller may enter it at all).
fn raw_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Enter (draft) or submit a value. A note is required when the value is off track.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)), request_body = ValueIn,
    responses((status = 200, body = ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enter_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<ValueIn>,
) -> ApiResult<ValueOut> {
    let v = EnterValue {
        cycle: Some(cycle),
        unit,
        task,
        period,
        value: raw_value(&body.value),
        note: body.note,
        evidence: body.evidence,
        submit: body.submit,
    };
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::values::enter(s, settings, actor, &v)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Approve,
    Return,
    Reopen,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    pub action: ReviewAction,
    /// Required to return (why) and to reopen (the reason).
    #[serde(default)]
    pub comment: String,
}

/// A value's history, oldest first: every save, submission, return with its reason, approval,
/// reopening, grade and import, with who and when.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/history", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)),
    responses((status = 200, body = Vec<jixiao_app::values::ValueStep>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn value_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
) -> ApiResult<Vec<jixiao_app::values::ValueStep>> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::values::history(s, actor, Some(&cycle), &unit, &task, &period)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentIn {
    /// The message (at most 2,000 characters).
    body: String,
}

/// Write on a value to its unit or its evaluators (the unit's reporters, the task's
/// evaluators, the office); answers the value's history, the comment last.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/comments", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)), request_body = CommentIn,
    responses((status = 200, body = Vec<jixiao_app::values::ValueStep>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<Vec<jixiao_app::values::ValueStep>> {
    Ok(Json(
        ctx.write(&state, move |s, _, actor| {
            jixiao_app::values::comment(s, actor, Some(&cycle), &unit, &task, &period, &body.body)
        })
        .await?,
    ))
}

/// Approve or return a submitted value (evaluators of the task), or reopen a value (administrators).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/review", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)), request_body = ReviewIn,
    responses((status = 200, body = ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<ReviewIn>,
) -> ApiResult<ValueOut> {
    let action = match body.action {
        ReviewAction::Approve => Action::Approve,
        ReviewAction::Return => Action::Return {
            comment: body.comment,
        },
        ReviewAction::Reopen => Action::Reopen {
            reason: body.comment,
        },
    };
    let r = ReviewValue {
        cycle: Some(cycle),
        unit,
        task,
        period,
        action,
    };
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::values::review(s, settings, actor, &r)
        })
        .await?,
    ))
}

/// Submitted values waiting for this evaluator (administrators see all).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/review-queue", tag = "values", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<ValueOut>), (status = 403, body = ErrorBody)))]
pub async fn review_queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<ValueOut>> {
    let (_, q) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::read::queue(s, actor, Some(&cycle))
        })
        .await?;
    Ok(Json(q))
}

#[derive(Deserialize, ToSchema)]
pub struct GradeIn {
    /// A grade of the task (qualitative) or a score on the task's scale (survey, leader evaluation).
    #[schema(schema_with = number_or_text)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub note: String,
}

/// An evaluator records a grade or score for a unit; it counts at once.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/grades/{task}", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path)), request_body = GradeIn,
    responses((status = 200, body = ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grade_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<GradeIn>,
) -> ApiResult<ValueOut> {
    let g = GradeValue {
        cycle: Some(cycle),
        unit,
        task,
        value: raw_value(&body.value),
        note: body.note,
    };
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::grading::grade(s, settings, actor, &g)
        })
        .await?,
    ))
}

/// The multipart form of an evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// A PDF, PNG, JPEG, xlsx or docx file, at most `evidence_max_bytes`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach an evidence file to a value (the unit's reporters and the office). A file added to
/// an approved value sends it back to review (`sent_back_to_review`).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/evidence", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)),
    request_body(content = inline(EvidenceForm), content_type = "multipart/form-data"),
    responses((status = 200), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<serde_json::Value> {
    // Asked before the upload is read, so a refused caller sends nothing in vain and learns
    // nothing from the form; the action asks again.
    jixiao_app::policy::require(&ctx.actor, jixiao_app::policy::Act::EnterValue(&unit))?;
    let form = form.map_err(|e| WebError::BadBody(e.body_text()))?;
    let Some((name, bytes)) = crate::upload::read(form, state.config.upload_max_bytes)
        .await?
        .file
    else {
        return Err(ApiError(WebError::App(AppError::Invalid(
            "the form has no `file` field".into(),
        ))));
    };
    let (id, resubmitted) = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::values::add_evidence(
                s,
                settings,
                actor,
                Some(&cycle),
                &unit,
                &task,
                &period,
                &name,
                &bytes,
            )
        })
        .await?;
    Ok(Json(
        serde_json::json!({ "id": id, "url": format!("/api/v1/evidence/{id}"), "sent_back_to_review": resubmitted }),
    ))
}

/// Download an evidence file.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "values", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "The file as it was uploaded (its own type: PDF, image, Office document)"), (status = 403, body = ErrorBody)))]
pub async fn download_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (info, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::evidence(s, actor, &id)
        })
        .await?;
    Ok(crate::download::evidence(&info, bytes))
}

/// A value as sent: a number, or a text (a grade, or a number written as text); null clears.
fn number_or_text() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    utoipa::openapi::RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    ))
}
