//! The office's overview of a cycle: reporting progress, the ranking, off-track and overdue
//! values, and the reminders due.

use crate::actor::Actor;
use crate::error::Result;
use crate::policy::{require, Act};
use crate::scores::{ranking, Ranking};
use crate::settings::Settings;
use crate::values::read::{progress, reminders, Progress, Reminder};
use chrono::NaiveDate;
use jixiao_core::{Framework, Scorecard};
use jixiao_store::Store;
use std::sync::Arc;

pub struct Overview {
    pub fw: Arc<Framework>,
    pub card: Arc<Scorecard>,
    pub ranking: Ranking,
    /// Reporting progress; its off-track list holds at most [`LISTED`] values.
    pub progress: Progress,
    /// Off-track values in all.
    pub off_track_total: usize,
    /// Off-track values counted by unit and by indicator (the risk list's groups).
    pub risk_units: Vec<RiskGroup>,
    pub risk_indicators: Vec<RiskGroup>,
    /// Units with values due or overdue: at most [`LISTED`] of them.
    pub reminders: Vec<Reminder>,
    pub reminders_total: usize,
    pub today: NaiveDate,
}

/// How many off-track values and units to remind the overview lists (a city has thousands).
pub const LISTED: usize = 50;

/// Progress and reminders kept per cycle version, day and reminder window.
static PROGRESS: crate::cache::Versioned<(Progress, Vec<Reminder>)> =
    crate::cache::Versioned::new();

/// The overview of `cycle` (or the newest), its ranking overall or in `group`.
pub fn overview(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    group: Option<&str>,
) -> Result<Overview> {
    require(actor, Act::ViewCycle)?;
    let scored = crate::scores::scored(s, actor, cycle)?;
    let today = settings.today();
    let window = settings.reminder_days;
    let kept = PROGRESS.get_with(s, &scored.fw.cycle.id, &format!("{today}|{window}"), |s| {
        let values = crate::values::read::cycle_values(s, actor, Some(&scored.fw.cycle.id))?.values;
        Ok((
            progress(&scored.fw, &values, today),
            reminders(&scored.fw, &values, today, window),
        ))
    })?;
    let (all_progress, all_reminders) = &*kept;
    let mut progress = all_progress.clone();
    progress.off_track.truncate(LISTED);
    let (risk_units, risk_indicators) = risk_groups(&scored.fw, &all_progress.off_track);
    Ok(Overview {
        risk_units,
        risk_indicators,
        ranking: ranking(&scored.fw, &scored.card, group)?,
        progress,
        off_track_total: all_progress.off_track.len(),
        reminders: all_reminders.iter().take(LISTED).cloned().collect(),
        reminders_total: all_reminders.len(),
        fw: scored.fw,
        card: scored.card,
        today,
    })
}

/// Which off-track values the risk list shows.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub unit: Option<String>,
    /// An indicator's id: its tasks' values.
    pub indicator: Option<String>,
    /// `behind` or `at_risk`.
    pub status: Option<String>,
    /// 1-based.
    pub page: usize,
}

/// Off-track values counted by one unit or indicator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RiskGroup {
    pub id: String,
    pub name: String,
    pub behind: usize,
    pub at_risk: usize,
}

/// The risk list (风险事项): off-track values grouped by unit and by indicator, and one page
/// of the values the filter picks.
#[derive(Debug, serde::Serialize)]
pub struct Risks {
    pub cycle_name: String,
    pub by_unit: Vec<RiskGroup>,
    pub by_indicator: Vec<RiskGroup>,
    pub rows: Vec<RiskRow>,
    /// Values the filter picks, on every page.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub units: Vec<(String, String)>,
    pub indicators: Vec<(String, String)>,
}

#[derive(Debug, serde::Serialize)]
pub struct RiskRow {
    #[serde(flatten)]
    pub value: crate::values::ValueOut,
    pub indicator_id: String,
    pub indicator_name: String,
}

/// Values on one page of the risk list.
pub const RISKS_PER_PAGE: usize = 50;

/// The risk list of `cycle`: the latest off-track value of each unit and task (as the overview
/// counts them), grouped by unit and indicator (most behind first), filtered and paged.
pub fn risks(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    filter: &RiskFilter,
) -> Result<Risks> {
    require(actor, Act::ViewCycle)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let today = settings.today();
    let window = settings.reminder_days;
    let kept = PROGRESS.get_with(s, &fw.cycle.id, &format!("{today}|{window}"), |s| {
        let values = crate::values::read::cycle_values(s, actor, Some(&fw.cycle.id))?.values;
        Ok((
            progress(&fw, &values, today),
            reminders(&fw, &values, today, window),
        ))
    })?;
    let all: Vec<(&crate::values::ValueOut, (String, String))> = kept
        .0
        .off_track
        .iter()
        .map(|v| (v, indicator_of(&fw, &v.task_id)))
        .collect();
    let (by_unit, by_indicator) = risk_groups(&fw, &kept.0.off_track);
    let picked: Vec<_> = all
        .iter()
        .filter(|(v, ind)| {
            filter.unit.as_ref().is_none_or(|u| *u == v.unit_id)
                && filter.indicator.as_ref().is_none_or(|i| *i == ind.0)
                && filter.status.as_ref().is_none_or(|s| *s == v.status)
        })
        .collect();
    let total = picked.len();
    let pages = total.div_ceil(RISKS_PER_PAGE).max(1);
    let page = filter.page.clamp(1, pages);
    let rows = picked
        .into_iter()
        .skip((page - 1) * RISKS_PER_PAGE)
        .take(RISKS_PER_PAGE)
        .map(|(v, (id, name))| RiskRow {
            value: (*v).clone(),
            indicator_id: id.clone(),
            indicator_name: name.clone(),
        })
        .collect();
    Ok(Risks {
        cycle_name: fw.cycle.name.clone(),
        units: by_unit
            .iter()
            .map(|g| (g.id.clone(), g.name.clone()))
            .collect(),
        indicators: by_indicator
            .iter()
            .map(|g| (g.id.clone(), g.name.clone()))
            .collect(),
        by_unit,
        by_indicator,
        rows,
        total,
        page,
        pages,
    })
}

/// The indicator (parent) of a task: id and name, empty for a task at the top.
fn indicator_of(fw: &Framework, task: &str) -> (String, String) {
    fw.node_index(task)
        .and_then(|t| fw.nodes[t].parent)
        .map(|p| (fw.nodes[p].id.clone(), fw.nodes[p].name.clone()))
        .unwrap_or_default()
}

/// Off-track values counted by unit and by indicator, most behind first.
pub fn risk_groups(
    fw: &Framework,
    off_track: &[crate::values::ValueOut],
) -> (Vec<RiskGroup>, Vec<RiskGroup>) {
    let count = |key: &dyn Fn(&crate::values::ValueOut) -> (String, String)| {
        let mut groups: Vec<RiskGroup> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        for v in off_track {
            let (id, name) = key(v);
            let i = *at.entry(id.clone()).or_insert_with(|| {
                groups.push(RiskGroup {
                    id,
                    name,
                    behind: 0,
                    at_risk: 0,
                });
                groups.len() - 1
            });
            if v.status == "behind" {
                groups[i].behind += 1;
            } else {
                groups[i].at_risk += 1;
            }
        }
        groups.sort_by(|a, b| (b.behind, b.at_risk, &a.id).cmp(&(a.behind, a.at_risk, &b.id)));
        groups
    };
    (
        count(&|v| (v.unit_id.clone(), v.unit_name.clone())),
        count(&|v| indicator_of(fw, &v.task_id)),
    )
}
