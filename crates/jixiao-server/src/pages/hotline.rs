//! 接诉即办 pages: the dashboard (monthly ranking with the three rates, trends, category heat
//! map, overdue cases, repeat clusters and the month's themes), the case list with filters and
//! paging, and a case with its timeline. Requester contacts are masked everywhere; the office
//! can see one in full, and every such view is recorded.

use super::render::PageRoute;
use super::render::{after, render, script_json, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::hotline::read::{query_value, CaseDetail, CaseQuery, DashboardQuery, Named};
use jixiao_app::hotline::work::CaseAction;
use jixiao_app::policy::{allows, Act};
use jixiao_hotline::rollup::Assessment;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/hotline", get(dashboard)),
        (Method::GET, "/hotline/cases", get(case_list)),
        (Method::GET, "/hotline/cases/{id}", get(case_page)),
        (
            Method::POST,
            "/hotline/cases/{id}/contact",
            post(contact_view),
        ),
        (
            Method::POST,
            "/hotline/cases/{id}/exclusion",
            post(exclusion_submit),
        ),
        (Method::POST, "/hotline/cases/{id}/steps", post(step_submit)),
        (Method::POST, "/hotline/cases/{id}/files", post(file_submit)),
        (Method::GET, "/hotline/files/{id}", get(file_download)),
        (
            Method::POST,
            "/hotline/cases/{id}/exclusion-decision",
            post(exclusion_decision),
        ),
        (Method::GET, "/hotline/work", get(work_page)),
        (Method::GET, "/hotline/map", get(map_boundaries)),
        (Method::GET, "/hotline/problems", get(problems_page)),
        (Method::POST, "/hotline/problems", post(problem_designate)),
        (Method::GET, "/hotline/problems/{id}", get(problem_page)),
        (
            Method::POST,
            "/hotline/problems/{id}/actions/{n}",
            post(problem_action),
        ),
    ]
}

/// The boundaries a map of the dashboard or a case page draws (GeoJSON): the districts, or a
/// district's streets with `?district=`.
async fn map_boundaries(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    use axum::response::IntoResponse;
    let district = ctx.q("district");
    let body = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::hotline::read::map(s, actor, district.as_deref())
        })
        .await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "private, max-age=300")],
        axum::Json(body),
    )
        .into_response())
}

/// The streets a case can be sent to (offered when the viewer may dispatch it).
fn dispatch_targets(
    s: &mut jixiao_app::Store,
    c: &CaseDetail,
) -> Result<Vec<Named>, jixiao_app::AppError> {
    if !c
        .steps
        .iter()
        .any(|x| *x == "dispatch" || *x == "redispatch")
    {
        return Ok(Vec::new());
    }
    jixiao_app::hotline::work::streets(s)
}

/// A step form: `step` names the event, the other fields what it needs.
#[derive(Deserialize)]
struct StepForm {
    step: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    solved: Option<String>,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    closure: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    task: String,
    #[serde(default)]
    due: String,
}

impl StepForm {
    fn action(self) -> Result<CaseAction, jixiao_app::AppError> {
        use jixiao_hotline::case::{Closure, Satisfaction};
        let bad = |what: &str| jixiao_app::AppError::Invalid(what.to_string());
        Ok(match self.step.as_str() {
            "dispatch" => CaseAction::Dispatch { unit: self.unit },
            "redispatch" => CaseAction::Redispatch { unit: self.unit },
            "respond" => CaseAction::Accept,
            "return" => CaseAction::Return {
                reason: self.reason,
            },
            "handle" => CaseAction::Handle { note: self.note },
            "note" => CaseAction::Note { text: self.note },
            "reopen" => CaseAction::Reopen {
                reason: self.reason,
            },
            "callback" => CaseAction::Callback {
                solved: self.solved.is_some(),
                satisfaction: Satisfaction::parse(&self.satisfaction).ok_or_else(|| {
                    bad("satisfaction is satisfied, basically_satisfied or not_satisfied")
                })?,
            },
            "close" => CaseAction::Close {
                closure: Closure::parse(&self.closure).ok_or_else(|| bad("unknown closure"))?,
            },
            "summon" => CaseAction::Summon {
                department: self.department,
                task: self.task,
                due: Some(self.due).filter(|d| !d.trim().is_empty()),
            },
            "report_part" => CaseAction::ReportPart {
                department: self.department,
            },
            "finish_part" => CaseAction::FinishPart {
                department: self.department,
                note: self.note,
            },
            other => return Err(bad(&format!("unknown step `{other}`"))),
        })
    }
}

