//! The task book as read from a file, before validation: every field keeps where it came from.
//! [`build`] checks the whole draft, collecting every error, and only then makes a
//! [`Framework`]. Both the TOML and the xlsx readers produce a draft, so the rules live here
//! once.
//!
//! [`model`] holds the draft's types; [`build`] (here) checks it as a whole with the rules of
//! [`cycle`], [`nodes`], [`targets`] and [`methods`], sharing [`checks`].

mod checks;
mod cycle;
mod methods;
mod model;
mod nodes;
mod targets;

pub use methods::METHODS;
pub use model::*;

use crate::diag::{Diagnostics, Location};
use checks::*;
use cycle::build_cycle;
use jixiao_core::model::*;
use nodes::build_nodes;

/// Validates the draft; returns the framework only when there is no error at all.
pub fn build(draft: &Draft, d: &mut Diagnostics) -> Option<Framework> {
    let cycle = build_cycle(&draft.cycle, d);

    let group_ids = unique_ids(
        d,
        draft.groups.iter().filter_map(|g| g.id.as_ref()),
        "group",
    );
    let groups: Vec<Group> = draft
        .groups
        .iter()
        .filter_map(|g| {
            let id = need(d, &g.id, &g.loc, "id");
            let name = need(d, &g.name, &g.loc, "name");
            Some(Group {
                id: id?.v.clone(),
                name: name?.v.clone(),
            })
        })
        .collect();

    let class_ids = unique_ids(
        d,
        draft.classes.iter().filter_map(|c| c.id.as_ref()),
        "class",
    );
    let classes: Vec<UnitClass> = draft
        .classes
        .iter()
        .filter_map(|c| {
            let id = need(d, &c.id, &c.loc, "id");
            let name = need(d, &c.name, &c.loc, "name");
            let total = c
                .total_points
                .as_ref()
                .map(|x| finite(d, x, "total_points", 0.0));
            Some(UnitClass {
                id: id?.v.clone(),
                name: name?.v.clone(),
                total_points: total,
            })
        })
        .collect();

    let unit_ids = unique_ids(d, draft.units.iter().filter_map(|u| u.id.as_ref()), "unit");
    unique_ids(
        d,
        draft.units.iter().filter_map(|u| u.name.as_ref()),
        "unit name: a unit",
    );
    if draft.units.is_empty() {
        d.error(&Location::File, "no unit declared: add [[unit]] entries");
    }
    let units: Vec<Unit> = draft
        .units
        .iter()
        .filter_map(|u| {
            let id = need(d, &u.id, &u.loc, "id");
            let name = need(d, &u.name, &u.loc, "name");
            let kind = choose(d, &u.kind, &UnitKind::ALL, UnitKind::District, "unit kind");
            for g in &u.groups {
                if !group_ids.contains(&g.v) {
                    d.error(&g.loc, format!("unknown group `{}`", g.v));
                }
            }
            match (&u.class, class_ids.is_empty()) {
                (Some(c), _) if !class_ids.contains(&c.v) => d.error(
                    &c.loc,
                    format!("unknown class `{}`: declare it with [[class]]", c.v),
                ),
                (None, false) => d.error(
                    &here(&u.loc),
                    "the cycle declares unit classes: give every unit its `class`",
                ),
                _ => {}
            }
            Some(Unit {
                id: id?.v.clone(),
                name: name?.v.clone(),
                kind,
                groups: u.groups.iter().map(|g| g.v.clone()).collect(),
                ranked: u.ranked.as_ref().map(|r| r.v).unwrap_or(true),
                class: u.class.as_ref().map(|c| c.v.clone()),
            })
        })
        .collect();

    let evaluator_ids = unique_ids(
        d,
        draft.evaluators.iter().filter_map(|e| e.id.as_ref()),
        "evaluator",
    );
    let evaluators: Vec<Evaluator> = draft
        .evaluators
        .iter()
        .filter_map(|e| {
            let id = need(d, &e.id, &e.loc, "id");
            let name = need(d, &e.name, &e.loc, "name");
            Some(Evaluator {
                id: id?.v.clone(),
                name: name?.v.clone(),
            })
        })
        .collect();

    unique_ids(
        d,
        draft.grades.iter().filter_map(|g| g.name.as_ref()),
        "grade name: a grade",
    );
    let mut grades: Vec<GradeBand> = draft
        .grades
        .iter()
        .filter_map(|g| {
            let name = need(d, &g.name, &g.loc, "name");
            let min = need(d, &g.min, &g.loc, "min").map(|m| finite(d, m, "min", f64::MIN));
            Some(GradeBand {
                name: name?.v.clone(),
                min: min?,
            })
        })
        .collect();
    grades.sort_by(|a, b| b.min.total_cmp(&a.min));

    let c = &draft.cycle;
    let cap = |d: &mut Diagnostics, x: &Option<L<f64>>, what| LedgerPolicy {
        cap: x.as_ref().map(|x| finite(d, x, what, 0.0)),
    };
    let bonus = cap(d, &c.bonus_cap, "bonus_cap");
    let deduction = cap(d, &c.deduction_cap, "deduction_cap");
    let ranking = RankingPolicy {
        decimals: match &c.ranking_decimals {
            Some(x) if !(0.0..=6.0).contains(&x.v) || x.v.fract() != 0.0 => {
                d.error(
                    &x.loc,
                    "`ranking_decimals` must be a whole number from 0 to 6",
                );
                2
            }
            Some(x) => x.v as u32,
            None => 2,
        },
    };
    let status = StatusPolicy {
        at_risk_margin: match &c.at_risk_margin {
            Some(x) if !(0.0..1.0).contains(&x.v) => {
                d.error(&x.loc, "`at_risk_margin` must be at least 0 and below 1");
                0.1
            }
            Some(x) => x.v,
            None => 0.1,
        },
    };

    let checks = jixiao_core::checks::CheckPolicy {
        jump: match &c.jump_threshold {
            Some(x) if !x.v.is_finite() || x.v < 0.0 => {
                d.error(
                    &x.loc,
                    "`jump_threshold` must be a share ≥ 0 (0.5 asks for a note when a value moves by more than half; 0 turns the check off)",
                );
                jixiao_core::checks::CheckPolicy::default().jump
            }
            Some(x) => x.v,
            None => jixiao_core::checks::CheckPolicy::default().jump,
        },
    };

    let tag_ids = unique_ids(d, draft.tags.iter().filter_map(|t| t.id.as_ref()), "tag");
    let tags: Vec<Tag> = draft
        .tags
        .iter()
        .filter_map(|t| {
            let id = need(d, &t.id, &t.loc, "id");
            let name = need(d, &t.name, &t.loc, "name");
            let kind = choose(d, &t.kind, &TagKind::ALL, TagKind::Special, "tag kind");
            Some(Tag {
                id: id?.v.clone(),
                name: name?.v.clone(),
                kind,
            })
        })
        .collect();

    let ctx = Context {
        class_ids: &class_ids,
        tag_ids: &tag_ids,
        units: &units,
        unit_ids: &unit_ids,
        group_ids: &group_ids,
        evaluator_ids: &evaluator_ids,
        cycle: cycle.as_ref(),
    };
    let nodes = build_nodes(&draft.nodes, &ctx, d);
    if let (false, Some(nodes)) = (classes.is_empty(), &nodes) {
        check_class_totals(&classes, &draft.classes, c.total_points.as_ref(), nodes, d);
    } else if let (Some(total), Some(nodes)) = (&c.total_points, &nodes) {
        let sum: f64 = nodes
            .iter()
            .filter(|n| n.parent.is_none())
            .map(|n| n.points)
            .sum();
        if (sum - total.v).abs() > 1e-6 {
            d.error(
                &total.loc,
                format!(
                    "the dimensions' points add up to {} but `total_points` is {}",
                    jixiao_core::explain::num(sum),
                    jixiao_core::explain::num(total.v)
                ),
            );
        }
    }
    let organisation = draft.organisation.as_ref().and_then(|o| {
        let id = need(d, &o.id, &o.loc, "organisation.id");
        let name = need(d, &o.name, &o.loc, "organisation.name");
        let id = id?;
        if id.v.trim().is_empty() || id.v.chars().any(|c| c.is_whitespace() || c == '/') {
            d.error(
                &id.loc,
                format!(
                    "`organisation.id` `{}` must be a non-empty id without spaces or `/`",
                    id.v
                ),
            );
        }
        Some(Organisation {
            id: id.v.clone(),
            name: name?.v.clone(),
        })
    });
    if !d.is_empty() {
        return None;
    }
    Some(Framework {
        cycle: cycle?,
        groups,
        units,
        evaluators,
        nodes: nodes?,
        grades,
        bonus,
        deduction,
        ranking,
        status,
        checks,
        tags,
        classes,
        organisation,
    })
}

