//! Notifications (通知): what happened to an account's work since it last looked, read from
//! the audit log (which holds every step with who and when) and the to-do: for a unit, its
//! values returned, approved or reopened, comments on them, and values due; for an evaluator,
//! values waiting for review and comments from units; for the office, bonus applications
//! and comments. Shown on the notifications page and sent as an e-mail digest.

use crate::actor::{Actor, Role};
use crate::error::Result;
use crate::policy::{evaluates, require, Act};
use jixiao_core::Framework;
use jixiao_store::AuditEntry;
use jixiao_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// One notification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    /// The audit entry's sequence number (0 for the to-do's summaries).
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// returned, approved, reopened, comment, submitted, resubmitted, bonus_applied, due or
    /// review_waiting.
    pub kind: String,
    /// Who did it (a name when it is an account).
    pub by: String,
    /// What it concerns, in words: unit · task · period, or a count.
    pub subject: String,
    /// A comment or reason, when there is one.
    pub detail: String,
    /// The page to act on it.
    pub link: String,
    /// Newer than what the account last saw.
    pub unread: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notices {
    pub items: Vec<Notice>,
    pub unread: usize,
    /// The newest entry listed: passing it to [`mark_seen`] marks everything read.
    pub newest: i64,
}

/// Entries of the log read for notifications, at most.
const SCANNED: usize = 2_000;
/// Notifications listed, at most.
pub const LISTED: usize = 100;

