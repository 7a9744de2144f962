//! What units see of their own scores before publication: the office's choice per cycle
//! (`unit_visibility`). Assessments are usually run with units seeing only the status of their
//! tasks until the results are published, so that is the default. The office and evaluators
//! always see everything; the setting applies to units (reporters) wherever scores appear:
//! their unit and task pages, the JSON API, explanations and their generated reports.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use crate::scores::UnitScores;
use jixiao_store::{Change, Store};

/// The setting's key in `cycle_settings`.
pub const KEY: &str = "unit_visibility";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Their tasks' status only: no score, total or rank.
    #[default]
    Status,
    /// Their own task scores, without roll-ups, total, grade or rank.
    TaskScores,
    /// Everything about themselves: task scores, total, grade, ranks.
    TotalAndRank,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [
        Visibility::Status,
        Visibility::TaskScores,
        Visibility::TotalAndRank,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Status => "status",
            Visibility::TaskScores => "task_scores",
            Visibility::TotalAndRank => "total_and_rank",
        }
    }
    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Visibility::Status => "their tasks' status only (no scores or rank)",
            Visibility::TaskScores => "their own task scores (no total or rank)",
            Visibility::TotalAndRank => "their own scores, total and rank",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Visibility::Status => "仅任务状态(不显示得分和排名)",
            Visibility::TaskScores => "本单位各任务得分(不显示总分和排名)",
            Visibility::TotalAndRank => "本单位得分、总分和排名",
        }
    }
}

/// The cycle's setting.
pub fn setting(s: &mut Store, cycle: &str) -> Result<Visibility> {
    Ok(s.cycle_setting(cycle, KEY)?
        .and_then(|v| Visibility::parse(&v))
        .unwrap_or_default())
}

/// What `actor` sees of scores in `cycle`: everything for those who see the whole cycle, the
/// setting for units.
pub fn for_actor(s: &mut Store, actor: &Actor, cycle: &str) -> Result<Visibility> {
    if allows(actor, Act::ViewCycle) {
        Ok(Visibility::TotalAndRank)
    } else {
        setting(s, cycle)
    }
}

/// Sets what units see (the office).
pub fn set(s: &mut Store, actor: &Actor, cycle: Option<&str>, value: &str) -> Result<Change> {
    require(actor, Act::Administer)?;
    let v = Visibility::parse(value).ok_or_else(|| {
        AppError::Invalid(format!(
            "unit_visibility `{value}`: expected status, task_scores or total_and_rank"
        ))
    })?;
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
    Ok(s.set_cycle_setting(&cycle, KEY, v.as_str(), &actor.id)?)
}

/// Removes from `us` what `v` does not show.
pub fn limit(us: &mut UnitScores, v: Visibility) {
    us.shown = v;
    if v == Visibility::TotalAndRank {
        return;
    }
    us.total = None;
    us.base = None;
    us.bonus = None;
    us.deduction = None;
    us.grade = None;
    us.rank = None;
    us.group_ranks.clear();
    for n in &mut us.nodes {
        if v == Visibility::Status || !n.is_task {
            n.score = None;
        }
    }
}

/// Refuses what `v` does not show, saying why.
pub fn require_at_least(v: Visibility, needed: Visibility) -> Result<()> {
    if v >= needed {
        Ok(())
    } else {
        Err(AppError::Withheld(format!(
            "until the results are published, the office shows units {} (考评结果公布前不向被考评单位显示此内容)",
            match v {
                Visibility::Status => "the status of their tasks only, not their scores",
                _ => "their task scores only, not totals, grades or ranks",
            }
        )))
    }
}
