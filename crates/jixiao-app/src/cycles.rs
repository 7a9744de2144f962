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
}

/// Cycles in the database, newest first (anyone logged in).
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<CycleInfo>> {
    require(actor, Act::OwnAccount)?;
    Ok(s.cycles()?
        .into_iter()
        .map(|(id, name)| CycleInfo { id, name })
        .collect())
}

/// The cycle asked for, or the newest when none is named.
pub fn resolve(s: &mut Store, asked: Option<&str>) -> Result<String> {
    crate::lookup::cycle_id(s, asked)
}

/// The framework of a cycle (the asked one, or the newest).
pub fn load(s: &mut Store, asked: Option<&str>) -> Result<Framework> {
    crate::lookup::framework(s, asked)
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
    let fw = s.load_cycle(from)?;
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
