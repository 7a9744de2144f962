//! The office's administration: the audit log and the users.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::accounts::{NewUser, UserChange};
use jixiao_app::audit::AuditFilter;
use jixiao_app::policy::{allows, Act};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/audit", get(audit_page)),
        (Method::GET, "/users", get(users_page)),
        (Method::POST, "/users", post(users_submit)),
        (Method::POST, "/users/{id}/active", post(user_active)),
        (Method::POST, "/users/{id}/password", post(user_password)),
        (
            Method::POST,
            "/users/tokens/{id}/revoke",
            post(token_revoke),
        ),
        (Method::POST, "/users/api-keys", post(key_create)),
        (
            Method::POST,
            "/users/api-keys/{id}/revoke",
            post(key_revoke),
        ),
    ]
}

/// The newest entries the audit page shows.
const AUDIT_PAGE: usize = 500;

async fn audit_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = AuditFilter {
        entity: ctx.q("entity"),
        actor: ctx.q("actor"),
        action: ctx.q("action"),
        before: ctx.q("before").and_then(|b| b.parse().ok()),
        limit: Some(AUDIT_PAGE),
        newest_first: true,
        ..Default::default()
    };
    let filter = f.clone();
    let (entries, users) = ctx
        .read(&state, move |s, _, actor| {
            Ok((
                jixiao_app::audit::entries(s, actor, &filter)?,
                jixiao_app::accounts::list(s, actor)?,
            ))
        })
        .await?;
    let names: std::collections::HashMap<&str, &str> = users
        .iter()
        .map(|u| (u.id.as_str(), u.display_name.as_str()))
        .collect();
    let tr = crate::i18n::texts(ctx.english);
    // Times in the office's time zone; actions in words; accounts by name (the id beside it).
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let at = super::render::local_time(&state, &e.at, "%Y-%m-%d %H:%M:%S");
            let action = tr
                .get(format!("act.{}", e.action).as_str())
                .map(|l| l.to_string())
                .unwrap_or_else(|| e.action.clone());
            json!({ "seq": e.seq, "at": at, "actor": e.actor, "actor_name": names.get(e.actor.as_str()).copied().unwrap_or(""),
                    "action": action, "code": e.action, "entity": e.entity })
        })
        .collect();
    let keep = |extra: &str| {
        let mut q: Vec<String> = [
            ("entity", &f.entity),
            ("actor", &f.actor),
            ("action", &f.action),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", super::render::urlencode(v)))
        })
        .collect();
        if !extra.is_empty() {
            q.push(extra.to_string());
        }
        format!("/audit?{}", q.join("&"))
    };
    let older = (entries.len() == AUDIT_PAGE)
        .then(|| entries.last().map(|e| keep(&format!("before={}", e.seq))))
        .flatten();
    let newest = f.before.map(|_| keep(""));
    Ok(render(
        &state,
        &ctx,
        "audit.html",
        tr["audit"],
        json!({ "entries": rows, "entity": f.entity.unwrap_or_default(), "actor": f.actor.unwrap_or_default(), "action": f.action.unwrap_or_default(),
                "older": older, "newest": newest }),
    ))
}

async fn users_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    users(&state, &ctx, None).await
}

/// The accounts, every API token and the Open311 keys; `new_key` is shown this once.
async fn users(state: &AppState, ctx: &Ctx, new_key: Option<String>) -> PageResult {
    let cycle = ctx.cycle();
    // The city's office also keeps the Open311 keys, hotline accounts and organisations; a
    // district office only its own organisation's accounts.
    let city = allows(&ctx.actor, Act::AdministerSystem);
    let (users, fw, tokens, keys, streets, organisations) = ctx
        .read(state, move |s, _, actor| {
            let users = jixiao_app::accounts::list(s, actor)?;
            let tokens = jixiao_app::accounts::tokens(s, actor, true)?;
            let (keys, streets, organisations) = if city {
                (
                    jixiao_app::hotline::api_keys(s, actor)?,
                    // The hotline's streets and departments: a handler account's unit.
                    jixiao_app::hotline::work::handler_units(s)?,
                    jixiao_app::cycles::organisations(s, actor)?,
                )
            } else {
                Default::default()
            };
            Ok((
                users,
                jixiao_app::cycles::load(s, actor, cycle.as_deref())?,
                tokens,
                keys,
                streets,
                organisations,
            ))
        })
        .await?;
    // Units and evaluating units by name (their ids beside them), not by id alone.
    let unit_names: serde_json::Map<String, serde_json::Value> = fw
        .units
        .iter()
        .map(|u| (u.id.clone(), json!(u.name)))
        .collect();
    let evaluator_names: serde_json::Map<String, serde_json::Value> = fw
        .evaluators
        .iter()
        .map(|e| (e.id.clone(), json!(e.name)))
        .collect();
    Ok(render(
        state,
        ctx,
        "users.html",
        crate::i18n::text(ctx.english, "users"),
        json!({ "users": users, "units": fw.units, "evaluators": fw.evaluators, "tokens": tokens, "keys": keys, "new_key": new_key, "streets": streets,
                "unit_names": unit_names, "evaluator_names": evaluator_names, "city": city, "organisations": organisations,
                "cycle_name": fw.cycle.name }),
    ))
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
}

async fn user_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    let change = UserChange {
        active: Some(f.active == "true"),
        ..Default::default()
    };
    let done = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::accounts::update_user(s, settings, actor, &id, &change)
        })
        .await;
    after(done, "/users", "")
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn user_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ResetForm>,
) -> PageResult {
    let change = UserChange {
        password: Some(f.password),
        ..Default::default()
    };
    let done = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::accounts::update_user(s, settings, actor, &id, &change)
        })
        .await;
    after(done, "/users", "")
}

async fn token_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let done = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::revoke_token(s, actor, &id, true)
        })
        .await;
    after(done, "/users", "#tokens")
}

#[derive(Deserialize)]
struct KeyForm {
    name: String,
}

async fn key_create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<KeyForm>) -> PageResult {
    let made = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::hotline::create_api_key(s, actor, &f.name)
        })
        .await;
    match made {
        Ok((_, key)) => users(&state, &ctx, Some(key)).await,
        Err(e) => after(Err::<(), _>(e), "/users", "#keys"),
    }
}

async fn key_revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let done = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::hotline::revoke_api_key(s, actor, &id)
        })
        .await;
    after(done, "/users", "#keys")
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
    /// A grid inspector's cell (too many to offer in the unit list).
    #[serde(default)]
    grid_id: String,
    #[serde(default)]
    email: String,
    /// The organisation of the account (the city's office chooses; empty: the city's).
    #[serde(default)]
    organisation: String,
    password: String,
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
        unit_id: Some(if f.grid_id.trim().is_empty() {
            f.unit_id
        } else {
            f.grid_id.trim().to_string()
        }),
        evaluator_id: Some(f.evaluator_id),
        email: Some(f.email),
        organisation: Some(f.organisation),
    };
    let saved = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::accounts::create_user(s, settings, actor, &new)
        })
        .await;
    after(saved, "/users", "")
}
