//! Writes a framework as a canonical TOML task book: every field explicit, periods listed,
//! method parameters complete, so that reading it back gives the same framework.

use jixiao_core::model::*;
use std::fmt::Write;

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number TOML reads back to the same f64.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.fract() == 0.0 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

fn list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", q.join(", "))
}

/// Key and value pairs of a method's parameters, in a fixed order.
pub fn method_params(m: &Method) -> Vec<(&'static str, String)> {
    let n = |x: f64| number(x);
    match m {
        Method::Ratio { cap } => vec![("cap", n(*cap))],
        Method::Threshold { partial } => vec![("partial", n(*partial))],
        Method::Piecewise {
            floor_share,
            challenge_share,
            excess_as_bonus,
        } => vec![
            ("floor_share", n(*floor_share)),
            ("challenge_share", n(*challenge_share)),
            ("excess_as_bonus", excess_as_bonus.to_string()),
        ],
        Method::Efficacy { cap } => vec![("cap", n(*cap))],
        Method::Growth {
            base_share,
            per_point,
            cap_share,
        } => {
            vec![
                ("base_share", n(*base_share)),
                ("per_point", n(*per_point)),
                ("cap_share", n(*cap_share)),
            ]
        }
        Method::Rank {
            group,
            formula,
            ties,
        } => {
            let mut v = Vec::new();
            if let Some(g) = group {
                v.push(("group", quote(g)));
            }
            match formula {
                RankFormula::Proportional => v.push(("formula", quote("proportional"))),
                RankFormula::Step { step } => {
                    v.push(("formula", quote("step")));
                    v.push(("step", n(*step)));
                }
            }
            v.push((
                "ties",
                quote(if *ties == TiePolicy::Min {
                    "min"
                } else {
                    "average"
                }),
            ));
            v
        }
        Method::Deduction { base, per_event } => {
            let mut v = Vec::new();
            if let Some(b) = base {
                v.push(("base", n(*b)));
            }
            v.push(("per_event", n(*per_event)));
            v
        }
        Method::Qualitative { grades } => {
            let g: Vec<String> = grades
                .iter()
                .map(|(k, s)| format!("{} = {}", quote(k), n(*s)))
                .collect();
            vec![("grades", format!("{{ {} }}", g.join(", ")))]
        }
        Method::Scaled { min, max } => vec![("min", n(*min)), ("max", n(*max))],
        Method::Normalised {
            normalisation,
            group,
        } => {
            let mut v = vec![("normalisation", quote(normalisation.as_str()))];
            if let Some(g) = group {
                v.push(("group", quote(g)));
            }
            v
        }
        Method::Figure => Vec::new(),
    }
}

