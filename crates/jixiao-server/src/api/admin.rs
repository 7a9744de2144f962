//! The office's administration: bonus and deduction entries, the audit log, accounts.

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::error::{ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use jixiao_app::accounts::{NewUser, UserChange, UserOut};
use jixiao_app::audit::AuditFilter;
use jixiao_app::honours::HonourOut;
use jixiao_app::ledger::{LedgerOut, Proposal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Bonus and deduction entries with their approval status and files: every entry for the office
/// and evaluators, a unit's own entries for its reporters.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/ledger", tag = "admin", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<LedgerOut>), (status = 403, body = ErrorBody)))]
pub async fn list_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<LedgerOut>> {
    let (_, entries) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::ledger::list(s, actor, Some(&cycle))
        })
        .await?;
    Ok(Json(entries))
}

#[derive(Deserialize, ToSchema)]
pub struct LedgerIn {
    unit: String,
    /// bonus or deduction.
    kind: String,
    points: f64,
    reason: String,
}

/// Propose a bonus or deduction entry; it counts once the office approves it. A unit's reporter
/// applies for bonus points for its own unit (创新创优申报); evidence files are attached on the
/// application page.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/ledger", tag = "admin", params(("cycle" = String, Path)), request_body = LedgerIn,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<LedgerIn>,
) -> ApiResult<serde_json::Value> {
    let p = Proposal {
        cycle: Some(cycle),
        unit: body.unit,
        kind: body.kind,
        points: body.points.to_string(),
        reason: body.reason,
    };
    let id = ctx
        .write(&state, move |s, settings, actor| {
            jixiao_app::ledger::propose(s, settings, actor, &p, None)
        })
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
pub async fn decide_ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::ledger::decide(s, actor, Some(&cycle), &id, body.approve)
    })
    .await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HonoursQuery {
    /// Only this unit's entries.
    unit: Option<String>,
}

/// The honours and external assessments register (荣誉和外部考核登记): every entry for the
/// office and evaluators, a unit's own for its reporters.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/honours", tag = "admin", params(("cycle" = String, Path), HonoursQuery),
    responses((status = 200, body = Vec<HonourOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_honours(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiQuery(q): ApiQuery<HonoursQuery>,
) -> ApiResult<Vec<HonourOut>> {
    let (_, entries) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::honours::list(s, actor, Some(&cycle), q.unit.as_deref())
        })
        .await?;
    Ok(Json(entries))
}

#[derive(Deserialize, ToSchema)]
pub struct HonourIn {
    unit: String,
    /// 全国双拥模范城, 接诉即办年度综合考核 …
    name: String,
    /// Who awarded or ran it.
    issuer: String,
    /// 2020年, 2020年三季度 …
    period: String,
    /// The place, for an assessment that ranks.
    #[schema(minimum = 1)]
    rank: Option<u32>,
    /// Among whom (default 全市 with a rank).
    scope: Option<String>,
    /// Times running (from 2).
    #[schema(minimum = 2)]
    streak: Option<u32>,
    #[serde(default)]
    note: String,
}

/// Add an entry: the office's counts at once; a unit's reporter proposes one for its own unit,
/// which counts once the office approves it (evidence files on the 荣誉登记 page). The same unit,
/// name, period and scope twice is 409.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/honours", tag = "admin", params(("cycle" = String, Path)), request_body = HonourIn,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_honour(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    ApiJson(body): ApiJson<HonourIn>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), crate::error::ApiError> {
    let h = jixiao_core::records::Honour {
        unit: body.unit,
        name: body.name,
        issuer: body.issuer,
        period: body.period,
        rank: body.rank,
        scope: body.scope,
        streak: body.streak,
        note: body.note,
    };
    let (id, status) = ctx
        .write(&state, move |s, settings, actor| {
            let id = jixiao_app::honours::add(s, settings, actor, Some(&cycle), &h, None)?;
            let office = jixiao_app::policy::allows(actor, jixiao_app::policy::Act::Administer);
            Ok((id, if office { "approved" } else { "pending" }))
        })
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "status": status })),
    ))
}

