//! Finding a cycle, or a unit, task or period of one, by its id, with the not-found error users
//! see.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::works_in;
use jixiao_core::Framework;
use jixiao_store::{Store, ValueKey};

/// The cycle asked for, or the actor's newest when none is named: the newest of the actor's
/// organisation (the city's for the city's accounts and visitors). A named cycle the actor does
/// not work in ([`crate::policy::works_in`]) is not found, as if it did not exist.
pub fn cycle_id(s: &mut Store, actor: &Actor, asked: Option<&str>) -> Result<String> {
    let cycles = s.cycles()?;
    match asked.filter(|c| !c.is_empty()) {
        Some(c) => match cycles.iter().find(|e| e.id == c) {
            Some(e) if !works_in(actor, e.organisation.as_deref()) => {
                Err(AppError::NotFound(format!("cycle `{c}`")))
            }
            // A cycle not stored is the store's not-found where it is read.
            _ => Ok(c.to_string()),
        },
        None => cycles
            .into_iter()
            .find(|e| e.organisation.as_deref() == actor.organisation())
            .map(|e| e.id)
            .ok_or_else(|| {
                AppError::NotFound(
                    "cycle (import a task book first: jixiao import taskbook FILE)".into(),
                )
            }),
    }
}

/// [`cycle_id`] with the cycle's data version, read in one query when the cycle is named (the
/// reads of kept models ask for both on every request).
pub fn cycle_id_and_version(
    s: &mut Store,
    actor: &Actor,
    asked: Option<&str>,
) -> Result<(String, Option<String>)> {
    match asked.filter(|c| !c.is_empty()) {
        Some(c) => match s.cycle_with_version(c)? {
            Some((organisation, _)) if !works_in(actor, organisation.as_deref()) => {
                Err(AppError::NotFound(format!("cycle `{c}`")))
            }
            Some((_, version)) => Ok((c.to_string(), version)),
            // A cycle not stored is the store's not-found where it is read.
            None => Ok((c.to_string(), None)),
        },
        None => {
            let id = cycle_id(s, actor, None)?;
            let version = s.cycle_version(&id)?;
            Ok((id, version))
        }
    }
}

/// The framework of a cycle (the asked one, or the actor's newest), as [`cycle_id`] finds it.
pub fn framework(s: &mut Store, actor: &Actor, asked: Option<&str>) -> Result<Framework> {
    let id = cycle_id(s, actor, asked)?;
    Ok(s.load_cycle(&id)?)
}

pub fn unit(fw: &Framework, unit: &str) -> Result<usize> {
    fw.units
        .iter()
        .position(|u| u.id == unit)
        .ok_or_else(|| AppError::NotFound(format!("unit `{unit}`")))
}

/// A task (a leaf with a scoring method), not an indicator.
pub fn task(fw: &Framework, task: &str) -> Result<usize> {
    fw.nodes
        .iter()
        .position(|n| n.id == task && n.task.is_some())
        .ok_or_else(|| AppError::NotFound(format!("task `{task}`")))
}

/// A task or an indicator.
pub fn node(fw: &Framework, node: &str) -> Result<usize> {
    fw.node_index(node)
        .ok_or_else(|| AppError::NotFound(format!("node `{node}`")))
}

pub fn period(fw: &Framework, period: &str) -> Result<usize> {
    fw.period_index(period)
        .ok_or_else(|| AppError::NotFound(format!("period `{period}`")))
}

pub fn group(fw: &Framework, group: &str) -> Result<usize> {
    fw.group_index(group)
        .ok_or_else(|| AppError::NotFound(format!("group `{group}`")))
}

/// Refuses a unit that the task does not apply to.
pub fn responsible(fw: &Framework, t: usize, u: usize) -> Result<()> {
    if fw.is_responsible(t, u) {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "{} is not responsible for task {}",
            fw.units[u].name, fw.nodes[t].id
        )))
    }
}

pub fn key(fw: &Framework, t: usize, u: usize, period: usize) -> ValueKey {
    ValueKey {
        task: fw.nodes[t].id.clone(),
        unit: fw.units[u].id.clone(),
        period: fw.cycle.periods[period].id.clone(),
    }
}

/// Every account's display name by id, for pages and lists that show who did something.
pub fn user_names(
    s: &mut jixiao_store::Store,
) -> crate::error::Result<std::collections::HashMap<String, String>> {
    Ok(s.users()?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// The name of the indicator a task belongs to (its parent in the task book), empty for a
/// task at the top.
pub fn indicator_name(fw: &Framework, task: usize) -> String {
    fw.nodes[task]
        .parent
        .map(|i| fw.nodes[i].name.clone())
        .unwrap_or_default()
}
