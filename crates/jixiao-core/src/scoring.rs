//! Scores a whole cycle: every task for every unit, the roll-up through the indicator tree,
//! bonus and deductions with their caps, grades and ranks.

use crate::inputs::{Inputs, LedgerKind, Observation};
use crate::method::{self, Detail, Peers, TaskContext};
use crate::model::{Aggregate, Framework, Method, MissingPolicy, NodeIdx, Normalisation, UnitIdx};
use crate::ranking::competition_ranks;
use serde::Serialize;

/// Why a node does not count for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    NotResponsible,
    Missing,
    Unscorable,
    NoApplicableChildren,
}

/// A task's score with what made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskScore {
    pub score: f64,
    pub value: Observation,
    pub periods: Vec<usize>,
    pub bonus_excess: f64,
    pub detail: Detail,
    /// A formula task's inputs with the year values it was computed from ([`crate::formula`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formula_inputs: Vec<(NodeIdx, f64)>,
    /// How the value was made from a survey or a rating round ([`crate::basis`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<crate::basis::Basis>,
}

/// One node's result for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeScore {
    NotApplicable {
        reason: NotApplicable,
    },
    /// No value, and the task's missing-value policy scores it 0.
    Missing,
    Task(Box<TaskScore>),
    RollUp {
        score: f64,
    },
}

impl NodeScore {
    /// The node's score; `None` when it does not apply.
    pub fn score(&self) -> Option<f64> {
        match self {
            NodeScore::NotApplicable { .. } => None,
            NodeScore::Missing => Some(0.0),
            NodeScore::Task(t) => Some(t.score),
            NodeScore::RollUp { score } => Some(*score),
        }
    }
}

/// A unit's scores for the cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    /// Indexed like [`Framework::nodes`].
    pub nodes: Vec<NodeScore>,
    /// Sum of the dimensions, renormalised over those that apply.
    pub base: f64,
    pub bonus_claimed: f64,
    /// Bonus counted after the cap.
    pub bonus: f64,
    pub deduction_claimed: f64,
    /// Deduction counted after the cap.
    pub deduction: f64,
    pub total: f64,
    pub grade: Option<String>,
    /// Overall rank; `None` for 单列 units.
    pub rank: Option<u32>,
    /// (group index, rank within the group) for each group of a ranked unit.
    pub group_ranks: Vec<(usize, u32)>,
}

/// The scores of all units, indexed like [`Framework::units`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub units: Vec<UnitScore>,
}

impl Scorecard {
    /// The units of a ranking (the whole cycle, or group `group`) in published order with
    /// their rank there: ranked units by rank, ties by total, then the units listed separately
    /// (单列, no rank) by total. The one ordering behind every ranking table.
    pub fn standings(&self, fw: &Framework, group: Option<usize>) -> Vec<(UnitIdx, Option<u32>)> {
        let members = fw.members(group.map(|g| fw.groups[g].id.as_str()));
        let rank_of = |u: UnitIdx| match group {
            Some(g) => self.units[u]
                .group_ranks
                .iter()
                .find(|(x, _)| *x == g)
                .map(|(_, r)| *r),
            None => self.units[u].rank,
        };
        let mut out: Vec<(UnitIdx, Option<u32>)> =
            members.into_iter().map(|u| (u, rank_of(u))).collect();
        // With unit classes each class is ranked apart: class by class, in declaration order.
        out.sort_by(|a, b| {
            fw.class_of(a.0)
                .unwrap_or(usize::MAX)
                .cmp(&fw.class_of(b.0).unwrap_or(usize::MAX))
                .then(a.1.unwrap_or(u32::MAX).cmp(&b.1.unwrap_or(u32::MAX)))
                .then(self.units[b.0].total.total_cmp(&self.units[a.0].total))
        });
        out
    }
}

/// Options that change how a cycle is scored, for sensitivity analysis.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScoreOptions {
    /// Use this normalisation for every normalised task instead of the task's own.
    pub normalisation: Option<Normalisation>,
}

/// Scores every unit of the cycle.
pub fn score(fw: &Framework, inputs: &Inputs) -> Scorecard {
    score_with(fw, inputs, ScoreOptions::default())
}

