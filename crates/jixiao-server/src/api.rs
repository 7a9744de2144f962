//! The JSON API under `/api/v1`, with its OpenAPI 3 document generated from these handlers
//! (`/api/v1/openapi.json`, browsable at `/api/v1/docs`). Permission checks go through
//! [`crate::policy::allows`] before anything is looked up, so a guessed id tells nothing.

use crate::auth::{self, check_csrf};
use crate::error::{ApiJson, AppError, ErrorBody};
use crate::policy::{allows, Act, Principal};
use crate::state::AppState;
use crate::view;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "jixiao API", version = "1", description = "Government performance management: cycles, scores with explanations, rankings, reported values and their review."),
    tags((name = "cycles", description = "Scores, rankings and progress"), (name = "values", description = "Reporting and review"), (name = "reports", description = "Reports, report texts and publication"), (name = "admin", description = "Audit log and accounts"), (name = "session", description = "Login, logout, own account"))
)]
struct ApiDoc;

pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(list_cycles))
        .routes(routes!(ranking))
        .routes(routes!(progress))
        .routes(routes!(unit_scores))
        .routes(routes!(explain_node))
        .routes(routes!(unit_values))
        .routes(routes!(enter_value))
        .routes(routes!(review_value))
        .routes(routes!(review_queue))
        .routes(routes!(grade_value))
        .routes(routes!(upload_evidence))
        .routes(routes!(download_evidence))
        .routes(routes!(list_ledger, propose_ledger))
        .routes(routes!(decide_ledger))
        .routes(routes!(audit_log))
        .routes(routes!(list_users, create_user))
        .routes(routes!(login, logout))
        .routes(routes!(change_password))
        .routes(routes!(create_token))
        .routes(routes!(results_report))
        .routes(routes!(unit_report))
        .routes(routes!(list_narratives))
        .routes(routes!(save_narrative))
        .routes(routes!(set_publication))
        .split_for_parts()
}

type ApiResult<T> = Result<Json<T>, AppError>;

fn require(p: &Principal, act: Act<'_>) -> Result<(), AppError> {
    if allows(p, act) {
        Ok(())
    } else {
        Err(view::refusal(p))
    }
}

fn csrf_header(h: &HeaderMap) -> Option<&str> {
    h.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
}

