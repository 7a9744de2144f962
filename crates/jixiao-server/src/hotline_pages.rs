//! 接诉即办 pages: the dashboard (monthly ranking with the three rates, trends, category heat
//! map, overdue cases, repeat clusters and the month's themes), the case list with filters and
//! paging, and a case with its timeline. Requester contacts are masked everywhere; the office
//! can see one in full, and every such view is recorded.

use crate::auth;
use crate::error::AppError;
use crate::pages::{script_json, PageCtx, PageResult};
use crate::policy::{allows, Act};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use jixiao_hotline::case::mask_contact;
use jixiao_hotline::catalogue::{path as category_path, Category};
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::rollup::{assess, rank, Counters};
use jixiao_store::hotline::CaseFilter;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hotline", get(dashboard))
        .route("/hotline/cases", get(case_list))
        .route("/hotline/cases/{id}", get(case_page))
        .route("/hotline/cases/{id}/contact", post(contact_view))
        .route("/hotline/cases/{id}/exclusion", post(exclusion_submit))
}

const PAGE: usize = 50;

/// The district a person may look at: a reporter's own; others as asked (None = the city).
fn district_for(ctx: &PageCtx) -> Option<String> {
    match ctx.p.role {
        crate::policy::Role::Reporter => ctx.p.unit().map(str::to_string),
        _ => ctx.query.get("district").filter(|d| !d.is_empty()).cloned(),
    }
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn name_of(geo: &Geography, id: &str) -> String {
    geo.get(id)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| id.to_string())
}

