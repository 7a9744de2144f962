//! Report check: a unit pastes or uploads its report and sees each figure checked against its
//! data.

use super::render::PageRoute;
use super::render::{redirect_error, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::AppError;
use jixiao_claims::reconcile::Verdict;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/units/{unit}/claims", get(claims_page)),
        (Method::POST, "/units/{unit}/claims", post(claims_submit)),
        (
            Method::POST,
            "/units/{unit}/claims/upload",
            post(claims_upload),
        ),
    ]
}

async fn claims_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    render_claims(&state, &ctx, &unit, String::new()).await
}

#[derive(Deserialize)]
struct ClaimsForm {
    text: String,
}

async fn claims_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Form(f): Form<ClaimsForm>,
) -> PageResult {
    render_claims(&state, &ctx, &unit, f.text).await
}

/// A report uploaded as a file (.docx, Markdown or text) instead of pasted.
async fn claims_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let back = format!("/units/{unit}/claims");
    let Some((name, bytes)) = form.file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(redirect_error(
            &back,
            &AppError::Invalid("choose a file to upload".into()),
        ));
    };
    let (cycle, u) = (ctx.cycle(), unit.clone());
    let checked = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::claims::check_file(s, settings, actor, cycle.as_deref(), &u, &name, &bytes)
        })
        .await;
    match checked {
        Ok((unit_name, text, checked)) => {
            Ok(show_claims(&state, &ctx, &unit, &unit_name, text, checked))
        }
        Err(e @ AppError::Invalid(_)) => Ok(redirect_error(&back, &e)),
        Err(e) => Err(e.into()),
    }
}

async fn render_claims(state: &AppState, ctx: &Ctx, unit: &str, text: String) -> PageResult {
    let (cycle, u, t) = (ctx.cycle(), unit.to_string(), text.clone());
    let (unit_name, checked) = ctx
        .read(state, move |s, settings, actor| {
            jixiao_app::claims::check(s, settings, actor, cycle.as_deref(), &u, &t)
        })
        .await?;
    Ok(show_claims(state, ctx, unit, &unit_name, text, checked))
}

fn show_claims(
    state: &AppState,
    ctx: &Ctx,
    unit: &str,
    unit_name: &str,
    text: String,
    checked: Vec<jixiao_claims::reconcile::Checked>,
) -> axum::response::Response {
    let tr = crate::i18n::texts(ctx.english);
    let count = |f: fn(&Verdict) -> bool| checked.iter().filter(|c| f(&c.verdict)).count();
    let counts = json!({
        "consistent": count(|v| matches!(v, Verdict::Consistent)),
        "inconsistent": count(|v| matches!(v, Verdict::Inconsistent { .. })),
        "unmatched": count(|v| matches!(v, Verdict::Unmatched)),
    });
    let num = jixiao_core::explain::num;
    let rows: Vec<Value> = checked
        .iter()
        .map(|c| {
            let (verdict, class, detail) = match &c.verdict {
                Verdict::Consistent => ("consistent", "on_track", String::new()),
                Verdict::Inconsistent { claimed, stored, difference } => (
                    "inconsistent",
                    "behind",
                    format!("{} {} · {} {} · {}", tr["claim"], num(*claimed), tr["value"], num(*stored), num(*difference)),
                ),
                Verdict::Unmatched => ("unmatched", "unknown", String::new()),
            };
            json!({ "text": c.claim.text, "task": c.task_id.as_ref().map(|t| format!("{t} {}", c.task_name.clone().unwrap_or_default())).unwrap_or_default(), "verdict": verdict, "class": class, "detail": detail })
        })
        .collect();
    // Any 项目支出绩效自评表 in the report, against its own arithmetic.
    let tables: Vec<Value> =
        jixiao_claims::selfeval::check_document(&text, &state.settings.claims_units)
            .into_iter()
            .map(|(t, findings)| {
                json!({
                    "budget": t.budget.len(), "indicators": t.indicators.len(),
                    "findings": findings.iter().map(|f| json!({
                        "line": f.line, "field": f.field, "found": num(f.found),
                        "expected": format!("{:.2}", f.expected), "message": f.message,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    render(
        state,
        ctx,
        "claims.html",
        tr["claims_check"],
        json!({ "unit_id": unit, "unit_name": unit_name, "text": text, "checked": rows, "counts": counts, "tables": tables }),
    )
}
