//! 接诉即办 under `/api/v1/hotline`: the monthly ranking, a unit's month, case lists and cases,
//! the work waiting for the caller, and case events posted as they happen (by the 12345
//! centre's platform or a handler's app), idempotent by event id. The same permissions as the
//! pages: the centre sees every case, a handler its unit's, a district's reporter its district's.

use crate::context::Ctx;
use crate::error::{ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jixiao_app::hotline::read::{CaseDetail, CaseQuery, CaseRow};
use jixiao_app::hotline::work::{CaseAction, Queue};
use jixiao_app::AppError;
use jixiao_hotline::geography::Level;
use jixiao_hotline::rollup::Ranked;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RankingQuery {
    /// `2020-06`; default: the newest month with cases.
    month: Option<String>,
    /// `street` (default) or `district`.
    level: Option<String>,
    /// Only this district's streets.
    district: Option<String>,
}

/// A unit's figures of one month and its rank.
#[derive(Serialize, ToSchema)]
pub struct RankedOut {
    /// Competition rank by score; none without a score.
    rank: Option<u32>,
    unit: String,
    name: String,
    accepted: i64,
    excluded: i64,
    response_rate: Option<f64>,
    resolution_rate: Option<f64>,
    satisfaction_rate: Option<f64>,
    /// Every rate of the month's rules (weighted and reported), with its Wilson interval.
    rates: Vec<RateOut>,
    /// Weighted composite of the weighted rates, 0–100.
    score: Option<f64>,
    /// The score's interval at the rules' confidence.
    score_low: Option<f64>,
    score_high: Option<f64>,
    /// The score the rank is by (the score, or after shrinkage toward the group when the
    /// rules shrink).
    ranking_score: Option<f64>,
    /// Fewer accepted cases than the rules' minimum: not ranked (样本不足).
    insufficient: bool,
    /// The score's interval overlaps a neighbour's in the order: statistically tied.
    tied: bool,
    /// The rates that cannot be computed, and why.
    missing: Vec<String>,
    /// Accepted cases per 10,000 residents (when the geography knows the population).
    per_10k_residents: Option<f64>,
    /// The score the unit's category mix leads one to expect (the group's rate for each of its
    /// categories), and its score adjusted for the mix: observed − expected + the group's.
    mix_expected_score: Option<f64>,
    mix_adjusted_score: Option<f64>,
}

/// One rate of a unit's month.
#[derive(Serialize, ToSchema)]
pub struct RateOut {
    /// The rules' id: response, resolution, satisfaction, on_time_completion, reopen, …
    id: String,
    name: String,
    numerator: f64,
    denominator: i64,
    value: Option<f64>,
    /// Wilson interval.
    low: Option<f64>,
    high: Option<f64>,
    /// Pulled toward the group's rate, when the rules shrink.
    adjusted: Option<f64>,
    /// Weight in the score; 0 = reported only.
    weight: f64,
    lower_is_better: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RankingOut {
    month: String,
    level: String,
    district: Option<String>,
    units: Vec<RankedOut>,
}

fn ranked_out(
    r: Ranked,
    geo: &jixiao_hotline::geography::Geography,
    mix: Option<&(f64, f64)>,
) -> RankedOut {
    let a = r.assessment;
    RankedOut {
        per_10k_residents: jixiao_app::hotline::read::per_10k(geo, &r.unit, a.accepted),
        mix_expected_score: mix.map(|m| m.0),
        mix_adjusted_score: mix.map(|m| m.1),
        rank: r.rank,
        name: geo.place_name(&r.unit),
        unit: r.unit,
        accepted: a.accepted,
        excluded: a.excluded,
        response_rate: a.response_rate,
        resolution_rate: a.resolution_rate,
        satisfaction_rate: a.satisfaction_rate,
        rates: a
            .rates
            .into_iter()
            .map(|v| RateOut {
                id: v.id,
                name: v.name,
                numerator: v.numerator,
                denominator: v.denominator,
                value: v.value,
                low: v.low,
                high: v.high,
                adjusted: v.adjusted,
                weight: v.weight,
                lower_is_better: v.lower_is_better,
            })
            .collect(),
        score: a.score,
        score_low: a.score_low,
        score_high: a.score_high,
        ranking_score: r.ranking_score,
        insufficient: r.insufficient,
        tied: r.tied,
        missing: a.missing,
    }
}

fn level_of(text: Option<&str>) -> Result<bool, AppError> {
    match text.unwrap_or("street") {
        "street" => Ok(false),
        "district" => Ok(true),
        other => Err(AppError::Invalid(format!(
            "level `{other}` is street or district"
        ))),
    }
}

/// The monthly ranking of streets (or districts) by the hotline's rates.
#[utoipa::path(get, path = "/api/v1/hotline/ranking", tag = "hotline", params(RankingQuery),
    responses((status = 200, body = RankingOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "No hotline cases yet")))]
