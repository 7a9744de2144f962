//! Measuring extraction against a hand-annotated gold file (docs/claims-annotation.md):
//! a gold claim is found when an extracted claim overlaps its characters, and right when the
//! value and the unit are exactly those of the gold claim.
//!
//! A gold *set* annotates several published documents of different shapes. Their texts are not
//! in the repository (the set names where each was published): whoever measures supplies them,
//! and [`anchor`] finds every annotated claim in the supplied text again, so a copy that differs
//! from the annotated one outside the claims' words still measures.

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

/// Hand-annotated documents of several shapes (a 政府工作报告, a 项目支出绩效自评表 …), measured
/// one by one and per shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GoldSet {
    pub guideline: String,
    pub documents: Vec<GoldDocument>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GoldDocument {
    /// The text's file name without `.txt`, in the folder the measurer gives.
    pub name: String,
    /// What kind of document it is: 政府工作报告, 绩效自评报告, 部门整体支出绩效自评,
    /// 项目支出绩效自评表, 统计公报 ….
    pub shape: String,
    pub title: String,
    /// Where it was published.
    pub source: String,
    /// What of it was annotated and how the text was taken (an excerpt from its beginning …).
    #[serde(default)]
    pub note: String,
    /// SHA-256 of the annotated text (UTF-8), to tell whether a supplied copy is the same text.
    pub sha256: String,
    pub claims: Vec<GoldClaim>,
}

/// The gold claims with their offsets in `doc`: where the annotated offsets still hold the
/// claim's words they are kept; otherwise each claim is looked for from the end of the one
/// before (claims are annotated in document order). Claims whose words are not in `doc` are
/// returned apart, as "text (metric)".
pub fn anchor(doc: &str, gold: &[GoldClaim]) -> (Vec<GoldClaim>, Vec<String>) {
    let chars: Vec<char> = doc.chars().collect();
    let holds = |start: usize, text: &[char]| {
        start + text.len() <= chars.len() && chars[start..start + text.len()] == *text
    };
    let (mut found, mut lost) = (Vec::new(), Vec::new());
    let mut from = 0;
    for g in gold {
        let text: Vec<char> = g.text.chars().collect();
        let at = if g.end == g.start + text.len() && holds(g.start, &text) {
            Some(g.start)
        } else {
            (from..chars.len()).find(|&i| holds(i, &text))
        };
        match at {
            Some(start) if !text.is_empty() => {
                from = start + text.len();
                found.push(GoldClaim {
                    start,
                    end: start + text.len(),
                    ..g.clone()
                });
            }
            _ => lost.push(format!("{} ({})", g.text, g.metric)),
        }
    }
    (found, lost)
}

/// Counts of several evaluations added up (a shape's documents, or all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub documents: usize,
    pub gold: usize,
    pub extracted: usize,
    pub correct: usize,
}

impl Tally {
    pub fn add(&mut self, e: &Evaluation) {
        self.documents += 1;
        self.gold += e.gold;
        self.extracted += e.extracted;
        self.correct += e.correct;
    }
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.extracted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// [`evaluate`] on a supplied copy of a gold set's document: the gold claims are found in it
/// again ([`anchor`]), and those whose words it lacks count as missed. Answers the evaluation
/// and the claims not found in the copy.
pub fn evaluate_supplied(
    doc: &str,
    extracted: &[Claim],
    gold: &[GoldClaim],
) -> (Evaluation, Vec<String>) {
    let (claims, lost) = anchor(doc, gold);
    let mut e = evaluate(extracted, &claims);
    e.gold += lost.len();
    e.recall = ratio(e.correct, e.gold);
    (e, lost)
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
        crate::Kind::Cell { role } => role_name(*role),
        crate::Kind::ShareOfTarget => "share_of_target",
        crate::Kind::Target => "target",
        crate::Kind::Ratio => "ratio",
        crate::Kind::Rank { .. } => "rank",
    }
    .to_string()
}

