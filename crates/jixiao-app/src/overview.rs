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
    let scored = crate::scores::scored(s, cycle)?;
    let today = settings.today();
    let window = settings.reminder_days;
    let kept = PROGRESS.get_with(s, &scored.fw.cycle.id, &format!("{today}|{window}"), |s| {
        let values = crate::values::read::cycle_values(s, Some(&scored.fw.cycle.id))?.values;
        Ok((
            progress(&scored.fw, &values, today),
            reminders(&scored.fw, &values, today, window),
        ))
    })?;
    let (all_progress, all_reminders) = &*kept;
    let mut progress = all_progress.clone();
    progress.off_track.truncate(LISTED);
    Ok(Overview {
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
