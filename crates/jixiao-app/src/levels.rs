//! 分级考评: the city's summary of the cycles that organisations below it run (a district
//! office assessing its streets). Each organisation works in its own cycles
//! ([`crate::policy::works_in`]); the city's office sees them all, side by side, here.

use crate::actor::Actor;
use crate::error::Result;
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

/// One organisation's cycle as the city sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelCycle {
    /// The organisation's id (its accounts are scoped by it).
    pub organisation: String,
    pub organisation_name: String,
    pub cycle: String,
    pub name: String,
    /// Units assessed in the cycle.
    pub units: usize,
    /// Values reported and approved among those expected by the office's date (0–1).
    pub share_reported: f64,
    pub share_approved: f64,
    /// The mean total of the ranked units, on the cycle's full marks.
    pub mean_total: Option<f64>,
    pub full_marks: f64,
    pub highest: Option<LevelUnit>,
    pub lowest: Option<LevelUnit>,
    /// Units per grade, in band order.
    pub grades: Vec<GradeCount>,
    /// Whether the organisation has published the cycle's results.
    pub published: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelUnit {
    pub id: String,
    pub name: String,
    pub total: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeCount {
    pub grade: String,
    pub units: usize,
}

/// Every cycle run by an organisation below the city, newest first within each organisation
/// (the city's office).
pub fn summary(s: &mut Store, settings: &Settings, actor: &Actor) -> Result<Vec<LevelCycle>> {
    require(actor, Act::ViewLevels)?;
    let mut out = Vec::new();
    for entry in s.cycles()? {
        if entry.organisation.is_none() {
            continue;
        }
        let o = crate::overview::overview(s, settings, actor, Some(&entry.id), None)?;
        let Some(organisation) = o.fw.organisation.clone() else {
            continue;
        };
        let ranked: Vec<_> = o.ranking.rows.iter().filter(|r| r.rank.is_some()).collect();
        let unit = |r: &crate::scores::RankRow| LevelUnit {
            id: r.unit_id.clone(),
            name: r.unit_name.clone(),
            total: r.total,
        };
        let mean_total = (!ranked.is_empty())
            .then(|| ranked.iter().map(|r| r.total).sum::<f64>() / ranked.len() as f64);
        out.push(LevelCycle {
            organisation: organisation.id,
            organisation_name: organisation.name,
            cycle: entry.id.clone(),
            name: entry.name,
            units: o.fw.units.len(),
            share_reported: o.progress.share_reported,
            share_approved: o.progress.share_approved,
            mean_total,
            full_marks: ranked.first().map(|r| r.full_marks).unwrap_or(0.0),
            highest: ranked.first().map(|r| unit(r)),
            lowest: ranked.last().map(|r| unit(r)),
            grades: o
                .ranking
                .grades
                .iter()
                .map(|(grade, units)| GradeCount {
                    grade: grade.clone(),
                    units: *units,
                })
                .collect(),
            published: s.publication(&entry.id)?.is_some(),
        });
    }
    Ok(out)
}
