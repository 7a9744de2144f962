//! A reporting unit's to-do, its landing page: what was returned (with the evaluator's reason),
//! what is open in the period being reported, what is past its deadline unreported, and what
//! waits for review; each with a count, so a unit with 72 tasks sees its few open ones first.

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_core::workflow::ValueState;
use jixiao_store::Store;
use serde::Serialize;
use std::collections::HashMap;

/// One value to act on.
#[derive(Debug, Clone, Serialize)]
pub struct TodoItem {
    pub task_id: String,
    pub task_name: String,
    /// The indicator the task belongs to (its parent in the task book).
    pub indicator: String,
    pub period_id: String,
    pub period_name: String,
    /// The day after which the unit can no longer change it.
    pub deadline: String,
    /// A returned value's reason, from its history.
    pub reason: Option<String>,
}

/// A period's values past their deadline that were never submitted.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    pub period_id: String,
    pub period_name: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    pub unit_id: String,
    pub unit_name: String,
    /// The period being reported today.
    pub period_id: String,
    pub period_name: String,
    pub deadline: String,
    pub days_left: i64,
    /// Returned values of any period: to correct and submit again.
    pub returned: Vec<TodoItem>,
    /// Values of the open period not yet submitted (not entered, draft).
    pub open: Vec<TodoItem>,
    pub overdue: Vec<Overdue>,
    pub overdue_total: usize,
    /// Submitted values waiting for an evaluator.
    pub waiting: usize,
    pub approved: usize,
    /// Values the unit reports in the whole cycle (its tasks in the periods that expect one).
    pub total: usize,
}

/// The to-do of `unit` (its reporters and the office).
pub fn todo(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<Todo> {
    require(actor, Act::EnterValue(unit))?;
    let cv = crate::values::read::cycle_values(s, actor, cycle)?;
    let fw = cv.fw.clone();
    let u = lookup::unit(&fw, unit)?;
    let today = settings.today();
    let open_period = fw.open_period(today);
    let states: HashMap<(&str, &str), ValueState> = cv
        .values
        .iter()
        .filter(|v| v.row.key.unit == unit)
        .map(|v| {
            (
                (v.row.key.task.as_str(), v.row.key.period.as_str()),
                v.row.state,
            )
        })
        .collect();
    // The tasks the unit reports itself (not those its evaluators grade), each in the periods
    // that expect a value (a yearly task only in the last): the rule progress and reminders use.
    let tasks: Vec<usize> = fw
        .tasks()
        .filter(|&t| fw.is_responsible(t, u) && fw.reported_by_unit(t))
        .collect();
    let item = |t: usize, p: usize| TodoItem {
        task_id: fw.nodes[t].id.clone(),
        task_name: fw.nodes[t].name.clone(),
        indicator: lookup::indicator_name(&fw, t),
        period_id: fw.cycle.periods[p].id.clone(),
        period_name: fw.cycle.periods[p].name.clone(),
        deadline: fw.cycle.periods[p].deadline.to_string(),
        reason: None,
    };
    let (mut returned, mut open, mut overdue) = (Vec::new(), Vec::new(), Vec::new());
    let (mut waiting, mut approved) = (0, 0);
    let mut total = 0;
    for (p, period) in fw.cycle.periods.iter().enumerate() {
        let mut late = 0;
        for &t in tasks.iter().filter(|&&t| fw.expects_value(t, p)) {
            total += 1;
            match states.get(&(fw.nodes[t].id.as_str(), period.id.as_str())) {
                Some(ValueState::Returned) => returned.push(item(t, p)),
                Some(ValueState::Submitted) => waiting += 1,
                Some(ValueState::Approved) => approved += 1,
                None | Some(ValueState::Draft) if p == open_period && period.deadline >= today => {
                    open.push(item(t, p))
                }
                None | Some(ValueState::Draft) if period.deadline < today => late += 1,
                _ => {}
            }
        }
        if late > 0 {
            overdue.push(Overdue {
                period_id: period.id.clone(),
                period_name: period.name.clone(),
                count: late,
            });
        }
    }
    for r in &mut returned {
        r.reason = crate::values::history::return_reason(
            s,
            actor,
            &fw.cycle.id,
            unit,
            &r.task_id,
            &r.period_id,
        )?;
    }
    let period = &fw.cycle.periods[open_period];
    Ok(Todo {
        unit_id: unit.to_string(),
        unit_name: fw.units[u].name.clone(),
        period_id: period.id.clone(),
        period_name: period.name.clone(),
        deadline: period.deadline.to_string(),
        days_left: (period.deadline - today).num_days(),
        returned,
        open,
        overdue_total: overdue.iter().map(|o| o.count).sum(),
        overdue,
        waiting,
        approved,
        total,
    })
}
