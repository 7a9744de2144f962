//! The web's one error type, mapped to HTTP in one place: a status and a stable code for every
//! refusal, rendered as JSON `{code, message}` for the API ([`ApiError`]) or as a page in the
//! user's language for the pages ([`PageError`], drawn by [`crate::pages::render::render_errors`]).
//! Internal causes are logged once and shown only as "internal error".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jixiao_app::AppError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// A state-changing request with a session cookie but without the session's CSRF token.
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    /// A body that is not what the route reads (bad JSON, a missing field).
    #[error("{0}")]
    BadBody(String),
    /// A body of another content type than the route reads (415).
    #[error("{0}")]
    UnsupportedType(String),
    /// A body larger than `upload_max_bytes` (413).
    #[error("{0}")]
    TooLarge(String),
}

/// The longest error message an answer carries.
pub const MESSAGE_CHARS: usize = 2_000;

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human message (English).
    pub message: String,
}

/// At most [`MESSAGE_CHARS`] characters of `m`.
fn cut(m: String) -> String {
    if m.chars().count() <= MESSAGE_CHARS {
        return m;
    }
    let mut cut: String = m.chars().take(MESSAGE_CHARS).collect();
    cut.push('…');
    cut
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::App(e) => match e {
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::Forbidden | AppError::Withheld(_) => StatusCode::FORBIDDEN,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Invalid(_) | AppError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::App(e) => match e {
                AppError::Unauthenticated => "unauthenticated",
                AppError::Forbidden => "forbidden",
                AppError::Withheld(_) => "withheld",
                AppError::NotFound(_) => "not_found",
                AppError::Invalid(_) | AppError::Rejected(_) => "invalid",
                AppError::Conflict(_) => "conflict",
                AppError::Busy => "busy",
                AppError::TooManyAttempts(_) => "too_many_attempts",
                AppError::Internal(_) => "internal",
            },
            WebError::Csrf => "csrf",
            WebError::BadBody(_) => "invalid",
            WebError::UnsupportedType(_) => "unsupported_media_type",
            WebError::TooLarge(_) => "too_large",
        }
    }

    /// Logs an internal error's cause, once, where it becomes a response.
    fn log(&self) {
        if let WebError::App(AppError::Internal(cause)) = self {
            tracing::error!(%cause, "internal error");
        }
    }

    /// The message in the user's language where the error has one in both languages (a
    /// value check), else [`WebError::message`].
    pub fn message_in(&self, lang: jixiao_core::Lang) -> String {
        match self {
            WebError::App(AppError::Rejected(words)) => {
                cut(words.get(lang == jixiao_core::Lang::Zh).to_string())
            }
            other => other.message(),
        }
    }

    /// The message users read: at most [`MESSAGE_CHARS`] characters, however much of what they
    /// sent it quotes.
    pub fn message(&self) -> String {
        cut(self.to_string())
    }

    /// The JSON answer.
    pub fn to_json(&self) -> Response {
        self.log();
        let mut r = (
            self.status(),
            axum::Json(ErrorBody {
                code: self.code(),
                message: self.message(),
            }),
        )
            .into_response();
        let retry = match self {
            WebError::App(AppError::Busy) => Some(2),
            WebError::App(AppError::TooManyAttempts(seconds)) => Some(*seconds),
            _ => None,
        };
        if let Some(seconds) = retry {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.max(1).into());
        }
        r
    }
}

/// What a JSON route answers.
pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// An error of an API route: answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(WebError::App(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.to_json()
    }
}

/// An error of a page: answered with the error page in the user's language (or, for a
/// visitor who must log in, the login page). The response carries the error; the pages' error
/// layer draws it, since drawing needs the templates and the request's context.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl From<WebError> for PageError {
    fn from(e: WebError) -> Self {
        PageError(e)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(WebError::App(e))
    }
}

/// The error a page response carries to the error layer.
#[derive(Clone)]
pub struct ErrorToDraw(pub std::sync::Arc<WebError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut r = self.0.status().into_response();
        r.extensions_mut()
            .insert(ErrorToDraw(std::sync::Arc::new(self.0)));
        r
    }
}

/// `Json<T>` whose rejections (bad JSON, missing fields, wrong content type) are API errors with
/// a stable code instead of axum's plain-text messages.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection.status() {
                StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    WebError::UnsupportedType("send the body as application/json".into())
                }
                StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge(
                    "the request body is larger than the server accepts (upload_max_bytes)".into(),
                ),
                _ => WebError::BadBody(rejection.body_text()),
            }
            .into()),
        }
    }
}

/// A query string the route reads; a malformed one answers 422 with the JSON error (axum's own
/// rejection is a plain-text 400).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(WebError::BadBody(rejection.body_text()).into()),
        }
    }
}
