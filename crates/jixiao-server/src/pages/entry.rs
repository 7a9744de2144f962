//! A unit's entry form: one card per task for the chosen period, the Excel template to fill in
//! and its upload. A refused entry comes back with its message beside the card and what was
//! typed kept.

use super::render::PageRoute;
use super::render::{redirect, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::values::{EnterValue, Typed, UploadError};
use jixiao_app::AppError;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/units/{unit}/entry", get(entry_page)),
        (Method::POST, "/units/{unit}/entry", post(entry_submit)),
        (
            Method::GET,
            "/units/{unit}/template.xlsx",
            get(template_download),
        ),
        (Method::POST, "/units/{unit}/upload", post(upload_submit)),
    ]
}

/// The form; with problems (a refused entry, a refused upload) it answers 422.
async fn render_entry(
    state: &AppState,
    ctx: &Ctx,
    unit: &str,
    period: Option<String>,
    typed: Typed,
    upload_errors: Vec<String>,
) -> PageResult {
    let (cycle, u) = (ctx.cycle(), unit.to_string());
    let refused = !typed.errors.is_empty() || !upload_errors.is_empty();
    let form = ctx
        .read(state, move |s, settings, actor| {
            jixiao_app::values::entry_form(
                s,
                settings,
                actor,
                cycle.as_deref(),
                &u,
                period.as_deref(),
                &typed,
            )
        })
        .await?;
    // What the unit can still act on comes first (not entered, draft, returned, or refused just
    // now); what is submitted, approved or locked is folded away unless `show=all`.
    let show_all = ctx.q("show").as_deref() == Some("all");
    let total = form.rows.len();
    // `state=` shows the cards in that state only (`empty`: not entered yet).
    let state_filter = ctx.q("state").filter(|s| {
        matches!(
            s.as_str(),
            "empty" | "draft" | "returned" | "submitted" | "approved"
        )
    });
    let rows: Vec<_> = form
        .rows
        .into_iter()
        .filter(|r| match state_filter.as_deref() {
            None => true,
            Some("empty") => r.state.is_none(),
            Some(st) => r.state == Some(st),
        })
        .collect();
    let (open_rows, other_rows): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| {
        r.error.is_some()
            || r.state == Some("returned")
            || (r.expected
                && r.editable
                && !matches!(r.state, Some("submitted") | Some("approved")))
    });
    let mut resp = render(
        state,
        ctx,
        "entry.html",
        crate::i18n::text(ctx.english, "entry"),
        json!({ "unit_id": form.unit_id, "unit_name": form.unit_name, "period": form.period, "period_name": form.period_name, "periods": form.periods,
                "open_rows": open_rows, "other_rows": other_rows, "show_all": show_all || state_filter.is_some(), "total": total, "upload_errors": upload_errors,
                "state_filter": state_filter.unwrap_or_default() }),
    );
    if refused {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn entry_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    let period = ctx.q("period");
    render_entry(&state, &ctx, &unit, period, Typed::default(), Vec::new()).await
}

#[derive(Deserialize)]
struct EntryForm {
    period: String,
    task: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    submit: String,
}

async fn entry_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    Form(f): Form<EntryForm>,
) -> PageResult {
    let v = EnterValue {
        cycle: ctx.cycle(),
        unit: unit.clone(),
        task: f.task.clone(),
        period: f.period.clone(),
        value: f.value.clone(),
        note: f.note.clone(),
        evidence: f.evidence.clone(),
        submit: f.submit == "true",
    };
    let entered = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::values::enter(s, settings, actor, &v)
        })
        .await;
    match entered {
        Ok(_) => Ok(redirect(&format!(
            "/units/{unit}/entry?period={}&flash=saved#entry-{}",
            f.period, f.task
        ))),
        Err(e @ (AppError::Invalid(_) | AppError::Rejected(_) | AppError::NotFound(_))) => {
            let message = crate::error::WebError::App(e).message_in(ctx.lang());
            let typed = Typed {
                errors: HashMap::from([(f.task.clone(), message)]),
                typed: HashMap::from([(f.task.clone(), (f.value, f.note, f.evidence))]),
            };
            render_entry(&state, &ctx, &unit, Some(f.period), typed, Vec::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn template_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let period = ctx.q("period").unwrap_or_else(|| "Q4".into());
    let (bytes, name) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::template(s, actor, cycle.as_deref(), &unit, &period)
        })
        .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn upload_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let (period, submit) = (
        form.field("period").to_string(),
        form.field("submit") == "true",
    );
    let Some((name, bytes)) = form.file.filter(|(_, b)| !b.is_empty()) else {
        return render_entry(
            &state,
            &ctx,
            &unit,
            Some(period),
            Typed::default(),
            vec!["choose a file to upload".into()],
        )
        .await;
    };
    let (cycle, u) = (ctx.cycle(), unit.clone());
    let uploaded = ctx
        .write(&state, move |s, settings, actor| {
            Ok(jixiao_app::values::upload(
                s,
                settings,
                actor,
                cycle.as_deref(),
                &u,
                &name,
                &bytes,
                submit,
            ))
        })
        .await?;
    match uploaded {
        Ok(outcome) => Ok(redirect(&format!(
            "/units/{unit}/entry?period={period}&flash={}",
            if outcome.saved == 0 {
                "nothing_changed"
            } else {
                "saved"
            }
        ))),
        Err(UploadError::Rows(problems)) => {
            render_entry(
                &state,
                &ctx,
                &unit,
                Some(period),
                Typed::default(),
                problems,
            )
            .await
        }
        Err(UploadError::Other(e)) => Err(e.into()),
    }
}
