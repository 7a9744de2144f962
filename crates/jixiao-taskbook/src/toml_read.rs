//! Reads the TOML task book (docs/framework-format.md) into a located [`Draft`], reporting
//! every type error and unknown field with its line and column.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::draft::*;
use chrono::NaiveDate;
use std::ops::Range;
use toml_edit::{Document, Item, Table, TableLike, Value};

/// Parses and validates a TOML task book. On failure, every problem found is returned, in file
/// order.
pub fn parse_toml(text: &str, file: &str) -> Result<jixiao_core::Framework, Vec<Diagnostic>> {
    let (draft, mut d) = read_toml(text, file)?;
    match crate::draft::build(&draft, &mut d) {
        Some(fw) if d.is_empty() => Ok(fw),
        _ => Err(d.into_sorted()),
    }
}

/// Reads the file into a draft. A syntax error stops reading (TOML cannot be read past it);
/// other problems are collected in the returned diagnostics.
pub fn read_toml(text: &str, file: &str) -> Result<(Draft, Diagnostics), Vec<Diagnostic>> {
    let mut r = Reader::new(text, file);
    let Some(doc) = r.parse() else {
        return Err(r.d.into_sorted());
    };
    let root = doc.as_table();
    r.check_keys(
        root,
        &[
            "cycle",
            "scoring",
            "group",
            "unit",
            "evaluator",
            "grade",
            "node",
            "tag",
            "class",
            "organisation",
        ],
        "the top level",
    );
    let mut draft = Draft::default();
    match root.get("cycle").map(|i| (i, i.as_table_like())) {
        Some((i, Some(t))) => draft.cycle = r.cycle(t, i.span()),
        Some((i, None)) => {
            r.d.error(&r.loc(i.span()), "`cycle` must be a table: [cycle]")
        }
        None => r.d.error(&Location::File, "missing [cycle] table"),
    }
    if let Some(i) = root.get("organisation") {
        match i.as_table_like() {
            Some(t) => {
                r.check_keys(t, &["id", "name"], "[organisation]");
                draft.organisation = Some(DraftNamed {
                    loc: Some(r.loc(i.span())),
                    id: r.s(t, "id"),
                    name: r.s(t, "name"),
                });
            }
            None => r.d.error(
                &r.loc(i.span()),
                "`organisation` must be a table: [organisation] with id and name",
            ),
        }
    }
    if let Some(i) = root.get("scoring") {
        match i.as_table_like() {
            Some(t) => r.scoring(t, &mut draft.cycle),
            None => {
                r.d.error(&r.loc(i.span()), "`scoring` must be a table: [scoring]")
            }
        }
    }
    for (t, span) in r.tables(root, "group") {
        r.check_keys(t, &["id", "name"], "[[group]]");
        draft.groups.push(DraftNamed {
            loc: Some(r.loc(span)),
            id: r.s(t, "id"),
            name: r.s(t, "name"),
        });
    }
    for (t, span) in r.tables(root, "evaluator") {
        r.check_keys(t, &["id", "name"], "[[evaluator]]");
        draft.evaluators.push(DraftNamed {
            loc: Some(r.loc(span)),
            id: r.s(t, "id"),
            name: r.s(t, "name"),
        });
    }
    for (t, span) in r.tables(root, "unit") {
        r.check_keys(
            t,
            &["id", "name", "kind", "groups", "ranked", "class"],
            "[[unit]]",
        );
        draft.units.push(DraftUnit {
            loc: Some(r.loc(span)),
            id: r.s(t, "id"),
            name: r.s(t, "name"),
            kind: r.s(t, "kind"),
            groups: r.strs(t, "groups"),
            ranked: r.b(t, "ranked"),
            class: r.s(t, "class"),
        });
    }
    for (t, span) in r.tables(root, "class") {
        r.check_keys(t, &["id", "name", "total_points"], "[[class]]");
        draft.classes.push(DraftClass {
            loc: Some(r.loc(span)),
            id: r.s(t, "id"),
            name: r.s(t, "name"),
            total_points: r.n(t, "total_points"),
        });
    }
    for (t, span) in r.tables(root, "tag") {
        r.check_keys(t, &["id", "name", "kind"], "[[tag]]");
        draft.tags.push(DraftTag {
            loc: Some(r.loc(span)),
            id: r.s(t, "id"),
            name: r.s(t, "name"),
            kind: r.s(t, "kind"),
        });
    }
    for (t, span) in r.tables(root, "grade") {
        r.check_keys(t, &["name", "min"], "[[grade]]");
        draft.grades.push(DraftGrade {
            loc: Some(r.loc(span)),
            name: r.s(t, "name"),
            min: r.n(t, "min"),
        });
    }
    for (t, span) in r.tables(root, "node") {
        let node = r.node(t, span);
        draft.nodes.push(node);
    }
    Ok((draft, r.d))
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Reads values out of a parsed TOML document, noting located problems (shared by the task
/// book and the other TOML files an office writes, such as a survey's questionnaire).
pub(crate) struct Reader<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    pub(crate) d: Diagnostics,
}

const NODE_KEYS: [&str; 29] = [
    "id",
    "name",
    "parent",
    "points",
    "evaluators",
    "children_sum",
    "aggregate",
    "method",
    "params",
    "measure",
    "direction",
    "target",
    "challenge",
    "floor",
    "missing",
    "period_rule",
    "responsible",
    "due",
    "progress",
    "unit_target",
    "description",
    "kind",
    "min",
    "max",
    "jump",
    "tags",
    "formula",
    "classes",
    "class_points",
];

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str, file: &str) -> Reader<'a> {
        Reader {
            text,
            line_starts: line_starts(text),
            d: Diagnostics::new(file),
        }
    }

    /// Parses the text; a syntax error is the one diagnostic.
    pub(crate) fn parse(&mut self) -> Option<Document<&'a str>> {
        match Document::parse(self.text) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let loc = self.loc(e.span());
                self.d
                    .error(&loc, format!("TOML syntax error: {}", e.message().trim()));
                None
            }
        }
    }

    pub(crate) fn loc(&self, span: Option<Range<usize>>) -> Location {
        let Some(span) = span else {
            return Location::File;
        };
        let offset = span.start.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        Location::Text { line, column }
    }

    pub(crate) fn value_loc(&self, t: &dyn TableLike, key: &str) -> Location {
        let span = t
            .get(key)
            .and_then(|i| i.span())
            .or_else(|| t.key(key).and_then(|k| k.span()));
        self.loc(span)
    }

    pub(crate) fn check_keys(&mut self, t: &dyn TableLike, allowed: &[&str], what: &str) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k) {
                let loc = self.loc(t.key(k).and_then(|k| k.span()));
                self.d.error(
                    &loc,
                    format!(
                        "unknown field `{k}` in {what}; expected one of: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn value<'t>(
        &mut self,
        t: &'t dyn TableLike,
        key: &str,
        want: &str,
    ) -> Option<(&'t Value, Location)> {
        let item = t.get(key)?;
        let loc = self.value_loc(t, key);
        match item.as_value() {
            Some(v) => Some((v, loc)),
            None => {
                self.d.error(
                    &loc,
                    format!("`{key}` must be {want}, found a {}", item.type_name()),
                );
                None
            }
        }
    }

    fn wrong(&mut self, key: &str, want: &str, v: &Value, loc: &Location) {
        self.d.error(
            loc,
            format!("`{key}` must be {want}, found {}", v.type_name()),
        );
    }

    pub(crate) fn s(&mut self, t: &dyn TableLike, key: &str) -> Option<L<String>> {
        let (v, loc) = self.value(t, key, "a string")?;
        match v.as_str() {
            Some(s) => Some(L::new(s.to_string(), loc)),
            None => {
                self.wrong(key, "a string", v, &loc);
                None
            }
        }
    }

    /// A string the file must have: a missing one is reported against the file.
    pub(crate) fn required_s(&mut self, t: &dyn TableLike, key: &str) -> Option<L<String>> {
        let v = self.s(t, key);
        if v.is_none() && t.get(key).is_none() {
            self.d.error(&Location::File, format!("missing `{key}`"));
        }
        v
    }

    pub(crate) fn n(&mut self, t: &dyn TableLike, key: &str) -> Option<L<f64>> {
        let (v, loc) = self.value(t, key, "a number")?;
        match number(v) {
            Some(x) => Some(L::new(x, loc)),
            None => {
                self.wrong(key, "a number", v, &loc);
                None
            }
        }
    }

    fn b(&mut self, t: &dyn TableLike, key: &str) -> Option<L<bool>> {
        let (v, loc) = self.value(t, key, "true or false")?;
        match v.as_bool() {
            Some(x) => Some(L::new(x, loc)),
            None => {
                self.wrong(key, "true or false", v, &loc);
                None
            }
        }
    }

    pub(crate) fn date(&mut self, t: &dyn TableLike, key: &str) -> Option<L<NaiveDate>> {
        let (v, loc) = self.value(t, key, "a date such as 2020-12-31")?;
        let parsed = match v {
            Value::Datetime(dt) => {
                let dt = dt.value();
                match (dt.date, dt.time) {
                    (Some(d), None) => {
                        NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
                    }
                    _ => None,
                }
            }
            Value::String(s) => NaiveDate::parse_from_str(s.value().trim(), "%Y-%m-%d").ok(),
            _ => None,
        };
        match parsed {
            Some(d) => Some(L::new(d, loc)),
            None => {
                self.d
                    .error(&loc, format!("`{key}` must be a date such as 2020-12-31"));
                None
            }
        }
    }

    /// A list of strings; a single string is accepted as a list of one.
    pub(crate) fn strs(&mut self, t: &dyn TableLike, key: &str) -> Vec<L<String>> {
        let Some((v, loc)) = self.value(t, key, "a list of strings") else {
            return Vec::new();
        };
        match v {
            Value::String(s) => vec![L::new(s.value().clone(), loc)],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| {
                    let l = self.loc(x.span());
                    match x.as_str() {
                        Some(s) => Some(L::new(s.to_string(), l)),
                        None => {
                            self.d.error(
                                &l,
                                format!("`{key}` must list strings, found {}", x.type_name()),
                            );
                            None
                        }
                    }
                })
                .collect(),
            _ => {
                self.wrong(key, "a list of strings", v, &loc);
                Vec::new()
            }
        }
    }

    fn nums(&mut self, t: &dyn TableLike, key: &str) -> Option<L<Vec<f64>>> {
        let (v, loc) = self.value(t, key, "a list of numbers")?;
        let Value::Array(a) = v else {
            self.wrong(key, "a list of numbers", v, &loc);
            return None;
        };
        let mut out = Vec::new();
        for x in a.iter() {
            match number(x) {
                Some(n) => out.push(n),
                None => {
                    let l = self.loc(x.span());
                    self.d.error(
                        &l,
                        format!("`{key}` must list numbers, found {}", x.type_name()),
                    );
                    return None;
                }
            }
        }
        Some(L::new(out, loc))
    }

    /// The tables of an array of tables (`[[key]]`), with their header spans.
    pub(crate) fn tables<'t>(
        &mut self,
        t: &'t dyn TableLike,
        key: &str,
    ) -> Vec<(&'t Table, Option<Range<usize>>)> {
        match t.get(key) {
            None => Vec::new(),
            Some(Item::ArrayOfTables(a)) => a.iter().map(|t| (t, t.span())).collect(),
            Some(other) => {
                let loc = self.loc(other.span().or_else(|| t.key(key).and_then(|k| k.span())));
                self.d.error(
                    &loc,
                    format!(
                        "`{key}` must be written as [[{key}]] entries, found {}",
                        other.type_name()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn cycle(&mut self, t: &dyn TableLike, span: Option<Range<usize>>) -> DraftCycle {
        self.check_keys(
            t,
            &[
                "id",
                "name",
                "start",
                "end",
                "periods",
                "deadline_days",
                "period",
            ],
            "[cycle]",
        );
        let mut c = DraftCycle {
            loc: Some(self.loc(span)),
            id: self.s(t, "id"),
            name: self.s(t, "name"),
            start: self.date(t, "start"),
            end: self.date(t, "end"),
            deadline_days: self.n(t, "deadline_days"),
            ..Default::default()
        };
        if t.get("periods").is_some() {
            c.period_scheme = self.s(t, "periods");
        }
        for (p, span) in self.tables(t, "period") {
            self.check_keys(
                p,
                &["id", "name", "start", "end", "deadline"],
                "[[cycle.period]]",
            );
            c.periods.push(DraftPeriod {
                loc: Some(self.loc(span)),
                id: self.s(p, "id"),
                name: self.s(p, "name"),
                start: self.date(p, "start"),
                end: self.date(p, "end"),
                deadline: self.date(p, "deadline"),
            });
        }
        c
    }

    fn scoring(&mut self, t: &dyn TableLike, c: &mut DraftCycle) {
        self.check_keys(
            t,
            &[
                "total_points",
                "bonus_cap",
                "deduction_cap",
                "ranking_decimals",
                "at_risk_margin",
                "jump_threshold",
            ],
            "[scoring]",
        );
        c.total_points = self.n(t, "total_points");
        c.bonus_cap = self.n(t, "bonus_cap");
        c.deduction_cap = self.n(t, "deduction_cap");
        c.ranking_decimals = self.n(t, "ranking_decimals");
        c.at_risk_margin = self.n(t, "at_risk_margin");
        c.jump_threshold = self.n(t, "jump_threshold");
    }

    fn node(&mut self, t: &Table, span: Option<Range<usize>>) -> DraftNode {
        self.check_keys(t, &NODE_KEYS, "[[node]]");
        let mut n = DraftNode {
            loc: Some(self.loc(span)),
            id: self.s(t, "id"),
            name: self.s(t, "name"),
            description: self.s(t, "description"),
            parent: self.s(t, "parent"),
            points: self.n(t, "points"),
            evaluators: self.strs(t, "evaluators"),
            children_sum: self.b(t, "children_sum"),
            aggregate: self.s(t, "aggregate"),
            method: self.s(t, "method"),
            measure: self.s(t, "measure"),
            direction: self.s(t, "direction"),
            target: self.n(t, "target"),
            challenge: self.n(t, "challenge"),
            floor: self.n(t, "floor"),
            missing: self.s(t, "missing"),
            period_rule: self.s(t, "period_rule"),
            responsible: self.strs(t, "responsible"),
            due: self.date(t, "due"),
            progress: self.nums(t, "progress"),
            kind: self.s(t, "kind"),
            min: self.n(t, "min"),
            max: self.n(t, "max"),
            jump: self.n(t, "jump"),
            tags: self.strs(t, "tags"),
            formula: self.s(t, "formula"),
            classes: self.strs(t, "classes"),
            ..Default::default()
        };
        if let Some(item) = t.get("class_points") {
            match item.as_table_like() {
                Some(p) => {
                    for (k, x) in p.iter() {
                        let key = L::new(k.to_string(), self.loc(p.key(k).and_then(|k| k.span())));
                        let loc = self.loc(x.span());
                        match x.as_value().and_then(number) {
                            Some(v) => n.class_points.push((key, L::new(v, loc))),
                            None => self
                                .d
                                .error(&loc, format!("`class_points.{k}` must be a number")),
                        }
                    }
                }
                None => {
                    let loc = self.value_loc(t, "class_points");
                    self.d.error(
                        &loc,
                        "`class_points` must be a table such as { department = 20 }",
                    );
                }
            }
        }
        if let Some(item) = t.get("params") {
            match item.as_table_like() {
                Some(p) => n.params = self.params(p),
                None => {
                    let loc = self.value_loc(t, "params");
                    self.d.error(
                        &loc,
                        format!(
                            "`params` must be a table such as {{ cap = 1.2 }}, found {}",
                            item.type_name()
                        ),
                    );
                }
            }
        }
        for (o, span) in self.tables(t, "unit_target") {
            self.check_keys(
                o,
                &["unit", "target", "challenge", "floor"],
                "[[node.unit_target]]",
            );
            n.overrides.push(DraftOverride {
                loc: Some(self.loc(span)),
                task: None,
                unit: self.s(o, "unit"),
                target: self.n(o, "target"),
                challenge: self.n(o, "challenge"),
                floor: self.n(o, "floor"),
            });
        }
        n
    }

    fn params(&mut self, p: &dyn TableLike) -> Vec<(L<String>, L<ParamValue>)> {
        let mut out = Vec::new();
        for (k, item) in p.iter() {
            let key = L::new(k.to_string(), self.loc(p.key(k).and_then(|k| k.span())));
            let loc = self.loc(item.span());
            let value = match item {
                Item::Value(Value::String(s)) => ParamValue::Str(s.value().clone()),
                Item::Value(Value::Boolean(b)) => ParamValue::Bool(*b.value()),
                Item::Value(v) if number(v).is_some() => {
                    ParamValue::Num(number(v).unwrap_or_default())
                }
                other => match other.as_table_like() {
                    Some(t) => {
                        let mut pairs = Vec::new();
                        for (name, x) in t.iter() {
                            match x.as_value().and_then(number) {
                                Some(x) => pairs.push((name.to_string(), x)),
                                None => {
                                    let l = self.loc(x.span());
                                    self.d.error(&l, format!("`{k}.{name}` must be a number"));
                                }
                            }
                        }
                        ParamValue::Table(pairs)
                    }
                    None => {
                        self.d.error(&loc, format!("parameter `{k}` must be a number, string, boolean or table, found {}", other.type_name()));
                        continue;
                    }
                },
            };
            out.push((key, L::new(value, loc)));
        }
        out
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i.value() as f64),
        Value::Float(f) => Some(*f.value()),
        _ => None,
    }
}
