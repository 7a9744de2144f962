//! Task status during the year (on track / at risk / behind) from the expected progress.

use crate::model::{Direction, Framework, NodeIdx, UnitIdx};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTrack,
    AtRisk,
    Behind,
    /// Nothing reported yet, or no target to compare with.
    Unknown,
}

impl Status {
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Status::OnTrack, true) => "正常推进",
            (Status::AtRisk, true) => "存在风险",
            (Status::Behind, true) => "进度滞后",
            (Status::Unknown, true) => "暂无数据",
            (Status::OnTrack, false) => "on track",
            (Status::AtRisk, false) => "at risk",
            (Status::Behind, false) => "behind",
            (Status::Unknown, false) => "unknown",
        }
    }
}

/// Share of the target expected by the end of `period`: the task's declared progress, else
/// linear over the cycle's periods.
pub fn expected_share(fw: &Framework, task: NodeIdx, period: usize) -> f64 {
    let t = fw.nodes[task].task.as_ref().expect("a task");
    t.progress
        .get(period)
        .copied()
        .unwrap_or_else(|| (period + 1) as f64 / fw.cycle.periods.len().max(1) as f64)
}

/// Status of a task for a unit given the value reported for `period` (cumulative for
/// higher-is-better tasks; for lower-is-better tasks the level must stay within the target).
pub fn status(
    fw: &Framework,
    task: NodeIdx,
    unit: UnitIdx,
    period: usize,
    value: Option<f64>,
) -> Status {
    let t = fw.nodes[task].task.as_ref().expect("a task");
    let (Some(x), Some(target)) = (value, t.targets_for(&fw.units[unit].id).target) else {
        return Status::Unknown;
    };
    let (actual, expected) = match t.direction {
        Direction::Higher if target != 0.0 => (x / target, expected_share(fw, task, period)),
        Direction::Lower if x > 0.0 => (target / x, 1.0),
        Direction::Lower => (1.0, 1.0),
        Direction::Higher => return Status::Unknown,
    };
    let margin = fw.status.at_risk_margin;
    if actual >= expected - 1e-9 {
        Status::OnTrack
    } else if actual >= expected * (1.0 - margin) {
        Status::AtRisk
    } else {
        Status::Behind
    }
}

/// Whether a unit submitting `value` for `period` must say why in a note: the one rule, applied
/// to the entry form, the API, uploads and imports alike. A value off track (behind or at risk)
/// needs a note.
pub fn needs_note(
    fw: &Framework,
    task: NodeIdx,
    unit: UnitIdx,
    period: usize,
    value: Option<f64>,
) -> bool {
    matches!(
        status(fw, task, unit, period, value),
        Status::Behind | Status::AtRisk
    )
}
