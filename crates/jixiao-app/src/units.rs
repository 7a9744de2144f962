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
    let scored = crate::scores::scored(s, actor, cycle)?;
    let values = crate::values::read::cycle_values(s, actor, Some(&scored.fw.cycle.id))?.values;
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
    /// For a formula task: how its value is computed, from which of the unit's figures.
    pub formula: Option<Computed>,
}

/// A formula task's value as computed for one unit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Computed {
    /// As written in the task book: `[B04-2b] / [B04-2a] * 100`.
    pub text: String,
    /// With the inputs' names: `依申请公开已办结 ÷ 受理依申请公开 × 100`.
    pub named: String,
    /// With the year values put in, when every input has one: `169 ÷ 208 × 100`.
    pub substituted: Option<String>,
    pub inputs: Vec<ComputedInput>,
    /// The computed year value; none while an input is missing (or divides by zero).
    pub value: Option<f64>,
    pub measure: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ComputedInput {
    pub id: String,
    pub name: String,
    pub measure: String,
    /// The input's year value (by its own period rule), as counted.
    pub value: Option<f64>,
    /// The same as written in reports (`169`, not `169.0`).
    pub value_text: Option<String>,
}

/// How `task`'s value is computed for `unit`, if it is a formula task.
pub fn computed(
    fw: &Framework,
    inputs: &jixiao_core::Inputs,
    unit: usize,
    task: usize,
) -> Option<Computed> {
    let t = fw.nodes[task].task.as_ref()?;
    let f = t.formula.as_ref()?;
    let year = |id: &str| {
        let n = fw.node_index(id)?;
        inputs.annual(n, unit)?.observation.as_number()
    };
    let name = |id: &str| {
        fw.node_index(id)
            .map(|n| fw.nodes[n].name.clone())
            .unwrap_or_else(|| id.into())
    };
    let inputs_out: Vec<ComputedInput> = f
        .inputs()
        .into_iter()
        .map(|id| ComputedInput {
            id: id.into(),
            name: name(id),
            measure: fw
                .node_index(id)
                .and_then(|n| fw.nodes[n].task.as_ref())
                .map(|t| t.measure.clone())
                .unwrap_or_default(),
            value: year(id),
            value_text: year(id).map(jixiao_core::explain::num),
        })
        .collect();
    let all = inputs_out.iter().all(|i| i.value.is_some());
    Some(Computed {
        text: f.text.clone(),
        named: f.expr.render(&name),
        substituted: all.then(|| {
            f.expr
                .render(&|id: &str| year(id).map(jixiao_core::explain::num).unwrap_or_default())
        }),
        inputs: inputs_out,
        value: f.expr.eval(&year),
        measure: t.measure.clone(),
    })
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
    let scored = crate::scores::scored(s, actor, cycle)?;
    let fw = scored.fw;
    let e = explanation(&fw, &scored.card, unit, task, lang)?;
    let v = crate::visibility::for_actor(s, actor, &fw.cycle.id)?;
    let explanation_shown = v >= crate::visibility::Visibility::TaskScores;
    let values = crate::values::read::cycle_values(s, actor, Some(&fw.cycle.id))?.values;
    let mut mine: Vec<ValueOut> = unit_values(&fw, &values, unit)
        .into_iter()
        .filter(|v| v.task_id == task)
        .collect();
    mine.sort_by_key(|v| fw.period_index(&v.period_id));
    let n = lookup::node(&fw, task)?;
    let formula = computed(&fw, &scored.inputs, lookup::unit(&fw, unit)?, n);
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
        formula,
        fw,
    })
}
