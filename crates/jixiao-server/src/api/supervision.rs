//! 督查督办: supervision items, their progress reports and the office's decisions, the rules of
//! warnings and deductions, deductions applied to the ledger, and carrying pending items over.

use crate::context::Ctx;
use crate::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use jixiao_app::supervision::{Decision, ItemDetail, ItemView, NewItem};
use jixiao_core::supervision::SupervisionRules;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The office's rules: warnings and deductions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesIo {
    /// 黄色预警 from this many days before the deadline.
    #[schema(minimum = 0)]
    yellow_days: i64,
    /// 橙色预警 from this many days before the deadline (at most `yellow_days`).
    #[schema(minimum = 0)]
    orange_days: i64,
    /// Deducted for an item past its deadline and not closed by it.
    #[schema(minimum = 0)]
    overdue_points: f64,
    /// Deducted for an item found not rectified.
    #[schema(minimum = 0)]
    failed_points: f64,
}

impl From<SupervisionRules> for RulesIo {
    fn from(r: SupervisionRules) -> Self {
        RulesIo {
            yellow_days: r.yellow_days,
            orange_days: r.orange_days,
            overdue_points: r.overdue_points,
            failed_points: r.failed_points,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SupervisionOut {
    rules: RulesIo,
    /// Most urgent first.
    items: Vec<ItemView>,
}

/// The items one may see (every item for the office and evaluators, a unit's own for its
/// reporters), most urgent first, with the rules in force.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/supervision", tag = "supervision", params(("cycle" = String, Path)),
    responses((status = 200, body = SupervisionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn items(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<SupervisionOut> {
    let list = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::supervision::list(s, settings, actor, Some(&cycle))
        })
        .await?;
    Ok(Json(SupervisionOut {
        rules: list.rules.into(),
        items: list.items,
    }))
}

/// Enter an item (the office). 409 when the cycle has its id already.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision", tag = "supervision", params(("cycle" = String, Path)), request_body = NewItem,
    responses((status = 201, body = ItemDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<ItemDetail>), ApiError> {
    let detail = ctx
        .write(&state, move |s, settings, actor| {
            let id = jixiao_app::supervision::add(s, actor, Some(&cycle), &body)?;
            jixiao_app::supervision::item(s, settings, actor, Some(&cycle), &id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// The multipart form of an item list.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ItemsForm {
    /// CSV or xlsx: 编号 id, 事项 title, 来源 source, 来源文件 source_ref, 单位 unit, 办结期限
    /// deadline, 销号所需材料 evidence.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    inserted: usize,
    updated: usize,
    unchanged: usize,
}

/// Import the office's item list (every row checked first; the same file twice changes nothing).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision-import", tag = "supervision", params(("cycle" = String, Path)),
    request_body(content = inline(ItemsForm), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<ImportOut> {
    jixiao_app::policy::require(&ctx.actor, jixiao_app::policy::Act::Administer)?;
    let form = form.map_err(|e| crate::error::WebError::BadBody(e.body_text()))?;
    let file = crate::upload::read(form, state.config.upload_max_bytes)
        .await?
        .file
        .ok_or_else(|| {
            ApiError(crate::error::WebError::App(jixiao_app::AppError::Invalid(
                "the form has no `file` field".into(),
            )))
        })?;
    let out = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::supervision::import(s, actor, Some(&cycle), &file.0, &file.1)
        })
        .await?;
    Ok(Json(ImportOut {
        inserted: out.inserted,
        updated: out.updated,
        unchanged: out.unchanged,
    }))
}

/// One item with its progress reports.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/supervision/{id}", tag = "supervision", params(("cycle" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = ItemDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, id)): Path<(String, String)>,
) -> ApiResult<ItemDetail> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::supervision::item(s, settings, actor, Some(&cycle), &id)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportIn {
    /// Percent done.
    #[schema(minimum = 0, maximum = 100)]
    progress: i64,
    /// What was done.
    body: String,
    /// Ask the office to close the item (at 100 % only).
    #[serde(default)]
    request_closure: bool,
}

/// The unit's progress report (its reporters, or the office). 409 once the item is closed.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision/{id}/reports", tag = "supervision", params(("cycle" = String, Path), ("id" = String, Path)), request_body = ReportIn,
    responses((status = 200, body = ItemDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReportIn>,
) -> ApiResult<ItemDetail> {
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::supervision::report(
                s,
                actor,
                Some(&cycle),
                &id,
                body.progress,
                &body.body,
                body.request_closure,
            )?;
            jixiao_app::supervision::item(s, settings, actor, Some(&cycle), &id)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// close (销号), reopen (closure refused) or fail (未完成整改).
    decision: Decision,
}

/// The office's decision on an item. 409 when its state does not allow it.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision/{id}/decision", tag = "supervision", params(("cycle" = String, Path), ("id" = String, Path)), request_body = DecisionIn,
    responses((status = 200, body = ItemDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> ApiResult<ItemDetail> {
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::supervision::decide(s, settings, actor, Some(&cycle), &id, body.decision)?;
            jixiao_app::supervision::item(s, settings, actor, Some(&cycle), &id)
        })
        .await?,
    ))
}

/// Set the rules of warnings and deductions (the office).
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/supervision-rules", tag = "supervision", params(("cycle" = String, Path)), request_body = RulesIo,
    responses((status = 200, body = RulesIo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<RulesIo>,
) -> ApiResult<RulesIo> {
    let rules = SupervisionRules {
        yellow_days: body.yellow_days,
        orange_days: body.orange_days,
        overdue_points: body.overdue_points,
        failed_points: body.failed_points,
    };
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::supervision::set_rules(s, actor, Some(&cycle), &rules)
    })
    .await?;
    Ok(Json(body))
}

#[derive(Serialize, ToSchema)]
pub struct DeductionsOut {
    /// Deduction entries the items give today (entered once; again, nothing changes).
    entries: usize,
}

/// Turn overdue and failed items into deductions of the ledger by the rules (the office).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision-deductions", tag = "supervision", params(("cycle" = String, Path)),
    responses((status = 200, body = DeductionsOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deductions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<DeductionsOut> {
    let entries = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::supervision::apply_deductions(s, settings, actor, Some(&cycle))
        })
        .await?;
    Ok(Json(DeductionsOut { entries }))
}

#[derive(Deserialize, ToSchema)]
pub struct CarryIn {
    /// The next cycle.
    to: String,
    /// The carried items' new deadline, YYYY-MM-DD.
    deadline: String,
}

#[derive(Serialize, ToSchema)]
pub struct CarryOut {
    carried: usize,
}

/// Carry the cycle's pending items into the next cycle with a new deadline (the office).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/supervision-carry", tag = "supervision", params(("cycle" = String, Path)), request_body = CarryIn,
    responses((status = 200, body = CarryOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn carry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<CarryIn>,
) -> ApiResult<CarryOut> {
    let carried = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::policy::require(actor, jixiao_app::policy::Act::Administer)?;
            let deadline = chrono::NaiveDate::parse_from_str(body.deadline.trim(), "%Y-%m-%d")
                .map_err(|_| {
                    jixiao_app::AppError::Invalid(format!(
                        "deadline: `{}` is not a date such as 2021-06-30",
                        body.deadline
                    ))
                })?;
            jixiao_app::supervision::carry_over(s, actor, &cycle, &body.to, deadline)
        })
        .await?;
    Ok(Json(CarryOut { carried }))
}
