//! Tables whose rows and columns were lost on the way to text: a 项目支出绩效自评表 copied from a
//! web page or a PDF comes as its cells one after another, separated by spaces or line breaks
//! (`一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 产出指标(50分) 数量指标 …`). The
//! headers are recognised by their words and the rows rebuilt from what every row ends with:
//! the 分值 and 得分 of an indicator, the amounts of a budget row. What comes out is a table like
//! the ones read from Word or Markdown, so extraction and the 自评表 checks read it the same way.

use crate::tables::{Row, Table};

/// A run of text between white space, with where it stands in the document.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    /// A line break stands between this token and the one before.
    after_break: bool,
    /// Character offsets: first, and one past the last.
    start: usize,
    end: usize,
    /// Line number (1-based).
    line: usize,
}

fn tokens(doc: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut line = 1;
    let mut current: Option<Token> = None;
    let mut after_break = false;
    for (i, c) in doc.chars().enumerate() {
        // A cell's bar (`238.93 |`, one cell to a line) separates like a space.
        if c.is_whitespace() || c == '|' || c == '｜' {
            if let Some(t) = current.take() {
                out.push(t);
            }
            if c == '\n' {
                line += 1;
                after_break = true;
            }
            continue;
        }
        match &mut current {
            Some(t) => {
                t.text.push(c);
                t.end = i + 1;
            }
            None => {
                current = Some(Token {
                    text: c.to_string(),
                    after_break: std::mem::take(&mut after_break),
                    start: i,
                    end: i + 1,
                    line,
                })
            }
        }
    }
    out.extend(current);
    // A cell's words wrapped onto the next line (经济效益 / 指标, 可持续影 / 响指标, 一级 / 指标)
    // are one cell again; so are a header's words split over lines (年初 / 预算数, 实际 /
    // 完成值).
    let mut merged: Vec<Token> = Vec::with_capacity(out.len());
    for t in out {
        match merged.last_mut() {
            Some(prev)
                if t.after_break
                    && ((t.text.ends_with("指标")
                        && t.text.chars().count() <= 3
                        && !prev.text.chars().any(|c| c.is_ascii_digit())
                        && !prev.text.ends_with("指标"))
                        || split_header(&prev.text, &t.text)) =>
            {
                prev.text.push_str(&t.text);
                prev.end = t.end;
            }
            _ => merged.push(t),
        }
    }
    merged
}

/// Whether `first` and `second` are one header cell written over two lines: together they are
/// a header word, and `first` alone is none.
fn split_header(first: &str, second: &str) -> bool {
    let whole = format!("{first}{second}");
    first.chars().count() <= 3
        && !INDICATOR_HEADERS.contains(&first)
        && !BUDGET_HEADERS.contains(&first)
        && (INDICATOR_HEADERS.contains(&whole.as_str()) || BUDGET_HEADERS.contains(&whole.as_str()))
}

/// Header words of the indicators' block.
const INDICATOR_HEADERS: [&str; 20] = [
    "一级指标",
    "二级指标",
    "三级指标",
    "指标名称",
    "年度指标值",
    "年度目标值",
    "预期目标值",
    "指标值",
    "目标值",
    "实际完成值",
    "完成值",
    "实际值",
    "分值",
    "得分",
    "权重",
    "指标性质",
    "度量单位",
    "计量单位",
    "偏差原因",
    "改进措施",
];

/// Header words of the budget block.
const BUDGET_HEADERS: [&str; 13] = [
    "年初预算数",
    "年初预算",
    "权重",
    "原因",
    "全年预算数",
    "调整后预算数",
    "预算数",
    "全年执行数",
    "实际执行数",
    "执行数",
    "分值",
    "执行率",
    "得分",
];

fn header_word(t: &str, words: &[&str]) -> bool {
    let t = t.trim_matches(|c: char| matches!(c, ':' | '：'));
    words.iter().any(|w| t.contains(w)) && t.chars().count() <= 14 || t == "备注"
}