async fn step_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let back = format!("/hotline/cases/{id}");
    let result = match f.action() {
        Ok(action) => {
            ctx.write(&state, move |s, settings, actor| {
                jixiao_app::hotline::work::act(s, settings, actor, &id, &action, None, None)
            })
            .await
        }
        Err(e) => Err(e),
    };
    after(result, &back, "")
}

#[derive(Deserialize)]
struct DecisionForm {
    approve: String,
}

async fn exclusion_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let back = format!("/hotline/cases/{id}");
    let approve = f.approve == "1";
    let result = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::work::decide_exclusion(s, settings, actor, &id, approve)
        })
        .await;
    after(result, &back, "")
}

async fn work_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let (queue, unit_name) = ctx
        .read(&state, move |s, settings, actor| {
            let q = jixiao_app::hotline::work::queue(s, settings, actor)?;
            let name = match &q.unit {
                Some(u) => jixiao_app::hotline::open311::reference(s)?.1.place_name(u),
                None => String::new(),
            };
            Ok((q, name))
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "hotline_work.html",
        crate::i18n::text(ctx.english, "case_work"),
        json!({ "queue": queue, "unit_name": unit_name }),
    ))
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn score(a: &Assessment) -> String {
    a.score
        .map(|s| format!("{s:.2}"))
        .unwrap_or_else(|| "—".into())
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let q = DashboardQuery {
        month: ctx.q("month"),
        district: ctx.q("district"),
        category: ctx.q("category"),
        group: ctx.q("group"),
    };
    let d = ctx
        .read_lagging(&state, move |s, settings, actor| {
            jixiao_app::hotline::read::dashboard(s, settings, actor, &q)
        })
        .await?;
    let tr = crate::i18n::texts(ctx.english);
    // Columns: the month's rates, weighted ones first, in the rules' order.
    let mut rate_ids: Vec<&jixiao_hotline::metrics::RateDef> = d.rates.iter().collect();
    rate_ids.sort_by_key(|r| r.weight == 0.0);
    let rate_columns: Vec<Value> = rate_ids
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "name": if ctx.english { &r.name_en } else { &r.name }, "weight": r.weight,
                "formula": format!("({}) ÷ {}", r.numerator_text, r.denominator_text),
                "lower_is_better": r.lower_is_better,
            })
        })
        .collect();
    let rate_cells = |a: &Assessment| -> Vec<String> {
        rate_ids
            .iter()
            .map(|d| pct(a.rates.iter().find(|x| x.id == d.id).and_then(|x| x.value)))
            .collect()
    };
    let row = |r: &jixiao_app::hotline::read::RankedRow| {
        let a = &r.assessment;
        json!({
            "rank": r.rank, "unit": r.unit, "name": r.name, "accepted": a.accepted, "excluded": a.excluded,
            "rates": rate_cells(a), "score": score(a),
            "interval": match (a.score_low, a.score_high) { (Some(l), Some(h)) => format!("{l:.1}–{h:.1}"), _ => "—".into() },
            "adjusted": r.ranking_score.filter(|_| d.ranking_rules.shrinkage > 0.0).map(|x| format!("{x:.2}")),
            "insufficient": r.insufficient, "tied": r.tied,
            "per_10k": r.per_10k.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()),
            "mix_expected": r.mix_expected.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into()),
            "mix_adjusted": r.mix_adjusted.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into()),
        })
    };
    let ranked: Vec<Value> = d.ranked.iter().map(row).collect();
    let red: Vec<Value> = d.red.iter().map(row).collect();
    let black: Vec<Value> = d.black.iter().map(row).collect();
    let trend: Vec<Value> = d
        .trend
        .iter()
        .map(|t| {
            let a = &t.assessment;
            json!({ "month": t.month, "accepted": t.accepted, "rates": rate_cells(a), "score": score(a) })
        })
        .collect();
    // The trend chart draws the weighted rates and the score.
    let mut series: Vec<Value> = rate_ids
        .iter()
        .enumerate()
        .filter(|(_, r)| r.weight > 0.0)
        .map(|(i, r)| {
            json!({ "name": if ctx.english { &r.name_en } else { &r.name },
                "values": trend.iter().map(|t| t["rates"][i].as_str().and_then(|v| v.parse::<f64>().ok())).collect::<Vec<_>>() })
        })
        .collect();
    series.push(json!({ "name": tr["hotline_score"], "values": trend.iter().map(|t| t["score"].as_str().and_then(|v| v.parse::<f64>().ok())).collect::<Vec<_>>() }));
    let trend_json = script_json(&json!({
        "labels": d.trend.iter().map(|t| &t.month).collect::<Vec<_>>(),
        "series": series,
    }));
    let rules = &d.ranking_rules;
    // The map: every rate, the score, case density and the change since the month before.
    let mut measures: Vec<Value> = rate_ids
        .iter()
        .map(|r| json!({ "id": r.id, "name": if ctx.english { &r.name_en } else { &r.name }, "percent": true, "lower_is_better": r.lower_is_better }))
        .collect();
    measures.insert(
        0,
        json!({ "id": "score", "name": tr["hotline_score"], "percent": false }),
    );
    measures.push(json!({ "id": "density", "name": tr["case_density"], "percent": false, "lower_is_better": true }));
    measures.push(json!({ "id": "per_10k", "name": tr["per_10k_residents"], "percent": false, "lower_is_better": true }));
    measures.push(
        json!({ "id": "change", "name": tr["score_change"], "percent": false, "diverging": true }),
    );
    let map_json = script_json(&json!({
        "geo_url": match &d.district { Some(x) => format!("/hotline/map?district={}", jixiao_app::hotline::read::query_value(x)), None => "/hotline/map".into() },
        "map": d.district.clone().unwrap_or_else(|| "city".into()),
        "measures": measures,
        "units": d.map.iter().map(|u| {
            let mut values = serde_json::Map::new();
            for (k, v) in &u.rates { values.insert(k.clone(), json!((v * 1000.0).round() / 10.0)); }
            values.insert("score".into(), json!(u.score.map(|x| (x * 100.0).round() / 100.0)));
            values.insert("density".into(), json!(u.density.map(|x| (x * 10.0).round() / 10.0)));
            values.insert("per_10k".into(), json!(u.per_10k.map(|x| (x * 10.0).round() / 10.0)));
            values.insert("change".into(), json!(u.change.map(|x| (x * 100.0).round() / 100.0)));
            json!({ "name": u.name, "values": values })
        }).collect::<Vec<_>>(),
    }));
    Ok(render(
        &state,
        &ctx,
        "hotline.html",
        tr["hotline"],
        json!({
            "month": d.month, "months": d.months, "district": d.district, "district_name": d.district_name,
            "districts": d.districts, "can_choose": d.can_choose,
            "category": d.category,
            "categories": d.categories.iter().map(|c| json!({ "code": c.id, "name": c.name })).collect::<Vec<_>>(),
            "ranked": ranked, "trend": trend, "trend_json": trend_json,
            "heat": d.heat.iter().map(|h| json!({ "month": h.month, "cells": h.cells.iter().map(|(n, level)| json!({ "n": n, "level": level })).collect::<Vec<_>>() })).collect::<Vec<_>>(),
            "heat_columns": d.heat_columns,
            "themes": d.themes, "clusters": d.clusters, "overdue": d.overdue, "overdue_total": d.overdue_total,
            "rate_columns": rate_columns, "red": red, "black": black,
            "map_json": map_json, "has_map": d.has_map, "governance": d.governance,
            "map_table": d.map.iter().map(|u| json!({ "name": u.name, "density": u.density.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()), "change": u.change.map(|x| format!("{x:+.2}")).unwrap_or_else(|| "—".into()) })).collect::<Vec<_>>(),
            "min_cases": rules.min_cases, "confidence": (rules.confidence * 100.0).round(),
            "shrinkage": rules.shrinkage, "tie_break": rules.tie_break,
            "empty": d.months.is_empty(),
            "groups": d.groups,
            "group_name": d.group_name,
            "grid_counts": d.grid_counts.iter().map(|(g, n)| json!({ "grid": g, "n": n })).collect::<Vec<_>>(),
        }),
    ))
}

