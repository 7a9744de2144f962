//! Quantitative claims of a narrative report (绩效自评报告): every number with what it counts, its
//! unit normalised (万 ×10⁴, 亿 ×10⁸, %, 个百分点 …), qualifiers (余, 约, 近, 超过, 以上, 以内, 左右),
//! estimates (预计), comparisons (同比增长/下降 X%, 由A提升至B, 完成全年目标的X%, 占…X%), ranks (位居全市第一,
//! 城六区之首 …), the period when stated, and where in the text it stands.
//!
//! Pure and rule-based: no model, no network. Offsets are in characters of the whole text.

pub mod eval;
pub mod flat;
pub mod numbers;
pub mod reconcile;
pub mod selfeval;
pub mod tables;
pub mod units;

use numbers::{is_arabic_digit, is_chinese_numeral, parse_arabic, parse_chinese};
use serde::Serialize;

/// How a claim's value relates to the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// 余, 多, 超过, 逾, 以上: the true value is above.
    AtLeast,
    /// 以内, 不超过: the true value is at most this.
    AtMost,
    /// 约, 近, 左右: about.
    About,
}

/// What kind of statement the number makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Kind {
    /// A count or amount: 拆除违法建设8.5万平方米.
    Amount,
    /// A change against last year: 同比降低18.2%.
    YearOnYear { direction: Direction },
    /// The end value of 由A提升至B / 由A调整为B.
    FromTo,
    /// The start value of 由A提升至B / 由A调整为B.
    FromStart,
    /// 完成全年目标的X%.
    ShareOfTarget,
    /// The target itself: 目标为120万人次.
    Target,
    /// 占…X%.
    Ratio,
    /// A place in a ranking: 位居全市第一, 城六区之首, 保持全市第一.
    Rank { scope: String },
    /// First place so many times running: 八连冠 (the value is the count).
    Streak,
    /// A number in a table's cell, of the kind its column's header says (a target is `Target`).
    Cell { role: tables::Role },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// One quantitative claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// The words of the claim as written.
    pub text: String,
    /// What is counted, e.g. 家庭厨余垃圾分出率.
    pub metric: String,
    /// The number, normalised (8.5万 → 85000).
    pub value: f64,
    /// The unit after normalisation: 平方米, 元, 美元, %, 个百分点, 人次, 名 (ranks) …; empty for
    /// a bare index.
    pub unit: String,
    pub kind: Kind,
    pub qualifier: Option<Qualifier>,
    /// 预计: an estimate.
    pub estimate: bool,
    /// 全年, 1-12月, 三季度 … when the sentence states it.
    pub period: Option<String>,
    /// Index of the sentence (0-based).
    pub sentence: usize,
    /// Character offsets of `text` in the whole document.
    pub start: usize,
    pub end: usize,
}

const MAGNITUDES: [(&str, f64); 5] = [
    ("万亿", 1e12),
    ("亿", 1e8),
    ("千万", 1e7),
    ("万", 1e4),
    ("千", 1e3),
];

/// Words that end a metric phrase and are not part of it (verbs, 达到 …), stripped from its end.
const METRIC_TAIL: [&str; 28] = [
    "位居",
    "名列",
    "下降到",
    "提升至",
    "提高到",
    "增长到",
    "达到",
    "实现",
    "累计",
    "共计",
    "合计",
    "完成",
    "达",
    "为",
    "约",
    "近",
    "超过",
    "逾",
    "突破",
    "共",
    "均",
    "分别",
    "下降",
    "增长",
    "降低",
    "提高",
    "减少",
    "全部",
];

// Full-width forms written as escapes so no editor or tool folds them into ASCII.
const SENTENCE_END: [char; 8] = [
    '。', '!', '?', ';', '\u{FF01}', '\u{FF1F}', '\u{FF1B}', '\n',
];
const CLAUSE_END: [char; 11] = [
    ',', '\u{FF0C}', '、', ':', '\u{FF1A}', '“', '”', '(', ')', '\u{FF08}', '\u{FF09}',
];

/// Splits into sentences: (index, start char, chars).
fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        if SENTENCE_END.contains(c) {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push((start, chars.len()));
    }
    out
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(i, w)| chars.get(i) == Some(&w))
}

fn ends_with_at(chars: &[char], end: usize, word: &str) -> bool {
    let n = word.chars().count();
    end >= n && starts_with_at(chars, end - n, word)
}

fn text(chars: &[char], a: usize, b: usize) -> String {
    chars[a..b].iter().collect()
}

/// A number token at `i`: (value, end). Chinese numerals count only when a magnitude or unit
/// follows (so 一是, 一批 and 第一 are not numbers).
fn number_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let c = chars[i];
    if is_arabic_digit(c) {
        let mut j = i;
        let mut seen_dot = false;
        while j < chars.len() {
            let d = chars[j];
            let next_is_digit = chars.get(j + 1).is_some_and(|n| is_arabic_digit(*n));
            if is_arabic_digit(d)
                || ((d == '.' || d == '\u{FF0E}') && !seen_dot && next_is_digit)
                || ((d == ',' || d == '\u{FF0C}')
                    && next_is_digit
                    && chars.get(j + 3).is_some_and(|n| is_arabic_digit(*n)))
            {
                seen_dot |= d == '.' || d == '\u{FF0E}';
                j += 1;
            } else {
                break;
            }
        }
        return parse_arabic(&text(chars, i, j)).map(|v| (v, j));
    }
    if is_chinese_numeral(c)
        && c != '点'
        && !(c == '一'
            && matches!(
                chars.get(i + 1),
                Some('是')
                    | Some('批')
                    | Some('些')
                    | Some('直')
                    | Some('步')
                    | Some('年')
                    | Some('流')
            ))
    {
        let mut j = i;
        while j < chars.len() && is_chinese_numeral(chars[j]) {
            j += 1;
        }
        let value = parse_chinese(&text(chars, i, j))?;
        return Some((value, j));
    }
    None
}

