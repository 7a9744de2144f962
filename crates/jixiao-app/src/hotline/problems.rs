//! 每月一题: the office designates the month's problem (a category of the catalogue, optionally
//! limited to streets), names its lead units and action items with deadlines, marks actions
//! done; everyone who sees the hotline sees the problems and their measured effect: the
//! category's cases and rates in the treated streets against untreated streets of the same
//! districts, in the months before the designation and from it on (difference in differences).

use super::read::{month_rules, name_of};
use crate::actor::{Actor, Role};
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::settings::Settings;
use chrono::NaiveDate;
use jixiao_hotline::catalogue::path as category_path;
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::metrics::z_for;
use jixiao_hotline::problem::{difference_in_differences, Action, BeforeAfter, Effect, Problem};
use jixiao_hotline::rollup::Counters;
use jixiao_hotline::HotlineConfig;
use jixiao_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the office designates.
#[derive(Debug, Clone, Default)]
pub struct Designation {
    pub month: String,
    pub title: String,
    pub category: String,
    /// Street ids; empty = every street.
    pub places: Vec<String>,
    pub leads: Vec<String>,
    /// (what, who, due YYYY-MM-DD)
    pub actions: Vec<(String, String, String)>,
    /// Months compared on each side (default 3).
    pub window: Option<u32>,
}

const MAX_ACTIONS: usize = 50;
const MAX_LEADS: usize = 20;

/// Checks a designation against the catalogue and the geography and makes it a problem; every
/// mistake is named.
pub fn parse(
    d: &Designation,
    cfg: &HotlineConfig,
    catalogue: &[jixiao_hotline::catalogue::Category],
    geo: &Geography,
) -> Result<Problem> {
    let bad = |m: String| Err(AppError::Invalid(m));
    let month = d.month.trim();
    if cfg.month_bounds(month).is_none() {
        return bad(format!("month `{month}` is not a month like 2020-07"));
    }
    let title = d.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return bad("title: give the problem a name of at most 200 characters".into());
    }
    let category = d.category.trim();
    if !catalogue.iter().any(|c| c.code == category) {
        return bad(format!(
            "category `{category}` is not a code of the catalogue (e.g. 0301)"
        ));
    }
    let mut places: Vec<String> = Vec::new();
    for p in d.places.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if geo.get(p).is_none_or(|a| a.level != Level::Street) {
            return bad(format!("place `{p}` is not a street of the geography"));
        }
        if !places.iter().any(|x| x == p) {
            places.push(p.to_string());
        }
    }
    let leads: Vec<String> = d
        .leads
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if leads.len() > MAX_LEADS || leads.iter().any(|l| l.chars().count() > 100) {
        return bad(format!(
            "leads: at most {MAX_LEADS} units of at most 100 characters"
        ));
    }
    if d.actions.len() > MAX_ACTIONS {
        return bad(format!("actions: at most {MAX_ACTIONS}"));
    }
    let mut actions = Vec::new();
    for (i, (text, owner, due)) in d.actions.iter().enumerate() {
        let what = format!("action {}", i + 1);
        let (text, owner, due) = (text.trim(), owner.trim(), due.trim());
        if text.is_empty() && owner.is_empty() && due.is_empty() {
            continue;
        }
        if text.is_empty() || text.chars().count() > 500 {
            return bad(format!(
                "{what}: say what is to be done (at most 500 characters)"
            ));
        }
        if owner.is_empty() || owner.chars().count() > 100 {
            return bad(format!("{what}: name who does it"));
        }
        let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").map_err(|_| {
            AppError::Invalid(format!("{what}: due `{due}` is not a date like 2020-07-31"))
        })?;
        actions.push(Action {
            text: text.to_string(),
            owner: owner.to_string(),
            due,
            done: None,
        });
    }
    let window = d.window.unwrap_or(3);
    if !(1..=12).contains(&window) {
        return bad("window: 1 to 12 months on each side".into());
    }
    Ok(Problem {
        id: Problem::id_for(month, category),
        month: month.to_string(),
        title: title.to_string(),
        category: category.to_string(),
        places,
        leads,
        actions,
        window,
    })
}

