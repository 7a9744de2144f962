//! What a cycle is scored from: the values units reported per period, reduced to one value per
//! task and unit for the year, and the bonus and deduction ledgers.

use crate::model::{Framework, NodeIdx, PeriodRule, UnitIdx};
use serde::{Deserialize, Serialize};

/// A reported value: a number, or a grade label for qualitative tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Observation {
    Number(f64),
    Grade(String),
}

impl Observation {
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Observation::Number(x) => Some(*x),
            Observation::Grade(_) => None,
        }
    }
}

impl std::fmt::Display for Observation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Observation::Number(x) => write!(f, "{}", crate::numbers::num(*x)),
            Observation::Grade(g) => f.write_str(g),
        }
    }
}

/// One value of one task for one unit in one period, as counted for scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRecord {
    pub task: NodeIdx,
    pub unit: UnitIdx,
    pub period: usize,
    pub observation: Observation,
}

/// The year's value of a task for a unit, with the periods it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualValue {
    pub observation: Observation,
    /// Indices of the periods whose values made this one.
    pub periods: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// 创新创优 and other bonus items.
    Bonus,
    /// 问责 and other deduction events.
    Deduction,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Bonus => "bonus",
            LedgerKind::Deduction => "deduction",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bonus" | "加分" => Some(LedgerKind::Bonus),
            "deduction" | "扣分" => Some(LedgerKind::Deduction),
            _ => None,
        }
    }
}

/// One entry of the bonus or deduction ledger. `points` is always positive; the kind says
/// whether it adds or removes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub unit: UnitIdx,
    pub kind: LedgerKind,
    pub points: f64,
    pub reason: String,
    pub approver: String,
}

/// Everything scoring reads besides the framework.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `annual[task_node * units + unit]`.
    annual: Vec<Option<AnnualValue>>,
    units: usize,
    pub ledger: Vec<LedgerEntry>,
    /// How some values were made (a survey, a rating round), by task and unit: carried to the
    /// task's score while the value is still the one the basis made.
    pub bases: std::collections::HashMap<(NodeIdx, UnitIdx), crate::basis::Basis>,
}

impl Inputs {
    /// Reduces period values to the year's value of each task and unit by the task's
    /// [`PeriodRule`]. Records for non-task nodes are ignored (the parsers never make them).
    pub fn from_records(
        fw: &Framework,
        records: &[ValueRecord],
        ledger: Vec<LedgerEntry>,
    ) -> Inputs {
        let units = fw.units.len();
        let mut per_cell: Vec<Vec<(usize, &Observation)>> =
            vec![Vec::new(); fw.nodes.len() * units];
        for r in records {
            if fw.nodes.get(r.task).and_then(|n| n.task.as_ref()).is_some() && r.unit < units {
                per_cell[r.task * units + r.unit].push((r.period, &r.observation));
            }
        }
        let mut annual: Vec<Option<AnnualValue>> = per_cell
            .into_iter()
            .enumerate()
            .map(|(cell, mut obs)| {
                if obs.is_empty() {
                    return None;
                }
                obs.sort_by_key(|(p, _)| *p);
                let rule = fw.nodes[cell / units]
                    .task
                    .as_ref()
                    .map(|t| t.period_rule)?;
                Some(reduce(rule, &obs))
            })
            .collect();
        compute_formulas(fw, units, &mut annual);
        Inputs {
            annual,
            units,
            ledger,
            bases: Default::default(),
        }
    }

    /// The basis of a task's year value for a unit, when the value is the one it made.
    pub fn basis(&self, task: NodeIdx, unit: UnitIdx) -> Option<&crate::basis::Basis> {
        let x = self.annual(task, unit)?.observation.as_number()?;
        self.bases.get(&(task, unit)).filter(|b| b.made(x))
    }

    pub fn annual(&self, task: NodeIdx, unit: UnitIdx) -> Option<&AnnualValue> {
        self.annual
            .get(task * self.units + unit)
            .and_then(|v| v.as_ref())
    }
}

/// Fills each formula task's year value from its inputs' year values (each reduced by its own
/// period rule: a ratio of two flows is the ratio of the year's sums, not a mean of ratios).
/// Values stored for a formula task itself are replaced: the formula is the record.
fn compute_formulas(fw: &Framework, units: usize, annual: &mut [Option<AnnualValue>]) {
    for t in fw.tasks() {
        let Some(formula) = fw.nodes[t].task.as_ref().and_then(|x| x.formula.as_ref()) else {
            continue;
        };
        let inputs: Vec<(&str, Option<NodeIdx>)> = formula
            .inputs()
            .into_iter()
            .map(|id| (id, fw.node_index(id)))
            .collect();
        for u in 0..units {
            let value_of = |id: &str| {
                let (_, node) = inputs.iter().find(|(i, _)| *i == id)?;
                annual[(*node)? * units + u]
                    .as_ref()
                    .and_then(|a| a.observation.as_number())
            };
            let computed = formula.expr.eval(&value_of).map(|x| {
                let mut periods: Vec<usize> = inputs
                    .iter()
                    .filter_map(|(_, n)| annual[(*n)? * units + u].as_ref())
                    .flat_map(|a| a.periods.iter().copied())
                    .collect();
                periods.sort_unstable();
                periods.dedup();
                AnnualValue {
                    observation: Observation::Number(x),
                    periods,
                }
            });
            annual[t * units + u] = computed;
        }
    }
}

fn reduce(rule: PeriodRule, obs: &[(usize, &Observation)]) -> AnnualValue {
    let (last_period, last) = obs[obs.len() - 1];
    let numbers: Option<Vec<f64>> = obs.iter().map(|(_, o)| o.as_number()).collect();
    match (rule, numbers) {
        (PeriodRule::Sum, Some(xs)) => AnnualValue {
            observation: Observation::Number(xs.iter().sum()),
            periods: obs.iter().map(|(p, _)| *p).collect(),
        },
        (PeriodRule::Mean, Some(xs)) => AnnualValue {
            observation: Observation::Number(xs.iter().sum::<f64>() / xs.len() as f64),
            periods: obs.iter().map(|(p, _)| *p).collect(),
        },
        // Latest, and grades (which cannot be summed): the latest period's value.
        _ => AnnualValue {
            observation: last.clone(),
            periods: vec![last_period],
        },
    }
}