async fn case_list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let q = CaseQuery {
        month: ctx.q("month"),
        district: ctx.q("district"),
        unit: ctx.q("unit"),
        grid: ctx.q("grid"),
        category: ctx.q("category"),
        stage: ctx.q("stage"),
        overdue: ctx.q("overdue").is_some(),
        after: ctx.q("after"),
        before: ctx.q("before"),
        // Anything that is not a page number asks for a page that does not exist.
        page: ctx.q("page").map_or(1, |p| p.parse().unwrap_or(0)),
    };
    let list = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::hotline::read::cases(s, settings, actor, &q)
        })
        .await?;
    let keep: Vec<(String, String)> = [
        "month", "unit", "grid", "category", "stage", "overdue", "district",
    ]
    .iter()
    .filter_map(|k| ctx.q(k).map(|v| (k.to_string(), v)))
    .collect();
    let link = |page: usize, cursor: (&str, &str)| {
        let mut parts: Vec<String> = keep
            .iter()
            .map(|(k, v)| format!("{k}={}", query_value(v)))
            .collect();
        parts.push(format!("{}={}", cursor.0, query_value(cursor.1)));
        parts.push(format!("page={page}"));
        format!("/hotline/cases?{}", parts.join("&"))
    };
    let page = list.page;
    let total = if list.total_capped {
        format!("{}+", list.total)
    } else {
        list.total.to_string()
    };
    let pages = list
        .pages
        .map(|p| p.to_string())
        .unwrap_or_else(|| "…".into());
    Ok(render(
        &state,
        &ctx,
        "hotline_cases.html",
        crate::i18n::text(ctx.english, "hotline_cases"),
        json!({
            "cases": list.cases, "total": total, "page": page, "pages": pages,
            "prev": list.prev.as_deref().map(|c| link(page.saturating_sub(1).max(1), ("before", c))),
            "next": list.next.as_deref().map(|c| link(page + 1, ("after", c))),
            "filters": keep.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>(),
            "stages": jixiao_hotline::Stage::ALL.iter().map(|s| json!({ "id": s.as_str(), "name": s.label_zh() })).collect::<Vec<_>>(),
            "month": ctx.q("month").unwrap_or_default(), "category": ctx.q("category").unwrap_or_default(), "stage": ctx.q("stage").unwrap_or_default(),
            "overdue": ctx.q("overdue").is_some(),
        }),
    ))
}

