//! Bonus and deduction ledgers (创新创优加分, 问责扣分): evaluators and the office propose
//! entries, a unit applies for bonus points with evidence (创新创优申报), the office approves or
//! rejects them; the office imports a file of entries.

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
    /// Account ids (or, for imported entries, the approver as written).
    pub proposed_by: String,
    pub approver: String,
    /// The same as names, for people.
    pub proposed_by_name: String,
    pub approver_name: String,
    /// Files filed with the entry (a unit's application).
    pub files: Vec<LedgerFile>,
}

/// A file of a ledger entry, without its content (download at `/ledger/files/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerFile {
    pub id: String,
    pub file_name: String,
    pub size: i64,
}

/// The entries of the cycle with their status and files: all of them for the office and
/// evaluators, a unit's own for its reporters (its applications and what concerns it).
pub fn list(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(jixiao_core::Framework, Vec<LedgerOut>)> {
    let only_unit = if crate::policy::allows(actor, Act::ProposeLedger) {
        None
    } else {
        let unit = actor.unit().unwrap_or_default().to_string();
        require(actor, Act::ApplyBonus(&unit))?;
        Some(unit)
    };
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let entries = s.ledger_entries(&fw.cycle.id)?;
    let mut files = s.ledger_files(&fw.cycle.id)?;
    let names = crate::lookup::user_names(s)?;
    let out = entries
        .into_iter()
        .filter(|(_, r, _, _)| only_unit.as_ref().is_none_or(|u| *u == r.unit))
        .map(|(id, r, status, proposed_by)| LedgerOut {
            files: files
                .iter_mut()
                .filter(|f| f.entry == id)
                .map(|f| LedgerFile {
                    id: f.id.clone(),
                    file_name: std::mem::take(&mut f.file_name),
                    size: f.size,
                })
                .collect(),
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
            proposed_by_name: names
                .get(&proposed_by)
                .cloned()
                .unwrap_or(proposed_by.clone()),
            approver_name: names
                .get(&r.approver)
                .cloned()
                .unwrap_or(r.approver.clone()),
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

/// Proposes an entry; it counts once the office approves it. Returns its id. The office and
/// evaluators propose for any unit; a unit's reporter applies for bonus points for its own
/// unit only, with an evidence file (a PDF, image or Office file, checked like value evidence).
pub fn propose(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    p: &Proposal,
    evidence: Option<(&str, &[u8])>,
) -> Result<String> {
    if !crate::policy::allows(actor, Act::ProposeLedger) {
        require(actor, Act::ApplyBonus(&p.unit))?;
        if jixiao_core::inputs::LedgerKind::parse(&p.kind)
            != Some(jixiao_core::inputs::LedgerKind::Bonus)
        {
            return Err(AppError::Rejected(jixiao_core::checks::Words {
                en: "a unit applies for bonus points (创新创优) only; deductions are the office's"
                    .into(),
                zh: "单位只能申报创新创优加分;扣分由绩效办认定".into(),
            }));
        }
    }
    let evidence = match evidence {
        Some((name, bytes)) => Some(jixiao_store::evidence::NewFile {
            name,
            content_type: crate::values::evidence::checked_file(settings, name, bytes)?,
            content: bytes,
        }),
        None => None,
    };
    crate::text::paragraphs("reason", &p.reason, crate::text::NOTE)?;
    crate::text::line("points", &p.points, crate::text::VALUE)?;
    let fw = crate::lookup::framework(s, actor, p.cycle.as_deref())?;
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
    Ok(s.propose_ledger_with(&fw.cycle.id, &row, &actor.id, evidence)?)
}

/// A file of a ledger entry, for the office, evaluators and the entry's own unit. Unknown and
/// forbidden look the same to a guesser.
pub fn file(
    s: &mut Store,
    actor: &Actor,
    id: &str,
) -> Result<(jixiao_store::evidence::LedgerFileInfo, Vec<u8>)> {
    if actor.is_public() {
        return Err(AppError::Unauthenticated);
    }
    let (info, bytes) = s.ledger_file(id).map_err(|e| match e {
        jixiao_store::StoreError::NotFound(_) => AppError::Forbidden,
        other => other.into(),
    })?;
    if !crate::policy::allows(actor, Act::ProposeLedger) {
        require(actor, Act::ApplyBonus(&info.unit))?;
    }
    Ok((info, bytes))
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
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
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
    let cycle = crate::lookup::cycle_id(s, actor, Some(cycle))?;
    Ok(s.import_ledger(&cycle, rows, &actor.id)?)
}
