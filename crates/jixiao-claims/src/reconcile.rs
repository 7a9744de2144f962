//! Reconciling a report's claims with the unit's task book and stored values: each claim is
//! matched to the task it speaks about (name similarity by character bigrams, compatible units,
//! then the closest stored value), converted to the task's unit of measure, and compared,
//! respecting 余/超过 (at least), 以内 (at most) and 约/近/左右 (about).

use crate::{Claim, Kind, Qualifier};
use jixiao_core::model::{Framework, NodeIdx, UnitIdx};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    Consistent,
    /// Both numbers in the task's unit of measure.
    Inconsistent {
        claimed: f64,
        stored: f64,
        difference: f64,
    },
    /// No task of the unit speaks about it, or it has no stored value.
    Unmatched,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub claim: Claim,
    pub task_id: Option<String>,
    pub task_name: Option<String>,
    pub measure: Option<String>,
    pub verdict: Verdict,
}

/// A task's unit of measure as (base unit, factor): 万平方米 → (平方米, 10⁴), 亿元 → (元, 10⁸).
pub fn measure_base(measure: &str) -> (String, f64) {
    for (prefix, factor) in [
        ("万亿", 1e12),
        ("亿", 1e8),
        ("千万", 1e7),
        ("万", 1e4),
        ("千", 1e3),
    ] {
        if let Some(rest) = measure.strip_prefix(prefix) {
            if !rest.is_empty() {
                return (rest.to_string(), factor);
            }
        }
    }
    (measure.to_string(), 1.0)
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let c: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .collect();
    c.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice coefficient of character bigrams, 0..1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let mut y_left = y.clone();
    let mut common = 0;
    for g in &x {
        if let Some(i) = y_left.iter().position(|h| h == g) {
            y_left.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Counting words that 个, the general classifier, stands in for: 54家社区养老驿站 counts what a
/// task measures in 个.
const CLASSIFIERS: [&str; 10] = ["家", "处", "所", "座", "栋", "片", "条", "项", "套", "间"];

fn same_unit(measure: &str, claimed: &str) -> bool {
    measure == claimed
        || (measure == "个" && CLASSIFIERS.contains(&claimed))
        || (claimed == "个" && CLASSIFIERS.contains(&measure))
}

/// Share of `part`'s bigrams found in `whole`: a short metric (检测, 就业) named inside a task's
/// longer name (集中核酸检测累计人次, 促进城乡劳动者就业).
pub fn containment(part: &str, whole: &str) -> f64 {
    let (x, y) = (bigrams(part), bigrams(whole));
    if x.is_empty() {
        return 0.0;
    }
    x.iter().filter(|g| y.contains(g)).count() as f64 / x.len() as f64
}

/// Least name similarity for a match.
pub const MIN_SIMILARITY: f64 = 0.3;

/// Half a unit of the last digit the claim writes, in the claim's normalised unit: 8.5万 is
/// 85,000 ± 500, 0.3% is 0.3 ± 0.05. `None` when the number is written in words.
fn written_precision(c: &Claim) -> Option<f64> {
    let chars: Vec<char> = c.text.chars().collect();
    let end = chars.iter().rposition(|ch| ch.is_ascii_digit())? + 1;
    let start = chars[..end]
        .iter()
        .rposition(|ch| !(ch.is_ascii_digit() || *ch == '.'))
        .map_or(0, |i| i + 1);
    let token: String = chars[start..end].iter().collect();
    let written: f64 = token.parse().ok()?;
    let decimals = token.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    let scale = if written != 0.0 {
        (c.value / written).abs()
    } else {
        1.0
    };
    Some(0.5 * 10f64.powi(-decimals) * scale)
}

/// Whether the stored value bears the claim out. Reports round (8.5万 for 85,123; 112.5% for
/// 112.46%), so a plain claim agrees within 0.5 % or half a unit of its last written digit,
/// whichever is wider; `tolerance` is that half unit in the fact's measure.
fn agrees_within(claimed: f64, stored: f64, q: Option<Qualifier>, rounding: f64) -> bool {
    let tolerance = (claimed.abs() * 0.005).max(rounding).max(1e-9);
    match q {
        Some(Qualifier::AtLeast) => stored >= claimed - tolerance,
        Some(Qualifier::AtMost) => stored <= claimed + tolerance,
        Some(Qualifier::About) => (stored - claimed).abs() <= claimed.abs() * 0.05 + 1e-9,
        None => (stored - claimed).abs() <= tolerance,
    }
}

/// What a claim can be checked against.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FactKind {
    /// The year's value of a task, or a figure about the unit as a whole (tasks completed, total
    /// score …).
    Value,
    /// A task's target.
    Target,
    /// Percent of the target reached.
    ShareOfTarget,
    /// Change on last year: percent for amounts, percentage points for rates (signed).
    Change,
    /// The unit's place in a ranking.
    Rank { scope: String },
    /// Times running (an honour kept N times: 八连冠).
    Streak,
}

/// A number the data holds about the unit, named so that a claim can be matched to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    /// The task it belongs to; `None` for figures about the unit as a whole.
    pub task_id: Option<String>,
    pub name: String,
    /// Unit of measure as the task book writes it (万平方米, %, 项 …).
    pub measure: String,
    pub value: f64,
    pub kind: FactKind,
}

/// The facts of `unit`'s tasks: year's values, targets, shares of target and, where
/// `previous` gives last year's value, the change on it.
pub fn task_facts(
    fw: &Framework,
    unit: UnitIdx,
    value_of: &dyn Fn(NodeIdx) -> Option<f64>,
    previous_of: &dyn Fn(NodeIdx) -> Option<f64>,
) -> Vec<Fact> {
    let mut out = Vec::new();
    for t in fw.tasks().filter(|&t| fw.is_responsible(t, unit)) {
        let node = &fw.nodes[t];
        let Some(task) = node.task.as_ref() else {
            continue;
        };
        let fact = |value: f64, measure: &str, kind: FactKind| Fact {
            task_id: Some(node.id.clone()),
            name: node.name.clone(),
            measure: measure.to_string(),
            value,
            kind,
        };
        let target = task.targets_for(&fw.units[unit].id).target;
        if let Some(target) = target {
            out.push(fact(target, &task.measure, FactKind::Target));
        }
        let Some(x) = value_of(t) else {
            continue;
        };
        out.push(fact(x, &task.measure, FactKind::Value));
        if let Some(target) = target.filter(|t| *t > 0.0) {
            if task.direction == jixiao_core::Direction::Higher {
                out.push(fact(x / target * 100.0, "%", FactKind::ShareOfTarget));
            }
        }
        if let Some(p) = previous_of(t) {
            if task.measure == "%" {
                out.push(fact(x - p, "个百分点", FactKind::Change));
            } else if p != 0.0 {
                out.push(fact((x - p) / p.abs() * 100.0, "%", FactKind::Change));
            }
        }
    }
    out
}

/// Reconciles `claims` with the year's stored values of `unit` (`value_of(task)`): the task
/// values only. [`reconcile_facts`] checks targets, shares, changes, ranks and totals too.
pub fn reconcile(
    claims: &[Claim],
    fw: &Framework,
    unit: UnitIdx,
    value_of: &dyn Fn(NodeIdx) -> Option<f64>,
) -> Vec<Checked> {
    let facts: Vec<Fact> = task_facts(fw, unit, value_of, &|_| None)
        .into_iter()
        .filter(|f| f.kind == FactKind::Value)
        .collect();
    reconcile_facts(claims, &facts)
}

/// Which facts a claim of this kind can be compared with, and the claim's value signed as the
/// fact is (a 下降 change is negative).
fn comparable(c: &Claim, f: &Fact) -> Option<f64> {
    match (&c.kind, &f.kind) {
        (
            Kind::Amount
            | Kind::FromTo
            | Kind::Ratio
            | Kind::Cell {
                role: crate::tables::Role::Actual,
            },
            FactKind::Value,
        )
        | (Kind::Target, FactKind::Target)
        | (Kind::ShareOfTarget, FactKind::ShareOfTarget) => Some(c.value),
        (Kind::YearOnYear { direction }, FactKind::Change) => Some(match direction {
            crate::Direction::Up => c.value,
            crate::Direction::Down => -c.value,
        }),
        // A task that measures the change itself (交通指数同比降幅, 行政执法量同比增长).
        (Kind::YearOnYear { .. }, FactKind::Value) if f.name.contains("同比") => Some(c.value),
        (Kind::Rank { scope }, FactKind::Rank { scope: s }) if scope == s => Some(c.value),
        // 在全市财源建设评估中,荣获…全年第一: the scope is in the metric.
        (Kind::Rank { scope }, FactKind::Rank { scope: s })
            if scope.is_empty() && c.metric.contains(s.as_str()) =>
        {
            Some(c.value)
        }
        (Kind::Streak, FactKind::Streak) => Some(c.value),
        _ => None,
    }
}

/// Reconciles each claim with the fact it speaks about: same kind, compatible unit, similar
/// name (ranks match by scope), then the closest value.
pub fn reconcile_facts(claims: &[Claim], facts: &[Fact]) -> Vec<Checked> {
    reconcile_facts_with(claims, facts, crate::units::built_in())
}

/// [`reconcile_facts`] converting between the units of `vocab` (an office's own as well).
pub fn reconcile_facts_with(
    claims: &[Claim],
    facts: &[Fact],
    vocab: &crate::units::Vocabulary,
) -> Vec<Checked> {
    claims
        .iter()
        .map(|c| {
            let best = facts
                .iter()
                .filter_map(|f| {
                    let claimed_signed = comparable(c, f)?;
                    let (base, factor) = measure_base(&f.measure);
                    let is_rank = matches!(f.kind, FactKind::Rank { .. } | FactKind::Streak);
                    // Another unit of the same quantity (亩 against 公顷) is converted.
                    let ratio = if is_rank || same_unit(&base, &c.unit) {
                        1.0
                    } else {
                        vocab.convert(1.0, &c.unit, &base)?
                    };
                    let claimed_signed = claimed_signed * ratio;
                    // A rank speaks about what its metric names: 综合得分 is the unit's
                    // overall place, 无障碍设施建设绩效考核 is not.
                    // A place or streak is about one named thing: most of the claim's metric
                    // must be in the fact's name (建设率 is not 财源建设评估).
                    let contained = containment(&c.metric, &f.name);
                    let contained = if is_rank && contained < 0.6 {
                        0.0
                    } else {
                        contained
                    };
                    let sim = similarity(&c.metric, &f.name)
                        .max(similarity(&c.text, &f.name))
                        .max(0.9 * contained)
                        // A place shared by listed items (A、B位居全市第一) is each item's.
                        .max(if is_rank && c.metric.contains('、') {
                            0.9 * containment(&f.name, &c.metric)
                        } else {
                            0.0
                        });
                    let claimed = claimed_signed / factor;
                    let relative_gap = (claimed - f.value).abs() / claimed.abs().max(1e-9);
                    // 个 standing in for another counting word must be borne out by the value.
                    if same_unit(&base, &c.unit) && base != c.unit && relative_gap > 0.5 {
                        return None;
                    }
                    (sim >= MIN_SIMILARITY).then(|| {
                        let closeness = 1.0 / (1.0 + relative_gap);
                        (f, claimed, sim + 0.2 * closeness, ratio)
                    })
                })
                .max_by(|a, b| a.2.total_cmp(&b.2));
            match best {
                Some((f, claimed, _, ratio)) => Checked {
                    claim: c.clone(),
                    task_id: f.task_id.clone(),
                    task_name: Some(f.name.clone()),
                    measure: Some(f.measure.clone()),
                    verdict: if agrees_within(
                        claimed,
                        f.value,
                        c.qualifier,
                        written_precision(c).unwrap_or(0.0) * ratio / measure_base(&f.measure).1,
                    ) {
                        Verdict::Consistent
                    } else {
                        Verdict::Inconsistent {
                            claimed,
                            stored: f.value,
                            difference: f.value - claimed,
                        }
                    },
                },
                None => Checked {
                    claim: c.clone(),
                    task_id: None,
                    task_name: None,
                    measure: None,
                    verdict: Verdict::Unmatched,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_split_into_magnitude_and_base_unit() {
        assert_eq!(measure_base("万平方米"), ("平方米".to_string(), 1e4));
        assert_eq!(measure_base("亿元"), ("元".to_string(), 1e8));
        assert_eq!(measure_base("%"), ("%".to_string(), 1.0));
        assert_eq!(measure_base("万"), ("万".to_string(), 1.0));
    }

    #[test]
    fn similar_names_score_high_and_unrelated_ones_low() {
        assert!(similarity("拆除违法建设", "拆除违法建设") > 0.99);
        assert!(similarity("家庭厨余垃圾分出率", "家庭厨余垃圾分出率") > 0.99);
        assert!(similarity("受理12345市民热线案件", "受理办理12345市民热线案件") > 0.7);
        assert!(similarity("拆除违法建设", "配租公租房") < 0.1);
    }

    fn agrees(claimed: f64, stored: f64, q: Option<Qualifier>) -> bool {
        agrees_within(claimed, stored, q, 0.0)
    }

    #[test]
    fn rounding_as_written_is_not_an_inconsistency() {
        let c = &crate::extract("同比增长0.3%。")[0];
        assert!((written_precision(c).unwrap() - 0.05).abs() < 1e-12);
        let c = &crate::extract("拆除违法建设8.5万平方米。")[0];
        assert!((written_precision(c).unwrap() - 500.0).abs() < 1e-9);
    }

    #[test]
    fn a_claim_in_another_unit_of_the_same_quantity_is_converted() {
        let fact = |value: f64| Fact {
            task_id: Some("B01".into()),
            name: "新增造林绿化面积".into(),
            measure: "公顷".into(),
            value,
            kind: FactKind::Value,
        };
        // 1.5万亩 = 1,000 公顷.
        let claims = crate::extract("新增造林绿化面积1.5万亩。");
        let r = reconcile_facts(&claims, &[fact(1000.0)]);
        assert_eq!(r[0].verdict, Verdict::Consistent, "{r:#?}");
        let r = reconcile_facts(&claims, &[fact(800.0)]);
        assert!(
            matches!(r[0].verdict, Verdict::Inconsistent { .. }),
            "{r:#?}"
        );
        // A unit of another quantity is not matched at all.
        let claims = crate::extract("新增造林绿化面积1.5万吨。");
        assert_eq!(
            reconcile_facts(&claims, &[fact(1000.0)])[0].verdict,
            Verdict::Unmatched
        );
    }

    #[test]
    fn qualifiers_bound_the_comparison() {
        assert!(agrees(15.0, 15.2, Some(Qualifier::AtLeast)));
        assert!(!agrees(15.0, 14.0, Some(Qualifier::AtLeast)));
        assert!(agrees(90.0, 90.0, None) && !agrees(90.0, 88.0, None));
        assert!(agrees(100.0, 104.0, Some(Qualifier::About)));
    }
}
