//! Server-rendered pages, zh-CN by default with an English switch (`?lang=en`, remembered in a
//! cookie). Permission decisions go through [`crate::policy::allows`]; forms carry the session's
//! CSRF token. Charts are ECharts (vendored) with a data table beside each as its text
//! alternative.

// Page handlers return the error page itself as `Err(Response)`, as axum handlers do; boxing it
// would only add noise.
#![allow(clippy::result_large_err)]

use crate::auth::{self, cookie, LANG_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::policy::{allows, Act, Principal, Role};
use crate::state::AppState;
use crate::view;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const TEMPLATES: [(&str, &str); 21] = [
    ("claims.html", include_str!("../templates/claims.html")),
    ("hotline.html", include_str!("../templates/hotline.html")),
    (
        "hotline_cases.html",
        include_str!("../templates/hotline_cases.html"),
    ),
    (
        "hotline_case.html",
        include_str!("../templates/hotline_case.html"),
    ),
    ("reports.html", include_str!("../templates/reports.html")),
    (
        "unit_report.html",
        include_str!("../templates/unit_report.html"),
    ),
    ("public.html", include_str!("../templates/public.html")),
    (
        "public_unit.html",
        include_str!("../templates/public_unit.html"),
    ),
    ("grades.html", include_str!("../templates/grades.html")),
    ("ledger.html", include_str!("../templates/ledger.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("rankings.html", include_str!("../templates/rankings.html")),
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("unit.html", include_str!("../templates/unit.html")),
    ("task.html", include_str!("../templates/task.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("account.html", include_str!("../templates/account.html")),
];

pub fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("templates are valid");
    }
    env.add_template("message.html", include_str!("../templates/message.html"))
        .expect("template");
    env.add_function("fmt", |x: f64| format!("{x:.2}"));
    env.add_function("pct", |x: f64| format!("{:.1}%", x * 100.0));
    env
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/overview", get(overview))
        .route("/units/{unit}", get(unit_page))
        .route("/units/{unit}/tasks/{task}", get(task_page))
        .route("/units/{unit}/tasks/{task}/evidence", post(evidence_submit))
        .route("/evidence/{id}", get(evidence_download))
        .route("/units/{unit}/entry", get(entry_page).post(entry_submit))
        .route("/units/{unit}/template.xlsx", get(template_download))
        .route("/units/{unit}/claims", get(claims_page).post(claims_submit))
        .route("/units/{unit}/claims/upload", post(claims_upload))
        .route("/units/{unit}/upload", post(upload_submit))
        .route("/review", get(review_page).post(review_submit))
        .route("/audit", get(audit_page))
        .route("/users", get(users_page).post(users_submit))
        .route("/rankings", get(rankings_page))
        .route("/grades", get(grades_page).post(grades_submit))
        .route("/ledger", get(ledger_page).post(ledger_submit))
        .route("/ledger/{id}/decision", post(ledger_decision))
        .route("/account", get(account_page))
        .route("/account/password", post(password_submit))
}

/// Who is asking, in which language, about which cycle.
pub struct PageCtx {
    pub(crate) p: Principal,
    english: bool,
    set_lang: Option<&'static str>,
    pub(crate) query: HashMap<String, String>,
    path: String,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = Principal::from_request_parts(parts, state).await?;
        let query: HashMap<String, String> =
            Query::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map(|q| q.0)
                .unwrap_or_default();
        let set_lang = match query.get("lang").map(String::as_str) {
            Some("en") => Some("en"),
            Some("zh") => Some("zh"),
            _ => None,
        };
        let english = set_lang
            .map(|l| l == "en")
            .unwrap_or_else(|| cookie(&parts.headers, LANG_COOKIE).as_deref() == Some("en"));
        Ok(PageCtx {
            p,
            english,
            set_lang,
            query,
            path: parts.uri.path().to_string(),
        })
    }
}

pub(crate) type PageResult = Result<Response, Response>;

impl PageCtx {
    pub(crate) fn tr(&self) -> std::collections::BTreeMap<&'static str, &'static str> {
        crate::i18n::texts(self.english)
    }

    /// Login for visitors, a 403 page for others.
    pub(crate) fn require(&self, state: &AppState, act: Act<'_>) -> Result<(), Response> {
        if allows(&self.p, act) {
            Ok(())
        } else if self.p.role == Role::Public {
            Err(redirect(&format!("/login?next={}", self.path)))
        } else {
            Err(self.message(state, StatusCode::FORBIDDEN, self.tr()["forbidden"], ""))
        }
    }

    fn nav(&self) -> Vec<Value> {
        let tr = self.tr();
        let mut items: Vec<(&str, String)> = Vec::new();
        match self.p.role {
            Role::Admin | Role::Evaluator => {
                items.push((tr["overview"], "/overview".into()));
                items.push((tr["rankings"], "/rankings".into()));
                items.push((tr["review"], "/review".into()));
                items.push((tr["grading"], "/grades".into()));
                items.push((tr["ledger"], "/ledger".into()));
                items.push((tr["reports"], "/reports".into()));
                items.push((tr["hotline"], "/hotline".into()));
            }
            Role::Reporter => {
                if let Some(u) = self.p.unit() {
                    items.push((tr["my_unit"], format!("/units/{u}")));
                    items.push((tr["entry"], format!("/units/{u}/entry")));
                    items.push((tr["self_report"], format!("/units/{u}/report")));
                    items.push((tr["hotline"], "/hotline".into()));
                    items.push((tr["claims_check"], format!("/units/{u}/claims")));
                }
            }
            Role::Public => {}
        }
        if self.p.role == Role::Admin {
            items.push((tr["audit"], "/audit".into()));
            items.push((tr["users"], "/users".into()));
        }
        if self.p.role != Role::Public {
            items.push((tr["account"], "/account".into()));
            items.push((tr["api"], "/api/v1/docs".into()));
        }
        items.into_iter().map(|(label, href)| json!({ "label": label, "current": href == self.path, "href": href })).collect()
    }

    pub(crate) fn render(
        &self,
        state: &AppState,
        template: &str,
        title: &str,
        page: Value,
    ) -> Response {
        let mut ctx = Map::new();
        ctx.insert("title".into(), json!(title));
        ctx.insert("english".into(), json!(self.english));
        ctx.insert("tr".into(), json!(self.tr()));
        ctx.insert(
            "user".into(),
            self.p
                .user
                .as_ref()
                .map(|u| json!({ "display_name": u.display_name, "role": u.role }))
                .unwrap_or(Value::Null),
        );
        ctx.insert("nav".into(), json!(self.nav()));
        ctx.insert(
            "csrf".into(),
            json!(self.p.csrf.clone().unwrap_or_default()),
        );
        ctx.insert(
            "flash".into(),
            json!(self
                .query
                .get("flash")
                .map(|f| self.tr().get(f.as_str()).copied().unwrap_or(""))
                .unwrap_or("")),
        );
        if let Value::Object(extra) = page {
            ctx.extend(extra);
        }
        let html = state
            .templates
            .get_template(template)
            .and_then(|t| t.render(Value::Object(ctx)));
        match html {
            Ok(body) => {
                let mut resp = Html(body).into_response();
                if let Some(l) = self.set_lang {
                    if let Ok(v) =
                        format!("{LANG_COOKIE}={l}; Path=/; SameSite=Lax; Max-Age=31536000").parse()
                    {
                        resp.headers_mut().append(SET_COOKIE, v);
                    }
                }
                resp
            }
            Err(e) => {
                tracing::error!(error = %e, template, "template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }

    pub(crate) fn message(
        &self,
        state: &AppState,
        status: StatusCode,
        title: &str,
        message: &str,
    ) -> Response {
        let mut r = self.render(state, "message.html", title, json!({ "message": message }));
        *r.status_mut() = status;
        r
    }

    /// The answer to a form: back to `path` saying it was saved, or showing why not; a refusal
    /// is a 403 page. `fragment` (with its `#`, or empty) scrolls back to the item.
    pub(crate) fn after<T>(
        &self,
        state: &AppState,
        result: Result<T, AppError>,
        path: &str,
        fragment: &str,
    ) -> PageResult {
        match result {
            Ok(_) => Ok(redirect(&format!("{path}?flash=saved{fragment}"))),
            Err(AppError::Forbidden) => Err(self.fail(state, AppError::Forbidden)),
            Err(e) => Ok(redirect_error(path, &e)),
        }
    }

    pub(crate) fn fail(&self, state: &AppState, e: AppError) -> Response {
        let status = e.status();
        self.message(state, status, &e.to_string(), "")
    }

    pub(crate) async fn cycle(&self, state: &AppState) -> Result<String, Response> {
        if let Some(c) = self.query.get("cycle") {
            return Ok(c.clone());
        }
        match state.db(|s| Ok(s.cycles()?)).await {
            Ok(c) => c
                .into_iter()
                .next()
                .map(|(id, _)| id)
                .ok_or_else(|| self.message(state, StatusCode::NOT_FOUND, "no cycle", "")),
            Err(e) => Err(self.fail(state, e)),
        }
    }
}

/// Back to `path` with an error to show there.
fn redirect_error(path: &str, e: &AppError) -> Response {
    redirect(&format!("{path}?error={}", urlencode(&e.to_string())))
}

pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response()
}

/// JSON for a `<script type="application/json">` element: `<` escaped so it cannot close it.
pub(crate) fn script_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

async fn home(ctx: PageCtx) -> Response {
    match (ctx.p.role, ctx.p.unit()) {
        (Role::Admin | Role::Evaluator, _) => redirect("/overview"),
        (Role::Reporter, Some(u)) => redirect(&format!("/units/{u}")),
        _ => redirect("/login"),
    }
}

const LOGIN_CSRF: &str = "jixiao_login_csrf";

async fn login_page(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let token = auth::random_token();
    let next = ctx.query.get("next").cloned().unwrap_or_default();
    let mut resp = ctx.render(&state, "login.html", ctx.tr()["login"], json!({ "login_csrf": token, "next": next, "error": ctx.query.get("error").map(|_| if ctx.english { "Wrong user name or password, or too many attempts." } else { "用户名或密码错误,或尝试次数过多。" }) }));
    if let Ok(v) = format!(
        "{LOGIN_CSRF}={token}; Path=/login; HttpOnly; SameSite=Strict{}",
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
    .parse()
    {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    #[serde(default)]
    next: String,
    user: String,
    password: String,
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if cookie(&headers, LOGIN_CSRF).as_deref() != Some(f.csrf.as_str()) {
        return redirect("/login?error=csrf");
    }
    match auth::login(
        &state,
        f.user.trim(),
        &f.password,
        &crate::client_address(&headers),
    )
    .await
    {
        Ok(token) => {
            // Only local paths, so a crafted link cannot send the user elsewhere.
            let next = if f.next.starts_with('/') && !f.next.starts_with("//") {
                f.next
            } else {
                "/".into()
            };
            (
                StatusCode::SEE_OTHER,
                [
                    (LOCATION, next),
                    (
                        SET_COOKIE,
                        auth::session_cookie(&state, &token, state.config.session_hours * 3600),
                    ),
                ],
            )
                .into_response()
        }
        Err(_) => redirect("/login?error=1"),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(state): State<AppState>, ctx: PageCtx, Form(f): Form<CsrfForm>) -> Response {
    if auth::check_csrf(&ctx.p, Some(&f.csrf)).is_ok() {
        if let Some(token) = ctx.p.session.clone() {
            let _ = state.db(move |s| Ok(s.delete_session(&token)?)).await;
        }
    }
    (
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/login".to_string()),
            (
                SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            ),
        ],
    )
        .into_response()
}

async fn overview(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::ViewCycle)?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, card, _) = view::scored(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let (_, values) = view::cycle_values(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let group = ctx.query.get("group").filter(|g| !g.is_empty()).cloned();
    let ranking = view::ranking(&fw, &card, group.as_deref()).map_err(|e| ctx.fail(&state, e))?;
    let today = state.config.today();
    let progress = view::progress(&fw, &values, today);
    let ranked: Vec<&view::RankRow> = ranking.rows.iter().filter(|r| r.rank.is_some()).collect();
    let chart = json!({ "labels": ranked.iter().map(|r| &r.unit_name).collect::<Vec<_>>(), "values": ranked.iter().map(|r| (r.total * 100.0).round() / 100.0).collect::<Vec<_>>() });
    let group_name = group
        .as_deref()
        .and_then(|g| fw.group_index(g))
        .map(|g| fw.groups[g].name.clone());
    let trend = json!({
        "name": ctx.tr()["reported"],
        "labels": progress.periods.iter().map(|p| &p.period).collect::<Vec<_>>(),
        "values": progress.periods.iter().map(|p| if p.expected == 0 { 0.0 } else { (1000.0 * p.reported as f64 / p.expected as f64).round() / 10.0 }).collect::<Vec<_>>(),
        "target": null,
    });
    Ok(ctx.render(
        &state,
        "overview.html",
        ctx.tr()["overview"],
        json!({ "cycle_name": fw.cycle.name, "today": today.to_string(), "progress": progress, "ranking": ranking, "chart_json": script_json(&chart), "trend_json": script_json(&trend), "reminders": view::reminders(&fw, &values, today, state.config.reminder_days),
                "groups": fw.groups, "group": group.unwrap_or_default(), "group_name": group_name }),
    ))
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, card, _) = view::scored(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let (_, values) = view::cycle_values(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let scores = view::unit_scores(&fw, &card, &unit).map_err(|e| ctx.fail(&state, e))?;
    let mine = view::unit_values(&fw, &values, &unit);
    // The latest value's status of each task.
    let latest_status = |task: &str| {
        mine.iter()
            .filter(|v| v.task_id == task)
            .max_by_key(|v| fw.period_index(&v.period_id))
            .map(|v| v.status.clone())
    };
    let rows: Vec<Value> = scores
        .nodes
        .iter()
        .map(|n| json!({ "id": n.id, "name": n.name, "depth": n.depth, "points": jixiao_core::explain::num(n.points), "score": n.score, "is_task": n.is_task, "status": if n.is_task { latest_status(&n.id) } else { None } }))
        .collect();
    let roots: Vec<&view::NodeRow> = scores.nodes.iter().filter(|n| n.parent.is_none()).collect();
    let radar = json!({ "name": scores.unit_name, "labels": roots.iter().map(|n| &n.name).collect::<Vec<_>>(), "max": roots.iter().map(|n| n.points).collect::<Vec<_>>(), "values": roots.iter().map(|n| n.score.map(|s| (s * 100.0).round() / 100.0)).collect::<Vec<_>>() });
    Ok(ctx.render(
        &state,
        "unit.html",
        &scores.unit_name.clone(),
        json!({ "cycle_name": fw.cycle.name, "scores": scores, "rows": rows, "radar_json": script_json(&radar), "can_enter": allows(&ctx.p, Act::EnterValue(&unit)) }),
    ))
}

async fn task_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((unit, task)): Path<(String, String)>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, card, _) = view::scored(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let (_, values) = view::cycle_values(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let lang = if ctx.english {
        jixiao_core::Lang::En
    } else {
        jixiao_core::Lang::Zh
    };
    let e = view::explanation(&fw, &card, &unit, &task, lang).map_err(|e| ctx.fail(&state, e))?;
    let mut mine: Vec<view::ValueOut> = view::unit_values(&fw, &values, &unit)
        .into_iter()
        .filter(|v| v.task_id == task)
        .collect();
    mine.sort_by_key(|v| fw.period_index(&v.period_id));
    let trend = json!({ "name": e.node_id, "labels": mine.iter().map(|v| &v.period_name).collect::<Vec<_>>(), "values": mine.iter().map(|v| v.value.parse::<f64>().ok()).collect::<Vec<_>>(), "target": mine.first().and_then(|v| v.target), "target_name": ctx.tr()["target"] });
    let task_name = fw
        .nodes
        .iter()
        .find(|n| n.id == task)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    let (c, u, t) = (cycle.clone(), unit.clone(), task.clone());
    let files = state
        .db(move |s| Ok(s.evidence_list(&c, &u, Some(&t))?))
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(ctx.render(
        &state,
        "task.html",
        &task_name.clone(),
        json!({ "unit_id": unit, "unit_name": e.unit_name, "task_id": task, "task_name": task_name, "path": e.path, "values": mine, "explanation": e.text, "trend_json": script_json(&trend),
                "files": files, "can_enter": allows(&ctx.p, Act::EnterValue(&unit)), "periods": fw.cycle.periods, "error": ctx.query.get("error") }),
    ))
}

async fn evidence_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((unit, task)): Path<(String, String)>,
    form: axum::extract::Multipart,
) -> PageResult {
    ctx.require(&state, Act::EnterValue(&unit))?;
    let form = crate::upload::read(form, state.config.upload_max_bytes)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let (csrf, period, file) = (
        form.field("csrf").to_string(),
        form.field("period").to_string(),
        form.file,
    );
    auth::check_csrf(&ctx.p, Some(&csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let back = format!("/units/{unit}/tasks/{task}");
    let Some((name, bytes)) = file else {
        return Ok(redirect(&format!(
            "{back}?error={}",
            urlencode("choose a file")
        )));
    };
    ctx.after(
        &state,
        view::add_evidence(&state, &ctx.p, &cycle, &unit, &task, &period, &name, bytes).await,
        &back,
        "",
    )
}

async fn evidence_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> PageResult {
    if ctx.p.role == Role::Public {
        return Err(redirect(&format!("/login?next={}", ctx.path)));
    }
    let (info, bytes) = view::evidence(&state, &ctx.p, &id)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(crate::api::evidence_response(&info, bytes))
}

async fn entry_rows(
    state: &AppState,
    ctx: &PageCtx,
    cycle: &str,
    unit: &str,
    period: &str,
    errors: &HashMap<String, String>,
    typed: &HashMap<String, (String, String, String)>,
) -> Result<(jixiao_core::Framework, Vec<Value>), Response> {
    let (fw, values) = view::cycle_values(state, cycle)
        .await
        .map_err(|e| ctx.fail(state, e))?;
    let u = view::unit_index(&fw, unit).map_err(|e| ctx.fail(state, e))?;
    let pi = fw
        .period_index(period)
        .ok_or_else(|| ctx.fail(state, AppError::NotFound(format!("period `{period}`"))))?;
    let past_deadline = state.config.today() > fw.cycle.periods[pi].deadline;
    let rows = fw
        .tasks()
        .filter(|&t| fw.is_responsible(t, u))
        .map(|t| {
            let task = fw.nodes[t].task.as_ref().expect("task");
            let stored = values.iter().find(|v| v.row.key.task == fw.nodes[t].id && v.row.key.unit == unit && v.row.key.period == fw.cycle.periods[pi].id);
            let out = stored.and_then(|v| view::value_out(&fw, v));
            let state_now = stored.map(|v| v.row.state);
            let editable = matches!(state_now, None | Some(jixiao_core::workflow::ValueState::Draft) | Some(jixiao_core::workflow::ValueState::Returned))
                && (!past_deadline || stored.is_some_and(|v| v.reopened) || ctx.p.role == Role::Admin);
            let grades: Option<Vec<&str>> = match &task.method {
                jixiao_core::Method::Qualitative { grades } => Some(grades.iter().map(|(g, _)| g.as_str()).collect()),
                _ => None,
            };
            let id = fw.nodes[t].id.clone();
            let (value, note, evidence) = typed.get(&id).cloned().unwrap_or_else(|| (out.as_ref().map(|o| o.value.clone()).unwrap_or_default(), out.as_ref().map(|o| o.note.clone()).unwrap_or_default(), out.as_ref().map(|o| o.evidence.clone()).unwrap_or_default()));
            json!({
                "task_id": id, "task_name": fw.nodes[t].name, "measure": task.measure, "target": task.targets_for(unit).target,
                "value": value, "note": note, "evidence": evidence, "state": state_now.map(|s| s.as_str()), "status": out.as_ref().map(|o| o.status.clone()),
                "editable": editable, "grades": grades, "error": errors.get(&fw.nodes[t].id),
            })
        })
        .collect();
    Ok((fw, rows))
}

async fn render_entry(
    state: &AppState,
    ctx: &PageCtx,
    unit: &str,
    period: Option<String>,
    errors: HashMap<String, String>,
    typed: HashMap<String, (String, String, String)>,
) -> PageResult {
    render_entry_with(state, ctx, unit, period, errors, typed, Vec::new()).await
}

async fn render_entry_with(
    state: &AppState,
    ctx: &PageCtx,
    unit: &str,
    period: Option<String>,
    errors: HashMap<String, String>,
    typed: HashMap<String, (String, String, String)>,
    upload_errors: Vec<String>,
) -> PageResult {
    let cycle = ctx.cycle(state).await?;
    let fw = view::framework(state, &cycle)
        .await
        .map_err(|e| ctx.fail(state, e))?;
    let today = state.config.today();
    // Default: the first period whose deadline has not passed, else the last.
    let period = period.unwrap_or_else(|| {
        fw.cycle
            .periods
            .iter()
            .find(|p| p.deadline >= today)
            .unwrap_or(&fw.cycle.periods[fw.cycle.periods.len() - 1])
            .id
            .clone()
    });
    let (fw, rows) = entry_rows(state, ctx, &cycle, unit, &period, &errors, &typed).await?;
    let u = view::unit_index(&fw, unit).map_err(|e| ctx.fail(state, e))?;
    let period_name = fw
        .cycle
        .periods
        .iter()
        .find(|p| p.id == period)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mut resp = ctx.render(state, "entry.html", ctx.tr()["entry"], json!({ "unit_id": unit, "unit_name": fw.units[u].name, "period": period, "period_name": period_name, "periods": fw.cycle.periods, "rows": rows, "upload_errors": upload_errors }));
    if !errors.is_empty() || !upload_errors.is_empty() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn entry_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::EnterValue(&unit))?;
    let period = ctx.query.get("period").cloned();
    render_entry(&state, &ctx, &unit, period, HashMap::new(), HashMap::new()).await
}

#[derive(Deserialize)]
struct EntryForm {
    csrf: String,
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
    ctx: PageCtx,
    Path(unit): Path<String>,
    Form(f): Form<EntryForm>,
) -> PageResult {
    ctx.require(&state, Act::EnterValue(&unit))?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    match view::enter(
        &state,
        &ctx.p,
        &cycle,
        &unit,
        &f.task,
        &f.period,
        &f.value,
        &f.note,
        &f.evidence,
        f.submit == "true",
    )
    .await
    {
        Ok(_) => Ok(redirect(&format!(
            "/units/{unit}/entry?period={}&flash=saved#entry-{}",
            f.period, f.task
        ))),
        Err(e) => {
            let errors = HashMap::from([(f.task.clone(), e.to_string())]);
            let typed = HashMap::from([(f.task.clone(), (f.value, f.note, f.evidence))]);
            render_entry(&state, &ctx, &unit, Some(f.period), errors, typed).await
        }
    }
}

async fn template_download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::EnterValue(&unit))?;
    let cycle = ctx.cycle(&state).await?;
    let period = ctx
        .query
        .get("period")
        .cloned()
        .unwrap_or_else(|| "Q4".into());
    let (bytes, name) = view::template(&state, &cycle, &unit, &period)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
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
    ctx: PageCtx,
    Path(unit): Path<String>,
    form: axum::extract::Multipart,
) -> PageResult {
    ctx.require(&state, Act::EnterValue(&unit))?;
    let form = crate::upload::read(form, state.config.upload_max_bytes)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let (csrf, period, submit) = (
        form.field("csrf").to_string(),
        form.field("period").to_string(),
        form.field("submit") == "true",
    );
    let file = form.file;
    auth::check_csrf(&ctx.p, Some(&csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return render_entry_with(
            &state,
            &ctx,
            &unit,
            Some(period),
            HashMap::new(),
            HashMap::new(),
            vec!["choose a file to upload".into()],
        )
        .await;
    };
    match view::upload(&state, &ctx.p, &cycle, &unit, &name, bytes, submit).await {
        Ok(_) => Ok(redirect(&format!(
            "/units/{unit}/entry?period={period}&flash=saved"
        ))),
        Err(view::UploadError::Rows(problems)) => {
            render_entry_with(
                &state,
                &ctx,
                &unit,
                Some(period),
                HashMap::new(),
                HashMap::new(),
                problems,
            )
            .await
        }
        Err(view::UploadError::Other(e)) => Err(ctx.fail(&state, e)),
    }
}

async fn review_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::Evaluate)?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, values) = view::cycle_values(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let queue = view::queue(&fw, &values, &ctx.p);
    Ok(ctx.render(
        &state,
        "review.html",
        ctx.tr()["review"],
        json!({ "cycle_name": fw.cycle.name, "queue": queue, "error": ctx.query.get("error") }),
    ))
}

#[derive(Deserialize)]
struct ReviewForm {
    csrf: String,
    unit: String,
    task: String,
    period: String,
    action: String,
    #[serde(default)]
    comment: String,
}

async fn review_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    ctx.require(&state, Act::Evaluate)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let action = match f.action.as_str() {
        "approve" => jixiao_core::workflow::Action::Approve,
        "return" => jixiao_core::workflow::Action::Return { comment: f.comment },
        _ => return Err(ctx.fail(&state, AppError::Invalid("unknown review action".into()))),
    };
    ctx.after(
        &state,
        view::review(&state, &ctx.p, &cycle, &f.unit, &f.task, &f.period, action).await,
        "/review",
        "",
    )
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn audit_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::Administer)?;
    let entity = ctx.query.get("entity").cloned().unwrap_or_default();
    let actor = ctx.query.get("actor").cloned().unwrap_or_default();
    let action = ctx.query.get("action").cloned().unwrap_or_default();
    let e = entity.clone();
    let mut entries = state
        .db(move |s| Ok(s.audit_entries(Some(&e).filter(|x| !x.is_empty()).map(String::as_str))?))
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    entries.retain(|e| {
        (actor.is_empty() || e.actor == actor) && (action.is_empty() || e.action == action)
    });
    entries.reverse();
    entries.truncate(500);
    Ok(ctx.render(
        &state,
        "audit.html",
        ctx.tr()["audit"],
        json!({ "entries": entries, "entity": entity, "actor": actor, "action": action }),
    ))
}

async fn users_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::Administer)?;
    let users: Vec<crate::api::UserOut> = state
        .db(|s| Ok(s.users()?))
        .await
        .map_err(|e| ctx.fail(&state, e))?
        .into_iter()
        .map(Into::into)
        .collect();
    let cycle = ctx.cycle(&state).await?;
    let fw = view::framework(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(ctx.render(&state, "users.html", ctx.tr()["users"], json!({ "users": users, "units": fw.units, "evaluators": fw.evaluators, "error": ctx.query.get("error") })))
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    id: String,
    display_name: String,
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    evaluator_id: String,
    #[serde(default)]
    email: String,
    password: String,
    #[serde(default)]
    active: String,
}

async fn users_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<UserForm>,
) -> PageResult {
    ctx.require(&state, Act::Administer)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let mut user = match crate::accounts::new_user(
        f.id.trim(),
        f.display_name.trim(),
        &f.password,
        &f.role,
        Some(f.unit_id),
        Some(f.evaluator_id),
    )
    .and_then(|mut u| crate::accounts::set_email(&mut u, Some(f.email)).map(|()| u))
    {
        Ok(u) => u,
        Err(e) => return Ok(redirect_error("/users", &e)),
    };
    user.active = f.active == "true";
    let actor = ctx.p.id().to_string();
    state
        .db(move |s| Ok(s.upsert_user(&user, &actor)?))
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(redirect("/users?flash=saved"))
}

async fn rankings_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::ViewCycle)?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, card, _) = view::scored(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let page = ranking_tables(&ctx, &fw, &card, "").map_err(|e| ctx.fail(&state, e))?;
    Ok(ctx.render(&state, "rankings.html", ctx.tr()["rankings"], page))
}