pub fn score_with(fw: &Framework, inputs: &Inputs, opts: ScoreOptions) -> Scorecard {
    let nu = fw.units.len();
    let mut nodes: Vec<Vec<NodeScore>> = vec![Vec::with_capacity(fw.nodes.len()); nu];
    for per_unit in nodes.iter_mut() {
        per_unit.resize(
            fw.nodes.len(),
            NodeScore::NotApplicable {
                reason: NotApplicable::NoApplicableChildren,
            },
        );
    }
    for t in fw.tasks() {
        for (u, score) in score_task(fw, inputs, t, opts).into_iter().enumerate() {
            nodes[u][t] = score;
        }
    }
    let mut units: Vec<UnitScore> = nodes
        .into_iter()
        .enumerate()
        .map(|(u, mut ns)| {
            roll_up(fw, u, &mut ns);
            let base =
                weighted(fw, u, fw.roots(), &ns, fw.full_marks(u), Aggregate::Sum).unwrap_or(0.0);
            let excess: f64 = ns
                .iter()
                .filter_map(|n| {
                    if let NodeScore::Task(t) = n {
                        Some(t.bonus_excess)
                    } else {
                        None
                    }
                })
                .sum();
            let claimed = |kind| {
                inputs
                    .ledger
                    .iter()
                    .filter(|e| e.unit == u && e.kind == kind)
                    .map(|e| e.points)
                    .sum::<f64>()
                    + 0.0
            };
            let bonus_claimed = claimed(LedgerKind::Bonus) + excess;
            let deduction_claimed = claimed(LedgerKind::Deduction);
            let bonus = fw.bonus.cap.map_or(bonus_claimed, |c| bonus_claimed.min(c));
            let deduction = fw
                .deduction
                .cap
                .map_or(deduction_claimed, |c| deduction_claimed.min(c));
            let total = base + bonus - deduction;
            UnitScore {
                nodes: ns,
                base,
                bonus_claimed,
                bonus,
                deduction_claimed,
                deduction,
                total,
                grade: fw.grade_of(u, total).map(str::to_string),
                rank: None,
                group_ranks: Vec::new(),
            }
        })
        .collect();
    let totals: Vec<f64> = units.iter().map(|u| u.total).collect();
    for (u, rank) in rank_units(fw, &totals) {
        units[u].rank = Some(rank);
    }
    for g in 0..fw.groups.len() {
        for (u, rank) in rank_group(fw, &totals, Some(&fw.groups[g].id)) {
            units[u].group_ranks.push((g, rank));
        }
    }
    Scorecard { units }
}

