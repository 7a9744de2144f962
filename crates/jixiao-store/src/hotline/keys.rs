//! Open311 API keys, stored as hashes.

use super::rows::t;
use crate::{now, Result, Store};

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
}
