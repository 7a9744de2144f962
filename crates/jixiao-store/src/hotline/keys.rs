//! Open311 API keys, stored as hashes.

use super::rows::t;
use crate::conn::Val;
use crate::{now, Result, Store, StoreError};

impl Store {
    /// Registers an Open311 API key made by the caller; only its hash is kept. Returns its id.
    pub fn hotline_add_api_key(&mut self, name: &str, key: &str, actor: &str) -> Result<String> {
        let hash = crate::audit::sha256_hex(key.as_bytes());
        let id = hash[..12].to_string();
        self.tx(|s| {
            s.conn.exec(
                "INSERT INTO hotline_api_keys (id, name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[t(&id), t(name), t(&hash), t(actor), t(&now())],
            )?;
            s.audit_append(&now(), actor, "hotline.api_key", &format!("hotline/api_key/{id}"), None, Some(name.to_string()))
        })?;
        Ok(id)
    }

    /// The name of the key's owner, if the key is valid.
    pub fn hotline_check_api_key(&mut self, key: &str) -> Result<Option<String>> {
        let hash = crate::audit::sha256_hex(key.as_bytes());
        Ok(self
            .conn
            .query(
                "SELECT name FROM hotline_api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
                &[t(&hash)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// The Open311 API keys: (id, client name, made by, made at, revoked at).
    pub fn hotline_api_keys(&mut self) -> Result<Vec<ApiKey>> {
        let rows = self.conn.query(
            "SELECT id, name, created_by, created_at, revoked_at FROM hotline_api_keys ORDER BY created_at",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ApiKey {
                    id: r.text("id")?,
                    name: r.text("name")?,
                    created_by: r.text("created_by")?,
                    created_at: r.text("created_at")?,
                    revoked_at: r.opt_text("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes an Open311 API key: its client is refused from now on; audited.
    pub fn hotline_revoke_api_key(&mut self, id: &str, actor: &str) -> Result<()> {
        self.tx(|s| {
            let at = now();
            if s.conn.exec(
                "UPDATE hotline_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[Val::text(id), Val::text(&at)],
            )? == 0
            {
                return Err(StoreError::NotFound(format!("API key `{id}` in use")));
            }
            s.audit_append(
                &at,
                actor,
                "hotline.api_key.revoke",
                &format!("hotline/api_key/{id}"),
                None,
                None,
            )
        })
    }
}

/// An Open311 API key as the office sees it (never the key).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}
