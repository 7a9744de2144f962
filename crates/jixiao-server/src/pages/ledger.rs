//! Bonus and deduction entries: proposals by evaluators and the office, decisions by the office.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::ledger::Proposal;
use jixiao_app::policy::{allows, Act};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/ledger", get(ledger_page)),
        (Method::POST, "/ledger", post(ledger_submit)),
        (Method::POST, "/ledger/{id}/decision", post(ledger_decision)),
    ]
}

async fn ledger_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (fw, entries) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::ledger::list(s, actor, cycle.as_deref())
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "ledger.html",
        crate::i18n::text(ctx.english, "ledger"),
        json!({ "cycle_name": fw.cycle.name, "entries": entries, "units": fw.units, "can_decide": allows(&ctx.actor, Act::Administer) }),
    ))
}

#[derive(Deserialize)]
struct LedgerForm {
    unit: String,
    kind: String,
    points: String,
    reason: String,
}

async fn ledger_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LedgerForm>,
) -> PageResult {
    let p = Proposal {
        cycle: ctx.cycle(),
        unit: f.unit,
        kind: f.kind,
        points: f.points,
        reason: f.reason,
    };
    let proposed = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::ledger::propose(s, settings, actor, &p)
        })
        .await;
    after(proposed, "/ledger", "")
}

#[derive(Deserialize)]
struct DecisionForm {
    approve: String,
}

async fn ledger_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let (cycle, approve) = (ctx.cycle(), f.approve == "true");
    let decided = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::ledger::decide(s, actor, cycle.as_deref(), &id, approve)
        })
        .await;
    after(decided, "/ledger", "")
}
