//! The audit log as the office reads it, and its verification.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use jixiao_store::Store;
pub use jixiao_store::{AuditEntry, AuditReport};

/// Which entries to list; empty strings mean no filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entities starting with this, e.g. cycle/2020/value/A06-1.
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Only entries after this sequence number (to page on, pass the last one seen).
    pub after: Option<i64>,
    /// Only entries before this sequence number (a log page, newest first: pass the last one
    /// seen to see older ones).
    pub before: Option<i64>,
    /// At most this many entries (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]).
    pub limit: Option<usize>,
    /// The newest entries first (a log page) instead of the oldest (an export, paging on).
    pub newest_first: bool,
}

/// Entries a list answers unless asked for fewer or more.
pub const DEFAULT_LIMIT: usize = 1_000;
/// The most entries one list answers.
pub const MAX_LIMIT: usize = 10_000;

/// Entries matching the filter, oldest first (the office).
pub fn entries(s: &mut Store, actor: &Actor, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    require(actor, Act::AdministerSystem)?;
    let limit = f.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::Invalid(format!(
            "limit {limit} is out of range: from 1 to {MAX_LIMIT}"
        )));
    }
    Ok(s.audit_page(
        f.entity.as_deref(),
        f.actor.as_deref(),
        f.action.as_deref(),
        f.after,
        f.before,
        f.newest_first,
        limit,
    )?)
}

/// Recomputes the hash chain (the office).
pub fn verify(s: &mut Store, actor: &Actor) -> Result<AuditReport> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.verify_audit()?)
}

/// The head of the audit log: the last entry's sequence and hash (the office).
pub fn head(s: &mut Store, actor: &Actor) -> Result<(i64, String)> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.audit_head()?)
}

/// Whether the log still holds a head anchored earlier: `None` if so, else what is wrong.
pub fn check_head(s: &mut Store, actor: &Actor, seq: i64, hash: &str) -> Result<Option<String>> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.check_audit_head(seq, hash)?)
}
