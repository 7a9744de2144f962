//! Reports and publication: loading a cycle for its reports and writing them
//! ([`render`]), the paragraphs units write for their self-assessment report, publishing a
//! cycle's results, and the public pages' access rule.

pub mod publication;
mod render;

pub use render::{facts_for, load, render, Format, Kind, Loaded, Rendered};

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_core::Framework;
use jixiao_report::{Narratives, Section};
use jixiao_store::reports::Publication;
use jixiao_store::{Change, Store};

/// The narrative paragraphs of a cycle's units.
pub fn narratives(s: &mut Store, fw: &Framework) -> Result<Narratives> {
    Ok(render::stored_narratives(s, &fw.cycle.id)?)
}

/// A cycle loaded for a report that `actor` may read: the results report (those who see the
/// cycle) or a unit's reports (those who see the unit).
pub fn loaded_for(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: Option<&str>,
) -> Result<Loaded> {
    match unit {
        Some(u) => require(actor, Act::ViewUnit(u))?,
        None => require(actor, Act::ViewCycle)?,
    }
    let id = crate::lookup::cycle_id(s, cycle)?;
    Ok(load(s, &id)?)
}

fn format_of(s: &str) -> Result<Format> {
    Format::parse(s)
        .ok_or_else(|| AppError::NotFound(format!("format `{s}` (docx, html, md, xlsx)")))
}

fn unit_kind(s: &str) -> Result<Kind> {
    Kind::parse(s)
        .filter(|k| k.needs_unit())
        .ok_or_else(|| AppError::NotFound(format!("report `{s}` (self, selfcheck)")))
}

/// The office's results report in `format` (docx, html, md, xlsx), for those who see the cycle.
pub fn results_report(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    format: &str,
) -> Result<Rendered> {
    let loaded = loaded_for(s, actor, cycle, None)?;
    render(
        &loaded,
        &settings.wording,
        Kind::Results,
        None,
        format_of(format)?,
        settings.today(),
    )
}

/// A unit's report `kind` (`self`: docx, html, md; `selfcheck`: xlsx, html, docx, md), for
/// those who see the unit.
pub fn unit_report(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    kind: &str,
    format: &str,
) -> Result<Rendered> {
    let loaded = loaded_for(s, actor, cycle, Some(unit))?;
    let kind = unit_kind(kind)?;
    // The self-report states the total and rank; the self-check table, task scores.
    let v = crate::visibility::for_actor(s, actor, &loaded.fw.cycle.id)?;
    crate::visibility::require_at_least(
        v,
        match kind {
            Kind::SelfCheck => crate::visibility::Visibility::TaskScores,
            _ => crate::visibility::Visibility::TotalAndRank,
        },
    )?;
    render(
        &loaded,
        &settings.wording,
        kind,
        Some(unit),
        format_of(format)?,
        settings.today(),
    )
}

/// A report of a published cycle ([`published`]): the results report (`unit` None) or a unit's.
pub fn published_report(
    loaded: &Loaded,
    settings: &Settings,
    unit: Option<&str>,
    kind: &str,
    format: &str,
) -> Result<Rendered> {
    let kind = match unit {
        Some(_) => unit_kind(kind)?,
        None => Kind::Results,
    };
    render(
        loaded,
        &settings.wording,
        kind,
        unit,
        format_of(format)?,
        settings.today(),
    )
}

/// The task self-check rows of a unit of a published cycle, with the unit's index.
pub fn published_unit(
    loaded: &Loaded,
    settings: &Settings,
    unit: &str,
) -> Result<(usize, Vec<jixiao_report::SelfCheckRow>)> {
    let u = loaded
        .fw
        .units
        .iter()
        .position(|x| x.id == unit)
        .ok_or_else(|| AppError::NotFound(format!("unit `{unit}`")))?;
    let d = loaded.data(settings.today());
    let (_, rows) = jixiao_report::self_check(&d, &settings.wording, u)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((u, rows))
}

/// A published cycle for the public pages; an unpublished or unknown one is "not found", as if
/// it did not exist, so nothing unpublished can be found by guessing addresses.
/// The figures are those of the newest published version, never the live data.
pub fn published(s: &mut Store, actor: &Actor, cycle: &str) -> Result<Loaded> {
    let (_, snapshot) = publication::newest(s, actor, cycle)?;
    publication::loaded(&snapshot)
}

/// The published cycles: (id, name, date published).
pub fn published_cycles(s: &mut Store) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for (id, name) in s.cycles()? {
        if let Some(p) = s.publication(&id)? {
            out.push((id, name, p.published_at.get(..10).unwrap_or("").to_string()));
        }
    }
    Ok(out)
}

/// A cycle's framework and publication, for the office's report list.
pub fn overview(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(Framework, Option<Publication>)> {
    require(actor, Act::ViewCycle)?;
    let fw = crate::lookup::framework(s, cycle)?;
    let p = s.publication(&fw.cycle.id)?;
    Ok((fw, p))
}

/// Publishes a cycle's results as a frozen version (see [`publication::publish`]; `reason`
/// is required for a correction), or withdraws them from the public pages (the office).
pub fn set_published(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    publish: bool,
    reason: Option<&str>,
) -> Result<Change> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, cycle)?;
    if publish {
        Ok(publication::publish(s, actor, Some(&cycle), reason)?.1)
    } else {
        Ok(s.set_published(&cycle, false, &actor.id)?)
    }
}

/// A unit's own paragraphs, by section.
pub fn unit_narratives(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<Vec<jixiao_store::reports::Narrative>> {
    require(actor, Act::ViewUnit(unit))?;
    let cycle = crate::lookup::cycle_id(s, cycle)?;
    Ok(s.narratives(&cycle)?
        .into_iter()
        .filter(|n| n.unit == unit)
        .collect())
}

/// Saves sections of a unit's report text (the unit itself, or the office); each empty text
/// removes its section. Returns whether anything changed.
pub fn save_narratives(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    sections: &[(Section, &str)],
) -> Result<bool> {
    require(actor, Act::WriteReport(unit))?;
    for (section, body) in sections {
        crate::text::paragraphs(section.as_str(), body, crate::text::NARRATIVE)?;
    }
    let cycle = crate::lookup::cycle_id(s, cycle)?;
    let mut changed = false;
    for (section, body) in sections {
        changed |=
            s.save_narrative(&cycle, unit, section.as_str(), body, &actor.id)? != Change::Unchanged;
    }
    Ok(changed)
}

/// Saves one section (named as sent: overview, highlights, rectification, next_year) of a
/// unit's report text; returns whether it changed.
pub fn save_narrative(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    section: &str,
    text: &str,
) -> Result<bool> {
    require(actor, Act::WriteReport(unit))?;
    let section = Section::parse(section).ok_or_else(|| {
        AppError::NotFound(format!(
            "section `{section}` (overview, highlights, rectification, next_year)"
        ))
    })?;
    save_narratives(s, actor, cycle, unit, &[(section, text)])
}