/// Designates the month's problem (the office).
pub fn designate(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    d: &Designation,
) -> Result<Problem> {
    require(actor, Act::AdministerSystem)?;
    let reference = super::open311::reference(s)?;
    let p = parse(d, &settings.hotline, &reference.0, &reference.1)?;
    s.hotline_save_problem(&p, &actor.id, true)?;
    Ok(p)
}

/// Marks action `index` (from 0) of problem `id` done on `on`, or not done (the office).
pub fn set_action_done(
    s: &mut Store,
    actor: &Actor,
    id: &str,
    index: usize,
    on: Option<NaiveDate>,
) -> Result<Problem> {
    require(actor, Act::AdministerSystem)?;
    let mut p = s
        .hotline_problem(id)?
        .ok_or_else(|| AppError::NotFound(format!("problem `{id}`")))?;
    let n = p.actions.len();
    let a = p
        .actions
        .get_mut(index)
        .ok_or_else(|| AppError::NotFound(format!("action {} of {id} (it has {n})", index + 1)))?;
    if a.done == on {
        return Ok(p); // the same request twice changes nothing
    }
    a.done = on;
    s.hotline_save_problem(&p, &actor.id, false)?;
    Ok(p)
}

fn require_view(actor: &Actor) -> Result<()> {
    let district = match actor.role {
        Role::Reporter => actor.unit(),
        _ => None,
    };
    require(actor, Act::ViewHotline(district))
}

/// A problem as a row of the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemRow {
    pub id: String,
    pub month: String,
    pub title: String,
    pub category: String,
    /// Street names; empty = the whole city.
    pub places: Vec<String>,
    pub actions_done: usize,
    pub actions: usize,
}

/// Every designated problem, newest first.
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<ProblemRow>> {
    require_view(actor)?;
    let reference = super::open311::reference(s)?;
    let (catalogue, geo) = (&reference.0, &reference.1);
    Ok(s.hotline_problems()?
        .into_iter()
        .map(|p| ProblemRow {
            category: category_path(catalogue, &p.category),
            places: p.places.iter().map(|u| name_of(geo, u)).collect(),
            actions_done: p.actions.iter().filter(|a| a.done.is_some()).count(),
            actions: p.actions.len(),
            id: p.id,
            month: p.month,
            title: p.title,
        })
        .collect())
}

/// One outcome's measured effect.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeEffect {
    /// `cases` or a rate id.
    pub outcome: String,
    pub name: String,
    pub name_en: String,
    /// What the numbers count: cases a street a month, or percent.
    pub unit: String,
    #[schema(value_type = Option<Object>)]
    pub effect: Option<Effect>,
    /// Why there is no estimate, when there is none: `no_comparison` (the problem covers every
    /// street), `no_window` (no cases before or from the month yet), `too_few` (fewer than two
    /// streets on a side have the rate in both windows).
    pub note: Option<&'static str>,
}

/// A problem with what its page shows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    #[schema(value_type = Object)]
    pub problem: Problem,
    pub category_name: String,
    pub place_names: Vec<String>,
    /// The untreated streets compared with: `same_districts` (the other streets of the treated
    /// streets' districts), `city` (the city's other streets) or `none`.
    pub comparison: &'static str,
    pub control_names: Vec<String>,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub effects: Vec<OutcomeEffect>,
    /// Month by month: (month, treated streets' mean cases, untreated streets' mean cases).
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub series: Vec<(String, f64, Option<f64>)>,
    /// Today is past the action's due date and it is not done.
    pub overdue_actions: Vec<usize>,
}

