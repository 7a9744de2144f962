//! Value checks from the task book: what a reported figure may be (its measure type's natural
//! bounds, the task's own `min`/`max`) and when it moved so much that the unit must say why (the
//! jump check against the previous period and the same period last year).
//!
//! The one rule behind the entry form, the API, uploads, office imports and `jixiao check`:
//! a value out of bounds is refused; a jump is accepted only with a note.

use crate::model::{Framework, Method, NodeIdx, Task};
use serde::{Deserialize, Serialize};

/// What kind of figure a task reports (计量类型), which fixes its natural bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// A share in percent (处置率, 满意率): 0 to 100.
    Rate,
    /// Whole things counted (个, 件, 项): a whole number ≥ 0.
    Count,
    /// A quantity (万元, 平方米, 微克/立方米): ≥ 0.
    Amount,
    /// A signed figure (增长率, 百分点, 指数): any finite number.
    Index,
    /// A score on a scale (满意度得分, 领导评价): within the method's scale, else 0 to 100.
    Score,
    /// One of the task's grades (定性评价).
    Grade,
}

impl ValueKind {
    pub const ALL: [(&'static str, ValueKind); 6] = [
        ("rate", ValueKind::Rate),
        ("count", ValueKind::Count),
        ("amount", ValueKind::Amount),
        ("index", ValueKind::Index),
        ("score", ValueKind::Score),
        ("grade", ValueKind::Grade),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(s, _)| *s)
            .unwrap_or("index")
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ValueKind::Rate => "比率",
            ValueKind::Count => "计数",
            ValueKind::Amount => "数量",
            ValueKind::Index => "指数(可为负)",
            ValueKind::Score => "分值",
            ValueKind::Grade => "等级",
        }
    }
}

/// Largest magnitude any figure may have: beyond it a number is a typing or unit mistake
/// (1e20 yuan), and above 2^53 whole numbers stop being exact.
pub const MAGNITUDE: f64 = 1e15;

/// The task book's checks of one task; every field is optional.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct ValueRules {
    /// The measure type; inferred from the method, measure and name when not given
    /// ([`kind_of`]).
    #[serde(default)]
    pub kind: Option<ValueKind>,
    /// Lowest and highest acceptable value, narrowing (or, for `max` above 100 on a rate,
    /// widening) the type's natural bounds.
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Relative change that asks for a note; 0 turns the jump check off for the task. `None`
    /// takes the task book's `jump_threshold`.
    #[serde(default)]
    pub jump: Option<f64>,
}

/// The cycle-wide default of the jump check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CheckPolicy {
    /// A value whose relative change against the previous period (allowing for the expected
    /// progress) or the same period last year exceeds this asks for a note; 0 turns it off.
    pub jump: f64,
}

impl Default for CheckPolicy {
    fn default() -> Self {
        CheckPolicy { jump: 0.5 }
    }
}

/// Units of measure counted in whole things.
const COUNT_MEASURES: [&str; 22] = [
    "个", "处", "户", "条", "家", "件", "项", "名", "人次", "例", "起", "人", "次", "所", "座",
    "套", "床", "辆", "栋", "场", "批", "宗",
];

/// Words in a task's name that mark a change (which may be negative or exceed 100 %).
const CHANGE_WORDS: [&str; 8] = [
    "增长", "增速", "增幅", "下降", "降低", "变化", "变动", "涨幅",
];

/// The measure type of a task: the one its task book gives, else inferred. Evaluators' grades
/// are grades and their scaled scores are scores; a deduction counts events; a percent is a
/// rate unless the name speaks of a change or a target lies above 100 (an index); a counted
/// measure is a count; any other measure is an amount; no measure is an index.
pub fn kind_of(task: &Task, name: &str) -> ValueKind {
    if let Some(k) = task.checks.kind {
        return k;
    }
    match &task.method {
        Method::Qualitative { .. } => return ValueKind::Grade,
        Method::Scaled { .. } => return ValueKind::Score,
        Method::Deduction { .. } => return ValueKind::Count,
        Method::Growth { .. } => return ValueKind::Index,
        _ => {}
    }
    let measure = task.measure.trim();
    let outside_share = std::iter::once(task.targets)
        .chain(task.overrides.iter().map(|o| o.targets))
        .flat_map(|t| [t.target, t.challenge, t.floor])
        .flatten()
        .any(|x| !(0.0..=100.0).contains(&x));
    if measure == "%" || measure == "％" {
        if outside_share || CHANGE_WORDS.iter().any(|w| name.contains(w)) {
            ValueKind::Index
        } else {
            ValueKind::Rate
        }
    } else if measure.contains("百分点") || measure.contains('℃') || measure.is_empty() {
        ValueKind::Index
    } else if COUNT_MEASURES.contains(&measure) {
        ValueKind::Count
    } else {
        ValueKind::Amount
    }
}

