//! Read models of scores: a cycle scored, its ranking overall or in a group, a unit's scores
//! over the indicator tree, and the explanation of any node's score. Plus the one action here:
//! keeping a score run for the record.

use crate::actor::Actor;
use crate::error::Result;
use crate::lookup;
use crate::policy::{require, Act};
use jixiao_core::explain::{explain, Lang};
use jixiao_core::{Framework, Inputs, Scorecard};
use jixiao_store::Store;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A cycle with its inputs and scores, shared: kept between requests, so a copy is three
/// reference counts, not a scorecard.
#[derive(Clone)]
pub struct Scored {
    pub fw: Arc<Framework>,
    pub inputs: Arc<Inputs>,
    pub card: Arc<Scorecard>,
}

/// Scored cycles kept between requests (see [`crate::cache`]).
static SCORED: crate::cache::Versioned<Scored> = crate::cache::Versioned::new();

/// Scores cycle `cycle` (or the newest) from its approved values and ledger, or takes the
/// scores kept for its current data version. No permission is asked here: callers ask for what
/// they show.
pub fn scored(s: &mut Store, actor: &Actor, cycle: Option<&str>) -> Result<Scored> {
    let (id, version) = crate::lookup::cycle_id_and_version(s, actor, cycle)?;
    let kept = SCORED.get_at_version(s, &id, version, "", |s| {
        let fw = s.load_cycle(&id)?;
        let inputs = s.inputs(&fw)?;
        let card = jixiao_core::score(&fw, &inputs);
        Ok(Scored {
            fw: Arc::new(fw),
            inputs: Arc::new(inputs),
            card: Arc::new(card),
        })
    })?;
    Ok((*kept).clone())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankRow {
    pub unit_id: String,
    pub unit_name: String,
    pub total: f64,
    pub base: f64,
    pub bonus: f64,
    pub deduction: f64,
    pub grade: Option<String>,
    /// None for units listed separately (单列).
    pub rank: Option<u32>,
    /// The unit's class (单位类别) when the cycle has classes: ranks and totals are within it.
    pub class: Option<String>,
    /// Full marks of the unit's class (the cycle's total points without classes).
    pub full_marks: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ranking {
    pub cycle: String,
    pub group: Option<String>,
    pub rows: Vec<RankRow>,
    /// Units per grade, in band order.
    pub grades: Vec<(String, usize)>,
}

/// The ranking of a cycle for those who may see the cycle.
pub fn ranking_of(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    group: Option<&str>,
) -> Result<(Scored, Ranking)> {
    require(actor, Act::ViewCycle)?;
    let scored = scored(s, actor, cycle)?;
    let r = ranking(&scored.fw, &scored.card, group)?;
    Ok((scored, r))
}

/// Rankings kept between requests, per cycle, data version and group.
static RANKINGS: crate::cache::Versioned<Ranking> = crate::cache::Versioned::new();

/// [`ranking_of`] as kept for the cycle's data version: the same ranking (the same `Arc`) until
/// a write to the cycle, so what is made of it (its JSON) can be kept beside it.
pub fn ranking_kept(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    group: Option<&str>,
) -> Result<Arc<Ranking>> {
    require(actor, Act::ViewCycle)?;
    let (id, version) = crate::lookup::cycle_id_and_version(s, actor, cycle)?;
    RANKINGS.get_at_version(s, &id, version, group.unwrap_or(""), |s| {
        let scored = scored(s, actor, Some(&id))?;
        ranking(&scored.fw, &scored.card, group)
    })
}

/// Overall (`group` None) or within a group; ranked units by rank, then 单列 units.
pub fn ranking(fw: &Framework, card: &Scorecard, group: Option<&str>) -> Result<Ranking> {
    let g = group.map(|g| lookup::group(fw, g)).transpose()?;
    let rows: Vec<RankRow> = card
        .standings(fw, g)
        .into_iter()
        .map(|(u, rank)| {
            let s = &card.units[u];
            RankRow {
                unit_id: fw.units[u].id.clone(),
                unit_name: fw.units[u].name.clone(),
                total: s.total,
                base: s.base,
                bonus: s.bonus,
                deduction: s.deduction,
                grade: s.grade.clone(),
                rank,
                class: fw.class_of(u).map(|c| fw.classes[c].name.clone()),
                full_marks: fw.full_marks(u),
            }
        })
        .collect();
    let grades = fw
        .grades
        .iter()
        .map(|band| {
            (
                band.name.clone(),
                rows.iter()
                    .filter(|r| r.grade.as_deref() == Some(band.name.as_str()))
                    .count(),
            )
        })
        .collect();
    Ok(Ranking {
        cycle: fw.cycle.id.clone(),
        group: g.map(|g| fw.groups[g].id.clone()),
        rows,
        grades,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NodeRow {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub depth: usize,
    pub points: f64,
    /// None when the node does not apply to the unit.
    pub score: Option<f64>,
    pub is_task: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitScores {
    pub unit_id: String,
    pub unit_name: String,
    /// What the reader may see (units: the office's setting for the cycle); figures not shown
    /// are null.
    #[schema(value_type = String)]
    pub shown: crate::visibility::Visibility,
    pub total: Option<f64>,
    pub base: Option<f64>,
    pub bonus: Option<f64>,
    pub deduction: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<u32>,
    /// (group name, rank in group).
    pub group_ranks: Vec<(String, u32)>,
    pub nodes: Vec<NodeRow>,
}

/// Units' scores kept between requests, per cycle, data version and unit, whole.
static UNIT_SCORES: crate::cache::Versioned<UnitScores> = crate::cache::Versioned::new();

/// A unit's scores, for those who may see the unit, as kept for the cycle's data version: for a
/// reader who may see all of it, the same `Arc` until a write to the cycle; for a unit that sees
/// less (the office's setting), a copy with the rest taken out.
pub fn unit_scores_kept(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<Arc<UnitScores>> {
    require(actor, Act::ViewUnit(unit))?;
    let (id, version) = crate::lookup::cycle_id_and_version(s, actor, cycle)?;
    let whole = UNIT_SCORES.get_at_version(s, &id, version, unit, |s| {
        let scored = scored(s, actor, Some(&id))?;
        unit_scores(&scored.fw, &scored.card, unit)
    })?;
    let v = crate::visibility::for_actor(s, actor, &id)?;
    if v == crate::visibility::Visibility::TotalAndRank {
        return Ok(whole);
    }
    let mut us = (*whole).clone();
    crate::visibility::limit(&mut us, v);
    Ok(Arc::new(us))
}

/// How deep a node sits in the tree (0 for a dimension).
pub fn depth(fw: &Framework, mut n: usize) -> usize {
    let mut d = 0;
    while let Some(p) = fw.nodes[n].parent {
        d += 1;
        n = p;
    }
    d
}

pub fn unit_scores(fw: &Framework, card: &Scorecard, unit: &str) -> Result<UnitScores> {
    let u = lookup::unit(fw, unit)?;
    let s = &card.units[u];
    Ok(UnitScores {
        unit_id: fw.units[u].id.clone(),
        unit_name: fw.units[u].name.clone(),
        shown: crate::visibility::Visibility::TotalAndRank,
        total: Some(s.total),
        base: Some(s.base),
        bonus: Some(s.bonus),
        deduction: Some(s.deduction),
        grade: s.grade.clone(),
        rank: s.rank,
        group_ranks: s
            .group_ranks
            .iter()
            .map(|(g, r)| (fw.groups[*g].name.clone(), *r))
            .collect(),
        nodes: fw
            .nodes
            .iter()
            .enumerate()
            // Nodes of another unit class are not the unit's at all.
            .filter(|(i, _)| fw.applies_to_class(*i, u))
            .map(|(i, n)| NodeRow {
                id: n.id.clone(),
                name: n.name.clone(),
                parent: n.parent.map(|p| fw.nodes[p].id.clone()),
                depth: depth(fw, i),
                points: fw.points_for(i, u),
                score: s.nodes[i].score(),
                is_task: n.task.is_some(),
            })
            .collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InputOut {
    pub symbol: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationOut {
    pub unit_id: String,
    pub unit_name: String,
    pub node_id: String,
    pub path: String,
    pub points: f64,
    pub method: String,
    pub method_zh: String,
    pub inputs: Vec<InputOut>,
    pub formula: String,
    pub substituted: String,
    pub result: Option<f64>,
    pub notes: Vec<String>,
    /// The whole explanation as text in the requested language.
    pub text: String,
}

/// How a node's score was reached, for those who may see the unit.
pub fn explanation_of(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    node: &str,
    lang: Lang,
) -> Result<(Scored, ExplanationOut)> {
    require(actor, Act::ViewUnit(unit))?;
    let scored = scored(s, actor, cycle)?;
    // A task's explanation needs task scores shown; a roll-up's, totals.
    let v = crate::visibility::for_actor(s, actor, &scored.fw.cycle.id)?;
    let is_task = lookup::node(&scored.fw, node)
        .map(|n| scored.fw.nodes[n].task.is_some())
        .unwrap_or(true);
    crate::visibility::require_at_least(
        v,
        if is_task {
            crate::visibility::Visibility::TaskScores
        } else {
            crate::visibility::Visibility::TotalAndRank
        },
    )?;
    let e = explanation(&scored.fw, &scored.card, unit, node, lang)?;
    Ok((scored, e))
}

pub fn explanation(
    fw: &Framework,
    card: &Scorecard,
    unit: &str,
    node: &str,
    lang: Lang,
) -> Result<ExplanationOut> {
    let u = lookup::unit(fw, unit)?;
    let n = lookup::node(fw, node)?;
    let e = explain(fw, card, u, n, lang);
    Ok(ExplanationOut {
        text: e.to_text(lang),
        unit_id: e.unit_id,
        unit_name: e.unit_name,
        node_id: e.node_id,
        path: e.path,
        points: e.points,
        method: e.method,
        method_zh: e.method_zh,
        inputs: e
            .inputs
            .into_iter()
            .map(|(symbol, value)| InputOut { symbol, value })
            .collect(),
        formula: e.formula,
        substituted: e.substituted,
        result: e.result,
        notes: e.notes,
    })
}

#[derive(Serialize)]
struct UnitSummary<'a> {
    id: &'a str,
    name: &'a str,
    total: f64,
    base: f64,
    bonus: f64,
    deduction: f64,
    grade: Option<&'a str>,
    rank: Option<u32>,
    group_ranks: Vec<(&'a str, u32)>,
    dimensions: Vec<(&'a str, Option<f64>)>,
}

/// Every unit's totals, grade, ranks and dimension scores as JSON: what a score run keeps and
/// `jixiao score --json` prints.
pub fn summary(fw: &Framework, card: &Scorecard) -> serde_json::Value {
    let units: Vec<UnitSummary> = fw
        .units
        .iter()
        .zip(&card.units)
        .map(|(u, s)| UnitSummary {
            id: &u.id,
            name: &u.name,
            total: s.total,
            base: s.base,
            bonus: s.bonus,
            deduction: s.deduction,
            grade: s.grade.as_deref(),
            rank: s.rank,
            group_ranks: s
                .group_ranks
                .iter()
                .map(|(g, r)| (fw.groups[*g].id.as_str(), *r))
                .collect(),
            dimensions: fw
                .roots()
                .map(|r| (fw.nodes[r].id.as_str(), s.nodes[r].score()))
                .collect(),
        })
        .collect();
    serde_json::json!({ "cycle": fw.cycle.id, "units": units })
}

/// Scores a cycle (the whole year) and keeps the result as a score run (the office); returns
/// the scores and the run's number. See [`crate::runs`] for in-year runs.
pub fn score_and_record(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(Scored, i64)> {
    crate::runs::score_and_record(s, actor, cycle, &crate::reports::publication::Cut::Year)
}

#[cfg(test)]
mod cache_tests {
    use super::*;
    use jixiao_core::inputs::Observation;
    use jixiao_core::workflow::ValueState;
    use jixiao_store::{ValueKey, ValueRow};

    const BOOK: &str = include_str!("../../../examples/beijing-2020/taskbook.toml");

    fn value(unit: &str, x: f64) -> ValueRow {
        ValueRow {
            key: ValueKey {
                task: "A01-1".into(),
                unit: unit.into(),
                period: "Q4".into(),
            },
            observation: Observation::Number(x),
            note: String::new(),
            source: String::new(),
            evidence: String::new(),
            state: ValueState::Approved,
        }
    }

    #[test]
    fn kept_scores_follow_writes_made_through_another_connection() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.sqlite").display());
        let mut a = Store::open(&url).unwrap();
        let fw = jixiao_taskbook::parse_toml(BOOK, "taskbook.toml").unwrap();
        a.save_cycle(&fw, BOOK, "admin").unwrap();
        a.import_values("2020", &[value("dongcheng", 10.0)], "admin", &mut |_| {})
            .unwrap();
        let first = scored(&mut a, &Actor::office("test"), Some("2020")).unwrap();
        let again = scored(&mut a, &Actor::office("test"), Some("2020")).unwrap();
        assert_eq!(first.card, again.card, "the same version: the kept scores");
        // Another instance (another connection) writes: the next read sees it.
        let mut b = Store::open(&url).unwrap();
        b.import_values("2020", &[value("dongcheng", 200.0)], "admin", &mut |_| {})
            .unwrap();
        let after = scored(&mut a, &Actor::office("test"), Some("2020")).unwrap();
        let d = fw.unit_index("dongcheng").unwrap();
        assert_ne!(first.card.units[d].total, after.card.units[d].total);
        let fresh = {
            let inputs = a.inputs(&after.fw).unwrap();
            jixiao_core::score(&after.fw, &inputs)
        };
        assert_eq!(*after.card, fresh, "identical to scoring from scratch");
    }

    #[test]
    fn kept_values_and_the_hotline_dashboard_follow_writes_made_through_another_connection() {
        use crate::hotline::read::{dashboard, DashboardQuery};
        use jixiao_hotline::{generate::Generator, geography::beijing, HotlineConfig};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.sqlite").display());
        let mut a = Store::open(&url).unwrap();
        let fw = jixiao_taskbook::parse_toml(BOOK, "taskbook.toml").unwrap();
        a.save_cycle(&fw, BOOK, "admin").unwrap();
        a.import_values("2020", &[value("dongcheng", 10.0)], "admin", &mut |_| {})
            .unwrap();
        let values = |s: &mut Store| {
            crate::values::read::cycle_values(s, &Actor::office("test"), Some("2020")).unwrap()
        };
        assert_eq!(values(&mut a).values.len(), 1);
        let cfg = HotlineConfig::default();
        let geo = beijing(1, 1);
        a.hotline_save_geography(&geo, "admin").unwrap();
        let cases: Vec<_> = Generator::new(&cfg, &geo, 400, 3, 2020).collect();
        a.hotline_import(
            &mut cases[..200].iter().cloned(),
            "a",
            &cfg,
            "admin",
            &mut |_| {},
        )
        .unwrap();
        let settings = crate::settings::Settings::default();
        let office = crate::actor::Actor::office("admin");
        let q = DashboardQuery::default();
        let accepted = |s: &mut Store| -> i64 {
            dashboard(s, &settings, &office, &q)
                .unwrap()
                .trend
                .iter()
                .map(|t| t.accepted)
                .sum()
        };
        let before = accepted(&mut a);
        assert_eq!(before, accepted(&mut a), "kept");
        // Another instance writes cases and a value: the next reads see both.
        let mut b = Store::open(&url).unwrap();
        b.hotline_import(
            &mut cases[200..].iter().cloned(),
            "b",
            &cfg,
            "admin",
            &mut |_| {},
        )
        .unwrap();
        b.import_values("2020", &[value("xicheng", 20.0)], "admin", &mut |_| {})
            .unwrap();
        let after = accepted(&mut a);
        assert!(after > before, "{after} > {before}");
        let fresh: i64 = {
            let months = a.hotline_months().unwrap();
            let mut n = 0;
            for m in months {
                for u in a.hotline_month(&m, true, None, None).unwrap() {
                    n += u.counters.accepted;
                }
            }
            n
        };
        assert_eq!(after, fresh, "the same as reading the rollups now");
        assert_eq!(values(&mut a).values.len(), 2);
    }
}
