//! Accounts: passwords (argon2id), logins with throttling, sessions with their CSRF token, API
//! tokens, and the office's management of users. Secrets are stored only as hashes.

use crate::actor::{Actor, Role};
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::settings::Settings;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jixiao_store::{Store, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Passwords must be at least this long.
pub const MIN_PASSWORD: usize = 8;

pub fn hash_password(password: &str) -> Result<String> {
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

/// 32 random bytes as hex: session tokens, CSRF tokens, API tokens and keys.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!(
            "passwords need at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// An account as sent by the office (form, API, command line), before it is checked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewUser {
    pub id: String,
    pub display_name: String,
    pub password: String,
    /// admin, evaluator or reporter.
    pub role: String,
    pub unit_id: Option<String>,
    pub evaluator_id: Option<String>,
    /// Where reminders go.
    pub email: Option<String>,
}

impl NewUser {
    /// Checks every field and hashes the password.
    pub fn check(&self) -> Result<User> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            AppError::Invalid(format!(
                "unknown role `{}`; expected admin, evaluator or reporter",
                self.role
            ))
        })?;
        let id = self.id.trim();
        crate::text::line("id", id, crate::text::ID)?;
        crate::text::line("display_name", &self.display_name, crate::text::NAME)?;
        if let Some(e) = &self.email {
            crate::text::line("email", e, crate::text::EMAIL)?;
        }
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(AppError::Invalid(
                "a user id must be non-empty and without spaces".into(),
            ));
        }
        check_password(&self.password)?;
        let unit_id = self.unit_id.clone().filter(|u| !u.is_empty());
        let evaluator_id = self.evaluator_id.clone().filter(|e| !e.is_empty());
        if role == Role::Reporter && unit_id.is_none() {
            return Err(AppError::Invalid(
                "a reporter needs the unit it reports for (unit_id)".into(),
            ));
        }
        if role == Role::Evaluator && evaluator_id.is_none() {
            return Err(AppError::Invalid(
                "an evaluator needs the evaluating unit it acts for (evaluator_id)".into(),
            ));
        }
        Ok(User {
            id: id.into(),
            display_name: self.display_name.trim().into(),
            password_hash: hash_password(&self.password)?,
            role,
            unit_id,
            evaluator_id,
            active: true,
            email: checked_email(self.email.clone())?,
        })
    }
}

/// An e-mail address for reminders, or none when empty.
fn checked_email(email: Option<String>) -> Result<Option<String>> {
    let email = email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    match &email {
        Some(e) if !e.contains('@') || e.contains(char::is_whitespace) => {
            Err(AppError::Invalid(format!("`{e}` is not an e-mail address")))
        }
        _ => Ok(email),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub evaluator_id: Option<String>,
    pub active: bool,
    pub email: Option<String>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            id: u.id,
            display_name: u.display_name,
            role: u.role.as_str().into(),
            unit_id: u.unit_id,
            evaluator_id: u.evaluator_id,
            active: u.active,
            email: u.email,
        }
    }
}

/// Every account (the office).
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<UserOut>> {
    require(actor, Act::Administer)?;
    Ok(s.users()?.into_iter().map(UserOut::from).collect())
}

/// Creates or replaces an account (the office); `active` false deactivates it.
pub fn save_user(s: &mut Store, actor: &Actor, new: &NewUser, active: bool) -> Result<UserOut> {
    require(actor, Act::Administer)?;
    let mut user = new.check()?;
    user.active = active;
    s.upsert_user(&user, &actor.id)?;
    Ok(user.into())
}

/// Changes the actor's own password after checking the current one; the actor's other
/// sessions end (the current one, `session`, stays).
pub fn change_password(
    s: &mut Store,
    actor: &Actor,
    current: &str,
    new: &str,
    session: Option<&str>,
) -> Result<()> {
    require(actor, Act::OwnAccount)?;
    let user = actor.user.as_ref().ok_or(AppError::Unauthenticated)?;
    if !verify_password(current, &user.password_hash) {
        return Err(AppError::Invalid("the current password is wrong".into()));
    }
    check_password(new)?;
    let hash = hash_password(new)?;
    s.set_password_hash(&user.id, &hash)?;
    Ok(s.delete_sessions_of(&user.id, session)?)
}

/// A new session: its token (for the cookie) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// Logs in from `client`: checks throttling and the password, then opens a session.
pub fn login(
    s: &mut Store,
    settings: &Settings,
    user_id: &str,
    password: &str,
    client: &str,
) -> Result<NewSession> {
    let key = format!("{user_id}|{client}");
    let window = settings.login_window_minutes;
    let since = (chrono::Utc::now() - chrono::Duration::minutes(window))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    if s.failed_logins(&key, &since)? >= settings.login_max_failures {
        return Err(AppError::TooManyAttempts(window));
    }
    let user = s.user(user_id)?;
    // Verify even for unknown users so timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = verify_password(password, &hash);
    match user {
        Some(u) if ok && u.active => {
            let token = random_token();
            let csrf = random_token();
            let expires = (chrono::Utc::now() + chrono::Duration::hours(settings.session_hours))
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            s.clear_failed_logins(&key)?;
            s.create_session(&token, &u.id, &csrf, &expires)?;
            tracing::info!(user = %u.id, "login");
            Ok(NewSession {
                token,
                csrf,
                user: u,
            })
        }
        _ => {
            s.record_failed_login(&key, &since)?;
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

/// The actor of a live session cookie and its CSRF token; `None` for an unknown or expired one.
pub fn session(s: &mut Store, token: &str) -> Result<Option<(Actor, String)>> {
    Ok(s.session(token)?
        .map(|(user, csrf)| (Actor::from_user(user), csrf)))
}

/// The actor of an API bearer token; `None` for an unknown one.
pub fn bearer(s: &mut Store, token: &str) -> Result<Option<Actor>> {
    Ok(s.api_token_user(token)?.map(Actor::from_user))
}

/// Ends a session.
pub fn logout(s: &mut Store, token: &str) -> Result<()> {
    Ok(s.delete_session(token)?)
}

/// Creates an API token acting as the actor; the token is returned once, stored as a hash.
pub fn create_token(s: &mut Store, actor: &Actor, name: &str) -> Result<String> {
    require(actor, Act::OwnAccount)?;
    crate::text::line("name", name, crate::text::NAME)?;
    if name.trim().is_empty() {
        return Err(AppError::Invalid("a token needs a name".into()));
    }
    let token = random_token();
    s.create_api_token(&token, &actor.id, name)?;
    Ok(token)
}

/// The actor's own account, for its account page.
pub fn me(actor: &Actor) -> Result<UserOut> {
    require(actor, Act::OwnAccount)?;
    actor
        .user
        .clone()
        .map(UserOut::from)
        .ok_or(AppError::Unauthenticated)
}
