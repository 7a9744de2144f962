//! A survey (市民评议, 公众满意度调查) as the office declares it, and the survey company's file
//! of results read through it.
//!
//! The questionnaire file (TOML) names the survey, the task its score enters, the answer scale,
//! the confidence level of the margin of error, the items with their weights, and where each is in
//! the company's file: `[columns]` gives the unit column and the sample-size column, each
//! `[[item]]` its `column` (and optionally `sd_column`, `sample_column`), `[units]` maps the
//! company's names of units to the cycle's ids when they differ. The results file (CSV or xlsx)
//! has one row per unit. Both are checked whole before anything is returned: every problem is
//! named with its line, or its row and column. Format: docs/framework-format.md, "Surveys".

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::sheet::read_table;
use crate::toml_read::Reader;
use jixiao_core::basis::{ItemResult, Questionnaire, SurveyItem};
use jixiao_core::{Framework, Method};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A questionnaire with the columns of the company's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyFile {
    pub questionnaire: Questionnaire,
    pub mapping: SurveyMapping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyMapping {
    pub unit_column: String,
    /// The sample size of every item of a row, unless an item has its own.
    pub sample_column: Option<String>,
    pub items: Vec<ItemColumns>,
    /// The company's name of a unit → the unit's id.
    pub units: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemColumns {
    pub item: String,
    pub column: String,
    pub sample_column: Option<String>,
    pub sd_column: Option<String>,
}

const TOP_KEYS: [&str; 9] = [
    "id",
    "name",
    "task",
    "conductor",
    "scale",
    "confidence",
    "columns",
    "units",
    "item",
];

/// Reads a questionnaire file and checks it against the cycle.
pub fn parse_survey(fw: &Framework, text: &str, file: &str) -> Result<SurveyFile, Vec<Diagnostic>> {
    let mut r = Reader::new(text, file);
    let Some(doc) = r.parse() else {
        return Err(r.d.into_sorted());
    };
    let root = doc.as_table();
    r.check_keys(root, &TOP_KEYS, "a survey file");
    let mut required = |key: &str| -> Option<String> {
        r.required_s(root, key)
            .map(|l| l.v.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let id = required("id");
    let name = required("name");
    let task = required("task");
    let conductor = r.s(root, "conductor").map(|l| l.v).unwrap_or_default();
    if let Some(task) = &task {
        let loc = r.value_loc(root, "task");
        match fw.node_index(task).map(|n| &fw.nodes[n]) {
            None => r.d.error(&loc, format!("`{task}` is not a node of cycle {}", fw.cycle.id)),
            Some(n) => match &n.task {
                None => r
                    .d
                    .error(&loc, format!("`{task}` is an indicator; a survey enters a task")),
                Some(t) if t.formula.is_some() || matches!(t.method, Method::Figure | Method::Qualitative { .. }) => {
                    r.d.error(&loc, format!("`{task}` is not scored from a number the survey can give (a formula, figure or grade task)"))
                }
                Some(_) => {}
            },
        }
    }
    let scale = match r.n(root, "scale") {
        Some(s) if s.v > 0.0 => s.v,
        Some(s) => {
            r.d.error(
                &s.loc,
                "`scale` must be above 0 (5 for a five-point scale, 100 for scores)",
            );
            1.0
        }
        None => 100.0,
    };
    let confidence = match r.n(root, "confidence") {
        Some(c) if c.v > 0.5 && c.v < 1.0 => c.v,
        Some(c) => {
            r.d.error(
                &c.loc,
                "`confidence` must be between 0.5 and 1, such as 0.95",
            );
            0.95
        }
        None => 0.95,
    };
    // [columns]
    let mut unit_column = None;
    let mut sample_column = None;
    match root.get("columns").and_then(|c| c.as_table_like()) {
        Some(cols) => {
            r.check_keys(cols, &["unit", "sample"], "[columns]");
            unit_column = r.s(cols, "unit").map(|l| l.v);
            sample_column = r.s(cols, "sample").map(|l| l.v);
            if unit_column.is_none() {
                let loc = r.loc(root.key("columns").and_then(|k| k.span()));
                r.d.error(
                    &loc,
                    "[columns] must name the `unit` column of the results file",
                );
            }
        }
        None => r.d.error(
            &Location::File,
            "missing [columns] (the results file's `unit` and `sample` columns)",
        ),
    }
    // [units]
    let mut units = Vec::new();
    if let Some(map) = root.get("units").and_then(|c| c.as_table_like()) {
        for (k, _) in map.iter() {
            if let Some(v) = r.s(map, k) {
                if fw.unit_index(&v.v).is_none() {
                    r.d.error(
                        &v.loc,
                        format!(
                            "[units] `{k}`: `{}` is not a unit of cycle {}",
                            v.v, fw.cycle.id
                        ),
                    );
                }
                units.push((k.to_string(), v.v));
            }
        }
    }
    // [[item]]
    let mut items = Vec::new();
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    let tables = r.tables(root, "item");
    if tables.is_empty() {
        r.d.error(&Location::File, "a survey needs at least one [[item]]");
    }
    for (t, span) in tables {
        r.check_keys(
            t,
            &[
                "id",
                "name",
                "weight",
                "column",
                "sample_column",
                "sd_column",
            ],
            "an [[item]]",
        );
        let at = r.loc(span);
        let Some(id) = r.s(t, "id") else {
            r.d.error(&at, "an [[item]] needs an `id`");
            continue;
        };
        if !seen.insert(id.v.clone()) {
            r.d.error(&id.loc, format!("item `{}` is declared twice", id.v));
        }
        let name = r.s(t, "name").map(|l| l.v).unwrap_or_else(|| id.v.clone());
        let weight = match r.n(t, "weight") {
            Some(w) if w.v > 0.0 => w.v,
            Some(w) => {
                r.d.error(&w.loc, "`weight` must be above 0");
                1.0
            }
            None => 1.0,
        };
        let Some(column) = r.s(t, "column") else {
            r.d.error(
                &at,
                format!(
                    "item `{}` needs the `column` of its mean score in the results file",
                    id.v
                ),
            );
            continue;
        };
        let item_sample = r.s(t, "sample_column").map(|l| l.v);
        if item_sample.is_none() && sample_column.is_none() {
            r.d.error(&at, format!("item `{}` has no sample size: give [columns] sample or the item's `sample_column`", id.v));
        }
        columns.push(ItemColumns {
            item: id.v.clone(),
            column: column.v,
            sample_column: item_sample,
            sd_column: r.s(t, "sd_column").map(|l| l.v),
        });
        items.push(SurveyItem {
            id: id.v,
            name,
            weight,
        });
    }
    match (id, name, task, unit_column) {
        (Some(id), Some(name), Some(task), Some(unit_column)) if r.d.is_empty() => Ok(SurveyFile {
            questionnaire: Questionnaire {
                id,
                name,
                task,
                conductor,
                scale,
                confidence,
                items,
            },
            mapping: SurveyMapping {
                unit_column,
                sample_column,
                items: columns,
                units,
            },
        }),
        _ => Err(r.d.into_sorted()),
    }
}

/// Reads the company's results file through the survey's mapping: one row per unit; every unit
/// the task is assessed on must have a row, no unit twice; means within the scale, sample sizes
/// whole numbers above 0, standard deviations not negative. Any problem refuses the whole file.
pub fn read_results(
    fw: &Framework,
    survey: &SurveyFile,
    bytes: &[u8],
    file: &str,
) -> Result<Vec<ItemResult>, Vec<Diagnostic>> {
    let sheet = read_table(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let header = |name: &str| sheet.headers.iter().position(|h| h.trim() == name.trim());
    let need = |name: &str, what: &str, d: &mut Diagnostics| {
        let c = header(name);
        if c.is_none() {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: 1,
                },
                format!(
                    "the survey maps {what} to column `{name}`, which is not in the file's header"
                ),
            );
        }
        c
    };
    let m = &survey.mapping;
    let unit_col = need(&m.unit_column, "the unit", &mut d);
    let sample_col = m
        .sample_column
        .as_ref()
        .and_then(|c| need(c, "the sample size", &mut d));
    let item_cols: Vec<(Option<usize>, Option<usize>, Option<usize>)> = m
        .items
        .iter()
        .map(|i| {
            (
                need(&i.column, &format!("item `{}`", i.item), &mut d),
                i.sample_column
                    .as_ref()
                    .and_then(|c| need(c, &format!("item `{}`'s sample size", i.item), &mut d)),
                i.sd_column.as_ref().and_then(|c| {
                    need(
                        c,
                        &format!("item `{}`'s standard deviation", i.item),
                        &mut d,
                    )
                }),
            )
        })
        .collect();
    if !d.is_empty() {
        return Err(d.into_sorted());
    }
    let q = &survey.questionnaire;
    let task = fw.node_index(&q.task);
    let names: HashMap<&str, &str> = m
        .units
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut rows_of: HashMap<String, usize> = HashMap::new();
    for r in 0..sheet.rows.len() {
        if sheet.rows[r].iter().all(|c| c.is_empty()) {
            continue;
        }
        let unit_cell = sheet.cell(r, unit_col).text();
        let unit = names
            .get(unit_cell.as_str())
            .and_then(|id| fw.unit_index(id))
            .or_else(|| fw.unit_index(&unit_cell))
            .or_else(|| fw.units.iter().position(|u| u.name == unit_cell));
        let Some(u) = unit else {
            d.error(
                &sheet.location(r, unit_col.unwrap_or(0)),
                format!("`{unit_cell}` is not a unit of cycle {} (add it to the survey's [units] if the company names it differently)", fw.cycle.id),
            );
            continue;
        };
        let uid = fw.units[u].id.clone();
        if task.is_some_and(|t| !fw.is_responsible(t, u)) {
            d.error(
                &sheet.location(r, unit_col.unwrap_or(0)),
                format!("{} is not assessed on task {}", fw.units[u].name, q.task),
            );
            continue;
        }
        if let Some(first) = rows_of.insert(uid.clone(), r + 2) {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: r + 2,
                },
                format!("{} has a row already (row {first})", fw.units[u].name),
            );
            continue;
        }
        for (item, (mean_c, sample_c, sd_c)) in m.items.iter().zip(&item_cols) {
            let mean_cell = sheet.cell(r, *mean_c);
            let mean = match mean_cell.number() {
                Some(x) if (0.0..=q.scale).contains(&x) => Some(x),
                Some(x) => {
                    d.error(
                        &sheet.location(r, mean_c.unwrap_or(0)),
                        format!(
                            "{x} is outside the scale 0–{}",
                            jixiao_core::numbers::num(q.scale)
                        ),
                    );
                    None
                }
                None => {
                    d.error(
                        &sheet.location(r, mean_c.unwrap_or(0)),
                        format!(
                            "`{}` is not a number (the mean score of item `{}`)",
                            mean_cell.text(),
                            item.item
                        ),
                    );
                    None
                }
            };
            let sc = sample_c.or(sample_col);
            let sample_cell = sheet.cell(r, sc);
            let sample = match sample_cell.number() {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                    Some(n as u32)
                }
                _ => {
                    d.error(
                        &sheet.location(r, sc.unwrap_or(0)),
                        format!(
                            "`{}` is not a sample size (a whole number above 0)",
                            sample_cell.text()
                        ),
                    );
                    None
                }
            };
            let sd_cell = sheet.cell(r, *sd_c);
            let sd = if sd_cell.is_empty() {
                Some(None)
            } else {
                match sd_cell.number() {
                    Some(x) if x >= 0.0 => Some(Some(x)),
                    _ => {
                        d.error(
                            &sheet.location(r, sd_c.unwrap_or(0)),
                            format!(
                                "`{}` is not a standard deviation (a number, 0 or more)",
                                sd_cell.text()
                            ),
                        );
                        None
                    }
                }
            };
            if let (Some(mean), Some(sample), Some(sd)) = (mean, sample, sd) {
                out.push(ItemResult {
                    unit: uid.clone(),
                    item: item.item.clone(),
                    mean,
                    sample,
                    sd,
                });
            }
        }
    }
    if let Some(t) = task {
        let missing: Vec<&str> = (0..fw.units.len())
            .filter(|&u| fw.is_responsible(t, u) && !rows_of.contains_key(&fw.units[u].id))
            .map(|u| fw.units[u].name.as_str())
            .collect();
        if !missing.is_empty() {
            d.error(
                &Location::File,
                format!(
                    "no row for {} (every unit assessed on task {} needs one)",
                    missing.join("、"),
                    q.task
                ),
            );
        }
    }
    if d.is_empty() {
        Ok(out)
    } else {
        Err(d.into_sorted())
    }
}