pub async fn ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult<RankingOut> {
    let by_district = level_of(q.level.as_deref())?;
    let out = ctx
        .read(&state, move |s, settings, actor| {
            let district = jixiao_app::hotline::read::district_for(actor, q.district.as_deref());
            let (month, ranked) = jixiao_app::hotline::read::ranking(
                s,
                actor,
                &settings.hotline,
                q.month.as_deref(),
                by_district,
                district.as_deref(),
                None,
            )?;
            let reference = jixiao_app::hotline::open311::reference(s)?;
            let geo = &reference.1;
            let mix = jixiao_app::hotline::read::mix_scores(
                s,
                &settings.hotline,
                &month,
                by_district,
                district.as_deref(),
                None,
            )?;
            Ok(RankingOut {
                month,
                level: if by_district { "district" } else { "street" }.into(),
                district,
                units: ranked
                    .into_iter()
                    .map(|r| {
                        let m = mix.get(&r.unit);
                        ranked_out(r, geo, m)
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(out))
}

/// One unit's month: its figures and rank among the units of its level the caller may see
/// (the city's; a district's reporter: its district's streets).
#[utoipa::path(get, path = "/api/v1/hotline/units/{unit}/months/{month}", tag = "hotline",
    params(("unit" = String, Path), ("month" = String, Path, description = "2020-06")),
    responses((status = 200, body = RankedOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody, description = "Not a month")))]
pub async fn unit_month(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit, month)): Path<(String, String)>,
) -> ApiResult<RankedOut> {
    let out = ctx
        .read(&state, move |s, settings, actor| {
            let reference = jixiao_app::hotline::open311::reference(s)?;
            let geo = &reference.1;
            let area = geo
                .get(&unit)
                .filter(|a| matches!(a.level, Level::District | Level::Street))
                .ok_or_else(|| AppError::NotFound(format!("unit `{unit}`")))?;
            let by_district = area.level == Level::District;
            let own = geo.ancestor(&unit, Level::District).map(|d| d.id.clone());
            // The city's ranking when the caller sees the city; else the district's own.
            let scope = match jixiao_app::hotline::read::district_for(actor, None) {
                Some(d) => Some(d),
                None if jixiao_app::policy::allows(
                    actor,
                    jixiao_app::policy::Act::ViewHotline(None),
                ) =>
                {
                    None
                }
                None => own.clone(),
            };
            if scope.is_some() && scope != own {
                return Err(AppError::NotFound(format!("unit `{unit}`")));
            }
            let (_, ranked) = jixiao_app::hotline::read::ranking(
                s,
                actor,
                &settings.hotline,
                Some(&month),
                by_district,
                scope.as_deref().filter(|_| !by_district),
                None,
            )?;
            let r = ranked
                .into_iter()
                .find(|r| r.unit == unit)
                .ok_or_else(|| AppError::NotFound(format!("cases of `{unit}` in {month}")))?;
            let mix = jixiao_app::hotline::read::mix_scores(
                s,
                &settings.hotline,
                &month,
                by_district,
                scope.as_deref().filter(|_| !by_district),
                None,
            )?;
            Ok(ranked_out(r, geo, mix.get(&unit)))
        })
        .await?;
    Ok(Json(out))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CasesQuery {
    /// `2020-06`.
    month: Option<String>,
    district: Option<String>,
    /// A street or department.
    unit: Option<String>,
    /// A grid cell.
    grid: Option<String>,
    /// A category code or its prefix.
    category: Option<String>,
    /// received, dispatched, responded, handled, called_back or closed.
    stage: Option<String>,
    /// Only open cases past their completion deadline.
    overdue: Option<bool>,
    /// The `next` cursor of the previous answer: the page after it.
    after: Option<String>,
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CasesOut {
    cases: Vec<CaseRow>,
    /// Matching cases, counted up to 10,000.
    total: i64,
    total_capped: bool,
    /// Pass as `after` for the next (older) page; none on the last page.
    next: Option<String>,
}

/// Cases, newest first, 50 a page, paged by cursor. Contacts are masked.
#[utoipa::path(get, path = "/api/v1/hotline/cases", tag = "hotline", params(CasesQuery),
    responses((status = 200, body = CasesOut), (status = 403, body = ErrorBody)))]
pub async fn cases(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> ApiResult<CasesOut> {
    let query = CaseQuery {
        month: q.month,
        district: q.district,
        unit: q.unit,
        grid: q.grid,
        category: q.category,
        stage: q.stage,
        overdue: q.overdue.unwrap_or(false),
        after: q.after,
        before: None,
        page: 1,
    };
    let page = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::hotline::read::cases(s, settings, actor, &query)
        })
        .await?;
    Ok(Json(CasesOut {
        cases: page.cases,
        total: page.total,
        total_capped: page.total_capped,
        next: page.next,
    }))
}

