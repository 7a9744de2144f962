//! One's own account: changing the password, one's API tokens.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/account", get(account_page)),
        (Method::GET, "/notifications", get(notices_page)),
        (Method::POST, "/notifications/seen", post(notices_seen)),
        (Method::POST, "/account/password", post(password_submit)),
        (Method::POST, "/account/tokens", post(token_create)),
        (
            Method::POST,
            "/account/tokens/{id}/revoke",
            post(token_revoke),
        ),
    ]
}

async fn account_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    page(&state, &ctx, None).await
}

async fn page(state: &AppState, ctx: &Ctx, new_token: Option<String>) -> PageResult {
    let me = jixiao_app::accounts::me(&ctx.actor)?;
    let tokens = ctx
        .read(state, |s, _, actor| {
            jixiao_app::accounts::tokens(s, actor, false)
        })
        .await?;
    Ok(render(
        state,
        ctx,
        "account.html",
        crate::i18n::text(ctx.english, "account"),
        json!({ "me": me, "tokens": tokens, "new_token": new_token }),
    ))
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

/// Creates a token and shows it this once on the account page.
async fn token_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let made = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::create_token(s, actor, &f.name)
        })
        .await;
    match made {
        Ok(token) => page(&state, &ctx, Some(token)).await,
        Err(e) => after(Err::<(), _>(e), "/account", "#tokens"),
    }
}

async fn token_revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let done = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::revoke_token(s, actor, &id, false)
        })
        .await;
    after(done, "/account", "#tokens")
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn password_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let session = ctx.session.clone();
    let changed = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::accounts::change_password(
                s,
                settings,
                actor,
                &f.current,
                &f.new,
                session.as_deref(),
            )
        })
        .await;
    after(changed, "/account", "")
}

/// The account's notifications, newest first, unread ones marked.
async fn notices_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let notices = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::notices::notices(s, settings, actor, cycle.as_deref())
        })
        .await?;
    let items: Vec<serde_json::Value> = notices
        .items
        .iter()
        .map(|n| {
            let mut v = serde_json::json!(n);
            v["local"] =
                serde_json::json!(super::render::local_time(&state, &n.at, "%Y-%m-%d %H:%M"));
            v
        })
        .collect();
    Ok(super::render::render(
        &state,
        &ctx,
        "notices.html",
        crate::i18n::text(ctx.english, "notices"),
        serde_json::json!({ "items": items, "unread": notices.unread, "newest": notices.newest }),
    ))
}

#[derive(serde::Deserialize)]
struct SeenForm {
    seq: i64,
}

async fn notices_seen(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<SeenForm>,
) -> PageResult {
    let seen = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::notices::mark_seen(s, actor, f.seq)
        })
        .await;
    super::render::after(seen, "/notifications", "")
}
