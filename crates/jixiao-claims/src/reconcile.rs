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

/// Least name similarity for a match.
pub const MIN_SIMILARITY: f64 = 0.3;

fn agrees(claimed: f64, stored: f64, q: Option<Qualifier>) -> bool {
    let tolerance = (claimed.abs() * 0.005).max(1e-9);
    match q {
        Some(Qualifier::AtLeast) => stored >= claimed - tolerance,
        Some(Qualifier::AtMost) => stored <= claimed + tolerance,
        Some(Qualifier::About) => (stored - claimed).abs() <= claimed.abs() * 0.05 + 1e-9,
        None => (stored - claimed).abs() <= tolerance,
    }
}

/// Reconciles `claims` with the year's stored values of `unit` (`value_of(task)`).
pub fn reconcile(
    claims: &[Claim],
    fw: &Framework,
    unit: UnitIdx,
    value_of: &dyn Fn(NodeIdx) -> Option<f64>,
) -> Vec<Checked> {
    let tasks: Vec<(NodeIdx, f64)> = fw
        .tasks()
        .filter(|&t| fw.is_responsible(t, unit))
        .filter_map(|t| value_of(t).map(|v| (t, v)))
        .collect();
    claims
        .iter()
        .map(|c| {
            let best = tasks
                .iter()
                .filter_map(|&(t, stored)| {
                    let task = fw.nodes[t].task.as_ref()?;
                    let (base, factor) = measure_base(&task.measure);
                    let unit_ok = base == c.unit && !matches!(c.kind, Kind::Rank { .. });
                    let sim = similarity(&c.metric, &fw.nodes[t].name)
                        .max(similarity(&c.text, &fw.nodes[t].name));
                    (unit_ok && sim >= MIN_SIMILARITY).then(|| {
                        let claimed = c.value / factor;
                        let closeness =
                            1.0 / (1.0 + ((claimed - stored).abs() / claimed.abs().max(1e-9)));
                        (t, stored, claimed, sim + 0.2 * closeness)
                    })
                })
                .max_by(|a, b| a.3.total_cmp(&b.3));
            match best {
                Some((t, stored, claimed, _)) => Checked {
                    claim: c.clone(),
                    task_id: Some(fw.nodes[t].id.clone()),
                    task_name: Some(fw.nodes[t].name.clone()),
                    measure: fw.nodes[t].task.as_ref().map(|x| x.measure.clone()),
                    verdict: if agrees(claimed, stored, c.qualifier) {
                        Verdict::Consistent
                    } else {
                        Verdict::Inconsistent {
                            claimed,
                            stored,
                            difference: stored - claimed,
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

    #[test]
    fn qualifiers_bound_the_comparison() {
        assert!(agrees(15.0, 15.2, Some(Qualifier::AtLeast)));
        assert!(!agrees(15.0, 14.0, Some(Qualifier::AtLeast)));
        assert!(agrees(90.0, 90.0, None) && !agrees(90.0, 88.0, None));
        assert!(agrees(100.0, 104.0, Some(Qualifier::About)));
    }
}
