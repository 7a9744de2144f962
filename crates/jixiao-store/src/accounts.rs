//! Users, sessions, API tokens, login throttling and once-only job claims. Secrets are stored
//! only as hashes: passwords as argon2id strings made by the caller, session and API tokens as
//! SHA-256.

use crate::conn::{Row, Val};
use crate::{now, Result, Store, StoreError};
use jixiao_core::Role;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub evaluator_id: Option<String>,
    pub active: bool,
    /// Where reminders go; optional.
    pub email: Option<String>,
    /// The organisation below the city the account belongs to (a district office and its
    /// streets); `None` for the city's accounts. It works only in that organisation's cycles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

pub fn token_hash(token: &str) -> String {
    crate::audit::sha256_hex(token.as_bytes())
}

const USER_COLUMNS: &str =
    "id, display_name, password_hash, role, unit_id, evaluator_id, active, email, organisation";

fn user_from(r: &Row) -> Result<User> {
    Ok(User {
        id: r.text("id")?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        role: {
            let role = r.text("role")?;
            Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?
        },
        unit_id: r.opt_text("unit_id")?,
        evaluator_id: r.opt_text("evaluator_id")?,
        active: r.flag("active")?,
        email: r.opt_text("email")?,
        organisation: r.opt_text("organisation")?,
    })
}

/// An API token as its holder and the office see it: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    /// The first 12 hex digits of the token's hash: enough to name it, nothing to use.
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: String,
}

/// How a throttling key is stored: hashed, so neither typed user names nor addresses are kept.
fn attempt_key(key: &str) -> String {
    crate::audit::sha256_hex(key.as_bytes())[..32].to_string()
}

/// Whether at least one active administrator remains; checked inside the transaction that
/// could remove the last one, so no sequence of writes can lock the office out.
fn an_admin_remains(s: &mut Store) -> Result<()> {
    let rows = s.conn.query(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1 AND organisation IS NULL",
        &[],
    )?;
    if rows.first().and_then(|r| r[0].as_int()).unwrap_or(0) == 0 {
        return Err(StoreError::Invalid(
            "the city's last active administrator cannot be removed, demoted, deactivated or moved to an organisation".into(),
        ));
    }
    Ok(())
}