/// A number standing alone in a cell (8, 89.974, 99.5%, -4): what 分值, 得分 and amounts are.
fn plain_number(t: &str) -> bool {
    let t = t.trim_end_matches(['%', '\u{FF05}']);
    let t = t.strip_prefix(['-', '\u{2212}']).unwrap_or(t);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// The groups of indicators above the third level, in the Ministry's template and in the
/// common variants of departments' own (部门整体支出: 决策, 过程, 产出, 效益, 履职效能 …).
const LEVEL_NAMES: [&str; 27] = [
    "产出",
    "效益",
    "满意度",
    "服务对象满意度",
    "社会公众满意度",
    "数量",
    "质量",
    "时效",
    "成本",
    "经济成本",
    "社会成本",
    "生态环境成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "决策",
    "过程",
    "项目决策",
    "项目管理",
    "项目产出",
    "项目效益",
    "项目绩效",
    "履职效能",
    "管理效率",
    "运行成本",
    "预算资金执行率",
];

/// A label of the first or second level: 产出指标, 数量指标, 效益指标(30分), 满意度指标（10分）,
/// or a level's points alone, (50分), where its name was lost.
fn level_label(t: &str) -> bool {
    let mut name = t.trim().to_string();
    if let Some(open) = name.find(['(', '（']) {
        let tail = &name[open..];
        if tail.contains('分') && tail.ends_with([')', '）']) {
            name.truncate(open);
        }
    }
    let name = name.trim_end_matches("指标");
    (name.is_empty() && t.contains('分')) || LEVEL_NAMES.contains(&name)
}

/// An indicator's cell that swallowed its neighbours when the table became text, as copying
/// from some PDFs leaves it: the labels of its groups before its name (产出指标数量指标足额保障率)
/// and its target after it (足额保障率=100%, 资金到位率≥95%). Answers the labels, the name and
/// the target (a plain = left out: a target is met by equalling it unless it says otherwise).
/// A label is a group's name followed by 指标 (数量指标, not 数量 alone: 质量合格率 is a name),
/// and a target starts at a comparison sign with a digit after it.
fn unfuse(cell: &str) -> (Vec<String>, String, Option<String>) {
    let mut rest = cell.trim();
    let mut labels = Vec::new();
    loop {
        // The longest group name that fits, with something left after it.
        let after = LEVEL_NAMES
            .iter()
            .filter_map(|name| {
                let after = rest.strip_prefix(name)?.strip_prefix("指标")?;
                // A group's points after its label: 效益指标(30分).
                let after = match after
                    .strip_prefix(['(', '（'])
                    .and_then(|inner| inner.split_once([')', '）']))
                {
                    Some((points, tail)) if points.contains('分') => tail,
                    _ => after,
                };
                (!after.is_empty()).then_some(after)
            })
            .min_by_key(|after| after.len());
        match after {
            Some(after) => {
                labels.push(rest[..rest.len() - after.len()].to_string());
                rest = after;
            }
            None => break,
        }
    }
    let sign = rest
        .char_indices()
        .find(|&(i, c)| i > 0 && "=＝≥≤>＞<＜≧≦".contains(c))
        .map(|(i, _)| i)
        .filter(|&i| rest[i..].chars().any(|c| c.is_ascii_digit()));
    match sign {
        Some(i) => {
            let target = rest[i..].trim_start_matches(['=', '＝']).trim();
            (
                labels,
                rest[..i].trim().to_string(),
                Some(target.to_string()),
            )
        }
        None => (labels, rest.to_string(), None),
    }
}

/// An indicator's name without the place in the list written before it (指标1工程完工率 →
/// 工程完工率); a cell that is only the place stays as it is.
fn strip_numbering(name: &str) -> String {
    let Some(rest) = name.strip_prefix("指标") else {
        return name.to_string();
    };
    let rest = rest.trim_start_matches(list_numeral);
    let rest = rest.trim_start_matches([':', '：', '.', '、', ' ']);
    if rest.is_empty() || rest.len() + "指标".len() == name.len() {
        name.to_string()
    } else {
        rest.to_string()
    }
}

/// An indicator named by its place in the list: 指标1：…, 指标二：….
fn numbered_indicator(t: &str) -> bool {
    t.strip_prefix("指标")
        .is_some_and(|rest| rest.chars().next().is_some_and(list_numeral))
}

/// A character of an item's place in a list: 1, 2 … or 一, 二 ….
fn list_numeral(c: char) -> bool {
    c.is_ascii_digit() || "一二三四五六七八九十".contains(c)
}

fn row(cells: Vec<String>, toks: &[Token]) -> Row {
    Row {
        cells,
        start: toks.first().map_or(0, |t| t.start),
        end: toks.last().map_or(0, |t| t.end),
        line: toks.first().map_or(1, |t| t.line),
    }
}

/// Every table of `doc`, in document order: those laid out in lines ([`crate::tables::find`]),
/// then, in the rest of the text, those whose cells were written one after another.
pub fn find_all(doc: &str) -> Vec<Table> {
    let mut tables = crate::tables::find(doc);
    let taken: Vec<(usize, usize)> = tables
        .iter()
        .filter_map(|t| Some((t.rows.first()?.start, t.rows.last()?.end)))
        .collect();
    tables.extend(find(doc, &taken));
    tables.sort_by_key(|t| t.rows.first().map_or(0, |r| r.start));
    tables
}

/// The header words starting at token `i` that are all of `words` (none when `i` starts no
/// header).
fn header_at<'a>(toks: &'a [Token], i: usize, words: &[&str]) -> Vec<&'a str> {
    toks[i..]
        .iter()
        .take_while(|t| header_word(&t.text, words))
        .map(|t| t.text.as_str())
        .collect()
}

