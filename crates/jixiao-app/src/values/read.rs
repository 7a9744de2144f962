//! Read models of reported values: a value as clients see it, a unit's values, an evaluator's
//! review queue, the cycle's reporting progress and the reminders of values due.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use chrono::NaiveDate;
use jixiao_core::status::status;
use jixiao_core::workflow::ValueState;
use jixiao_core::Framework;
use jixiao_store::{Store, StoredValue, ValueKey};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct ValueOut {
    pub task_id: String,
    pub task_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub period_id: String,
    pub period_name: String,
    pub value: String,
    pub measure: String,
    pub target: Option<f64>,
    pub note: String,
    pub source: String,
    pub evidence: String,
    /// draft, submitted, returned or approved.
    pub state: String,
    /// on_track, at_risk, behind or unknown.
    pub status: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// A stored value as clients see it; `None` if it names what the task book no longer has.
pub fn value_out(fw: &Framework, v: &StoredValue) -> Option<ValueOut> {
    let t = fw.node_index(&v.row.key.task)?;
    let u = fw.unit_index(&v.row.key.unit)?;
    let p = fw.period_index(&v.row.key.period)?;
    let task = fw.nodes[t].task.as_ref()?;
    let st = status(fw, t, u, p, v.row.observation.as_number());
    Some(ValueOut {
        task_id: fw.nodes[t].id.clone(),
        task_name: fw.nodes[t].name.clone(),
        unit_id: fw.units[u].id.clone(),
        unit_name: fw.units[u].name.clone(),
        period_id: fw.cycle.periods[p].id.clone(),
        period_name: fw.cycle.periods[p].name.clone(),
        value: v.row.observation.to_string(),
        measure: task.measure.clone(),
        target: task.targets_for(&fw.units[u].id).target,
        note: v.row.note.clone(),
        source: v.row.source.clone(),
        evidence: v.row.evidence.clone(),
        state: v.row.state.as_str().into(),
        status: serde_json::to_value(st)
            .ok()
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default(),
        updated_by: v.updated_by.clone(),
        updated_at: v.updated_at.clone(),
    })
}

/// The value at `key` as clients see it, read back after an action wrote it.
pub(crate) fn written(s: &mut Store, fw: &Framework, key: &ValueKey) -> Result<ValueOut> {
    s.value(&fw.cycle.id, key)?
        .and_then(|v| value_out(fw, &v))
        .ok_or_else(|| {
            AppError::Internal(format!(
                "value {}/{}/{} not found after writing it",
                key.task, key.unit, key.period
            ))
        })
}

/// A cycle's framework and every value stored for it (shared: kept between requests).
#[derive(Clone)]
pub struct CycleValues {
    pub fw: std::sync::Arc<Framework>,
    pub values: std::sync::Arc<Vec<StoredValue>>,
}

/// A cycle's values kept between requests (see [`crate::cache`]).
static VALUES: crate::cache::Versioned<CycleValues> = crate::cache::Versioned::new();

/// The cycle's values, without a permission check: for callers that check what they show.
/// Kept while the cycle's data version holds.
pub fn cycle_values(s: &mut Store, actor: &Actor, cycle: Option<&str>) -> Result<CycleValues> {
    let (id, version) = crate::lookup::cycle_id_and_version(s, actor, cycle)?;
    let kept = VALUES.get_at_version(s, &id, version, "", |s| {
        let fw = s.load_cycle(&id)?;
        let values = s.values(&fw.cycle.id)?;
        Ok(CycleValues {
            fw: std::sync::Arc::new(fw),
            values: std::sync::Arc::new(values),
        })
    })?;
    Ok((*kept).clone())
}

/// A unit's values, for those who may see the unit.
pub fn of_unit(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<(CycleValues, Vec<ValueOut>)> {
    require(actor, Act::ViewUnit(unit))?;
    let cv = cycle_values(s, actor, cycle)?;
    let mine = unit_values(&cv.fw, &cv.values, unit);
    Ok((cv, mine))
}

pub fn unit_values(fw: &Framework, values: &[StoredValue], unit: &str) -> Vec<ValueOut> {
    values
        .iter()
        .filter(|v| v.row.key.unit == unit)
        .filter_map(|v| value_out(fw, v))
        .collect()
}

/// Submitted values waiting for this evaluator (administrators see all).
pub fn queue(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(std::sync::Arc<Framework>, Vec<ValueOut>)> {
    require(actor, Act::Evaluate)?;
    let cv = cycle_values(s, actor, cycle)?;
    let q = cv
        .values
        .iter()
        .filter(|v| v.row.state == ValueState::Submitted)
        .filter(|v| {
            cv.fw
                .node_index(&v.row.key.task)
                .is_some_and(|t| allows(actor, Act::Review(&cv.fw, t)))
        })
        .filter_map(|v| value_out(&cv.fw, v))
        .collect();
    Ok((cv.fw, q))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    /// Values expected by now: every (task, responsible unit, period whose deadline has passed).
    pub expected: usize,
    pub reported: usize,
    pub approved: usize,
    pub overdue: usize,
    pub share_reported: f64,
    pub share_approved: f64,
    pub share_overdue: f64,
    /// Latest approved values that are behind or at risk.
    pub off_track: Vec<ValueOut>,
    /// Expected values not reported after their deadline: (unit, task, period).
    pub overdue_items: Vec<(String, String, String)>,
    /// Every period's reporting, deadline passed or not: the trend over the year.
    pub periods: Vec<PeriodProgress>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodProgress {
    pub period: String,
    pub expected: usize,
    pub reported: usize,
    pub approved: usize,
}

/// The cycle's reporting progress on `today`, for those who may see the cycle.
pub fn progress_of(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    today: NaiveDate,
) -> Result<(CycleValues, Progress)> {
    require(actor, Act::ViewCycle)?;
    let cv = cycle_values(s, actor, cycle)?;
    let p = progress(&cv.fw, &cv.values, today);
    Ok((cv, p))
}

pub fn progress(fw: &Framework, values: &[StoredValue], today: NaiveDate) -> Progress {
    let by_key: HashMap<(&str, &str, &str), &StoredValue> = values
        .iter()
        .map(|v| {
            (
                (
                    v.row.key.task.as_str(),
                    v.row.key.unit.as_str(),
                    v.row.key.period.as_str(),
                ),
                v,
            )
        })
        .collect();
    let (mut expected, mut reported, mut approved, mut overdue) = (0, 0, 0, 0);
    let mut periods: Vec<PeriodProgress> = fw
        .cycle
        .periods
        .iter()
        .map(|p| PeriodProgress {
            period: p.name.clone(),
            expected: 0,
            reported: 0,
            approved: 0,
        })
        .collect();
    let mut overdue_items = Vec::new();
    for t in fw.tasks() {
        for u in 0..fw.units.len() {
            if !fw.is_responsible(t, u) {
                continue;
            }
            for (pi, p) in fw.cycle.periods.iter().enumerate() {
                if !fw.expects_value(t, pi) {
                    continue;
                }
                let key = (
                    fw.nodes[t].id.as_str(),
                    fw.units[u].id.as_str(),
                    p.id.as_str(),
                );
                let found = by_key
                    .get(&key)
                    .filter(|v| v.row.state != ValueState::Draft);
                let per = &mut periods[pi];
                per.expected += 1;
                per.reported += found.is_some() as usize;
                per.approved += found.is_some_and(|v| v.row.state == ValueState::Approved) as usize;
                if p.deadline >= today {
                    continue;
                }
                expected += 1;
                match found {
                    Some(v) => {
                        reported += 1;
                        if v.row.state == ValueState::Approved {
                            approved += 1;
                        }
                    }
                    None => {
                        overdue += 1;
                        if overdue_items.len() < 200 {
                            overdue_items.push((
                                fw.units[u].name.clone(),
                                fw.nodes[t].name.clone(),
                                p.name.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    // The latest approved value of each task and unit, when off track.
    let mut latest: HashMap<(&str, &str), &StoredValue> = HashMap::new();
    for v in values
        .iter()
        .filter(|v| v.row.state == ValueState::Approved)
    {
        let k = (v.row.key.task.as_str(), v.row.key.unit.as_str());
        let newer = latest.get(&k).is_none_or(|old| {
            fw.period_index(&old.row.key.period) < fw.period_index(&v.row.key.period)
        });
        if newer {
            latest.insert(k, v);
        }
    }
    let mut off_track: Vec<ValueOut> = latest
        .values()
        .filter_map(|v| value_out(fw, v))
        .filter(|v| v.status == "behind" || v.status == "at_risk")
        .collect();
    off_track.sort_by(|a, b| {
        (a.status.as_str(), &a.unit_id, &a.task_id).cmp(&(
            b.status.as_str(),
            &b.unit_id,
            &b.task_id,
        ))
    });
    let share = |n: usize| {
        if expected == 0 {
            0.0
        } else {
            n as f64 / expected as f64
        }
    };
    Progress {
        expected,
        reported,
        approved,
        overdue,
        share_reported: share(reported),
        share_approved: share(approved),
        share_overdue: share(overdue),
        off_track,
        overdue_items,
        periods,
    }
}

/// A unit's values due within the reminder window or overdue.
#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct Reminder {
    pub unit_id: String,
    pub unit_name: String,
    /// (task id, task name, period name, deadline, overdue)
    pub items: Vec<(String, String, String, String, bool)>,
}

/// Values a unit reports itself, not yet submitted, whose deadline has passed or falls within
/// `within_days` of today.
pub fn reminders(
    fw: &Framework,
    values: &[StoredValue],
    today: NaiveDate,
    within_days: i64,
) -> Vec<Reminder> {
    let horizon = today + chrono::Duration::days(within_days);
    let done: std::collections::HashSet<(&str, &str, &str)> = values
        .iter()
        .filter(|v| matches!(v.row.state, ValueState::Submitted | ValueState::Approved))
        .map(|v| {
            (
                v.row.key.task.as_str(),
                v.row.key.unit.as_str(),
                v.row.key.period.as_str(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for u in 0..fw.units.len() {
        let mut items = Vec::new();
        for t in fw
            .tasks()
            .filter(|&t| fw.is_responsible(t, u) && fw.reported_by_unit(t))
        {
            for (pi, p) in fw.cycle.periods.iter().enumerate() {
                if !fw.expects_value(t, pi) || p.deadline > horizon {
                    continue;
                }
                let key = (
                    fw.nodes[t].id.as_str(),
                    fw.units[u].id.as_str(),
                    p.id.as_str(),
                );
                if !done.contains(&key) {
                    items.push((
                        fw.nodes[t].id.clone(),
                        fw.nodes[t].name.clone(),
                        p.name.clone(),
                        p.deadline.to_string(),
                        p.deadline < today,
                    ));
                }
            }
        }
        if !items.is_empty() {
            out.push(Reminder {
                unit_id: fw.units[u].id.clone(),
                unit_name: fw.units[u].name.clone(),
                items,
            });
        }
    }
    out
}

/// The text of a reminder e-mail.
pub fn reminder_text(cycle: &str, r: &Reminder) -> String {
    let mut body = format!(
        "{} 绩效填报提醒 / reporting reminder ({cycle})\n\n",
        r.unit_name
    );
    for (id, name, period, deadline, overdue) in &r.items {
        body.push_str(&format!(
            "- {id} {name} · {period} · 截止 {deadline}{}\n",
            if *overdue {
                " · 已逾期 overdue"
            } else {
                ""
            }
        ));
    }
    body.push_str("\n请登录系统填报。Please log in and report.\n");
    body
}