/// The overall and group rankings, 单列 units apart, and the grade distribution; unit names
/// link to `{link_base}/units/{id}`.
pub(crate) fn ranking_tables(
    ctx: &PageCtx,
    fw: &jixiao_core::Framework,
    card: &jixiao_core::Scorecard,
    link_base: &str,
) -> Result<Value, AppError> {
    let overall = view::ranking(fw, card, None)?;
    let ranked_only = |r: view::Ranking| {
        r.rows
            .into_iter()
            .filter(|x| x.rank.is_some())
            .collect::<Vec<_>>()
    };
    let separate: Vec<&view::RankRow> = overall.rows.iter().filter(|r| r.rank.is_none()).collect();
    let mut tables = vec![
        json!({ "title": ctx.tr()["overall"], "rows": overall.rows.iter().filter(|r| r.rank.is_some()).collect::<Vec<_>>() }),
    ];
    for g in &fw.groups {
        let r = view::ranking(fw, card, Some(&g.id))?;
        tables.push(json!({ "title": g.name, "rows": ranked_only(r) }));
    }
    let grades_json = script_json(
        &json!({ "labels": overall.grades.iter().map(|g| &g.0).collect::<Vec<_>>(), "values": overall.grades.iter().map(|g| g.1).collect::<Vec<_>>() }),
    );
    Ok(
        json!({ "cycle_name": fw.cycle.name, "tables": tables, "separate": separate, "grades": overall.grades, "grades_json": grades_json, "link_base": link_base }),
    )
}

