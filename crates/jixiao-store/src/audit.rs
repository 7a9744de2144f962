//! The append-only audit log: every change with who, when, before and after, each entry
//! chained to the previous one by SHA-256 so that an edit made directly in the database shows.

use crate::conn::Val;
use crate::{Result, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Result of checking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub entries: usize,
    /// The first entry that does not match its hash or its predecessor, with the reason.
    pub first_broken: Option<(i64, String)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 over the entry's fields, each length-prefixed so no two entries share an input.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let fields = [
        e.seq.to_string(),
        e.at.clone(),
        e.actor.clone(),
        e.action.clone(),
        e.entity.clone(),
        e.before.clone().unwrap_or_else(|| "\u{0}".into()),
        e.after.clone().unwrap_or_else(|| "\u{0}".into()),
        e.prev_hash.clone(),
    ];
    for f in &fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// 16 hex digits of SHA-256: a stable id derived from content.
pub fn short_hash(s: &str) -> String {
    sha256_hex(s.as_bytes())[..16].to_string()
}

impl Store {
    /// Appends an entry; must run inside a write transaction.
    pub(crate) fn audit_append(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        entity: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<()> {
        let last = self.conn.query(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev_hash) = match last.first() {
            Some(r) => (
                r[0].as_int().unwrap_or(0) + 1,
                r[1].as_text().unwrap_or(GENESIS).to_string(),
            ),
            None => (1, GENESIS.to_string()),
        };
        let mut e = AuditEntry {
            seq,
            at: at.into(),
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            before,
            after,
            prev_hash,
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        self.conn.exec(
            "INSERT INTO audit_log (seq, at, actor, action, entity, before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[Val::Int(Some(e.seq)), Val::text(e.at), Val::text(e.actor), Val::text(e.action), Val::text(e.entity), Val::Text(e.before), Val::Text(e.after), Val::text(e.prev_hash), Val::text(e.hash)],
        )?;
        Ok(())
    }

    /// Audit entries in order, optionally only those whose entity starts with `prefix`.
    pub fn audit_entries(&mut self, prefix: Option<&str>) -> Result<Vec<AuditEntry>> {
        let rows = self.conn.query("SELECT seq, at, actor, action, entity, before, after, prev_hash, hash FROM audit_log ORDER BY seq", &[])?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let s = |i: usize| r[i].as_text().unwrap_or_default().to_string();
                AuditEntry {
                    seq: r[0].as_int().unwrap_or(0),
                    at: s(1),
                    actor: s(2),
                    action: s(3),
                    entity: s(4),
                    before: r[5].as_text().map(str::to_string),
                    after: r[6].as_text().map(str::to_string),
                    prev_hash: s(7),
                    hash: s(8),
                }
            })
            .filter(|e| prefix.is_none_or(|p| e.entity.starts_with(p)))
            .collect())
    }

    /// Recomputes the chain and reports the first entry that was changed, removed or inserted.
    pub fn verify_audit(&mut self) -> Result<AuditReport> {
        let entries = self.audit_entries(None)?;
        let mut prev = GENESIS.to_string();
        for (expected_seq, e) in (1..).zip(entries.iter()) {
            let broken = if e.seq != expected_seq {
                Some(format!(
                    "sequence jumps from {} to {}: an entry was removed or inserted",
                    expected_seq - 1,
                    e.seq
                ))
            } else if e.prev_hash != prev {
                Some("does not point at the entry before it".to_string())
            } else if entry_hash(e) != e.hash {
                Some("its content does not match its hash: it was edited".to_string())
            } else {
                None
            };
            if let Some(reason) = broken {
                return Ok(AuditReport {
                    entries: entries.len(),
                    first_broken: Some((e.seq, reason)),
                });
            }
            prev = e.hash.clone();
        }
        Ok(AuditReport {
            entries: entries.len(),
            first_broken: None,
        })
    }

    /// Runs raw SQL; for tests that tamper with the database as an intruder would.
    #[doc(hidden)]
    pub fn execute_raw(&mut self, sql: &str) -> Result<()> {
        self.conn.script(sql)
    }
}

impl Store {
    /// Records an event that changes no row (a period locking at its deadline, a reminder sent).
    pub fn record_event(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        detail: Option<String>,
    ) -> Result<()> {
        self.tx(|s| s.audit_append(&crate::now(), actor, action, entity, None, detail))
    }
}
