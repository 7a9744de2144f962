//! 接诉即办: the office's work on the hotline data (geography and catalogue, imports, the
//! generator, feeding the cycle's hotline task, rebuilds, retention, Open311 keys), the case
//! actions (a full view of a requester's contact, leaving a case out of the rates), Open311
//! submissions ([`open311`]) and the read models of the pages ([`read`]).

pub mod grid;
pub mod open311;
pub mod problems;
pub mod read;
pub mod work;

pub use jixiao_store::hotline::{CaseFilter, CaseImport};

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use jixiao_core::records::{ValueKey, ValueRow};
use jixiao_core::Framework;
use jixiao_hotline::catalogue::Category;
use jixiao_hotline::generate::Generator;
use jixiao_hotline::geography::Geography;
use jixiao_hotline::{Case, HotlineConfig};
use jixiao_store::Store;
use std::collections::BTreeMap;

/// Stores a geography (and a catalogue, when given; the built-in one when the database has
/// none) (the office). Returns the number of areas.
pub fn init(
    s: &mut Store,
    actor: &Actor,
    geo: &Geography,
    catalogue: Option<&[Category]>,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let n = s.hotline_save_geography(geo, &actor.id)?;
    match catalogue {
        Some(list) => s.hotline_save_categories(list)?,
        None if s.hotline_categories()?.is_empty() => {
            s.hotline_save_categories(&jixiao_hotline::catalogue::built_in())?
        }
        None => {}
    }
    Ok(n)
}

/// Puts `next` in force from `month` (`YYYY-MM`, a re-division): areas the stored geography has
/// and `next` has not are retired from that month, new ones are in force from it (see
/// [`Geography::with_version`]); answers the areas in force then.
pub fn geography_version(
    s: &mut Store,
    actor: &Actor,
    next: &Geography,
    month: &str,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let current = s.hotline_geography()?;
    if current.areas.is_empty() {
        return Err(AppError::Invalid(
            "the hotline has no geography yet: store one first (without an effective month)".into(),
        ));
    }
    let merged = current
        .with_version(next, month)
        .map_err(AppError::Invalid)?;
    s.hotline_save_geography(&merged, &actor.id)?;
    Ok(merged
        .areas
        .iter()
        .filter(|a| a.in_force(Some(month)))
        .count())
}

/// The stored geography with its boundaries (the office).
pub fn geography(s: &mut Store, actor: &Actor) -> Result<Geography> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_geography()?)
}

/// Stores the built-in geography and catalogue unless the database has them (the office).
pub fn ensure_geography(s: &mut Store, actor: &Actor) -> Result<()> {
    require(actor, Act::AdministerSystem)?;
    if s.hotline_geography()?.areas.is_empty() {
        s.hotline_save_geography(&jixiao_hotline::geography::beijing(4, 4), &actor.id)?;
    }
    if s.hotline_categories()?.is_empty() {
        s.hotline_save_categories(&jixiao_hotline::catalogue::built_in())?;
    }
    Ok(())
}

/// Imports checked cases in one transaction (the office); rows equal to the stored ones change
/// nothing.
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cases: &mut dyn Iterator<Item = Case>,
    source: &str,
    cfg: &HotlineConfig,
    progress: &mut dyn FnMut(usize),
) -> Result<CaseImport> {
    import_checked(s, actor, cases, source, cfg, progress, &mut || Ok(()))
}

/// Imports cases that are checked as they stream in (the office): `verdict`, asked once the
/// cases end, says whether the whole file was good; if not, nothing is imported.
pub fn import_checked(
    s: &mut Store,
    actor: &Actor,
    cases: &mut dyn Iterator<Item = Case>,
    source: &str,
    cfg: &HotlineConfig,
    progress: &mut dyn FnMut(usize),
    verdict: &mut dyn FnMut() -> std::result::Result<(), String>,
) -> Result<CaseImport> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_import_checked(cases, source, cfg, &actor.id, progress, verdict)?)
}