/// Answers 200 when the server and its database are up.
#[utoipa::path(get, path = "/health", tag = "session", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn health(State(state): State<AppState>) -> Response {
    match state.db(|s| Ok(s.ping()?)).await {
        Ok(()) => Json(Health {
            status: "ok",
            database: "ok",
        })
        .into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(ErrorBody {
                code: "database_unavailable",
                message: "the database does not answer".into(),
            }),
        )
            .into_response(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CycleInfo {
    id: String,
    name: String,
}

/// Cycles in the database, newest first.
#[utoipa::path(get, path = "/api/v1/cycles", tag = "cycles", responses((status = 200, body = Vec<CycleInfo>), (status = 401, body = ErrorBody)))]
async fn list_cycles(State(state): State<AppState>, p: Principal) -> ApiResult<Vec<CycleInfo>> {
    require(&p, Act::OwnAccount)?;
    let cycles = state.db(|s| Ok(s.cycles()?)).await?;
    Ok(Json(
        cycles
            .into_iter()
            .map(|(id, name)| CycleInfo { id, name })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct GroupQuery {
    /// Group id; overall when absent.
    group: Option<String>,
}

/// The ranking of a cycle, overall or within a group; units listed separately (单列) come last
/// with no rank.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/ranking", tag = "cycles", params(("cycle" = String, Path), GroupQuery),
    responses((status = 200, body = view::Ranking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ranking(
    State(state): State<AppState>,
    p: Principal,
    Path(cycle): Path<String>,
    Query(q): Query<GroupQuery>,
) -> ApiResult<view::Ranking> {
    require(&p, Act::ViewCycle)?;
    let (fw, card, _) = view::scored(&state, &cycle).await?;
    Ok(Json(view::ranking(&fw, &card, q.group.as_deref())?))
}

/// Reporting progress of the cycle: shares of expected values reported, approved and overdue,
/// and the tasks that are behind or at risk.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/progress", tag = "cycles", params(("cycle" = String, Path)),
    responses((status = 200, body = view::Progress), (status = 403, body = ErrorBody)))]
async fn progress(
    State(state): State<AppState>,
    p: Principal,
    Path(cycle): Path<String>,
) -> ApiResult<view::Progress> {
    require(&p, Act::ViewCycle)?;
    let today = state.config.today();
    let (fw, values) = view::cycle_values(&state, &cycle).await?;
    Ok(Json(view::progress(&fw, &values, today)))
}

/// A unit's scores: total, grade, ranks and every node of the indicator tree.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}", tag = "cycles", params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = view::UnitScores), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unit_scores(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, unit)): Path<(String, String)>,
) -> ApiResult<view::UnitScores> {
    require(&p, Act::ViewUnit(&unit))?;
    let (fw, card, _) = view::scored(&state, &cycle).await?;
    Ok(Json(view::unit_scores(&fw, &card, &unit)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    /// zh (default) or en.
    lang: Option<String>,
}

/// How a node's score was reached: method, inputs, formula with the numbers put in, result.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/explain/{node}", tag = "cycles", params(("cycle" = String, Path), ("unit" = String, Path), ("node" = String, Path), LangQuery),
    responses((status = 200, body = view::ExplanationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn explain_node(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, unit, node)): Path<(String, String, String)>,
    Query(q): Query<LangQuery>,
) -> ApiResult<view::ExplanationOut> {
    require(&p, Act::ViewUnit(&unit))?;
    let (fw, card, _) = view::scored(&state, &cycle).await?;
    let lang = jixiao_core::Lang::parse(q.lang.as_deref().unwrap_or("zh"))
        .unwrap_or(jixiao_core::Lang::Zh);
    Ok(Json(view::explanation(&fw, &card, &unit, &node, lang)?))
}

/// A unit's reported values with their state and in-year status.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/values", tag = "values", params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = Vec<view::ValueOut>), (status = 403, body = ErrorBody)))]
async fn unit_values(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, unit)): Path<(String, String)>,
) -> ApiResult<Vec<view::ValueOut>> {
    require(&p, Act::ViewUnit(&unit))?;
    let (fw, values) = view::cycle_values(&state, &cycle).await?;
    Ok(Json(view::unit_values(&fw, &values, &unit)))
}

/// A value as entered by a unit. `value` is a number, or a grade for qualitative tasks.
#[derive(Deserialize, ToSchema)]
pub struct ValueIn {
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub evidence: String,
    /// false saves a draft; true submits for review.
    #[serde(default)]
    pub submit: bool,
}

/// Enter (draft) or submit a value. A note is required when the value is off track.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)), request_body = ValueIn,
    responses((status = 200, body = view::ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enter_value(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<ValueIn>,
) -> ApiResult<view::ValueOut> {
    require(&p, Act::EnterValue(&unit))?;
    check_csrf(&p, csrf_header(&headers))?;
    let raw = raw_value(&body.value)?;
    Ok(Json(
        view::enter(
            &state,
            &p,
            &cycle,
            &unit,
            &task,
            &period,
            &raw,
            &body.note,
            &body.evidence,
            body.submit,
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Approve,
    Return,
    Reopen,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    pub action: ReviewAction,
    /// Required to return (why) and to reopen (the reason).
    #[serde(default)]
    pub comment: String,
}

/// Approve or return a submitted value (evaluators of the task), or reopen a value (administrators).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/review", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)), request_body = ReviewIn,
    responses((status = 200, body = view::ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_value(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    ApiJson(body): ApiJson<ReviewIn>,
) -> ApiResult<view::ValueOut> {
    require(&p, Act::Evaluate)?;
    check_csrf(&p, csrf_header(&headers))?;
    let action = match body.action {
        ReviewAction::Approve => jixiao_core::workflow::Action::Approve,
        ReviewAction::Return => jixiao_core::workflow::Action::Return {
            comment: body.comment,
        },
        ReviewAction::Reopen => jixiao_core::workflow::Action::Reopen {
            reason: body.comment,
        },
    };
    Ok(Json(
        view::review(&state, &p, &cycle, &unit, &task, &period, action).await?,
    ))
}

/// Submitted values waiting for this evaluator (administrators see all).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/review-queue", tag = "values", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<view::ValueOut>), (status = 403, body = ErrorBody)))]
async fn review_queue(
    State(state): State<AppState>,
    p: Principal,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<view::ValueOut>> {
    require(&p, Act::Evaluate)?;
    let (fw, values) = view::cycle_values(&state, &cycle).await?;
    Ok(Json(view::queue(&fw, &values, &p)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only entries whose entity starts with this, e.g. cycle/2020/value/A06-1.
    entity: Option<String>,
    /// Only entries by this actor.
    actor: Option<String>,
    /// Only entries with this action, e.g. value.approve.
    action: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    before: Option<String>,
    after: Option<String>,
    hash: String,
}

/// The audit log (administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery), responses((status = 200, body = Vec<AuditOut>), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    p: Principal,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Vec<AuditOut>> {
    require(&p, Act::Administer)?;
    let (actor, action) = (
        q.actor.clone().filter(|a| !a.is_empty()),
        q.action.clone().filter(|a| !a.is_empty()),
    );
    let entries: Vec<jixiao_store::AuditEntry> = state
        .db(move |s| Ok(s.audit_entries(q.entity.as_deref())?))
        .await?
        .into_iter()
        .filter(|e| {
            actor.as_ref().is_none_or(|a| &e.actor == a)
                && action.as_ref().is_none_or(|a| &e.action == a)
        })
        .collect();
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditOut {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                before: e.before,
                after: e.after,
                hash: e.hash,
            })
            .collect(),
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserOut {
    id: String,
    display_name: String,
    role: String,
    unit_id: Option<String>,
    evaluator_id: Option<String>,
    active: bool,
    email: Option<String>,
}

impl From<jixiao_store::User> for UserOut {
    fn from(u: jixiao_store::User) -> Self {
        UserOut {
            id: u.id,
            display_name: u.display_name,
            role: u.role,
            unit_id: u.unit_id,
            evaluator_id: u.evaluator_id,
            active: u.active,
            email: u.email,
        }
    }
}

/// Accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = Vec<UserOut>), (status = 403, body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, p: Principal) -> ApiResult<Vec<UserOut>> {
    require(&p, Act::Administer)?;
    Ok(Json(
        state
            .db(|s| Ok(s.users()?))
            .await?
            .into_iter()
            .map(UserOut::from)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct UserIn {
    id: String,
    display_name: String,
    password: String,
    /// admin, evaluator or reporter.
    role: String,
    unit_id: Option<String>,
    evaluator_id: Option<String>,
    /// Where reminders go.
    email: Option<String>,
}

/// Create or replace an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserIn, responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(u): ApiJson<UserIn>,
) -> ApiResult<UserOut> {
    require(&p, Act::Administer)?;
    check_csrf(&p, csrf_header(&headers))?;
    Ok(Json(
        crate::accounts::create_user(
            &state,
            p.id(),
            &u.id,
            &u.display_name,
            &u.password,
            &u.role,
            u.unit_id,
            u.evaluator_id,
            u.email,
        )
        .await?
        .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginIn {
    user: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    user: UserOut,
    /// Send as X-CSRF-Token with every state-changing request made with the session cookie.
    csrf: String,
}

/// Log in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginIn,
    responses((status = 200, body = SessionOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginIn>,
) -> Result<Response, AppError> {
    let client = crate::client_address(&headers);
    let token = auth::login(&state, &body.user, &body.password, &client).await?;
    let t = token.clone();
    let (user, csrf) = state
        .db(move |s| Ok(s.session(&t)?))
        .await?
        .ok_or_else(|| AppError::Internal("new session not found".into()))?;
    let cookie = auth::session_cookie(&state, &token, state.config.session_hours * 3600);
    Ok((
        [(SET_COOKIE, cookie)],
        Json(SessionOut {
            user: user.into(),
            csrf,
        }),
    )
        .into_response())
}

/// Log out; ends the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 200)))]
async fn logout(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    check_csrf(&p, csrf_header(&headers))?;
    if let Some(token) = p.session.clone() {
        state.db(move |s| Ok(s.delete_session(&token)?)).await?;
    }
    Ok((
        [(SET_COOKIE, auth::session_cookie(&state, "", 0))],
        Json(serde_json::json!({"ok": true})),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordIn {
    current: String,
    new: String,
}

/// Change one's own password; other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordIn, responses((status = 200), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordIn>,
) -> ApiResult<serde_json::Value> {
    require(&p, Act::OwnAccount)?;
    check_csrf(&p, csrf_header(&headers))?;
    crate::accounts::change_password(&state, &p, &body.current, &body.new).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    /// Shown once; send as `Authorization: Bearer TOKEN`.
    token: String,
}

/// Create an API token for machine clients, acting as oneself.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "session", request_body = TokenIn, responses((status = 200, body = TokenOut), (status = 401, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TokenIn>,
) -> ApiResult<TokenOut> {
    require(&p, Act::OwnAccount)?;
    check_csrf(&p, csrf_header(&headers))?;
    if body.name.trim().is_empty() {
        return Err(AppError::Invalid("a token needs a name".into()));
    }
    let token = auth::random_token();
    let (t, user) = (token.clone(), p.id().to_string());
    state
        .db(move |s| Ok(s.create_api_token(&t, &user, &body.name)?))
        .await?;
    Ok(Json(TokenOut { token }))
}

#[derive(Deserialize, ToSchema)]
pub struct GradeIn {
    /// A grade of the task (qualitative) or a score on the task's scale (survey, leader evaluation).
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    #[serde(default)]
    pub note: String,
}

/// An evaluator records a grade or score for a unit; it counts at once.
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/grades/{task}", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path)), request_body = GradeIn,
    responses((status = 200, body = view::ValueOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn grade_value(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, unit, task)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<GradeIn>,
) -> ApiResult<view::ValueOut> {
    require(&p, Act::Evaluate)?;
    check_csrf(&p, csrf_header(&headers))?;
    let raw = raw_value(&body.value)?;
    Ok(Json(
        view::grade(&state, &p, &cycle, &unit, &task, &raw, &body.note).await?,
    ))
}

/// Bonus and deduction entries with their approval status (office and evaluators).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/ledger", tag = "admin", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<view::LedgerOut>), (status = 403, body = ErrorBody)))]
async fn list_ledger(
    State(state): State<AppState>,
    p: Principal,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<view::LedgerOut>> {
    require(&p, Act::ProposeLedger)?;
    Ok(Json(view::ledger(&state, &cycle).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerIn {
    unit: String,
    /// bonus or deduction.
    kind: String,
    points: f64,
    reason: String,
}

/// Propose a bonus or deduction entry; it counts once the office approves it.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/ledger", tag = "admin", params(("cycle" = String, Path)), request_body = LedgerIn,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn propose_ledger(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<LedgerIn>,
) -> ApiResult<serde_json::Value> {
    require(&p, Act::ProposeLedger)?;
    check_csrf(&p, csrf_header(&headers))?;
    let id = view::propose_ledger(
        &state,
        &p,
        &cycle,
        &body.unit,
        &body.kind,
        &body.points.to_string(),
        &body.reason,
    )
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "status": "pending" })))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    approve: bool,
}

/// The office approves or rejects a pending entry.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/ledger/{id}/decision", tag = "admin", params(("cycle" = String, Path), ("id" = String, Path)), request_body = DecisionIn,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn decide_ledger(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> ApiResult<serde_json::Value> {
    require(&p, Act::Administer)?;
    check_csrf(&p, csrf_header(&headers))?;
    view::decide_ledger(&state, &p, &cycle, &id, body.approve).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// The multipart form of an evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// A PDF, PNG, JPEG, xlsx or docx file, at most `evidence_max_bytes`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach an evidence file to a value (the unit's reporters and the office).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}/evidence", tag = "values",
    params(("cycle" = String, Path), ("unit" = String, Path), ("task" = String, Path), ("period" = String, Path)),
    request_body(content = inline(EvidenceForm), content_type = "multipart/form-data"),
    responses((status = 200), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_evidence(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, unit, task, period)): Path<(String, String, String, String)>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<serde_json::Value> {
    require(&p, Act::EnterValue(&unit))?;
    check_csrf(&p, csrf_header(&headers))?;
    // Checked after the permission, so a refused caller learns nothing from the form.
    let form = form.map_err(|e| AppError::Invalid(e.body_text()))?;
    let Some((name, bytes)) = crate::upload::read(form, state.config.upload_max_bytes)
        .await?
        .file
    else {
        return Err(AppError::Invalid("the form has no `file` field".into()));
    };
    let id = view::add_evidence(&state, &p, &cycle, &unit, &task, &period, &name, bytes).await?;
    Ok(Json(
        serde_json::json!({ "id": id, "url": format!("/api/v1/evidence/{id}") }),
    ))
}

/// Download an evidence file.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "values", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody)))]
async fn download_evidence(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (info, bytes) = view::evidence(&state, &p, &id).await?;
    Ok(evidence_response(&info, bytes))
}

pub fn evidence_response(info: &jixiao_store::evidence::EvidenceInfo, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        info.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, info.content_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// What was typed for a value: a JSON number, or a string (a grade, or a number as text).
fn raw_value(v: &serde_json::Value) -> Result<String, AppError> {
    match v {
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::String(s) => Ok(s.clone()),
        _ => Err(AppError::Invalid(
            "`value` must be a number or a grade".into(),
        )),
    }
}

fn report_format(s: &str) -> Result<crate::reports::Format, AppError> {
    crate::reports::Format::parse(s)
        .ok_or_else(|| AppError::NotFound(format!("format `{s}` (docx, html, md, xlsx)")))
}

/// The office's results report: rankings, grades, scorecards, charts and every score's
/// explanation (docx, html, md or xlsx).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/reports/results/{format}", tag = "reports",
    params(("cycle" = String, Path), ("format" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn results_report(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, format)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require(&p, Act::ViewCycle)?;
    let format = report_format(&format)?;
    let loaded = crate::reports::loaded(&state, &cycle).await?;
    let r = crate::reports::render(
        &loaded,
        &state.wording,
        crate::reports::Kind::Results,
        None,
        format,
        state.config.today(),
    )?;
    Ok(crate::reports::download(r))
}

/// A unit's self-assessment report (`self`: docx, html, md) or task self-check table
/// (`selfcheck`: xlsx, html, docx, md).
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/reports/{kind}/{format}", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path), ("kind" = String, Path), ("format" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn unit_report(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, unit, kind, format)): Path<(String, String, String, String)>,
) -> Result<Response, AppError> {
    require(&p, Act::ViewUnit(&unit))?;
    let kind = crate::reports::Kind::parse(&kind)
        .filter(|k| k.needs_unit())
        .ok_or_else(|| AppError::NotFound(format!("report `{kind}` (self, selfcheck)")))?;
    let format = report_format(&format)?;
    let loaded = crate::reports::loaded(&state, &cycle).await?;
    let r = crate::reports::render(
        &loaded,
        &state.wording,
        kind,
        Some(&unit),
        format,
        state.config.today(),
    )?;
    Ok(crate::reports::download(r))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NarrativeOut {
    /// overview, highlights, rectification or next_year.
    pub section: String,
    pub text: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// The paragraphs a unit wrote for its self-assessment report.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/narratives", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = Vec<NarrativeOut>), (status = 403, body = ErrorBody)))]
async fn list_narratives(
    State(state): State<AppState>,
    p: Principal,
    Path((cycle, unit)): Path<(String, String)>,
) -> ApiResult<Vec<NarrativeOut>> {
    require(&p, Act::ViewUnit(&unit))?;
    let list = state.db(move |s| Ok(s.narratives(&cycle)?)).await?;
    Ok(Json(
        list.into_iter()
            .filter(|n| n.unit == unit)
            .map(|n| NarrativeOut {
                section: n.section,
                text: n.body,
                updated_by: n.updated_by,
                updated_at: n.updated_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NarrativeIn {
    /// The section's text; empty removes it. Rectification items one per line.
    pub text: String,
}

/// Saves one section of a unit's report text (the unit itself, or the office).
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/units/{unit}/narratives/{section}", tag = "reports",
    params(("cycle" = String, Path), ("unit" = String, Path), ("section" = String, Path)), request_body = NarrativeIn,
    responses((status = 200, body = Changed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn save_narrative(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path((cycle, unit, section)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<NarrativeIn>,
) -> ApiResult<Changed> {
    require(&p, Act::WriteReport(&unit))?;
    check_csrf(&p, csrf_header(&headers))?;
    let section = jixiao_report::Section::parse(&section).ok_or_else(|| {
        AppError::NotFound(format!(
            "section `{section}` (overview, highlights, rectification, next_year)"
        ))
    })?;
    let actor = p.id().to_string();
    let change = state
        .db(move |s| Ok(s.save_narrative(&cycle, &unit, section.as_str(), &body.text, &actor)?))
        .await?;
    Ok(Json(Changed {
        changed: change != jixiao_store::Change::Unchanged,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Changed {
    pub changed: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct PublicationIn {
    pub published: bool,
}

/// Publishes a cycle's results on the public pages, or withdraws them (the office).
#[utoipa::path(put, path = "/api/v1/cycles/{cycle}/publication", tag = "reports",
    params(("cycle" = String, Path)), request_body = PublicationIn,
    responses((status = 200, body = Changed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_publication(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<PublicationIn>,
) -> ApiResult<Changed> {
    require(&p, Act::Administer)?;
    check_csrf(&p, csrf_header(&headers))?;
    let actor = p.id().to_string();
    let change = state
        .db(move |s| Ok(s.set_published(&cycle, body.published, &actor)?))
        .await?;
    Ok(Json(Changed {
        changed: change != jixiao_store::Change::Unchanged,
    }))
}
