//! Tables in a report's text: Markdown pipe tables (and Word tables, which the reader writes as
//! pipe rows with merged cells filled in) and plain text laid out in tab-separated columns. A
//! table's numeric cells become claims: the row's label says what is counted, the column's
//! header says what the number is (a target, the actual value, a budget, points, a score) and,
//! in parentheses, its unit (金额（万元）).

use crate::units::Vocabulary;
use crate::{Claim, Kind, Qualifier};
use serde::Serialize;

/// One row: its cells and where the row's line stands in the document (character offsets).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    pub start: usize,
    pub end: usize,
    /// Line number (1-based) in the document.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub rows: Vec<Row>,
    /// Rebuilt from cells written one after another (see [`crate::flat`]): its rows are spans
    /// of a line, not whole lines.
    pub flat: bool,
}

/// What a column holds, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 年度指标值, 目标值, 预期值.
    Target,
    /// 实际完成值, 完成值, 实际值.
    Actual,
    /// 年初预算数, 全年预算数, 预算数.
    Budget,
    /// 全年执行数, 执行数.
    Execution,
    /// 执行率, 完成率.
    Rate,
    /// 分值, 权重.
    Points,
    /// 得分.
    Score,
    /// Any other number.
    Other,
}

impl Role {
    pub fn of_header(h: &str) -> Role {
        let h = h.trim();
        let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
        if has(&["执行率", "完成率", "比率"]) {
            Role::Rate
        } else if has(&["执行数", "支出数", "执行金额"]) {
            Role::Execution
        } else if has(&["预算数", "预算金额", "预算"]) {
            Role::Budget
        } else if has(&["实际完成", "完成值", "实际值", "实际"]) {
            Role::Actual
        } else if has(&["指标值", "目标值", "预期值", "目标"]) {
            Role::Target
        } else if has(&["得分"]) {
            Role::Score
        } else if has(&["分值", "权重", "满分"]) {
            Role::Points
        } else {
            Role::Other
        }
    }
}

/// A pipe table's row: `| a | b |`, or with the bar at one end left off (`a | b |`, as some
/// pages turn tables into text), which then needs two cells.
fn split_pipe(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    let (open, close) = (t.starts_with('|'), t.ends_with('|'));
    if !(open || close) || t.chars().count() < 2 {
        return None;
    }
    let inner = t.strip_prefix('|').unwrap_or(t);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
    (open && close || cells.len() >= 2).then_some(cells)
}

fn is_separator(cells: &[String]) -> bool {
    cells.iter().all(|c| {
        let c = c.trim();
        !c.is_empty() && c.chars().all(|x| matches!(x, '-' | ':' | ' '))
    })
}

/// The tables of `doc` laid out in lines: runs of two or more pipe rows, or of two or more
/// lines with at least three tab-separated fields ([`crate::flat::find_all`] adds the tables
/// whose cells were written one after another).
pub fn find(doc: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut current: Vec<Row> = Vec::new();
    let mut kind = 0u8; // 1 pipe, 2 tabs
    let mut offset = 0;
    let flush = |current: &mut Vec<Row>, tables: &mut Vec<Table>| {
        // A header one cell short of its rows left out the labels' column (| 绝对数(亿元) |
        // 比上年增长(%) | over 地区生产总值 | 617.50 | 5.2 |).
        if current.len() >= 2 {
            let width = current[1].cells.len();
            if current[0].cells.len() + 1 == width
                && current[1..].iter().all(|r| r.cells.len() == width)
            {
                current[0].cells.insert(0, String::new());
            }
        }
        if current.len() >= 2 {
            tables.push(Table {
                rows: std::mem::take(current),
                flat: false,
            });
        } else {
            current.clear();
        }
    };
    for (n, line) in doc.split('\n').enumerate() {
        let len = line.chars().count();
        let (start, end) = (offset, offset + len);
        offset = end + 1;
        let row = if let Some(cells) = split_pipe(line) {
            Some((1u8, cells))
        } else {
            let fields: Vec<String> = line.split('\t').map(|c| c.trim().to_string()).collect();
            (fields.iter().filter(|f| !f.is_empty()).count() >= 3).then_some((2u8, fields))
        };
        match row {
            Some((k, cells)) => {
                if k != kind {
                    flush(&mut current, &mut tables);
                    kind = k;
                }
                if k == 1 && is_separator(&cells) {
                    continue;
                }
                current.push(Row {
                    cells,
                    start,
                    end,
                    line: n + 1,
                });
            }
            None => {
                flush(&mut current, &mut tables);
                kind = 0;
            }
        }
    }
    flush(&mut current, &mut tables);
    tables
}