/// A table cell's kind as the guideline names it: the column's role.
fn role_name(role: crate::tables::Role) -> &'static str {
    use crate::tables::Role;
    match role {
        Role::Target => "target",
        Role::Actual => "actual",
        Role::Budget => "budget",
        Role::Execution => "execution",
        Role::Rate => "rate",
        Role::Points => "points",
        Role::Score => "score",
        Role::Other => "cell",
    }
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

pub fn evaluate(extracted: &[Claim], gold: &[GoldClaim]) -> Evaluation {
    let mut used = vec![false; extracted.len()];
    let overlaps = |g: &GoldClaim, c: &Claim| c.start < g.end && g.start < c.end;
    let right = |g: &GoldClaim, c: &Claim| same_value(c.value, g.value) && c.unit == g.unit;
    // Claims of a table's row share the row's span, so order alone cannot pair them: first
    // every gold claim takes an overlapping claim with its value and unit, then those left take
    // the first overlapping claim left.
    let mut pair: Vec<Option<usize>> = vec![None; gold.len()];
    for exact in [true, false] {
        for (k, g) in gold.iter().enumerate() {
            if pair[k].is_some() {
                continue;
            }
            let fits = |c: &Claim| overlaps(g, c) && (!exact || right(g, c));
            if let Some(i) = (0..extracted.len()).find(|&i| !used[i] && fits(&extracted[i])) {
                used[i] = true;
                pair[k] = Some(i);
            }
        }
    }
    let (mut found, mut correct, mut metric_ok, mut kind_ok) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for (g, p) in gold.iter().zip(&pair) {
        let Some(c) = p.map(|i| &extracted[i]) else {
            misses.push(format!("{} ({}): not found", g.text, g.metric));
            continue;
        };
        found += 1;
        if right(g, c) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(text: &str, start: usize, value: f64, unit: &str) -> GoldClaim {
        GoldClaim {
            text: text.into(),
            metric: String::new(),
            value,
            unit: unit.into(),
            kind: "amount".into(),
            start,
            end: start + text.chars().count(),
            task: None,
        }
    }

    #[test]
    fn claims_are_found_again_in_a_copy_that_moved_them_and_lost_ones_are_named() {
        let annotated = [
            gold("30个", 2, 30.0, "个"),
            gold("5%", 8, 5.0, "%"),
            gold("9吨", 12, 9.0, "吨"),
        ];
        // The copy has a heading the annotated text had not, and lost the last sentence.
        let copy = "前言。新建30个,增长5%。";
        let (found, lost) = anchor(copy, &annotated);
        let chars: Vec<char> = copy.chars().collect();
        assert_eq!(found.len(), 2);
        for g in &found {
            assert_eq!(chars[g.start..g.end].iter().collect::<String>(), g.text);
        }
        assert_eq!(lost, ["9吨 ()"]);
    }

    #[test]
    fn claims_sharing_a_rows_span_pair_by_value_before_order() {
        let row = |value: f64, unit: &str| crate::Claim {
            text: String::new(),
            metric: String::new(),
            value,
            unit: unit.into(),
            kind: crate::Kind::Amount,
            qualifier: None,
            estimate: false,
            period: None,
            sentence: 0,
            start: 0,
            end: 20,
        };
        // The row's claims come in another order than the gold ones, and one gold claim (50分)
        // was not extracted: it must not take 50 个 from the claim that is right.
        let extracted = [row(50.0, "个"), row(8.0, "分")];
        let annotated = [
            gold("50分", 0, 50.0, "分"),
            gold("≥50个", 5, 50.0, "个"),
            gold("8", 10, 8.0, "分"),
        ];
        let e = evaluate(&extracted, &annotated);
        assert_eq!((e.correct, e.found), (2, 2));
        assert_eq!(e.misses, ["50分 (): not found"]);
    }
}
