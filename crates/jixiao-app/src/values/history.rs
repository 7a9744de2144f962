//! A value's history: every save, submission, return (with its reason), approval, reopening,
//! grade and import, read from the audit log, which holds each one with who and when. Shown to
//! the unit and the evaluator on the value's card and task page, so a unit sees why a value
//! came back and an evaluator what changed since.

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{require, Act};
use jixiao_core::records::ValueRow;
use jixiao_store::{Store, ValueKey};
use serde::Serialize;
use utoipa::ToSchema;

/// One step in a value's life.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ValueStep {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: the account id (or `cli`, a job), and its name when it is an account.
    pub actor: String,
    pub actor_name: String,
    /// draft, submit, return, approve, reopen, grade, import, resubmit, or comment (a message
    /// between the unit and its evaluator, which leaves the value as it was).
    pub action: String,
    /// The state the value was left in: draft, submitted, returned or approved.
    pub state: String,
    pub value: String,
    pub note: String,
    /// The reviewer's words: a return's reason, a reopening's.
    pub comment: String,
}

/// The steps of one value, oldest first, for those who see its unit.
pub fn history(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    task: &str,
    period: &str,
) -> Result<Vec<ValueStep>> {
    require(actor, Act::ViewUnit(unit))?;
    let fw = lookup::framework(s, actor, cycle)?;
    lookup::unit(&fw, unit)?;
    lookup::node(&fw, task)?;
    lookup::period(&fw, period)?;
    let key = ValueKey {
        task: task.to_string(),
        unit: unit.to_string(),
        period: period.to_string(),
    };
    let entity = jixiao_store::value_entity(&fw.cycle.id, &key);
    let mut entries = s.audit_entries_of(&entity)?;
    entries.extend(s.audit_entries_of(&comments_entity(&entity))?);
    entries.sort_by_key(|e| e.seq);
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let names = crate::lookup::user_names(s)?;
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let after: serde_json::Value = serde_json::from_str(e.after.as_deref()?).ok()?;
            let name = names
                .get(&e.actor)
                .cloned()
                .unwrap_or_else(|| e.actor.clone());
            if e.action == COMMENT {
                return Some(ValueStep {
                    actor_name: name,
                    action: "comment".into(),
                    at: e.at,
                    actor: e.actor,
                    state: String::new(),
                    value: String::new(),
                    note: String::new(),
                    comment: after.get("comment")?.as_str()?.to_string(),
                });
            }
            // Reviews record {row, comment}; saves, grades and imports the row itself.
            let (row, comment) = match after.get("row") {
                Some(row) => (
                    row.clone(),
                    after
                        .get("comment")
                        .and_then(|c| c.as_str())
                        .unwrap_or_default()
                        .to_string(),
                ),
                None => (after, String::new()),
            };
            let row: ValueRow = serde_json::from_value(row).ok()?;
            Some(ValueStep {
                actor_name: name,
                action: e
                    .action
                    .strip_prefix("value.")
                    .unwrap_or(&e.action)
                    .to_string(),
                at: e.at,
                actor: e.actor,
                state: row.state.as_str().to_string(),
                value: row.observation.to_string(),
                note: row.note,
                comment,
            })
        })
        .collect())
}

/// The evaluator's reason of the value's last return, if it was ever returned.
pub fn return_reason(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    unit: &str,
    task: &str,
    period: &str,
) -> Result<Option<String>> {
    Ok(history(s, actor, Some(cycle), unit, task, period)?
        .into_iter()
        .rev()
        .find(|st| st.action == "return")
        .map(|st| st.comment))
}

/// The audit action of a comment on a value.
pub const COMMENT: &str = "value.comment";

/// Where a value's comments are recorded: beside the value's own entity, which holds its rows
/// (the data check compares those with the table).
pub fn comments_entity(value_entity: &str) -> String {
    format!("{value_entity}/comments")
}

/// Longest comment, in characters.
pub const COMMENT_CHARS: usize = 2_000;

/// A comment on a value between its unit and the evaluators of its task (or the office): kept
/// in the audit log with who and when, shown in the value's history. Returns the history.
pub fn comment(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    task: &str,
    period: &str,
    body: &str,
) -> Result<Vec<ValueStep>> {
    let fw = lookup::framework(s, actor, cycle)?;
    let t = lookup::task(&fw, task)?;
    if !(crate::policy::allows(actor, Act::EnterValue(unit))
        || crate::policy::allows(actor, Act::Review(&fw, t)))
    {
        return Err(crate::policy::refusal(actor));
    }
    let u = lookup::unit(&fw, unit)?;
    let p = lookup::period(&fw, period)?;
    lookup::responsible(&fw, t, u)?;
    crate::text::paragraphs("comment", body, COMMENT_CHARS)?;
    if body.trim().is_empty() {
        return Err(crate::error::AppError::Rejected(
            jixiao_core::checks::Words {
                en: "the comment is empty".into(),
                zh: "留言内容为空".into(),
            },
        ));
    }
    let key = lookup::key(&fw, t, u, p);
    let entity = comments_entity(&jixiao_store::value_entity(&fw.cycle.id, &key));
    s.record_event(
        &actor.id,
        COMMENT,
        &entity,
        Some(serde_json::json!({ "comment": body.trim() }).to_string()),
    )?;
    history(
        s,
        actor,
        Some(&fw.cycle.id),
        &fw.units[u].id,
        &fw.nodes[t].id,
        &fw.cycle.periods[p].id,
    )
}
