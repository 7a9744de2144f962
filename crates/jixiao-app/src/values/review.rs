//! Reviewing a value: an evaluator of the task approves or returns it with a comment; the
//! office reopens a locked value with a reason.

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use crate::values::read::{written, ValueOut};
use jixiao_core::workflow::Action;
use jixiao_store::Store;

#[derive(Debug, Clone)]
pub struct ReviewValue {
    /// None for the newest cycle.
    pub cycle: Option<String>,
    pub unit: String,
    pub task: String,
    pub period: String,
    pub action: Action,
}

pub fn review(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    r: &ReviewValue,
) -> Result<ValueOut> {
    require(actor, Act::Evaluate)?;
    if let Action::Return { comment } | Action::Reopen { reason: comment } = &r.action {
        crate::text::paragraphs("comment", comment, crate::text::NOTE)?;
    }
    let fw = crate::lookup::framework(s, actor, r.cycle.as_deref())?;
    let cycle = fw.cycle.id.clone();
    let t = lookup::task(&fw, &r.task)?;
    match r.action {
        Action::Reopen { .. } => require(actor, Act::Administer)?,
        _ => require(actor, Act::Review(&fw, t))?,
    }
    let u = lookup::unit(&fw, &r.unit)?;
    let p = lookup::period(&fw, &r.period)?;
    let key = lookup::key(&fw, t, u, p);
    s.review_value(
        &cycle,
        &key,
        &r.action,
        actor.role,
        &actor.id,
        settings.today(),
    )?;
    written(s, &fw, &key)
}
