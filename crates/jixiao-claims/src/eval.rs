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
    /// The task whose year value the claim states, in the task book of [`Gold::tasks`]; `None`
    /// when no task measures it.
    #[serde(default)]
    pub task: Option<String>,
}

/// Where the task annotations point: a task book, a values file and the unit.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TaskSource {
    pub taskbook: String,
    pub values: String,
    pub unit: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Gold {
    /// The annotated document, relative to the folder that holds the repository.
    pub document: String,
    pub guideline: String,
    #[serde(default)]
    pub tasks: Option<TaskSource>,
    pub claims: Vec<GoldClaim>,
}

/// How well claims are matched to the task they speak about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matching {
    /// Gold claims annotated with a task.
    pub annotated: usize,
    /// Found claims the matcher gave a task.
    pub assigned: usize,
    /// Assigned to the annotated task.
    pub correct: usize,
    /// correct / assigned
    pub precision: f64,
    /// correct / annotated
    pub recall: f64,
    /// "text: expected → matched" for every disagreement.
    pub mistakes: Vec<String>,
}

/// Compares the matcher's tasks (`checked`, in document order) with the gold annotations.
pub fn evaluate_matching(checked: &[crate::reconcile::Checked], gold: &[GoldClaim]) -> Matching {
    let mut used = vec![false; checked.len()];
    let (mut annotated, mut assigned, mut correct) = (0, 0, 0);
    let mut mistakes = Vec::new();
    for g in gold {
        annotated += g.task.is_some() as usize;
        let found = checked
            .iter()
            .enumerate()
            .find(|(i, c)| !used[*i] && c.claim.start < g.end && g.start < c.claim.end);
        let matched = found.and_then(|(i, c)| {
            used[i] = true;
            c.task_id.clone()
        });
        assigned += matched.is_some() as usize;
        if matched.is_some() && matched == g.task {
            correct += 1;
        } else if matched.is_some() || g.task.is_some() {
            mistakes.push(format!(
                "{} ({}): expected {} → matched {}",
                g.text,
                g.metric,
                g.task.as_deref().unwrap_or("none"),
                matched.as_deref().unwrap_or("none")
            ));
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Matching {
        annotated,
        assigned,
        correct,
        precision: ratio(correct, assigned),
        recall: ratio(correct, annotated),
        mistakes,
    }
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
        crate::Kind::FromStart => "from_start",
        crate::Kind::Streak => "streak",
        crate::Kind::Cell { .. } => "cell",
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