/// One case with its timeline, events and the steps the caller may take now.
#[utoipa::path(get, path = "/api/v1/hotline/cases/{id}", tag = "hotline", params(("id" = String, Path)),
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody)))]
pub async fn case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<CaseDetail> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::hotline::read::case(s, settings, actor, &id)
        })
        .await?,
    ))
}

/// A step on a case, as it happened.
#[derive(Deserialize, ToSchema)]
pub struct CaseEventIn {
    /// The sender's id of this event: the same id posted again records nothing new.
    event_id: Option<String>,
    /// When it happened (RFC 3339); default: now. Not in the future.
    #[schema(value_type = Option<String>, format = DateTime)]
    at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(flatten)]
    step: CaseAction,
}

#[derive(Serialize, ToSchema)]
pub struct CaseEventOut {
    /// False when this event id was recorded before (nothing changed).
    recorded: bool,
    /// The case after the step; none when the caller no longer sees it (a handler's return).
    case: Option<CaseDetail>,
}

/// Records a step on a case: `dispatch`/`redispatch` (unit), `accept`, `return` (reason),
/// `handle` (note), `callback` (solved, satisfaction), `close` (closure), `reopen` (reason),
/// `note` (text), `apply_exclusion` (reason, note: a street's application to leave the case out
/// of its rates, decided by the centre), and 吹哨报到: `summon` (department, task, due: the case's
/// street summons a department of its district), `report_part` and `finish_part` (department,
/// note: the summoned department's own steps). The centre takes the centre's steps (and may
/// record a handler's, as its platform mirrors them); a handler takes its own unit's, a
/// department's handler its own parts. A case is handled once every summoned department has
/// finished (409 before). 201 when recorded, 200 when the event id was recorded before.
#[utoipa::path(post, path = "/api/v1/hotline/cases/{id}/events", tag = "hotline", params(("id" = String, Path)),
    request_body = CaseEventIn,
    responses((status = 201, body = CaseEventOut), (status = 200, body = CaseEventOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "An exclusion application is pending, the case is excluded already, or summoned departments have not finished"), (status = 422, body = ErrorBody)))]