/// Whether any header holds any of `words`.
fn names_any(heads: &[&str], words: &[&str]) -> bool {
    heads.iter().any(|h| words.iter().any(|w| h.contains(w)))
}

/// The tables of `doc` laid out without rows, outside the character ranges in `taken` (tables
/// found by their lines already).
pub fn find(doc: &str, taken: &[(usize, usize)]) -> Vec<Table> {
    let toks: Vec<Token> = tokens(doc)
        .into_iter()
        .filter(|t| !taken.iter().any(|(a, b)| t.start >= *a && t.start <= *b))
        .collect();
    let mut tables = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let heads = header_at(&toks, i, &BUDGET_HEADERS);
        if heads.len() >= 3
            && names_any(&heads, &["预算"])
            && names_any(&heads, &["执行数", "支出数"])
            && !names_any(&heads, &["三级指标"])
        {
            let (block, next) = budget_block(&toks, i, heads.len());
            rows.extend(block);
            i = next;
            continue;
        }
        let heads = header_at(&toks, i, &INDICATOR_HEADERS);
        if heads.len() >= 4
            && names_any(&heads, &["三级指标", "二级指标", "指标名称"])
            && names_any(&heads, &["得分"])
        {
            let (mut block, next) = indicator_block(&toks, i, heads.len());
            // Each row reaches to the next: the words between (a reason, a group's points, an
            // omitted row's ……) are the table's, not sentences of the report.
            for k in 1..block.len() {
                let next_start = block[k].start;
                if block[k - 1].end < next_start {
                    block[k - 1].end = next_start;
                }
            }
            rows.extend(block);
            tables.push(Table {
                rows: std::mem::take(&mut rows),
                flat: true,
            });
            i = next;
            continue;
        }
        i += 1;
    }
    if rows.len() >= 2 {
        tables.push(Table { rows, flat: true });
    }
    tables
}