async fn grades_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::Evaluate)?;
    let cycle = ctx.cycle(&state).await?;
    let (fw, values) = view::cycle_values(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let last = &fw.cycle.periods[fw.cycle.periods.len() - 1].id;
    let tasks: Vec<Value> = fw
        .tasks()
        .filter(|&t| view::evaluator_task(&fw, t) && allows(&ctx.p, Act::Review(&fw, t)))
        .map(|t| {
            let grades: Option<Vec<&str>> = match &fw.nodes[t].task.as_ref().expect("task").method {
                jixiao_core::Method::Qualitative { grades } => Some(grades.iter().map(|(g, _)| g.as_str()).collect()),
                _ => None,
            };
            let rows: Vec<Value> = (0..fw.units.len())
                .filter(|&u| fw.is_responsible(t, u))
                .map(|u| {
                    let v = values.iter().find(|v| v.row.key.task == fw.nodes[t].id && v.row.key.unit == fw.units[u].id && &v.row.key.period == last);
                    json!({ "unit_id": fw.units[u].id, "unit_name": fw.units[u].name, "value": v.map(|v| v.row.observation.to_string()).unwrap_or_default(), "state": v.map(|v| v.row.state.as_str()) })
                })
                .collect();
            json!({ "id": fw.nodes[t].id, "name": fw.nodes[t].name, "grades": grades, "rows": rows })
        })
        .collect();
    Ok(ctx.render(
        &state,
        "grades.html",
        ctx.tr()["grading"],
        json!({ "cycle_name": fw.cycle.name, "tasks": tasks, "error": ctx.query.get("error") }),
    ))
}

