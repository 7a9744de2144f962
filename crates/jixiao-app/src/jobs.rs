//! The office's scheduled work, one slot at a time: each run claims its slot in the database
//! first, so with several server instances on one database every slot runs once. The server
//! runs these on a timer; sending e-mail is the server's part.
//!
//! - `period.lock`: when a period's deadline has passed, its values lock (the lock itself is
//!   judged from the date on every write); the moment is recorded in the audit log once.
//! - `reminders.email`: once a day, the reminder e-mails to every reporter with an address
//!   whose unit has values due soon or overdue.
//! - `notices.email`: once an hour, an e-mail digest of each account's new notifications
//!   ([`crate::notices`]) with links to act on them.
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
    require(actor, Act::AdministerSystem)?;
    let today = settings.today();
    let mut ran = 0;
    for cycle in s.cycles()?.into_iter().map(|c| c.id) {
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
    require(actor, Act::AdministerSystem)?;
    let today = settings.today();
    if !s.claim_job("reminders.email", &today.to_string(), instance)? {
        return Ok(None);
    }
    let users = s.users()?;
    let mut mails = Vec::new();
    for cycle in s.cycles()?.into_iter().map(|c| c.id) {
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

/// A notification digest to send, and how far it reaches in the log.
#[derive(Debug, Clone)]
pub struct NoticeMail {
    pub mail: Mail,
    /// The newest notification it lists: recorded as mailed once it is sent.
    pub newest: i64,
}

/// The hour's notification digests, if this instance claims the hour (`None` otherwise): one
/// per active account with an e-mail address and notifications it was not mailed yet, each
/// listing them with a link under `public_url`. An account's first digest lists only what
/// happened after it was set up for mail (nothing older than the newest entry then).
pub fn notice_mails(
    s: &mut Store,
    actor: &Actor,
    instance: &str,
    hour: &str,
    public_url: &str,
) -> Result<Option<Vec<NoticeMail>>> {
    require(actor, Act::AdministerSystem)?;
    if !s.claim_job("notices.email", hour, instance)? {
        return Ok(None);
    }
    let mut out = Vec::new();
    // Each account hears of its own organisation's newest cycle, read once per cycle.
    let mut frameworks: std::collections::HashMap<String, std::sync::Arc<jixiao_core::Framework>> =
        std::collections::HashMap::new();
    for user in s.users()? {
        let Some(to) = user.email.clone().filter(|_| user.active) else {
            continue;
        };
        let recipient = Actor::from_user(user.clone());
        let Ok(cycle) = crate::lookup::cycle_id(s, &recipient, None) else {
            continue;
        };
        let fw = match frameworks.get(&cycle) {
            Some(fw) => fw.clone(),
            None => {
                let fw = std::sync::Arc::new(s.load_cycle(&cycle)?);
                frameworks.insert(cycle, fw.clone());
                fw
            }
        };
        let (_, mailed) = s.notice_marks(&user.id)?;
        if mailed == 0 {
            // Never mailed: start from now rather than send the whole history.
            let head = s.audit_page(None, None, None, None, None, true, 1)?;
            if let Some(e) = head.first() {
                s.set_notice_mark(&user.id, e.seq, true)?;
            }
            continue;
        }
        let items = crate::notices::relevant(s, &recipient, &fw, Some(mailed))?;
        let Some(newest) = items.iter().map(|n| n.seq).max() else {
            continue;
        };
        let mut body = format!(
            "{}，您好：\n\n{} 有 {} 条新通知 ({} new notifications):\n\n",
            user.display_name,
            fw.cycle.name,
            items.len(),
            items.len()
        );
        for n in items.iter().take(50) {
            body += &format!(
                "- {} · {}{}\n  {public_url}{}\n",
                notice_words(&n.kind),
                n.subject,
                if n.detail.is_empty() {
                    String::new()
                } else {
                    format!(" · “{}”", n.detail)
                },
                n.link
            );
        }
        body += &format!("\n全部通知 All notifications: {public_url}/notifications\n");
        out.push(NoticeMail {
            mail: Mail {
                user: user.id.clone(),
                to,
                subject: format!("[jixiao] {} 条新通知 · {}", items.len(), fw.cycle.name),
                body,
            },
            newest,
        });
    }
    Ok(Some(out))
}

/// Records that these digests went out: each account's mailed mark moves to its newest.
pub fn notices_mailed(s: &mut Store, actor: &Actor, sent: &[(String, i64)]) -> Result<()> {
    require(actor, Act::AdministerSystem)?;
    for (user, seq) in sent {
        s.set_notice_mark(user, *seq, true)?;
    }
    Ok(())
}

/// A notification's kind in words, both languages (mail has no language setting).
fn notice_words(kind: &str) -> &'static str {
    match kind {
        "returned" => "数值被退回 value returned",
        "approved" => "数值审核通过 value approved",
        "reopened" => "数值重新开放 value reopened",
        "comment" => "新留言 new comment",
        "submitted" => "数值待审核 value waiting for review",
        "resubmitted" => "补充佐证后待审核 back for review",
        "bonus_applied" => "创新创优申报待认定 bonus application",
        _ => "通知 notification",
    }
}

/// Records that reminders went to these users.
pub fn reminders_sent(s: &mut Store, actor: &Actor, users: &[String]) -> Result<()> {
    require(actor, Act::AdministerSystem)?;
    for user in users {
        s.record_event(&actor.id, "reminder.sent", &format!("user/{user}"), None)?;
    }
    Ok(())
}

/// Claims the day's contact retention for this instance; returns the cut-off (contacts of
/// cases closed before it are erased) when it did, `None` when another instance has the day.
pub fn claim_contact_retention(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    instance: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    require(actor, Act::AdministerSystem)?;
    let today = settings.today();
    if !s.claim_job("hotline.retention", &today.to_string(), instance)? {
        return Ok(None);
    }
    Ok(Some(chrono::TimeZone::from_utc_datetime(
        &chrono::Utc,
        &(today - chrono::Duration::days(settings.hotline.retention_days))
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    )))
}

/// Erases one batch of expired contacts (one transaction, at most
/// [`jixiao_store::hotline::CONTACT_ERASE_BATCH`]); returns how many, and whether none are left.
/// The caller runs batches as separate writes so that other writes are served between them.
pub fn erase_contacts_batch(
    s: &mut Store,
    actor: &Actor,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, bool)> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_erase_contacts_batch(
        before,
        &actor.id,
        jixiao_store::hotline::CONTACT_ERASE_BATCH,
    )?)
}