/// The account's notifications of the newest cycle (or `cycle`), newest first.
pub fn notices(
    s: &mut Store,
    settings: &crate::settings::Settings,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<Notices> {
    require(actor, Act::OwnAccount)?;
    let (seen, _) = s.notice_marks(&actor.id)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let mut items = relevant(s, actor, &fw, None)?;
    let newest = items.iter().map(|n| n.seq).max().unwrap_or(seen).max(seen);
    for n in &mut items {
        n.unread = n.seq > seen;
    }
    // The to-do's and the review queue's counts lead the list.
    let mut summary = Vec::new();
    match actor.role {
        Role::Reporter => {
            if let Some(unit) = actor.unit() {
                let todo = crate::values::todo(s, settings, actor, Some(&fw.cycle.id), unit)?;
                let open = todo.open.len() + todo.returned.len() + todo.overdue_total;
                if open > 0 {
                    summary.push(Notice {
                        seq: 0,
                        at: String::new(),
                        kind: "due".into(),
                        by: String::new(),
                        subject: format!("{open} · {}", todo.period_name),
                        detail: String::new(),
                        link: format!("/units/{unit}/todo"),
                        unread: false,
                    });
                }
                // Hotline cases of the district's streets past their deadline: escalated to
                // the district (counted from the open cases' index, up to 10,000).
                let overdue = s.hotline_case_count(
                    &crate::hotline::CaseFilter {
                        district: Some(unit.to_string()),
                        overdue_at: Some(settings.now()),
                        ..Default::default()
                    },
                    crate::hotline::read::COUNT_CAP,
                )?;
                if overdue > 0 {
                    summary.push(Notice {
                        seq: 0,
                        at: String::new(),
                        kind: "hotline_overdue".into(),
                        by: String::new(),
                        subject: overdue.to_string(),
                        detail: String::new(),
                        link: format!("/hotline/cases?district={unit}&overdue=1"),
                        unread: false,
                    });
                }
                // 督查督办 items near or past their deadline.
                let (warned, red) =
                    crate::supervision::warnings_of(s, settings, &fw.cycle.id, unit)?;
                if warned > 0 {
                    summary.push(Notice {
                        seq: 0,
                        at: String::new(),
                        kind: "supervision_warning".into(),
                        by: String::new(),
                        subject: format!("{warned} · {red}"),
                        detail: String::new(),
                        link: "/supervision".into(),
                        unread: false,
                    });
                }
            }
        }
        Role::Evaluator | Role::Admin => {
            let waiting = crate::values::read::queue(s, actor, Some(&fw.cycle.id))?
                .1
                .len();
            if waiting > 0 {
                summary.push(Notice {
                    seq: 0,
                    at: String::new(),
                    kind: "review_waiting".into(),
                    by: String::new(),
                    subject: waiting.to_string(),
                    detail: String::new(),
                    link: "/review".into(),
                    unread: false,
                });
            }
        }
        Role::Centre | Role::Handler => {
            // The hotline cases waiting for this account.
            let q = crate::hotline::work::queue(s, settings, actor)?;
            let waiting = q.to_dispatch.len() + q.to_call_back.len() + q.open.len() + q.parts.len();
            if waiting > 0 {
                summary.push(Notice {
                    seq: 0,
                    at: String::new(),
                    kind: "cases_waiting".into(),
                    by: String::new(),
                    subject: format!("{waiting} · {}", q.overdue),
                    detail: String::new(),
                    link: "/hotline/work".into(),
                    unread: false,
                });
            }
        }
        Role::Inspector | Role::Rater | Role::Public | Role::Client => {}
    }
    let unread = items.iter().filter(|n| n.unread).count();
    summary.extend(items.into_iter().take(LISTED));
    Ok(Notices {
        items: summary,
        unread,
        newest,
    })
}

/// Marks the account's notifications read up to `seq`.
pub fn mark_seen(s: &mut Store, actor: &Actor, seq: i64) -> Result<()> {
    require(actor, Act::OwnAccount)?;
    Ok(s.set_notice_mark(&actor.id, seq, false)?)
}

/// The notifications of the log after `after` that concern `actor`, newest first.
pub(crate) fn relevant(
    s: &mut Store,
    actor: &Actor,
    fw: &Framework,
    after: Option<i64>,
) -> Result<Vec<Notice>> {
    let c = &fw.cycle.id;
    let mut entries = s.audit_page(
        Some(&format!("cycle/{c}/value/")),
        None,
        None,
        after,
        None,
        true,
        SCANNED,
    )?;
    if actor.role == Role::Admin {
        entries.extend(s.audit_page(
            Some(&format!("cycle/{c}/ledger/")),
            None,
            Some("ledger.propose"),
            after,
            None,
            true,
            SCANNED,
        )?);
        entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    }
    let names = crate::lookup::user_names(s)?;
    Ok(entries
        .iter()
        .filter(|e| e.actor != actor.id)
        .filter_map(|e| notice_of(fw, actor, e, &names))
        .collect())
}

/// The notification an audit entry makes for `actor`, if it concerns them.
fn notice_of(
    fw: &Framework,
    actor: &Actor,
    e: &AuditEntry,
    names: &HashMap<String, String>,
) -> Option<Notice> {
    let parts: Vec<&str> = e.entity.split('/').collect();
    let by = names
        .get(&e.actor)
        .cloned()
        .unwrap_or_else(|| e.actor.clone());
    let detail_of = |key: &str| {
        e.after
            .as_deref()
            .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
            .and_then(|v| v.get(key).and_then(|c| c.as_str()).map(str::to_string))
            .unwrap_or_default()
    };
    if let ["cycle", _, "ledger", _] = parts.as_slice() {
        // A bonus application or proposal, for the office.
        let unit = e
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
            .and_then(|v| v.get("unit").and_then(|u| u.as_str()).map(str::to_string))
            .unwrap_or_default();
        let unit_name = fw
            .unit_index(&unit)
            .map(|u| fw.units[u].name.clone())
            .unwrap_or(unit);
        return Some(Notice {
            seq: e.seq,
            at: e.at.clone(),
            kind: "bonus_applied".into(),
            by,
            subject: unit_name,
            detail: detail_of("reason"),
            link: "/ledger".into(),
            unread: false,
        });
    }
    let (task, unit, period, comment) = match parts.as_slice() {
        ["cycle", _, "value", t, u, p] => (*t, *u, *p, false),
        ["cycle", _, "value", t, u, p, "comments"] => (*t, *u, *p, true),
        _ => return None,
    };
    let action = e.action.strip_prefix("value.").unwrap_or(&e.action);
    let t = fw.node_index(task)?;
    let kind = match (actor.role, action) {
        (_, "comment") if comment => "comment",
        (Role::Reporter, "return" | "approve" | "reopen") => action,
        (Role::Evaluator, "submit" | "resubmit") => action,
        _ => return None,
    };
    let concerns = match actor.role {
        Role::Reporter => actor.unit() == Some(unit),
        Role::Evaluator => actor.evaluator().is_some_and(|ev| evaluates(fw, t, ev)),
        Role::Admin => kind == "comment",
        Role::Centre
        | Role::Handler
        | Role::Inspector
        | Role::Rater
        | Role::Public
        | Role::Client => false,
    };
    if !concerns {
        return None;
    }
    let unit_name = fw
        .unit_index(unit)
        .map(|u| fw.units[u].name.as_str())
        .unwrap_or(unit);
    let period_name = fw
        .period_index(period)
        .map(|p| fw.cycle.periods[p].name.as_str())
        .unwrap_or(period);
    let kind = match kind {
        "return" => "returned",
        "approve" => "approved",
        "reopen" => "reopened",
        "submit" => "submitted",
        "resubmit" => "resubmitted",
        other => other,
    };
    Some(Notice {
        seq: e.seq,
        at: e.at.clone(),
        kind: kind.into(),
        by,
        subject: format!("{unit_name} · {} · {period_name}", fw.nodes[t].name),
        detail: detail_of("comment"),
        link: format!("/units/{unit}/tasks/{task}#history-{period}"),
        unread: false,
    })
}