#[derive(Deserialize)]
struct GradeForm {
    csrf: String,
    task: String,
    unit: String,
    value: String,
}

async fn grades_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<GradeForm>,
) -> PageResult {
    ctx.require(&state, Act::Evaluate)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let graded = view::grade(&state, &ctx.p, &cycle, &f.unit, &f.task, &f.value, "").await;
    ctx.after(
        &state,
        graded,
        "/grades",
        &format!("#grade-{}-{}", f.task, f.unit),
    )
}

async fn ledger_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::ProposeLedger)?;
    let cycle = ctx.cycle(&state).await?;
    let fw = view::framework(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    let entries = view::ledger(&state, &cycle)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    Ok(ctx.render(&state, "ledger.html", ctx.tr()["ledger"], json!({ "cycle_name": fw.cycle.name, "entries": entries, "units": fw.units, "can_decide": allows(&ctx.p, Act::Administer), "error": ctx.query.get("error") })))
}

#[derive(Deserialize)]
struct LedgerForm {
    csrf: String,
    unit: String,
    kind: String,
    points: String,
    reason: String,
}

async fn ledger_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<LedgerForm>,
) -> PageResult {
    ctx.require(&state, Act::ProposeLedger)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    let proposed = view::propose_ledger(
        &state, &ctx.p, &cycle, &f.unit, &f.kind, &f.points, &f.reason,
    )
    .await;
    ctx.after(&state, proposed, "/ledger", "")
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    approve: String,
}

