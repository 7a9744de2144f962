//! Value and ledger files (CSV or xlsx): every row is checked against the framework before
//! anything is returned, so a file with any error imports nothing; each error names the row,
//! the column, the value and what is wrong.
//!
//! Value columns: `unit` 单位, `task` 任务, `period` 期间, `value` 数值, and optionally `note`
//! 说明, `source` 来源, `evidence` 佐证材料, `state` 状态. Ledger columns: `unit` 单位, `kind`
//! 类型 (bonus/加分 or deduction/扣分), `points` 分值, `reason` 事由, `approver` 审批人, and
//! optionally `date` 日期. Honours register columns: `unit` 单位, `name` 名称, `issuer` 授予机关,
//! `period` 期间, and optionally `rank` 名次, `scope` 范围, `streak` 连续次数, `note` 备注.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::sheet::{read_table, Sheet};
use chrono::NaiveDate;
use jixiao_core::inputs::{LedgerKind, Observation};
use jixiao_core::records::{Honour, LedgerRow, ValueKey, ValueRow};
use jixiao_core::workflow::ValueState;
use jixiao_core::{Framework, Method};
use std::collections::HashMap;

pub const VALUE_COLUMNS: [(&str, &str, bool); 11] = [
    ("unit", "单位", true),
    ("task", "任务", true),
    ("period", "期间", true),
    ("value", "数值", true),
    ("note", "说明", false),
    ("source", "来源", false),
    ("evidence", "佐证材料", false),
    ("state", "状态", false),
    // Shown in fill-in templates for the person filling them; ignored when read.
    ("task_name", "任务名称", false),
    ("measure", "计量单位", false),
    ("target", "目标值", false),
];

pub const LEDGER_COLUMNS: [(&str, &str, bool); 6] = [
    ("unit", "单位", true),
    ("kind", "类型", true),
    ("points", "分值", true),
    ("reason", "事由", true),
    ("approver", "审批人", true),
    ("date", "日期", false),
];

pub const HONOUR_COLUMNS: [(&str, &str, bool); 8] = [
    ("unit", "单位", true),
    ("name", "名称", true),
    ("issuer", "授予机关", true),
    ("period", "期间", true),
    ("rank", "名次", false),
    ("scope", "范围", false),
    ("streak", "连续次数", false),
    ("note", "备注", false),
];