fn unit_at<'v>(vocab: &'v units::Vocabulary, chars: &[char], i: usize) -> Option<&'v str> {
    if chars.get(i) == Some(&'\u{FF05}') {
        return Some("%");
    }
    vocab
        .unit_at(chars, i)
        // 15分钟 is a duration, 3分之1 a fraction: neither is a score.
        .filter(|u| !(*u == "分" && matches!(chars.get(i + 1), Some('钟') | Some('之'))))
}

fn magnitude_at(chars: &[char], i: usize) -> Option<(&'static str, f64)> {
    MAGNITUDES
        .iter()
        .copied()
        .find(|(m, _)| starts_with_at(chars, i, m))
}

/// Where the clause holding position `i` begins.
fn clause_start(chars: &[char], sentence_start: usize, i: usize) -> usize {
    (sentence_start..i)
        .rev()
        .find(|&k| CLAUSE_END.contains(&chars[k]) || SENTENCE_END.contains(&chars[k]))
        .map(|k| k + 1)
        .unwrap_or(sentence_start)
}

/// A phrase in “quotes” that starts at `at`: (the index after its closing quote, the phrase).
fn quoted_after(chars: &[char], at: usize) -> Option<(usize, String)> {
    if chars.get(at) != Some(&'“') {
        return None;
    }
    let close = (at + 1..chars.len().min(at + 40)).find(|&k| chars[k] == '”')?;
    Some((close + 1, text(chars, at + 1, close)))
}

/// A phrase in “quotes” that ends just before `end` (the clause before a number):
/// (its start, the phrase).
fn quoted_before(chars: &[char], from: usize, end: usize) -> Option<(usize, String)> {
    let close = end
        .checked_sub(1)
        .filter(|&k| k >= from && chars[k] == '”')?;
    let open = (from..close).rev().take(40).find(|&k| chars[k] == '“')?;
    Some((open, text(chars, open + 1, close)))
}

/// The metric phrase of a clause before the number: (its start, its text).
fn metric_before(chars: &[char], from: usize, to: usize) -> (usize, String) {
    let mut end = to;
    loop {
        let before = end;
        for w in METRIC_TAIL {
            if ends_with_at(chars, end, w) && end - w.chars().count() >= from {
                end -= w.chars().count();
                break;
            }
        }
        if end == before {
            break;
        }
    }
    let mut start = from;
    for lead in [
        "一是", "二是", "三是", "四是", "五是", "其中", "全年", "全区", "累计",
    ] {
        if starts_with_at(chars, start, lead) && start + lead.chars().count() <= end {
            start += lead.chars().count();
        }
    }
    // Words set apart by white space are cells of a table flattened into the text (年度总体目标
    // 预期目标 实际完成情况 本项目共申请预算资金90万元): the metric is the last of them.
    let written = text(chars, start, end);
    let lead = written.chars().take_while(|c| c.is_whitespace()).count();
    let metric = written.trim();
    match metric.rfind(char::is_whitespace) {
        Some(i) => {
            let last = metric[i..].trim_start();
            let skipped = metric[..metric.len() - last.len()].chars().count();
            (start + lead + skipped, last.to_string())
        }
        None => (start + lead, metric.to_string()),
    }
}

/// When nothing before the number names it (3200余名街道干部社区工作者), the noun phrase after
/// the unit, up to the end of the clause.
fn metric_after(chars: &[char], from: usize, sentence_end: usize) -> String {
    let end = (from..sentence_end)
        .find(|&k| {
            CLAUSE_END.contains(&chars[k])
                || SENTENCE_END.contains(&chars[k])
                || is_arabic_digit(chars[k])
        })
        .unwrap_or(sentence_end);
    let mut phrase = text(chars, from, end.min(from + 16));
    for verb in ["投入", "实现", "全部", "均"] {
        if let Some(i) = phrase.find(verb) {
            phrase.truncate(i);
        }
    }
    phrase.trim().trim_end_matches('的').to_string()
}

/// Units that count things (classifiers): the thing counted often follows (设立9个区内集中医学观察点).
const CLASSIFIERS: [&str; 32] = [
    "个", "名", "家", "项", "处", "栋", "户", "条", "件", "所", "片", "次", "批", "座", "辆", "套",
    "间", "场", "部", "位", "人", "支", "张", "台", "株", "棵", "只", "头", "篇", "册", "期", "床",
];

fn period_in(sentence: &str) -> Option<String> {
    for p in [
        "1-12月",
        "1—12月",
        "全年",
        "一季度",
        "二季度",
        "三季度",
        "四季度",
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
        "上半年",
        "下半年",
        "前三季度",
    ] {
        if sentence.contains(p) {
            return Some(p.to_string());
        }
    }
    None
}

/// Extracts every quantitative claim of `doc`, in order, with the built-in units.
pub fn extract(doc: &str) -> Vec<Claim> {
    extract_with(doc, units::built_in())
}

