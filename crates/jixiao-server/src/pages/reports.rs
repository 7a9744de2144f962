//! Report pages: the office's report list with publication, a unit's report page (its narrative
//! paragraphs and downloads), report downloads, and the public pages of published cycles.
//!
//! Public pages answer 404 for a cycle that is not published, whatever the path, so nothing
//! unpublished can be found by guessing addresses.

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::download;
use crate::error::PageError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::policy::{allows, Act};
use jixiao_app::reports::Kind;
use jixiao_app::AppError;
use jixiao_core::{Framework, Scorecard};
use jixiao_report::Section;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Vec<PageRoute> {
    let mut table = vec![
        (Method::GET, "/reports", get(reports_page)),
        (
            Method::POST,
            "/reports/publication",
            post(publication_submit),
        ),
        (
            Method::GET,
            "/reports/results/{format}",
            get(results_download),
        ),
        (Method::POST, "/reports/visibility", post(visibility_submit)),
        (Method::GET, "/units/{unit}/report", get(unit_report_page)),
        (
            Method::POST,
            "/units/{unit}/report",
            post(unit_report_submit),
        ),
        (
            Method::GET,
            "/units/{unit}/reports/{kind}/{format}",
            get(unit_report_download),
        ),
    ];
    table.extend(published_routes());
    table
}

/// The public pages of published cycles: open to anyone.
pub fn published_routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/public", get(public_index)),
        (Method::GET, "/public/{cycle}", get(public_cycle)),
        (
            Method::GET,
            "/public/{cycle}/publication.json",
            get(public_publication_json),
        ),
        (
            Method::GET,
            "/public/{cycle}/versions/{file}",
            get(public_bundle),
        ),
        (
            Method::GET,
            "/public/{cycle}/periods/{period}",
            get(public_period),
        ),
        (
            Method::GET,
            "/public/{cycle}/periods/{period}/publication.json",
            get(public_period_json),
        ),
        (
            Method::GET,
            "/public/{cycle}/periods/{period}/versions/{file}",
            get(public_period_bundle),
        ),
        (
            Method::GET,
            "/public/{cycle}/results/{format}",
            get(public_results_download),
        ),
        (
            Method::GET,
            "/public/{cycle}/units/{unit}",
            get(public_unit),
        ),
        (
            Method::GET,
            "/public/{cycle}/units/{unit}/reports/{kind}/{format}",
            get(public_unit_download),
        ),
    ]
}

/// Download links of a unit's reports.
fn unit_links(base: &str, unit: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for kind in [Kind::SelfReport, Kind::SelfCheck] {
        for f in kind.formats() {
            out.push(json!({ "kind": kind.as_str(), "format": f.extension(), "href": format!("{base}/units/{unit}/reports/{}/{}", kind.as_str(), f.extension()) }));
        }
    }
    out
}

/// Download links of the results report: `{prefix}/results/{format}` (the office's
/// `/reports/results/…`, the public `/public/{cycle}/results/…`).
fn results_links(prefix: &str) -> Vec<Value> {
    Kind::Results
        .formats()
        .iter()
        .map(|f| json!({ "format": f.extension(), "href": format!("{prefix}/results/{}", f.extension()) }))
        .collect()
}

/// The overall and group rankings, 单列 units apart, and the grade distribution; unit names
/// link to `{link_base}/units/{id}`.
pub(crate) fn ranking_tables(
    ctx: &Ctx,
    fw: &Framework,
    card: &Scorecard,
    link_base: &str,
) -> Result<Value, AppError> {
    let tr = crate::i18n::texts(ctx.english);
    let overall = jixiao_app::scores::ranking(fw, card, None)?;
    let separate: Vec<_> = overall.rows.iter().filter(|r| r.rank.is_none()).collect();
    // With unit classes each class is ranked apart, on its own scale.
    let mut tables: Vec<Value> = if fw.classes.is_empty() {
        vec![
            json!({ "title": tr["overall"], "rows": overall.rows.iter().filter(|r| r.rank.is_some()).collect::<Vec<_>>() }),
        ]
    } else {
        fw.classes
            .iter()
            .map(|c| {
                let rows: Vec<_> = overall
                    .rows
                    .iter()
                    .filter(|r| r.rank.is_some() && r.class.as_deref() == Some(c.name.as_str()))
                    .collect();
                let full = rows.first().map(|r| r.full_marks).unwrap_or(0.0);
                json!({ "title": format!("{} · {}（{} {}）", tr["overall"], c.name, tr["full_marks"], jixiao_core::explain::num(full)), "rows": rows })
            })
            .collect()
    };
    for g in &fw.groups {
        let r = jixiao_app::scores::ranking(fw, card, Some(&g.id))?;
        let rows: Vec<_> = r.rows.into_iter().filter(|x| x.rank.is_some()).collect();
        tables.push(json!({ "title": g.name, "rows": rows }));
    }
    let grades_json = super::render::script_json(
        &json!({ "labels": overall.grades.iter().map(|g| &g.0).collect::<Vec<_>>(), "values": overall.grades.iter().map(|g| g.1).collect::<Vec<_>>() }),
    );
    Ok(
        json!({ "cycle_name": fw.cycle.name, "tables": tables, "separate": separate, "grades": overall.grades, "grades_json": grades_json, "link_base": link_base, "results": Value::Null, "public": false, "publication": Value::Null, "period_ranking": false, "tags": [] }),
    )
}

