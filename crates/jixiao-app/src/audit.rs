//! The audit log as the office reads it, and its verification.

use crate::actor::Actor;
use crate::error::Result;
use crate::policy::{require, Act};
use jixiao_store::{AuditEntry, AuditReport, Store};

/// Which entries to list; empty strings mean no filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entities starting with this, e.g. cycle/2020/value/A06-1.
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

/// Entries matching the filter, oldest first (the office).
pub fn entries(s: &mut Store, actor: &Actor, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    require(actor, Act::Administer)?;
    let some = |x: &Option<String>| x.clone().filter(|v| !v.is_empty());
    let (who, what) = (some(&f.actor), some(&f.action));
    Ok(s.audit_entries(some(&f.entity).as_deref())?
        .into_iter()
        .filter(|e| {
            who.as_ref().is_none_or(|a| &e.actor == a)
                && what.as_ref().is_none_or(|a| &e.action == a)
        })
        .collect())
}

/// Recomputes the hash chain (the office).
pub fn verify(s: &mut Store, actor: &Actor) -> Result<AuditReport> {
    require(actor, Act::Administer)?;
    Ok(s.verify_audit()?)
}
