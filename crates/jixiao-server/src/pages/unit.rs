//! A unit's page (scores by dimension and indicator, each task's status), a task's page (values
//! by period, the explanation of its score, evidence files) and evidence uploads and downloads.

use super::render::PageRoute;
use super::render::{
    after, local_time, redirect, render, render_either, script_json, urlencode, PageResult,
};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::policy::{allows, Act};
use serde_json::{json, Value};

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/units/{unit}", get(unit_page)),
        (Method::GET, "/units/{unit}/tasks/{task}", get(task_page)),
        (Method::GET, "/units/{unit}/todo", get(todo_page)),
        (
            Method::POST,
            "/units/{unit}/tasks/{task}/evidence",
            post(evidence_submit),
        ),
        (Method::GET, "/evidence/{id}", get(evidence_download)),
        (
            Method::POST,
            "/units/{unit}/tasks/{task}/comments",
            post(comment_submit),
        ),
    ]
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    let (cycle, u) = (ctx.cycle(), unit.clone());
    let kept = ctx
        .read_kept(&state, move |s, _, actor| {
            let page = jixiao_app::units::unit_page(s, actor, cycle.as_deref(), &u)?;
            let by_period = jixiao_app::runs::unit_by_period(s, actor, cycle.as_deref(), &u)?;
            Ok((page, by_period))
        })
        .await?;
    render_either(&state, &ctx, kept, |(page, by_period)| {
        let scores = &page.scores;
        let rows: Vec<Value> = scores
            .nodes
            .iter()
            .map(|n| json!({ "id": n.id, "name": n.name, "depth": n.depth, "points": jixiao_core::explain::num(n.points), "score": n.score, "is_task": n.is_task, "status": if n.is_task { page.latest_status(&n.id) } else { None } }))
            .collect();
        // The radar's axes: the dimensions when there are enough of them to draw a shape, else
        // the indicators one level down (three dimensions make only a triangle).
        let roots: Vec<_> = scores.nodes.iter().filter(|n| n.parent.is_none()).collect();
        let axes: Vec<_> = if roots.len() >= 5 {
            roots
        } else {
            let below: Vec<_> = scores
                .nodes
                .iter()
                .filter(|n| n.depth == 1 && !n.is_task)
                .collect();
            if below.len() >= 3 {
                below
            } else {
                roots
            }
        };
        let radar = json!({ "name": scores.unit_name, "labels": axes.iter().map(|n| &n.name).collect::<Vec<_>>(), "max": axes.iter().map(|n| n.points).collect::<Vec<_>>(), "values": axes.iter().map(|n| n.score.map(|s| (s * 100.0).round() / 100.0)).collect::<Vec<_>>() });
        Ok((
            "unit.html",
            scores.unit_name.clone(),
            json!({ "cycle_name": page.fw.cycle.name, "scores": scores, "rows": rows, "radar_json": script_json(&radar), "can_enter": page.can_enter, "by_period": by_period }),
        ))
    })
}

/// A reporting unit's landing page: returned, open, overdue and waiting values.
async fn todo_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(unit): Path<String>,
) -> PageResult {
    let cycle = ctx.cycle();
    let t = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::values::todo(s, settings, actor, cycle.as_deref(), &unit)
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "todo.html",
        crate::i18n::text(ctx.english, "todo"),
        json!({ "t": t }),
    ))
}

async fn task_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit, task)): Path<(String, String)>,
) -> PageResult {
    let (cycle, u, t, lang) = (ctx.cycle(), unit.clone(), task.clone(), ctx.lang());
    let page = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::units::task_page(s, actor, cycle.as_deref(), &u, &t, lang)
        })
        .await?;
    let e = &page.explanation;
    // Times in the office's time zone.
    let history: Vec<Value> = page
        .history
        .iter()
        .map(|h| {
            let steps: Vec<Value> = h
                .steps
                .iter()
                .map(|st| {
                    let mut v = json!(st);
                    v["local"] = json!(local_time(&state, &st.at, "%Y-%m-%d %H:%M"));
                    v
                })
                .collect();
            json!({ "period_id": h.period_id, "period_name": h.period_name, "steps": steps })
        })
        .collect();
    // The unit and the task's evaluators (and the office) write to each other on the value.
    let can_comment = page.fw.node_index(&task).is_some_and(|t| {
        allows(&ctx.actor, Act::EnterValue(&unit)) || allows(&ctx.actor, Act::Review(&page.fw, t))
    });
    // The newest period with a value (the history lists the newest first).
    let comment_period = page
        .history
        .first()
        .map(|h| h.period_id.clone())
        .unwrap_or_default();
    let target_name = crate::i18n::text(ctx.english, "target");
    let trend = json!({ "name": page.task_name, "labels": page.values.iter().map(|v| &v.period_name).collect::<Vec<_>>(), "values": page.values.iter().map(|v| v.value.parse::<f64>().ok()).collect::<Vec<_>>(), "target": page.values.first().and_then(|v| v.target), "target_name": target_name, "unit": page.values.first().map(|v| v.measure.as_str()).unwrap_or("") });
    Ok(render(
        &state,
        &ctx,
        "task.html",
        &page.task_name,
        json!({ "unit_id": unit, "unit_name": e.unit_name, "task_id": task, "task_name": page.task_name, "path": e.path, "values": page.values, "explanation": if page.explanation_shown { Some(&e.text) } else { None }, "trend_json": script_json(&trend),
                "files": page.files, "can_enter": page.can_enter, "periods": page.fw.cycle.periods, "history": history,
            "can_comment": can_comment, "comment_period": comment_period, "formula": page.formula }),
    ))
}

async fn evidence_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit, task)): Path<(String, String)>,
    form: axum::extract::Multipart,
) -> PageResult {
    let form = crate::upload::read(form, state.config.upload_max_bytes).await?;
    let period = form.field("period").to_string();
    let back = format!("/units/{unit}/tasks/{task}");
    let Some((name, bytes)) = form.file else {
        return Ok(redirect(&format!(
            "{back}?error={}",
            urlencode("choose a file")
        )));
    };
    let cycle = ctx.cycle();
    let added = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::values::add_evidence(
                s,
                settings,
                actor,
                cycle.as_deref(),
                &unit,
                &task,
                &period,
                &name,
                &bytes,
            )
        })
        .await;
    match added {
        Ok((_, true)) => Ok(redirect(&format!("{back}?flash=evidence_sent_back"))),
        other => after(other, &back, ""),
    }
}

#[derive(serde::Deserialize)]
struct CommentForm {
    period: String,
    body: String,
}

async fn comment_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit, task)): Path<(String, String)>,
    Form(f): Form<CommentForm>,
) -> PageResult {
    let back = format!("/units/{unit}/tasks/{task}");
    let fragment = format!("#history-{}", f.period);
    let cycle = ctx.cycle();
    let sent = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::values::comment(
                s,
                actor,
                cycle.as_deref(),
                &unit,
                &task,
                &f.period,
                &f.body,
            )
        })
        .await;
    after(sent, &back, &fragment)
}

async fn evidence_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let (info, bytes) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::evidence(s, actor, &id)
        })
        .await?;
    Ok(crate::download::evidence(&info, bytes))
}
