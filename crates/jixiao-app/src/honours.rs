//! The honours and external assessments register (荣誉和外部考核登记): the office keeps it
//! (a file, or one entry at a time, approved at once); a unit's reporter proposes its own
//! entries with an evidence file and the office decides. Report checking compares the ranks,
//! streaks and honours a report claims with the approved entries ([`facts`]).

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use jixiao_core::records::Honour;
use jixiao_store::evidence::NewFile;
use jixiao_store::honours::HonourEntry;
use jixiao_store::{ImportOutcome, Store};
use serde::Serialize;
use utoipa::ToSchema;

/// A register entry as pages and the API show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HonourOut {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    /// 全国双拥模范城, 接诉即办年度综合考核 …
    pub name: String,
    /// Who awarded or ran it.
    pub issuer: String,
    /// 2020年, 2020年三季度 …
    pub period: String,
    /// The place, for an assessment that ranks.
    pub rank: Option<u32>,
    /// Among whom: 全市, 城六区 …
    pub scope: Option<String>,
    /// Times running (八连冠: 8).
    pub streak: Option<u32>,
    pub note: String,
    /// approved, pending or refused.
    pub status: String,
    pub proposed_by: String,
    pub decided_by: Option<String>,
    /// The evidence file's name, when one was filed (download at
    /// `/honours/{id}/evidence`).
    pub evidence_name: Option<String>,
}

/// The register of the cycle as `actor` may see it: the office and evaluators every entry (or
/// `unit`'s), a unit's reporter its own unit's.
pub fn list(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: Option<&str>,
) -> Result<(jixiao_core::Framework, Vec<HonourOut>)> {
    let only = if allows(actor, Act::ViewCycle) {
        unit.map(str::to_string)
    } else {
        let own = actor.unit().unwrap_or_default().to_string();
        require(actor, Act::ViewUnit(&own))?;
        if unit.is_some_and(|u| u != own) {
            return Err(AppError::Forbidden);
        }
        Some(own)
    };
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let out = s
        .honours(&fw.cycle.id)?
        .into_iter()
        .filter(|e| only.as_ref().is_none_or(|u| *u == e.honour.unit))
        .map(|e| out(&fw, e))
        .collect();
    Ok((fw, out))
}

fn out(fw: &jixiao_core::Framework, e: HonourEntry) -> HonourOut {
    let h = e.honour;
    HonourOut {
        id: e.id,
        unit_name: fw
            .units
            .iter()
            .find(|u| u.id == h.unit)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| h.unit.clone()),
        unit_id: h.unit,
        name: h.name,
        issuer: h.issuer,
        period: h.period,
        rank: h.rank,
        scope: h.scope,
        streak: h.streak,
        note: h.note,
        status: e.status,
        proposed_by: e.proposed_by,
        decided_by: e.decided_by,
        evidence_name: e.evidence_name,
    }
}

/// The office imports a register file (CSV or xlsx; columns in
/// `jixiao_taskbook::values::HONOUR_COLUMNS`): every row checked first, then all written in one
/// transaction; the same file twice changes nothing.
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let rows = jixiao_taskbook::values::parse_honours(&fw, bytes, file_name)
        .map_err(AppError::diagnosed)?;
    Ok(s.import_honours(&fw.cycle.id, &rows, &actor.id)?)
}

/// A new entry checked like a row of the file: the office's is approved at once; a unit's
/// reporter proposes one for its own unit (pending until the office decides).
/// `evidence`: (file name, content), checked like value evidence.
pub fn add(
    s: &mut Store,
    settings: &crate::Settings,
    actor: &Actor,
    cycle: Option<&str>,
    h: &Honour,
    evidence: Option<(&str, &[u8])>,
) -> Result<String> {
    let office = allows(actor, Act::Administer);
    if !office {
        require(actor, Act::ApplyBonus(&h.unit))?;
    }
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let h = checked(&fw, h)?;
    let file = match evidence {
        Some((name, content)) => Some(NewFile {
            name,
            content_type: crate::values::evidence::checked_file(settings, name, content)?,
            content,
        }),
        None => None,
    };
    Ok(s.add_honour(&fw.cycle.id, &h, office, file, &actor.id)?)
}

/// The entry checked as a row of the register file is: the same checks, the same messages.
fn checked(fw: &jixiao_core::Framework, h: &Honour) -> Result<Honour> {
    let num = |x: Option<u32>| x.map(|x| x.to_string()).unwrap_or_default();
    let fields = [
        h.unit.clone(),
        h.name.clone(),
        h.issuer.clone(),
        h.period.clone(),
        num(h.rank),
        h.scope.clone().unwrap_or_default(),
        num(h.streak),
        h.note.clone(),
    ];
    jixiao_taskbook::values::check_honour(fw, &fields).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|(i, message)| {
                    format!(
                        "{}: {message}",
                        jixiao_taskbook::values::HONOUR_COLUMNS[i].0
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// The office approves or refuses a unit's proposed entry.
pub fn decide(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
    approve: bool,
) -> Result<()> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
    Ok(s.decide_honour(&cycle, id, approve, &actor.id)?)
}

/// An entry's evidence file (name, content type, content), for those who may see its unit;
/// forbidden when there is none.
pub fn evidence(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
) -> Result<(String, String, Vec<u8>)> {
    // Unknown and forbidden look the same to a guesser.
    let cycle = crate::lookup::cycle_id(s, actor, cycle).map_err(|_| AppError::Forbidden)?;
    let (unit, name, kind, bytes) = s
        .honour_evidence(&cycle, id)
        .map_err(|_| AppError::Forbidden)?;
    require(actor, Act::ViewUnit(&unit))?;
    Ok((name, kind, bytes))
}

/// What report checking compares claims with: each approved entry's rank in its scope, and
/// its streak.
pub fn facts(entries: &[HonourEntry], unit: &str) -> Vec<jixiao_claims::reconcile::Fact> {
    use jixiao_claims::reconcile::{Fact, FactKind};
    let mut out = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.status == "approved" && e.honour.unit == unit)
    {
        let h = &e.honour;
        let fact = |value: u32, measure: &str, kind: FactKind| Fact {
            task_id: None,
            name: h.name.clone(),
            measure: measure.into(),
            value: value.into(),
            kind,
        };
        if let (Some(rank), Some(scope)) = (h.rank, &h.scope) {
            out.push(fact(
                rank,
                "名",
                FactKind::Rank {
                    scope: scope.clone(),
                },
            ));
        }
        if let Some(n) = h.streak {
            out.push(fact(n, "次", FactKind::Streak));
        }
    }
    out
}