async fn reports_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (fw, publication, (changes, visibility)) = ctx
        .read(&state, move |s, _, actor| {
            let (fw, p) = jixiao_app::reports::overview(s, actor, cycle.as_deref())?;
            let changes = jixiao_app::reports::publication::changes_since_publication(
                s,
                actor,
                Some(&fw.cycle.id),
            )?;
            let v = jixiao_app::visibility::setting(s, &fw.cycle.id)?;
            Ok((fw, p, (changes, v)))
        })
        .await?;
    let since = changes.map(|(v, diffs)| {
        json!({ "version": v.version, "at": v.published_at.get(..16).unwrap_or(&v.published_at), "sha256": v.sha256,
            "rows": difference_rows(&ctx, Some(&fw), &diffs), "changed": !diffs.is_empty() })
    });
    let units: Vec<Value> = fw
        .units
        .iter()
        .map(|u| json!({ "id": u.id, "name": u.name, "links": unit_links("", &u.id) }))
        .collect();
    Ok(render(
        &state,
        &ctx,
        "reports.html",
        crate::i18n::text(ctx.english, "reports"),
        json!({
            "cycle_id": fw.cycle.id, "cycle_name": fw.cycle.name, "results": results_links("/reports"),
            "units": units,
            "published": publication.as_ref().map(|p| json!({ "by": p.published_by, "at": p.published_at })),
            "can_publish": allows(&ctx.actor, Act::Administer),
            "since": since,
            "visibility": visibility.as_str(),
            "periods": fw.cycle.periods.iter().map(|p| json!({ "id": p.id, "name": p.name })).collect::<Vec<_>>(),
            "visibility_options": jixiao_app::visibility::Visibility::ALL.iter().map(|v| json!({ "value": v.as_str(), "label": if ctx.english { v.label_en() } else { v.label_zh() } })).collect::<Vec<_>>(),
        }),
    ))
}

#[derive(Deserialize)]
struct PublicationForm {
    publish: String,
    /// `yes`: the office ticked that it has checked what it publishes (a correction's reason
    /// stands for it).
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    reason: String,
    /// A period whose ranking to publish (季度排名); empty for the year's results.
    #[serde(default)]
    period: String,
}

async fn publication_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PublicationForm>,
) -> PageResult {
    let (cycle, publish) = (ctx.cycle(), f.publish == "true");
    if publish && f.reason.trim().is_empty() && f.confirm != "yes" {
        return Ok(super::render::redirect_error(
            "/reports",
            &AppError::Invalid(crate::i18n::text(ctx.english, "publish_unconfirmed").to_string()),
        ));
    }
    let result = ctx
        .write(&state, move |s, _, actor| {
            let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
            let period = Some(f.period.as_str()).filter(|p| !p.is_empty());
            jixiao_app::reports::set_published(s, actor, cycle.as_deref(), publish, period, reason)
        })
        .await;
    after(result, "/reports", "")
}

#[derive(Deserialize)]
struct VisibilityForm {
    units_see: String,
}

async fn visibility_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<VisibilityForm>,
) -> PageResult {
    let cycle = ctx.cycle();
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::visibility::set(s, actor, cycle.as_deref(), &f.units_see)
        })
        .await;
    after(result, "/reports", "")
}

