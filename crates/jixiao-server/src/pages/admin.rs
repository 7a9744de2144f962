//! The office's administration: the audit log and the users.

use super::render::PageRoute;
use super::render::{redirect, redirect_error, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::accounts::NewUser;
use jixiao_app::audit::AuditFilter;
use jixiao_app::AppError;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/audit", get(audit_page)),
        (Method::GET, "/users", get(users_page)),
        (Method::POST, "/users", post(users_submit)),
    ]
}

/// The newest entries the audit page shows.
const AUDIT_PAGE: usize = 500;

async fn audit_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = AuditFilter {
        entity: ctx.q("entity"),
        actor: ctx.q("actor"),
        action: ctx.q("action"),
        limit: Some(AUDIT_PAGE),
        newest_first: true,
        ..Default::default()
    };
    let filter = f.clone();
    let entries = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::audit::entries(s, actor, &filter)
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "audit.html",
        crate::i18n::text(ctx.english, "audit"),
        json!({ "entries": entries, "entity": f.entity.unwrap_or_default(), "actor": f.actor.unwrap_or_default(), "action": f.action.unwrap_or_default() }),
    ))
}

async fn users_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (users, fw) = ctx
        .read(&state, move |s, _, actor| {
            let users = jixiao_app::accounts::list(s, actor)?;
            Ok((users, jixiao_app::cycles::load(s, cycle.as_deref())?))
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "users.html",
        crate::i18n::text(ctx.english, "users"),
        json!({ "users": users, "units": fw.units, "evaluators": fw.evaluators }),
    ))
}

#[derive(Deserialize)]
struct UserForm {
    id: String,
    display_name: String,
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    evaluator_id: String,
    #[serde(default)]
    email: String,
    password: String,
    #[serde(default)]
    active: String,
}

async fn users_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<UserForm>,
) -> PageResult {
    let new = NewUser {
        id: f.id,
        display_name: f.display_name,
        password: f.password,
        role: f.role,
        unit_id: Some(f.unit_id),
        evaluator_id: Some(f.evaluator_id),
        email: Some(f.email),
    };
    let active = f.active == "true";
    let saved = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::save_user(s, actor, &new, active)
        })
        .await;
    match saved {
        Ok(_) => Ok(redirect("/users?flash=saved")),
        Err(e @ AppError::Invalid(_)) => Ok(redirect_error("/users", &e)),
        Err(e) => Err(e.into()),
    }
}