/// Generates cases on a second thread while the store writes, so both cores work (the
/// office).
pub fn generate_into(
    s: &mut Store,
    actor: &Actor,
    gen: Generator<'_>,
    source: &str,
    cfg: &HotlineConfig,
    progress: &mut dyn FnMut(usize),
) -> Result<CaseImport> {
    require(actor, Act::AdministerSystem)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Case>(20_000);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for c in gen {
                if tx.send(c).is_err() {
                    break;
                }
            }
        });
        let mut it = rx.into_iter();
        Ok(s.hotline_import(&mut it, source, cfg, &actor.id, progress)?)
    })
}

/// Gives task `task` of the cycle each district's mean monthly composite score over the cycle's
/// year, approved with its source noted (the office).
pub fn feed(
    s: &mut Store,
    actor: &Actor,
    fw: &Framework,
    task: &str,
    cfg: &HotlineConfig,
) -> Result<usize> {
    feed_scores(s, actor, fw, task, cfg, None)
}

/// Gives task `task` of the cycle the districts' mean monthly composite score on 每月一题
/// `problem`'s category, from its month to the end of the cycle's year, for the districts of its
/// streets (every district for a city-wide problem): a problem used as a task of the cycle.
pub fn feed_problem(
    s: &mut Store,
    actor: &Actor,
    fw: &Framework,
    task: &str,
    cfg: &HotlineConfig,
    problem: &str,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let p = s
        .hotline_problem(problem)?
        .ok_or_else(|| AppError::NotFound(format!("problem `{problem}`")))?;
    feed_scores(s, actor, fw, task, cfg, Some(&p))
}

fn feed_scores(
    s: &mut Store,
    actor: &Actor,
    fw: &Framework,
    task: &str,
    cfg: &HotlineConfig,
    problem: Option<&jixiao_hotline::problem::Problem>,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let target = FeedTarget::of(fw, task)?;
    let reference = open311::reference(s)?;
    let geo = &reference.1;
    // A problem counts from its month, for the districts of its streets.
    let districts: Option<Vec<String>> = problem.filter(|p| !p.places.is_empty()).map(|p| {
        p.places
            .iter()
            .filter_map(|u| {
                geo.ancestor(u, jixiao_hotline::geography::Level::District)
                    .map(|d| d.id.clone())
            })
            .collect()
    });
    let mut scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for month in s
        .hotline_months()?
        .into_iter()
        .filter(|m| m.starts_with(&target.year))
        .filter(|m| problem.is_none_or(|p| *m >= p.month))
    {
        let category = problem.map(|p| p.category.as_str());
        for r in read::month_ranking(s, cfg, &month, true, None, category)? {
            if districts.as_ref().is_some_and(|d| !d.contains(&r.unit)) {
                continue;
            }
            if let Some(score) = r.assessment.score {
                scores.entry(r.unit).or_default().push(score);
            }
        }
    }
    let figures = scores.iter().map(|(unit, s)| {
        let source = match problem {
            None => format!(
                "接诉即办月度考核{}个月综合得分平均(jixiao hotline)",
                s.len()
            ),
            Some(p) => format!(
                "每月一题「{}」({}起){}个月综合得分平均(jixiao hotline)",
                p.title,
                p.month,
                s.len()
            ),
        };
        (
            unit.as_str(),
            s.iter().sum::<f64>() / s.len() as f64,
            source,
        )
    });
    target.write(s, actor, fw, figures)
}

/// Where a task fed from the hotline's or the grid's figures takes its values: the task, the
/// cycle's last period, and the year whose months count.
pub(crate) struct FeedTarget {
    task: usize,
    period: String,
    pub(crate) year: String,
}

impl FeedTarget {
    pub(crate) fn of(fw: &Framework, task: &str) -> Result<FeedTarget> {
        let t = lookup::task(fw, task)
            .map_err(|_| AppError::NotFound(format!("task `{task}` in cycle {}", fw.cycle.id)))?;
        let period = fw
            .cycle
            .periods
            .last()
            .ok_or_else(|| AppError::Invalid("the cycle has no periods".into()))?;
        Ok(FeedTarget {
            task: t,
            period: period.id.clone(),
            year: fw.cycle.start.format("%Y").to_string(),
        })
    }

