//! Account actions shared by the API, the pages and the command line.

use crate::auth::{hash_password, verify_password};
use crate::error::AppError;
use crate::policy::{Principal, Role};
use crate::state::AppState;
use jixiao_store::User;

/// Passwords must be at least this long.
pub const MIN_PASSWORD: usize = 8;

#[allow(clippy::too_many_arguments)]
pub async fn create_user(
    state: &AppState,
    actor: &str,
    id: &str,
    display_name: &str,
    password: &str,
    role: &str,
    unit_id: Option<String>,
    evaluator_id: Option<String>,
    email: Option<String>,
) -> Result<User, AppError> {
    let mut user = new_user(id, display_name, password, role, unit_id, evaluator_id)?;
    set_email(&mut user, email)?;
    let (u, a) = (user.clone(), actor.to_string());
    state.db(move |s| Ok(s.upsert_user(&u, &a)?)).await?;
    Ok(user)
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!(
            "passwords need at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// Sets where reminders go; empty means none.
pub fn set_email(user: &mut User, email: Option<String>) -> Result<(), AppError> {
    user.email = email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    match &user.email {
        Some(e) if !e.contains('@') || e.contains(char::is_whitespace) => {
            Err(AppError::Invalid(format!("`{e}` is not an e-mail address")))
        }
        _ => Ok(()),
    }
}

/// Validates and hashes a new account.
pub fn new_user(
    id: &str,
    display_name: &str,
    password: &str,
    role: &str,
    unit_id: Option<String>,
    evaluator_id: Option<String>,
) -> Result<User, AppError> {
    let r = Role::parse(role).ok_or_else(|| {
        AppError::Invalid(format!(
            "unknown role `{role}`; expected admin, evaluator or reporter"
        ))
    })?;
    if id.trim().is_empty() || id.contains(char::is_whitespace) {
        return Err(AppError::Invalid(
            "a user id must be non-empty and without spaces".into(),
        ));
    }
    check_password(password)?;
    let unit_id = unit_id.filter(|u| !u.is_empty());
    let evaluator_id = evaluator_id.filter(|e| !e.is_empty());
    if r == Role::Reporter && unit_id.is_none() {
        return Err(AppError::Invalid(
            "a reporter needs the unit it reports for (unit_id)".into(),
        ));
    }
    if r == Role::Evaluator && evaluator_id.is_none() {
        return Err(AppError::Invalid(
            "an evaluator needs the evaluating unit it acts for (evaluator_id)".into(),
        ));
    }
    Ok(User {
        id: id.into(),
        display_name: display_name.into(),
        password_hash: hash_password(password)?,
        role: r.as_str().into(),
        unit_id,
        evaluator_id,
        active: true,
        email: None,
    })
}

pub async fn change_password(
    state: &AppState,
    p: &Principal,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let user = p.user.clone().ok_or(AppError::Unauthenticated)?;
    if !verify_password(current, &user.password_hash) {
        return Err(AppError::Invalid("the current password is wrong".into()));
    }
    check_password(new)?;
    let hash = hash_password(new)?;
    let session = p.session.clone();
    state
        .db(move |s| {
            s.set_password_hash(&user.id, &hash)?;
            Ok(s.delete_sessions_of(&user.id, session.as_deref())?)
        })
        .await
}
