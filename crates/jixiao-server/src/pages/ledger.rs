//! Bonus and deduction entries: proposals by evaluators and the office, a unit's applications
//! for bonus points with evidence (创新创优申报), decisions by the office.

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
        (Method::POST, "/ledger/apply", post(ledger_apply)),
        (Method::GET, "/ledger/files/{id}", get(ledger_file)),
    ]
}

async fn ledger_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (fw, entries) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::ledger::list(s, actor, cycle.as_deref())
        })
        .await?;
    // A unit's reporter sees its own entries and applies for bonus points; the office and
    // evaluators see every entry and propose for any unit.
    let applicant = !allows(&ctx.actor, Act::ProposeLedger);
    let title = if applicant { "bonus_apply" } else { "ledger" };
    Ok(render(
        &state,
        &ctx,
        "ledger.html",
        crate::i18n::text(ctx.english, title),
        json!({ "cycle_name": fw.cycle.name, "entries": entries, "units": fw.units, "can_decide": allows(&ctx.actor, Act::Administer),
                "applicant": applicant, "own_unit": ctx.actor.unit() }),
    ))
}

/// A unit's application for bonus points: points, what was done, and an evidence file.
async fn ledger_apply(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let p = Proposal {
        cycle: ctx.cycle(),
        unit: form.field("unit").to_string(),
        kind: "bonus".into(),
        points: form.field("points").to_string(),
        reason: form.field("reason").to_string(),
    };
    let file = form.file.filter(|(_, b)| !b.is_empty());
    let proposed = ctx
        .write(&state, move |s, settings, actor| {
            let evidence = file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
            jixiao_app::ledger::propose(s, settings, actor, &p, evidence)
        })
        .await;
    after(proposed, "/ledger", "")
}

async fn ledger_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let (info, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::ledger::file(s, actor, &id)
        })
        .await?;
    Ok(crate::download::file(
        &info.file_name,
        &info.content_type,
        bytes,
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
            jixiao_app::ledger::propose(s, settings, actor, &p, None)
        })
        .await;
    after(proposed, "/ledger", "")
}

/// An approve / refuse button pair (`approve` = "true" or "false"), as the ledger's and the
/// honours register's decisions send it.
#[derive(Deserialize)]
pub(super) struct DecisionForm {
    approve: String,
}

impl DecisionForm {
    pub(super) fn approves(&self) -> bool {
        self.approve == "true"
    }
}

async fn ledger_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let (cycle, approve) = (ctx.cycle(), f.approves());
    let decided = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::ledger::decide(s, actor, cycle.as_deref(), &id, approve)
        })
        .await;
    after(decided, "/ledger", "")
}
