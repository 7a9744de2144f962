//! Read models of one unit: its page (scores over the indicator tree, each task's latest
//! status) and a task's page (values by period, the score's explanation, evidence files).

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{allows, require, Act};
use crate::scores::{explanation, unit_scores, ExplanationOut, UnitScores};
use crate::values::read::{unit_values, ValueOut};
use jixiao_core::explain::Lang;
use jixiao_core::Framework;
use jixiao_store::evidence::EvidenceInfo;
use jixiao_store::Store;

pub struct UnitPage {
    pub fw: std::sync::Arc<Framework>,
    pub scores: UnitScores,
    pub values: Vec<ValueOut>,
    /// Whether the actor may enter this unit's values.
    pub can_enter: bool,
}

impl UnitPage {
    /// The status of a task's latest value.
    pub fn latest_status(&self, task: &str) -> Option<String> {
        self.values
            .iter()
            .filter(|v| v.task_id == task)
            .max_by_key(|v| self.fw.period_index(&v.period_id))
            // A value with no status to judge (a grade, a rank, a task without a target) is not
            // "no data": it shows its state (approved, submitted…).
            .map(|v| {
                if v.status == "unknown" {
                    v.state.clone()
                } else {
                    v.status.clone()
                }
            })
    }
}

pub fn unit_page(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<UnitPage> {
    require(actor, Act::ViewUnit(unit))?;
    let scored = crate::scores::scored(s, cycle)?;
    let values = crate::values::read::cycle_values(s, Some(&scored.fw.cycle.id))?.values;
    let mut scores = unit_scores(&scored.fw, &scored.card, unit)?;
    let v = crate::visibility::for_actor(s, actor, &scored.fw.cycle.id)?;
    crate::visibility::limit(&mut scores, v);
    Ok(UnitPage {
        scores,
        values: unit_values(&scored.fw, &values, unit),
        can_enter: allows(actor, Act::EnterValue(unit)),
        fw: scored.fw,
    })
}

pub struct TaskPage {
    pub fw: std::sync::Arc<Framework>,
    pub task_name: String,
    pub explanation: ExplanationOut,
    /// Whether the reader may see the explanation's score (units: the office's setting);
    /// pages show only its path and name otherwise.
    pub explanation_shown: bool,
    /// The unit's values of this task, by period.
    pub values: Vec<ValueOut>,
    pub files: Vec<EvidenceInfo>,
    pub can_enter: bool,
    /// Each reported period's history (who saved, submitted, returned with which reason,
    /// approved), newest period first.
    pub history: Vec<PeriodHistory>,
}

/// One period's value history on a task page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeriodHistory {
    pub period_id: String,
    pub period_name: String,
    pub steps: Vec<crate::values::ValueStep>,
}

pub fn task_page(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    task: &str,
    lang: Lang,
) -> Result<TaskPage> {
    require(actor, Act::ViewUnit(unit))?;
    let scored = crate::scores::scored(s, cycle)?;
    let fw = scored.fw;
    let e = explanation(&fw, &scored.card, unit, task, lang)?;
    let v = crate::visibility::for_actor(s, actor, &fw.cycle.id)?;
    let explanation_shown = v >= crate::visibility::Visibility::TaskScores;
    let values = crate::values::read::cycle_values(s, Some(&fw.cycle.id))?.values;
    let mut mine: Vec<ValueOut> = unit_values(&fw, &values, unit)
        .into_iter()
        .filter(|v| v.task_id == task)
        .collect();
    mine.sort_by_key(|v| fw.period_index(&v.period_id));
    let n = lookup::node(&fw, task)?;
    let files = s.evidence_list(&fw.cycle.id, unit, Some(task))?;
    let mut history = Vec::new();
    for v in mine.iter().rev() {
        history.push(PeriodHistory {
            period_id: v.period_id.clone(),
            period_name: v.period_name.clone(),
            steps: crate::values::history(s, actor, Some(&fw.cycle.id), unit, task, &v.period_id)?,
        });
    }
    Ok(TaskPage {
        history,
        task_name: fw.nodes[n].name.clone(),
        explanation: e,
        explanation_shown,
        values: mine,
        files,
        can_enter: allows(actor, Act::EnterValue(unit)),
        fw,
    })
}