/// [`extract`] with the units of `vocab` (the built-in ones and an office's own).
pub fn extract_with(doc: &str, vocab: &units::Vocabulary) -> Vec<Claim> {
    let mut chars: Vec<char> = doc.chars().collect();
    let mut out = Vec::new();
    // Tables are read by their rows and columns, not as sentences: lines of a table are left
    // out of the sentences, and the rows of a table rebuilt from a run of cells are blanked
    // (each ending a sentence), so the words around them still read as sentences.
    let tables = flat::find_all(doc);
    let in_table = |at: usize| {
        tables
            .iter()
            .filter(|t| !t.flat)
            .any(|t| t.rows.iter().any(|r| r.start <= at && at <= r.end))
    };
    for r in tables.iter().filter(|t| t.flat).flat_map(|t| &t.rows) {
        let end = r.end.min(chars.len());
        for c in &mut chars[r.start.min(end)..end] {
            *c = ' ';
        }
        if end > r.start {
            chars[end - 1] = '\n';
        }
    }
    let spans = sentences(&chars);
    for t in &tables {
        let first = t.rows.first().map_or(0, |r| r.start);
        let sentence = spans.iter().position(|(a, _)| *a >= first).unwrap_or(0);
        out.extend(tables::table_claims(t, sentence, vocab));
    }
    for (si, &(s_start, s_end)) in spans.iter().enumerate() {
        if in_table(s_start) {
            continue;
        }
        let sentence_text = text(&chars, s_start, s_end);
        let period = period_in(&sentence_text);
        let mut i = s_start;
        let mut last_metric = String::new();
        while i < s_end {
            if let Some(rank) = rank_at(&chars, i, s_end) {
                let (scope, position, end) = rank;
                let cs = clause_start(&chars, s_start, i);
                // 人均公共文化设施面积、实体书店建设指标位居全市第一: the place is every listed item's.
                // (An item that states its own place or number is a claim of its own.)
                let mut listed = cs;
                while listed > s_start + 1 && chars[listed - 1] == '、' {
                    let prev = clause_start(&chars, s_start, listed - 1);
                    let item = &chars[prev..listed - 1];
                    if item.iter().any(|c| {
                        is_arabic_digit(*c) || is_chinese_numeral(*c) || matches!(c, '第' | '首')
                    }) {
                        break;
                    }
                    listed = prev;
                }
                let (_, metric) = metric_before(&chars, listed, i);
                // 在全市财源建设评估中,荣获三季度和全年第一: what was ranked is named in the
                // clause before, the clause itself holds only the winning and the periods.
                let bare = metric
                    .replace(['和', '、'], "")
                    .replace("荣获", "")
                    .replace("获得", "")
                    .replace("夺得", "")
                    .replace("取得", "")
                    .replace("季度", "")
                    .replace(['一', '二', '三', '四'], "");
                let metric = if !metric.is_empty() && bare.trim().is_empty() && cs > s_start {
                    let prev = clause_start(&chars, s_start, cs - 1);
                    text(&chars, prev, cs - 1)
                        .trim_start_matches('在')
                        .trim_end_matches('中')
                        .to_string()
                } else {
                    metric
                };
                if !metric.is_empty() {
                    last_metric = metric;
                }
                out.push(Claim {
                    text: text(&chars, i, end),
                    metric: last_metric.clone(),
                    value: position as f64,
                    unit: "名".into(),
                    kind: Kind::Rank { scope },
                    qualifier: None,
                    estimate: false,
                    period: period.clone(),
                    sentence: si,
                    start: i,
                    end,
                });
                i = end;
                continue;
            }
            let percent_words = starts_with_at(&chars, i, "百分之");
            let num_start = if percent_words { i + 3 } else { i };
            let Some((mut value, mut j)) = (num_start < s_end)
                .then(|| number_at(&chars, num_start))
                .flatten()
            else {
                i += 1;
                continue;
            };
            // Named slogans in quotes (“四个服务”, “五个东城”) are not counts.
            if num_start > s_start
                && matches!(chars[num_start - 1], '“' | '《' | '「')
                && is_chinese_numeral(chars[num_start])
            {
                i = j;
                continue;
            }
            // Skip numbers inside words or codes: 12345 hotline, 5G, 2020年 as a year; a unit in
            // Latin letters (4.3m, 12km) is a unit when a word does not go on after it.
            let preceded_by_digit = num_start > s_start
                && (is_arabic_digit(chars[num_start - 1])
                    || chars[num_start - 1].is_ascii_alphabetic());
            let latin_unit = unit_at(vocab, &chars, j).is_some_and(|u| {
                u.starts_with(|c: char| c.is_ascii_alphabetic())
                    && !chars
                        .get(j + u.chars().count())
                        .is_some_and(|c| c.is_ascii_alphanumeric())
            });
            if preceded_by_digit
                || (chars.get(j).is_some_and(|c| c.is_ascii_alphabetic()) && !latin_unit)
            {
                i = j;
                continue;
            }
            // An ordinal names something (第42次会议, 第七次全国人口普查); ranks were read above.
            if num_start > s_start && chars[num_start - 1] == '第' {
                i = j;
                continue;
            }
            // A name with a number in it: 三年行动计划, 五年规划, 三次产业.
            if chars.get(j) == Some(&'年')
                && ["行动", "计划", "规划", "攻坚", "专项"]
                    .iter()
                    .any(|w| starts_with_at(&chars, j + 1, w))
                || starts_with_at(&chars, j, "次产业")
            {
                i = j;
                continue;
            }
            // The span a report looks back on is not a claim: 五年来, 过去五年, 五年累计.
            if chars.get(j) == Some(&'年')
                && (["来", "以来", "累计", "间", "中"]
                    .iter()
                    .any(|w| starts_with_at(&chars, j + 1, w))
                    || ends_with_at(&chars, num_start, "过去")
                    || ends_with_at(&chars, num_start, "近"))
            {
                i = j;
                continue;
            }
            // A count of named things in quotes is not a claim: 三个“十亿元”台阶, 两个“关键小事”.
            if is_chinese_numeral(chars[num_start])
                && matches!(chars.get(j), Some('个' | '项' | '大'))
                && matches!(chars.get(j + 1), Some('“' | '"' | '《' | '「'))
            {
                i = j + 1;
                continue;
            }
            // 八连冠, 五次蝉联“全国文明城区”: first place (or an honour) so many times running.
            let streak_word = ["连冠", "次蝉联", "连续蝉联"]
                .into_iter()
                .find(|w| starts_with_at(&chars, j, w));
            if let Some(word) = streak_word {
                let after = j + word.chars().count();
                let cs = clause_start(&chars, s_start, i);
                let (metric_start, metric) = metric_before(&chars, cs, i);
                // The honour is usually quoted: “全国双拥模范城”实现八连冠, 五次蝉联“全国文明城区”.
                let metric = quoted_after(&chars, after)
                    .or_else(|| quoted_before(&chars, s_start, cs))
                    .map(|(_, q)| q)
                    .unwrap_or(metric);
                let metric = if metric.is_empty() {
                    last_metric.clone()
                } else {
                    metric
                };
                last_metric = metric.clone();
                let end = quoted_after(&chars, after).map_or(after, |(e, _)| e);
                out.push(Claim {
                    text: text(&chars, metric_start.min(i), end),
                    metric,
                    value,
                    unit: if word == "连冠" { "连冠" } else { "次" }.into(),
                    kind: Kind::Streak,
                    qualifier: None,
                    estimate: false,
                    period: period.clone(),
                    sentence: si,
                    start: i,
                    end,
                });
                i = end;
                continue;
            }
            // A sign before the number: -4%, −4%, 负4%.
            let negative = num_start > s_start
                && (matches!(chars[num_start - 1], '-' | '\u{2212}' | '\u{FF0D}')
                    && !(num_start >= s_start + 2
                        && (is_arabic_digit(chars[num_start - 2])
                            || chars[num_start - 2].is_ascii_alphanumeric()))
                    || chars[num_start - 1] == '负');
            if negative {
                value = -value;
            }
            let mut qualifier = None;
            let mut unit = String::new();
            if percent_words {
                unit = "%".into();
            } else {
                // A unit that begins like a magnitude (千米, 千瓦时) is the unit, not 千 × 米.
                let whole_unit = unit_at(vocab, &chars, j)
                    .filter(|u| magnitude_at(&u.chars().collect::<Vec<_>>(), 0).is_some());
                if whole_unit.is_none() {
                    if let Some((m, factor)) = magnitude_at(&chars, j) {
                        value *= factor;
                        j += m.chars().count();
                    }
                }
                if matches!(chars.get(j), Some('余') | Some('多')) {
                    qualifier = Some(Qualifier::AtLeast);
                    j += 1;
                }
                // 1.4 %: a space before the per cent sign.
                if chars.get(j) == Some(&' ') && matches!(chars.get(j + 1), Some('%' | '\u{FF05}'))
                {
                    j += 1;
                }
                match unit_at(vocab, &chars, j) {
                    Some(u) => {
                        j += if chars.get(j) == Some(&'\u{FF05}') {
                            1
                        } else {
                            u.chars().count()
                        };
                        unit = vocab.canonical(u).into();
                    }
                    None => {
                        // A bare number counts only when it is stated as a level (指数下降到5.03).
                        // So does each part of a proportion a clause calls one
                        // (结构比例为6.01:55.04:38.95; not a time, 04:56:35).
                        let mut first = num_start;
                        while first > s_start
                            && (is_arabic_digit(chars[first - 1])
                                || matches!(chars[first - 1], '.' | ':' | '：'))
                        {
                            first -= 1;
                        }
                        let named_proportion =
                            text(&chars, clause_start(&chars, s_start, first), first)
                                .contains('比');
                        let in_proportion = |at: usize| {
                            named_proportion
                                && matches!(chars.get(at), Some(':' | '：'))
                                && chars.get(at + 1).is_some_and(|c| is_arabic_digit(*c))
                        };
                        let bare_level = num_start >= 2
                            && (["到", "至", "为"]
                                .iter()
                                .any(|w| ends_with_at(&chars, num_start, w))
                                || in_proportion(j)
                                || (num_start >= 2
                                    && in_proportion(num_start - 1)
                                    && is_arabic_digit(chars[num_start - 2])));
                        if !bare_level
                            || is_chinese_numeral(chars[num_start])
                            || (chars.get(j) == Some(&'年'))
                        {
                            i = j.max(i + 1);
                            continue;
                        }
                    }
                }
            }
            // A year like 2020年 is a date, not a claim.
            if unit == "年" && (1900.0..=2100.0).contains(&value) {
                i = j;
                continue;
            }
            for (w, q) in [
                ("以上", Qualifier::AtLeast),
                ("以内", Qualifier::AtMost),
                ("左右", Qualifier::About),
            ] {
                if starts_with_at(&chars, j, w) {
                    qualifier = Some(q);
                    j += w.chars().count();
                }
            }
            for (w, q) in [
                ("超过", Qualifier::AtLeast),
                ("逾", Qualifier::AtLeast),
                ("约", Qualifier::About),
                ("近", Qualifier::About),
                ("不超过", Qualifier::AtMost),
            ] {
                if ends_with_at(&chars, i, w) && qualifier.is_none() {
                    qualifier = Some(q);
                }
            }
            let cs = clause_start(&chars, s_start, i);
            // The words before the number (and its sign).
            let at = if negative { i - 1 } else { i };
            let clause_before = text(&chars, cs, at);
            let kind = if let Some(d) = yoy(&clause_before) {
                Kind::YearOnYear { direction: d }
            } else if clause_before.ends_with("目标的") || clause_before.ends_with("任务的") {
                Kind::ShareOfTarget
            } else if ["目标为", "目标值为", "目标是"]
                .iter()
                .any(|w| clause_before.ends_with(w))
            {
                Kind::Target
            } else if clause_before.contains('占') && unit == "%"
                || unit.is_empty()
                    && (matches!(chars.get(j), Some(':' | '：'))
                        || matches!(chars.get(num_start.wrapping_sub(1)), Some(':' | '：')))
            {
                Kind::Ratio
            } else if clause_before.contains('由')
                && (clause_before.ends_with("至")
                    || clause_before.ends_with("到")
                    || clause_before.ends_with("为"))
            {
                Kind::FromTo
            } else if clause_before.contains('由')
                && FROM_TO_MARKERS.iter().any(|w| {
                    let after = j + (starts_with_at(&chars, j, "左右") as usize) * 2;
                    starts_with_at(&chars, after, w)
                })
            {
                Kind::FromStart
            } else {
                Kind::Amount
            };
            let estimate =
                clause_before.contains("预计") || text(&chars, s_start, i).contains("预计");
            let (metric_start, mut metric) = metric_before(&chars, cs, i);
            for w in [
                "同比增长",
                "同比下降",
                "同比降低",
                "同比提高",
                "同比减少",
                "同比上升",
                "同比",
            ] {
                if let Some(m) = metric.strip_suffix(w) {
                    metric = m.to_string();
                }
            }
            if matches!(kind, Kind::Amount)
                && (metric.is_empty() || CLASSIFIERS.contains(&unit.as_str()))
            {
                let after = metric_after(&chars, j, s_end);
                if after.chars().count() >= 2 || metric.is_empty() {
                    metric = after;
                }
            }
            // A target or a share of it speaks about the metric named just before
            // (集中核酸检测135万人次，目标为120万人次，完成全年目标的112.5%).
            if metric.is_empty()
                || matches!(kind, Kind::YearOnYear { .. }) && metric.chars().count() < 2
                || matches!(kind, Kind::Target | Kind::ShareOfTarget) && !last_metric.is_empty()
            {
                metric = last_metric.clone();
            }
            last_metric = metric.clone();
            // A qualifier written before the number belongs to the claim's words.
            let claim_start = ["不超过", "超过", "逾", "约", "近"]
                .iter()
                .find(|w| ends_with_at(&chars, at, w))
                .map_or(at, |w| at - w.chars().count());
            out.push(Claim {
                text: text(&chars, metric_start.min(claim_start), j),
                metric,
                value,
                unit,
                kind,
                qualifier,
                estimate,
                period: period.clone(),
                sentence: si,
                start: claim_start.min(at),
                end: j,
            });
            i = j;
        }
    }
    out.extend(run_together_points(&chars, &spans));
    out.sort_by_key(|c| (c.start, c.end));
    out
}