async fn ledger_decision(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    ctx.require(&state, Act::Administer)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let cycle = ctx.cycle(&state).await?;
    ctx.after(
        &state,
        view::decide_ledger(&state, &ctx.p, &cycle, &id, f.approve == "true").await,
        "/ledger",
        "",
    )
}

async fn claims_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    render_claims(&state, &ctx, &unit, String::new()).await
}

#[derive(Deserialize)]
struct ClaimsForm {
    csrf: String,
    text: String,
}

async fn claims_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
    Form(f): Form<ClaimsForm>,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    render_claims(&state, &ctx, &unit, f.text).await
}

/// A report uploaded as a file (.docx, Markdown or text) instead of pasted.
async fn claims_upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(unit): Path<String>,
    form: axum::extract::Multipart,
) -> PageResult {
    ctx.require(&state, Act::ViewUnit(&unit))?;
    let form = crate::upload::read(form, state.config.upload_max_bytes)
        .await
        .map_err(|e| ctx.fail(&state, e))?;
    auth::check_csrf(&ctx.p, Some(form.field("csrf"))).map_err(|e| ctx.fail(&state, e))?;
    let text = match form.file.filter(|(_, b)| !b.is_empty()) {
        None => Err("choose a file to upload".to_string()),
        Some((name, bytes)) => jixiao_report::docx::document_text(&name, &bytes),
    };
    match text {
        Ok(text) => render_claims(&state, &ctx, &unit, text).await,
        Err(message) => Ok(redirect_error(
            &format!("/units/{unit}/claims"),
            &AppError::Invalid(message),
        )),
    }
}