/// The budget block from its header at `at` (`run` tokens): each row a label and the amounts
/// after it, in the header's order. Ends at the first label without amounts that names no
/// funds. Answers the rows and where reading goes on.
fn budget_block(toks: &[Token], at: usize, run: usize) -> (Vec<Row>, usize) {
    let names_unit = |t: &str| {
        t.ends_with([')', '）'])
            && t.rfind(['(', '（'])
                .is_some_and(|open| t[open..].contains('元'))
    };
    // The labels' column: its header names the block and its unit.
    let (label_header, at, run) = if run > 3 && names_unit(&toks[at].text) {
        // 年度预算数（万元） over the amounts' headers.
        (toks[at].text.clone(), at + 1, run - 1)
    } else if at >= 1 && is_unit_note(&toks[at - 1].text) {
        // 项目资金 (万元): the block's unit, written just before the header words.
        let first = if at >= 2 && !plain_number(&toks[at - 2].text) {
            format!("{}{}", toks[at - 2].text, toks[at - 1].text)
        } else {
            toks[at - 1].text.clone()
        };
        (first, at, run)
    } else {
        (String::new(), at, run)
    };
    let mut header = vec![label_header];
    header.extend(toks[at..at + run].iter().map(|t| t.text.clone()));
    let columns = run;
    let heads: Vec<&str> = toks[at..at + run].iter().map(|t| t.text.as_str()).collect();
    let mut out = vec![row(header, &toks[at..at + run])];
    let mut i = at + run;
    while i < toks.len() {
        let label = &toks[i];
        if plain_number(&label.text) {
            break;
        }
        let numbers = toks[i + 1..]
            .iter()
            .take(columns)
            .take_while(|t| plain_number(&t.text) || is_dash(&t.text))
            .count();
        if numbers == 0 && !names_funds(&label.text) {
            // A note under a row (1.预算执行率=…，未达到90%的需说明原因) before more rows of
            // funds is the table's, not the end of it.
            let more_funds = toks.get(i + 1).is_some_and(|next| {
                names_funds(&next.text) && toks.get(i + 2).is_some_and(|t| plain_number(&t.text))
            });
            if label.text.chars().count() > 16 && more_funds {
                i += 1;
                continue;
            }
            break;
        }
        let mut cells = vec![label.text.trim_end_matches([':', '：']).to_string()];
        let mut amounts: Vec<String> = toks[i + 1..i + 1 + numbers]
            .iter()
            .map(|t| t.text.clone())
            .collect();
        if let Some(r) = blank_rate(&heads, &amounts) {
            amounts.insert(r, String::new());
        }
        cells.extend(amounts);
        cells.resize(columns + 1, String::new());
        out.push(row(cells, &toks[i..i + 1 + numbers]));
        i += 1 + numbers;
    }
    (out, i)
}

/// Where a row one amount short of its header left its 执行率 blank (年度资金总额: 880 880 880 10
/// 10 under 年初预算数 全年预算数 全年执行数 分值 执行率 得分): when the number standing in the
/// rate's place is no rate of the row's execution, the rate is the cell left empty.
fn blank_rate(heads: &[&str], amounts: &[String]) -> Option<usize> {
    if amounts.len() + 1 != heads.len() {
        return None;
    }
    let at = |words: &[&str], not: &[&str]| {
        heads
            .iter()
            .position(|h| words.iter().any(|w| h.contains(w)) && !not.iter().any(|n| h.contains(n)))
    };
    let rate = at(&["执行率"], &[])?;
    let budget = at(&["全年预算", "调整后预算", "预算数"], &["年初"])?;
    let executed = at(&["执行数", "支出数"], &["执行率"])?;
    let number = |i: usize| -> Option<f64> {
        amounts
            .get(i)?
            .trim_end_matches(['%', '\u{FF05}'])
            .replace(',', "")
            .parse()
            .ok()
    };
    let (b, e) = (number(budget)?, number(executed)?);
    if b <= 0.0 {
        return None;
    }
    let expected = 100.0 * e / b;
    let fits = number(rate)
        .is_some_and(|x| (x - expected).abs() <= 1.0 || (100.0 * x - expected).abs() <= 1.0);
    (!fits).then_some(rate)
}

fn is_unit_note(t: &str) -> bool {
    let t = t.trim();
    (t.starts_with(['(', '（']) && t.ends_with([')', '）']) && t.contains('元'))
        || (t.contains("资金") && t.contains('元') && t.contains(['(', '（']))
}

fn is_dash(t: &str) -> bool {
    matches!(t, "-" | "—" | "——" | "/" | "／")
}

fn names_funds(t: &str) -> bool {
    ["资金", "拨款", "结转", "总额", "其中", "预算"]
        .iter()
        .any(|w| t.contains(w))
        && t.chars().count() <= 16
}