/// The treated streets and the untreated ones compared with: the other streets of the treated
/// streets' districts, or (when every street of those districts is treated) all other streets.
fn groups(p: &Problem, geo: &Geography) -> (Vec<String>, Vec<String>, &'static str) {
    let streets: Vec<&jixiao_hotline::geography::Area> = geo.at_level(Level::Street).collect();
    if p.places.is_empty() {
        return (
            streets.iter().map(|a| a.id.clone()).collect(),
            Vec::new(),
            "none",
        );
    }
    let treated: BTreeSet<&str> = p.places.iter().map(String::as_str).collect();
    let districts: BTreeSet<String> = p
        .places
        .iter()
        .filter_map(|u| geo.ancestor(u, Level::District).map(|d| d.id.clone()))
        .collect();
    let same: Vec<String> = streets
        .iter()
        .filter(|a| !treated.contains(a.id.as_str()))
        .filter(|a| {
            geo.ancestor(&a.id, Level::District)
                .is_some_and(|d| districts.contains(&d.id))
        })
        .map(|a| a.id.clone())
        .collect();
    if same.len() >= 2 {
        return (p.places.clone(), same, "same_districts");
    }
    let rest = streets
        .iter()
        .filter(|a| !treated.contains(a.id.as_str()))
        .map(|a| a.id.clone())
        .collect();
    (p.places.clone(), rest, "city")
}

/// A problem with its measured effect.
pub fn view(s: &mut Store, settings: &Settings, actor: &Actor, id: &str) -> Result<ProblemView> {
    require_view(actor)?;
    let p = s
        .hotline_problem(id)?
        .ok_or_else(|| AppError::NotFound(format!("problem `{id}`")))?;
    measured(s, settings, p)
}

/// `p` with its measured effect (for callers that have checked the permission: the page, the
/// API, the results report).
pub(crate) fn measured(s: &mut Store, settings: &Settings, p: Problem) -> Result<ProblemView> {
    let reference = super::open311::reference(s)?;
    let (catalogue, geo) = (&reference.0, &reference.1);
    let cfg = &settings.hotline;
    let months = s.hotline_months()?;
    let (before, after) = p.windows(&months);
    let (treated, control, how) = groups(&p, geo);
    // The category's counters per street and month, from the rollups.
    let mut per_month: BTreeMap<String, BTreeMap<String, Counters>> = BTreeMap::new();
    for m in &months {
        let rows = s.hotline_month(m, false, None, Some(&p.category))?;
        per_month.insert(
            m.clone(),
            rows.into_iter().map(|u| (u.unit, u.counters)).collect(),
        );
    }
    let sum = |unit: &str, window: &[String]| {
        let mut c = Counters::default();
        for m in window {
            if let Some(x) = per_month.get(m).and_then(|u| u.get(unit)) {
                c += *x;
            }
        }
        c
    };
    let rules = month_rules(cfg, &p.month)?;
    let z = z_for(rules.ranking.confidence);
    let mut effects = Vec::new();
    let no_comparison = control.is_empty().then_some("no_comparison");
    let windows_note = (before.is_empty() || after.is_empty()).then_some("no_window");
    // Cases a street a month.
    let counts = |units: &[String]| -> Vec<BeforeAfter> {
        units
            .iter()
            .map(|u| {
                let b = sum(u, &before).accepted as f64 / before.len().max(1) as f64;
                let a = sum(u, &after).accepted as f64 / after.len().max(1) as f64;
                (b, a)
            })
            .collect()
    };
    let note = no_comparison.or(windows_note);
    effects.push(OutcomeEffect {
        outcome: "cases".into(),
        name: "工单量(件/街道/月)".into(),
        name_en: "Cases a street a month".into(),
        unit: "cases a street a month".into(),
        effect: note
            .is_none()
            .then(|| difference_in_differences(&counts(&treated), &counts(&control), z))
            .flatten(),
        note,
    });
    // Each weighted rate, pooled over each window, in percent.
    for r in rules.rates.iter().filter(|r| r.weight > 0.0) {
        let pairs = |units: &[String]| -> Vec<BeforeAfter> {
            units
                .iter()
                .filter_map(|u| {
                    let (nb, db) = r.counts(&sum(u, &before));
                    let (na, da) = r.counts(&sum(u, &after));
                    (db > 0 && da > 0).then(|| (100.0 * nb / db as f64, 100.0 * na / da as f64))
                })
                .collect()
        };
        let effect = note
            .is_none()
            .then(|| difference_in_differences(&pairs(&treated), &pairs(&control), z))
            .flatten();
        effects.push(OutcomeEffect {
            outcome: r.id.clone(),
            name: r.name.clone(),
            name_en: r.name_en.clone(),
            unit: "percent".into(),
            note: note.or_else(|| effect.is_none().then_some("too_few")),
            effect,
        });
    }
    let mean_cases = |units: &[String], m: &str| -> Option<f64> {
        (!units.is_empty()).then(|| {
            units
                .iter()
                .map(|u| {
                    per_month
                        .get(m)
                        .and_then(|x| x.get(u))
                        .map_or(0, |c| c.accepted) as f64
                })
                .sum::<f64>()
                / units.len() as f64
        })
    };
    let series = months
        .iter()
        .map(|m| {
            (
                m.clone(),
                mean_cases(&treated, m).unwrap_or(0.0),
                mean_cases(&control, m),
            )
        })
        .collect();
    let today = settings.today();
    Ok(ProblemView {
        category_name: category_path(catalogue, &p.category),
        place_names: p.places.iter().map(|u| name_of(geo, u)).collect(),
        comparison: how,
        control_names: control.iter().map(|u| name_of(geo, u)).collect(),
        overdue_actions: p
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.done.is_none() && a.due < today)
            .map(|(i, _)| i)
            .collect(),
        before,
        after,
        effects,
        series,
        problem: p,
    })
}