async fn dashboard(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let district = district_for(&ctx);
    ctx.require(&state, Act::ViewHotline(district.as_deref()))?;
    let fail = |e: AppError| ctx.fail(&state, e);
    let category = ctx.query.get("category").filter(|c| !c.is_empty()).cloned();
    let asked_month = ctx.query.get("month").cloned();
    let cfg = state.hotline.clone();
    let d = district.clone();
    let today = state.config.today();
    let (geo, catalogue, months, rows, trend, heat, overdue, month) = state
        .db(move |s| {
            let months = s.hotline_months()?;
            let month = asked_month
                .filter(|m| months.contains(m))
                .or_else(|| months.last().cloned())
                .unwrap_or_default();
            let by_district = d.is_none();
            let rows = s.hotline_month(&month, by_district, d.as_deref(), category.as_deref())?;
            // The trend: the city's (or the district's) counters month by month.
            let mut trend = Vec::new();
            for m in &months {
                let list = s.hotline_month(m, true, d.as_deref(), category.as_deref())?;
                let mut total = Counters::default();
                for u in list {
                    total += u.counters;
                }
                trend.push((m.clone(), total));
            }
            let heat = s.hotline_category_counts(d.as_deref())?;
            let now = chrono::TimeZone::from_utc_datetime(
                &Utc,
                &today.and_hms_opt(23, 59, 59).expect("a time"),
            );
            let overdue = s.hotline_cases(
                &CaseFilter {
                    district: d.clone(),
                    overdue_at: Some(now),
                    ..Default::default()
                },
                10,
                0,
            )?;
            Ok((
                s.hotline_geography()?,
                s.hotline_categories()?,
                months,
                rows,
                trend,
                heat,
                overdue,
                month,
            ))
        })
        .await
        .map_err(fail)?;
    // Each month is assessed by the rules in force in it (weights may change between versions).
    let month_rules = |m: &str| {
        cfg.rules_for_month(m)
            .unwrap_or_else(|| cfg.rules_at(Utc::now()))
    };
    let rules = month_rules(&month);
    // Districts can be ranked within a group of the newest performance cycle (城六区 …).
    let groups: Vec<(String, String, Vec<String>)> = state
        .db(|s| {
            let Some((id, _)) = s.cycles()?.into_iter().next() else {
                return Ok(Vec::new());
            };
            let fw = s.load_cycle(&id)?;
            Ok(fw
                .groups
                .iter()
                .map(|g| {
                    let members = fw
                        .members(Some(&g.id))
                        .into_iter()
                        .map(|u| fw.units[u].id.clone())
                        .collect();
                    (g.id.clone(), g.name.clone(), members)
                })
                .collect())
        })
        .await
        .map_err(fail)?;
    let group = ctx
        .query
        .get("group")
        .filter(|_| district.is_none())
        .and_then(|g| groups.iter().find(|x| &x.0 == g));
    let per_unit: BTreeMap<String, Counters> = rows
        .iter()
        .filter(|u| group.is_none_or(|g| g.2.contains(&u.unit)))
        .map(|u| (u.unit.clone(), u.counters))
        .collect();
    // The month's busiest grid cells of a district (网格化管理).
    let grid_counts: Vec<Value> = match &district {
        Some(d) => {
            let (d, m) = (d.clone(), month.clone());
            state
                .db(move |s| Ok(s.hotline_grid_counts(&m, &d, 10)?))
                .await
                .map_err(fail)?
                .into_iter()
                .map(|(g, n)| json!({ "grid": name_of(&geo, &g), "n": n }))
                .collect()
        }
        None => Vec::new(),
    };
    let ranked: Vec<Value> = rank(&per_unit, rules)
        .into_iter()
        .map(|r| {
            let a = &r.assessment;
            json!({
                "rank": r.rank, "unit": r.unit, "name": name_of(&geo, &r.unit), "accepted": a.accepted, "excluded": a.excluded,
                "response": pct(a.response_rate), "resolution": pct(a.resolution_rate), "satisfaction": pct(a.satisfaction_rate),
                "score": a.score.map(|s| format!("{s:.2}")).unwrap_or_else(|| "—".into()),
            })
        })
        .collect();
    let trend_rows: Vec<Value> = trend
        .iter()
        .map(|(m, c)| {
            let a = assess(c, month_rules(m));
            json!({ "month": m, "accepted": c.accepted, "response": pct(a.response_rate), "resolution": pct(a.resolution_rate), "satisfaction": pct(a.satisfaction_rate), "score": a.score.map(|s| format!("{s:.2}")).unwrap_or_else(|| "—".into()) })
        })
        .collect();
    let series = |key: &str, label: &str| json!({ "name": label, "values": trend_rows.iter().map(|r| r[key].as_str().and_then(|v| v.parse::<f64>().ok())).collect::<Vec<_>>() });
    let tr = ctx.tr();
    let trend_json = script_json(&json!({
        "labels": trend.iter().map(|(m, _)| m).collect::<Vec<_>>(),
        "series": [series("response", tr["response_rate"]), series("resolution", tr["resolution_rate"]), series("satisfaction", tr["satisfaction_rate"]), series("score", tr["hotline_score"])],
    }));
    // Heat map: months down, top-level categories across, shaded by count.
    let tops: Vec<&Category> = catalogue.iter().filter(|c| c.code.len() == 2).collect();
    let mut cells: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut month_totals: BTreeMap<String, i64> = BTreeMap::new();
    for (m, code, n) in &heat {
        *cells
            .entry((m.clone(), code.get(..2).unwrap_or(code).to_string()))
            .or_default() += n;
        if m == &month {
            *month_totals.entry(code.clone()).or_default() += n;
        }
    }
    let max = cells.values().copied().max().unwrap_or(1).max(1);
    let heat_rows: Vec<Value> = months
        .iter()
        .map(|m| {
            json!({ "month": m, "cells": tops.iter().map(|t| {
                let n = cells.get(&(m.clone(), t.code.clone())).copied().unwrap_or(0);
                json!({ "n": n, "level": (n * 5 + max - 1) / max })
            }).collect::<Vec<_>>() })
        })
        .collect();
    let themes: Vec<Value> = jixiao_hotline::cluster::top_themes(&month_totals, 5)
        .into_iter()
        .map(|(code, n)| json!({ "code": code, "name": category_path(&catalogue, &code), "n": n }))
        .collect();
    // Repeat complaints of the month, for one district (a city month is too many cases to pair).
    let clusters: Vec<Value> = match &district {
        Some(d) => {
            let f = CaseFilter {
                month: Some(month.clone()),
                district: Some(d.clone()),
                category: ctx.query.get("category").cloned(),
                ..Default::default()
            };
            let cases = state
                .db(move |s| Ok(s.hotline_cases(&f, 20_000, 0)?.0))
                .await
                .map_err(fail)?;
            let refs: Vec<&jixiao_hotline::Case> = cases.iter().collect();
            jixiao_hotline::cluster::repeat_clusters(&refs, rules.repeat_window_days, rules.repeat_radius_m)
                .into_iter()
                .take(10)
                .map(|c| json!({ "category": category_path(&catalogue, &c.category), "place": name_of(&geo, &c.place), "count": c.case_ids.len(), "cases": c.case_ids.iter().take(5).collect::<Vec<_>>() }))
                .collect()
        }
        None => Vec::new(),
    };
    let overdue_rows: Vec<Value> = overdue
        .0
        .iter()
        .map(|c| case_row(c, &geo, &catalogue))
        .collect();
    let districts: Vec<Value> = geo
        .at_level(Level::District)
        .map(|a| json!({ "id": a.id, "name": a.name, "selected": district.as_deref() == Some(a.id.as_str()) }))
        .collect();
    Ok(ctx.render(
        &state,
        "hotline.html",
        tr["hotline"],
        json!({
            "month": month, "months": months, "district": district, "district_name": district.as_deref().map(|d| name_of(&geo, d)),
            "districts": districts, "can_choose": ctx.p.role != crate::policy::Role::Reporter,
            "category": ctx.query.get("category").cloned().unwrap_or_default(),
            "categories": tops.iter().map(|c| json!({ "code": c.code, "name": c.name })).collect::<Vec<_>>(),
            "ranked": ranked, "trend": trend_rows, "trend_json": trend_json, "heat": heat_rows,
            "heat_columns": tops.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            "themes": themes, "clusters": clusters, "overdue": overdue_rows, "overdue_total": overdue.1,
            "weights": rules.weights, "empty": months.is_empty(),
            "groups": groups.iter().map(|g| json!({ "id": g.0, "name": g.1, "selected": group.is_some_and(|x| x.0 == g.0) })).collect::<Vec<_>>(),
            "group_name": group.map(|g| g.1.clone()), "grid_counts": grid_counts,
        }),
    ))
}

