//! Report pages: the office's report list with publication, a unit's report page (its narrative
//! paragraphs and downloads), report downloads, and the public pages of published cycles.
//!
//! Public pages answer 404 for a cycle that is not published, whatever the path, so nothing
//! unpublished can be found by guessing addresses.

use crate::error::AppError;
use crate::pages::{ranking_tables, PageCtx, PageResult};
use crate::policy::{allows, Act};
use crate::reports::{self, download, Format, Kind, Loaded};
use crate::state::AppState;
use crate::{auth, view};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use jixiao_report::Section;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports/publication", post(publication_submit))
        .route("/reports/results/{format}", get(results_download))
        .route(
            "/units/{unit}/report",
            get(unit_report_page).post(unit_report_submit),
        )
        .route(
            "/units/{unit}/reports/{kind}/{format}",
            get(unit_report_download),
        )
        .route("/public", get(public_index))
        .route("/public/{cycle}", get(public_cycle))
        .route(
            "/public/{cycle}/results/{format}",
            get(public_results_download),
        )
        .route("/public/{cycle}/units/{unit}", get(public_unit))
        .route(
            "/public/{cycle}/units/{unit}/reports/{kind}/{format}",
            get(public_unit_download),
        )
}

fn format_of(s: &str) -> Result<Format, AppError> {
    Format::parse(s).ok_or_else(|| AppError::NotFound(format!("format `{s}`")))
}

fn unit_kind(s: &str) -> Result<Kind, AppError> {
    Kind::parse(s)
        .filter(|k| k.needs_unit())
        .ok_or_else(|| AppError::NotFound(format!("report `{s}`")))
}

/// Writes report `kind` of a loaded cycle as the download `format` names, or the page saying
/// why not.
fn send_report(
    state: &AppState,
    ctx: &PageCtx,
    loaded: &Loaded,
    kind: Kind,
    unit: Option<&str>,
    format: &str,
) -> axum::response::Response {
    let written = format_of(format).and_then(|format| {
        reports::render(
            loaded,
            &state.wording,
            kind,
            unit,
            format,
            state.config.today(),
        )
    });
    match written {
        Ok(r) => download(r),
        Err(e) => ctx.fail(state, e),
    }
}

/// Download links of a unit's reports: (label, href).
fn unit_links(base: &str, unit: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for kind in [Kind::SelfReport, Kind::SelfCheck] {
        for f in kind.formats() {
            out.push(json!({ "kind": kind.as_str(), "format": f.extension(), "href": format!("{base}/units/{unit}/reports/{}/{}", kind.as_str(), f.extension()) }));
        }
    }
    out
}

fn results_links(base: &str) -> Vec<Value> {
    Kind::Results
        .formats()
        .iter()
        .map(|f| json!({ "format": f.extension(), "href": format!("{base}/reports/results/{}", f.extension()) }))
        .collect()
}

async fn reports_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::ViewCycle)?;
    let cycle = ctx.cycle(&state).await?;
    let c = cycle.clone();
    let (fw, publication) = state
        .db(move |s| Ok((s.load_cycle(&c)?, s.publication(&c)?)))
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let units: Vec<Value> = fw
        .units
        .iter()
        .map(|u| json!({ "id": u.id, "name": u.name, "links": unit_links("", &u.id) }))
        .collect();
    Ok(ctx.render(
        &state,
        "reports.html",
        ctx.tr()["reports"],
        json!({
            "cycle_id": cycle, "cycle_name": fw.cycle.name, "results": results_links(""),
            "units": units,
            "published": publication.as_ref().map(|p| json!({ "by": p.published_by, "at": p.published_at })),
            "can_publish": allows(&ctx.p, Act::Administer),
        }),
    ))
}

#[derive(Deserialize)]
struct PublicationForm {
    csrf: String,
    publish: String,
}

async fn publication_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<PublicationForm>,
) -> PageResult {
    ctx.require(&state, Act::Administer)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let actor = ctx.p.id().to_string();
    let publish = f.publish == "true";
    let result = state
        .db(move |s| Ok(s.set_published(&cycle, publish, &actor)?))
        .await;
    ctx.after(&state, result, "/reports", "")
}

async fn results_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(format): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::ViewCycle)?;
    let cycle = ctx.cycle(&state).await?;
    let loaded = reports::loaded(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(send_report(
        &state,
        &ctx,
        &loaded,
        Kind::Results,
        None,
        &format,
    ))
}

async fn unit_report_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((unit, kind, format)): Path<(String, String, String)>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    let cycle = ctx.cycle(&state).await?;
    let kind = unit_kind(&kind).map_err(|e| ctx.fail(&state, e))?;
    let loaded = reports::loaded(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(send_report(
        &state,
        &ctx,
        &loaded,
        kind,
        Some(&unit),
        &format,
    ))
}

