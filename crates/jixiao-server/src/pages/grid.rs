//! 网格化管理 pages: `/grid` is a grid inspector's patrol (a report form made for a phone, with
//! a photo from the camera, and its reports) and, for those who see the hotline, the month's
//! grid figures per district, street, community or cell with the month's reports; the office
//! feeds task A23-1 from them.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::hotline::grid::NewReport;
use jixiao_app::policy::{allows, Act};
use jixiao_app::Role;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/grid", get(grid_page)),
        (Method::POST, "/grid/reports", post(report_submit)),
        (Method::GET, "/grid/reports/{id}/photo", get(photo)),
        (Method::POST, "/grid/feed", post(feed)),
    ]
}

async fn grid_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let (month, level, district) = (ctx.q("month"), ctx.q("level"), ctx.q("district"));
    let inspector = ctx.actor.role == Role::Inspector;
    let page = ctx
        .read(&state, move |s, settings, actor| {
            let geo = jixiao_app::hotline::open311::reference(s)?;
            if inspector {
                let reports =
                    jixiao_app::hotline::grid::reports(s, settings, actor, None, None)?;
                let cell = actor.unit().map(|g| geo.1.place_name(g)).unwrap_or_default();
                let classes: Vec<_> = jixiao_hotline::grid::built_in()
                    .into_iter()
                    .map(|c| json!({ "code": c.code, "name": c.name, "part": c.kind == jixiao_hotline::grid::Kind::Part }))
                    .collect();
                return Ok(json!({ "inspector": true, "cell": cell, "reports": reports, "classes": classes }));
            }
            let figures = jixiao_app::hotline::grid::figures(
                s,
                settings,
                actor,
                month.as_deref(),
                level.as_deref(),
                district.as_deref(),
            )?;
            let reports = jixiao_app::hotline::grid::reports(
                s,
                settings,
                actor,
                Some(&figures.month),
                figures.district.as_deref(),
            )?;
            let districts: Vec<_> = geo
                .1
                .at_level(jixiao_hotline::geography::Level::District)
                .map(|d| json!({ "id": d.id, "name": d.name }))
                .collect();
            Ok(json!({ "inspector": false, "figures": figures, "reports": reports, "districts": districts }))
        })
        .await?;
    let mut page = page;
    page["can_feed"] = json!(allows(&ctx.actor, Act::Administer));
    Ok(render(
        &state,
        &ctx,
        "grid.html",
        crate::i18n::text(ctx.english, "grid_nav"),
        page,
    ))
}

/// A patrol report from the form, with its photo when one was taken.
async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let number = |name: &str| form.field(name).trim().parse::<f64>().ok();
    let new = NewReport {
        grid: None,
        category: form.field("category").to_string(),
        description: form.field("description").to_string(),
        lat: number("lat"),
        lon: number("lon"),
        disposal: form.field("disposal").to_string(),
        report_id: None,
    };
    let photo = form
        .file
        .filter(|(name, bytes)| !name.is_empty() || !bytes.is_empty());
    let result = ctx
        .write(&state, move |s, settings, actor| {
            let photo = photo.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
            jixiao_app::hotline::grid::report(s, settings, actor, &new, photo)
        })
        .await;
    after(result, "/grid", "")
}

async fn photo(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let (name, content_type, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::hotline::grid::photo(s, actor, &id)
        })
        .await?;
    Ok(crate::download::file(&name, &content_type, bytes))
}

#[derive(Deserialize)]
struct FeedForm {
    task: String,
}

/// The office gives a task of the newest cycle (A23-1) each district's year of 处置率.
async fn feed(State(state): State<AppState>, ctx: Ctx, Form(f): Form<FeedForm>) -> PageResult {
    let result = ctx
        .write(&state, move |s, _, actor| {
            let fw = jixiao_app::cycles::load(s, actor, None)?;
            jixiao_app::hotline::grid::feed(s, actor, &fw, f.task.trim())
        })
        .await;
    after(result, "/grid", "")
}
