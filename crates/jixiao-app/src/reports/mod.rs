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
    let id = crate::lookup::cycle_id(s, actor, cycle)?;
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

/// Adds the 接诉即办 section to a live results report (a published one is its sealed snapshot,
/// which does not carry the hotline's figures).
pub fn with_hotline(s: &mut Store, settings: &Settings, loaded: &mut Loaded) -> Result<()> {
    if !loaded.published {
        loaded.hotline = crate::hotline::read::report_section(s, settings, &loaded.fw)?;
    }
    Ok(())
}

/// The office's results report in `format` (docx, html, md, xlsx), for those who see the cycle.
pub fn results_report(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    format: &str,
) -> Result<Rendered> {
    let mut loaded = loaded_for(s, actor, cycle, None)?;
    with_hotline(s, settings, &mut loaded)?;
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
    let v = publication::newest_version(s, actor, cycle, None)?;
    publication::loaded_version(s, &v)
}

/// What is public, for the public index: each published cycle, and each published period
/// ranking (季度排名) of a cycle.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicEntry {
    pub cycle: String,
    /// The cycle's name, and the period's for a period ranking.
    pub name: String,
    /// When its newest version was published (date).
    pub at: String,
    /// The period of a period ranking.
    pub period: Option<String>,
}

pub fn published_cycles(s: &mut Store) -> Result<Vec<PublicEntry>> {
    let mut out = Vec::new();
    for (id, name) in s.cycles()?.into_iter().map(|c| (c.id, c.name)) {
        if s.publication(&id)?.is_some() {
            let at = s
                .publication_versions(&id, "")?
                .pop()
                .map(|v| v.published_at)
                .unwrap_or_default();
            out.push(PublicEntry {
                cycle: id.clone(),
                name: name.clone(),
                at: at.get(..10).unwrap_or("").to_string(),
                period: None,
            });
        }
        let periods = s.published_periods(&id)?;
        if periods.is_empty() {
            continue;
        }
        let fw = s.load_cycle(&id)?;
        for p in periods {
            let at = s
                .publication_versions(&id, &p)?
                .pop()
                .map(|v| v.published_at)
                .unwrap_or_default();
            let pname = fw
                .cycle
                .periods
                .iter()
                .find(|x| x.id == p)
                .map_or(p.clone(), |x| x.name.clone());
            out.push(PublicEntry {
                cycle: id.clone(),
                name: format!("{name} · {pname}"),
                at: at.get(..10).unwrap_or("").to_string(),
                period: Some(p),
            });
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
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let p = s.publication(&fw.cycle.id)?;
    Ok((fw, p))
}

/// Publishes a cycle's results, or a period's ranking, as a frozen version (see
/// [`publication::publish`]; `reason` is required for a correction), or withdraws the year's
/// results from the public pages (the office). A period's ranking, once published, stays: it
/// is corrected, not withdrawn.
pub fn set_published(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    publish: bool,
    period: Option<&str>,
    reason: Option<&str>,
) -> Result<Change> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
    match (publish, period) {
        (true, _) => Ok(publication::publish(s, actor, Some(&cycle), period, reason)?.1),
        (false, None) => Ok(s.set_published(&cycle, false, &actor.id)?),
        (false, Some(p)) => Err(AppError::Invalid(format!(
            "the ranking of {p} is published for good: publish a correction (with its reason) instead of withdrawing it"
        ))),
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
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
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
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
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
