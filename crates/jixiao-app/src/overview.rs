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

pub struct Overview {
    pub fw: Framework,
    pub card: Scorecard,
    pub ranking: Ranking,
    pub progress: Progress,
    pub reminders: Vec<Reminder>,
    pub today: NaiveDate,
}

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
    let values = s.values(&scored.fw.cycle.id)?;
    let today = settings.today();
    Ok(Overview {
        ranking: ranking(&scored.fw, &scored.card, group)?,
        progress: progress(&scored.fw, &values, today),
        reminders: reminders(&scored.fw, &values, today, settings.reminder_days),
        fw: scored.fw,
        card: scored.card,
        today,
    })
}
