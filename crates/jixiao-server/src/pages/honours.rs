//! The honours and external assessments register (荣誉和外部考核登记): the office keeps it
//! (a file, or one entry at a time); a unit's reporter proposes its own with an evidence file;
//! the office decides. Report checking compares claims with the approved entries.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::policy::{allows, Act};
use jixiao_core::records::Honour;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/honours", get(honours_page)),
        (Method::POST, "/honours", post(honours_add)),
        (Method::POST, "/honours/import", post(honours_import)),
        (
            Method::POST,
            "/honours/{id}/decision",
            post(honours_decision),
        ),
        (Method::GET, "/honours/{id}/evidence", get(honours_evidence)),
    ]
}

async fn honours_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (fw, entries) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::honours::list(s, actor, cycle.as_deref(), None)
        })
        .await?;
    let office = allows(&ctx.actor, Act::Administer);
    let own_unit = ctx.actor.unit().map(str::to_string);
    let may_propose = own_unit
        .as_deref()
        .is_some_and(|u| allows(&ctx.actor, Act::ApplyBonus(u)));
    Ok(render(
        &state,
        &ctx,
        "honours.html",
        crate::i18n::text(ctx.english, "honours"),
        json!({ "cycle_name": fw.cycle.name, "entries": entries, "units": fw.units,
                "office": office, "may_propose": may_propose, "own_unit": own_unit }),
    ))
}

/// One entry from the form, with an optional evidence file: the office's counts at once, a
/// unit's is proposed.
async fn honours_add(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let number = |name: &str| -> Option<u32> { form.field(name).trim().parse().ok() };
    let text = |name: &str| form.field(name).trim().to_string();
    let bad_number = ["rank", "streak"]
        .into_iter()
        .find(|n| !form.field(n).trim().is_empty() && number(n).is_none());
    let h = Honour {
        unit: text("unit"),
        name: text("name"),
        issuer: text("issuer"),
        period: text("period"),
        rank: number("rank"),
        scope: Some(text("scope")).filter(|s| !s.is_empty()),
        streak: number("streak"),
        note: text("note"),
    };
    let file = form.file.filter(|(_, b)| !b.is_empty());
    let cycle = ctx.cycle();
    let added = ctx
        .write(&state, move |s, settings, actor| {
            if let Some(n) = bad_number {
                return Err(jixiao_app::AppError::Invalid(format!(
                    "{n}: not a whole number"
                )));
            }
            let evidence = file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
            jixiao_app::honours::add(s, settings, actor, cycle.as_deref(), &h, evidence)
        })
        .await;
    after(added, "/honours", "")
}

/// The office's register file (CSV or xlsx).
async fn honours_import(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let file = form.file.unwrap_or_default();
    let cycle = ctx.cycle();
    let imported = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::honours::import(s, actor, cycle.as_deref(), &file.0, &file.1)
        })
        .await;
    after(imported.map(|_| ()), "/honours", "")
}

async fn honours_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<super::ledger::DecisionForm>,
) -> PageResult {
    let (cycle, approve) = (ctx.cycle(), f.approves());
    let decided = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::honours::decide(s, actor, cycle.as_deref(), &id, approve)
        })
        .await;
    after(decided, "/honours", "")
}

async fn honours_evidence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let (name, kind, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::honours::evidence(s, actor, cycle.as_deref(), &id)
        })
        .await?;
    Ok(crate::download::file(&name, &kind, bytes))
}