/// The bounds a task's value must keep: the type's natural ones, replaced by the task's own
/// `min` and `max` where given.
pub fn bounds(task: &Task, kind: ValueKind) -> (Option<f64>, Option<f64>) {
    let (lo, hi) = match (kind, &task.method) {
        (ValueKind::Rate, _) => (Some(0.0), Some(100.0)),
        (ValueKind::Count | ValueKind::Amount, _) => (Some(0.0), None),
        (ValueKind::Score, Method::Scaled { min, max }) => (Some(*min), Some(*max)),
        (ValueKind::Score, _) => (Some(0.0), Some(100.0)),
        (ValueKind::Index | ValueKind::Grade, _) => (None, None),
    };
    (task.checks.min.or(lo), task.checks.max.or(hi))
}

/// A message in both languages: the edge shows the user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    pub en: String,
    pub zh: String,
}

impl Words {
    pub fn get(&self, zh: bool) -> &str {
        if zh {
            &self.zh
        } else {
            &self.en
        }
    }
}

impl std::fmt::Display for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

fn show(x: f64) -> String {
    crate::explain::num(x)
}

/// Why `x` cannot be a value of the task at `node`, or `None` when it can.
pub fn bounds_problem(fw: &Framework, node: NodeIdx, x: f64) -> Option<Words> {
    let n = &fw.nodes[node];
    let task = n.task.as_ref()?;
    let kind = kind_of(task, &n.name);
    if !x.is_finite() || x.abs() > MAGNITUDE {
        return Some(Words {
            en: format!(
                "{x} is not a plausible figure for {} (at most {MAGNITUDE:e} in size)",
                n.id
            ),
            zh: format!("{x} 不是 {} 的合理数值(绝对值不超过 {MAGNITUDE:e})", n.id),
        });
    }
    if kind == ValueKind::Count && x.fract() != 0.0 {
        return Some(Words {
            en: format!(
                "{} counts whole {}: {} is not a whole number",
                n.id,
                task.measure,
                show(x)
            ),
            zh: format!("{} 按{}计数,{} 不是整数", n.id, task.measure, show(x)),
        });
    }
    let (lo, hi) = bounds(task, kind);
    let below = lo.is_some_and(|lo| x < lo - 1e-9);
    let above = hi.is_some_and(|hi| x > hi + 1e-9);
    if !(below || above) {
        return None;
    }
    let range_en = match (lo, hi) {
        (Some(lo), Some(hi)) => format!("from {} to {}", show(lo), show(hi)),
        (Some(lo), None) => format!("at least {}", show(lo)),
        (None, Some(hi)) => format!("at most {}", show(hi)),
        (None, None) => String::new(),
    };
    let range_zh = match (lo, hi) {
        (Some(lo), Some(hi)) => format!("应在 {} 至 {} 之间", show(lo), show(hi)),
        (Some(lo), None) => format!("不应小于 {}", show(lo)),
        (None, Some(hi)) => format!("不应大于 {}", show(hi)),
        (None, None) => String::new(),
    };
    let m = if task.measure.is_empty() {
        String::new()
    } else {
        format!(" {}", task.measure)
    };
    Some(Words {
        en: format!(
            "{}{m} is out of range for {} ({}, a {}): the value must be {range_en}",
            show(x),
            n.id,
            n.name,
            kind.as_str()
        ),
        zh: format!(
            "{}{m} 超出 {}({})的取值范围:{}类数值{range_zh}",
            show(x),
            n.id,
            n.name,
            kind.name_zh()
        ),
    })
}

/// What a value was compared with in the jump check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JumpAgainst {
    PreviousPeriod,
    LastYear,
}

/// A value that moved more than the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Jump {
    pub against: JumpAgainst,
    /// The figure it was compared with (the previous period's value scaled by the expected
    /// progress between the periods, or last year's value).
    pub expected: f64,
    /// |x − expected| / |expected| (infinite from 0).
    pub change: f64,
    pub threshold: f64,
}

