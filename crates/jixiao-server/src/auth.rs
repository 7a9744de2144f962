//! Authentication: argon2id passwords, database-backed sessions in an HttpOnly SameSite cookie
//! (Secure when configured), a CSRF token per session, login throttling, API bearer tokens.

use crate::error::AppError;
use crate::policy::Principal;
use crate::state::AppState;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;

pub const SESSION_COOKIE: &str = "jixiao_session";
pub const LANG_COOKIE: &str = "jixiao_lang";

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
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

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(bearer) = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            let token = bearer.trim().to_string();
            return match state.db(move |s| Ok(s.api_token_user(&token)?)).await? {
                Some(user) => Ok(Principal::from_user(user, None, None)),
                None => Err(AppError::Unauthenticated),
            };
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(Principal::public());
        };
        let t = token.clone();
        Ok(match state.db(move |s| Ok(s.session(&t)?)).await? {
            Some((user, csrf)) => Principal::from_user(user, Some(csrf), Some(token)),
            None => Principal::public(),
        })
    }
}

/// Checks the CSRF token of a state-changing request made with a session cookie. Requests
/// authenticated by an API token carry no cookie and need none.
pub fn check_csrf(p: &Principal, sent: Option<&str>) -> Result<(), AppError> {
    match (&p.csrf, sent) {
        (None, _) => Ok(()),
        (Some(expected), Some(sent)) if constant_time_eq(expected.as_bytes(), sent.as_bytes()) => {
            Ok(())
        }
        _ => Err(AppError::Csrf),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Logs in: checks throttling, the password, and opens a session. Returns the session token.
pub async fn login(
    state: &AppState,
    user_id: &str,
    password: &str,
    client: &str,
) -> Result<String, AppError> {
    let key = format!("{user_id}|{client}");
    let window = state.config.login_window_minutes;
    let since = (chrono::Utc::now() - chrono::Duration::minutes(window))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let max = state.config.login_max_failures;
    let (k, s) = (key.clone(), since.clone());
    if state.db(move |st| Ok(st.failed_logins(&k, &s)?)).await? >= max {
        return Err(AppError::TooManyAttempts(window));
    }
    let id = user_id.to_string();
    let user = state.db(move |st| Ok(st.user(&id)?)).await?;
    let password = password.to_string();
    // Verify even for unknown users so timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match user {
        Some(u) if ok && u.active => {
            let token = random_token();
            let csrf = random_token();
            let expires = (chrono::Utc::now()
                + chrono::Duration::hours(state.config.session_hours))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let (t, uid) = (token.clone(), u.id.clone());
            state
                .db(move |st| {
                    st.clear_failed_logins(&key)?;
                    Ok(st.create_session(&t, &uid, &csrf, &expires)?)
                })
                .await?;
            tracing::info!(user = %u.id, "login");
            Ok(token)
        }
        _ => {
            state
                .db(move |st| Ok(st.record_failed_login(&key, &since)?))
                .await?;
            tracing::info!(user = %user_id, "failed login");
            Err(AppError::Invalid("wrong user name or password".into()))
        }
    }
}

/// An argon2id hash of a random password, verified against when the user does not exist.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}
