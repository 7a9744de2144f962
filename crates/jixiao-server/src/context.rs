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

    /// Runs a use case for a page whose content is kept (see [`crate::pages::kept`]): the kept
    /// content when the data version (read in the same snapshot), the date and this request's
    /// key match one, else what `f` answers and the key to keep its content under.
    pub(crate) async fn read_kept<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl FnOnce(&mut Store, &Settings, &Actor) -> Result<T, AppError> + Send + 'static,
    ) -> Result<crate::pages::kept::Kept<T>, AppError> {
        use crate::pages::kept::{key, Kept};
        let pages = state.pages.clone();
        let request = self.clone();
        self.read(state, move |s, settings, actor| {
            let key = jixiao_app::cache::data_head(s)?
                .map(|head| key(&request, &head, &settings.today().to_string()));
            if let Some(hit) = key.as_deref().and_then(|k| pages.get(k)) {
                return Ok(Kept::Hit(hit));
            }
            Ok(Kept::Fresh(key, f(s, settings, actor)?))
        })
        .await
    }

    /// Runs a use case that may read a moment-old state (a dashboard, a public page, a
    /// report) as this request's actor: on the read replica when one is configured and up.
    pub async fn read_lagging<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl Fn(&mut Store, &Settings, &Actor) -> Result<T, AppError> + Clone + Send + 'static,
    ) -> Result<T, AppError> {
        let actor = self.actor.clone();
        state
            .read_lagging(move |s, settings| f(s, settings, &actor))
            .await
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

/// An address or a block of addresses (`10.0.0.0/8`, `::1`), as `trusted_proxies` lists them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cidr {
    net: std::net::IpAddr,
    bits: u8,
}

impl std::str::FromStr for Cidr {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (ip, bits) = match s.split_once('/') {
            Some((ip, bits)) => (ip, Some(bits.parse::<u8>().map_err(|_| ())?)),
            None => (s, None),
        };
        let net: std::net::IpAddr = ip.parse().map_err(|_| ())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return Err(());
        }
        Ok(Cidr { net, bits })
    }
}

impl Cidr {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map(V4).unwrap_or(V6(v6)),
            v4 => v4,
        };
        match (self.net, ip) {
            (V4(n), V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (V6(n), V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The client's address for login throttling and rate limits. The connection's peer, unless
/// the peer is one of the `trusted` proxies: then X-Forwarded-For is read from the right (the
/// hop the nearest proxy saw), trusted hops skipped; the first hop that is not a trusted proxy
/// is the client. Whatever a client writes into the header itself stands left of that and is
/// never read.
pub fn client_address(peer: Option<std::net::IpAddr>, h: &HeaderMap, trusted: &[Cidr]) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let hops: Vec<&str> = h
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if is_trusted(ip) => client = ip,
            Ok(ip) => return ip.to_string(),
            // A hop that is not an address: the proxy chain is broken here; the last good hop.
            Err(_) => break,
        }
    }
    client.to_string()
}

/// The peer address of a request, when the server was started with connection info.
pub fn peer(ext: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A login from `client`: throttling and counting on the writer, the password checked on a
/// reader (argon2 does not hold the writer), the session opened on the writer.
pub async fn log_in(
    state: &AppState,
    user: String,
    password: String,
    client: String,
) -> Result<jixiao_app::accounts::NewSession, jixiao_app::AppError> {
    let attempt = state
        .write(move |s, settings| jixiao_app::accounts::begin_login(s, settings, &user, &client))
        .await?;
    let a = attempt.clone();
    let user = state
        .read_single(move |s, _| jixiao_app::accounts::check_login(s, &a, &password))
        .await?;
    state
        .write(move |s, settings| jixiao_app::accounts::finish_login(s, settings, &attempt, user))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn trusted(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|c| c.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let peer = Some("203.0.113.7".parse().unwrap());
        assert_eq!(
            client_address(peer, &headers(&["1.2.3.4"]), &[]),
            "203.0.113.7"
        );
        assert_eq!(client_address(None, &headers(&["1.2.3.4"]), &[]), "unknown");
    }

    #[test]
    fn behind_trusted_proxies_the_header_is_read_from_the_right() {
        let proxies = trusted(&["10.0.0.0/8", "::1"]);
        let peer = Some("10.0.0.2".parse().unwrap());
        // The client forged the leftmost hop; the proxy appended the real one.
        let h = headers(&["6.6.6.6, 198.51.100.9"]);
        assert_eq!(client_address(peer, &h, &proxies), "198.51.100.9");
        // Two proxies: the inner one's hop is skipped.
        let h = headers(&["6.6.6.6, 198.51.100.9, 10.1.2.3"]);
        assert_eq!(client_address(peer, &h, &proxies), "198.51.100.9");
        // Several header lines count as one list.
        let h = headers(&["6.6.6.6", "198.51.100.9"]);
        assert_eq!(client_address(peer, &h, &proxies), "198.51.100.9");
        // No header: the proxy itself; garbage stops the walk at the last good hop.
        assert_eq!(client_address(peer, &headers(&[]), &proxies), "10.0.0.2");
        let h = headers(&["198.51.100.9, not-an-ip, 10.1.2.3"]);
        assert_eq!(client_address(peer, &h, &proxies), "10.1.2.3");
        // An IPv4-mapped IPv6 peer matches its IPv4 block.
        let mapped = Some("::ffff:10.0.0.2".parse().unwrap());
        assert_eq!(
            client_address(mapped, &headers(&["198.51.100.9"]), &proxies),
            "198.51.100.9"
        );
    }

    #[test]
    fn blocks_parse_and_match() {
        let c: Cidr = "192.168.0.0/16".parse().unwrap();
        assert!(c.contains("192.168.40.1".parse().unwrap()));
        assert!(!c.contains("192.169.0.1".parse().unwrap()));
        assert!("0.0.0.0/0"
            .parse::<Cidr>()
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }
}
