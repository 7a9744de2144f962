//! 督查督办: the items with their warnings (the office and evaluators see all, a unit its own),
//! an item's progress reports, the unit's report form and the office's decisions, rules and
//! deductions.

use super::render::PageRoute;
use super::render::{after, local_time, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::policy::{allows, Act};
use jixiao_app::supervision::{Decision, NewItem};
use jixiao_app::AppError;
use jixiao_core::supervision::SupervisionRules;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/supervision", get(items_page)),
        (Method::POST, "/supervision", post(item_add)),
        (Method::POST, "/supervision/rules", post(rules_save)),
        (Method::POST, "/supervision/deductions", post(deductions)),
        (Method::POST, "/supervision/import", post(items_import)),
        (Method::GET, "/supervision/{id}", get(item_page)),
        (Method::POST, "/supervision/{id}/report", post(item_report)),
        (
            Method::POST,
            "/supervision/{id}/decision",
            post(item_decision),
        ),
    ]
}

async fn items_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let list = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::supervision::list(s, settings, actor, cycle.as_deref())
        })
        .await?;
    let office = allows(&ctx.actor, Act::Administer);
    let units: Vec<serde_json::Value> = list
        .units
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Ok(render(
        &state,
        &ctx,
        "supervision.html",
        crate::i18n::text(ctx.english, "supervision"),
        json!({ "cycle_name": list.cycle_name, "rules": list.rules, "items": list.items, "office": office, "units": units,
                "sources": jixiao_core::supervision::ItemSource::ALL.iter().map(|x| json!({"id": x.as_str(), "name": x.name_zh()})).collect::<Vec<_>>() }),
    ))
}

async fn item_add(State(state): State<AppState>, ctx: Ctx, Form(new): Form<NewItem>) -> PageResult {
    let cycle = ctx.cycle();
    let added = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::supervision::add(s, actor, cycle.as_deref(), &new)
        })
        .await;
    after(added, "/supervision", "")
}

#[derive(Deserialize)]
struct RulesForm {
    yellow_days: String,
    orange_days: String,
    overdue_points: String,
    failed_points: String,
}

async fn rules_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RulesForm>,
) -> PageResult {
    let cycle = ctx.cycle();
    let saved = ctx
        .write(&state, move |s, _, actor| {
            // Who may set the rules is asked before what was sent.
            jixiao_app::policy::require(actor, Act::Administer)?;
            let int = |name: &str, v: &str| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| AppError::Invalid(format!("{name}: `{v}` is not a whole number")))
            };
            let real = |name: &str, v: &str| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| AppError::Invalid(format!("{name}: `{v}` is not a number")))
            };
            let rules = SupervisionRules {
                yellow_days: int("yellow_days", &f.yellow_days)?,
                orange_days: int("orange_days", &f.orange_days)?,
                overdue_points: real("overdue_points", &f.overdue_points)?,
                failed_points: real("failed_points", &f.failed_points)?,
            };
            jixiao_app::supervision::set_rules(s, actor, cycle.as_deref(), &rules)
        })
        .await;
    after(saved, "/supervision", "#rules")
}

/// The office's item list (CSV or xlsx).
async fn items_import(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let file = form.file.unwrap_or_default();
    let cycle = ctx.cycle();
    let imported = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::supervision::import(s, actor, cycle.as_deref(), &file.0, &file.1)
        })
        .await;
    after(imported, "/supervision", "")
}

async fn deductions(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let applied = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::supervision::apply_deductions(s, settings, actor, cycle.as_deref())
        })
        .await;
    after(applied, "/supervision", "")
}

async fn item_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let cycle = ctx.cycle();
    let mut detail = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::supervision::item(s, settings, actor, cycle.as_deref(), &id)
        })
        .await?;
    for r in &mut detail.reports {
        r.at = local_time(&state, &r.at, "%Y-%m-%d %H:%M");
    }
    let may_report = allows(&ctx.actor, Act::EnterValue(&detail.item.unit_id));
    let office = allows(&ctx.actor, Act::Administer);
    let title = detail.item.title.clone();
    Ok(render(
        &state,
        &ctx,
        "supervision_item.html",
        &title,
        json!({ "d": detail, "may_report": may_report, "office": office }),
    ))
}

#[derive(Deserialize)]
struct ReportForm {
    progress: String,
    body: String,
    #[serde(default)]
    request_closure: Option<String>,
}

async fn item_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReportForm>,
) -> PageResult {
    let cycle = ctx.cycle();
    let path = format!("/supervision/{id}");
    let saved = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::supervision::may_report(s, actor, cycle.as_deref(), &id)?;
            let progress = f
                .progress
                .trim()
                .trim_end_matches('%')
                .parse::<i64>()
                .map_err(|_| {
                    AppError::Invalid(format!("progress: `{}` is not a whole percent", f.progress))
                })?;
            jixiao_app::supervision::report(
                s,
                actor,
                cycle.as_deref(),
                &id,
                progress,
                &f.body,
                f.request_closure.is_some(),
            )
        })
        .await;
    after(saved, &path, "")
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: Decision,
}

async fn item_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let cycle = ctx.cycle();
    let path = format!("/supervision/{id}");
    let decided = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::supervision::decide(s, settings, actor, cycle.as_deref(), &id, f.decision)
        })
        .await;
    after(decided, &path, "")
}