/// With unit classes, each class's top-level nodes (those that apply to it, at its points) must
/// add up to its `total_points`, or to `[scoring] total_points` when the class gives none.
fn check_class_totals(
    classes: &[UnitClass],
    draft: &[DraftClass],
    cycle_total: Option<&L<f64>>,
    nodes: &[Node],
    d: &mut Diagnostics,
) {
    for (c, dc) in classes.iter().zip(draft) {
        let applies = |mut n: usize| loop {
            let only = &nodes[n].classes;
            if !only.is_empty() && !only.contains(&c.id) {
                return false;
            }
            match nodes[n].parent {
                Some(p) => n = p,
                None => return true,
            }
        };
        let sum: f64 = (0..nodes.len())
            .filter(|&n| nodes[n].parent.is_none() && applies(n))
            .map(|n| {
                nodes[n]
                    .class_points
                    .iter()
                    .find(|(k, _)| *k == c.id)
                    .map_or(nodes[n].points, |(_, p)| *p)
            })
            .sum();
        let (want, at) = match (&dc.total_points, cycle_total) {
            (Some(t), _) => (t.v, t.loc.clone()),
            (None, Some(t)) => (t.v, t.loc.clone()),
            (None, None) => continue,
        };
        if (sum - want).abs() > 1e-6 {
            d.error(
                &at,
                format!(
                    "the top-level nodes that apply to class `{}` add up to {} points but its full marks are {}",
                    c.id,
                    jixiao_core::explain::num(sum),
                    jixiao_core::explain::num(want)
                ),
            );
        }
    }
}
