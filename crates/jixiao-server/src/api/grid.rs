//! 网格化管理 under `/api/v1/grid`: a grid inspector's patrol reports (posted by its app,
//! idempotent by report id) and the monthly grid figures. The same permissions as the pages: an
//! inspector reports in its own cell and lists its own reports; those who see the hotline read
//! the figures and reports (a district's reporter: its district's).

use crate::context::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use jixiao_app::hotline::grid::{Figures, NewReport, ReportItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FiguresQuery {
    /// `2020-06`; default: the newest month with reports.
    month: Option<String>,
    /// `district` (default), `street`, `community` or `grid`; `street` within a district.
    level: Option<String>,
    /// Only this district's areas.
    district: Option<String>,
}

/// The month's grid figures per area: 发现数, 自处率, 处置率, 按时处置率.
#[utoipa::path(get, path = "/api/v1/grid/figures", tag = "grid", params(FiguresQuery),
    responses((status = 200, body = Figures), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Figures> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::hotline::grid::figures(
                s,
                settings,
                actor,
                q.month.as_deref(),
                q.level.as_deref(),
                q.district.as_deref(),
            )
        })
        .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportsQuery {
    /// `2020-06`; default: the newest month with reports (an inspector: its own, newest first).
    month: Option<String>,
    district: Option<String>,
}

/// Patrol reports: an inspector's own; for those who see the hotline, a month's (at most 200,
/// newest first).
#[utoipa::path(get, path = "/api/v1/grid/reports", tag = "grid", params(ReportsQuery),
    responses((status = 200, body = Vec<ReportItem>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ReportsQuery>,
) -> ApiResult<Vec<ReportItem>> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::hotline::grid::reports(
                s,
                settings,
                actor,
                q.month.as_deref(),
                q.district.as_deref(),
            )
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    /// False when this report id was recorded before (nothing changed).
    recorded: bool,
    report: ReportItem,
}

/// A grid inspector reports what it found on patrol in its cell, disposed on the spot or passed
/// to the street (then a hotline case dispatched to the cell's street). 201 when recorded, 200
/// when the report id was recorded before.
#[utoipa::path(post, path = "/api/v1/grid/reports", tag = "grid", request_body = NewReport,
    responses((status = 201, body = ReportOut), (status = 200, body = ReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_report(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewReport>,
) -> Result<Response, crate::error::ApiError> {
    let (report, fresh) = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::grid::report(s, settings, actor, &body, None)
        })
        .await?;
    Ok(super::recorded_or_seen(
        fresh,
        ReportOut {
            recorded: fresh,
            report,
        },
    ))
}

/// One class of the patrol taxonomy.
#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    code: String,
    name: String,
    /// part (部件) or event (事件).
    kind: String,
}

/// The patrol taxonomy (部件/事件, after GB/T 30428.2): open to anyone signed in.
#[utoipa::path(get, path = "/api/v1/grid/categories", tag = "grid",
    responses((status = 200, body = Vec<CategoryOut>), (status = 401, body = ErrorBody)))]
pub async fn categories(ctx: Ctx) -> ApiResult<Vec<CategoryOut>> {
    if ctx.actor.is_public() {
        return Err(jixiao_app::AppError::Unauthenticated.into());
    }
    Ok(Json(
        jixiao_hotline::grid::built_in()
            .into_iter()
            .map(|c| CategoryOut {
                code: c.code.into(),
                name: c.name.into(),
                kind: match c.kind {
                    jixiao_hotline::grid::Kind::Part => "part",
                    jixiao_hotline::grid::Kind::Event => "event",
                }
                .into(),
            })
            .collect(),
    ))
}