/// The indicators' block from its header at `at` (`run` tokens). A row ends with its 分值 and
/// 得分, two numbers in a row; before them stand the actual value and the target (numbers or
/// words), the indicator itself, and, where a new group begins, the labels of its levels
/// (产出指标, 数量指标). A level label left out is the one above it, as in a merged cell.
fn indicator_block(toks: &[Token], at: usize, run: usize) -> (Vec<Row>, usize) {
    let header: Vec<String> = toks[at..at + run].iter().map(|t| t.text.clone()).collect();
    let levels = header
        .iter()
        .filter(|h| {
            ["一级指标", "二级指标", "三级指标", "指标名称"]
                .iter()
                .any(|w| h.contains(w))
        })
        .count()
        .max(1);
    let points_at = header
        .iter()
        .position(|h| h.contains("分值") || h.contains("权重"));
    let score_at = header.iter().position(|h| h.contains("得分"));
    let reason_at = header
        .iter()
        .position(|h| h.contains("原因") || h.contains("措施") || h == "备注");
    let target_at = header
        .iter()
        .position(|h| h.contains("指标值") || h.contains("目标值"));
    let actual_at = header
        .iter()
        .position(|h| h.contains("完成值") || h.contains("实际值"));
    let mut out = vec![row(header.clone(), &toks[at..at + run])];
    let mut current_levels: Vec<String> = vec![String::new(); levels.saturating_sub(1)];
    let mut i = at + run;
    // Tokens since the last row ended: the next row's words, after the last row's reason.
    let mut pending: Vec<usize> = Vec::new();
    let mut last_row: Option<usize> = None;
    while i < toks.len() {
        let t = toks[i].text.trim();
        if matches!(t, "总分" | "合计" | "总计") {
            let numbers = toks[i + 1..]
                .iter()
                .take_while(|t| plain_number(&t.text))
                .count();
            let mut cells = vec![String::new(); header.len()];
            cells[0] = t.to_string();
            let nums: Vec<String> = toks[i + 1..i + 1 + numbers]
                .iter()
                .map(|t| t.text.clone())
                .collect();
            let mut put = |col: Option<usize>, v: Option<&String>| {
                if let (Some(c), Some(v)) = (col, v) {
                    cells[c] = v.clone();
                }
            };
            put(score_at, nums.last());
            put(
                points_at,
                nums.len().checked_sub(2).and_then(|k| nums.get(k)),
            );
            out.push(row(cells, &toks[i..i + 1 + numbers]));
            return (out, i + 1 + numbers);
        }
        // Fillers of an empty cell or an omitted row (……, /, -) hold nothing.
        if !t.chars().any(char::is_alphanumeric) {
            i += 1;
            continue;
        }
        let mut run_len = toks[i..]
            .iter()
            .take_while(|t| plain_number(&t.text))
            .count();
        // More numbers than the row has columns for: the rest stand in the reason's column
        // after 得分 (a 0 for no deviation) and start the words before the next row.
        let number_columns = [target_at, actual_at, points_at, score_at]
            .iter()
            .flatten()
            .count();
        if run_len > number_columns && reason_at > score_at && number_columns >= 2 {
            run_len = number_columns;
        }
        if run_len < 2 {
            if run_len == 0 && pending.len() > 12 {
                // Far more words than a row holds: the table has ended.
                break;
            }
            pending.extend(i..i + run_len.max(1));
            i += run_len.max(1);
            continue;
        }
        // The last two numbers of the run are 分值 and 得分; numbers before them are the
        // actual value and then the target; the rest come from the words before.
        let score = i + run_len - 1;
        let points = score - 1;
        let mut values: Vec<usize> = (i..points).collect();
        // Words before the numbers may be the target and the actual value (达成预期指标, ≥50个),
        // but never the indicator's name or a group's label, and one word is left to name it.
        while values.len() < 2 && pending.len() >= 2 {
            let k = pending[pending.len() - 1];
            if numbered_indicator(&toks[k].text) || level_label(&toks[k].text) {
                break;
            }
            pending.pop();
            values.insert(0, k);
        }
        let values: Vec<usize> = values[values.len().saturating_sub(2)..].to_vec();
        let Some(indicator) = pending.pop() else {
            i += run_len;
            continue;
        };
        let (fused_labels, name, fused_target) = unfuse(&toks[indicator].text);
        let name = strip_numbering(&name);
        let mut labels: Vec<usize> = Vec::new();
        while labels.len() + fused_labels.len() + 1 < levels {
            match pending.last() {
                Some(&k) if level_label(&toks[k].text) => {
                    labels.insert(0, k);
                    pending.pop();
                }
                _ => break,
            }
        }
        // What is left before the labels is the last row's reason.
        if let (Some(r), Some(col)) = (last_row, reason_at) {
            if !pending.is_empty() {
                let reason: Vec<&str> = pending.iter().map(|&k| toks[k].text.as_str()).collect();
                out[r].cells[col] = reason.join(" ");
            }
        }
        pending.clear();
        // New labels take the lowest levels above the indicator; the ones above them stay.
        let mut fresh: Vec<String> = labels.iter().map(|&k| toks[k].text.clone()).collect();
        fresh.extend(fused_labels);
        let fresh = &fresh[fresh.len().saturating_sub(current_levels.len())..];
        let keep = current_levels.len() - fresh.len();
        for (slot, label) in current_levels.iter_mut().skip(keep).zip(fresh) {
            *slot = label.clone();
        }
        let mut cells = vec![String::new(); header.len()];
        for (c, l) in current_levels.iter().enumerate() {
            if c < cells.len() {
                cells[c] = l.clone();
            }
        }
        if levels - 1 < cells.len() {
            cells[levels - 1] = name;
        }
        let mut put = |col: Option<usize>, k: Option<&usize>| {
            if let (Some(c), Some(&k)) = (col, k) {
                if c < cells.len() {
                    cells[c] = toks[k].text.clone();
                }
            }
        };
        put(target_at, values.first().filter(|_| values.len() == 2));
        put(actual_at, values.last());
        put(points_at, Some(&points));
        put(score_at, Some(&score));
        // A target fused into the name's cell, where no cell of its own held one.
        if let (Some(c), Some(target), true) = (target_at, fused_target, values.len() < 2) {
            if c < cells.len() {
                cells[c] = target;
            }
        }
        let first = labels.first().copied().unwrap_or(indicator);
        out.push(row(cells, &toks[first..=score]));
        last_row = Some(out.len() - 1);
        i = score + 1;
    }
    (out, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_block_written_one_cell_to_a_line_with_bars_gets_its_rows_back() {
        let doc = "预算执行情况(10分) |\n年度预算数(万元) |\n年初预算 |\n调整后预算数 |\n预算执行数 |\n\
                   预算执行率 |\n权重 |\n得分 |\n原因 |\n总额 |\n238.93 |\n251.89 |\n251.89 |\n100.00% |\n\
                   10 |\n|\n1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内) |\n\
                   其中:财政资金 |\n238.93 |\n251.89 |\n251.89 |\n100.00% |\n/ |\n/ |\n\
                   单位资金 |\n0.00 |\n0.00 |\n0.00 |\n0.00% |\n/ |\n/ |\n绩效指标(90分) |\n";
        let t = find(doc, &[]);
        assert_eq!(t.len(), 1, "{t:#?}");
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(rows[0][0], "年度预算数(万元)", "the block's name and unit");
        assert_eq!(rows[0][1], "年初预算");
        assert_eq!(
            rows[1],
            &["总额", "238.93", "251.89", "251.89", "100.00%", "10", "", ""]
        );
        assert_eq!(
            rows[2][0], "其中:财政资金",
            "the note under a row does not end the block"
        );
        assert_eq!(rows[3][0], "单位资金");
    }

    #[test]
    fn header_words_split_over_lines_and_numbered_indicators_are_read() {
        let doc = "项目资金\n(万元)\n\n年初\n\n预算数\n\n全年\n\n预算数\n\n全年\n\n执行数\n\n分值\n\n执行率\n\n得分\n\n\
                   年度资金总额\n\n43.2\n\n43.2\n\n37.24\n\n10\n\n86%\n\n9\n\n\
                   一级指标\n\n二级指标\n\n三级指标\n\n年度\n\n指标值\n\n实际\n\n完成值\n\n分值\n\n得分\n\n偏差原因分析及改进措施\n\n\
                   产出指标\n\n质量指标\n\n指标1工程完工率\n\n100\n\n100\n\n10\n\n10\n\n \n\n\
                   效益指标\n\n经济效益\n\n指标\n\n指标1安全率\n\n100\n\n98\n\n10\n\n9\n\n0\n\n指标2\n\n";
        let t = find(doc, &[]);
        assert_eq!(t.len(), 1, "{t:#?}");
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(rows[0][1..4], ["年初预算数", "全年预算数", "全年执行数"]);
        assert_eq!(
            rows[1],
            &["年度资金总额", "43.2", "43.2", "37.24", "10", "86%", "9"]
        );
        let header = rows.iter().position(|r| r[0] == "一级指标").unwrap();
        assert_eq!(rows[header][3..5], ["年度指标值", "实际完成值"]);
        assert_eq!(
            rows[header + 1][2..7],
            ["工程完工率", "100", "100", "10", "10"]
        );
        // The 0 in the reason's column after 得分 is not the score.
        assert_eq!(
            rows[header + 2][1..7],
            ["经济效益指标", "安全率", "100", "98", "10", "9"]
        );
    }

    #[test]
    fn a_self_evaluation_written_as_one_run_of_cells_gets_its_rows_back() {
        let doc = "附表 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 \
                   年度资金总额: 120 120 108 10 90% 9 其中:财政拨款 120 120 108 其他资金 \
                   年度总体目标 完成道路养护。\n\
                   绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 \
                   产出指标(50分) 数量指标 养护道路里程 ≥30公里 32公里 20 20 质量指标 验收合格率 100% 98% 15 14 \
                   个别路段返工 时效指标 按时完成率 100% 100 15 15 效益指标(40分) 社会效益指标 \
                   群众出行便利程度 明显改善 达成预期 40 38 总分 100 96";
        let t = find(doc, &[]);
        assert_eq!(t.len(), 1, "{t:#?}");
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(rows[0][1], "年初预算数");
        assert_eq!(rows[0][0], "项目资金(万元)");
        assert_eq!(
            rows[1],
            &["年度资金总额", "120", "120", "108", "10", "90%", "9"]
        );
        assert_eq!(rows[2], &["其中:财政拨款", "120", "120", "108", "", "", ""]);
        assert_eq!(rows[3][0], "其他资金");
        let ind: Vec<&Vec<String>> = rows[5..].to_vec();
        assert_eq!(
            ind[0],
            &[
                "产出指标(50分)",
                "数量指标",
                "养护道路里程",
                "≥30公里",
                "32公里",
                "20",
                "20",
                ""
            ]
        );
        assert_eq!(
            ind[1],
            &[
                "产出指标(50分)",
                "质量指标",
                "验收合格率",
                "100%",
                "98%",
                "15",
                "14",
                "个别路段返工"
            ]
        );
        assert_eq!(
            ind[2],
            &[
                "产出指标(50分)",
                "时效指标",
                "按时完成率",
                "100%",
                "100",
                "15",
                "15",
                ""
            ]
        );
        assert_eq!(
            ind[3],
            &[
                "效益指标(40分)",
                "社会效益指标",
                "群众出行便利程度",
                "明显改善",
                "达成预期",
                "40",
                "38",
                ""
            ]
        );
        assert_eq!(ind[4][0], "总分");
        assert_eq!((ind[4][5].as_str(), ind[4][6].as_str()), ("100", "96"));
    }

    #[test]
    fn group_labels_and_targets_run_into_an_indicators_name_are_split_off() {
        let doc = "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n\
                   产出指标数量指标足额保障率=100% 100% 22.5 22.5\n\
                   产出指标质量指标资金到位率≥95% 98% 20 20\n\
                   效益指标(30分)社会效益指标群众满意度≥90% 93% 10 9\n\
                   质量合格率 100% 98% 10 9\n\
                   PM2.5年均浓度≤35微克/立方米 33微克/立方米 10 10\n";
        let t = find_all(doc);
        assert_eq!(t.len(), 1, "{t:#?}");
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(
            rows[1],
            &[
                "产出指标",
                "数量指标",
                "足额保障率",
                "100%",
                "100%",
                "22.5",
                "22.5"
            ]
        );
        assert_eq!(
            rows[2],
            &[
                "产出指标",
                "质量指标",
                "资金到位率",
                "≥95%",
                "98%",
                "20",
                "20"
            ]
        );
        assert_eq!(
            rows[3],
            &[
                "效益指标(30分)",
                "社会效益指标",
                "群众满意度",
                "≥90%",
                "93%",
                "10",
                "9"
            ]
        );
        // A name that begins like a group (质量) is a name; the groups above it stay.
        assert_eq!(
            rows[4],
            &[
                "效益指标(30分)",
                "社会效益指标",
                "质量合格率",
                "100%",
                "98%",
                "10",
                "9"
            ]
        );
        assert_eq!(
            rows[5][2..5],
            ["PM2.5年均浓度", "≤35微克/立方米", "33微克/立方米"]
        );
    }

    #[test]
    fn a_cell_is_not_split_without_a_group_label_or_a_compared_number() {
        for name in [
            "数量指标",
            "质量合格率",
            "12345热线满意度",
            "≥90%",
            "达标率=较上年提高",
        ] {
            let (labels, rest, target) = unfuse(name);
            assert!(labels.is_empty(), "{name}: {labels:?}");
            assert_eq!((rest.as_str(), target), (name, None), "{name}");
        }
    }

    #[test]
    fn cells_one_to_a_line_are_read_the_same_way() {
        let doc = "三级指标\n\n年度指标值\n\n实际完成值\n\n分值\n\n得分\n\n培训人次\n\n≥500人次\n\n620人次\n\n10\n\n10\n\n满意度\n\n≥90%\n\n93%\n\n10\n\n9\n";
        let t = find(doc, &[]);
        assert_eq!(t.len(), 1);
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(rows[1], &["培训人次", "≥500人次", "620人次", "10", "10"]);
        assert_eq!(rows[2], &["满意度", "≥90%", "93%", "10", "9"]);
        assert_eq!(t[0].rows[2].line, 21);
    }

    #[test]
    fn rows_without_targets_wrapped_labels_and_a_blank_rate_are_read_in_their_columns() {
        let doc = "项目资金\n（万元）\n年初预算数 全年预算数(A) 全年执行数(B) 分值 执行率(B/A) 得分\n\
                   年度资金总额: 500 400 380 10 9.5\n其中:本年财政拨款 500 400 380 - -\n\
                   上年结转资金 - -\n年度总体目标完成情况\n绩效指标 一级\n指标\n二级指标 三级指标 年度指标值 \
                   实际完成值 分值 得分 偏差原因分析及改进措施\n(50分)\n数量指标 指标1:新建口袋公园 4个 4个 20 20\n\
                   ……\n质量指标 指标1:竣工验收合格 30 28\n生态效益\n指标\n指标1:绿地面积增加 5 5\n总分 55 53\n";
        let t = find(doc, &[]);
        assert_eq!(t.len(), 1, "{t:#?}");
        let rows: Vec<&Vec<String>> = t[0].rows.iter().map(|r| &r.cells).collect();
        assert_eq!(rows[0][0], "项目资金（万元）");
        assert_eq!(
            rows[1],
            &["年度资金总额", "500", "400", "380", "10", "", "9.5"],
            "the 执行率 left blank, not 9.5 % under it"
        );
        assert_eq!(
            rows[4][0], "一级指标",
            "the header's wrapped word is one cell"
        );
        assert_eq!(
            rows[5],
            &[
                "(50分)",
                "数量指标",
                "新建口袋公园",
                "4个",
                "4个",
                "20",
                "20",
                ""
            ]
        );
        assert_eq!(
            rows[6],
            &["(50分)", "质量指标", "竣工验收合格", "", "", "30", "28", ""],
            "no target or actual: the indicator keeps its name"
        );
        assert_eq!(rows[7][1], "生态效益指标");
        assert_eq!(rows[7][2], "绿地面积增加");
        assert_eq!((rows[8][0].as_str(), rows[8][6].as_str()), ("总分", "53"));
    }

    #[test]
    fn narrative_with_header_words_is_no_table() {
        let doc = "今年各项指标的分值和得分均有提高，三级指标完成值达到95%以上，全年得分 96 分。";
        assert!(find(doc, &[]).is_empty());
    }
}
