//! `GET /health`: whether the server and its database answer.

use crate::error::ErrorBody;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    /// With a read replica configured: `ok` while this instance is connected to it, `down`
    /// while its lagging reads go to the primary. Absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<&'static str>,
}

/// Answers 200 when the server and its database are up.
#[utoipa::path(get, path = "/health", tag = "session", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Response {
    match state.read_single(|s, _| Ok(s.ping()?)).await {
        Ok(()) => Json(Health {
            status: "ok",
            database: "ok",
            replica: state
                .replica_connected()
                .map(|up| if up { "ok" } else { "down" }),
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