fn render_case(
    state: &AppState,
    ctx: &Ctx,
    c: &CaseDetail,
    full_contact: Option<String>,
    streets: Vec<Named>,
) -> axum::response::Response {
    let tr = crate::i18n::texts(ctx.english);
    let mut row = json!(c.row);
    row["description"] = json!(c.description);
    row["grid"] = json!(c.grid);
    row["place"] = json!(c.place);
    row["response_due"] = json!(c.response_due);
    row["completion_due"] = json!(c.completion_due);
    row["callback"] = json!(c
        .callback
        .map(|(solved, satisfaction)| json!({ "solved": solved, "satisfaction": satisfaction })));
    row["exclusion"] = json!(c.exclusion.as_ref().map(
        |(reason, note, approver)| json!({ "reason": reason, "note": note, "approver": approver })
    ));
    render(
        state,
        ctx,
        "hotline_case.html",
        &format!(
            "{} {}",
            crate::i18n::text(ctx.english, "hotline_case"),
            c.row.id
        ),
        json!({
            "case": row,
            "timeline": c.timeline.iter().map(|(at, what)| json!({ "at": at, "what": what })).collect::<Vec<_>>(),
            "events": c.events.iter().map(|(at, kind, actor, says)| json!({
                "at": at, "kind": kind, "actor": actor, "says": says,
                "label": tr.get(format!("case_step_{kind}").as_str()).copied().unwrap_or(kind.as_str()),
            })).collect::<Vec<_>>(),
            "steps": c.steps, "streets": streets, "last_unit": c.unit_id,
            "parts": c.parts, "departments": c.departments,
            "parts_open": c.parts.iter().any(|p| p.done_at.is_none()),
            "own_unit": ctx.actor.unit(),
            "exclusion_request": c.exclusion_request,
            "files": c.files,
            "can_attach": allows(&ctx.actor, Act::DispatchCases)
                || c.unit_id.as_deref().is_some_and(|u| allows(&ctx.actor, Act::HandleCase(u))),
            "can_decide": c.exclusion_request.as_ref().is_some_and(|r| r.decided_at.is_none())
                && allows(&ctx.actor, Act::DispatchCases),
            "full_contact": full_contact, "has_contact": c.has_contact,
            "can_view_contact": allows(&ctx.actor, Act::ViewContact), "can_exclude": allows(&ctx.actor, Act::ExcludeCase),
            "reasons": jixiao_hotline::case::EXCLUSION_REASONS,
            "map_json": case_map(ctx, c),
        }),
    )
}

