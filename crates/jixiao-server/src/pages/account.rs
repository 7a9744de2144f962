//! One's own account: changing the password.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/account", get(account_page)),
        (Method::POST, "/account/password", post(password_submit)),
    ]
}

async fn account_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let me = jixiao_app::accounts::me(&ctx.actor)?;
    Ok(render(
        &state,
        &ctx,
        "account.html",
        crate::i18n::text(ctx.english, "account"),
        json!({ "me": me }),
    ))
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
        .write(&state, move |s, _, actor| {
            jixiao_app::accounts::change_password(s, actor, &f.current, &f.new, session.as_deref())
        })
        .await;
    after(changed, "/account", "")
}