async fn results_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(format): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let r = ctx
        .read_lagging(&state, move |s, settings, actor| {
            jixiao_app::reports::results_report(s, settings, actor, cycle.as_deref(), &format)
        })
        .await?;
    Ok(download::report(r))
}

async fn unit_report_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit, kind, format)): Path<(String, String, String)>,
) -> PageResult {
    let cycle = ctx.cycle();
    let r = ctx
        .read_lagging(&state, move |s, settings, actor| {
            jixiao_app::reports::unit_report(
                s,
                settings,
                actor,
                cycle.as_deref(),
                &unit,
                &kind,
                &format,
            )
        })
        .await?;
    Ok(download::report(r))
}

async fn unit_report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    let (cycle, u) = (ctx.cycle(), unit.clone());
    let loaded = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::reports::loaded_for(s, actor, cycle.as_deref(), Some(&u))
        })
        .await?;
    let u = loaded
        .fw
        .unit_index(&unit)
        .ok_or_else(|| AppError::NotFound(format!("unit `{unit}`")))?;
    let tr = crate::i18n::texts(ctx.english);
    let sections: Vec<Value> = Section::ALL
        .iter()
        .map(|s| {
            json!({
                "key": s.as_str(),
                "label": tr.get(format!("section_{}", s.as_str()).as_str()).copied().unwrap_or(""),
                "body": loaded.narratives.get(&unit, *s).unwrap_or(""),
            })
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "unit_report.html",
        tr["self_report"],
        json!({
            "unit_id": unit, "unit_name": loaded.fw.units[u].name, "sections": sections,
            "links": unit_links("", &unit), "can_write": allows(&ctx.actor, Act::WriteReport(&unit)),
        }),
    ))
}

#[derive(Deserialize)]
struct NarrativeForm {
    overview: String,
    highlights: String,
    rectification: String,
    next_year: String,
}

async fn unit_report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Form(f): Form<NarrativeForm>,
) -> PageResult {
    let (cycle, u) = (ctx.cycle(), unit.clone());
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::reports::save_narratives(
                s,
                actor,
                cycle.as_deref(),
                &u,
                &[
                    (Section::Overview, &f.overview),
                    (Section::Highlights, &f.highlights),
                    (Section::Rectification, &f.rectification),
                    (Section::NextYear, &f.next_year),
                ],
            )
        })
        .await;
    after(result, &format!("/units/{unit}/report"), "")
}

/// The published cycle, or the error page of "not found".
async fn published(
    state: &AppState,
    ctx: &Ctx,
    cycle: &str,
) -> Result<jixiao_app::reports::Loaded, PageError> {
    let c = cycle.to_string();
    Ok(ctx
        .read_lagging(state, move |s, _, actor| {
            jixiao_app::reports::published(s, actor, &c)
        })
        .await?)
}

async fn public_index(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycles = ctx
        .read_lagging(&state, |s, _, _| jixiao_app::reports::published_cycles(s))
        .await?;
    Ok(render(
        &state,
        &ctx,
        "public.html",
        crate::i18n::text(ctx.english, "public_results"),
        json!({ "cycles": cycles }),
    ))
}

/// Differences as table rows, each figure named for people: a node by its id and name, a
/// group by its name.
fn difference_rows(
    ctx: &Ctx,
    fw: Option<&Framework>,
    diffs: &[jixiao_app::reports::publication::Difference],
) -> Vec<Value> {
    let tr = crate::i18n::texts(ctx.english);
    diffs
        .iter()
        .map(|d| {
            let figure = match d.figure.as_str() {
                "total" | "grade" | "rank" => tr[d.figure.as_str()].to_string(),
                "bonus" | "deduction" | "base" => d.figure.clone(),
                "inputs" => tr["inputs_changed"].to_string(),
                f => match f.strip_prefix("rank in ") {
                    Some(g) => {
                        let name = fw
                            .and_then(|fw| fw.groups.iter().find(|x| x.id == g))
                            .map_or(g, |x| x.name.as_str());
                        format!("{} {name}", tr["rank_in"])
                    }
                    None => match fw.and_then(|fw| fw.nodes.iter().find(|n| n.id == f)) {
                        Some(n) => format!("{} {}", n.id, n.name),
                        None => f.to_string(),
                    },
                },
            };
            let num = |x: &str| match x.parse::<f64>() {
                Ok(v) if x.contains('.') => format!("{v:.2}"),
                _ => x.to_string(),
            };
            json!({ "unit": d.unit_name, "figure": figure, "old": num(&d.old), "new": num(&d.new) })
        })
        .collect()
}