/// The case's place on a map of its district's streets, for those who may see that district's
/// hotline (a handler sees the place's names only).
fn case_map(ctx: &Ctx, c: &CaseDetail) -> Option<String> {
    let (lat, lon, district) = (c.lat?, c.lon?, c.district.as_deref()?);
    if !allows(&ctx.actor, Act::ViewHotline(Some(district))) {
        return None;
    }
    Some(script_json(&json!({
        "geo_url": format!("/hotline/map?district={}", jixiao_app::hotline::read::query_value(district)),
        "map": district, "point": [lon, lat], "highlight": c.street, "label": c.row.id,
    })))
}

async fn case_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let (c, streets) = ctx
        .read(&state, move |s, settings, actor| {
            let c = jixiao_app::hotline::read::case(s, settings, actor, &id)?;
            let streets = dispatch_targets(s, &c)?;
            Ok((c, streets))
        })
        .await?;
    Ok(render_case(&state, &ctx, &c, None, streets))
}

async fn contact_view(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let (c, contact) = ctx
        .write(&state, move |s, settings, actor| {
            let contact = jixiao_app::hotline::view_contact(s, actor, &id)?;
            Ok((
                jixiao_app::hotline::read::case(s, settings, actor, &id)?,
                contact,
            ))
        })
        .await?;
    Ok(render_case(
        &state,
        &ctx,
        &c,
        Some(contact.unwrap_or_default()),
        Vec::new(),
    ))
}

/// A photo of the handling or evidence for an exclusion application, from the case page.
async fn file_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let back = format!("/hotline/cases/{id}");
    let purpose = form.field("purpose").to_string();
    let (name, bytes) = form.file.unwrap_or_default();
    let result = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::work::attach(s, settings, actor, &id, &purpose, &name, &bytes)
        })
        .await;
    after(result.map(|_| ()), &back, "")
}

async fn file_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let (info, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::hotline::work::file(s, actor, &id)
        })
        .await?;
    Ok(crate::download::file(
        &info.file_name,
        &info.content_type,
        bytes,
    ))
}

#[derive(Deserialize)]
struct ExclusionForm {
    reason: String,
    note: String,
}

async fn exclusion_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ExclusionForm>,
) -> PageResult {
    let back = format!("/hotline/cases/{id}");
    let result = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::exclude(s, settings, actor, &id, &f.reason, &f.note)
        })
        .await;
    after(result, &back, "")
}

/// The month after `month` ("2020-12" → "2021-01"); `month` itself when it is not one.
fn next_month(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_else(|| month.to_string())
}

async fn problems_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let chosen = ctx.q("category").unwrap_or_default();
    let asked_month = ctx.q("month");
    let (problems, dashboard, catalogue, districts) = ctx
        .read(&state, move |s, settings, actor| {
            let problems = jixiao_app::hotline::problems::list(s, actor)?;
            let d = jixiao_app::hotline::read::dashboard(
                s,
                settings,
                actor,
                &DashboardQuery::default(),
            )?;
            let reference = jixiao_app::hotline::open311::reference(s)?;
            let geo = &reference.1;
            let districts: Vec<Value> = geo
                .at_level(jixiao_hotline::geography::Level::District)
                .map(|d| {
                    json!({ "name": d.name, "streets": geo.children(&d.id)
                        .filter(|a| a.level == jixiao_hotline::geography::Level::Street)
                        .map(|a| json!({ "id": a.id, "name": a.name })).collect::<Vec<_>>() })
                })
                .collect();
            Ok((problems, d, reference.0.clone(), districts))
        })
        .await?;
    let month = dashboard.month.clone();
    Ok(render(
        &state,
        &ctx,
        "hotline_problems.html",
        crate::i18n::text(ctx.english, "monthly_problem"),
        json!({
            "problems": problems, "candidates": dashboard.themes, "month": month,
            "next_month": asked_month.unwrap_or_else(|| next_month(&month)),
            "can_designate": allows(&ctx.actor, Act::Administer),
            "categories": catalogue, "chosen_category": chosen, "districts": districts,
        }),
    ))
}