pub async fn post_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseEventIn>,
) -> Result<Response, crate::error::ApiError> {
    let (fresh, case) = ctx
        .write(&state, move |s, settings, actor| {
            let taken = jixiao_app::hotline::work::act(
                s,
                settings,
                actor,
                &id,
                &body.step,
                body.event_id.as_deref(),
                body.at,
            )?;
            // A handler who returned the case no longer sees it: answer with what it was sent.
            let case = match jixiao_app::hotline::read::case(s, settings, actor, &id) {
                Ok(c) => c,
                Err(AppError::NotFound(_)) => {
                    return Ok((taken.fresh, None));
                }
                Err(e) => return Err(e),
            };
            Ok((taken.fresh, Some(case)))
        })
        .await?;
    Ok(super::recorded_or_seen(
        fresh,
        CaseEventOut {
            recorded: fresh,
            case,
        },
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ExclusionDecisionIn {
    /// true: the case leaves the unit's rates; false: the application is refused.
    approve: bool,
}

/// The centre decides a street's pending application to leave a case out of its rates.
#[utoipa::path(post, path = "/api/v1/hotline/cases/{id}/exclusion-decision", tag = "hotline", params(("id" = String, Path)),
    request_body = ExclusionDecisionIn,
    responses((status = 200, body = CaseDetail), (status = 403, body = ErrorBody)))]
pub async fn decide_exclusion(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExclusionDecisionIn>,
) -> ApiResult<CaseDetail> {
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::hotline::work::decide_exclusion(s, settings, actor, &id, body.approve)?;
            jixiao_app::hotline::read::case(s, settings, actor, &id)
        })
        .await?,
    ))
}

/// The cases waiting for the caller: the centre's to dispatch (returns to arbitrate included)
/// and to call back; a handler's open cases, the most urgent first.
#[utoipa::path(get, path = "/api/v1/hotline/work", tag = "hotline",
    responses((status = 200, body = Queue), (status = 403, body = ErrorBody)))]
