//! Grading (评价打分): an evaluator records a grade, a survey or a leader score for a unit; it
//! is approved at once and counts for the cycle's last period. The grading sheet lists the
//! tasks the evaluator grades with every unit's current figure.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{allows, require, Act};
use crate::settings::Settings;
use crate::values::parse_observation;
use crate::values::read::{written, ValueOut};
use jixiao_store::Store;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct GradeValue {
    /// None for the newest cycle.
    pub cycle: Option<String>,
    pub unit: String,
    pub task: String,
    /// A grade of the task, or a score on its scale, as typed.
    pub value: String,
    pub note: String,
}

pub fn grade(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    g: &GradeValue,
) -> Result<ValueOut> {
    require(actor, Act::Evaluate)?;
    crate::text::line("value", &g.value, crate::text::VALUE)?;
    crate::text::paragraphs("note", &g.note, crate::text::NOTE)?;
    let fw = crate::lookup::framework(s, actor, g.cycle.as_deref())?;
    let cycle = fw.cycle.id.clone();
    let t = lookup::task(&fw, &g.task)?;
    require(actor, Act::Review(&fw, t))?;
    if fw.reported_by_unit(t) {
        return Err(AppError::Invalid(format!(
            "the values of task {} are reported by the unit, not graded by the evaluator",
            g.task
        )));
    }
    let u = lookup::unit(&fw, &g.unit)?;
    lookup::responsible(&fw, t, u)?;
    let observation = parse_observation(&fw, t, &g.value)?;
    let last = fw.cycle.periods.len() - 1;
    let key = lookup::key(&fw, t, u, last);
    s.grade_value(
        &cycle,
        &key,
        observation,
        &g.note,
        actor.role,
        &actor.id,
        settings.today(),
    )?;
    written(s, &fw, &key)
}

#[derive(Debug, Serialize)]
pub struct SheetRow {
    pub unit_id: String,
    pub unit_name: String,
    pub value: String,
    pub state: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct SheetTask {
    pub id: String,
    pub name: String,
    /// The grades to choose from, for a qualitative task; a score otherwise.
    pub grades: Option<Vec<String>>,
    pub rows: Vec<SheetRow>,
}

/// The tasks this evaluator grades, each with every responsible unit's figure.
pub fn sheet(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(String, Vec<SheetTask>)> {
    require(actor, Act::Evaluate)?;
    let cv = crate::values::read::cycle_values(s, actor, cycle)?;
    let fw = &cv.fw;
    let last = &fw.cycle.periods[fw.cycle.periods.len() - 1].id;
    let tasks = fw
        .tasks()
        .filter(|&t| {
            !fw.reported_by_unit(t) && !fw.is_computed(t) && allows(actor, Act::Review(fw, t))
        })
        .map(|t| {
            let grades = match &fw.nodes[t].task.as_ref().expect("a task").method {
                jixiao_core::Method::Qualitative { grades } => {
                    Some(grades.iter().map(|(g, _)| g.clone()).collect())
                }
                _ => None,
            };
            let rows = (0..fw.units.len())
                .filter(|&u| fw.is_responsible(t, u))
                .map(|u| {
                    let v = cv.values.iter().find(|v| {
                        v.row.key.task == fw.nodes[t].id
                            && v.row.key.unit == fw.units[u].id
                            && &v.row.key.period == last
                    });
                    SheetRow {
                        unit_id: fw.units[u].id.clone(),
                        unit_name: fw.units[u].name.clone(),
                        value: v.map(|v| v.row.observation.to_string()).unwrap_or_default(),
                        state: v.map(|v| v.row.state.as_str()),
                    }
                })
                .collect();
            SheetTask {
                id: fw.nodes[t].id.clone(),
                name: fw.nodes[t].name.clone(),
                grades,
                rows,
            }
        })
        .collect();
    Ok((fw.cycle.name.clone(), tasks))
}
