//! 督查督办: the office enters supervision items (inspection, audit, leader-instruction findings,
//! key tasks) with a unit, a deadline and the evidence needed; the unit reports progress and asks
//! for closure; the office closes the item (销号), refuses the closure, or finds it failed. The
//! three-level warnings follow the office's date; the office's rules (a cycle setting) turn
//! overdue and failed items into deductions of the ledger; pending items carry into the next
//! cycle.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use crate::settings::Settings;
use chrono::NaiveDate;
use jixiao_core::inputs::LedgerKind;
use jixiao_core::records::LedgerRow;
use jixiao_core::supervision::{
    breach, warning, Breach, ItemSource, ItemState, ItemStatus, SupervisionRules,
};
use jixiao_core::Framework;
use jixiao_store::supervision::{ProgressReport, SupervisionItem};
use jixiao_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const RULES_KEY: &str = "supervision_rules";

/// An item with what the office's date and rules make of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: String,
    pub title: String,
    /// inspection, audit, instruction or key_task.
    pub source: String,
    pub source_name: String,
    pub source_ref: String,
    pub unit_id: String,
    pub unit_name: String,
    pub deadline: String,
    pub evidence_required: String,
    /// open, closure_requested, closed or failed.
    pub status: String,
    pub closed_on: Option<String>,
    pub carried_from: Option<String>,
    /// none, yellow, orange or red (三级预警).
    pub warning: String,
    /// Days to the deadline (negative: overdue).
    pub days_left: i64,
    /// The latest progress reported, percent.
    pub progress: Option<i64>,
    /// What the rules deduct for it today.
    pub deduction: Option<f64>,
    pub reports: usize,
}

/// An item with its progress reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetail {
    pub item: ItemView,
    pub reports: Vec<ReportView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub at: String,
    /// The account that reported.
    pub by: String,
    /// Its display name (the account id when the account is gone).
    pub by_name: String,
    pub progress: i64,
    pub body: String,
}

/// A new item as the office enters it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewItem {
    /// Empty: the next number (DB001, DB002 …).
    #[serde(default)]
    pub id: String,
    pub title: String,
    /// inspection (巡视巡察), audit (审计), instruction (领导批示) or key_task (重点任务).
    pub source: String,
    /// Where it comes from: 市委第三巡视组反馈意见第5条 …
    #[serde(default)]
    pub source_ref: String,
    pub unit: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    /// The evidence closure needs.
    #[serde(default)]
    pub evidence_required: String,
}

/// The cycle's rules (the defaults until the office sets them).
pub fn rules(s: &mut Store, cycle: &str) -> Result<SupervisionRules> {
    Ok(s.cycle_setting(cycle, RULES_KEY)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Sets the cycle's rules (the office), checked first.
pub fn set_rules(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    rules: &SupervisionRules,
) -> Result<()> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let problems = rules.problems();
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("\n")));
    }
    let json = serde_json::to_string(rules)
        .map_err(|e| AppError::Internal(format!("supervision rules: {e}")))?;
    s.set_cycle_setting(&fw.cycle.id, RULES_KEY, &json, &actor.id)?;
    Ok(())
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn state_of(item: &SupervisionItem) -> Option<ItemState> {
    Some(ItemState {
        deadline: date(&item.deadline)?,
        status: ItemStatus::parse(&item.status)?,
        closed_on: item.closed_on.as_deref().and_then(date),
    })
}

fn view(
    fw: &Framework,
    item: SupervisionItem,
    reports: &[ProgressReport],
    today: NaiveDate,
    rules: &SupervisionRules,
) -> ItemView {
    let state = state_of(&item);
    let source = ItemSource::parse(&item.source);
    ItemView {
        source_name: source.map(|x| x.name_zh().to_string()).unwrap_or_default(),
        unit_name: fw
            .unit_index(&item.unit_id)
            .map(|u| fw.units[u].name.clone())
            .unwrap_or_else(|| item.unit_id.clone()),
        warning: state
            .as_ref()
            .map(|x| warning(x, today, rules))
            .unwrap_or(jixiao_core::supervision::Warning::None)
            .as_str()
            .into(),
        days_left: state
            .as_ref()
            .map(|x| (x.deadline - today).num_days())
            .unwrap_or_default(),
        deduction: state
            .as_ref()
            .and_then(|x| breach(x, today, rules))
            .map(|(_, p)| p),
        progress: reports.last().map(|r| r.progress),
        reports: reports.len(),
        id: item.id,
        title: item.title,
        source: item.source,
        source_ref: item.source_ref,
        unit_id: item.unit_id,
        deadline: item.deadline,
        evidence_required: item.evidence_required,
        status: item.status,
        closed_on: item.closed_on,
        carried_from: item.carried_from,
    }
}