pub async fn work(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Queue> {
    Ok(Json(
        ctx.read(&state, move |s, settings, actor| {
            jixiao_app::hotline::work::queue(s, settings, actor)
        })
        .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BoardsQuery {
    /// `2020-06`; default: the newest month with cases.
    month: Option<String>,
    /// `street` (default: per district) or `district` (the city and each group of the newest
    /// performance cycle).
    level: Option<String>,
}

/// One group's red and black lists.
#[derive(Serialize, ToSchema)]
pub struct BoardOut {
    /// A district id, a group id of the cycle, or `city`.
    group: String,
    name: String,
    /// The best units, best first.
    red: Vec<RankedOut>,
    /// The worst units, worst first.
    black: Vec<RankedOut>,
}

#[derive(Serialize, ToSchema)]
pub struct BoardsOut {
    month: String,
    level: String,
    groups: Vec<BoardOut>,
}

/// The month's 红黑榜: the first and last units of each group's ranking (as many as the rules'
/// `board_size`; units with too few cases are on neither list).
#[utoipa::path(get, path = "/api/v1/hotline/boards", tag = "hotline", params(BoardsQuery),
    responses((status = 200, body = BoardsOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "No hotline cases yet"), (status = 422, body = ErrorBody)))]
pub async fn boards(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<BoardsQuery>,
) -> ApiResult<BoardsOut> {
    let by_district = level_of(q.level.as_deref())?;
    let out = ctx
        .read(&state, move |s, settings, actor| {
            let (month, groups) = jixiao_app::hotline::read::boards(
                s,
                actor,
                &settings.hotline,
                q.month.as_deref(),
                by_district,
            )?;
            let geo = &jixiao_app::hotline::open311::reference(s)?.1;
            Ok(BoardsOut {
                month,
                level: if by_district { "district" } else { "street" }.into(),
                groups: groups
                    .into_iter()
                    .map(|b| BoardOut {
                        group: b.group,
                        name: b.name,
                        red: b
                            .red
                            .into_iter()
                            .map(|r| ranked_out(r, geo, None))
                            .collect(),
                        black: b
                            .black
                            .into_iter()
                            .map(|r| ranked_out(r, geo, None))
                            .collect(),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(out))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct GovernanceQuery {
    /// `2020-06`; default: the newest month with cases.
    month: Option<String>,
}

/// The month's 治理类街乡镇: streets meeting the rules' condition (worst share by score, busiest
/// share per 10,000 residents) for the rules' number of consecutive months, with the month each
/// entered the list; and those that left it this month. A district's reporter sees its streets.
#[utoipa::path(get, path = "/api/v1/hotline/governance", tag = "hotline", params(GovernanceQuery),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "No hotline cases yet"), (status = 422, body = ErrorBody)))]
pub async fn governance(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<GovernanceQuery>,
) -> ApiResult<serde_json::Value> {
    let out = ctx
        .read(&state, move |s, settings, actor| {
            let g = jixiao_app::hotline::read::governance(
                s,
                actor,
                &settings.hotline,
                q.month.as_deref(),
            )?;
            serde_json::to_value(g).map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(Json(out))
}

/// Every designated 每月一题, newest month first.
#[utoipa::path(get, path = "/api/v1/hotline/problems", tag = "hotline",
    responses((status = 200, body = Vec<jixiao_app::hotline::problems::ProblemRow>), (status = 403, body = ErrorBody)))]
pub async fn problems(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Vec<jixiao_app::hotline::problems::ProblemRow>> {
    let out = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::hotline::problems::list(s, actor)
        })
        .await?;
    Ok(Json(out))
}

/// One 每月一题 with its action items and measured effect (difference in differences of the
/// category's cases and rates, treated streets against untreated ones).
#[utoipa::path(get, path = "/api/v1/hotline/problems/{id}", tag = "hotline",
    params(("id" = String, Path, description = "P2020-07-0301")),
    responses((status = 200, body = jixiao_app::hotline::problems::ProblemView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn problem(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<jixiao_app::hotline::problems::ProblemView> {
    let out = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::hotline::problems::view(s, settings, actor, &id)
        })
        .await?;
    Ok(Json(out))
}

/// An action item of a designation.
#[derive(Deserialize, ToSchema)]
pub struct ActionIn {
    text: String,
    owner: String,
    /// `2020-07-31`.
    due: String,
}

/// The month's problem, as the office designates it.
#[derive(Deserialize, ToSchema)]
pub struct DesignationIn {
    /// `2020-07`.
    month: String,
    title: String,
    /// A category code of the catalogue.
    category: String,
    /// Street ids; none = the whole city.
    #[serde(default)]
    places: Vec<String>,
    #[serde(default)]
    leads: Vec<String>,
    #[serde(default)]
    actions: Vec<ActionIn>,
    /// Months compared on each side (1–12, default 3).
    window: Option<u32>,
}

/// Designates the month's problem (the office). 409 when the month's problem of that category
/// is designated already.
#[utoipa::path(post, path = "/api/v1/hotline/problems", tag = "hotline", request_body = DesignationIn,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn designate(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(d): ApiJson<DesignationIn>,
) -> Result<Response, crate::error::ApiError> {
    let d = jixiao_app::hotline::problems::Designation {
        month: d.month,
        title: d.title,
        category: d.category,
        places: d.places,
        leads: d.leads,
        actions: d
            .actions
            .into_iter()
            .map(|a| (a.text, a.owner, a.due))
            .collect(),
        window: d.window,
    };
    let p = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::problems::designate(s, settings, actor, &d)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}