/// The office approves or refuses a unit's proposed entry.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle}/honours/{id}/decision", tag = "admin", params(("cycle" = String, Path), ("id" = String, Path)), request_body = DecisionIn,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decide_honour(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::honours::decide(s, actor, Some(&cycle), &id, body.approve)
    })
    .await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only entries whose entity starts with this, e.g. cycle/2020/value/A06-1.
    entity: Option<String>,
    /// Only entries by this actor.
    actor: Option<String>,
    /// Only entries with this action, e.g. value.approve.
    action: Option<String>,
    /// Only entries after this sequence number: to page on, pass the last `seq` received.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// At most this many entries, oldest first (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<usize>,
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
pub async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Vec<AuditOut>> {
    let f = AuditFilter {
        entity: q.entity,
        actor: q.actor,
        action: q.action,
        after: q.after,
        before: None,
        limit: q.limit,
        newest_first: false,
    };
    let entries = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::audit::entries(s, actor, &f)
        })
        .await?;
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

/// Accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = Vec<UserOut>), (status = 403, body = ErrorBody)))]
pub async fn list_users(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Vec<UserOut>> {
    Ok(Json(
        ctx.read(&state, |s, _, actor| jixiao_app::accounts::list(s, actor))
            .await?,
    ))
}

/// Create an account (administrators); an existing id answers 409, never a replacement.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser, responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(u): ApiJson<NewUser>,
) -> ApiResult<UserOut> {
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::accounts::create_user(s, settings, actor, &u)
        })
        .await?,
    ))
}

/// Change an account (administrators): the fields sent change, the others stay. `active:
/// false` deactivates it and `password` resets it; either ends its sessions and API tokens.
/// The last active administrator cannot be demoted or deactivated (422).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserChange, responses((status = 200, body = UserOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> ApiResult<UserOut> {
    Ok(Json(
        ctx.write(&state, move |s, settings, actor| {
            jixiao_app::accounts::update_user(s, settings, actor, &id, &change)
        })
        .await?,
    ))
}

/// Every user's API tokens (administrators); never the tokens themselves.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = Vec<TokenInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_all_tokens(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Vec<TokenInfo>> {
    let tokens = ctx
        .read(&state, |s, _, actor| {
            jixiao_app::accounts::tokens(s, actor, true)
        })
        .await?;
    Ok(Json(tokens.into_iter().map(TokenInfo::from).collect()))
}

/// Revoke any user's API token (administrators).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin", params(("id" = String, Path)), responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_any_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::accounts::revoke_token(s, actor, &id, true)
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// An API token as listed: its id (12 hex digits), holder, name and date.
#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: String,
}

impl From<jixiao_app::ApiToken> for TokenInfo {
    fn from(t: jixiao_app::ApiToken) -> Self {
        TokenInfo {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            created_at: t.created_at,
        }
    }
}

/// An Open311 API key as listed (never the key).
#[derive(Serialize, ToSchema)]
pub struct ApiKeyInfo {
    pub id: String,
    /// The client it was made for.
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// The Open311 API keys, revoked ones included (administrators).
#[utoipa::path(get, path = "/api/v1/hotline/api-keys", tag = "admin", responses((status = 200, body = Vec<ApiKeyInfo>), (status = 403, body = ErrorBody)))]
pub async fn list_api_keys(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Vec<ApiKeyInfo>> {
    let keys = ctx
        .read(&state, |s, _, actor| {
            jixiao_app::hotline::api_keys(s, actor)
        })
        .await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| ApiKeyInfo {
                id: k.id,
                name: k.name,
                created_by: k.created_by,
                created_at: k.created_at,
                revoked_at: k.revoked_at,
            })
            .collect(),
    ))
}

/// Revoke an Open311 API key (administrators): its client is refused from the next request.
#[utoipa::path(delete, path = "/api/v1/hotline/api-keys/{id}", tag = "admin", params(("id" = String, Path)), responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<serde_json::Value> {
    ctx.write(&state, move |s, _, actor| {
        jixiao_app::hotline::revoke_api_key(s, actor, &id)
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}