/// What the supervision page shows.
pub struct SupervisionList {
    pub cycle_name: String,
    pub rules: SupervisionRules,
    /// The cycle's units (id, name), to choose from when entering an item.
    pub units: Vec<(String, String)>,
    pub items: Vec<ItemView>,
}

/// The items the actor may see: every item for the office and evaluators, a unit's own for its
/// reporters; most urgent first (red, orange, yellow, then by deadline). With the rules in force.
pub fn list(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<SupervisionList> {
    let unit = if allows(actor, Act::ViewCycle) {
        None
    } else {
        match actor.unit() {
            Some(u) if allows(actor, Act::ViewUnit(u)) => Some(u.to_string()),
            _ => return Err(crate::policy::refusal(actor)),
        }
    };
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let rules = rules(s, &fw.cycle.id)?;
    let today = settings.today();
    let mut out = Vec::new();
    for item in s.supervision_items(&fw.cycle.id, unit.as_deref())? {
        let reports = s.supervision_reports(&fw.cycle.id, &item.id)?;
        out.push(view(&fw, item, &reports, today, &rules));
    }
    let urgency = |w: &str| match w {
        "red" => 0,
        "orange" => 1,
        "yellow" => 2,
        _ => 3,
    };
    out.sort_by(|a, b| {
        (urgency(&a.warning), &a.deadline, &a.id).cmp(&(urgency(&b.warning), &b.deadline, &b.id))
    });
    Ok(SupervisionList {
        cycle_name: fw.cycle.name.clone(),
        rules,
        units: fw
            .units
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        items: out,
    })
}

fn stored(s: &mut Store, cycle: &str, id: &str) -> Result<SupervisionItem> {
    s.supervision_item(cycle, id)?
        .ok_or_else(|| AppError::NotFound(format!("supervision item `{id}`")))
}

/// One item with its reports (those who may see its unit).
pub fn item(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
) -> Result<ItemDetail> {
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let item = s.supervision_item(&fw.cycle.id, id)?;
    // Asked before answering "not found", so a guessed id tells a unit nothing.
    match &item {
        Some(i) => require(actor, Act::ViewUnit(&i.unit_id))?,
        None => require(actor, Act::ViewCycle)?,
    }
    let item = item.ok_or_else(|| AppError::NotFound(format!("supervision item `{id}`")))?;
    let rules = rules(s, &fw.cycle.id)?;
    let reports = s.supervision_reports(&fw.cycle.id, id)?;
    let mut views = Vec::with_capacity(reports.len());
    for r in &reports {
        let by_name = s
            .user(&r.by)?
            .map(|u| u.display_name)
            .unwrap_or_else(|| r.by.clone());
        views.push(ReportView {
            at: r.at.clone(),
            by: r.by.clone(),
            by_name,
            progress: r.progress,
            body: r.body.clone(),
        });
    }
    Ok(ItemDetail {
        reports: views,
        item: view(&fw, item, &reports, settings.today(), &rules),
    })
}

/// Enters an item (the office), checked whole first. Returns its id.
pub fn add(s: &mut Store, actor: &Actor, cycle: Option<&str>, new: &NewItem) -> Result<String> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let mut problems = Vec::new();
    crate::text::line("title", &new.title, crate::text::NAME)?;
    crate::text::line("source_ref", &new.source_ref, crate::text::NAME)?;
    crate::text::paragraphs(
        "evidence_required",
        &new.evidence_required,
        crate::text::NOTE,
    )?;
    if new.title.trim().is_empty() {
        problems.push("title: an item needs a title".to_string());
    }
    let id_ok = new.id.is_empty()
        || (new.id.len() <= 32
            && new
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if !id_ok {
        problems.push(format!("id: `{}` must be letters, digits, - or _", new.id));
    }
    let source = ItemSource::parse(&new.source);
    if source.is_none() {
        problems.push(format!(
            "source: `{}` is not inspection (巡视巡察), audit (审计), instruction (领导批示) or key_task (重点任务)",
            new.source
        ));
    }
    if fw.unit_index(&new.unit).is_none() {
        problems.push(format!(
            "unit: `{}` is not a unit of cycle {}",
            new.unit, fw.cycle.id
        ));
    }
    if date(new.deadline.trim()).is_none() {
        problems.push(format!(
            "deadline: `{}` is not a date such as 2020-12-31",
            new.deadline
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("\n")));
    }
    let item = SupervisionItem {
        id: new.id.clone(),
        title: new.title.trim().to_string(),
        source: source.map(|x| x.as_str()).unwrap_or_default().to_string(),
        source_ref: new.source_ref.trim().to_string(),
        unit_id: new.unit.clone(),
        deadline: new.deadline.trim().to_string(),
        evidence_required: new.evidence_required.trim().to_string(),
        status: ItemStatus::Open.as_str().into(),
        closed_on: None,
        carried_from: None,
        created_by: String::new(),
        updated_at: String::new(),
    };
    Ok(s.add_supervision_item(&fw.cycle.id, &item, &actor.id)?)
}

/// Whether the actor may report on the item (its unit's reporters, the office); answers the
/// cycle. Asked before what was sent is read, so a refused caller learns nothing from it.
pub fn may_report(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
) -> Result<Framework> {
    let fw = crate::lookup::framework(s, actor, cycle)?;
    match s.supervision_item(&fw.cycle.id, id)? {
        Some(i) => require(actor, Act::EnterValue(&i.unit_id))?,
        None => {
            require(actor, Act::Administer)?;
            stored(s, &fw.cycle.id, id)?;
        }
    }
    Ok(fw)
}

/// Imports the office's list of items (CSV or xlsx; columns in docs/scoring.md, 督查督办), every
/// row checked first: new items are added, changed ones updated (their status and reports
/// kept), and the same file twice changes nothing.
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    file_name: &str,
    bytes: &[u8],
) -> Result<jixiao_store::ImportOutcome> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let rows = jixiao_taskbook::values::parse_supervision(&fw, bytes, file_name)
        .map_err(AppError::diagnosed)?;
    let items: Vec<SupervisionItem> = rows
        .into_iter()
        .map(|r| SupervisionItem {
            id: r.id,
            title: r.title,
            source: r.source.as_str().into(),
            source_ref: r.source_ref,
            unit_id: r.unit,
            deadline: r.deadline.format("%Y-%m-%d").to_string(),
            evidence_required: r.evidence,
            status: ItemStatus::Open.as_str().into(),
            closed_on: None,
            carried_from: None,
            created_by: String::new(),
            updated_at: String::new(),
        })
        .collect();
    Ok(s.import_supervision(&fw.cycle.id, &items, &actor.id)?)
}

