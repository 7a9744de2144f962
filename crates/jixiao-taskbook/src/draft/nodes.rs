//! The indicator tree: nodes, their tasks, responsible units, evaluators and overrides.

use super::checks::*;
use super::methods::build_method;
use super::model::*;
use super::targets::{check_targets, TargetLocs};
use crate::diag::{Diagnostics, Location};
use jixiao_core::checks::{bounds, kind_of, ValueKind, ValueRules};
use jixiao_core::model::*;
use std::collections::{HashMap, HashSet};

pub(super) fn build_nodes(
    draft: &[DraftNode],
    ctx: &Context<'_>,
    d: &mut Diagnostics,
) -> Option<Vec<Node>> {
    unique_ids(d, draft.iter().filter_map(|n| n.id.as_ref()), "node");
    if draft.is_empty() {
        d.error(
            &Location::File,
            "no indicator declared: add [[node]] entries",
        );
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut ok = true;
    let mut failed: HashSet<&str> = HashSet::new();
    for dn in draft {
        let Some(node) = build_node(dn, ctx, d) else {
            ok = false;
            failed.extend(dn.id.as_ref().map(|i| i.v.as_str()));
            continue;
        };
        let parent = match &dn.parent {
            None => None,
            // Already reported on the parent itself.
            Some(p) if failed.contains(p.v.as_str()) => None,
            Some(p) => match index.get(p.v.as_str()) {
                Some(&pi) if nodes[pi].task.is_some() => {
                    d.error(
                        &p.loc,
                        format!(
                            "`{}` is a task (it has a method) and cannot have children",
                            p.v
                        ),
                    );
                    None
                }
                Some(&pi) => Some(pi),
                None if draft
                    .iter()
                    .any(|o| o.id.as_ref().is_some_and(|i| i.v == p.v)) =>
                {
                    d.error(
                        &p.loc,
                        format!("parent `{}` must be declared before its children", p.v),
                    );
                    None
                }
                None => {
                    d.error(&p.loc, format!("unknown parent `{}`", p.v));
                    None
                }
            },
        };
        let i = nodes.len();
        if let Some(pi) = parent {
            nodes[pi].children.push(i);
        }
        index
            .entry(dn.id.as_ref().map(|x| x.v.as_str()).unwrap_or(""))
            .or_insert(i);
        nodes.push(Node { parent, ..node });
    }
    if !ok {
        return None;
    }
    check_formulas(draft, &nodes, d);
    for (i, dn) in draft.iter().enumerate() {
        let n = &nodes[i];
        if n.task.is_none() && n.children.is_empty() {
            d.error(&here(&dn.loc), format!("`{}` has no method and no children: give it a `method` to make it a task, or add nodes with `parent = \"{}\"`", n.id, n.id));
        }
        if n.children_sum && !n.children.is_empty() {
            let sum: f64 = n.children.iter().map(|&c| nodes[c].points).sum();
            if (sum - n.points).abs() > 1e-6 {
                let at = dn
                    .children_sum
                    .as_ref()
                    .map(|c| c.loc.clone())
                    .unwrap_or_else(|| here(&dn.loc));
                d.error(
                    &at,
                    format!(
                        "the children of `{}` add up to {} points but it has {}",
                        n.id,
                        jixiao_core::explain::num(sum),
                        jixiao_core::explain::num(n.points)
                    ),
                );
            }
        }
    }
    Some(nodes)
}

pub(super) fn build_node(dn: &DraftNode, ctx: &Context<'_>, d: &mut Diagnostics) -> Option<Node> {
    let id = need(d, &dn.id, &dn.loc, "id");
    let name = need(d, &dn.name, &dn.loc, "name");
    let points = need(d, &dn.points, &dn.loc, "points").map(|p| finite(d, p, "points", 0.0));
    for e in &dn.evaluators {
        if !ctx.evaluator_ids.contains(&e.v) {
            d.error(
                &e.loc,
                format!("unknown evaluator `{}`: declare it with [[evaluator]]", e.v),
            );
        }
    }
    let aggregate = choose(
        d,
        &dn.aggregate,
        &[("sum", Aggregate::Sum), ("geometric", Aggregate::Geometric)],
        Aggregate::Sum,
        "aggregate",
    );
    let task = match &dn.method {
        Some(m) => build_task(dn, m, ctx, d),
        None => {
            let task_only: [(&str, Option<&Location>); 10] = [
                ("measure", dn.measure.as_ref().map(|x| &x.loc)),
                ("direction", dn.direction.as_ref().map(|x| &x.loc)),
                ("target", dn.target.as_ref().map(|x| &x.loc)),
                ("challenge", dn.challenge.as_ref().map(|x| &x.loc)),
                ("floor", dn.floor.as_ref().map(|x| &x.loc)),
                ("missing", dn.missing.as_ref().map(|x| &x.loc)),
                ("period_rule", dn.period_rule.as_ref().map(|x| &x.loc)),
                ("due", dn.due.as_ref().map(|x| &x.loc)),
                ("progress", dn.progress.as_ref().map(|x| &x.loc)),
                ("responsible", dn.responsible.first().map(|x| &x.loc)),
            ];
            for (field, loc) in task_only {
                if let Some(loc) = loc {
                    d.error(loc, format!("`{field}` is only allowed on tasks; add a `method` to make this node a task"));
                }
            }
            if let Some((k, _)) = dn.params.first() {
                d.error(&k.loc, "`params` is only allowed on tasks; add a `method`");
            }
            if let Some(o) = dn.overrides.first() {
                d.error(
                    &here(&o.loc),
                    "unit targets are only allowed on tasks; add a `method`",
                );
            }
            None
        }
    };
    if dn.method.is_some() && task.is_none() {
        return None;
    }
    Some(Node {
        id: id?.v.clone(),
        name: name?.v.clone(),
        description: dn
            .description
            .as_ref()
            .map(|x| x.v.clone())
            .unwrap_or_default(),
        parent: None,
        children: Vec::new(),
        points: points?,
        evaluators: dn.evaluators.iter().map(|e| e.v.clone()).collect(),
        children_sum: dn.children_sum.as_ref().map(|c| c.v).unwrap_or(false),
        aggregate,
        task,
        classes: dn
            .classes
            .iter()
            .filter(|c| {
                let known = ctx.class_ids.contains(&c.v);
                if !known {
                    d.error(
                        &c.loc,
                        format!("unknown class `{}`: declare it with [[class]]", c.v),
                    );
                }
                known
            })
            .map(|c| c.v.clone())
            .collect(),
        class_points: dn
            .class_points
            .iter()
            .filter(|(k, v)| {
                if !ctx.class_ids.contains(&k.v) {
                    d.error(
                        &k.loc,
                        format!("unknown class `{}`: declare it with [[class]]", k.v),
                    );
                    return false;
                }
                if !v.v.is_finite() || v.v < 0.0 {
                    d.error(&v.loc, "class points must be a number ≥ 0");
                    return false;
                }
                true
            })
            .map(|(k, v)| (k.v.clone(), v.v))
            .collect(),
        tags: dn
            .tags
            .iter()
            .filter(|t| {
                let known = ctx.tag_ids.contains(&t.v);
                if !known {
                    d.error(
                        &t.loc,
                        format!("unknown tag `{}`: declare it with [[tag]]", t.v),
                    );
                }
                known
            })
            .map(|t| t.v.clone())
            .collect(),
    })
}

/// Formula tasks read the year values of other tasks that are reported, not computed
/// themselves (so formulas never depend on each other in a circle), and that are numbers.
fn check_formulas(draft: &[DraftNode], nodes: &[Node], d: &mut Diagnostics) {
    let by_id: HashMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    for (dn, n) in draft.iter().zip(nodes) {
        let (Some(task), Some(at)) = (&n.task, &dn.formula) else {
            continue;
        };
        let Some(f) = &task.formula else { continue };
        for id in f.inputs() {
            let problem = match by_id.get(id).map(|x| &x.task) {
                None => Some(format!(
                    "the formula reads `{id}`, which is not a node of this task book"
                )),
                Some(None) => Some(format!(
                    "the formula reads `{id}`, an indicator: formulas read tasks and figures"
                )),
                Some(Some(t)) if t.formula.is_some() => Some(format!(
                    "the formula reads `{id}`, itself a formula task: read its inputs instead"
                )),
                Some(Some(t)) if t.method.takes_grade() => Some(format!(
                    "the formula reads `{id}`, whose values are grades, not numbers"
                )),
                Some(Some(_)) if id == n.id => Some("a formula cannot read its own task".into()),
                Some(Some(_)) => None,
            };
            if let Some(p) = problem {
                d.error(&at.loc, p);
            }
        }
    }
}

pub(super) fn build_task(
    dn: &DraftNode,
    m: &L<String>,
    ctx: &Context<'_>,
    d: &mut Diagnostics,
) -> Option<Task> {
    let direction = choose(
        d,
        &dn.direction,
        &[("higher", Direction::Higher), ("lower", Direction::Lower)],
        Direction::Higher,
        "direction",
    );
    let missing = choose(
        d,
        &dn.missing,
        &[
            ("zero", MissingPolicy::Zero),
            ("not_applicable", MissingPolicy::NotApplicable),
        ],
        MissingPolicy::Zero,
        "missing-value policy",
    );
    let period_rule = choose(
        d,
        &dn.period_rule,
        &[
            ("latest", PeriodRule::Latest),
            ("sum", PeriodRule::Sum),
            ("mean", PeriodRule::Mean),
        ],
        PeriodRule::Latest,
        "period rule",
    );
    let method = build_method(m, &dn.params, ctx, d)?;
    let targets = Targets {
        target: dn.target.as_ref().map(|x| x.v),
        challenge: dn.challenge.as_ref().map(|x| x.v),
        floor: dn.floor.as_ref().map(|x| x.v),
    };
    let at_method = &m.loc;
    check_targets(
        d,
        &method,
        direction,
        targets,
        &TargetLocs {
            target: dn.target.as_ref(),
            challenge: dn.challenge.as_ref(),
            floor: dn.floor.as_ref(),
            method: at_method,
        },
    );

    let mut overrides = Vec::new();
    let mut seen = HashSet::new();
    for o in &dn.overrides {
        let Some(unit) = need(d, &o.unit, &o.loc, "unit") else {
            continue;
        };
        if !ctx.unit_ids.contains(&unit.v) {
            d.error(&unit.loc, format!("unknown unit `{}`", unit.v));
            continue;
        }
        if !seen.insert(unit.v.clone()) {
            d.error(
                &unit.loc,
                format!("unit `{}` has two target entries for this task", unit.v),
            );
            continue;
        }
        let own = Targets {
            target: o.target.as_ref().map(|x| x.v),
            challenge: o.challenge.as_ref().map(|x| x.v),
            floor: o.floor.as_ref().map(|x| x.v),
        };
        let effective = Targets {
            target: own.target.or(targets.target),
            challenge: own.challenge.or(targets.challenge),
            floor: own.floor.or(targets.floor),
        };
        check_targets(
            d,
            &method,
            direction,
            effective,
            &TargetLocs {
                target: o.target.as_ref(),
                challenge: o.challenge.as_ref(),
                floor: o.floor.as_ref(),
                method: o.unit.as_ref().map(|u| &u.loc).unwrap_or(at_method),
            },
        );
        overrides.push(TargetOverride {
            unit: unit.v.clone(),
            targets: own,
        });
    }
    for r in &dn.responsible {
        if !ctx.unit_ids.contains(&r.v) && !ctx.group_ids.contains(&r.v) {
            d.error(&r.loc, format!("unknown unit or group `{}`", r.v));
        }
    }
    if let (Some(due), Some(c)) = (&dn.due, ctx.cycle) {
        if due.v < c.start || due.v > c.end {
            d.error(
                &due.loc,
                format!(
                    "due date {} lies outside the cycle ({} to {})",
                    due.v, c.start, c.end
                ),
            );
        }
    }
    if let (Some(p), Some(c)) = (&dn.progress, ctx.cycle) {
        if p.v.len() != c.periods.len() {
            d.error(
                &p.loc,
                format!(
                    "`progress` has {} entries but the cycle has {} periods",
                    p.v.len(),
                    c.periods.len()
                ),
            );
        }
        if p.v.iter().any(|x| !(0.0..=10.0).contains(x)) || p.v.windows(2).any(|w| w[1] < w[0]) {
            d.error(
                &p.loc,
                "`progress` must be shares of the target (e.g. 0.25) that never decrease",
            );
        }
    }
    let _ = ctx.units;
    let checks = value_rules(dn, &method, d);
    let formula = dn.formula.as_ref().and_then(|f| {
        if method.takes_grade() {
            d.error(
                &f.loc,
                "a qualitative task is graded, not computed: remove `formula`",
            );
            return None;
        }
        if method == Method::Figure {
            d.error(
                &f.loc,
                "a figure is reported, not computed: a formula task reads figures",
            );
            return None;
        }
        match jixiao_core::formula::parse(&f.v) {
            Ok(x) => Some(x),
            Err(e) => {
                d.error(
                    &f.loc,
                    format!(
                        "formula `{}`: {} (at character {})",
                        f.v,
                        e.message,
                        e.at + 1
                    ),
                );
                None
            }
        }
    });
    if method == Method::Figure {
        if let Some(p) = dn.points.as_ref().filter(|p| p.v != 0.0) {
            d.error(
                &p.loc,
                "a figure (method `figure`) is reported but not scored: its points must be 0",
            );
        }
    }
    let task = Task {
        measure: dn.measure.as_ref().map(|m| m.v.clone()).unwrap_or_default(),
        direction,
        targets,
        overrides,
        method,
        missing,
        period_rule,
        responsible: dn.responsible.iter().map(|r| r.v.clone()).collect(),
        due: dn.due.as_ref().map(|x| x.v),
        progress: dn
            .progress
            .as_ref()
            .map(|p| p.v.clone())
            .unwrap_or_default(),
        checks,
        formula,
    };
    check_targets_in_bounds(dn, &task, d);
    Some(task)
}

/// The task's value checks (`kind`, `min`, `max`, `jump`), each checked where it is written.
fn value_rules(dn: &DraftNode, method: &Method, d: &mut Diagnostics) -> ValueRules {
    let kind = dn.kind.as_ref().and_then(|k| match ValueKind::parse(&k.v) {
        None => {
            let names: Vec<&str> = ValueKind::ALL.iter().map(|(n, _)| *n).collect();
            d.error(
                &k.loc,
                format!(
                    "unknown measure type `{}`; expected one of: {}",
                    k.v,
                    names.join(", ")
                ),
            );
            None
        }
        Some(kind) if (kind == ValueKind::Grade) != method.takes_grade() => {
            d.error(
                &k.loc,
                if method.takes_grade() {
                    "a qualitative task's values are grades: its `kind` must be `grade`"
                } else {
                    "only a qualitative task takes grades: `kind = \"grade\"` needs `method = \"qualitative\"`"
                },
            );
            None
        }
        Some(kind) => Some(kind),
    });
    let number = |d: &mut Diagnostics, x: &Option<L<f64>>, what: &str| {
        x.as_ref().and_then(|x| {
            if x.v.is_finite() {
                Some(x.v)
            } else {
                d.error(&x.loc, format!("`{what}` must be a finite number"));
                None
            }
        })
    };
    let min = number(d, &dn.min, "min");
    let max = number(d, &dn.max, "max");
    if let (Some(lo), Some(hi), Some(at)) = (min, max, &dn.max) {
        if lo > hi {
            d.error(&at.loc, format!("`max` ({hi}) is below `min` ({lo})"));
        }
    }
    let jump = dn.jump.as_ref().and_then(|x| {
        if x.v.is_finite() && x.v >= 0.0 {
            Some(x.v)
        } else {
            d.error(
                &x.loc,
                "`jump` must be a share ≥ 0 (0.5: a note when the value moves by more than half; 0: no jump check)",
            );
            None
        }
    });
    ValueRules {
        kind,
        min,
        max,
        jump,
    }
}

/// A target, challenge or floor outside the bounds of the task's values could never be
/// reported: a mistake in the task book (a rate's target of 150, a `max` below the target).
fn check_targets_in_bounds(dn: &DraftNode, task: &Task, d: &mut Diagnostics) {
    let name = dn.name.as_ref().map(|n| n.v.as_str()).unwrap_or("");
    let kind = kind_of(task, name);
    let (lo, hi) = bounds(task, kind);
    let fields = [
        (&dn.target, "target"),
        (&dn.challenge, "challenge"),
        (&dn.floor, "floor"),
    ];
    for (field, what) in fields {
        let Some(x) = field else { continue };
        if lo.is_some_and(|lo| x.v < lo - 1e-9) || hi.is_some_and(|hi| x.v > hi + 1e-9) {
            let show = |b: Option<f64>| b.map(|b| b.to_string()).unwrap_or_else(|| "…".into());
            d.error(
                &x.loc,
                format!(
                    "`{what}` {} lies outside the values this task accepts ({} to {}, measure type {}); set `kind`, `min` or `max`",
                    x.v,
                    show(lo),
                    show(hi),
                    kind.as_str()
                ),
            );
        }
    }
}