async fn render_claims(state: &AppState, ctx: &PageCtx, unit: &str, text: String) -> PageResult {
    let cycle = ctx.cycle(state).await?;
    let loaded = crate::reports::loaded(state, &cycle)
        .await
        .map_err(|e| ctx.fail(state, e))?;
    let fw = &loaded.fw;
    let u = view::unit_index(fw, unit).map_err(|e| ctx.fail(state, e))?;
    let checked = jixiao_claims::reconcile::reconcile_facts(
        &jixiao_claims::extract(&text),
        &crate::reports::facts_for(&loaded, u),
    );
    use jixiao_claims::reconcile::Verdict;
    let count = |f: fn(&Verdict) -> bool| checked.iter().filter(|c| f(&c.verdict)).count();
    let counts = json!({
        "consistent": count(|v| matches!(v, Verdict::Consistent)),
        "inconsistent": count(|v| matches!(v, Verdict::Inconsistent { .. })),
        "unmatched": count(|v| matches!(v, Verdict::Unmatched)),
    });
    let rows: Vec<Value> = checked
        .iter()
        .map(|c| {
            let (verdict, class, detail) = match &c.verdict {
                Verdict::Consistent => ("consistent", "on_track", String::new()),
                Verdict::Inconsistent { claimed, stored, difference } => (
                    "inconsistent",
                    "behind",
                    format!("{} {} · {} {} · {}", ctx.tr()["claim"], jixiao_core::explain::num(*claimed), ctx.tr()["value"], jixiao_core::explain::num(*stored), jixiao_core::explain::num(*difference)),
                ),
                Verdict::Unmatched => ("unmatched", "unknown", String::new()),
            };
            json!({ "text": c.claim.text, "task": c.task_id.as_ref().map(|t| format!("{t} {}", c.task_name.clone().unwrap_or_default())).unwrap_or_default(), "verdict": verdict, "class": class, "detail": detail })
        })
        .collect();
    Ok(ctx.render(state, "claims.html", ctx.tr()["claims_check"], json!({ "unit_id": unit, "unit_name": fw.units[u].name, "text": text, "checked": rows, "counts": counts })))
}

async fn account_page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.require(&state, Act::OwnAccount)?;
    Ok(ctx.render(
        &state,
        "account.html",
        ctx.tr()["account"],
        json!({ "error": ctx.query.get("error") }),
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
}

async fn password_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    ctx.require(&state, Act::OwnAccount)?;
    auth::check_csrf(&ctx.p, Some(&f.csrf)).map_err(|e| ctx.fail(&state, e))?;
    let changed = crate::accounts::change_password(&state, &ctx.p, &f.current, &f.new).await;
    ctx.after(&state, changed, "/account", "")
}

pub async fn not_found_page() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>未找到 Not found</title></head><body><main><h1>页面未找到 / Page not found</h1><p><a href=\"/\">返回首页 / Home</a></p></main></body></html>")).into_response()
}