/// The unit's progress report (its reporters, or the office): percent done and what was done;
/// `request_closure` asks the office to close the item.
pub fn report(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
    progress: i64,
    body: &str,
    request_closure: bool,
) -> Result<()> {
    let fw = may_report(s, actor, cycle, id)?;
    crate::text::paragraphs("body", body, crate::text::NOTE)?;
    let mut problems = Vec::new();
    if !(0..=100).contains(&progress) {
        problems.push(format!("progress: {progress} must be from 0 to 100"));
    }
    if body.trim().is_empty() {
        problems.push("body: say what was done".to_string());
    }
    if request_closure && progress < 100 {
        problems.push("progress: closure can be asked for at 100% only".to_string());
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("\n")));
    }
    Ok(s.report_supervision(
        &fw.cycle.id,
        id,
        progress,
        body.trim(),
        request_closure,
        &actor.id,
    )?)
}

/// The office's decision on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 销号: closed today.
    Close,
    /// The closure asked for is refused: the item is open again.
    Reopen,
    /// 未完成整改: found not rectified.
    Fail,
}

pub fn decide(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
    decision: Decision,
) -> Result<()> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let today = settings.today().format("%Y-%m-%d").to_string();
    let (status, closed_on) = match decision {
        Decision::Close => ("closed", Some(today.as_str())),
        Decision::Reopen => ("open", None),
        Decision::Fail => ("failed", None),
    };
    Ok(s.decide_supervision(&fw.cycle.id, id, status, closed_on, &actor.id)?)
}