/// Where a publication's public files are: `/public/{cycle}` or `/public/{cycle}/periods/{p}`.
fn public_base(cycle: &str, period: Option<&str>) -> String {
    match period {
        None => format!("/public/{cycle}"),
        Some(p) => format!("/public/{cycle}/periods/{p}"),
    }
}

/// What a public page says about the version it shows: number, time, hash, audit head, every
/// version with its bundle, the correction notice when it is a correction, and the periods
/// whose rankings are published.
async fn publication_block(
    state: &AppState,
    ctx: &Ctx,
    cycle: &str,
    period: Option<&str>,
    fw: &Framework,
) -> Result<Value, PageError> {
    let (c, p) = (cycle.to_string(), period.map(str::to_string));
    let (versions, notice, periods) = ctx
        .read_lagging(state, move |s, _, actor| {
            use jixiao_app::reports::publication as pb;
            let versions = pb::versions(s, actor, &c, p.as_deref())?;
            let newest = versions.last().map_or(0, |v| v.version);
            let notice = pb::correction(s, actor, &c, p.as_deref(), newest)?;
            let periods = pb::published_periods(s, &c)?;
            Ok((versions, notice, periods))
        })
        .await?;
    let Some(newest) = versions.last() else {
        return Ok(Value::Null);
    };
    let base = public_base(cycle, period);
    let list: Vec<Value> = versions
        .iter()
        .rev()
        .map(|v| json!({ "version": v.version, "at": v.published_at.get(..16).unwrap_or(&v.published_at), "sha256": v.sha256, "reason": v.reason, "href": format!("{base}/versions/{}.json", v.version) }))
        .collect();
    let period_links: Vec<Value> = periods
        .iter()
        .map(|p| {
            let name = fw
                .cycle
                .periods
                .iter()
                .find(|x| &x.id == p)
                .map_or(p.as_str(), |x| x.name.as_str());
            json!({ "id": p, "name": name, "href": format!("/public/{cycle}/periods/{p}") })
        })
        .collect();
    Ok(json!({
        "version": newest.version, "at": newest.published_at.get(..16).unwrap_or(&newest.published_at),
        "sha256": newest.sha256, "audit_seq": newest.audit_seq, "audit_hash": newest.audit_hash,
        "versions": list,
        "notice": notice.map(|(v, diffs)| json!({ "reason": v.reason, "rows": difference_rows(ctx, Some(fw), &diffs) })),
        "json": format!("{base}/publication.json"),
        "periods": period_links,
    }))
}

/// A published period ranking (季度排名): the rankings of its frozen version.
async fn public_period(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, period)): Path<(String, String)>,
) -> PageResult {
    let (c, p) = (cycle.clone(), period.clone());
    let loaded = ctx
        .read_lagging(&state, move |s, _, actor| {
            use jixiao_app::reports::publication as pb;
            let v = pb::newest_version(s, actor, &c, Some(&p))?;
            pb::loaded_version(s, &v)
        })
        .await?;
    let name = loaded
        .fw
        .cycle
        .periods
        .iter()
        .find(|x| x.id == period)
        .map_or(period.clone(), |x| x.name.clone());
    let mut page = ranking_tables(&ctx, &loaded.fw, &loaded.card, &format!("/public/{cycle}"))?;
    page["cycle_name"] = json!(format!("{} · {name}", loaded.fw.cycle.name));
    page["public"] = json!(true);
    page["period_ranking"] = json!(true);
    page["publication"] =
        publication_block(&state, &ctx, &cycle, Some(&period), &loaded.fw).await?;
    Ok(render(
        &state,
        &ctx,
        "rankings.html",
        &loaded.fw.cycle.name,
        page,
    ))
}

async fn public_cycle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let base = format!("/public/{cycle}");
    let mut page = ranking_tables(&ctx, &loaded.fw, &loaded.card, &base)?;
    page["results"] = json!(results_links(&base));
    page["public"] = json!(true);
    page["publication"] = publication_block(&state, &ctx, &cycle, None, &loaded.fw).await?;
    Ok(render(
        &state,
        &ctx,
        "rankings.html",
        &loaded.fw.cycle.name,
        page,
    ))
}