/// A cell's number: an optional comparison (≥, ≤, 不低于 …), the number (万 and 亿 applied),
/// and a unit written with it or, failing that, the column's. `None` for a cell that is not a
/// number (a label, 是/否, text).
pub fn cell_number(
    cell: &str,
    column_unit: &str,
    vocab: &Vocabulary,
) -> Option<(f64, String, Option<Qualifier>)> {
    let mut s = cell.trim().replace(['，', ','], "");
    let mut qualifier = None;
    for (w, q) in [
        ("≥", Qualifier::AtLeast),
        (">=", Qualifier::AtLeast),
        ("＞", Qualifier::AtLeast),
        (">", Qualifier::AtLeast),
        ("不低于", Qualifier::AtLeast),
        ("不少于", Qualifier::AtLeast),
        ("≤", Qualifier::AtMost),
        ("<=", Qualifier::AtMost),
        ("＜", Qualifier::AtMost),
        ("<", Qualifier::AtMost),
        ("不高于", Qualifier::AtMost),
        ("不超过", Qualifier::AtMost),
        ("约", Qualifier::About),
    ] {
        if let Some(rest) = s.strip_prefix(w) {
            qualifier = Some(q);
            s = rest.trim().to_string();
            break;
        }
    }
    // =100%: a target written as an equation holds exactly that value.
    if qualifier.is_none() {
        if let Some(rest) = s.strip_prefix(['=', '＝']) {
            s = rest.trim().to_string();
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let negative = matches!(chars.first(), Some('-' | '\u{2212}' | '\u{FF0D}'));
    let from = negative as usize;
    let mut j = from;
    while j < chars.len() && (chars[j].is_ascii_digit() || (chars[j] == '.' && j > from)) {
        j += 1;
    }
    if j == from {
        return None;
    }
    let mut value: f64 = chars[from..j].iter().collect::<String>().parse().ok()?;
    if negative {
        value = -value;
    }
    let rest: String = chars[j..].iter().collect();
    let rest = rest.trim();
    let (rest, factor) = match rest.chars().next() {
        Some('万') if rest.chars().count() > 1 || column_unit.is_empty() => {
            (&rest['万'.len_utf8()..], 1e4)
        }
        Some('亿') => (&rest['亿'.len_utf8()..], 1e8),
        _ => (rest, 1.0),
    };
    value *= factor;
    let rest_chars: Vec<char> = rest.chars().collect();
    // 百分比 after the number: how some departments' templates write a percentage (≥100百分比).
    let unit = if rest.starts_with('%') || rest.starts_with('\u{FF05}') || rest == "百分比" {
        "%".to_string()
    } else if let Some(u) = vocab.unit_at(&rest_chars, 0) {
        u.to_string()
    } else if rest.is_empty() {
        column_unit.to_string()
    } else {
        // Words after the number that are no unit: 3次会议 is a name, not a figure.
        return None;
    };
    // Nothing but the unit may follow.
    if rest.chars().count() > unit.chars().count() + 2 && !rest.is_empty() && unit != column_unit {
        return None;
    }
    Some((value, unit, qualifier))
}

/// An actual value as the target's unit reads it: a number written bare beside a target in 个
/// or 万元 is in 个 or 万元.
pub fn actual_in_target_unit(
    actual: &str,
    target: &str,
    vocab: &Vocabulary,
) -> Option<(f64, String, Option<Qualifier>)> {
    let (a, au, aq) = cell_number(actual, "", vocab)?;
    if !au.is_empty() {
        return Some((a, au, aq));
    }
    let Some((t, tu, _)) = cell_number(target, "", vocab) else {
        return Some((a, au, aq));
    };
    // The magnitude the target was written with (≤90万元: 90 × 10⁴ 元).
    let written: f64 = target
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<String>()
        .parse()
        .ok()?;
    let factor = if written != 0.0 { t / written } else { 1.0 };
    Some((a * factor, tu, aq))
}

/// The unit a header names in parentheses (金额（万元） → 万元), or "".
pub fn header_unit(header: &str) -> String {
    let h = header.replace('（', "(").replace('）', ")");
    match (h.find('('), h.rfind(')')) {
        // Letters and formulas in parentheses name the column (全年预算数(A), 执行率(B/A)).
        (Some(a), Some(b))
            if b > a
                && !h[a + 1..b]
                    .chars()
                    .any(|c| c.is_ascii_alphabetic() || c == '/') =>
        {
            h[a + 1..b].trim().to_string()
        }
        _ => String::new(),
    }
}

/// A unit as written in a header, as (unit after normalisation, factor): 万元 → (元, 10⁴).
pub fn normalise_unit(unit: &str) -> (String, f64) {
    for (prefix, f) in [("亿", 1e8), ("万", 1e4)] {
        if let Some(rest) = unit.strip_prefix(prefix) {
            if !rest.is_empty() {
                return (rest.to_string(), f);
            }
        }
    }
    (unit.to_string(), 1.0)
}

fn has_number(cell: &str) -> bool {
    cell.chars().any(|c| c.is_ascii_digit())
}

/// The claims of a table: the header is its first row without numbers; each later row's label
/// is its last text cell before the first number; each numeric cell is a claim of the kind its
/// column's header says.
pub fn table_claims(t: &Table, sentence: usize, vocab: &Vocabulary) -> Vec<Claim> {
    let mut out = Vec::new();
    let mut header: Option<&Row> = None;
    let mut previous: Option<&Row> = None;
    for row in &t.rows {
        let above = previous.replace(row);
        if let Some(h) = header {
            out.extend(group_points(h, row, above, sentence));
            out.extend(claims_in_words(h, row, sentence, vocab));
        }
        // A label may hold digits (产出指标(50分), 指标1：…): a cell is a number when it reads
        // as one, a qualifier or a number first.
        let numeric: Vec<usize> = (0..row.cells.len())
            .filter(|&i| {
                let c = &row.cells[i];
                has_number(c) && !is_label(c) && cell_number(c, "", vocab).is_some()
            })
            .collect();
        if numeric.is_empty() {
            header = Some(row);
            continue;
        }
        // Under 一级/二级/三级指标 the row is about its deepest indicator, whatever text cells
        // (a target written in words, 达成预期指标) stand between it and the first number.
        let indicator = header.and_then(|h| {
            ["三级指标", "指标名称", "二级指标"]
                .iter()
                .find_map(|w| h.cells.iter().position(|c| c.contains(w)))
        });
        let label = indicator
            .and_then(|i| row.cells.get(i))
            .filter(|c| !c.trim().is_empty() && indicator < Some(numeric[0]))
            .or_else(|| {
                row.cells[..numeric[0]]
                    .iter()
                    .rev()
                    .find(|c| !c.trim().is_empty())
            })
            .cloned()
            .unwrap_or_default();
        // A unit named once for the block (项目资金（万元）) holds for its amounts.
        let block_unit = header
            .and_then(|h| {
                h.cells
                    .iter()
                    .map(|c| header_unit(c))
                    .find(|u| !u.is_empty())
            })
            .unwrap_or_default();
        for &i in &numeric {
            let head = header
                .and_then(|h| h.cells.get(i))
                .map(String::as_str)
                .unwrap_or("");
            let role = Role::of_header(head);
            let own = header_unit(head);
            let column_unit =
                if own.is_empty() && matches!(role, Role::Budget | Role::Execution | Role::Other) {
                    block_unit.clone()
                } else {
                    own
                };
            // Points and scores are in 分, a rate in per cent, when no header says otherwise.
            let column_unit = match role {
                Role::Points | Role::Score if column_unit.is_empty() => "分".to_string(),
                Role::Rate if column_unit.is_empty() => "%".to_string(),
                _ => column_unit,
            };
            let (unit_written, factor) = normalise_unit(&column_unit);
            // An actual value written bare is in its row's target's unit (≥50个 · 50).
            let target = (role == Role::Actual && unit_written.is_empty())
                .then(|| {
                    header.and_then(|h| {
                        h.cells
                            .iter()
                            .position(|c| Role::of_header(c) == Role::Target)
                    })
                })
                .flatten()
                .and_then(|t| row.cells.get(t));
            let read = match target {
                Some(t) => actual_in_target_unit(&row.cells[i], t, vocab),
                None => cell_number(&row.cells[i], &unit_written, vocab),
            };
            let Some((mut value, unit, qualifier)) = read else {
                continue;
            };
            // A number written bare takes the header's unit, with its magnitude (万元 → ×10⁴ 元);
            // one written with 万 or 亿 has it applied already.
            if unit == unit_written {
                value *= factor;
            }
            let kind = match role {
                Role::Target => Kind::Target,
                Role::Other => Kind::Amount,
                role => Kind::Cell { role },
            };
            out.push(Claim {
                text: row.cells[i].clone(),
                metric: label.clone(),
                value,
                unit,
                kind,
                qualifier,
                estimate: false,
                period: None,
                sentence,
                start: row.start,
                end: row.end,
            });
        }
    }
    out
}

/// The points of a group of indicators, written with its label where the group begins
/// (产出指标(50分), 效益指标（30分）): a group's label repeats on every row of it (a merged
/// cell), so only a label that differs from the row above's counts.
fn group_points(header: &Row, row: &Row, above: Option<&Row>, sentence: usize) -> Vec<Claim> {
    let mut out = Vec::new();
    for (i, head) in header.cells.iter().enumerate() {
        if !(head.contains("一级指标") || head.contains("二级指标")) {
            continue;
        }
        let Some(cell) = row.cells.get(i).map(|c| c.trim()) else {
            continue;
        };
        if above.and_then(|a| a.cells.get(i)).map(|c| c.trim()) == Some(cell) {
            continue;
        }
        let Some(open) = cell.rfind(['(', '（']) else {
            continue;
        };
        let inner = cell[open..]
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）']);
        let Some(points) = inner
            .strip_suffix('分')
            .and_then(|n| n.trim().parse::<f64>().ok())
        else {
            continue;
        };
        out.push(Claim {
            text: inner.to_string(),
            metric: cell[..open].trim().to_string(),
            value: points,
            unit: "分".into(),
            kind: Kind::Cell { role: Role::Points },
            qualifier: None,
            estimate: false,
            period: None,
            sentence,
            start: row.start,
            end: row.end,
        });
    }
    out
}

/// The claims written in a row's words: a reason for a deviation (剩余3%尾款未付) is a
/// sentence, read as the report's sentences are.
fn claims_in_words(header: &Row, row: &Row, sentence: usize, vocab: &Vocabulary) -> Vec<Claim> {
    let mut out = Vec::new();
    for (i, head) in header.cells.iter().enumerate() {
        if !["原因", "措施", "说明", "备注"]
            .iter()
            .any(|w| head.contains(w))
        {
            continue;
        }
        let Some(cell) = row.cells.get(i).filter(|c| c.chars().count() > 3) else {
            continue;
        };
        out.extend(crate::extract_with(cell, vocab).into_iter().map(|c| Claim {
            sentence,
            start: row.start,
            end: row.end,
            ..c
        }));
    }
    out
}

/// A cell that is a label though it holds digits: 指标1：…, 2020年度, 三级指标（2个）.
fn is_label(cell: &str) -> bool {
    let c = cell.trim();
    let digits = c.chars().filter(|x| x.is_ascii_digit()).count();
    let cjk = c
        .chars()
        .filter(|x| ('\u{4E00}'..='\u{9FFF}').contains(x))
        .count();
    cjk > digits + 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::built_in;

    #[test]
    fn pipe_and_tab_tables_are_found_with_their_rows() {
        let doc = "前言。\n| 指标 | 目标值 | 实际完成值 |\n|---|---|---|\n| 新增绿地（公顷） | 30 | 32.5 |\n| 覆盖率 | ≥90% | 92% |\n正文。\n项目\t预算\t执行\n甲\t10\t9\n";
        let t = find(doc);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].rows.len(), 3, "the separator is not a row");
        assert_eq!(t[0].rows[1].cells[0], "新增绿地（公顷）");
        assert_eq!(t[1].rows[1].cells, ["甲", "10", "9"]);
    }

    fn metric_value_unit(c: &[Claim]) -> Vec<(&str, f64, &str)> {
        c.iter()
            .map(|c| (c.metric.as_str(), c.value, c.unit.as_str()))
            .collect()
    }

    #[test]
    fn a_pipe_table_whose_rows_lost_their_first_bar_is_read_under_its_header() {
        let doc = "表1 生产总值\n| 绝对数(亿元) | 比上年增长(%) |\n地区生产总值 | 617.50 | 5.2 |\n第一产业 | 37.11 | 2.6 |\n";
        let t = &find(doc)[0];
        assert_eq!(t.rows[0].cells, ["", "绝对数(亿元)", "比上年增长(%)"]);
        let c = table_claims(t, 0, built_in());
        assert_eq!(
            metric_value_unit(&c),
            [
                ("地区生产总值", 61_750_000_000.0, "元"),
                ("地区生产总值", 5.2, "%"),
                ("第一产业", 3_711_000_000.0, "元"),
                ("第一产业", 2.6, "%")
            ]
        );
        assert!(
            find("甲 | 乙\n丙 | 丁\n").is_empty(),
            "a bar at neither end is no row"
        );
    }

    #[test]
    fn a_groups_points_and_the_numbers_of_a_reason_are_claims_once() {
        let doc = "| 一级指标 | 三级指标 | 分值 | 得分 | 偏差原因 |\n\
                   | 产出指标(50分) | 完工率 | 20 | 18 | 剩余3%尾款未付 |\n\
                   | 产出指标(50分) | 验收合格率 | 30 | 30 | |\n";
        let c = table_claims(&find(doc)[0], 0, built_in());
        assert_eq!(
            metric_value_unit(&c),
            [
                ("产出指标", 50.0, "分"),
                ("剩余", 3.0, "%"),
                ("完工率", 20.0, "分"),
                ("完工率", 18.0, "分"),
                ("验收合格率", 30.0, "分"),
                ("验收合格率", 30.0, "分")
            ]
        );
    }

    #[test]
    fn cells_become_claims_with_their_row_label_column_role_and_unit() {
        let doc = "| 项目 | 全年预算数（万元） | 全年执行数（万元） | 执行率 |\n| 年度资金总额 | 120 | 110 | 91.67% |\n";
        let t = &find(doc)[0];
        let c = table_claims(t, 0, built_in());
        assert_eq!(c.len(), 3, "{c:#?}");
        assert_eq!(
            (
                c[0].metric.as_str(),
                c[0].value,
                c[0].unit.as_str(),
                &c[0].kind
            ),
            (
                "年度资金总额",
                1_200_000.0,
                "元",
                &Kind::Cell { role: Role::Budget }
            )
        );
        assert_eq!(
            c[1].kind,
            Kind::Cell {
                role: Role::Execution
            }
        );
        assert_eq!((c[2].value, c[2].unit.as_str()), (91.67, "%"));
        let (v, u, q) = cell_number("≥100个", "", built_in()).unwrap();
        assert_eq!((v, u.as_str(), q), (100.0, "个", Some(Qualifier::AtLeast)));
        assert!(cell_number("是", "", built_in()).is_none());
        let (v, u, q) = cell_number("=100%", "", built_in()).unwrap();
        assert_eq!((v, u.as_str(), q), (100.0, "%", None));
        assert!(cell_number("第3次会议", "", built_in()).is_none());
    }
}