fn enum_name<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The canonical TOML text of a framework.
pub fn to_toml(fw: &Framework) -> String {
    let mut o = String::new();
    let c = &fw.cycle;
    let _ = writeln!(
        o,
        "# {} — jixiao task book (docs/framework-format.md)\n",
        c.name
    );
    let _ = writeln!(
        o,
        "[cycle]\nid = {}\nname = {}\nstart = {}\nend = {}\n",
        quote(&c.id),
        quote(&c.name),
        c.start,
        c.end
    );
    for p in &c.periods {
        let _ = writeln!(
            o,
            "[[cycle.period]]\nid = {}\nname = {}\nstart = {}\nend = {}\ndeadline = {}\n",
            quote(&p.id),
            quote(&p.name),
            p.start,
            p.end,
            p.deadline
        );
    }
    if let Some(org) = &fw.organisation {
        let _ = writeln!(
            o,
            "[organisation]\nid = {}\nname = {}\n",
            quote(&org.id),
            quote(&org.name)
        );
    }
    let _ = writeln!(o, "[scoring]");
    if let Some(cap) = fw.bonus.cap {
        let _ = writeln!(o, "bonus_cap = {}", number(cap));
    }
    if let Some(cap) = fw.deduction.cap {
        let _ = writeln!(o, "deduction_cap = {}", number(cap));
    }
    let _ = writeln!(
        o,
        "ranking_decimals = {}\nat_risk_margin = {}\njump_threshold = {}\n",
        fw.ranking.decimals,
        number(fw.status.at_risk_margin),
        number(fw.checks.jump)
    );
    for g in &fw.grades {
        let _ = writeln!(
            o,
            "[[grade]]\nname = {}\nmin = {}\n",
            quote(&g.name),
            number(g.min)
        );
    }
    for g in &fw.groups {
        let _ = writeln!(
            o,
            "[[group]]\nid = {}\nname = {}\n",
            quote(&g.id),
            quote(&g.name)
        );
    }
    for c in &fw.classes {
        let _ = writeln!(
            o,
            "[[class]]\nid = {}\nname = {}",
            quote(&c.id),
            quote(&c.name)
        );
        if let Some(t) = c.total_points {
            let _ = writeln!(o, "total_points = {}", number(t));
        }
        o.push('\n');
    }
    for u in &fw.units {
        let _ = write!(
            o,
            "[[unit]]\nid = {}\nname = {}\nkind = {}\ngroups = {}\nranked = {}\n",
            quote(&u.id),
            quote(&u.name),
            quote(u.kind.as_str()),
            list(&u.groups),
            u.ranked
        );
        if let Some(c) = &u.class {
            let _ = writeln!(o, "class = {}", quote(c));
        }
        o.push('\n');
    }
    for e in &fw.evaluators {
        let _ = writeln!(
            o,
            "[[evaluator]]\nid = {}\nname = {}\n",
            quote(&e.id),
            quote(&e.name)
        );
    }
    for t in &fw.tags {
        let _ = writeln!(
            o,
            "[[tag]]\nid = {}\nname = {}\nkind = {}\n",
            quote(&t.id),
            quote(&t.name),
            quote(t.kind.as_str())
        );
    }
    for n in &fw.nodes {
        let _ = writeln!(
            o,
            "[[node]]\nid = {}\nname = {}",
            quote(&n.id),
            quote(&n.name)
        );
        if !n.description.is_empty() {
            let _ = writeln!(o, "description = {}", quote(&n.description));
        }
        if let Some(p) = n.parent {
            let _ = writeln!(o, "parent = {}", quote(&fw.nodes[p].id));
        }
        let _ = writeln!(o, "points = {}", number(n.points));
        if !n.evaluators.is_empty() {
            let _ = writeln!(o, "evaluators = {}", list(&n.evaluators));
        }
        if n.children_sum {
            let _ = writeln!(o, "children_sum = true");
        }
        if n.aggregate != Aggregate::Sum {
            let _ = writeln!(o, "aggregate = {}", quote(&enum_name(&n.aggregate)));
        }
        if !n.tags.is_empty() {
            let _ = writeln!(o, "tags = {}", list(&n.tags));
        }
        if !n.classes.is_empty() {
            let _ = writeln!(o, "classes = {}", list(&n.classes));
        }
        if !n.class_points.is_empty() {
            let p: Vec<String> = n
                .class_points
                .iter()
                .map(|(c, p)| format!("{} = {}", quote(c), number(*p)))
                .collect();
            let _ = writeln!(o, "class_points = {{ {} }}", p.join(", "));
        }
        if let Some(t) = &n.task {
            write_task(&mut o, t);
        }
        o.push('\n');
        if let Some(t) = &n.task {
            for ov in &t.overrides {
                let _ = writeln!(o, "[[node.unit_target]]\nunit = {}", quote(&ov.unit));
                write_targets(&mut o, &ov.targets);
                o.push('\n');
            }
        }
    }
    o
}

fn write_targets(o: &mut String, t: &Targets) {
    for (k, v) in [
        ("target", t.target),
        ("challenge", t.challenge),
        ("floor", t.floor),
    ] {
        if let Some(v) = v {
            let _ = writeln!(o, "{k} = {}", number(v));
        }
    }
}

fn write_task(o: &mut String, t: &Task) {
    let _ = writeln!(o, "method = {}", quote(t.method.name()));
    let params: Vec<String> = method_params(&t.method)
        .into_iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    let _ = writeln!(o, "params = {{ {} }}", params.join(", "));
    if let Some(f) = &t.formula {
        let _ = writeln!(o, "formula = {}", quote(&f.text));
    }
    let _ = writeln!(o, "measure = {}", quote(&t.measure));
    let _ = writeln!(o, "direction = {}", quote(&enum_name(&t.direction)));
    write_targets(o, &t.targets);
    let _ = writeln!(o, "missing = {}", quote(&enum_name(&t.missing)));
    let _ = writeln!(o, "period_rule = {}", quote(&enum_name(&t.period_rule)));
    if !t.responsible.is_empty() {
        let _ = writeln!(o, "responsible = {}", list(&t.responsible));
    }
    if let Some(d) = t.due {
        let _ = writeln!(o, "due = {d}");
    }
    if !t.progress.is_empty() {
        let p: Vec<String> = t.progress.iter().map(|x| number(*x)).collect();
        let _ = writeln!(o, "progress = [{}]", p.join(", "));
    }
    if let Some(kind) = t.checks.kind {
        let _ = writeln!(o, "kind = {}", quote(kind.as_str()));
    }
    for (key, x) in [
        ("min", t.checks.min),
        ("max", t.checks.max),
        ("jump", t.checks.jump),
    ] {
        if let Some(x) = x {
            let _ = writeln!(o, "{key} = {}", number(x));
        }
    }
}
