//! Bonus and deduction ledgers (创新创优加分, 问责扣分): evaluators and the office propose
//! entries, the office approves or rejects them; the office imports a file of entries.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_core::records::LedgerRow;
use jixiao_store::{ImportOutcome, Store};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerOut {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    /// bonus or deduction.
    pub kind: String,
    pub points: f64,
    pub reason: String,
    /// pending, approved or rejected.
    pub status: String,
    pub proposed_by: String,
    pub approver: String,
}

/// Every entry of the cycle with its status (office and evaluators).
pub fn list(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(jixiao_core::Framework, Vec<LedgerOut>)> {
    require(actor, Act::ProposeLedger)?;
    let fw = crate::lookup::framework(s, cycle)?;
    let entries = s.ledger_entries(&fw.cycle.id)?;
    let out = entries
        .into_iter()
        .map(|(id, r, status, proposed_by)| LedgerOut {
            id,
            unit_name: fw
                .units
                .iter()
                .find(|u| u.id == r.unit)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            unit_id: r.unit,
            kind: r.kind.as_str().into(),
            points: r.points,
            reason: r.reason,
            status,
            proposed_by,
            approver: r.approver,
        })
        .collect();
    Ok((fw, out))
}

#[derive(Debug, Clone)]
pub struct Proposal {
    /// None for the newest cycle.
    pub cycle: Option<String>,
    pub unit: String,
    /// bonus or deduction, as sent.
    pub kind: String,
    /// Points as sent.
    pub points: String,
    pub reason: String,
}

/// Proposes an entry; it counts once the office approves it. Returns its id.
pub fn propose(s: &mut Store, settings: &Settings, actor: &Actor, p: &Proposal) -> Result<String> {
    require(actor, Act::ProposeLedger)?;
    crate::text::paragraphs("reason", &p.reason, crate::text::NOTE)?;
    crate::text::line("points", &p.points, crate::text::VALUE)?;
    let fw = crate::lookup::framework(s, p.cycle.as_deref())?;
    let u = lookup::unit(&fw, &p.unit)?;
    let kind = jixiao_core::inputs::LedgerKind::parse(&p.kind).ok_or_else(|| {
        AppError::Invalid(format!(
            "unknown kind `{}`; expected bonus or deduction",
            p.kind
        ))
    })?;
    let points = jixiao_taskbook::sheet::parse_number(&p.points)
        .filter(|x| *x > 0.0)
        .ok_or_else(|| {
            AppError::Invalid(format!("`{}` is not a positive number of points", p.points))
        })?;
    if p.reason.trim().is_empty() {
        return Err(AppError::Invalid("every entry needs a reason".into()));
    }
    if let Some(problem) = fw.ledger_entry_problem(kind, points) {
        return Err(AppError::Invalid(format!("points: {problem}")));
    }
    let row = LedgerRow {
        unit: fw.units[u].id.clone(),
        kind,
        points,
        reason: p.reason.trim().into(),
        approver: String::new(),
        date: Some(settings.today()),
    };
    Ok(s.propose_ledger(&fw.cycle.id, &row, &actor.id)?)
}

/// The office approves or rejects a pending entry.
pub fn decide(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
    approve: bool,
) -> Result<()> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, cycle)?;
    Ok(s.decide_ledger(&cycle, id, approve, &actor.id)?)
}

/// Imports checked ledger rows as the office (`jixiao import ledger`).
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    rows: &[LedgerRow],
) -> Result<ImportOutcome> {
    require(actor, Act::Administer)?;
    Ok(s.import_ledger(cycle, rows, &actor.id)?)
}
