//! The office's overview of a cycle and its rankings.

use super::render::PageRoute;
use super::render::{render_either, script_json, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/overview", get(overview)),
        (Method::GET, "/rankings", get(rankings)),
        (Method::GET, "/overview/risks", get(risks)),
        (Method::GET, "/tags", get(tags)),
        (Method::GET, "/tags/{tag}", get(tag)),
        (Method::GET, "/levels", get(levels)),
    ]
}

/// 分级考评: the city's office sees the cycles organisations below it run, side by side.
async fn levels(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycles = ctx
        .read(&state, |s, settings, actor| {
            jixiao_app::levels::summary(s, settings, actor)
        })
        .await?;
    Ok(super::render::render(
        &state,
        &ctx,
        "levels.html",
        crate::i18n::text(ctx.english, "levels_nav"),
        json!({ "cycles": cycles }),
    ))
}

/// The cycle's special tasks (专项), each with its ranking.
async fn tags(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (name, rankings) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::tags::list(s, actor, cycle.as_deref())?;
            let sc = jixiao_app::scores::scored(s, actor, cycle.as_deref())?;
            Ok((
                sc.fw.cycle.name.clone(),
                jixiao_app::tags::rankings(&sc.fw, &sc.card),
            ))
        })
        .await?;
    Ok(super::render::render(
        &state,
        &ctx,
        "tags.html",
        crate::i18n::text(ctx.english, "tags"),
        json!({ "cycle_name": name, "rankings": rankings, "one": false }),
    ))
}

/// One special task's ranking, with the indicators it covers.
async fn tag(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(tag): axum::extract::Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let (sc, r) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::tags::ranking_of(s, actor, cycle.as_deref(), &tag)
        })
        .await?;
    let title = r.tag.name.clone();
    Ok(super::render::render(
        &state,
        &ctx,
        "tags.html",
        &title,
        json!({ "cycle_name": sc.fw.cycle.name, "rankings": [r], "one": true }),
    ))
}

/// The risk list: off-track values grouped by unit, filtered by unit, indicator and status,
/// a page at a time.
async fn risks(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let filter = jixiao_app::overview::RiskFilter {
        unit: ctx.q("unit"),
        indicator: ctx.q("indicator"),
        status: ctx.q("status"),
        page: ctx.q("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    };
    let cycle = ctx.cycle();
    let f = filter.clone();
    let risks = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::overview::risks(s, settings, actor, cycle.as_deref(), &f)
        })
        .await?;
    let link = |page: usize| {
        let mut q: Vec<String> = [
            ("unit", &filter.unit),
            ("indicator", &filter.indicator),
            ("status", &filter.status),
            ("cycle", &ctx.cycle()),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", super::render::urlencode(v)))
        })
        .collect();
        q.push(format!("page={page}"));
        format!("/overview/risks?{}", q.join("&"))
    };
    let prev = (risks.page > 1).then(|| link(risks.page - 1));
    let next = (risks.page < risks.pages).then(|| link(risks.page + 1));
    Ok(super::render::render(
        &state,
        &ctx,
        "risks.html",
        crate::i18n::text(ctx.english, "risk_list"),
        json!({ "cycle_name": risks.cycle_name, "rows": risks.rows, "total": risks.total, "page": risks.page, "pages": risks.pages,
                "units": risks.units, "indicators": risks.indicators, "unit": filter.unit, "indicator": filter.indicator, "status": filter.status,
                "prev": prev, "next": next }),
    ))
}

async fn overview(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let (cycle, group) = (ctx.cycle(), ctx.q("group"));
    let g = group.clone();
    let kept = ctx
        .read_kept(&state, move |s, settings, actor| {
            jixiao_app::overview::overview(s, settings, actor, cycle.as_deref(), g.as_deref())
        })
        .await?;
    render_either(&state, &ctx, kept, |o| {
        let tr = crate::i18n::texts(ctx.english);
        let ranked: Vec<_> = o.ranking.rows.iter().filter(|r| r.rank.is_some()).collect();
        let chart = json!({ "labels": ranked.iter().map(|r| &r.unit_name).collect::<Vec<_>>(), "values": ranked.iter().map(|r| (r.total * 100.0).round() / 100.0).collect::<Vec<_>>() });
        let group_name = group
            .as_deref()
            .and_then(|g| o.fw.group_index(g))
            .map(|g| o.fw.groups[g].name.clone());
        let trend = json!({
            "name": tr["reported"],
            "labels": o.progress.periods.iter().map(|p| &p.period).collect::<Vec<_>>(),
            "values": o.progress.periods.iter().map(|p| if p.expected == 0 { 0.0 } else { (1000.0 * p.reported as f64 / p.expected as f64).round() / 10.0 }).collect::<Vec<_>>(),
            "target": null,
        });
        Ok((
            "overview.html",
            tr["overview"].to_string(),
            json!({ "cycle_name": o.fw.cycle.name, "today": o.today.to_string(), "progress": o.progress, "ranking": o.ranking, "chart_json": script_json(&chart), "trend_json": script_json(&trend), "reminders": o.reminders,
                "off_track_total": o.off_track_total, "risk_units": o.risk_units, "risk_indicators": o.risk_indicators, "reminders_total": o.reminders_total, "listed": jixiao_app::overview::LISTED,
                "groups": o.fw.groups, "group": group.unwrap_or_default(), "group_name": group_name }),
        ))
    })
}

async fn rankings(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let kept = ctx
        .read_kept(&state, move |s, _, actor| {
            jixiao_app::scores::ranking_of(s, actor, cycle.as_deref(), None)
        })
        .await?;
    render_either(&state, &ctx, kept, |(scored, _)| {
        let mut page = super::reports::ranking_tables(&ctx, &scored.fw, &scored.card, "")?;
        page["tags"] = json!(scored
            .fw
            .tags
            .iter()
            .map(|t| json!({ "id": t.id, "name": t.name }))
            .collect::<Vec<_>>());
        Ok((
            "rankings.html",
            crate::i18n::text(ctx.english, "rankings").to_string(),
            page,
        ))
    })
}