impl Jump {
    pub fn words(&self, fw: &Framework, node: NodeIdx, x: f64) -> Words {
        let n = &fw.nodes[node];
        let change = if self.change.is_finite() {
            format!("{:.0}%", self.change * 100.0)
        } else {
            "∞".into()
        };
        let limit = format!("{:.0}%", self.threshold * 100.0);
        let (en, zh) = match self.against {
            JumpAgainst::PreviousPeriod => ("the previous period", "上期(按计划进度折算)"),
            JumpAgainst::LastYear => ("the same period last year", "上年同期"),
        };
        Words {
            en: format!(
                "{} of {} differs from {en} ({}) by {change}, more than {limit}: a note saying why is required",
                show(x),
                n.id,
                show(self.expected)
            ),
            zh: format!(
                "{} 的数值 {} 与{zh}({})相差 {change},超过 {limit},请在说明中写明原因",
                n.id,
                show(x),
                show(self.expected)
            ),
        }
    }
}

/// The jump check of `x` for `period`: against the previous period's value (scaled by the
/// expected progress between the two periods when the task declares progress) and the same
/// period of last year. Off for grades, deductions (events come and go) and a threshold of 0;
/// a count must also move by more than twice its chance variation (2·√n).
pub fn jump(
    fw: &Framework,
    node: NodeIdx,
    period: usize,
    x: f64,
    previous: Option<f64>,
    last_year: Option<f64>,
) -> Option<Jump> {
    let n = &fw.nodes[node];
    let task = n.task.as_ref()?;
    if matches!(
        task.method,
        Method::Qualitative { .. } | Method::Deduction { .. }
    ) {
        return None;
    }
    let threshold = task.checks.jump.unwrap_or(fw.checks.jump);
    if threshold <= 0.0 {
        return None;
    }
    let scaled_previous = previous.and_then(|prev| {
        if task.progress.is_empty() || period == 0 {
            return Some(prev);
        }
        let (before, now) = (task.progress[period - 1], task.progress[period]);
        (before > 0.0).then(|| prev * now / before)
    });
    // Counts vary by chance about √n (a Poisson count): a change of 2 → 5 things is noise, of
    // 20 → 50 is not.
    let counted = kind_of(task, &n.name) == ValueKind::Count;
    let test = |against, expected: f64| {
        if counted && (x - expected).abs() <= 2.0 * expected.abs().max(1.0).sqrt() {
            return None;
        }
        let change = if expected == 0.0 {
            if x == 0.0 {
                0.0
            } else {
                f64::INFINITY
            }
        } else {
            (x - expected).abs() / expected.abs()
        };
        (change > threshold + 1e-9).then_some(Jump {
            against,
            expected,
            change,
            threshold,
        })
    };
    scaled_previous
        .and_then(|e| test(JumpAgainst::PreviousPeriod, e))
        .or_else(|| last_year.and_then(|e| test(JumpAgainst::LastYear, e)))
}

/// The jump check over rows of a file: each numeric row without a note is compared with the
/// previous period's value (the file's own row when it has one, else `stored`) and with
/// `last_year` (keyed by this cycle's task, unit and period). Returns the index of each row that
/// jumped, with its jump.
pub fn jumps_in(
    fw: &Framework,
    rows: &[crate::records::ValueRow],
    stored: &dyn Fn(&crate::records::ValueKey) -> Option<f64>,
    last_year: &dyn Fn(&crate::records::ValueKey) -> Option<f64>,
) -> Vec<(usize, Jump)> {
    use crate::records::ValueKey;
    let in_file: std::collections::HashMap<&ValueKey, f64> = rows
        .iter()
        .filter_map(|r| r.observation.as_number().map(|x| (&r.key, x)))
        .collect();
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let (Some(x), true) = (r.observation.as_number(), r.note.trim().is_empty()) else {
            continue;
        };
        let (Some(t), Some(p)) = (fw.node_index(&r.key.task), fw.period_index(&r.key.period))
        else {
            continue;
        };
        let previous = p.checked_sub(1).and_then(|q| {
            let key = ValueKey {
                period: fw.cycle.periods[q].id.clone(),
                ..r.key.clone()
            };
            in_file.get(&key).copied().or_else(|| stored(&key))
        });
        if let Some(j) = jump(fw, t, p, x, previous, last_year(&r.key)) {
            out.push((i, j));
        }
    }
    out
}
