//! Entering a value: parsing what was typed for the task, the note rule, the workflow; the
//! entry form a unit fills in; importing a file of values (the office).

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use crate::text;
use crate::values::read::{value_out, written, ValueOut};
use jixiao_core::inputs::Observation;
use jixiao_core::status::needs_note;
use jixiao_core::workflow::{editable, Lock, ValueState};
use jixiao_core::Framework;
use jixiao_store::{ImportOutcome, Store, ValueRow};
use serde::Serialize;
use std::collections::HashMap;

/// Parses what a unit typed for a task: a number, or one of the task's grades.
pub fn parse_observation(fw: &Framework, task: usize, raw: &str) -> Result<Observation> {
    let t = fw.nodes[task]
        .task
        .as_ref()
        .ok_or_else(|| AppError::Invalid("values are reported on tasks".into()))?;
    if let Some(f) = &t.formula {
        return Err(AppError::Rejected(jixiao_core::checks::Words {
            en: format!(
                "{} is computed by its formula ({}): report its inputs instead",
                fw.nodes[task].id, f.text
            ),
            zh: format!(
                "“{}”由公式计算({}),请填报其数据项",
                fw.nodes[task].name, f.text
            ),
        }));
    }
    if let jixiao_core::Method::Qualitative { grades } = &t.method {
        let g = raw.trim();
        return if grades.iter().any(|(n, _)| n == g) {
            Ok(Observation::Grade(g.to_string()))
        } else {
            Err(AppError::Invalid(format!(
                "`{g}` is not a grade of this task; expected one of: {}",
                grades
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        };
    }
    let observation = jixiao_taskbook::sheet::parse_number(raw)
        .map(Observation::Number)
        .ok_or_else(|| {
            AppError::Rejected(jixiao_core::checks::Words {
                en: format!("`{}` is not a number", raw.trim()),
                zh: format!("“{}”不是数字", raw.trim()),
            })
        })?;
    crate::values::checks::check_bounds(fw, task, &observation)?;
    Ok(observation)
}

/// A value entered on the form or through the API.
#[derive(Debug, Clone)]
pub struct EnterValue {
    /// None for the newest cycle.
    pub cycle: Option<String>,
    pub unit: String,
    pub task: String,
    pub period: String,
    /// As typed: a number, or a grade.
    pub value: String,
    pub note: String,
    pub evidence: String,
    /// false saves a draft; true submits it for review.
    pub submit: bool,
}

/// The note a value off track needs, refused when missing (the one rule, [`needs_note`]).
pub(crate) fn check_note(
    fw: &Framework,
    t: usize,
    u: usize,
    p: usize,
    value: Option<f64>,
    note: &str,
) -> Result<()> {
    if needs_note(fw, t, u, p, value) && note.trim().is_empty() {
        return Err(AppError::Rejected(jixiao_core::checks::Words {
            en: "a note is required when the value is off track (behind or at risk)".into(),
            zh: "数值进度滞后或存在风险,须填写情况说明".into(),
        }));
    }
    Ok(())
}

/// A unit enters (draft) or submits a value.
pub fn enter(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    v: &EnterValue,
) -> Result<ValueOut> {
    require(actor, Act::EnterValue(&v.unit))?;
    text::line("value", &v.value, text::VALUE)?;
    text::paragraphs("note", &v.note, text::NOTE)?;
    text::paragraphs("evidence", &v.evidence, text::NOTE)?;
    let fw = crate::lookup::framework(s, actor, v.cycle.as_deref())?;
    let cycle = fw.cycle.id.clone();
    let u = lookup::unit(&fw, &v.unit)?;
    let t = lookup::task(&fw, &v.task)?;
    let p = lookup::period(&fw, &v.period)?;
    lookup::responsible(&fw, t, u)?;
    let observation = parse_observation(&fw, t, &v.value)?;
    if v.submit {
        check_note(&fw, t, u, p, observation.as_number(), &v.note)?;
        crate::values::checks::check_jump(s, &fw, (t, u, p), &observation, &v.note)?;
    }
    let key = lookup::key(&fw, t, u, p);
    s.enter_value(
        &cycle,
        &key,
        observation,
        &v.note,
        &v.evidence,
        v.submit,
        actor.role,
        &actor.id,
        settings.today(),
    )?;
    written(s, &fw, &key)
}

/// One task's row of the entry form.
#[derive(Debug, Serialize)]
pub struct EntryRow {
    pub task_id: String,
    pub task_name: String,
    /// The indicator the task belongs to (its parent in the task book), for grouping.
    pub indicator: String,
    /// Whether the unit reports this task in this period (not a task its evaluators grade, not
    /// a yearly task before the last period): what the to-do counts.
    pub expected: bool,
    pub measure: String,
    pub target: Option<f64>,
    pub value: String,
    pub note: String,
    pub evidence: String,
    pub state: Option<&'static str>,
    pub status: Option<String>,
    /// Whether this actor may still change it now (state and deadline; the one rule,
    /// [`editable`]).
    pub editable: bool,
    /// The grades to choose from, for a qualitative task.
    pub grades: Option<Vec<String>>,
    /// Why the last attempt was refused.
    pub error: Option<String>,
    /// For a returned value: the evaluator's reason, from its history.
    pub return_reason: Option<String>,
}

/// The entry form of a unit for a period.
#[derive(Debug, Serialize)]
pub struct EntryForm {
    pub unit_id: String,
    pub unit_name: String,
    pub period: String,
    pub period_name: String,
    pub periods: Vec<jixiao_core::Period>,
    pub rows: Vec<EntryRow>,
}

/// What a refused form brings back: the message per task, and what was typed (value, note,
/// evidence) so nothing is lost.
#[derive(Debug, Default)]
pub struct Typed {
    pub errors: HashMap<String, String>,
    pub typed: HashMap<String, (String, String, String)>,
}

/// The entry form of `unit` for `period` (default: the period being reported today).
pub fn entry_form(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    period: Option<&str>,
    typed: &Typed,
) -> Result<EntryForm> {
    require(actor, Act::EnterValue(unit))?;
    let cv = crate::values::read::cycle_values(s, actor, cycle)?;
    let fw = &cv.fw;
    let u = lookup::unit(fw, unit)?;
    let today = settings.today();
    let pi = match period {
        Some(p) => lookup::period(fw, p)?,
        None => fw.open_period(today),
    };
    let past_deadline = today > fw.cycle.periods[pi].deadline;
    let mut rows = fw
        .tasks()
        .filter(|&t| fw.is_responsible(t, u) && !fw.is_computed(t))
        .map(|t| {
            let task = fw.nodes[t].task.as_ref().expect("a task");
            let id = fw.nodes[t].id.clone();
            let stored = cv.values.iter().find(|v| {
                v.row.key.task == id
                    && v.row.key.unit == unit
                    && v.row.key.period == fw.cycle.periods[pi].id
            });
            let out = stored.and_then(|v| value_out(fw, v));
            let state_now = stored.map(|v| v.row.state);
            let lock = Lock {
                past_deadline,
                reopened: stored.is_some_and(|v| v.reopened),
            };
            let grades = match &task.method {
                jixiao_core::Method::Qualitative { grades } => {
                    Some(grades.iter().map(|(g, _)| g.clone()).collect())
                }
                _ => None,
            };
            let (value, note, evidence) = typed.typed.get(&id).cloned().unwrap_or_else(|| {
                out.as_ref()
                    .map(|o| (o.value.clone(), o.note.clone(), o.evidence.clone()))
                    .unwrap_or_default()
            });
            EntryRow {
                task_name: fw.nodes[t].name.clone(),
                indicator: crate::lookup::indicator_name(fw, t),
                expected: fw.reported_by_unit(t) && fw.expects_value(t, pi),
                measure: task.measure.clone(),
                target: task.targets_for(unit).target,
                value,
                note,
                evidence,
                state: state_now.map(ValueState::as_str),
                status: out.as_ref().map(|o| o.status.clone()),
                editable: editable(state_now, actor.role, lock),
                grades,
                error: typed.errors.get(&id).cloned(),
                return_reason: None,
                task_id: id,
            }
        })
        .collect::<Vec<EntryRow>>();
    let period_id = fw.cycle.periods[pi].id.clone();
    for r in rows.iter_mut().filter(|r| r.state == Some("returned")) {
        r.return_reason = crate::values::history::return_reason(
            s,
            actor,
            &fw.cycle.id,
            unit,
            &r.task_id,
            &period_id,
        )?;
    }
    Ok(EntryForm {
        unit_id: unit.to_string(),
        unit_name: fw.units[u].name.clone(),
        period: fw.cycle.periods[pi].id.clone(),
        period_name: fw.cycle.periods[pi].name.clone(),
        periods: fw.cycle.periods.clone(),
        rows,
    })
}

/// Imports checked value rows as the office (`jixiao import values`): all rows or none, rows
/// equal to what is stored unchanged.
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    rows: &[ValueRow],
    progress: &mut dyn FnMut(usize),
) -> Result<ImportOutcome> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, actor, Some(cycle))?;
    Ok(s.import_values(&cycle, rows, &actor.id, progress)?)
}