/// Turns the items the rules deduct for today into deduction entries of the ledger (the office,
/// or its daily job): one entry per item, named by the item, so running it again changes
/// nothing. Returns how many entries the items give.
pub fn apply_deductions(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<usize> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let rules = rules(s, &fw.cycle.id)?;
    let today = settings.today();
    let rows: Vec<LedgerRow> = s
        .supervision_items(&fw.cycle.id, None)?
        .into_iter()
        .filter_map(|item| {
            let (why, points) = breach(&state_of(&item)?, today, &rules)?;
            let reason = match why {
                Breach::Overdue => format!(
                    "督查督办逾期未办结:{}({},期限{})[{}]",
                    item.title, item.source_ref, item.deadline, item.id
                ),
                Breach::Failed => format!(
                    "督查督办未完成整改:{}({})[{}]",
                    item.title, item.source_ref, item.id
                ),
            };
            Some(LedgerRow {
                unit: item.unit_id,
                kind: LedgerKind::Deduction,
                points,
                reason,
                approver: "督查督办规则".into(),
                date: Some(today),
            })
        })
        .collect();
    crate::ledger::import(s, actor, &fw.cycle.id, &rows)?;
    Ok(rows.len())
}

/// Carries the items still pending in cycle `from` into cycle `to` with a new deadline (the
/// office): each keeps its id, title, source and unit and notes where it came from. Items
/// carried before are left as they are; a unit `to` does not have is refused before anything
/// is written. Returns how many items were carried now.
pub fn carry_over(
    s: &mut Store,
    actor: &Actor,
    from: &str,
    to: &str,
    deadline: NaiveDate,
) -> Result<usize> {
    require(actor, Act::Administer)?;
    let source = crate::lookup::framework(s, actor, Some(from))?;
    let target = crate::lookup::framework(s, actor, Some(to))?;
    let pending: Vec<SupervisionItem> = s
        .supervision_items(&source.cycle.id, None)?
        .into_iter()
        .filter(|i| ItemStatus::parse(&i.status).is_some_and(ItemStatus::is_pending))
        .collect();
    let missing: Vec<String> = pending
        .iter()
        .filter(|i| target.unit_index(&i.unit_id).is_none())
        .map(|i| format!("{}: unit `{}` is not in cycle {to}", i.id, i.unit_id))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing.join("\n")));
    }
    let mut carried = 0;
    for item in pending {
        if s.supervision_item(&target.cycle.id, &item.id)?.is_some() {
            continue;
        }
        let next = SupervisionItem {
            deadline: deadline.format("%Y-%m-%d").to_string(),
            status: ItemStatus::Open.as_str().into(),
            closed_on: None,
            carried_from: Some(format!("{}/{}", source.cycle.id, item.id)),
            ..item
        };
        s.add_supervision_item(&target.cycle.id, &next, &actor.id)?;
        carried += 1;
    }
    Ok(carried)
}

/// A unit's pending items with a warning, for its notifications: (count, red ones).
pub fn warnings_of(
    s: &mut Store,
    settings: &Settings,
    cycle: &str,
    unit: &str,
) -> Result<(usize, usize)> {
    let rules = rules(s, cycle)?;
    let today = settings.today();
    let warned: Vec<jixiao_core::supervision::Warning> = s
        .supervision_items(cycle, Some(unit))?
        .iter()
        .filter_map(state_of)
        .map(|x| warning(&x, today, &rules))
        .filter(|w| *w != jixiao_core::supervision::Warning::None)
        .collect();
    Ok((
        warned.len(),
        warned
            .iter()
            .filter(|w| **w == jixiao_core::supervision::Warning::Red)
            .count(),
    ))
}