impl Store {
    /// Creates a user; an account with that id exists already is a conflict.
    pub fn create_user(&mut self, u: &User, actor: &str) -> Result<()> {
        self.tx(|s| {
            if s.user(&u.id)?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "an account `{}` exists already; change it instead",
                    u.id
                )));
            }
            s.write_user(u, actor, None)
        })
    }

    /// Changes a user (every field as given; the password hash too). Deactivating an account,
    /// or setting its password for it, ends its sessions and API tokens at once.
    pub fn update_user(&mut self, u: &User, actor: &str) -> Result<()> {
        self.tx(|s| {
            let before = s
                .user(&u.id)?
                .ok_or_else(|| StoreError::NotFound(format!("user `{}`", u.id)))?;
            s.write_user(u, actor, Some(&before))?;
            if !u.active || u.password_hash != before.password_hash {
                s.end_credentials(&u.id, None)?;
            }
            an_admin_remains(s)
        })
    }

    /// Creates or replaces a user (the demo's accounts, tests).
    pub fn upsert_user(&mut self, u: &User, actor: &str) -> Result<()> {
        self.tx(|s| {
            let before = s.user(&u.id)?;
            s.write_user(u, actor, before.as_ref())?;
            an_admin_remains(s).or_else(|e| {
                // A first account that is not an administrator leaves none: allowed.
                if s.users()?.iter().any(|x| x.role == Role::Admin) {
                    Err(e)
                } else {
                    Ok(())
                }
            })
        })
    }

    fn write_user(&mut self, u: &User, actor: &str, before: Option<&User>) -> Result<()> {
        let s = self;
        {
            s.conn.exec(
                "INSERT INTO users (id, display_name, password_hash, role, unit_id, evaluator_id, active, created_at, email, organisation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, password_hash = excluded.password_hash, role = excluded.role, \
                 unit_id = excluded.unit_id, evaluator_id = excluded.evaluator_id, active = excluded.active, email = excluded.email, organisation = excluded.organisation",
                &[
                    Val::text(&u.id),
                    Val::text(&u.display_name),
                    Val::text(&u.password_hash),
                    Val::text(u.role.as_str()),
                    Val::Text(u.unit_id.clone()),
                    Val::Text(u.evaluator_id.clone()),
                    Val::Int(Some(u.active as i64)),
                    Val::text(now()),
                    Val::Text(u.email.clone()),
                    Val::Text(u.organisation.clone()),
                ],
            )?;
            // The audit log records the account, never the password hash.
            let view = |u: &User| serde_json::to_string(u).expect("plain data");
            s.audit_append(
                &now(),
                actor,
                if before.is_some() {
                    "user.update"
                } else {
                    "user.create"
                },
                &format!("user/{}", u.id),
                before.map(view),
                Some(view(u)),
            )
        }
    }

    /// Ends every session (but `keep`) and every API token of `user`.
    fn end_credentials(&mut self, user: &str, keep: Option<&str>) -> Result<()> {
        self.delete_sessions_of(user, keep)?;
        self.conn.exec(
            "DELETE FROM api_tokens WHERE user_id = $1",
            &[Val::text(user)],
        )?;
        Ok(())
    }

    /// API tokens: of one user, or (None) of everyone.
    pub fn api_tokens(&mut self, user: Option<&str>) -> Result<Vec<ApiToken>> {
        let rows = self.conn.query(
            "SELECT token_hash, user_id, name, created_at FROM api_tokens WHERE ($1 = '' OR user_id = $1) ORDER BY user_id, created_at",
            &[Val::text(user.unwrap_or(""))],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.text("token_hash")?.chars().take(12).collect(),
                    user_id: r.text("user_id")?,
                    name: r.text("name")?,
                    created_at: r.text("created_at")?,
                })
            })
            .collect()
    }

    /// Revokes an API token by its id (of `user` only, when given); audited.
    pub fn revoke_api_token(&mut self, id: &str, user: Option<&str>, actor: &str) -> Result<()> {
        let found = self
            .api_tokens(user)?
            .into_iter()
            .find(|t| t.id == id && id.len() == 12)
            .ok_or_else(|| StoreError::NotFound(format!("API token `{id}`")))?;
        self.tx(|s| {
            s.conn.exec(
                "DELETE FROM api_tokens WHERE user_id = $1 AND token_hash LIKE $2",
                &[
                    Val::text(&found.user_id),
                    Val::text(format!("{}%", found.id)),
                ],
            )?;
            s.audit_append(
                &now(),
                actor,
                "api_token.revoke",
                &format!("user/{}/api_token/{}", found.user_id, found.name),
                None,
                None,
            )
        })
    }

    pub fn user(&mut self, id: &str) -> Result<Option<User>> {
        let rows = self.conn.query(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            &[Val::text(id)],
        )?;
        rows.first().map(user_from).transpose()
    }

    pub fn users(&mut self) -> Result<Vec<User>> {
        let rows = self.conn.query(
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY role, id"),
            &[],
        )?;
        rows.iter().map(user_from).collect()
    }

    /// Sets a user's own new password: every other session of the user and every API token end
    /// with it (`keep` is the session the change was made in).
    pub fn set_password_hash(&mut self, user: &str, hash: &str, keep: Option<&str>) -> Result<()> {
        self.tx(|s| {
            s.end_credentials(user, keep)?;
            if s.conn.exec(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                &[Val::text(user), Val::text(hash)],
            )? == 0
            {
                return Err(StoreError::NotFound(format!("user `{user}`")));
            }
            s.audit_append(
                &now(),
                user,
                "user.password",
                &format!("user/{user}"),
                None,
                None,
            )
        })
    }

    pub fn create_session(
        &mut self,
        token: &str,
        user: &str,
        csrf: &str,
        expires_at: &str,
    ) -> Result<()> {
        self.conn.exec(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[Val::text(token_hash(token)), Val::text(user), Val::text(csrf), Val::text(now()), Val::text(expires_at)],
        )?;
        Ok(())
    }

    /// The user and CSRF token of a live session.
    pub fn session(&mut self, token: &str) -> Result<Option<(User, String)>> {
        let sql = format!(
            "SELECT {}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let rows = self
            .conn
            .query(&sql, &[Val::text(token_hash(token)), Val::text(now())])?;
        rows.first()
            .map(|r| Ok((user_from(r)?, r.text("csrf")?)))
            .transpose()
    }

    pub fn delete_session(&mut self, token: &str) -> Result<()> {
        self.conn.exec(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[Val::text(token_hash(token))],
        )?;
        Ok(())
    }

    pub fn delete_sessions_of(&mut self, user: &str, except_token: Option<&str>) -> Result<()> {
        let keep = except_token.map(token_hash).unwrap_or_default();
        self.conn.exec(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
            &[Val::text(user), Val::text(keep)],
        )?;
        Ok(())
    }

    pub fn create_api_token(&mut self, token: &str, user: &str, name: &str) -> Result<()> {
        self.tx(|s| {
            s.conn.exec("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)", &[Val::text(token_hash(token)), Val::text(user), Val::text(name), Val::text(now())])?;
            s.audit_append(&now(), user, "api_token.create", &format!("user/{user}/api_token/{name}"), None, None)
        })
    }

    pub fn api_token_user(&mut self, token: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND u.active = 1", USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", "));
        let rows = self.conn.query(&sql, &[Val::text(token_hash(token))])?;
        rows.first().map(user_from).transpose()
    }

    /// The login attempts of `key` (an account or a client address) since `since`: how many,
    /// and the latest. Keys are stored hashed, so a password typed into the user-name field is
    /// not kept. (Counting and recording happen in one writer job, so concurrent attempts are
    /// counted one after another.)
    pub fn login_attempts(&mut self, key: &str, since: &str) -> Result<(usize, Option<String>)> {
        let rows = self.conn.query(
            "SELECT COUNT(*) AS n, MAX(at) AS latest FROM login_attempts WHERE attempt_key = $1 AND at > $2",
            &[Val::text(attempt_key(key)), Val::text(since)],
        )?;
        let n = rows.first().and_then(|r| r[0].as_int()).unwrap_or(0) as usize;
        let latest = rows
            .first()
            .and_then(|r| r[1].as_text().map(str::to_string));
        Ok((n, latest))
    }

    /// Records a login attempt of `key` at `at` (counted as a failure until it is forgotten).
    pub fn record_login_attempt(&mut self, key: &str, at: &str) -> Result<()> {
        self.conn.exec(
            "INSERT INTO login_attempts (attempt_key, at) VALUES ($1, $2)",
            &[Val::text(attempt_key(key)), Val::text(at)],
        )?;
        Ok(())
    }

    /// Forgets the attempts of `key`: all of them, or (`at`) the one recorded then.
    pub fn forget_login_attempts(&mut self, key: &str, at: Option<&str>) -> Result<()> {
        let hashed = attempt_key(key);
        match at {
            Some(at) => self.conn.exec(
                "DELETE FROM login_attempts WHERE attempt_key = $1 AND at = $2",
                &[Val::text(&hashed), Val::text(at)],
            )?,
            None => self.conn.exec(
                "DELETE FROM login_attempts WHERE attempt_key = $1",
                &[Val::text(&hashed)],
            )?,
        };
        Ok(())
    }

    /// Deletes login attempts older than `before`; returns how many.
    pub fn prune_login_attempts(&mut self, before: &str) -> Result<usize> {
        let n = self.conn.exec(
            "DELETE FROM login_attempts WHERE at < $1",
            &[Val::text(before)],
        )?;
        Ok(n as usize)
    }

    /// Claims a job's slot for this instance: true for exactly one instance per (job, slot),
    /// however many share the database.
    pub fn claim_job(&mut self, job: &str, slot: &str, instance: &str) -> Result<bool> {
        let n = self.conn.exec(
            "INSERT INTO job_runs (job, slot, instance, at) VALUES ($1, $2, $3, $4) ON CONFLICT (job, slot) DO NOTHING",
            &[Val::text(job), Val::text(slot), Val::text(instance), Val::text(now())],
        )?;
        Ok(n == 1)
    }

    /// Answers when the database does.
    pub fn ping(&mut self) -> Result<()> {
        self.conn.query("SELECT 1", &[]).map(|_| ())
    }
}
