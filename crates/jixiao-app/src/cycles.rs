//! Cycles and their task books: which cycles there are, the one a request means, importing a
//! task book, and drafting next year's.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use jixiao_core::Framework;
use jixiao_store::{Change, Store};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CycleInfo {
    pub id: String,
    pub name: String,
    /// The organisation running the cycle; absent for the city's cycles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// The cycles the actor works in (anyone logged in): the city's first, then each
/// organisation's, newest first within each.
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<CycleInfo>> {
    require(actor, Act::OwnAccount)?;
    Ok(s.cycles()?
        .into_iter()
        .filter(|c| crate::policy::works_in(actor, c.organisation.as_deref()))
        .map(|c| CycleInfo {
            id: c.id,
            name: c.name,
            organisation: c.organisation,
        })
        .collect())
}

/// The organisations that run cycles of their own, as (id, name) (the city's office, choosing
/// an account's organisation).
pub fn organisations(s: &mut Store, actor: &Actor) -> Result<Vec<(String, String)>> {
    require(actor, Act::ManageAccounts(None))?;
    Ok(known_organisations(s)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Each organisation that runs a cycle, as its newest cycle names it (no permission asked:
/// callers ask for what they show).
pub(crate) fn known_organisations(s: &mut Store) -> Result<Vec<jixiao_core::Organisation>> {
    let mut out: Vec<jixiao_core::Organisation> = Vec::new();
    for c in s.cycles()? {
        // The list gives each organisation's newest cycle first: one framework read each.
        match c.organisation {
            Some(id) if !out.iter().any(|o| o.id == id) => {
                if let Some(o) = s.load_cycle(&c.id)?.organisation {
                    out.push(o);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The cycle asked for, or the newest when none is named.
pub fn resolve(s: &mut Store, actor: &Actor, asked: Option<&str>) -> Result<String> {
    crate::lookup::cycle_id(s, actor, asked)
}

/// The framework of a cycle (the asked one, or the newest).
pub fn load(s: &mut Store, actor: &Actor, asked: Option<&str>) -> Result<Framework> {
    crate::lookup::framework(s, actor, asked)
}

/// Stores a checked task book as its cycle (the office), with its source text (the canonical
/// TOML of `fw` when None).
pub fn import_taskbook(
    s: &mut Store,
    actor: &Actor,
    fw: &Framework,
    source: Option<&str>,
) -> Result<Change> {
    require(actor, Act::Administer)?;
    // A district office issues task books for its own organisation only, and cannot replace
    // a cycle of the city's (or another organisation's) that has the same id.
    let organisation = fw.organisation.as_ref().map(|o| o.id.as_str());
    if !crate::policy::works_in(actor, organisation) {
        return Err(AppError::Forbidden);
    }
    if let Some(existing) = s.cycles()?.into_iter().find(|c| c.id == fw.cycle.id) {
        if !crate::policy::works_in(actor, existing.organisation.as_deref()) {
            return Err(AppError::Forbidden);
        }
    }
    let canonical;
    let source = match source {
        Some(text) => text,
        None => {
            canonical = jixiao_taskbook::to_toml(fw);
            &canonical
        }
    };
    Ok(s.save_cycle(fw, source, &actor.id)?)
}

/// Next year's task book from cycle `from`: dates a year on, targets carried over to be re-set,
/// each unit's rectification items as tasks (the office).
pub fn next(
    s: &mut Store,
    actor: &Actor,
    from: &str,
    id: Option<&str>,
) -> Result<jixiao_taskbook::next::NextCycle> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, Some(from))?;
    let items: Vec<(String, Vec<String>)> = {
        let narratives = crate::reports::narratives(s, &fw)?;
        fw.units
            .iter()
            .map(|u| (u.id.clone(), narratives.rectification_items(&u.id)))
            .filter(|(_, items)| !items.is_empty())
            .collect()
    };
    jixiao_taskbook::next::next_cycle(&fw, id, &items).map_err(|e| AppError::Invalid(e.to_string()))
}
