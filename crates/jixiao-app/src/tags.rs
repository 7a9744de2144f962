//! Special tasks (专项) and themes: the cycle's tags with the nodes they cover, and each tag's
//! ranking (得分率 on the tagged nodes, [`jixiao_core::tags`]). Seen by those who see the cycle's
//! ranking.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::scores::{scored, Scored};
use jixiao_core::{Framework, Scorecard};
use jixiao_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

/// A node a tag covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaggedNode {
    pub id: String,
    pub name: String,
    /// Path of names from the root.
    pub path: String,
    pub points: f64,
    /// The points as written in reports (`3`, not `3.0`).
    pub points_text: String,
    /// Number of tasks under it (1 for a task).
    pub tasks: usize,
}

/// A tag of the cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagInfo {
    pub id: String,
    pub name: String,
    /// `special` (专项) or `theme` (主题).
    pub kind: String,
    /// The points of the nodes it covers.
    pub points: f64,
    pub nodes: Vec<TaggedNode>,
}

/// One unit's row of a tag's ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRow {
    pub unit_id: String,
    pub unit_name: String,
    /// Points scored on the tag's nodes that apply to the unit.
    pub attained: f64,
    /// Those nodes' points.
    pub available: f64,
    /// 得分率: attained ÷ available × 100; none when no tagged node applies to the unit.
    pub rate: Option<f64>,
    /// None for units listed separately (单列) and units the tag does not apply to.
    pub rank: Option<u32>,
}

/// A tag's ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRanking {
    pub cycle: String,
    pub tag: TagInfo,
    pub rows: Vec<TagRow>,
}

/// The cycle's tags.
pub fn list(s: &mut Store, actor: &Actor, cycle: Option<&str>) -> Result<Vec<TagInfo>> {
    require(actor, Act::ViewCycle)?;
    let sc = scored(s, actor, cycle)?;
    Ok(sc.fw.tags.iter().map(|t| info(&sc.fw, &t.id)).collect())
}

/// One tag's ranking.
pub fn ranking_of(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    tag: &str,
) -> Result<(Scored, TagRanking)> {
    require(actor, Act::ViewCycle)?;
    let sc = scored(s, actor, cycle)?;
    let r = ranking(&sc.fw, &sc.card, tag)?;
    Ok((sc, r))
}

/// Every tag's ranking, in declaration order (for reports).
pub fn rankings(fw: &Framework, card: &Scorecard) -> Vec<TagRanking> {
    fw.tags
        .iter()
        .filter_map(|t| ranking(fw, card, &t.id).ok())
        .collect()
}

pub fn ranking(fw: &Framework, card: &Scorecard, tag: &str) -> Result<TagRanking> {
    if !fw.tags.iter().any(|t| t.id == tag) {
        return Err(AppError::NotFound(format!("tag `{tag}`")));
    }
    let scores = jixiao_core::tags::score(fw, card, tag);
    let rows = jixiao_core::tags::standings(&scores)
        .into_iter()
        .map(|s| TagRow {
            unit_id: fw.units[s.unit].id.clone(),
            unit_name: fw.units[s.unit].name.clone(),
            attained: s.attained,
            available: s.available,
            rate: s.rate,
            rank: s.rank,
        })
        .collect();
    Ok(TagRanking {
        cycle: fw.cycle.id.clone(),
        tag: info(fw, tag),
        rows,
    })
}

fn info(fw: &Framework, tag: &str) -> TagInfo {
    let t = fw.tags.iter().find(|t| t.id == tag).expect("a known tag");
    let tasks = jixiao_core::tags::tasks_of(fw, tag);
    let nodes: Vec<TaggedNode> = jixiao_core::tags::covering_nodes(fw, tag)
        .into_iter()
        .map(|n| TaggedNode {
            id: fw.nodes[n].id.clone(),
            name: fw.nodes[n].name.clone(),
            path: fw.node_path(n),
            points: fw.nodes[n].points,
            points_text: jixiao_core::explain::num(fw.nodes[n].points),
            tasks: tasks
                .iter()
                .filter(|&&t| fw.lineage(t).any(|x| x == n))
                .count(),
        })
        .collect();
    TagInfo {
        id: t.id.clone(),
        name: t.name.clone(),
        kind: t.kind.as_str().into(),
        points: nodes.iter().map(|n| n.points).sum(),
        nodes,
    }
}
