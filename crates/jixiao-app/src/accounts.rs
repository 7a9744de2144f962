//! Accounts: passwords (argon2id), logins with throttling, sessions with their CSRF token, API
//! tokens, and the office's management of users. Secrets are stored only as hashes.

use crate::actor::{Actor, Role};
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use crate::settings::Settings;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jixiao_store::{ApiToken, Store, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longer passwords are refused: hashing and estimating them would cost the server.
pub const MAX_PASSWORD: usize = 256;

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

/// The password policy: a minimum length, at most [`MAX_PASSWORD`] characters, and a zxcvbn
/// strength estimate of at least `password_min_score`, the user's id and name counted as
/// guessable. Applied to every password set (created, reset by the office, changed).
pub fn check_password(settings: &Settings, password: &str, user_inputs: &[&str]) -> Result<()> {
    let n = password.chars().count();
    if n < settings.password_min_length {
        return Err(AppError::Invalid(format!(
            "password: at least {} characters are needed (密码至少 {} 个字符)",
            settings.password_min_length, settings.password_min_length
        )));
    }
    if n > MAX_PASSWORD {
        return Err(AppError::Invalid(format!(
            "password: at most {MAX_PASSWORD} characters (密码最多 {MAX_PASSWORD} 个字符)"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(AppError::Invalid(
            "password: control characters are not allowed".into(),
        ));
    }
    // The estimate's matchers grow with the length; the first 100 characters decide.
    let head: String = password.chars().take(100).collect();
    let estimate = zxcvbn::zxcvbn(&head, user_inputs);
    let score = u8::from(estimate.score());
    if score < settings.password_min_score {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        return Err(AppError::Invalid(format!(
            "password: too easy to guess{hint}, strength {score} of 4 where {} is needed; \
             use a longer phrase of unrelated words (密码太容易被猜到，请使用更长的、由不相关词语组成的口令)",
            settings.password_min_score
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
    /// The organisation below the city the account belongs to (a district office, its
    /// departments and streets); empty or absent: the city's. A district office's accounts
    /// belong to its organisation whatever is sent.
    #[serde(default)]
    pub organisation: Option<String>,
}

/// The refusal of a role name, listing the roles an account can have.
fn unknown_role(role: &str) -> AppError {
    AppError::Invalid(format!(
        "unknown role `{role}`; expected {}",
        Role::ACCOUNTS.map(Role::as_str).join(", ")
    ))
}

impl NewUser {
    /// Checks every field and the password against the policy, and hashes the password.
    pub fn check(&self, settings: &Settings) -> Result<User> {
        let role = Role::parse(&self.role).ok_or_else(|| unknown_role(&self.role))?;
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
        check_password(settings, &self.password, &[id, &self.display_name])?;
        let unit_id = self.unit_id.clone().filter(|u| !u.is_empty());
        let evaluator_id = self.evaluator_id.clone().filter(|e| !e.is_empty());
        let organisation = match self.organisation.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => {
                crate::text::line("organisation", o, crate::text::ID)?;
                Some(o.to_string())
            }
            _ => None,
        };
        check_role_fields(role, &unit_id, &evaluator_id, organisation.as_deref())?;
        Ok(User {
            id: id.into(),
            display_name: self.display_name.trim().into(),
            password_hash: hash_password(&self.password)?,
            role,
            unit_id,
            evaluator_id,
            active: true,
            email: checked_email(self.email.clone())?,
            organisation,
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
    /// The organisation the account belongs to; null for the city's accounts.
    #[serde(default)]
    pub organisation: Option<String>,
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
            organisation: u.organisation,
        }
    }
}

/// The accounts the office manages: every account for the city's office, its own
/// organisation's for a district office.
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<UserOut>> {
    require(actor, Act::ManageAccounts(actor.organisation()))?;
    Ok(s.users()?
        .into_iter()
        .filter(|u| allows(actor, Act::ManageAccounts(u.organisation.as_deref())))
        .map(UserOut::from)
        .collect())
}

/// Creates an account (the office); an existing id is a conflict, never a replacement.
pub fn create_user(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    new: &NewUser,
) -> Result<UserOut> {
    require(actor, Act::ManageAccounts(actor.organisation()))?;
    let mut user = new.check(settings)?;
    if actor.organisation.is_some() {
        user.organisation = actor.organisation.clone();
    }
    require(actor, Act::ManageAccounts(user.organisation.as_deref()))?;
    s.create_user(&user, &actor.id)?;
    Ok(user.into())
}

/// What the office changes in an existing account; a field left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserChange {
    pub display_name: Option<String>,
    /// admin, evaluator or reporter.
    pub role: Option<String>,
    /// The unit a reporter reports for; an empty text clears it.
    pub unit_id: Option<String>,
    /// The evaluating unit an evaluator acts for; an empty text clears it.
    pub evaluator_id: Option<String>,
    /// An empty text clears it.
    pub email: Option<String>,
    /// false deactivates the account: its sessions and API tokens end at once.
    pub active: Option<bool>,
    /// A new password set by the office (a reset): the account's sessions and tokens end.
    pub password: Option<String>,
    /// The organisation the account belongs to (the city's office only); an empty text
    /// makes it the city's.
    pub organisation: Option<String>,
}

/// Changes an account (the office). Deactivating it or resetting its password ends its
/// sessions and tokens; the last active administrator cannot be demoted or deactivated.
pub fn update_user(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    change: &UserChange,
) -> Result<UserOut> {
    require(actor, Act::ManageAccounts(actor.organisation()))?;
    // Another organisation's account is not there, as far as a district office can tell.
    let mut user = s
        .user(id)?
        .filter(|u| allows(actor, Act::ManageAccounts(u.organisation.as_deref())))
        .ok_or_else(|| AppError::NotFound(format!("user `{id}`")))?;
    let cleared = |field: &str, v: &Option<String>, now: Option<String>| match v {
        None => Ok(now),
        Some(t) if t.trim().is_empty() => Ok(None),
        Some(t) => crate::text::line(field, t, crate::text::ID).map(|_| Some(t.trim().to_string())),
    };
    if let Some(name) = &change.display_name {
        crate::text::line("display_name", name, crate::text::NAME)?;
        user.display_name = name.trim().into();
    }
    if let Some(role) = &change.role {
        user.role = Role::parse(role).ok_or_else(|| unknown_role(role))?;
    }
    user.unit_id = cleared("unit_id", &change.unit_id, user.unit_id)?;
    user.evaluator_id = cleared("evaluator_id", &change.evaluator_id, user.evaluator_id)?;
    user.organisation = cleared("organisation", &change.organisation, user.organisation)?;
    require(actor, Act::ManageAccounts(user.organisation.as_deref()))?;
    if let Some(e) = &change.email {
        crate::text::line("email", e, crate::text::EMAIL)?;
        user.email = checked_email(Some(e.clone()))?;
    }
    if let Some(active) = change.active {
        user.active = active;
    }
    if let Some(p) = &change.password {
        check_password(settings, p, &[&user.id, &user.display_name])?;
        user.password_hash = hash_password(p)?;
    }
    check_role_fields(
        user.role,
        &user.unit_id,
        &user.evaluator_id,
        user.organisation.as_deref(),
    )?;
    s.update_user(&user, &actor.id)?;
    Ok(user.into())
}

fn check_role_fields(
    role: Role,
    unit_id: &Option<String>,
    evaluator_id: &Option<String>,
    organisation: Option<&str>,
) -> Result<()> {
    if organisation.is_some() && matches!(role, Role::Centre | Role::Handler | Role::Inspector) {
        return Err(AppError::Invalid(format!(
            "a {} works on the city's 12345 hotline and cannot belong to an organisation (organisation)",
            role.as_str()
        )));
    }
    if role == Role::Handler && unit_id.is_none() {
        return Err(AppError::Invalid(
            "a handler needs the street or department whose cases it handles (unit_id, an area id of the hotline geography)".into(),
        ));
    }
    if role == Role::Inspector && unit_id.is_none() {
        return Err(AppError::Invalid(
            "a grid inspector needs its grid cell (unit_id, a grid id of the hotline geography)"
                .into(),
        ));
    }
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
    Ok(())
}

/// Changes the actor's own password after checking the current one; the actor's other
/// sessions and every API token end (the current session, `session`, stays).
pub fn change_password(
    s: &mut Store,
    settings: &Settings,
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
    check_password(settings, new, &[&user.id, &user.display_name])?;
    let hash = hash_password(new)?;
    Ok(s.set_password_hash(&user.id, &hash, session)?)
}

/// Creates or replaces a demonstration account (the demo's and tests' fixed passwords pass
/// only the length check); never reached from the web or the API.
pub fn seed_user(s: &mut Store, actor: &Actor, new: &NewUser) -> Result<UserOut> {
    require(actor, Act::Administer)?;
    let demo = Settings {
        password_min_length: 8,
        password_min_score: 0,
        ..Settings::default()
    };
    let user = new.check(&demo)?;
    s.upsert_user(&user, &actor.id)?;
    Ok(user.into())
}

/// API tokens: the actor's own, or (`everyone`, the office only) those of every account the
/// office manages.
pub fn tokens(s: &mut Store, actor: &Actor, everyone: bool) -> Result<Vec<ApiToken>> {
    if everyone {
        require(actor, Act::ManageAccounts(actor.organisation()))?;
        let managed: std::collections::HashSet<String> =
            list(s, actor)?.into_iter().map(|u| u.id).collect();
        return Ok(s
            .api_tokens(None)?
            .into_iter()
            .filter(|t| managed.contains(&t.user_id))
            .collect());
    }
    require(actor, Act::OwnAccount)?;
    Ok(s.api_tokens(Some(&actor.id))?)
}

/// Revokes an API token: one's own, or (the office) anyone's.
pub fn revoke_token(s: &mut Store, actor: &Actor, id: &str, everyone: bool) -> Result<()> {
    let owner = if everyone {
        require(actor, Act::ManageAccounts(actor.organisation()))?;
        if actor.organisation().is_some() {
            // A district office revokes only its own accounts' tokens.
            let owner = tokens(s, actor, true)?
                .into_iter()
                .find(|t| t.id == id)
                .map(|t| t.user_id)
                .ok_or_else(|| AppError::NotFound(format!("API token `{id}`")))?;
            return Ok(s.revoke_api_token(id, Some(&owner), &actor.id)?);
        }
        None
    } else {
        require(actor, Act::OwnAccount)?;
        Some(actor.id.as_str())
    };
    Ok(s.revoke_api_token(id, owner, &actor.id)?)
}

/// A new session: its token (for the cookie) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub user: User,
}

/// A login attempt let through throttling and counted (as a failure until it succeeds).
#[derive(Debug, Clone)]
pub struct Attempt {
    user_id: String,
    client: String,
    at: String,
}

fn account_key(user_id: &str) -> String {
    format!("account|{}", user_id.trim().to_lowercase())
}

fn client_key(client: &str) -> String {
    format!("client|{client}")
}

/// Step one of a login, on the writer: throttling. A client address with
/// `login_client_max_failures` failures in the window is refused until the window has passed
/// (it is guessing); an account with `login_max_failures` failures is slowed down, not locked:
/// each further attempt waits twice as long after the previous one (1 s, 2 s, 4 s … at most
/// `login_max_delay_seconds`), so its owner can still log in while guessing becomes slow. The
/// attempt is counted before the password is checked, so concurrent guesses are counted too.
pub fn begin_login(
    s: &mut Store,
    settings: &Settings,
    user_id: &str,
    client: &str,
) -> Result<Attempt> {
    let now = chrono::Utc::now();
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let since = stamp(now - chrono::Duration::minutes(settings.login_window_minutes));
    let at = stamp(now);
    // Attempts older than the window count for nothing: cleaned at every attempt.
    s.prune_login_attempts(&since)?;
    let (by_client, _) = s.login_attempts(&client_key(client), &since)?;
    if by_client >= settings.login_client_max_failures {
        return Err(AppError::TooManyAttempts(
            settings.login_window_minutes * 60,
        ));
    }
    let (by_account, latest) = s.login_attempts(&account_key(user_id), &since)?;
    if by_account >= settings.login_max_failures {
        let over = (by_account - settings.login_max_failures).min(20) as u32;
        let wait = (1i64 << over).min(settings.login_max_delay_seconds.max(1));
        let latest = latest
            .and_then(|l| chrono::DateTime::parse_from_rfc3339(&l).ok())
            .map(|l| l.with_timezone(&chrono::Utc))
            .unwrap_or(now);
        let ready = latest + chrono::Duration::seconds(wait);
        if now < ready {
            return Err(AppError::TooManyAttempts(
                (ready - now).num_seconds().max(1),
            ));
        }
    }
    s.record_login_attempt(&client_key(client), &at)?;
    s.record_login_attempt(&account_key(user_id), &at)?;
    Ok(Attempt {
        user_id: user_id.trim().to_string(),
        client: client.to_string(),
        at,
    })
}

/// Step two, on a reader (argon2 takes a while; the writer is not held): the account, when
/// the password is right and the account active.
pub fn check_login(s: &mut Store, attempt: &Attempt, password: &str) -> Result<Option<User>> {
    let user = s.user(&attempt.user_id)?;
    // Verify even for unknown users so timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = password.len() <= 4 * MAX_PASSWORD && verify_password(password, &hash);
    Ok(user.filter(|u| ok && u.active))
}

/// Step three, on the writer: a session for the account, its failures forgotten; or the
/// attempt stays counted as a failure. The log names the account only when it exists, never
/// what was typed for an unknown one.
pub fn finish_login(
    s: &mut Store,
    settings: &Settings,
    attempt: &Attempt,
    user: Option<User>,
) -> Result<NewSession> {
    let Some(u) = user else {
        match s.user(&attempt.user_id)? {
            Some(known) => tracing::info!(user = %known.id, "failed login"),
            None => tracing::info!("failed login for an unknown account"),
        }
        return Err(AppError::Invalid("wrong user name or password".into()));
    };
    let token = random_token();
    let csrf = random_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(settings.session_hours))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    s.forget_login_attempts(&account_key(&attempt.user_id), None)?;
    s.forget_login_attempts(&client_key(&attempt.client), Some(&attempt.at))?;
    s.create_session(&token, &u.id, &csrf, &expires)?;
    tracing::info!(user = %u.id, "login");
    Ok(NewSession {
        token,
        csrf,
        user: u,
    })
}

/// A whole login on one connection (the command line, tests): [`begin_login`],
/// [`check_login`], [`finish_login`].
pub fn login(
    s: &mut Store,
    settings: &Settings,
    user_id: &str,
    password: &str,
    client: &str,
) -> Result<NewSession> {
    let attempt = begin_login(s, settings, user_id, client)?;
    let user = check_login(s, &attempt, password)?;
    finish_login(s, settings, &attempt, user)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_kept_hashed_and_stale_ones_are_cleaned() {
        let mut s = Store::open("sqlite::memory:").unwrap();
        let settings = Settings::default();
        // An attempt from long ago, and one with a password typed into the user-name field.
        s.record_login_attempt(&account_key("old"), "2001-01-01T00:00:00.000000Z")
            .unwrap();
        let typed = "my-secret-password-1";
        let err = login(&mut s, &settings, typed, "guess", "198.51.100.9").unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)));
        let (old, _) = s.login_attempts(&account_key("old"), "").unwrap();
        assert_eq!(old, 0, "older than the window: cleaned");
        let (n, _) = s.login_attempts(&account_key(typed), "").unwrap();
        assert_eq!(n, 1, "the failure counts");
        let rows = s.login_attempts(&client_key("198.51.100.9"), "").unwrap();
        assert_eq!(rows.0, 1);
    }

    #[test]
    fn the_policy_refuses_guessable_passwords_and_accepts_phrases() {
        let st = Settings::default();
        for weak in ["short", "1234567890", "password123", "wangfang2020"] {
            assert!(
                check_password(&st, weak, &["wangfang", "王芳"]).is_err(),
                "{weak}"
            );
        }
        let long = "x".repeat(MAX_PASSWORD + 1);
        assert!(check_password(&st, &long, &[]).is_err());
        assert!(check_password(&st, "pass\u{7}word-harbor-93", &[]).is_err());
        check_password(&st, "violet-harbor-tangent-93", &["wangfang"]).unwrap();
        check_password(&st, "东城区绩效办的长口令2020年", &[]).unwrap();
    }
}
