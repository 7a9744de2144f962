//! Special tasks (专项) and themes: tags across the indicator tree, each scored and ranked apart.
//!
//! A tag on an indicator covers its whole subtree. A unit's score on a tag is the sum of the
//! scores of the tag's *covering nodes* (tagged nodes with no tagged ancestor, so nothing counts
//! twice) that apply to it, out of those nodes' points; the rate (得分率) `attained ÷ available
//! × 100` makes units with different applicable tasks comparable, and ranks them (competition
//! ranking after rounding, as the cycle's ranking).

use crate::model::{Framework, NodeIdx, UnitIdx};
use crate::ranking::competition_ranks;
use crate::scoring::Scorecard;
use serde::Serialize;

/// The nodes a tag covers: tagged nodes with no tagged ancestor, in tree order.
pub fn covering_nodes(fw: &Framework, tag: &str) -> Vec<NodeIdx> {
    let tagged = |n: NodeIdx| fw.nodes[n].tags.iter().any(|t| t == tag);
    (0..fw.nodes.len())
        .filter(|&n| tagged(n) && !fw.lineage(n).skip(1).any(tagged))
        .collect()
}

/// The tasks under a tag (the covering nodes' tasks), in tree order.
pub fn tasks_of(fw: &Framework, tag: &str) -> Vec<NodeIdx> {
    let cover = covering_nodes(fw, tag);
    fw.tasks()
        .filter(|&t| fw.lineage(t).any(|n| cover.contains(&n)))
        .collect()
}

/// One unit's result on a tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagScore {
    pub unit: UnitIdx,
    /// Points scored on the covering nodes that apply to the unit.
    pub attained: f64,
    /// Those nodes' points.
    pub available: f64,
    /// `attained ÷ available × 100`; `None` when no covering node applies.
    pub rate: Option<f64>,
    /// Rank by rate among ranked units with a rate.
    pub rank: Option<u32>,
}

/// Every unit's result on `tag`, indexed like [`Framework::units`].
pub fn score(fw: &Framework, card: &Scorecard, tag: &str) -> Vec<TagScore> {
    let cover = covering_nodes(fw, tag);
    let mut out: Vec<TagScore> = (0..fw.units.len())
        .map(|u| {
            let (mut attained, mut available) = (0.0, 0.0);
            for &n in &cover {
                if let Some(s) = card.units[u].nodes[n].score() {
                    attained += s;
                    available += fw.points_for(n, u);
                }
            }
            TagScore {
                unit: u,
                attained,
                available,
                rate: (available > 0.0).then(|| attained / available * 100.0),
                rank: None,
            }
        })
        .collect();
    let ranked: Vec<(UnitIdx, f64)> = out
        .iter()
        .filter(|s| fw.units[s.unit].ranked)
        .filter_map(|s| s.rate.map(|r| (s.unit, r)))
        .collect();
    let values: Vec<f64> = ranked.iter().map(|(_, r)| *r).collect();
    for ((u, _), rank) in ranked
        .iter()
        .zip(competition_ranks(&values, fw.ranking.decimals))
    {
        out[*u].rank = Some(rank);
    }
    out
}

/// The tag's results in published order: by rank, then units without a rank by rate.
pub fn standings(scores: &[TagScore]) -> Vec<&TagScore> {
    let mut v: Vec<&TagScore> = scores.iter().collect();
    v.sort_by(|a, b| {
        a.rank
            .unwrap_or(u32::MAX)
            .cmp(&b.rank.unwrap_or(u32::MAX))
            .then(
                b.rate
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&a.rate.unwrap_or(f64::NEG_INFINITY)),
            )
    });
    v
}
