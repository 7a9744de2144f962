//! 任务书编辑: the office's task-book editor. The drafts list, and a draft's page: its tree with
//! each node's method, targets and evaluators, a form for one node, the whole TOML, the
//! problems the check finds (again as one types, through the check API), and issuing it.

use super::render::PageRoute;
use super::render::{after, redirect, redirect_error, render, PageResult};
use crate::context::Ctx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::drafts::{NewDraft, NodeForm};
use jixiao_app::AppError;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/taskbook", get(list_page)),
        (Method::POST, "/taskbook/drafts", post(create)),
        (Method::GET, "/taskbook/drafts/{draft}", get(draft_page)),
        (Method::POST, "/taskbook/drafts/{draft}", post(save)),
        (Method::POST, "/taskbook/drafts/{draft}/node", post(node)),
        (
            Method::POST,
            "/taskbook/drafts/{draft}/nodes/{node}/delete",
            post(node_delete),
        ),
        (Method::POST, "/taskbook/drafts/{draft}/issue", post(issue)),
        (
            Method::POST,
            "/taskbook/drafts/{draft}/delete",
            post(delete),
        ),
    ]
}

async fn list_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let (drafts, cycles) = ctx
        .read(&state, |s, _, actor| {
            let drafts = jixiao_app::drafts::list(s, actor)?;
            Ok((drafts, jixiao_app::cycles::list(s, actor)?))
        })
        .await?;
    Ok(render(
        &state,
        &ctx,
        "taskbook.html",
        crate::i18n::text(ctx.english, "taskbook_nav"),
        json!({ "drafts": drafts, "cycles": cycles }),
    ))
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    year: String,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<CreateForm>) -> PageResult {
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::policy::require(actor, jixiao_app::policy::Act::Administer)?;
            let year = match f.year.trim() {
                "" => None,
                y => Some(
                    y.parse::<i32>()
                        .map_err(|_| AppError::Invalid(format!("year: `{y}` is not a year")))?,
                ),
            };
            jixiao_app::drafts::create(
                s,
                actor,
                &NewDraft {
                    id: f.id,
                    from: Some(f.from),
                    name: Some(f.name),
                    year,
                },
            )
        })
        .await;
    match result {
        Ok(d) => Ok(redirect(&format!(
            "/taskbook/drafts/{}",
            super::render::urlencode(&d.meta.id)
        ))),
        Err(e) => after::<()>(Err(e), "/taskbook", ""),
    }
}

async fn draft_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let chosen = ctx.q("node");
    let parent_of_new = ctx.q("new");
    let view = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::drafts::get(s, actor, &id)
        })
        .await?;
    let node = chosen
        .as_deref()
        .and_then(|c| view.checked.outline.iter().find(|n| n.id == c))
        .cloned();
    let title = format!(
        "{} · {}",
        crate::i18n::text(ctx.english, "taskbook_nav"),
        view.meta.id
    );
    Ok(render(
        &state,
        &ctx,
        "taskbook_draft.html",
        &title,
        json!({ "draft": view, "node": node, "new_parent": parent_of_new.unwrap_or_default() }),
    ))
}

fn draft_path(id: &str) -> String {
    format!("/taskbook/drafts/{}", super::render::urlencode(id))
}

#[derive(Deserialize)]
struct SourceForm {
    #[serde(default)]
    source: String,
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<SourceForm>,
) -> PageResult {
    let path = draft_path(&id);
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::drafts::save(s, actor, &id, &f.source.replace("\r\n", "\n"))
        })
        .await;
    after(result, &path, "#source")
}

/// The node form as the page sends it: every field a text, read here so that a wrong number
/// is a message on the page.
#[derive(Deserialize)]
struct NodePageForm {
    #[serde(default)]
    original: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    evaluators: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    params: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    floor: String,
}

fn optional_number(field: &str, text: &str) -> Result<Option<f64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| AppError::Invalid(format!("{field}: `{t}` is not a number"))),
    }
}

fn some_text(t: &str) -> Option<String> {
    Some(t.trim().to_string()).filter(|t| !t.is_empty())
}

impl NodePageForm {
    fn read(&self) -> Result<NodeForm, AppError> {
        Ok(NodeForm {
            id: self.id.trim().to_string(),
            parent: some_text(&self.parent),
            name: self.name.trim().to_string(),
            points: optional_number("points", &self.points)?
                .ok_or_else(|| AppError::Invalid("points: a node needs its points".into()))?,
            description: some_text(&self.description),
            evaluators: self
                .evaluators
                .split([',', '，', '、', ' '])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect(),
            method: some_text(&self.method),
            params: some_text(&self.params),
            measure: some_text(&self.measure),
            direction: some_text(&self.direction),
            target: optional_number("target", &self.target)?,
            challenge: optional_number("challenge", &self.challenge)?,
            floor: optional_number("floor", &self.floor)?,
        })
    }
}

async fn node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NodePageForm>,
) -> PageResult {
    let path = draft_path(&id);
    let node_id = f.id.trim().to_string();
    let result = ctx
        .write(&state, move |s, _, actor| {
            // Who may edit is asked before the form's numbers are read.
            jixiao_app::policy::require(actor, jixiao_app::policy::Act::Administer)?;
            let form = f.read()?;
            let original = some_text(&f.original);
            jixiao_app::drafts::set_node(s, actor, &id, original.as_deref(), &form)
        })
        .await;
    let back = match &result {
        Ok(_) => format!("{path}?node={}", super::render::urlencode(&node_id)),
        Err(_) => path.clone(),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("{back}&flash=saved#node-form"))),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_) | AppError::Conflict(_))) => {
            Ok(redirect_error(&path, &e))
        }
        Err(e) => Err(e.into()),
    }
}

async fn node_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, node)): Path<(String, String)>,
) -> PageResult {
    let path = draft_path(&id);
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::drafts::remove_node(s, actor, &id, &node)
        })
        .await;
    after(result, &path, "#draft-tree")
}

async fn issue(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let path = draft_path(&id);
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::drafts::issue(s, actor, &id)
        })
        .await;
    match result {
        Ok(issued) => Ok(redirect(&format!(
            "/overview?cycle={}&flash=saved",
            super::render::urlencode(&issued.cycle)
        ))),
        Err(e) => after::<()>(Err(e), &path, "#issue"),
    }
}

async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let result = ctx
        .write(&state, move |s, _, actor| {
            jixiao_app::drafts::delete(s, actor, &id)
        })
        .await;
    after(result, "/taskbook", "")
}
