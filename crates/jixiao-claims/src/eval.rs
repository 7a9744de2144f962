//! Measuring extraction against a hand-annotated gold file (docs/claims-annotation.md):
//! a gold claim is found when an extracted claim overlaps its characters, and right when the
//! value and the unit are exactly those of the gold claim.

use crate::Claim;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GoldClaim {
    pub text: String,
    pub metric: String,
    pub value: f64,
    pub unit: String,
    pub kind: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Gold {
    /// The annotated document, relative to the folder that holds the repository.
    pub document: String,
    pub guideline: String,
    pub claims: Vec<GoldClaim>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub gold: usize,
    pub extracted: usize,
    /// Gold claims an extracted claim overlaps.
    pub found: usize,
    /// Found with exactly the gold value and unit.
    pub correct: usize,
    /// correct / extracted
    pub precision: f64,
    /// correct / gold
    pub recall: f64,
    /// Among correct claims: the extracted metric contains the gold metric or is contained in it.
    pub metric_agreement: f64,
    /// Among correct claims: the same kind (amount, year_on_year, rank …).
    pub kind_agreement: f64,
    /// Gold claims not found or not right, as "text: why".
    pub misses: Vec<String>,
    /// Extracted claims that match no gold claim.
    pub spurious: Vec<String>,
}

fn kind_name(c: &Claim) -> String {
    match &c.kind {
        crate::Kind::Amount => "amount",
        crate::Kind::YearOnYear { .. } => "year_on_year",
        crate::Kind::FromTo => "from_to",
        crate::Kind::ShareOfTarget => "share_of_target",
        crate::Kind::Target => "target",
        crate::Kind::Ratio => "ratio",
        crate::Kind::Rank { .. } => "rank",
    }
    .to_string()
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

pub fn evaluate(extracted: &[Claim], gold: &[GoldClaim]) -> Evaluation {
    let mut used = vec![false; extracted.len()];
    let (mut found, mut correct, mut metric_ok, mut kind_ok) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for g in gold {
        let candidate = extracted
            .iter()
            .enumerate()
            .find(|(i, c)| !used[*i] && c.start < g.end && g.start < c.end);
        let Some((i, c)) = candidate else {
            misses.push(format!("{} ({}): not found", g.text, g.metric));
            continue;
        };
        used[i] = true;
        found += 1;
        if same_value(c.value, g.value) && c.unit == g.unit {
            correct += 1;
            metric_ok += (c.metric.contains(&g.metric)
                || (!c.metric.is_empty() && g.metric.contains(&c.metric)))
                as usize;
            kind_ok += (kind_name(c) == g.kind) as usize;
        } else {
            misses.push(format!(
                "{} ({}): extracted {} {}",
                g.text, g.metric, c.value, c.unit
            ));
        }
    }
    let spurious = extracted
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(_, c)| format!("{} = {} {}", c.text, c.value, c.unit))
        .collect();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Evaluation {
        gold: gold.len(),
        extracted: extracted.len(),
        found,
        correct,
        precision: ratio(correct, extracted.len()),
        recall: ratio(correct, gold.len()),
        metric_agreement: ratio(metric_ok, correct),
        kind_agreement: ratio(kind_ok, correct),
        misses,
        spurious,
    }
}
