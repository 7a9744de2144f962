//! 多元评价: the office's page of assessment sources (surveys with their margins; rating rounds
//! with completion and aggregates as they come in, opened from a round file and closed), and a
//! rater's pages (its rounds, and the ballot form, made for a phone).

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use jixiao_app::policy::{allows, Act};
use jixiao_app::AppError;
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/sources", get(sources_page)),
        (Method::POST, "/sources/surveys", post(survey_import)),
        (Method::POST, "/sources/rounds", post(round_open)),
        (Method::GET, "/sources/rounds/{round}", get(round_page)),
        (
            Method::POST,
            "/sources/rounds/{round}/close",
            post(round_close),
        ),
        (Method::GET, "/rate", get(rate_page)),
        (Method::GET, "/rate/{round}", get(ballot_page)),
        (Method::POST, "/rate/{round}", post(ballot_save)),
    ]
}

async fn sources_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let office = allows(&ctx.actor, Act::Administer);
    let (name, surveys, rounds) = ctx
        .read(&state, move |s, _, actor| {
            let (name, surveys) = jixiao_app::surveys::list(s, actor, cycle.as_deref())?;
            let rounds = if office {
                jixiao_app::ratings::list(s, actor, cycle.as_deref())?
            } else {
                Vec::new()
            };
            Ok((name, surveys, rounds))
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "sources.html",
        crate::i18n::text(ctx.english, "sources"),
        json!({ "cycle_name": name, "surveys": surveys, "rounds": rounds, "office": office }),
    ))
}

async fn survey_import(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let mut form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let files = (form.files.remove("questionnaire"), form.file);
    let cycle = ctx.cycle();
    let imported = ctx
        .write(&state, move |s, _, actor| {
            // Who may import is asked before what was sent.
            jixiao_app::policy::require(actor, Act::Administer)?;
            let (Some(q), Some(r)) = files else {
                return Err(AppError::Invalid(
                    "choose the questionnaire file and the results file".into(),
                ));
            };
            jixiao_app::surveys::import(s, actor, cycle.as_deref(), (&q.0, &q.1), (&r.0, &r.1))
        })
        .await;
    after(imported, "/sources", "#surveys")
}

/// A round from its file (TOML), checked whole.
async fn round_open(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let file = form.file.unwrap_or_default();
    let cycle = ctx.cycle();
    let opened = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::ratings::open_file(s, actor, cycle.as_deref(), (&file.0, &file.1))
        })
        .await;
    after(opened, "/sources", "#rounds")
}

/// A round's completion and aggregates; an open round's page reloads itself, so the office
/// watches a 开门考评 session's scores come in.
async fn round_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let (cycle, view) = ctx
        .read(&state, move |s, _, actor| {
            let view = jixiao_app::ratings::progress(s, actor, cycle.as_deref(), &round)?;
            Ok((view.cycle.clone(), view))
        })
        .await?;
    let title = view.name.clone();
    Ok(render(
        &state,
        &ctx,
        "round.html",
        &title,
        json!({ "round": view, "cycle": cycle }),
    ))
}

async fn round_close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let path = format!("/sources/rounds/{round}");
    let closed = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::ratings::close(s, actor, cycle.as_deref(), &round)
        })
        .await;
    after(closed, &path, "")
}

async fn rate_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let rounds = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::ratings::my_rounds(s, settings, actor, cycle.as_deref())
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "rate.html",
        crate::i18n::text(ctx.english, "rate_nav"),
        json!({ "rounds": rounds }),
    ))
}

async fn ballot_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let view = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::ratings::my_round(s, settings, actor, cycle.as_deref(), &round)
        })
        .await?;
    let title = view.name.clone();
    Ok(render(
        &state,
        &ctx,
        "ballot.html",
        &title,
        json!({ "ballot": view }),
    ))
}

/// The ballot form: a `score.UNIT` field per unit; blank fields are left as they were.
async fn ballot_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let cycle = ctx.cycle();
    let path = format!("/rate/{round}");
    let saved = ctx
        .write(&state, move |s, settings, actor| {
            let scores = jixiao_app::ratings::form_scores(
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )?;
            jixiao_app::ratings::cast(s, settings, actor, cycle.as_deref(), &round, &scores)
        })
        .await;
    after(saved, &path, "")
}
