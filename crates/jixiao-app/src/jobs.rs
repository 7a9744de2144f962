//! The office's scheduled work, one slot at a time: each run claims its slot in the database
//! first, so with several server instances on one database every slot runs once. The server
//! runs these on a timer; sending e-mail is the server's part.
//!
//! - `period.lock`: when a period's deadline has passed, its values lock (the lock itself is
//!   judged from the date on every write); the moment is recorded in the audit log once.
//! - `reminders.email`: once a day, the reminder e-mails to every reporter with an address
//!   whose unit has values due soon or overdue.
//! - `hotline.retention`: once a day, requester contacts of hotline cases closed longer ago
//!   than the rules' retention period are erased (Personal Information Protection Law).

use crate::actor::{Actor, Role};
use crate::error::Result;
use crate::policy::{require, Act};
use crate::settings::Settings;
use crate::values::read::{reminder_text, reminders};
use jixiao_store::Store;

/// Records each period whose deadline has passed, once; returns how many this call recorded.
pub fn lock_periods(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    instance: &str,
) -> Result<usize> {
    require(actor, Act::Administer)?;
    let today = settings.today();
    let mut ran = 0;
    for (cycle, _) in s.cycles()? {
        let fw = s.load_cycle(&cycle)?;
        for p in fw.cycle.periods.iter().filter(|p| p.deadline < today) {
            let slot = format!("{cycle}/{}", p.id);
            if s.claim_job("period.lock", &slot, instance)? {
                s.record_event(
                    &actor.id,
                    "period.lock",
                    &format!("cycle/{cycle}/period/{}", p.id),
                    Some(format!("{{\"deadline\":\"{}\"}}", p.deadline)),
                )?;
                ran += 1;
            }
        }
    }
    Ok(ran)
}

/// One reminder e-mail to write.
#[derive(Debug, Clone)]
pub struct Mail {
    pub user: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The day's reminder e-mails, if this instance claims the day (`None` otherwise).
pub fn reminder_mails(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    instance: &str,
) -> Result<Option<Vec<Mail>>> {
    require(actor, Act::Administer)?;
    let today = settings.today();
    if !s.claim_job("reminders.email", &today.to_string(), instance)? {
        return Ok(None);
    }
    let users = s.users()?;
    let mut mails = Vec::new();
    for (cycle, _) in s.cycles()? {
        let fw = s.load_cycle(&cycle)?;
        let values = s.values(&cycle)?;
        for r in reminders(&fw, &values, today, settings.reminder_days) {
            for u in users.iter().filter(|u| {
                u.active
                    && u.role == Role::Reporter
                    && u.unit_id.as_deref() == Some(r.unit_id.as_str())
            }) {
                if let Some(to) = &u.email {
                    mails.push(Mail {
                        user: u.id.clone(),
                        to: to.clone(),
                        subject: format!("[jixiao] {} 绩效填报提醒 ({cycle})", r.unit_name),
                        body: reminder_text(&cycle, &r),
                    });
                }
            }
        }
    }
    Ok(Some(mails))
}

/// Records that reminders went to these users.
pub fn reminders_sent(s: &mut Store, actor: &Actor, users: &[String]) -> Result<()> {
    require(actor, Act::Administer)?;
    for user in users {
        s.record_event(&actor.id, "reminder.sent", &format!("user/{user}"), None)?;
    }
    Ok(())
}

/// Erases expired requester contacts if this instance claims the day; returns whether it did.
pub fn erase_contacts(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    instance: &str,
) -> Result<bool> {
    require(actor, Act::Administer)?;
    let today = settings.today();
    if !s.claim_job("hotline.retention", &today.to_string(), instance)? {
        return Ok(false);
    }
    let before = chrono::TimeZone::from_utc_datetime(
        &chrono::Utc,
        &(today - chrono::Duration::days(settings.hotline.retention_days))
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    );
    let n = s.hotline_erase_contacts(before, &actor.id)?;
    if n > 0 {
        tracing::info!(erased = n, "hotline contacts past retention erased");
    }
    Ok(true)
}
