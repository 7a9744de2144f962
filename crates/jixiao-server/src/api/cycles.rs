//! Cycles, scores, rankings, progress and explanations.

use crate::context::Ctx;
use crate::error::ApiResult;
use crate::error::ErrorBody;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use jixiao_app::cycles::CycleInfo;
use jixiao_app::scores::{ExplanationOut, Ranking, UnitScores};
use jixiao_app::values::read::Progress;
use serde::Deserialize;

/// Cycles in the database, newest first.
#[utoipa::path(get, path = "/api/v1/cycles", tag = "cycles", responses((status = 200, body = Vec<CycleInfo>), (status = 401, body = ErrorBody)))]
pub async fn list_cycles(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Vec<CycleInfo>> {
    Ok(Json(
        ctx.read(&state, |s, _, actor| jixiao_app::cycles::list(s, actor))
            .await?,
    ))
}

/// 分级考评: every cycle run by an organisation below the city (a district assessing its
/// streets), with its progress, mean, highest and lowest totals and grades (the city's office).
#[utoipa::path(get, path = "/api/v1/levels", tag = "cycles",
    responses((status = 200, body = Vec<jixiao_app::levels::LevelCycle>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn levels(
    State(state): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Vec<jixiao_app::levels::LevelCycle>> {
    Ok(Json(
        ctx.read(&state, |s, settings, actor| {
            jixiao_app::levels::summary(s, settings, actor)
        })
        .await?,
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
    responses((status = 200, body = Ranking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<GroupQuery>,
) -> Result<axum::response::Response, crate::error::ApiError> {
    let r = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::scores::ranking_kept(s, actor, Some(&cycle), q.group.as_deref())
        })
        .await?;
    Ok(kept_json::response(&RANKING_JSON, r))
}

/// The JSON of rankings kept with them: a city's ranking is read far more often than it
/// changes, and writing its rows out is most of what answering costs.
static RANKING_JSON: kept_json::KeptJson<Ranking> = kept_json::KeptJson::new();

mod kept_json {
    use axum::response::{IntoResponse, Response};
    use serde::Serialize;
    use std::sync::{Arc, Mutex};

    /// JSON bodies kept beside the read models they were written from. A model is kept by the
    /// application while its data version holds (`jixiao_app::cache`), so the same `Arc` means
    /// the same data; holding it here keeps its address from being reused by another.
    pub struct KeptJson<T> {
        entries: Mutex<Vec<(Arc<T>, axum::body::Bytes)>>,
    }

    /// How many bodies are kept (cycles × groups, or units); past it the oldest goes.
    const ENTRIES: usize = 512;

    impl<T> KeptJson<T> {
        pub const fn new() -> Self {
            KeptJson {
                entries: Mutex::new(Vec::new()),
            }
        }
    }

    pub fn response<T: Serialize>(kept: &KeptJson<T>, model: Arc<T>) -> Response {
        let hit = kept.entries.lock().ok().and_then(|e| {
            e.iter()
                .find(|(m, _)| Arc::ptr_eq(m, &model))
                .map(|(_, b)| b.clone())
        });
        // A model made for this request alone (a copy limited to what a unit may see) is not
        // kept: nothing else holds it.
        let kept_elsewhere = Arc::strong_count(&model) > 1;
        let body = match hit {
            Some(b) => b,
            None => {
                let Ok(bytes) = serde_json::to_vec(&*model) else {
                    // As axum's Json answers a model it cannot write.
                    return axum::Json(&*model).into_response();
                };
                let body = axum::body::Bytes::from(bytes);
                if let (true, Ok(mut e)) = (kept_elsewhere, kept.entries.lock()) {
                    // A model no longer kept by the application is dropped here too.
                    e.retain(|(m, _)| Arc::strong_count(m) > 1);
                    if e.len() >= ENTRIES {
                        e.remove(0);
                    }
                    e.push((model, body.clone()));
                }
                body
            }
        };
        (
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    }
}

/// The cycle's special tasks (专项) and themes, each with the indicators it covers.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/tags", tag = "cycles", params(("cycle" = String, Path)),
    responses((status = 200, body = Vec<jixiao_app::tags::TagInfo>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Vec<jixiao_app::tags::TagInfo>> {
    Ok(Json(
        ctx.read(&state, move |s, _, actor| {
            jixiao_app::tags::list(s, actor, Some(&cycle))
        })
        .await?,
    ))
}

/// A special task's ranking: each unit's points on the indicators the tag covers, its score
/// rate (得分率) and rank by that rate.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/tags/{tag}", tag = "cycles", params(("cycle" = String, Path), ("tag" = String, Path)),
    responses((status = 200, body = jixiao_app::tags::TagRanking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn tag_ranking(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, tag)): Path<(String, String)>,
) -> ApiResult<jixiao_app::tags::TagRanking> {
    let (_, r) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::tags::ranking_of(s, actor, Some(&cycle), &tag)
        })
        .await?;
    Ok(Json(r))
}

/// Reporting progress of the cycle: shares of expected values reported, approved and overdue,
/// and the tasks that are behind or at risk.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/progress", tag = "cycles", params(("cycle" = String, Path)),
    responses((status = 200, body = Progress), (status = 403, body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(cycle): Path<String>,
) -> ApiResult<Progress> {
    let (_, p) = ctx
        .read(&state, move |s, settings, actor| {
            jixiao_app::values::read::progress_of(s, actor, Some(&cycle), settings.today())
        })
        .await?;
    Ok(Json(p))
}

/// A unit's scores: total, grade, ranks and every node of the indicator tree.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}", tag = "cycles", params(("cycle" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = UnitScores), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unit_scores(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit)): Path<(String, String)>,
) -> Result<axum::response::Response, crate::error::ApiError> {
    let us = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::scores::unit_scores_kept(s, actor, Some(&cycle), &unit)
        })
        .await?;
    Ok(kept_json::response(&UNIT_SCORES_JSON, us))
}

static UNIT_SCORES_JSON: kept_json::KeptJson<UnitScores> = kept_json::KeptJson::new();

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LangQuery {
    /// zh (default) or en.
    lang: Option<String>,
}

/// How a node's score was reached: method, inputs, formula with the numbers put in, result.
#[utoipa::path(get, path = "/api/v1/cycles/{cycle}/units/{unit}/explain/{node}", tag = "cycles", params(("cycle" = String, Path), ("unit" = String, Path), ("node" = String, Path), LangQuery),
    responses((status = 200, body = ExplanationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn explain_node(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cycle, unit, node)): Path<(String, String, String)>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<LangQuery>,
) -> ApiResult<ExplanationOut> {
    let lang = jixiao_core::Lang::parse(q.lang.as_deref().unwrap_or("zh"))
        .unwrap_or(jixiao_core::Lang::Zh);
    let (_, e) = ctx
        .read(&state, move |s, _, actor| {
            jixiao_app::scores::explanation_of(s, actor, Some(&cycle), &unit, &node, lang)
        })
        .await?;
    Ok(Json(e))
}