/// Finds the columns; reports missing required ones and unknown extra ones.
fn columns(sheet: &Sheet, spec: &[(&str, &str, bool)], d: &mut Diagnostics) -> Vec<Option<usize>> {
    let cols: Vec<Option<usize>> = spec.iter().map(|(k, l, _)| sheet.column(k, l)).collect();
    for ((k, l, required), c) in spec.iter().zip(&cols) {
        if *required && c.is_none() {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: 1,
                },
                format!("missing column `{k}` ({l})"),
            );
        }
    }
    for (i, h) in sheet.headers.iter().enumerate() {
        if !h.is_empty() && !cols.contains(&Some(i)) {
            d.error(
                &sheet.location(0, i).with_row(1),
                format!(
                    "unknown column `{h}`; expected: {}",
                    spec.iter()
                        .map(|(k, l, _)| format!("{k} ({l})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    cols
}

impl Location {
    fn with_row(self, r: usize) -> Location {
        match self {
            Location::Cell {
                sheet,
                column,
                field,
                ..
            } => Location::Cell {
                sheet,
                row: r,
                column,
                field,
            },
            other => other,
        }
    }
}

/// What a row with an empty value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blanks {
    /// An error: every row must carry a value (office imports).
    Refuse,
    /// Not reported yet: the row is skipped (filled-in templates list every task).
    Skip,
}

/// Parses a value file. `default_state` applies where the file has no `state` column or cell.
pub fn parse_values(
    fw: &Framework,
    bytes: &[u8],
    file: &str,
    default_state: ValueState,
    blanks: Blanks,
) -> Result<Vec<ValueRow>, Vec<Diagnostic>> {
    let sheet = read_table(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let cols = columns(&sheet, &VALUE_COLUMNS, &mut d);
    if !d.is_empty() {
        return Err(d.into_sorted());
    }
    let mut seen: HashMap<ValueKey, usize> = HashMap::new();
    let mut out = Vec::new();
    for r in 0..sheet.rows.len() {
        if sheet.rows[r].iter().all(|c| c.is_empty())
            || (blanks == Blanks::Skip && sheet.cell(r, cols[3]).is_empty())
        {
            continue;
        }
        let text = |i: usize| sheet.cell(r, cols[i]).text();
        let at = |i: usize| sheet.location(r, cols[i].unwrap_or(0));
        let unit = fw.unit_index(&text(0));
        if unit.is_none() {
            d.error(&at(0), format!("unknown unit `{}`", text(0)));
        }
        let task = fw.node_index(&text(1));
        let task_def = task.and_then(|t| fw.nodes[t].task.as_ref());
        match (task, task_def) {
            (None, _) => d.error(&at(1), format!("unknown task `{}`", text(1))),
            (Some(_), None) => d.error(
                &at(1),
                format!(
                    "`{}` is an indicator, not a task: values are reported on tasks",
                    text(1)
                ),
            ),
            (Some(_), Some(def)) if def.formula.is_some() => d.error(
                &at(1),
                format!(
                    "`{}` is computed by its formula ({}): report its inputs instead",
                    text(1),
                    def.formula.as_ref().map(|f| f.text.as_str()).unwrap_or(""),
                ),
            ),
            _ => {}
        }
        let period = fw.period_index(&text(2));
        if period.is_none() {
            let ids: Vec<&str> = fw.cycle.periods.iter().map(|p| p.id.as_str()).collect();
            d.error(
                &at(2),
                format!(
                    "unknown period `{}`; the cycle's periods are {}",
                    text(2),
                    ids.join(", ")
                ),
            );
        }
        let cell = sheet.cell(r, cols[3]);
        let observation = match task_def.map(|t| &t.method) {
            _ if cell.is_empty() => {
                d.error(&at(3), "the value is empty");
                None
            }
            Some(Method::Qualitative { grades }) => {
                let g = cell.text();
                if grades.iter().any(|(name, _)| *name == g) {
                    Some(Observation::Grade(g))
                } else {
                    let names: Vec<&str> = grades.iter().map(|(n, _)| n.as_str()).collect();
                    d.error(
                        &at(3),
                        format!(
                            "`{g}` is not a grade of this task; expected one of: {}",
                            names.join(", ")
                        ),
                    );
                    None
                }
            }
            _ => match cell.number() {
                Some(x) => match task.and_then(|t| jixiao_core::checks::bounds_problem(fw, t, x)) {
                    Some(problem) => {
                        d.error(&at(3), problem.en);
                        None
                    }
                    None => Some(Observation::Number(x)),
                },
                None => {
                    d.error(&at(3), format!("`{}` is not a number", cell.text()));
                    None
                }
            },
        };
        let state = match text(7).as_str() {
            "" => Some(default_state),
            s => {
                let st = ValueState::parse(s);
                if st.is_none() {
                    d.error(
                        &at(7),
                        format!(
                            "unknown state `{s}`; expected draft, submitted, returned or approved"
                        ),
                    );
                }
                st
            }
        };
        let (Some(u), Some(t), Some(p), Some(observation), Some(state)) =
            (unit, task_def.and(task), period, observation, state)
        else {
            continue;
        };
        let key = ValueKey {
            task: fw.nodes[t].id.clone(),
            unit: fw.units[u].id.clone(),
            period: fw.cycle.periods[p].id.clone(),
        };
        if !fw.is_responsible(t, u) {
            d.error(
                &at(0),
                format!(
                    "{} is not responsible for task {}",
                    fw.units[u].name, fw.nodes[t].id
                ),
            );
            continue;
        }
        if let Some(first) = seen.insert(key.clone(), r + 2) {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: r + 2,
                },
                format!("repeats row {first} (same unit, task and period)"),
            );
            continue;
        }
        let opt = |i: usize| {
            if cols[i].is_some() {
                text(i)
            } else {
                String::new()
            }
        };
        out.push(ValueRow {
            key,
            observation,
            note: opt(4),
            source: opt(5),
            evidence: opt(6),
            state,
        });
    }
    if d.is_empty() {
        Ok(out)
    } else {
        Err(d.into_sorted())
    }
}

/// Parses a ledger file.
pub fn parse_ledger(
    fw: &Framework,
    bytes: &[u8],
    file: &str,
) -> Result<Vec<LedgerRow>, Vec<Diagnostic>> {
    let sheet = read_table(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let cols = columns(&sheet, &LEDGER_COLUMNS, &mut d);
    if !d.is_empty() {
        return Err(d.into_sorted());
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, LedgerKind, String), usize> = HashMap::new();
    for r in 0..sheet.rows.len() {
        if sheet.rows[r].iter().all(|c| c.is_empty()) {
            continue;
        }
        let text = |i: usize| sheet.cell(r, cols[i]).text();
        let at = |i: usize| sheet.location(r, cols[i].unwrap_or(0));
        let unit = fw.unit_index(&text(0));
        if unit.is_none() {
            d.error(&at(0), format!("unknown unit `{}`", text(0)));
        }
        let kind = LedgerKind::parse(&text(1));
        if kind.is_none() {
            d.error(
                &at(1),
                format!(
                    "unknown kind `{}`; expected bonus (加分) or deduction (扣分)",
                    text(1)
                ),
            );
        }
        let points = sheet.cell(r, cols[2]).number().filter(|x| *x >= 0.0);
        if points.is_none() {
            d.error(
                &at(2),
                format!(
                    "`{}` is not a number of points ≥ 0 (the kind says whether it adds or removes)",
                    text(2)
                ),
            );
        }
        for (i, what) in [(3, "reason"), (4, "approver")] {
            if text(i).is_empty() {
                d.error(&at(i), format!("every entry needs a {what}"));
            }
        }
        let date = match text(5).as_str() {
            "" => None,
            s => {
                let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
                if parsed.is_none() {
                    d.error(&at(5), format!("`{s}` is not a date like 2020-12-31"));
                }
                parsed
            }
        };
        let (Some(u), Some(kind), Some(points)) = (unit, kind, points) else {
            continue;
        };
        if let Some(problem) = fw.ledger_entry_problem(kind, points) {
            d.error(&at(2), problem);
            continue;
        }
        if text(3).is_empty() || text(4).is_empty() {
            continue;
        }
        if let Some(first) = seen.insert((fw.units[u].id.clone(), kind, text(3)), r + 2) {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: r + 2,
                },
                format!("repeats row {first} (same unit, kind and reason)"),
            );
            continue;
        }
        out.push(LedgerRow {
            unit: fw.units[u].id.clone(),
            kind,
            points,
            reason: text(3),
            approver: text(4),
            date,
        });
    }
    if d.is_empty() {
        Ok(out)
    } else {
        Err(d.into_sorted())
    }
}

/// One honour from its fields in [`HONOUR_COLUMNS`] order (a file's row, or a form), or every
/// problem with the index of its column. A rank's scope defaults to 全市.
pub fn check_honour(fw: &Framework, fields: &[String; 8]) -> Result<Honour, Vec<(usize, String)>> {
    let text = |i: usize| fields[i].trim().to_string();
    let mut problems = Vec::new();
    let unit = fw.unit_index(&text(0));
    if unit.is_none() {
        problems.push((0, format!("unknown unit `{}`", text(0))));
    }
    for (i, what) in [(1, "name"), (2, "issuer"), (3, "period")] {
        if text(i).is_empty() {
            problems.push((i, format!("every honour needs a {what}")));
        } else if text(i).chars().count() > 200 {
            problems.push((i, format!("the {what} is longer than 200 characters")));
        }
    }
    let mut whole = |i: usize, least: u32, what: &str| -> Option<u32> {
        let t = text(i);
        if t.is_empty() {
            return None;
        }
        let n = t
            .parse::<u32>()
            .ok()
            .filter(|n| (least..=100_000).contains(n));
        if n.is_none() {
            problems.push((
                i,
                format!("`{t}` is not a {what} (a whole number from {least})"),
            ));
        }
        n
    };
    let rank = whole(4, 1, "rank");
    let streak = whole(6, 2, "streak");
    let scope = match (text(5), rank) {
        (s, Some(_)) if s.is_empty() => Some("全市".to_string()),
        (s, _) if s.is_empty() => None,
        (s, Some(_)) => Some(s),
        (s, None) => {
            if text(4).is_empty() {
                problems.push((5, format!("the scope `{s}` needs a rank")));
            }
            None
        }
    };
    match unit {
        Some(u) if problems.is_empty() => Ok(Honour {
            unit: fw.units[u].id.clone(),
            name: text(1),
            issuer: text(2),
            period: text(3),
            rank,
            scope,
            streak,
            note: text(7),
        }),
        _ => Err(problems),
    }
}

/// Parses an honours register file (荣誉和外部考核登记): every row checked before any is
/// returned. A rank's scope defaults to 全市; a scope without a rank, a rank or streak that is
/// not a whole number from 1 (streaks from 2) and a row repeating another's unit, name, period
/// and scope are errors.
pub fn parse_honours(
    fw: &Framework,
    bytes: &[u8],
    file: &str,
) -> Result<Vec<Honour>, Vec<Diagnostic>> {
    let sheet = read_table(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let cols = columns(&sheet, &HONOUR_COLUMNS, &mut d);
    if !d.is_empty() {
        return Err(d.into_sorted());
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, String, String, Option<String>), usize> = HashMap::new();
    for r in 0..sheet.rows.len() {
        if sheet.rows[r].iter().all(|c| c.is_empty()) {
            continue;
        }
        let fields: [String; 8] = std::array::from_fn(|i| sheet.cell(r, cols[i]).text());
        let h = match check_honour(fw, &fields) {
            Ok(h) => h,
            Err(problems) => {
                for (i, message) in problems {
                    d.error(&sheet.location(r, cols[i].unwrap_or(0)), message);
                }
                continue;
            }
        };
        let key = (
            h.unit.clone(),
            h.name.clone(),
            h.period.clone(),
            h.scope.clone(),
        );
        if let Some(first) = seen.insert(key, r + 2) {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: r + 2,
                },
                format!("repeats row {first} (same unit, name, period and scope)"),
            );
            continue;
        }
        out.push(h);
    }
    if d.is_empty() {
        Ok(out)
    } else {
        Err(d.into_sorted())
    }
}

/// A CSV file of value rows with the standard columns (for templates and exports).
pub fn values_to_csv(rows: &[ValueRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(VALUE_COLUMNS.iter().map(|(k, _, _)| *k));
    for r in rows {
        let _ = w.write_record([
            r.key.unit.as_str(),
            r.key.task.as_str(),
            r.key.period.as_str(),
            &r.observation.to_string_exact(),
            &r.note,
            &r.source,
            &r.evidence,
            r.state.as_str(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

trait Exact {
    fn to_string_exact(&self) -> String;
}

impl Exact for Observation {
    fn to_string_exact(&self) -> String {
        match self {
            Observation::Number(x) => format!("{x}"),
            Observation::Grade(g) => g.clone(),
        }
    }
}

/// A fill-in template (.xlsx) for one unit and period: a row per task the unit is responsible
/// for, with the task's name, measure and target for reference, and any value already stored.
/// Read back with [`parse_values`].
pub fn values_template(
    fw: &Framework,
    unit: usize,
    period: usize,
    stored: &[ValueRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let locked = Format::new().set_background_color("F2F2F2");
    let ws = wb.add_worksheet();
    ws.set_name("填报(values)")?;
    let columns = [
        ("unit", "单位"),
        ("task", "任务"),
        ("task_name", "任务名称"),
        ("measure", "计量单位"),
        ("target", "目标值"),
        ("period", "期间"),
        ("value", "数值"),
        ("note", "说明"),
        ("evidence", "佐证材料"),
    ];
    for (c, (key, label)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, format!("{label}({key})"), &bold)?;
    }
    let (unit_id, period_id) = (&fw.units[unit].id, &fw.cycle.periods[period].id);
    for (r, t) in (1u32..).zip(
        fw.tasks()
            .filter(|&t| fw.is_responsible(t, unit) && !fw.is_computed(t)),
    ) {
        let task = fw.nodes[t].task.as_ref().expect("a task");
        let existing = stored.iter().find(|v| {
            v.key.task == fw.nodes[t].id && &v.key.unit == unit_id && &v.key.period == period_id
        });
        ws.write_string_with_format(r, 0, unit_id, &locked)?;
        ws.write_string_with_format(r, 1, &fw.nodes[t].id, &locked)?;
        ws.write_string_with_format(r, 2, &fw.nodes[t].name, &locked)?;
        ws.write_string_with_format(r, 3, &task.measure, &locked)?;
        if let Some(target) = task.targets_for(unit_id).target {
            ws.write_number_with_format(r, 4, target, &locked)?;
        }
        ws.write_string_with_format(r, 5, period_id, &locked)?;
        if let Some(v) = existing {
            match &v.observation {
                Observation::Number(x) => ws.write_number(r, 6, *x)?,
                Observation::Grade(g) => ws.write_string(r, 6, g)?,
            };
            ws.write_string(r, 7, &v.note)?;
            ws.write_string(r, 8, &v.evidence)?;
        }
    }
    ws.set_column_width(2, 30)?;
    ws.set_column_width(7, 30)?;
    ws.set_freeze_panes(1, 3)?;
    wb.save_to_buffer()
}

/// 督查督办 item list columns: `id` 编号 (optional: numbered on import), `title` 事项, `source`
/// 来源 (inspection/巡视巡察, audit/审计, instruction/领导批示, key_task/重点任务), `source_ref`
/// 来源文件, `unit` 单位 (id or name), `deadline` 办结期限, `evidence` 销号所需材料.
pub const SUPERVISION_COLUMNS: [(&str, &str, bool); 7] = [
    ("id", "编号", false),
    ("title", "事项", true),
    ("source", "来源", true),
    ("source_ref", "来源文件", false),
    ("unit", "单位", true),
    ("deadline", "办结期限", true),
    ("evidence", "销号所需材料", false),
];

/// A row of a supervision item list, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisionRow {
    pub id: String,
    pub title: String,
    pub source: jixiao_core::supervision::ItemSource,
    pub source_ref: String,
    /// The unit's id.
    pub unit: String,
    pub deadline: NaiveDate,
    pub evidence: String,
}

/// Reads a supervision item list (CSV or xlsx); every row is checked before anything is
/// returned, a row repeating another's id (or, without ids, its title and unit) included.
pub fn parse_supervision(
    fw: &Framework,
    bytes: &[u8],
    file: &str,
) -> Result<Vec<SupervisionRow>, Vec<Diagnostic>> {
    let sheet = read_table(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let cols = columns(&sheet, &SUPERVISION_COLUMNS, &mut d);
    if !d.is_empty() {
        return Err(d.into_sorted());
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in 0..sheet.rows.len() {
        if sheet.rows[r].iter().all(|c| c.is_empty()) {
            continue;
        }
        let text = |i: usize| sheet.cell(r, cols[i]).text();
        let at = |i: usize| sheet.location(r, cols[i].unwrap_or(0));
        let errors_before = d.list.len();
        let id = text(0);
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || id.len() > 32
        {
            d.error(
                &at(0),
                format!("`{id}` is not an id (letters, digits, - or _)"),
            );
        }
        let title = text(1);
        if title.is_empty() {
            d.error(&at(1), "an item needs its title");
        }
        let source = jixiao_core::supervision::ItemSource::parse(&text(2));
        if source.is_none() {
            d.error(
                &at(2),
                format!(
                    "`{}` is not a source: 巡视巡察 (inspection), 审计 (audit), 领导批示 (instruction) or 重点任务 (key_task)",
                    text(2)
                ),
            );
        }
        let unit_text = text(4);
        let unit = fw
            .unit_index(&unit_text)
            .or_else(|| fw.units.iter().position(|u| u.name == unit_text));
        if unit.is_none() {
            d.error(
                &at(4),
                format!("`{unit_text}` is not a unit of cycle {}", fw.cycle.id),
            );
        }
        let deadline = NaiveDate::parse_from_str(&text(5), "%Y-%m-%d").ok();
        if deadline.is_none() {
            d.error(
                &at(5),
                format!("`{}` is not a date like 2020-12-31", text(5)),
            );
        }
        let key = if id.is_empty() {
            format!(
                "{title}\u{0}{}",
                unit.map(|u| fw.units[u].id.as_str()).unwrap_or("")
            )
        } else {
            id.clone()
        };
        if let Some(first) = seen.insert(key, r + 2) {
            d.error(
                &Location::Row {
                    sheet: sheet.name.clone(),
                    row: r + 2,
                },
                format!("repeats row {first} (the same id, or the same title and unit)"),
            );
        }
        if d.list.len() > errors_before {
            continue;
        }
        if let (Some(source), Some(u), Some(deadline)) = (source, unit, deadline) {
            out.push(SupervisionRow {
                id,
                title,
                source,
                source_ref: text(3),
                unit: fw.units[u].id.clone(),
                deadline,
                evidence: text(6),
            });
        }
    }
    if d.is_empty() {
        Ok(out)
    } else {
        Err(d.into_sorted())
    }
}