async fn unit_report_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    let cycle = ctx.cycle(&state).await?;
    let loaded = reports::loaded(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let u = view::unit_index(&loaded.fw, &unit).map_err(|e| ctx.fail(&state, e))?;
    let sections: Vec<Value> = Section::ALL
        .iter()
        .map(|s| {
            json!({
                "key": s.as_str(),
                "label": ctx.tr()[format!("section_{}", s.as_str()).as_str()],
                "body": loaded.narratives.get(&unit, *s).unwrap_or(""),
            })
        })
        .collect();
    Ok(ctx.render(
        &state,
        "unit_report.html",
        ctx.tr()["self_report"],
        json!({
            "unit_id": unit, "unit_name": loaded.fw.units[u].name, "sections": sections,
            "links": unit_links("", &unit), "can_write": allows(&ctx.p, Act::WriteReport(&unit)),
        }),
    ))
}

#[derive(Deserialize)]
struct NarrativeForm {
    csrf: String,
    overview: String,
    highlights: String,
    rectification: String,
    next_year: String,
}

async fn unit_report_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
    Form(f): Form<NarrativeForm>,
) -> PageResult {
    ctx.require(&state, Act::WriteReport(&unit))?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let actor = ctx.p.id().to_string();
    let u = unit.clone();
    let result = state
        .db(move |s| {
            for (section, body) in [
                (Section::Overview, &f.overview),
                (Section::Highlights, &f.highlights),
                (Section::Rectification, &f.rectification),
                (Section::NextYear, &f.next_year),
            ] {
                s.save_narrative(&cycle, &u, section.as_str(), body, &actor)?;
            }
            Ok(())
        })
        .await;
    ctx.after(&state, result, &format!("/units/{unit}/report"), "")
}

/// The cycle if it is published; otherwise 404, as if it did not exist.
async fn published(
    state: &AppState,
    ctx: &PageCtx,
    cycle: &str,
) -> Result<Loaded, axum::response::Response> {
    let loaded = reports::loaded(state, cycle).await.map_err(|_| {
        ctx.fail(
            state,
            AppError::NotFound(format!("published cycle `{cycle}`")),
        )
    })?;
    if !allows(
        &ctx.p,
        Act::ViewPublished {
            published: loaded.published,
        },
    ) {
        return Err(ctx.fail(
            state,
            AppError::NotFound(format!("published cycle `{cycle}`")),
        ));
    }
    Ok(loaded)
}

async fn public_index(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let cycles = state
        .db(|s| {
            let mut out = Vec::new();
            for (id, name) in s.cycles()? {
                if let Some(p) = s.publication(&id)? {
                    out.push(json!({ "id": id, "name": name, "at": p.published_at.get(..10).unwrap_or("") }));
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(ctx.render(
        &state,
        "public.html",
        ctx.tr()["public_results"],
        json!({ "cycles": cycles }),
    ))
}

async fn public_cycle(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(cycle): Path<String>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let base = format!("/public/{cycle}");
    let mut page =
        ranking_tables(&ctx, &loaded.fw, &loaded.card, &base).map_err(|e| ctx.fail(&state, e))?;
    page["results"] = json!(results_links(&base));
    page["public"] = json!(true);
    Ok(ctx.render(&state, "rankings.html", &loaded.fw.cycle.name, page))
}

async fn public_results_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((cycle, format)): Path<(String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    Ok(send_report(
        &state,
        &ctx,
        &loaded,
        Kind::Results,
        None,
        &format,
    ))
}

async fn public_unit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((cycle, unit)): Path<(String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let fail = |e| ctx.fail(&state, e);
    let u = view::unit_index(&loaded.fw, &unit).map_err(fail)?;
    let d = loaded.data(state.config.today());
    let (_, rows) = jixiao_report::self_check(&d, &state.wording, u)
        .map_err(|e| fail(AppError::Invalid(e.to_string())))?;
    let us = &loaded.card.units[u];
    Ok(ctx.render(
        &state,
        "public_unit.html",
        &loaded.fw.units[u].name,
        json!({
            "cycle_id": cycle, "cycle_name": loaded.fw.cycle.name, "unit_name": loaded.fw.units[u].name,
            "total": us.total, "rank": us.rank, "grade": us.grade, "rows": rows,
            "links": unit_links(&format!("/public/{cycle}"), &unit),
        }),
    ))
}

async fn public_unit_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((cycle, unit, kind, format)): Path<(String, String, String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let kind = unit_kind(&kind).map_err(|e| ctx.fail(&state, e))?;
    Ok(send_report(
        &state,
        &ctx,
        &loaded,
        kind,
        Some(&unit),
        &format,
    ))
}