/// Ranks of the ranked units (overall), as (unit, rank); with unit classes, within each class.
pub fn rank_units(fw: &Framework, totals: &[f64]) -> Vec<(UnitIdx, u32)> {
    if fw.classes.is_empty() {
        return rank_group(fw, totals, None);
    }
    (0..fw.classes.len())
        .flat_map(|c| {
            let members: Vec<UnitIdx> = (0..fw.units.len())
                .filter(|&u| fw.units[u].ranked && fw.class_of(u) == Some(c))
                .collect();
            let values: Vec<f64> = members.iter().map(|&u| totals[u]).collect();
            members
                .into_iter()
                .zip(competition_ranks(&values, fw.ranking.decimals))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Ranks of the ranked members of a group (all units when `None`), as (unit, rank).
pub fn rank_group(fw: &Framework, totals: &[f64], group: Option<&str>) -> Vec<(UnitIdx, u32)> {
    let members: Vec<UnitIdx> = fw
        .members(group)
        .into_iter()
        .filter(|&u| fw.units[u].ranked)
        .collect();
    let values: Vec<f64> = members.iter().map(|&u| totals[u]).collect();
    members
        .into_iter()
        .zip(competition_ranks(&values, fw.ranking.decimals))
        .collect()
}

/// Scores one task for every unit.
fn score_task(fw: &Framework, inputs: &Inputs, t: NodeIdx, opts: ScoreOptions) -> Vec<NodeScore> {
    let node = &fw.nodes[t];
    let task = node.task.as_ref().expect("score_task is called on tasks");
    let overridden;
    let method_used = match (&task.method, opts.normalisation) {
        (Method::Normalised { group, .. }, Some(n)) => {
            overridden = Method::Normalised {
                normalisation: n,
                group: group.clone(),
            };
            &overridden
        }
        (m, _) => m,
    };
    // For relative methods: the comparison set's values, (unit, value).
    let comparison: Vec<(UnitIdx, f64)> = match method_used {
        Method::Rank { group, .. } | Method::Normalised { group, .. } => fw
            .members(group.as_deref())
            .into_iter()
            .filter(|&u| fw.units[u].ranked && fw.is_responsible(t, u))
            .filter_map(|u| {
                inputs
                    .annual(t, u)
                    .and_then(|a| a.observation.as_number())
                    .filter(|x| x.is_finite())
                    .map(|x| (u, x))
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut others: Vec<f64> = Vec::with_capacity(comparison.len());
    (0..fw.units.len())
        .map(|u| {
            if !fw.is_responsible(t, u) {
                return NodeScore::NotApplicable {
                    reason: NotApplicable::NotResponsible,
                };
            }
            let Some(annual) = inputs.annual(t, u) else {
                return match task.missing {
                    MissingPolicy::Zero => NodeScore::Missing,
                    MissingPolicy::NotApplicable => NodeScore::NotApplicable {
                        reason: NotApplicable::Missing,
                    },
                };
            };
            let peers: Option<Peers> =
                match (method_used.is_relative(), annual.observation.as_number()) {
                    (true, Some(x)) => {
                        others.clear();
                        others.extend(comparison.iter().filter(|(v, _)| *v != u).map(|(_, x)| *x));
                        let in_set = comparison.iter().any(|(v, _)| *v == u);
                        Some(method::peers_of(x, &others, in_set, task.direction))
                    }
                    _ => None,
                };
            let ctx = TaskContext {
                method: method_used,
                direction: task.direction,
                points: fw.points_for(t, u),
                targets: task.targets_for(&fw.units[u].id),
            };
            match method::apply(ctx, &annual.observation, peers) {
                Ok(r) => NodeScore::Task(Box::new(TaskScore {
                    score: r.score,
                    value: annual.observation.clone(),
                    periods: annual.periods.clone(),
                    bonus_excess: r.bonus_excess,
                    detail: r.detail,
                    formula_inputs: formula_inputs(fw, inputs, task, u),
                    basis: inputs.basis(t, u).cloned(),
                })),
                Err(_) => NodeScore::NotApplicable {
                    reason: NotApplicable::Unscorable,
                },
            }
        })
        .collect()
}

/// The year values a formula task of `unit` was computed from; empty for other tasks.
fn formula_inputs(
    fw: &Framework,
    inputs: &Inputs,
    task: &crate::model::Task,
    unit: UnitIdx,
) -> Vec<(NodeIdx, f64)> {
    let Some(f) = &task.formula else {
        return Vec::new();
    };
    f.inputs()
        .into_iter()
        .filter_map(|id| {
            let n = fw.node_index(id)?;
            let x = inputs.annual(n, unit)?.observation.as_number()?;
            Some((n, x))
        })
        .collect()
}

/// Fills the scores of inner nodes from their children. Children always come after their
/// parent in `fw.nodes`, so walking backwards sees every child before its parent.
fn roll_up(fw: &Framework, unit: UnitIdx, ns: &mut [NodeScore]) {
    for i in (0..fw.nodes.len()).rev() {
        let n = &fw.nodes[i];
        if n.task.is_some() {
            continue;
        }
        let points = fw.points_for(i, unit);
        ns[i] = match weighted(
            fw,
            unit,
            n.children.iter().copied(),
            ns,
            points,
            n.aggregate,
        ) {
            Some(score) => NodeScore::RollUp { score },
            None => NodeScore::NotApplicable {
                reason: NotApplicable::NoApplicableChildren,
            },
        };
    }
}

/// `P × Σ s / Σ w` (or the geometric form) over the applicable nodes; `None` if none applies.
fn weighted(
    fw: &Framework,
    unit: UnitIdx,
    children: impl Iterator<Item = NodeIdx>,
    ns: &[NodeScore],
    points: f64,
    agg: Aggregate,
) -> Option<f64> {
    let mut sum_w = 0.0;
    let mut sum_s = 0.0;
    let mut log_sum = 0.0;
    let mut any = false;
    for c in children {
        if let Some(s) = ns[c].score() {
            let w = fw.points_for(c, unit);
            any = true;
            sum_w += w;
            sum_s += s;
            if w > 0.0 {
                log_sum += w * (s / w).max(1e-12).ln();
            }
        }
    }
    if !any {
        return None;
    }
    if sum_w <= 0.0 {
        return Some(0.0);
    }
    Some(match agg {
        Aggregate::Sum => points * sum_s / sum_w,
        Aggregate::Geometric => points * (log_sum / sum_w).exp(),
    })
}