    /// Writes each unit's figure (rounded to two decimals) with its source, approved; units
    /// the task is not assessed on are left out. Answers the number of values.
    pub(crate) fn write<'a>(
        &self,
        s: &mut Store,
        actor: &Actor,
        fw: &Framework,
        figures: impl Iterator<Item = (&'a str, f64, String)>,
    ) -> Result<usize> {
        let rows: Vec<ValueRow> = figures
            .filter_map(|(unit, value, source)| {
                let u = fw.unit_index(unit)?;
                fw.is_responsible(self.task, u).then(|| ValueRow {
                    key: ValueKey {
                        task: fw.nodes[self.task].id.clone(),
                        unit: fw.units[u].id.clone(),
                        period: self.period.clone(),
                    },
                    observation: jixiao_core::Observation::Number((value * 100.0).round() / 100.0),
                    note: String::new(),
                    source,
                    evidence: String::new(),
                    state: jixiao_core::workflow::ValueState::Approved,
                })
            })
            .collect();
        s.import_values(&fw.cycle.id, &rows, &actor.id, &mut |_| {})?;
        Ok(rows.len())
    }
}

/// Recomputes every rollup counter from the case packs (or, `from_rows`, from the case rows,
/// rewriting the packs) (the office); returns the number of cases.
pub fn rebuild(s: &mut Store, actor: &Actor, from_rows: bool) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    Ok(if from_rows {
        s.hotline_rebuild_from_rows(&actor.id)?
    } else {
        s.hotline_rebuild(&actor.id)?
    })
}

/// Erases requester contacts of cases closed before `before` (the office, or its daily job).
pub fn erase_contacts(s: &mut Store, actor: &Actor, before: DateTime<Utc>) -> Result<u64> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_erase_contacts(before, &actor.id)?)
}

/// Makes an Open311 API key for a client (the office): (key id, key). The key is shown once
/// and stored as a hash.
pub fn create_api_key(s: &mut Store, actor: &Actor, name: &str) -> Result<(String, String)> {
    require(actor, Act::AdministerSystem)?;
    crate::text::line("name", name, crate::text::NAME)?;
    if name.trim().is_empty() {
        return Err(AppError::Invalid(
            "an API key needs the client's name".into(),
        ));
    }
    let key = crate::accounts::random_token();
    let id = s.hotline_add_api_key(name, &key, &actor.id)?;
    Ok((id, key))
}

/// The Open311 API keys (never the keys themselves), revoked ones included.
pub fn api_keys(s: &mut Store, actor: &Actor) -> Result<Vec<jixiao_store::ApiKey>> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_api_keys()?)
}

/// Revokes an Open311 API key: its client is refused from the next request on.
pub fn revoke_api_key(s: &mut Store, actor: &Actor, id: &str) -> Result<()> {
    require(actor, Act::AdministerSystem)?;
    Ok(s.hotline_revoke_api_key(id, &actor.id)?)
}

/// The requester's contact in full, for the office; the view is recorded.
pub fn view_contact(s: &mut Store, actor: &Actor, id: &str) -> Result<Option<String>> {
    require(actor, Act::ViewContact)?;
    read::case_district(s, actor, id)?;
    Ok(s.hotline_view_contact(id, &actor.id)?)
}

/// Leaves a case out of the rates with a reason (the office approves it by doing so).
pub fn exclude(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    reason: &str,
    note: &str,
) -> Result<Case> {
    require(actor, Act::ExcludeCase)?;
    crate::text::line("reason", reason, crate::text::NAME)?;
    crate::text::paragraphs("note", note, crate::text::NOTE)?;
    let event = jixiao_hotline::Event::Exclude(jixiao_hotline::case::Exclusion {
        reason: reason.into(),
        note: note.into(),
        approver: actor.id.clone(),
    });
    Ok(s.hotline_apply(id, &event, Utc::now(), &settings.hotline, &actor.id)?)
}