fn case_row(c: &jixiao_hotline::Case, geo: &Geography, catalogue: &[Category]) -> Value {
    json!({
        "id": c.id, "received": c.received.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00")).format("%Y-%m-%d %H:%M").to_string(),
        "category": category_path(catalogue, &c.category), "unit": c.unit.as_deref().map(|u| name_of(geo, u)).unwrap_or_default(),
        "stage": c.stage.label_zh(), "closure": c.closure.map(|x| x.label_zh()), "address": c.address,
        "contact": c.contact.as_deref().map(mask_contact).unwrap_or_default(), "channel": c.channel.label_zh(),
        "excluded": c.exclusion.is_some(),
    })
}

async fn case_list(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let district = district_for(&ctx);
    ctx.require(&state, Act::ViewHotline(district.as_deref()))?;
    let q = |k: &str| ctx.query.get(k).filter(|v| !v.is_empty()).cloned();
    let page: usize = q("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let today = state.config.today();
    let f = CaseFilter {
        month: q("month"),
        district: district.clone(),
        unit: q("unit"),
        category: q("category"),
        stage: q("stage"),
        overdue_at: q("overdue").map(|_| {
            chrono::TimeZone::from_utc_datetime(
                &Utc,
                &today.and_hms_opt(23, 59, 59).expect("a time"),
            )
        }),
        ..Default::default()
    };
    let (geo, catalogue, (cases, total)) = state
        .db(move |s| {
            Ok((
                s.hotline_geography()?,
                s.hotline_categories()?,
                s.hotline_cases(&f, PAGE, (page - 1) * PAGE)?,
            ))
        })
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let pages = (total as usize).max(1).div_ceil(PAGE);
    let keep: Vec<(String, String)> = ["month", "unit", "category", "stage", "overdue", "district"]
        .iter()
        .filter_map(|k| q(k).map(|v| (k.to_string(), v)))
        .collect();
    let link = |p: usize| {
        let mut parts: Vec<String> = keep.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(format!("page={p}"));
        format!("/hotline/cases?{}", parts.join("&"))
    };
    Ok(ctx.render(
        &state,
        "hotline_cases.html",
        ctx.tr()["hotline_cases"],
        json!({
            "cases": cases.iter().map(|c| case_row(c, &geo, &catalogue)).collect::<Vec<_>>(),
            "total": total, "page": page, "pages": pages,
            "prev": (page > 1).then(|| link(page - 1)), "next": (page < pages).then(|| link(page + 1)),
            "filters": keep.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>(),
            "stages": jixiao_hotline::Stage::ALL.iter().map(|s| json!({ "id": s.as_str(), "name": s.label_zh() })).collect::<Vec<_>>(),
            "month": q("month").unwrap_or_default(), "category": q("category").unwrap_or_default(), "stage": q("stage").unwrap_or_default(),
            "overdue": q("overdue").is_some(),
        }),
    ))
}

async fn load_case(
    state: &AppState,
    ctx: &PageCtx,
    id: &str,
) -> Result<
    (
        jixiao_hotline::Case,
        Geography,
        Vec<Category>,
        Vec<(String, String, String, String)>,
    ),
    axum::response::Response,
> {
    let i = id.to_string();
    let (case, geo, catalogue, events) = state
        .db(move |s| {
            Ok((
                s.hotline_case(&i)?,
                s.hotline_geography()?,
                s.hotline_categories()?,
                s.hotline_events(&i)?,
            ))
        })
        .await
        .map_err(|e| ctx.fail(state, e))?;
    // Someone who may see only one district gets the same 403 for a case that does not exist
    // as for another district's, so ids cannot be probed.
    let Some(case) = case else {
        ctx.require(state, Act::ViewHotline(None))?;
        return Err(ctx.fail(state, AppError::NotFound(format!("case `{id}`"))));
    };
    let district = case
        .unit
        .as_deref()
        .and_then(|u| geo.ancestor(u, Level::District))
        .map(|d| d.id.clone());
    // A reporter sees only its own district's cases; a guessed id answers 403 like any other.
    ctx.require(
        state,
        Act::ViewHotline(Some(district.as_deref().unwrap_or("-"))),
    )?;
    Ok((case, geo, catalogue, events))
}

async fn case_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> PageResult {
    if !allows(&ctx.p, Act::ViewHotline(None)) && ctx.p.role != crate::policy::Role::Reporter {
        ctx.require(&state, Act::ViewHotline(None))?;
    }
    let (case, geo, catalogue, events) = load_case(&state, &ctx, &id).await?;
    Ok(render_case(
        &state, &ctx, &case, &geo, &catalogue, &events, None,
    ))
}

fn render_case(
    state: &AppState,
    ctx: &PageCtx,
    c: &jixiao_hotline::Case,
    geo: &Geography,
    catalogue: &[Category],
    events: &[(String, String, String, String)],
    full_contact: Option<String>,
) -> axum::response::Response {
    let tz = state.hotline.timezone;
    let fmt = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
    };
    let mut timeline: Vec<Value> = Vec::new();
    for (label, t) in [
        ("受理 received", Some(c.received)),
        ("派单 dispatched", c.dispatched),
        ("响应 responded", c.responded),
        ("办理 handled", c.handled),
        ("回访 called back", c.callback.map(|x| x.at)),
        ("办结 closed", c.closed),
    ] {
        if let Some(at) = fmt(t) {
            timeline.push(json!({ "at": at, "what": label }));
        }
    }
    let mut row = case_row(c, geo, catalogue);
    row["description"] = json!(c.description);
    row["grid"] = json!(c.grid.as_deref().map(|g| name_of(geo, g)));
    row["response_due"] = json!(fmt(c.response_due));
    row["completion_due"] = json!(fmt(c.completion_due));
    row["callback"] = json!(c
        .callback
        .map(|x| json!({ "solved": x.solved, "satisfaction": x.satisfaction.as_str() })));
    row["exclusion"] = json!(c
        .exclusion
        .as_ref()
        .map(|x| json!({ "reason": x.reason, "note": x.note, "approver": x.approver })));
    ctx.render(
        state,
        "hotline_case.html",
        &format!("{} {}", ctx.tr()["hotline_case"], c.id),
        json!({
            "case": row, "timeline": timeline,
            "events": events.iter().map(|(at, kind, actor, _)| json!({ "at": at.get(..16).unwrap_or(at).replace('T', " "), "kind": kind, "actor": actor })).collect::<Vec<_>>(),
            "full_contact": full_contact, "has_contact": c.contact.is_some(),
            "can_view_contact": allows(&ctx.p, Act::ViewContact), "can_exclude": allows(&ctx.p, Act::ExcludeCase),
            "reasons": jixiao_hotline::case::EXCLUSION_REASONS,
        }),
    )
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn contact_view(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    ctx.require(&state, Act::ViewContact)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let (case, geo, catalogue, events) = load_case(&state, &ctx, &id).await?;
    let viewer = ctx.p.id().to_string();
    let i = id.clone();
    let contact = state
        .db(move |s| Ok(s.hotline_view_contact(&i, &viewer)?))
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(render_case(
        &state,
        &ctx,
        &case,
        &geo,
        &catalogue,
        &events,
        Some(contact.unwrap_or_default()),
    ))
}

#[derive(Deserialize)]
struct ExclusionForm {
    csrf: String,
    reason: String,
    note: String,
}

async fn exclusion_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(f): Form<ExclusionForm>,
) -> PageResult {
    ctx.require(&state, Act::ExcludeCase)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let approver = ctx.p.id().to_string();
    let event = jixiao_hotline::Event::Exclude(jixiao_hotline::case::Exclusion {
        reason: f.reason,
        note: f.note,
        approver: approver.clone(),
    });
    let cfg = state.hotline.clone();
    let i = id.clone();
    let result = state
        .db(move |s| Ok(s.hotline_apply(&i, &event, Utc::now(), &cfg, &approver)?))
        .await;
    ctx.after(&state, result, &format!("/hotline/cases/{id}"), "")
}