/// A scored table read from a scan, whose cells ran together (`预算完成率%70%76%100%22是`:
/// target, actual, the score's coefficient, then the points 2 and the score 2 as one number):
/// the number right after a coefficient is split where the score is the points times the
/// coefficient (22 → 2 and 2; 107.6 after 76% → 10 and 7.6). Only in a document that speaks of
/// 权重 and 得分, and only where the split is the one the arithmetic allows.
fn run_together_points(chars: &[char], spans: &[(usize, usize)]) -> Vec<Claim> {
    let has = |word: &str| (0..chars.len()).any(|i| starts_with_at(chars, i, word));
    if !(has("权重") && has("得分")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !matches!(chars[i], '%' | '\u{FF05}') {
            i += 1;
            continue;
        }
        // The coefficient before the sign.
        let mut k = i;
        while k > 0 && (is_arabic_digit(chars[k - 1]) || chars[k - 1] == '.') {
            k -= 1;
        }
        let coefficient: Option<f64> = text(chars, k, i).parse().ok();
        // The digits run into it after the sign.
        let mut end = i + 1;
        while end < chars.len() && (is_arabic_digit(chars[end]) || chars[end] == '.') {
            end += 1;
        }
        let run = text(chars, i + 1, end);
        let next_is_number_word = chars.get(end).is_some_and(|c| {
            matches!(c, '%' | '\u{FF05}') || c.is_ascii_alphanumeric() || "万亿千百".contains(*c)
        });
        let split = coefficient
            .filter(|c| *c > 0.0 && *c <= 100.0 && k < i && run.chars().count() >= 2)
            .filter(|_| !next_is_number_word)
            .and_then(|c| split_points_and_score(&run, c));
        if let Some((points, score, at)) = split {
            let sentence = spans
                .iter()
                .position(|(a, b)| (*a..=*b).contains(&i))
                .unwrap_or(0);
            let metric = row_name_before(chars, k);
            for (value, role, start, stop) in [
                (points, tables::Role::Points, i + 1, i + 1 + at),
                (score, tables::Role::Score, i + 1 + at, end),
            ] {
                out.push(Claim {
                    text: text(chars, start, stop),
                    metric: metric.clone(),
                    value,
                    unit: "分".into(),
                    kind: Kind::Cell { role },
                    qualifier: None,
                    estimate: false,
                    period: None,
                    sentence,
                    start,
                    end: stop,
                });
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// The one split of `run` into points and a score where the score is the points times
/// `coefficient` per cent (to the hundredth), neither part starting with a needless 0.
fn split_points_and_score(run: &str, coefficient: f64) -> Option<(f64, f64, usize)> {
    let chars: Vec<char> = run.chars().collect();
    let plain = |s: &str| {
        // A part is a plain number: no leading or trailing point, one point at most, and no
        // leading zero but in 0.x.
        let needless_zero = s.starts_with('0') && s.len() > 1 && !s.starts_with("0.");
        !(s.is_empty()
            || s.starts_with('.')
            || s.ends_with('.')
            || s.matches('.').count() > 1
            || needless_zero)
    };
    let fits: Vec<(f64, f64, usize)> = (1..chars.len())
        .filter_map(|at| {
            let (a, b): (String, String) =
                (chars[..at].iter().collect(), chars[at..].iter().collect());
            if !(plain(&a) && plain(&b)) {
                return None;
            }
            let (p, s): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
            (p > 0.0 && (p * coefficient / 100.0 - s).abs() < 0.005).then_some((p, s, at))
        })
        .collect();
    match fits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The name of the row a run-together cell stands in: the words after the row before ended (是,
/// 否 or a line break) up to the row's first figure.
fn row_name_before(chars: &[char], at: usize) -> String {
    let begin = (0..at)
        .rev()
        .find(|&k| matches!(chars[k], '是' | '否' | '\n'))
        .map_or(0, |k| k + 1);
    let words: String = chars[begin..at]
        .iter()
        .take_while(|c| !is_arabic_digit(**c) && !matches!(c, '%' | '\u{FF05}'))
        .collect();
    words
        .trim_matches(|c: char| "“”\"%、 ".contains(c))
        .trim_end_matches("定量指标")
        .trim_end_matches("定性指标")
        .to_string()
}

/// What joins the two values of 由A…B: the start value is followed by one of these.
const FROM_TO_MARKERS: [&str; 16] = [
    "调整为",
    "调整到",
    "调整至",
    "提升至",
    "提升到",
    "提高到",
    "提高至",
    "增长到",
    "增加到",
    "增至",
    "下降到",
    "下降至",
    "降至",
    "降到",
    "减少到",
    "减至",
];

fn yoy(before: &str) -> Option<Direction> {
    let tail: String = before
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    for (w, d) in [
        ("增长", Direction::Up),
        ("提高", Direction::Up),
        ("上升", Direction::Up),
        ("下降", Direction::Down),
        ("降低", Direction::Down),
        ("减少", Direction::Down),
    ] {
        if tail.ends_with(&format!("同比{w}")) || (before.contains("同比") && tail.ends_with(w))
        {
            return Some(d);
        }
    }
    None
}

/// A rank statement at `i`: (scope, position, end).
fn rank_at(chars: &[char], i: usize, end: usize) -> Option<(String, u32, usize)> {
    const SCOPES: [&str; 6] = ["全国", "全市", "城六区", "全区", "核心区", "生态涵养区"];
    const VERBS: [&str; 6] = ["位居", "名列", "排名", "保持", "居", "列"];
    for verb in VERBS {
        if !starts_with_at(chars, i, verb) {
            continue;
        }
        let mut k = i + verb.chars().count();
        let Some(scope) = SCOPES.iter().find(|s| starts_with_at(chars, k, s)) else {
            continue;
        };
        k += scope.chars().count();
        if starts_with_at(chars, k, "首位") {
            return Some((scope.to_string(), 1, k + 2));
        }
        if chars.get(k) == Some(&'第') {
            let mut m = k + 1;
            while m < end && (is_chinese_numeral(chars[m]) || is_arabic_digit(chars[m])) {
                m += 1;
            }
            let n = text(chars, k + 1, m);
            let position = parse_arabic(&n).or_else(|| parse_chinese(&n))? as u32;
            if matches!(chars.get(m), Some('名') | Some('位')) {
                m += 1;
            }
            return Some((scope.to_string(), position, m));
        }
    }
    // 荣获三季度和全年第一: a place won for a period, the scope named earlier if at all.
    const PERIODS: [&str; 8] = [
        "全年",
        "年度",
        "上半年",
        "下半年",
        "一季度",
        "二季度",
        "三季度",
        "四季度",
    ];
    const WON: [&str; 5] = ["荣获", "获得", "夺得", "取得", "位列"];
    if let Some(p) = PERIODS.iter().find(|p| starts_with_at(chars, i, p)) {
        let k = i + p.chars().count();
        let clause = (0..i)
            .rev()
            .take_while(|&x| !CLAUSE_END.contains(&chars[x]) && !SENTENCE_END.contains(&chars[x]))
            .last()
            .unwrap_or(i);
        let won = WON.iter().any(|w| text(chars, clause, i).contains(w));
        if won && chars.get(k) == Some(&'第') {
            let mut m = k + 1;
            while m < end && (is_chinese_numeral(chars[m]) || is_arabic_digit(chars[m])) {
                m += 1;
            }
            let n = text(chars, k + 1, m);
            if let Some(position) = parse_arabic(&n).or_else(|| parse_chinese(&n)) {
                if matches!(chars.get(m), Some('名') | Some('位')) {
                    m += 1;
                }
                return Some((String::new(), position as u32, m));
            }
        }
    }
    // 城六区之首, 全市之首
    for scope in SCOPES {
        if starts_with_at(chars, i, scope)
            && starts_with_at(chars, i + scope.chars().count(), "之首")
        {
            return Some((scope.to_string(), 1, i + scope.chars().count() + 2));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Claim {
        let c = extract(s);
        assert_eq!(c.len(), 1, "{s}: {c:#?}");
        c.into_iter().next().unwrap()
    }

    #[test]
    fn amounts_with_magnitudes_and_units_are_normalised() {
        let c = one("拆除违法建设8.5万平方米。");
        assert_eq!(
            (c.metric.as_str(), c.value, c.unit.as_str()),
            ("拆除违法建设", 85000.0, "平方米")
        );
        let c = one("区级一般公共预算收入实现181.4亿元。");
        assert_eq!(
            (c.metric.as_str(), c.unit.as_str()),
            ("区级一般公共预算收入", "元")
        );
        assert!((c.value - 1.814e10).abs() < 1.0);
        let c = one("实际利用外资6亿美元。");
        assert_eq!((c.value, c.unit.as_str()), (6e8, "美元"));
    }

    #[test]
    fn percentages_qualifiers_and_chinese_numerals() {
        let c = one("家庭厨余垃圾分出率达到21.8%。");
        assert_eq!(
            (c.metric.as_str(), c.value, c.unit.as_str()),
            ("家庭厨余垃圾分出率", 21.8, "%")
        );
        let c = one("物业管理覆盖率均超过90%。");
        assert_eq!((c.value, c.qualifier), (90.0, Some(Qualifier::AtLeast)));
        let c = one("受理12345市民热线案件15万余件。");
        assert_eq!(
            (c.value, c.unit.as_str(), c.qualifier),
            (150000.0, "件", Some(Qualifier::AtLeast))
        );
        let c = one("分出率达到百分之二十一点八。");
        assert_eq!((c.value, c.unit.as_str()), (21.8, "%"));
        let c = one("完成十二项改革任务。");
        assert_eq!((c.value, c.unit.as_str()), (12.0, "项"));
    }

    #[test]
    fn year_on_year_changes_follow_their_level() {
        let c = extract("高峰时段道路交通指数下降到5.03,同比降低18.2%,下降率位居全市第一。");
        assert_eq!(c.len(), 3, "{c:#?}");
        assert_eq!(
            (c[0].metric.as_str(), c[0].value, c[0].unit.as_str()),
            ("高峰时段道路交通指数", 5.03, "")
        );
        assert_eq!(
            (c[1].value, &c[1].kind),
            (
                18.2,
                &Kind::YearOnYear {
                    direction: Direction::Down
                }
            )
        );
        assert_eq!(c[1].metric, "高峰时段道路交通指数");
        assert_eq!(
            (c[2].value, &c[2].kind),
            (
                1.0,
                &Kind::Rank {
                    scope: "全市".into()
                }
            )
        );
    }

    #[test]
    fn ranks_are_found_in_their_usual_phrasings() {
        let c = extract("年度综合考核名列全市第三、位居城六区之首。");
        let ranks: Vec<(f64, String)> = c
            .iter()
            .filter_map(|x| match &x.kind {
                Kind::Rank { scope } => Some((x.value, scope.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            ranks,
            vec![(3.0, "全市".to_string()), (1.0, "城六区".to_string())]
        );
    }

    #[test]
    fn years_codes_and_ordinal_words_are_not_claims() {
        assert!(
            extract("2020年,东城区一是加强统筹,建设5G基站。")
                .iter()
                .all(|c| c.unit != "年" && c.value != 5.0),
            "{:#?}",
            extract("2020年,东城区一是加强统筹,建设5G基站。")
        );
        assert!(extract("受理12345市民热线").is_empty());
    }

    #[test]
    fn slogans_are_not_counts_and_a_metric_may_follow_the_number() {
        assert!(extract("全面提升“四个服务”水平,大力推进“五个东城”建设。").is_empty());
        let c = one("7000余名医务工作者投入防控一线。");
        assert_eq!(
            (c.metric.as_str(), c.value, c.qualifier),
            ("医务工作者", 7000.0, Some(Qualifier::AtLeast))
        );
        let c = extract("全面完成市政府29个绩效考评指标的70项绩效考评任务。");
        assert_eq!(
            (c[0].metric.as_str(), c[1].metric.as_str()),
            ("绩效考评指标", "绩效考评任务")
        );
        assert_eq!(one("建成基本无违建社区8个。").metric, "建成基本无违建社区");
        let c = extract("年度综合考核名列全市第三、位居城六区之首。");
        assert_eq!(c[1].metric, "年度综合考核");
        let c = one("家庭厨余垃圾分出率达到21.8%。");
        assert_eq!(c.text, "家庭厨余垃圾分出率达到21.8%");
    }

    /// Numbers that are part of a name or an ordinal, not claims.
    const NOT_CLAIMS: [&str; 14] = [
        "深入实施老旧小区综合整治三年行动计划。",
        "区人大常委会第42次会议审议通过。",
        "编制“十四五”规划纲要。",
        "配合完成第七次全国人口普查。",
        "落实五年规划各项任务。",
        "开展安全生产专项整治三年行动。",
        "召开第3次全体会议。",
        "进入“十四五”时期。",
        "五年来,全区经济稳步发展。",
        "过去五年,我们攻坚克难。",
        "税收连续跨越三个“百亿元”台阶。",
        "三次产业协调发展。",
        "文件更新于04:56:35。",
        "部署5G基站和P1.5LED屏。",
    ];

    #[test]
    fn names_and_ordinals_are_not_claims() {
        for s in NOT_CLAIMS {
            assert!(extract(s).is_empty(), "{s}: {:#?}", extract(s));
        }
    }

    #[test]
    fn signed_values_and_both_ends_of_a_change() {
        let c = extract("物价涨幅目标由年初的2%调整为-4%左右。");
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!((c[0].value, &c[0].kind), (2.0, &Kind::FromStart));
        assert_eq!(
            (c[1].value, &c[1].kind, c[1].qualifier),
            (-4.0, &Kind::FromTo, Some(Qualifier::About))
        );
        assert!(c[1].text.ends_with("-4%左右"), "{}", c[1].text);
        let c = extract("优良天数比例由65.2%提高到75.4%。");
        assert_eq!(
            c.iter()
                .map(|x| (x.value, x.kind.clone()))
                .collect::<Vec<_>>(),
            [(65.2, Kind::FromStart), (75.4, Kind::FromTo)]
        );
        assert_eq!(one("增速为负3.5%。").value, -3.5);
        // A range is not a sign: 1-12月.
        assert!(extract("1-12月累计完成投资120亿元。")
            .iter()
            .all(|x| x.value > 0.0));
    }

    #[test]
    fn units_beyond_the_seeds_are_read() {
        let c = one("新增造林绿化面积1.2万亩。");
        assert_eq!((c.value, c.unit.as_str()), (12000.0, "亩"));
        assert_eq!(one("腾退土地35公顷。").unit, "公顷");
        assert_eq!(one("节约能源2.3万吨标准煤。").unit, "吨标准煤");
        assert_eq!(one("新增养老床位500张。").unit, "张");
        let c = one("设立三支子基金。");
        assert_eq!(
            (c.value, c.unit.as_str(), c.metric.as_str()),
            (3.0, "支", "子基金")
        );
        let c = one("线路长度12千米。");
        assert_eq!(
            (c.value, c.unit.as_str()),
            (12.0, "千米"),
            "a unit, not 千 × 米"
        );
        // An office's own unit.
        let v = units::built_in()
            .with("[[unit]]\nname = \"标准箱\"\n", "office.toml")
            .unwrap();
        let c = extract_with("集装箱吞吐量3万标准箱。", &v);
        assert_eq!((c[0].value, c[0].unit.as_str()), (30000.0, "标准箱"));
    }

    #[test]
    fn streaks_and_kept_or_won_places_are_ranks() {
        let c = one("荣获“全国双拥模范城”八连冠。");
        assert_eq!(
            (c.value, &c.kind, c.unit.as_str()),
            (8.0, &Kind::Streak, "连冠")
        );
        let c = extract("人均公共文化设施面积保持全市第一。");
        assert_eq!(
            (c[0].value, &c[0].kind),
            (
                1.0,
                &Kind::Rank {
                    scope: "全市".into()
                }
            )
        );
        let c = extract("在全市财源建设评估中,荣获三季度和全年第一。");
        assert_eq!(c.len(), 1, "{c:#?}");
        assert_eq!(
            (c[0].value, c[0].metric.as_str()),
            (1.0, "全市财源建设评估")
        );
    }

    #[test]
    fn full_width_digits_and_punctuation_are_read() {
        let c = extract("拆除违法建设\u{FF18}\u{FF0E}\u{FF15}万平方米\u{FF0C}同比增长\u{FF11}\u{FF12}\u{FF05}\u{FF1B}");
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!((c[0].value, c[0].unit.as_str()), (85000.0, "平方米"));
        assert_eq!(
            (c[1].value, c[1].unit.as_str(), &c[1].kind),
            (
                12.0,
                "%",
                &Kind::YearOnYear {
                    direction: Direction::Up
                }
            )
        );
    }

    #[test]
    fn units_written_otherwise_a_space_before_per_cent_and_proportions() {
        let c = extract("总建筑面积约1000㎡,层高4.3m,新建道路12km,吞吐量达1030万标箱。");
        let got: Vec<(f64, &str)> = c.iter().map(|c| (c.value, c.unit.as_str())).collect();
        assert_eq!(
            got,
            [
                (1000.0, "平方米"),
                (4.3, "米"),
                (12.0, "公里"),
                (10_300_000.0, "标箱")
            ]
        );
        let c = one("蔬菜播种面积增长1.4 %。");
        assert_eq!((c.value, c.unit.as_str()), (1.4, "%"));
        let c = extract("三次产业结构比例为5.2:40.1:54.7。");
        let parts: Vec<f64> = c.iter().map(|c| c.value).collect();
        assert_eq!(parts, [5.2, 40.1, 54.7]);
        assert!(c.iter().all(|c| c.kind == Kind::Ratio && c.unit.is_empty()));
    }

    #[test]
    fn points_and_a_score_run_together_in_a_scanned_table_are_split_by_their_arithmetic() {
        let doc =
            "指标名称计量单位年初指标值全年完成值得分系数(%)指标权重(分)指标得分(分)是否核心指标\n\
                   预算完成率%70%76%100%22是资产利用率%90%85%80%108否";
        let c = extract(doc);
        let cells: Vec<(&str, f64, &str)> = c
            .iter()
            .filter(|c| matches!(c.kind, Kind::Cell { .. }))
            .map(|c| (c.metric.as_str(), c.value, c.text.as_str()))
            .collect();
        assert_eq!(
            cells,
            [
                ("预算完成率", 2.0, "2"),
                ("预算完成率", 2.0, "2"),
                ("资产利用率", 10.0, "10"),
                ("资产利用率", 8.0, "8")
            ]
        );
        // Without a table's 权重 and 得分, or where no split fits, nothing is split.
        assert!(extract("增长100%22个")
            .iter()
            .all(|c| !matches!(c.kind, Kind::Cell { .. })));
        assert_eq!(split_points_and_score("37", 100.0), None);
    }

    #[test]
    fn offsets_point_at_the_claim_in_the_whole_text() {
        let doc = "总体情况。拆除违法建设8.5万平方米。";
        let c = one(doc);
        let chars: Vec<char> = doc.chars().collect();
        assert_eq!(
            chars[c.start..c.end].iter().collect::<String>(),
            "8.5万平方米"
        );
        assert_eq!(c.sentence, 1);
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
        #[test]
        fn no_text_makes_the_extractor_panic(s in "[0-9一二两三十百千万亿点余约近超过以上以内左右同比增长下降位居全市第名之首占由至%。,、;.a-z \\n]{0,80}") {
            for c in super::extract(&s) {
                prop_assert!(c.start <= c.end && c.end <= s.chars().count());
            }
        }

        #[test]
        fn arbitrary_unicode_is_harmless(s in any::<String>()) {
            let _ = super::extract(&s);
        }
    }
}
