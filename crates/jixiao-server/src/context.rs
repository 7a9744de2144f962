//! One request context for every page and API route: who is asking (an [`Actor`] from the
//! session cookie or an API bearer token), the session's CSRF token, the language, the query
//! string and the path.
//!
//! [`session_layer`] builds it once per request, before any handler runs, and checks CSRF
//! there: a state-changing request made with a session cookie must carry the session's token,
//! as the `X-CSRF-Token` header or as the form's `csrf` field (plain or multipart). No handler
//! has to remember it. Requests with an API token carry no cookie and need none. Logins are the
//! exception: they have no session yet (the login form has a double-submit token of its own).

use crate::error::{ApiError, ErrorToDraw, PageError, WebError};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jixiao_app::{Actor, AppError, Settings, Store};
use std::collections::HashMap;

pub const SESSION_COOKIE: &str = "jixiao_session";
pub const LANG_COOKIE: &str = "jixiao_lang";

/// Who is asking, in which language, about what.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Actor,
    /// The CSRF token of a cookie session (None for API tokens and visitors).
    pub csrf: Option<String>,
    /// The raw session token, for logout and password changes.
    pub session: Option<String>,
    pub english: bool,
    /// The language the query string switched to, remembered in a cookie by the page.
    pub set_lang: Option<&'static str>,
    pub query: HashMap<String, String>,
    pub path: String,
}

impl Ctx {
    /// A query parameter, absent when empty.
    pub fn q(&self, key: &str) -> Option<String> {
        self.query.get(key).filter(|v| !v.is_empty()).cloned()
    }

    /// The cycle the request names (`?cycle=`), or None for the newest.
    pub fn cycle(&self) -> Option<String> {
        self.q("cycle")
    }

    pub fn lang(&self) -> jixiao_core::Lang {
        if self.english {
            jixiao_core::Lang::En
        } else {
            jixiao_core::Lang::Zh
        }
    }

    /// Runs a use case on a reader as this request's actor.
    pub async fn read<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl FnOnce(&mut Store, &Settings, &Actor) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let actor = self.actor.clone();
        state.read(move |s, settings| f(s, settings, &actor)).await
    }

    /// Runs a use case on the writer as this request's actor.
    pub async fn write<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl FnOnce(&mut Store, &Settings, &Actor) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let actor = self.actor.clone();
        state.write(move |s, settings| f(s, settings, &actor)).await
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| {
            WebError::App(AppError::Internal(
                "a route without the session layer asked for the request context".into(),
            ))
            .into()
        })
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// The session cookie (an empty token and age 0 end it).
pub fn session_cookie(state: &AppState, token: &str, max_age_seconds: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

fn query_of(req: &Request) -> HashMap<String, String> {
    req.uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default()
}

/// Builds the request's [`Ctx`], checks CSRF, then runs the route. A page's error response
/// leaves with the context, so the error layer can draw it in the user's language.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let (ctx, mut resp) = match context(&state, req).await {
        Ok((ctx, req)) => (ctx, next.run(req).await),
        Err((_, e)) if api => return e.to_json(),
        Err((ctx, e)) => (ctx, PageError(e).into_response()),
    };
    if resp.extensions().get::<ErrorToDraw>().is_some() {
        resp.extensions_mut().insert(ctx);
    }
    resp
}

async fn context(state: &AppState, mut req: Request) -> Result<(Ctx, Request), (Ctx, WebError)> {
    let query = query_of(&req);
    let set_lang = match query.get("lang").map(String::as_str) {
        Some("en") => Some("en"),
        Some("zh") => Some("zh"),
        _ => None,
    };
    let english = set_lang
        .map(|l| l == "en")
        .unwrap_or_else(|| cookie(req.headers(), LANG_COOKIE).as_deref() == Some("en"));
    let mut ctx = Ctx {
        actor: Actor::public(),
        csrf: None,
        session: None,
        english,
        set_lang,
        query,
        path: req.uri().path().to_string(),
    };
    let bearer = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        match state
            .read_single(move |s, _| jixiao_app::accounts::bearer(s, &token))
            .await
        {
            Ok(Some(actor)) => ctx.actor = actor,
            Ok(None) => return Err((ctx, AppError::Unauthenticated.into())),
            Err(e) => return Err((ctx, e.into())),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        let t = token.clone();
        match state
            .read_single(move |s, _| jixiao_app::accounts::session(s, &t))
            .await
        {
            Ok(Some((actor, csrf))) => {
                ctx.actor = actor;
                ctx.csrf = Some(csrf);
                ctx.session = Some(token);
            }
            Ok(None) => {}
            Err(e) => return Err((ctx, e.into())),
        }
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let login =
        matches!(ctx.path.as_str(), "/login" | "/api/v1/session") && *req.method() == Method::POST;
    if let (true, false, Some(expected)) = (changes_state, login, ctx.csrf.clone()) {
        let (sent, rebuilt) = match sent_csrf(state, req).await {
            Ok(x) => x,
            Err(e) => return Err((ctx, e)),
        };
        req = rebuilt;
        if !sent.is_some_and(|s| constant_time_eq(expected.as_bytes(), s.as_bytes())) {
            return Err((ctx, WebError::Csrf));
        }
    }
    req.extensions_mut().insert(ctx.clone());
    Ok((ctx, req))
}

/// The CSRF token the request sent: the header, else the form's `csrf` field. The body is read
/// to find the field and put back for the route.
async fn sent_csrf(state: &AppState, req: Request) -> Result<(Option<String>, Request), WebError> {
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let h = h.to_string();
        return Ok((Some(h), req));
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let multipart = content_type.starts_with("multipart/form-data");
    if !form && !multipart {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let limit = state.config.upload_max_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        WebError::App(AppError::Invalid(format!(
            "the request is larger than {limit} bytes or was cut off"
        )))
    })?;
    let sent = if form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
    } else {
        multipart_field(&parts, bytes.clone(), "csrf").await
    };
    Ok((
        sent,
        Request::from_parts(parts, axum::body::Body::from(bytes)),
    ))
}

/// The text of one field of a multipart body.
async fn multipart_field(parts: &Parts, bytes: axum::body::Bytes, name: &str) -> Option<String> {
    let mut copy = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone());
    for (k, v) in &parts.headers {
        copy = copy.header(k, v);
    }
    let mut copy = copy.body(axum::body::Body::from(bytes)).ok()?;
    // The request's own extensions, its body limit among them (the multipart reader's default
    // is smaller than the uploads allowed).
    *copy.extensions_mut() = parts.extensions.clone();
    let mut form = axum::extract::Multipart::from_request(copy, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address for login throttling: the first X-Forwarded-For hop behind a proxy.
pub fn client_address(h: &HeaderMap) -> String {
    h.get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "direct".into())
}
