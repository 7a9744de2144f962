//! An evaluator's work: the review queue (approve or return submitted values) and the grading
//! sheet (grades, survey and leader scores).

use super::render::PageRoute;
use super::render::{after, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::grading::GradeValue;
use jixiao_app::values::ReviewValue;
use jixiao_app::AppError;
use jixiao_core::workflow::Action;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/review", get(review_page)),
        (Method::POST, "/review", post(review_submit)),
        (Method::GET, "/grades", get(grades_page)),
        (Method::POST, "/grades", post(grades_submit)),
    ]
}

async fn review_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (fw, queue) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::values::read::queue(s, actor, cycle.as_deref())
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "review.html",
        crate::i18n::text(ctx.english, "review"),
        json!({ "cycle_name": fw.cycle.name, "queue": queue }),
    ))
}

#[derive(Deserialize)]
struct ReviewForm {
    unit: String,
    task: String,
    period: String,
    action: String,
    #[serde(default)]
    comment: String,
}

async fn review_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let action = match f.action.as_str() {
        "approve" => Action::Approve,
        "return" => Action::Return { comment: f.comment },
        _ => return Err(AppError::Invalid("unknown review action".into()).into()),
    };
    let r = ReviewValue {
        cycle: ctx.cycle(),
        unit: f.unit,
        task: f.task,
        period: f.period,
        action,
    };
    let reviewed = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::values::review(s, settings, actor, &r)
        })
        .await;
    after(reviewed, "/review", "")
}

async fn grades_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let cycle = ctx.cycle();
    let (cycle_name, tasks) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::grading::sheet(s, actor, cycle.as_deref())
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "grades.html",
        crate::i18n::text(ctx.english, "grading"),
        json!({ "cycle_name": cycle_name, "tasks": tasks }),
    ))
}

#[derive(Deserialize)]
struct GradeForm {
    task: String,
    unit: String,
    value: String,
}

async fn grades_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<GradeForm>,
) -> PageResult {
    let fragment = format!("#grade-{}-{}", f.task, f.unit);
    let g = GradeValue {
        cycle: ctx.cycle(),
        unit: f.unit,
        task: f.task,
        value: f.value,
        note: String::new(),
    };
    let graded = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::grading::grade(s, settings, actor, &g)
        })
        .await;
    after(graded, "/grades", &fragment)
}