async fn public_results_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, format)): Path<(String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let r =
        jixiao_app::reports::published_report(&loaded, &state.settings, None, "results", &format)?;
    Ok(download::report(r))
}

async fn public_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit)): Path<(String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let (u, rows) = jixiao_app::reports::published_unit(&loaded, &state.settings, &unit)?;
    let us = &loaded.card.units[u];
    Ok(render(
        &state,
        &ctx,
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
    ctx: Ctx,
    Path((cycle, unit, kind, format)): Path<(String, String, String, String)>,
) -> PageResult {
    let loaded = published(&state, &ctx, &cycle).await?;
    let r = jixiao_app::reports::published_report(
        &loaded,
        &state.settings,
        Some(&unit),
        &kind,
        &format,
    )?;
    Ok(download::report(r))
}

/// `/public/{cycle}/publication.json`: the version shown, its time, hash and audit head, every
/// unit's total, grade and ranks as published, and every version.
async fn public_publication_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> Result<axum::response::Response, PageError> {
    publication_json(&state, &ctx, cycle, None).await
}

/// The same for a published period ranking.
async fn public_period_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, period)): Path<(String, String)>,
) -> Result<axum::response::Response, PageError> {
    publication_json(&state, &ctx, cycle, Some(period)).await
}

async fn publication_json(
    state: &AppState,
    ctx: &Ctx,
    cycle: String,
    period: Option<String>,
) -> Result<axum::response::Response, PageError> {
    let (c, p) = (cycle.clone(), period.clone());
    let (versions, snapshot) = ctx
        .read_lagging(state, move |s, _, actor| {
            use jixiao_app::reports::publication as pb;
            let (_, snapshot) = pb::newest(s, actor, &c, p.as_deref())?;
            let versions = pb::versions(s, actor, &c, p.as_deref())?;
            Ok((versions, snapshot))
        })
        .await?;
    let base = public_base(&cycle, period.as_deref());
    let newest = versions.last();
    let units: Vec<Value> = snapshot
        .content
        .results
        .iter()
        .map(|u| json!({ "unit": u.unit, "name": u.name, "total": u.total, "grade": u.grade, "rank": u.rank, "group_ranks": u.group_ranks }))
        .collect();
    let body = json!({
        "cycle": snapshot.cycle,
        "period": snapshot.period,
        "version": snapshot.version,
        "published_at": snapshot.published_at,
        "sha256": newest.map(|v| v.sha256.clone()),
        "jixiao_version": snapshot.jixiao_version,
        "audit_head": snapshot.audit_head,
        "reason": snapshot.reason,
        "units": units,
        "versions": versions.iter().map(|v| json!({ "version": v.version, "published_at": v.published_at, "sha256": v.sha256, "reason": v.reason, "bundle": format!("{base}/versions/{}.json", v.version) })).collect::<Vec<_>>(),
    });
    Ok(axum::Json(body).into_response())
}

/// `/public/{cycle}/versions/{n}.json`: a version's replay bundle, byte for byte as stored.
async fn public_bundle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, file)): Path<(String, String)>,
) -> Result<axum::response::Response, PageError> {
    bundle_file(&state, &ctx, cycle, None, &file).await
}

/// The same for a published period ranking.
async fn public_period_bundle(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, period, file)): Path<(String, String, String)>,
) -> Result<axum::response::Response, PageError> {
    bundle_file(&state, &ctx, cycle, Some(period), &file).await
}

async fn bundle_file(
    state: &AppState,
    ctx: &Ctx,
    cycle: String,
    period: Option<String>,
    file: &str,
) -> Result<axum::response::Response, PageError> {
    let version = file
        .strip_suffix(".json")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| AppError::NotFound(format!("version `{file}`")))?;
    let (c, p) = (cycle.clone(), period.clone());
    let text = ctx
        .read_lagging(state, move |s, _, actor| {
            jixiao_app::reports::publication::bundle(s, actor, &c, p.as_deref(), version)
        })
        .await?;
    let name = match &period {
        None => format!("jixiao-{cycle}-v{version}.json"),
        Some(p) => format!("jixiao-{cycle}-{p}-v{version}.json"),
    };
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_string()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    name.replace(['"', '\\', '\r', '\n'], "_")
                ),
            ),
        ],
        text,
    )
        .into_response())
}