/// The demo's 每月一题: July 2020, 停车管理 in eight of Dongcheng's seventeen streets, with the
/// office's lead units and three action items; and the change the demo's generator builds into
/// its cases so that the effect can be measured (a third of those streets' parking cases from
/// July on are about the street scene instead, as if the campaign had worked).
pub fn demo_problem() -> (Designation, jixiao_hotline::generate::Intervention) {
    let places: Vec<String> = (1..=8).map(|i| format!("dongcheng-s{i:02}")).collect();
    let d = Designation {
        month: "2020-07".into(),
        title: "老旧小区停车难、停车乱".into(),
        category: "0301".into(),
        places: places.clone(),
        leads: vec![
            "东城区城市管理委员会".into(),
            "东城交通支队".into(),
            "试点街道办事处".into(),
        ],
        actions: vec![
            (
                "摸清试点街道老旧小区停车位缺口,建立台账".into(),
                "试点街道办事处".into(),
                "2020-07-31".into(),
            ),
            (
                "推行错时共享停车,新增共享车位".into(),
                "东城区城市管理委员会".into(),
                "2020-09-30".into(),
            ),
            (
                "规范胡同停车秩序,开展联合执法".into(),
                "东城交通支队".into(),
                "2020-10-31".into(),
            ),
        ],
        window: Some(3),
    };
    let iv = jixiao_hotline::generate::Intervention {
        category: "0301".into(),
        streets: places,
        from: NaiveDate::from_ymd_opt(2020, 7, 1).expect("a date"),
        share: 0.35,
        instead: "0901".into(),
    };
    (d, iv)
}

/// Designates the demo's problem with its first two actions done (by the office `actor`).
pub fn designate_demo(s: &mut Store, settings: &Settings, actor: &Actor) -> Result<Problem> {
    let (d, _) = demo_problem();
    let p = designate(s, settings, actor, &d)?;
    set_action_done(s, actor, &p.id, 0, NaiveDate::from_ymd_opt(2020, 7, 28))?;
    set_action_done(s, actor, &p.id, 1, NaiveDate::from_ymd_opt(2020, 9, 25))
}
