//! Report checking: the quantitative claims of a unit's report text, each compared with what
//! the data holds about the unit (values, targets, shares of target, changes on last year,
//! totals, ranks, and the honours register's ranks and streaks).

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{require, Act};
use jixiao_claims::reconcile::Checked;
use jixiao_store::Store;

/// The unit's name and every claim of `text` with its verdict, for those who may see the unit.
pub fn check(
    s: &mut Store,
    settings: &crate::Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    text: &str,
) -> Result<(String, Vec<Checked>)> {
    require(actor, Act::ViewUnit(unit))?;
    if text.chars().count() > crate::text::REPORT {
        return Err(crate::error::AppError::Invalid(format!(
            "the report is longer than {} characters; check it in parts",
            crate::text::REPORT
        )));
    }
    let id = crate::lookup::cycle_id(s, actor, cycle)?;
    let loaded = crate::reports::load(s, &id)?;
    let u = lookup::unit(&loaded.fw, unit)?;
    let mut facts = crate::reports::facts_for(&loaded, u);
    // A unit that may not see its total and rank yet is not told them through the checker:
    // such claims come back unmatched.
    if crate::visibility::for_actor(s, actor, &id)? < crate::visibility::Visibility::TotalAndRank {
        facts.retain(|f| {
            !matches!(f.kind, jixiao_claims::reconcile::FactKind::Rank { .. })
                && !f.name.contains("得分")
        });
    }
    // The honours register's ranks and streaks (approved entries): external facts, told to
    // the unit whatever the cycle's visibility.
    facts.extend(crate::honours::facts(
        &s.honours(&id)?,
        &loaded.fw.units[u].id,
    ));
    let units = &settings.claims_units;
    let checked = jixiao_claims::reconcile::reconcile_facts_with(
        &jixiao_claims::extract_with(text, units),
        &facts,
        units,
    );
    Ok((loaded.fw.units[u].name.clone(), checked))
}

/// [`check`] of a report uploaded as a file (.docx, Markdown or text): the unit's name, the
/// report's text and every claim with its verdict.
pub fn check_file(
    s: &mut Store,
    settings: &crate::Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, String, Vec<Checked>)> {
    require(actor, Act::ViewUnit(unit))?;
    let text = jixiao_report::docx::document_text(file_name, bytes)
        .map_err(crate::error::AppError::Invalid)?;
    let (name, checked) = check(s, settings, actor, cycle, unit, &text)?;
    Ok((name, text, checked))
}