async fn problem_designate(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    let field = |k: &str| {
        f.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        f.iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (texts, owners, dues) = (all("action_text"), all("action_owner"), all("action_due"));
    let d = jixiao_app::hotline::problems::Designation {
        month: field("month"),
        title: field("title"),
        category: field("category"),
        places: all("places"),
        leads: field("leads").lines().map(str::to_string).collect(),
        actions: (0..texts.len().max(owners.len()).max(dues.len()))
            .map(|i| {
                let at = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
                (at(&texts), at(&owners), at(&dues))
            })
            .collect(),
        window: match field("window").trim() {
            "" => None,
            w => Some(w.parse().unwrap_or(0)),
        },
    };
    let result = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::hotline::problems::designate(s, settings, actor, &d)
        })
        .await;
    match result {
        Ok(p) => after(Ok(()), &format!("/hotline/problems/{}", p.id), ""),
        Err(e) => after::<()>(Err(e), "/hotline/problems", ""),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    done: String,
}

async fn problem_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, n)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    let back = format!("/hotline/problems/{id}");
    let done = match f.done.trim() {
        "" => Ok(None),
        d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                jixiao_app::AppError::Invalid(format!("`{d}` is not a date like 2020-07-31"))
            }),
    };
    let index = n
        .parse::<usize>()
        .ok()
        .filter(|i| *i >= 1)
        .ok_or_else(|| jixiao_app::AppError::NotFound(format!("action `{n}`")));
    let result = match (done, index) {
        (Ok(done), Ok(i)) => {
            ctx.write(&state, move |s, _, actor| {
                jixiao_app::hotline::problems::set_action_done(s, actor, &id, i - 1, done)
            })
            .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after(result, &back, "")
}

async fn problem_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let v = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::hotline::problems::view(s, settings, actor, &id)
        })
        .await?;
    let tr = crate::i18n::texts(ctx.english);
    let effects: Vec<Value> = v
        .effects
        .iter()
        .map(|o| {
            let f = |x: f64| format!("{x:.1}");
            let name = if ctx.english { &o.name_en } else { &o.name };
            match &o.effect {
                Some(e) => json!({
                    "name": name, "effect": true,
                    "tb": f(e.treated_before), "ta": f(e.treated_after), "cb": f(e.control_before), "ca": f(e.control_after),
                    "estimate": format!("{:+.1}", e.estimate), "interval": format!("{:+.1} – {:+.1}", e.low, e.high),
                    "clear": e.low > 0.0 || e.high < 0.0,
                }),
                None => json!({ "name": name, "effect": false,
                    "note": tr.get(format!("problem_note_{}", o.note.unwrap_or("too_few")).as_str()).copied().unwrap_or_default() }),
            }
        })
        .collect();
    let series_json = script_json(&json!({
        "labels": v.series.iter().map(|x| &x.0).collect::<Vec<_>>(),
        "unit": "件",
        "series": [
            { "name": tr["treated_streets"], "values": v.series.iter().map(|x| (x.1 * 10.0).round() / 10.0).collect::<Vec<_>>() },
            { "name": tr["control_streets"], "values": v.series.iter().map(|x| x.2.map(|c| (c * 10.0).round() / 10.0)).collect::<Vec<_>>() },
        ],
    }));
    let today = state.settings.today().to_string();
    Ok(render(
        &state,
        &ctx,
        "hotline_problem.html",
        &format!("{} {}", tr["monthly_problem"], v.problem.title),
        json!({
            "v": v, "effects": effects, "series_json": series_json,
            "can_edit": allows(&ctx.actor, Act::Administer), "today": today,
        }),
    ))
}
