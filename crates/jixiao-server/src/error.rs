//! The server's one error type, mapped to HTTP in one place: JSON `{code, message}` for the
//! API, a plain page for HTML. Internal errors are logged with their cause and shown only as
//! "internal error".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    #[error("too many failed logins; try again in {0} minutes")]
    TooManyAttempts(i64),
    #[error("internal error")]
    Internal(String),
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human message (English).
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Csrf => "csrf",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<jixiao_store::StoreError> for AppError {
    fn from(e: jixiao_store::StoreError) -> Self {
        use jixiao_store::StoreError::*;
        match e {
            NotFound(what) => AppError::NotFound(what),
            Invalid(m) => AppError::Invalid(m),
            Workflow(w) => AppError::Invalid(w.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        (
            self.status(),
            axum::Json(ErrorBody {
                code: self.code(),
                message: self.to_string(),
            }),
        )
            .into_response()
    }
}

/// `Json<T>` whose rejections (bad JSON, missing fields, wrong content type) are API errors with
/// a stable code instead of axum's plain-text messages.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(AppError::Invalid(rejection.body_text())),
        }
    }
}
