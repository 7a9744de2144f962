//! The task book as read from a file, before validation: every field keeps where it came from.
//! [`build`] checks the whole draft, collecting every error, and only then makes a
//! [`Framework`]. Both the TOML and the xlsx readers produce a draft, so the rules live here
//! once.

use crate::diag::{Diagnostics, Location};
use chrono::{Duration, NaiveDate};
use jixiao_core::model::*;
use std::collections::{HashMap, HashSet};

/// A value with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct L<T> {
    pub v: T,
    pub loc: Location,
}

impl<T> L<T> {
    pub fn new(v: T, loc: Location) -> Self {
        L { v, loc }
    }
}

/// A method parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Num(f64),
    Str(String),
    Bool(bool),
    /// Name → number pairs in file order (the grades of a qualitative method).
    Table(Vec<(String, f64)>),
}

impl ParamValue {
    fn kind(&self) -> &'static str {
        match self {
            ParamValue::Num(_) => "a number",
            ParamValue::Str(_) => "a string",
            ParamValue::Bool(_) => "true or false",
            ParamValue::Table(_) => "a table",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftPeriod {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub start: Option<L<NaiveDate>>,
    pub end: Option<L<NaiveDate>>,
    pub deadline: Option<L<NaiveDate>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftCycle {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub start: Option<L<NaiveDate>>,
    pub end: Option<L<NaiveDate>>,
    /// `"monthly"` or `"quarterly"`: generate the periods.
    pub period_scheme: Option<L<String>>,
    /// Days after a generated period's end until its deadline.
    pub deadline_days: Option<L<f64>>,
    pub periods: Vec<DraftPeriod>,
    /// If set, the dimensions' points must add up to this.
    pub total_points: Option<L<f64>>,
    pub bonus_cap: Option<L<f64>>,
    pub deduction_cap: Option<L<f64>>,
    pub ranking_decimals: Option<L<f64>>,
    pub at_risk_margin: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftNamed {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftUnit {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub kind: Option<L<String>>,
    pub groups: Vec<L<String>>,
    pub ranked: Option<L<bool>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftGrade {
    pub loc: Option<Location>,
    pub name: Option<L<String>>,
    pub min: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftOverride {
    pub loc: Option<Location>,
    /// Set by the xlsx reader, whose overrides sit on their own sheet.
    pub task: Option<L<String>>,
    pub unit: Option<L<String>>,
    pub target: Option<L<f64>>,
    pub challenge: Option<L<f64>>,
    pub floor: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftNode {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub description: Option<L<String>>,
    pub parent: Option<L<String>>,
    pub points: Option<L<f64>>,
    pub evaluators: Vec<L<String>>,
    pub children_sum: Option<L<bool>>,
    pub aggregate: Option<L<String>>,
    pub method: Option<L<String>>,
    pub params: Vec<(L<String>, L<ParamValue>)>,
    pub measure: Option<L<String>>,
    pub direction: Option<L<String>>,
    pub target: Option<L<f64>>,
    pub challenge: Option<L<f64>>,
    pub floor: Option<L<f64>>,
    pub missing: Option<L<String>>,
    pub period_rule: Option<L<String>>,
    pub responsible: Vec<L<String>>,
    pub due: Option<L<NaiveDate>>,
    pub progress: Option<L<Vec<f64>>>,
    pub overrides: Vec<DraftOverride>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub cycle: DraftCycle,
    pub groups: Vec<DraftNamed>,
    pub units: Vec<DraftUnit>,
    pub evaluators: Vec<DraftNamed>,
    pub grades: Vec<DraftGrade>,
    pub nodes: Vec<DraftNode>,
}

fn here(loc: &Option<Location>) -> Location {
    loc.clone().unwrap_or(Location::File)
}

/// A required field: reports it missing at `at` when absent.
fn need<'a, T>(
    d: &mut Diagnostics,
    f: &'a Option<L<T>>,
    at: &Option<Location>,
    what: &str,
) -> Option<&'a L<T>> {
    if f.is_none() {
        d.error(&here(at), format!("missing `{what}`"));
    }
    f.as_ref()
}

fn choose<T: Copy>(
    d: &mut Diagnostics,
    f: &Option<L<String>>,
    options: &[(&str, T)],
    default: T,
    what: &str,
) -> T {
    match f {
        None => default,
        Some(s) => match options.iter().find(|(n, _)| *n == s.v) {
            Some((_, v)) => *v,
            None => {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                d.error(
                    &s.loc,
                    format!(
                        "unknown {what} `{}`; expected one of: {}",
                        s.v,
                        names.join(", ")
                    ),
                );
                default
            }
        },
    }
}

fn finite(d: &mut Diagnostics, x: &L<f64>, what: &str, min: f64) -> f64 {
    if !x.v.is_finite() || x.v < min {
        d.error(
            &x.loc,
            format!("`{what}` must be a number ≥ {min}, found {}", x.v),
        );
    }
    x.v
}

/// Registers ids, reporting duplicates.
fn unique_ids<'a>(
    d: &mut Diagnostics,
    ids: impl Iterator<Item = &'a L<String>>,
    what: &str,
) -> HashSet<String> {
    let mut seen: HashMap<String, Location> = HashMap::new();
    for id in ids {
        if id.v.trim().is_empty() {
            d.error(&id.loc, format!("{what} id must not be empty"));
        } else if let Some(first) = seen.get(&id.v) {
            d.error(
                &id.loc,
                format!(
                    "duplicate {what} id `{}` (first declared at {})",
                    id.v,
                    describe(first)
                ),
            );
        } else {
            seen.insert(id.v.clone(), id.loc.clone());
        }
    }
    seen.into_keys().collect()
}

fn describe(l: &Location) -> String {
    match l {
        Location::Text { line, column } => format!("line {line}, column {column}"),
        Location::Cell {
            sheet, row, column, ..
        } => format!("{sheet} row {row} column {column}"),
        Location::Row { sheet, row } => format!("{sheet} row {row}"),
        Location::File => "the file".into(),
    }
}

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
            Some(Unit {
                id: id?.v.clone(),
                name: name?.v.clone(),
                kind,
                groups: u.groups.iter().map(|g| g.v.clone()).collect(),
                ranked: u.ranked.as_ref().map(|r| r.v).unwrap_or(true),
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

    let ctx = Context {
        units: &units,
        unit_ids: &unit_ids,
        group_ids: &group_ids,
        evaluator_ids: &evaluator_ids,
        cycle: cycle.as_ref(),
    };
    let nodes = build_nodes(&draft.nodes, &ctx, d);
    if let (Some(total), Some(nodes)) = (&c.total_points, &nodes) {
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
    })
}

fn build_cycle(c: &DraftCycle, d: &mut Diagnostics) -> Option<Cycle> {
    let id = need(d, &c.id, &c.loc, "cycle.id");
    let name = need(d, &c.name, &c.loc, "cycle.name");
    let start = need(d, &c.start, &c.loc, "cycle.start");
    let end = need(d, &c.end, &c.loc, "cycle.end");
    let (start, end) = (start?.v, end?);
    if start > end.v {
        d.error(
            &end.loc,
            format!("the cycle ends ({}) before it starts ({start})", end.v),
        );
        return None;
    }
    let mut periods = Vec::new();
    if let Some(scheme) = &c.period_scheme {
        if !c.periods.is_empty() {
            d.error(
                &scheme.loc,
                "give either `periods = \"...\"` or [[cycle.period]] entries, not both",
            );
        }
        let months = match scheme.v.as_str() {
            "monthly" => 1,
            "quarterly" => 3,
            "half_yearly" => 6,
            "yearly" => 12,
            other => {
                d.error(&scheme.loc, format!("unknown period scheme `{other}`; expected monthly, quarterly, half_yearly or yearly"));
                return None;
            }
        };
        let days = c
            .deadline_days
            .as_ref()
            .map(|x| finite(d, x, "deadline_days", 0.0))
            .unwrap_or(10.0) as i64;
        periods = generate_periods(start, end.v, months, days);
    } else {
        let ids = unique_ids(d, c.periods.iter().filter_map(|p| p.id.as_ref()), "period");
        let _ = ids;
        let mut previous_end: Option<NaiveDate> = None;
        for p in &c.periods {
            let id = need(d, &p.id, &p.loc, "id");
            let name = need(d, &p.name, &p.loc, "name");
            let ps = need(d, &p.start, &p.loc, "start");
            let pe = need(d, &p.end, &p.loc, "end");
            let dl = need(d, &p.deadline, &p.loc, "deadline");
            let (Some(id), Some(name), Some(ps), Some(pe), Some(dl)) = (id, name, ps, pe, dl)
            else {
                continue;
            };
            if ps.v > pe.v {
                d.error(&pe.loc, format!("period `{}` ends before it starts", id.v));
            }
            if ps.v < start || pe.v > end.v {
                d.error(
                    &ps.loc,
                    format!(
                        "period `{}` ({} to {}) lies outside the cycle ({start} to {})",
                        id.v, ps.v, pe.v, end.v
                    ),
                );
            }
            if dl.v < pe.v {
                d.error(
                    &dl.loc,
                    format!(
                        "the deadline of period `{}` ({}) is before the period ends ({})",
                        id.v, dl.v, pe.v
                    ),
                );
            }
            if let Some(prev) = previous_end {
                if ps.v <= prev {
                    d.error(&ps.loc, format!("period `{}` overlaps or precedes the period before it; list periods in order", id.v));
                }
            }
            previous_end = Some(pe.v);
            periods.push(Period {
                id: id.v.clone(),
                name: name.v.clone(),
                start: ps.v,
                end: pe.v,
                deadline: dl.v,
            });
        }
    }
    if periods.is_empty() {
        d.error(&here(&c.loc), "the cycle has no reporting period: set `periods = \"quarterly\"` or add [[cycle.period]] entries");
    }
    Some(Cycle {
        id: id?.v.clone(),
        name: name?.v.clone(),
        start,
        end: end.v,
        periods,
    })
}

fn generate_periods(
    start: NaiveDate,
    end: NaiveDate,
    months: u32,
    deadline_days: i64,
) -> Vec<Period> {
    use chrono::{Datelike, Months};
    let mut out = Vec::new();
    let mut s = start;
    let mut k = 1;
    while s <= end {
        let next = s
            .checked_add_months(Months::new(months))
            .unwrap_or(end + Duration::days(1));
        let e = (next - Duration::days(1)).min(end);
        let (id, name) = match months {
            1 => (format!("M{:02}", s.month()), format!("{}月", s.month())),
            3 => (
                format!("Q{k}"),
                format!(
                    "第{}季度",
                    ["一", "二", "三", "四"].get(k - 1).unwrap_or(&"?")
                ),
            ),
            6 => (
                format!("H{k}"),
                if k == 1 {
                    "上半年".into()
                } else {
                    "下半年".into()
                },
            ),
            _ => (format!("Y{k}"), "全年".into()),
        };
        out.push(Period {
            id,
            name,
            start: s,
            end: e,
            deadline: e + Duration::days(deadline_days),
        });
        s = next;
        k += 1;
    }
    out
}

struct Context<'a> {
    units: &'a [Unit],
    unit_ids: &'a HashSet<String>,
    group_ids: &'a HashSet<String>,
    evaluator_ids: &'a HashSet<String>,
    cycle: Option<&'a Cycle>,
}

fn build_nodes(draft: &[DraftNode], ctx: &Context<'_>, d: &mut Diagnostics) -> Option<Vec<Node>> {
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

fn build_node(dn: &DraftNode, ctx: &Context<'_>, d: &mut Diagnostics) -> Option<Node> {
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
    })
}

fn build_task(
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
    Some(Task {
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
    })
}

struct TargetLocs<'a> {
    target: Option<&'a L<f64>>,
    challenge: Option<&'a L<f64>>,
    floor: Option<&'a L<f64>>,
    method: &'a Location,
}

fn check_targets(
    d: &mut Diagnostics,
    method: &Method,
    dir: Direction,
    t: Targets,
    at: &TargetLocs<'_>,
) {
    let needs_target = matches!(
        method,
        Method::Ratio { .. }
            | Method::Threshold { .. }
            | Method::Piecewise { .. }
            | Method::Efficacy { .. }
            | Method::Growth { .. }
            | Method::Normalised {
                normalisation: Normalisation::DistanceToTarget,
                ..
            }
    );
    let needs_floor = matches!(method, Method::Piecewise { .. } | Method::Efficacy { .. });
    let loc_t = at.target.map(|x| &x.loc).unwrap_or(at.method);
    for (x, name) in [
        (at.target, "target"),
        (at.challenge, "challenge"),
        (at.floor, "floor"),
    ] {
        if let Some(x) = x {
            if !x.v.is_finite() {
                d.error(&x.loc, format!("`{name}` must be a finite number"));
            }
        }
    }
    let Some(target) = t.target else {
        if needs_target {
            d.error(
                at.method,
                format!("method `{}` needs a `target`", method.name()),
            );
        }
        return;
    };
    if needs_floor && t.floor.is_none() {
        d.error(
            at.method,
            format!(
                "method `{}` needs a `floor` (the unacceptable value)",
                method.name()
            ),
        );
    }
    if matches!(
        method,
        Method::Ratio { .. }
            | Method::Normalised {
                normalisation: Normalisation::DistanceToTarget,
                ..
            }
    ) && target == 0.0
    {
        d.error(
            loc_t,
            format!(
                "method `{}` divides by the target, which must not be 0",
                method.name()
            ),
        );
    }
    let better = |a: f64, b: f64| {
        if dir == Direction::Higher {
            a > b
        } else {
            a < b
        }
    };
    let side = if dir == Direction::Higher {
        ("above", "below")
    } else {
        ("below", "above")
    };
    if let Some(c) = t.challenge {
        if !better(c, target) {
            let loc = at.challenge.map(|x| &x.loc).unwrap_or(loc_t);
            d.error(
                loc,
                format!(
                    "challenge value {} must be {} the target {} (direction: {})",
                    jixiao_core::explain::num(c),
                    side.0,
                    jixiao_core::explain::num(target),
                    if dir == Direction::Higher {
                        "higher is better"
                    } else {
                        "lower is better"
                    }
                ),
            );
        }
    }
    if let Some(f) = t.floor {
        if !better(target, f) {
            let loc = at.floor.map(|x| &x.loc).unwrap_or(loc_t);
            d.error(
                loc,
                format!(
                    "floor {} must be {} the target {} (direction: {})",
                    jixiao_core::explain::num(f),
                    side.1,
                    jixiao_core::explain::num(target),
                    if dir == Direction::Higher {
                        "higher is better"
                    } else {
                        "lower is better"
                    }
                ),
            );
        }
    }
}

/// The parameters each method accepts, with what they must be.
pub const METHODS: [(&str, &[&str]); 10] = [
    ("ratio", &["cap"]),
    ("threshold", &["partial"]),
    (
        "piecewise",
        &["floor_share", "challenge_share", "excess_as_bonus"],
    ),
    ("efficacy", &["cap"]),
    ("growth", &["base_share", "per_point", "cap_share"]),
    ("rank", &["group", "formula", "step", "ties"]),
    ("deduction", &["base", "per_event"]),
    ("qualitative", &["grades"]),
    ("scaled", &["min", "max"]),
    ("normalised", &["normalisation", "group"]),
];

struct Params<'a, 'd> {
    list: &'a [(L<String>, L<ParamValue>)],
    d: &'d mut Diagnostics,
    method: &'a L<String>,
}

impl Params<'_, '_> {
    fn get(&self, key: &str) -> Option<&L<ParamValue>> {
        self.list.iter().find(|(k, _)| k.v == key).map(|(_, v)| v)
    }
    fn wrong(&mut self, v: &L<ParamValue>, key: &str, want: &str) {
        self.d.error(
            &v.loc,
            format!(
                "parameter `{key}` of `{}` must be {want}, found {}",
                self.method.v,
                v.v.kind()
            ),
        );
    }
    /// A number within [min, max], or the default.
    fn num(&mut self, key: &str, default: Option<f64>, min: f64, max: f64) -> Option<f64> {
        match self.get(key).cloned() {
            None if default.is_none() => {
                self.d.error(
                    &self.method.loc,
                    format!("method `{}` needs parameter `{key}`", self.method.v),
                );
                None
            }
            None => default,
            Some(L {
                v: ParamValue::Num(x),
                loc,
            }) => {
                if !x.is_finite() || x < min || x > max {
                    self.d.error(
                        &loc,
                        format!(
                            "parameter `{key}` must be between {} and {}, found {}",
                            jixiao_core::explain::num(min),
                            jixiao_core::explain::num(max),
                            x
                        ),
                    );
                }
                Some(x)
            }
            Some(v) => {
                self.wrong(&v, key, "a number");
                default
            }
        }
    }
    fn text(&mut self, key: &str) -> Option<L<String>> {
        match self.get(key).cloned() {
            None => None,
            Some(L {
                v: ParamValue::Str(s),
                loc,
            }) => Some(L::new(s, loc)),
            Some(v) => {
                self.wrong(&v, key, "a string");
                None
            }
        }
    }
    fn flag(&mut self, key: &str) -> bool {
        match self.get(key).cloned() {
            None => false,
            Some(L {
                v: ParamValue::Bool(b),
                ..
            }) => b,
            Some(v) => {
                self.wrong(&v, key, "true or false");
                false
            }
        }
    }
}

fn build_method(
    m: &L<String>,
    params: &[(L<String>, L<ParamValue>)],
    ctx: &Context<'_>,
    d: &mut Diagnostics,
) -> Option<Method> {
    let Some((_, allowed)) = METHODS.iter().find(|(n, _)| *n == m.v) else {
        let names: Vec<&str> = METHODS.iter().map(|(n, _)| *n).collect();
        d.error(
            &m.loc,
            format!(
                "unknown method `{}`; expected one of: {}",
                m.v,
                names.join(", ")
            ),
        );
        return None;
    };
    let before = d.list.len();
    let mut seen = HashSet::new();
    for (k, _) in params {
        if !allowed.contains(&k.v.as_str()) {
            d.error(
                &k.loc,
                format!(
                    "unknown parameter `{}` for method `{}`; it takes: {}",
                    k.v,
                    m.v,
                    allowed.join(", ")
                ),
            );
        }
        if !seen.insert(&k.v) {
            d.error(&k.loc, format!("parameter `{}` given twice", k.v));
        }
    }
    let mut p = Params {
        list: params,
        d,
        method: m,
    };
    let group = |p: &mut Params<'_, '_>| -> Option<String> {
        let g = p.text("group")?;
        if !ctx.group_ids.contains(&g.v) {
            p.d.error(&g.loc, format!("unknown group `{}`", g.v));
        }
        Some(g.v)
    };
    let method = match m.v.as_str() {
        "ratio" => Method::Ratio {
            cap: p.num("cap", Some(1.0), 0.0, 100.0)?,
        },
        "threshold" => Method::Threshold {
            partial: p.num("partial", Some(0.0), 0.0, 1.0)?,
        },
        "piecewise" => Method::Piecewise {
            floor_share: p.num("floor_share", Some(0.6), 0.0, 1.0)?,
            challenge_share: p.num("challenge_share", Some(1.2), 1.0, 10.0)?,
            excess_as_bonus: p.flag("excess_as_bonus"),
        },
        "efficacy" => Method::Efficacy {
            cap: p.num("cap", Some(100.0), 1.0, 1000.0)?,
        },
        "growth" => Method::Growth {
            base_share: p.num("base_share", Some(0.8), 0.0, 1.0)?,
            per_point: p.num("per_point", Some(0.5), 0.0, f64::MAX)?,
            cap_share: p.num("cap_share", Some(1.0), 0.0, 10.0)?,
        },
        "rank" => {
            let group = group(&mut p);
            let formula = match p.text("formula") {
                None => RankFormula::Proportional,
                Some(f) if f.v == "proportional" => RankFormula::Proportional,
                Some(f) if f.v == "step" => RankFormula::Step {
                    step: p.num("step", None, 0.0, f64::MAX)?,
                },
                Some(f) => {
                    p.d.error(
                        &f.loc,
                        format!(
                            "unknown rank formula `{}`; expected step or proportional",
                            f.v
                        ),
                    );
                    RankFormula::Proportional
                }
            };
            if formula == RankFormula::Proportional {
                if let Some(s) = p.get("step") {
                    let loc = s.loc.clone();
                    p.d.error(&loc, "`step` is only used with formula = \"step\"");
                }
            }
            let ties = match p.text("ties") {
                None => TiePolicy::Min,
                Some(t) if t.v == "min" => TiePolicy::Min,
                Some(t) if t.v == "average" => TiePolicy::Average,
                Some(t) => {
                    p.d.error(
                        &t.loc,
                        format!("unknown tie policy `{}`; expected min or average", t.v),
                    );
                    TiePolicy::Min
                }
            };
            Method::Rank {
                group,
                formula,
                ties,
            }
        }
        "deduction" => {
            let base = match p.get("base") {
                None => None,
                Some(_) => p.num("base", None, 0.0, f64::MAX),
            };
            Method::Deduction {
                base,
                per_event: p.num("per_event", None, 0.0, f64::MAX)?,
            }
        }
        "qualitative" => match p.get("grades").cloned() {
            Some(L {
                v: ParamValue::Table(g),
                loc,
            }) => {
                if g.is_empty() || g.iter().any(|(_, s)| !(0.0..=10.0).contains(s)) {
                    p.d.error(&loc, "`grades` must map each grade to a share of the points, e.g. { \"优\" = 1.0, \"良\" = 0.85 }");
                }
                Method::Qualitative { grades: g }
            }
            Some(v) => {
                p.wrong(&v, "grades", "a table of grade = share");
                return None;
            }
            None => {
                p.d.error(&m.loc, "method `qualitative` needs parameter `grades`, e.g. { \"优\" = 1.0, \"良\" = 0.85, \"中\" = 0.7, \"差\" = 0.5 }");
                return None;
            }
        },
        "scaled" => {
            let min = p.num("min", Some(0.0), f64::MIN, f64::MAX)?;
            let max = p.num("max", Some(100.0), f64::MIN, f64::MAX)?;
            if max <= min {
                p.d.error(&m.loc, "`max` must be greater than `min`");
            }
            Method::Scaled { min, max }
        }
        "normalised" => {
            let group = group(&mut p);
            let normalisation = match p.text("normalisation") {
                None => Normalisation::MinMax,
                Some(n) => match Normalisation::ALL.into_iter().find(|x| x.as_str() == n.v) {
                    Some(x) => x,
                    None => {
                        p.d.error(&n.loc, format!("unknown normalisation `{}`; expected min_max, z_score or distance_to_target", n.v));
                        Normalisation::MinMax
                    }
                },
            };
            Method::Normalised {
                normalisation,
                group,
            }
        }
        _ => unreachable!("listed in METHODS"),
    };
    (d.list.len() == before).then_some(method)
}
