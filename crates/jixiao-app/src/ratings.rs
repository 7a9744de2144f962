//! Rating rounds: 领导评价 (leaders score each unit), 线上评绩效 (invited raters rate the published
//! results) and 开门考评 (raters score units live during a 述职 session, on their phones).
//!
//! The office opens a round with its rater groups, weights and members (accounts with the rater
//! role); each rater sees only its own rounds and ballot; the office sees completion and the
//! aggregates as they come in, never one rater's scores; closing a round with a task writes each
//! unit's aggregate to the task, approved, with the round as its basis in the explanation.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_core::basis::{
    aggregate, round2, Basis, GroupScore, RatingScore, RoundDefinition, RoundKind,
};
use jixiao_core::records::{ValueKey, ValueRow};
use jixiao_core::workflow::ValueState;
use jixiao_core::{Framework, Method, Observation, Role};
use jixiao_store::sources::{SourceValues, StoredRound};
use jixiao_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

/// A round for the office: its definition, completion and the aggregates so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundView {
    pub cycle: String,
    pub id: String,
    pub name: String,
    /// leader, online or session.
    pub kind: String,
    pub task: Option<String>,
    pub task_name: Option<String>,
    pub scale: f64,
    /// open or closed.
    pub status: String,
    /// The last day raters may cast or change a ballot (YYYY-MM-DD), if the round has one.
    pub closes: Option<String>,
    pub raters: usize,
    /// Raters who scored every unit of the round.
    pub raters_done: usize,
    pub groups: Vec<GroupView>,
    /// Each rated unit's aggregate so far (units without a ballot have none).
    pub units: Vec<RoundUnitRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub raters: usize,
    pub raters_done: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitRow {
    pub unit_id: String,
    pub unit_name: String,
    pub ballots: u32,
    /// The weighted aggregate on 0–100 (two decimals); none while the round is open and the unit
    /// has fewer ballots than the round discloses from.
    pub score: Option<f64>,
    /// Each group's mean, where it has enough ballots to be shown (`disclose_from`).
    pub group_means: Vec<Option<f64>>,
}

/// A round as one rater sees it: the units to score, with its own scores so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct BallotView {
    pub round: String,
    pub name: String,
    pub kind: String,
    pub scale: f64,
    pub status: String,
    /// The last day ballots may be cast or changed (YYYY-MM-DD), if the round has one.
    pub closes: Option<String>,
    /// Whether the rater may cast or change the ballot today: the round is open and its last
    /// day not past.
    pub takes_ballots: bool,
    pub group: String,
    pub units: Vec<BallotUnit>,
    /// The cycle's published results are linked (线上评绩效 rates them).
    pub published: bool,
    pub cycle: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BallotUnit {
    pub unit_id: String,
    pub unit_name: String,
    /// The published total and rank, for rounds that rate published results.
    pub published_total: Option<f64>,
    pub published_rank: Option<u32>,
    /// The rater's own score so far.
    pub score: Option<f64>,
}

fn definition(r: &StoredRound) -> Result<RoundDefinition> {
    serde_json::from_str(&r.definition)
        .map_err(|e| AppError::Internal(format!("rating round {}: {e}", r.id)))
}

fn round(s: &mut Store, cycle: &str, id: &str) -> Result<(StoredRound, RoundDefinition)> {
    let r = s
        .rating_rounds(cycle)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound(format!("rating round `{id}`")))?;
    let d = definition(&r)?;
    Ok((r, d))
}

/// The units a round rates: those named, else the task's units, else every unit.
fn rated_units(fw: &Framework, d: &RoundDefinition) -> Vec<usize> {
    if !d.units.is_empty() {
        return d.units.iter().filter_map(|u| fw.unit_index(u)).collect();
    }
    let task = d.task.as_deref().and_then(|t| fw.node_index(t));
    (0..fw.units.len())
        .filter(|&u| task.is_none_or(|t| fw.is_responsible(t, u)))
        .collect()
}

/// Every problem of a definition, each naming the field.
fn problems(s: &mut Store, fw: &Framework, d: &RoundDefinition) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let id_ok = !d.id.is_empty()
        && d.id.len() <= 64
        && d.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        out.push(format!(
            "id: `{}` must be 1–64 letters, digits, - or _",
            d.id
        ));
    }
    crate::text::line("name", &d.name, crate::text::NAME)?;
    if d.name.trim().is_empty() {
        out.push("name: a round needs a name".into());
    }
    if !(d.scale > 0.0 && d.scale.is_finite()) {
        out.push(format!("scale: {} must be above 0", d.scale));
    }
    if d.disclose_from == 0 {
        out.push("disclose_from: must be 1 or more".into());
    }
    if let Some(t) = &d.task {
        match fw.node_index(t).map(|n| &fw.nodes[n]) {
            None => out.push(format!(
                "task: `{t}` is not a node of cycle {}",
                fw.cycle.id
            )),
            Some(n) => match &n.task {
                None => out.push(format!("task: `{t}` is an indicator, not a task")),
                Some(x)
                    if x.formula.is_some()
                        || matches!(x.method, Method::Figure | Method::Qualitative { .. }) =>
                {
                    out.push(format!(
                        "task: `{t}` is not scored from a number a round can give"
                    ))
                }
                Some(_) => {}
            },
        }
    }
    for u in &d.units {
        if fw.unit_index(u).is_none() {
            out.push(format!(
                "units: `{u}` is not a unit of cycle {}",
                fw.cycle.id
            ));
        }
    }
    if d.groups.is_empty() {
        out.push("groups: a round needs at least one group of raters".into());
    }
    let mut seen_groups = std::collections::HashSet::new();
    let mut seen_raters = std::collections::HashSet::new();
    for g in &d.groups {
        if !seen_groups.insert(g.id.as_str()) {
            out.push(format!("groups: `{}` is declared twice", g.id));
        }
        if !(g.weight > 0.0 && g.weight.is_finite()) {
            out.push(format!(
                "groups.{}: weight {} must be above 0",
                g.id, g.weight
            ));
        }
        if g.raters.is_empty() {
            out.push(format!("groups.{}: the group has no raters", g.id));
        }
        for r in &g.raters {
            if !seen_raters.insert(r.as_str()) {
                out.push(format!("groups.{}: rater `{r}` is in two groups", g.id));
            }
            match s.user(r)? {
                Some(u) if u.role == Role::Rater && u.active => {}
                Some(_) => out.push(format!(
                    "groups.{}: account `{r}` is not an active rater (评议人) account",
                    g.id
                )),
                None => out.push(format!("groups.{}: there is no account `{r}`", g.id)),
            }
        }
    }
    Ok(out)
}

/// Opens a round (the office), after checking its definition whole.
pub fn open(s: &mut Store, actor: &Actor, cycle: Option<&str>, d: &RoundDefinition) -> Result<()> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let problems = problems(s, &fw, d)?;
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("\n")));
    }
    let json = serde_json::to_string(d)
        .map_err(|e| AppError::Internal(format!("round definition: {e}")))?;
    Ok(s.open_round(&fw.cycle.id, &d.id, &json, &actor.id)?)
}

/// Opens a round from its file (TOML, see docs/framework-format.md), read with located errors.
pub fn open_file(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    file: (&str, &[u8]),
) -> Result<RoundDefinition> {
    require(actor, Act::Administer)?;
    let text = std::str::from_utf8(file.1)
        .map_err(|_| AppError::Invalid(format!("{}: a round file must be UTF-8 text", file.0)))?;
    let d = jixiao_taskbook::round::parse_round(text, file.0).map_err(AppError::diagnosed)?;
    open(s, actor, cycle, &d)?;
    Ok(d)
}

/// A ballot form's fields `score.UNIT` as scores; blank fields are left out, and a field that
/// is not a number (full-width digits and `,` are read) is refused naming the unit.
pub fn form_scores<'a>(
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(String, f64)>> {
    let mut scores = Vec::new();
    let mut unreadable = Vec::new();
    for (k, v) in fields {
        let Some(unit) = k.strip_prefix("score.") else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        match jixiao_taskbook::sheet::parse_number(v) {
            Some(x) => scores.push((unit.to_string(), x)),
            None => unreadable.push(format!("{unit}: `{v}` is not a number")),
        }
    }
    if !unreadable.is_empty() {
        return Err(AppError::Invalid(unreadable.join("\n")));
    }
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(scores)
}

/// One score of a round: (rater, unit, score). Only aggregation reads it.
type RaterScore = (String, String, f64);

/// Each unit's aggregate over the round's ballots so far.
fn aggregates(
    s: &mut Store,
    fw: &Framework,
    d: &RoundDefinition,
) -> Result<(Vec<RaterScore>, Vec<RatingScore>)> {
    let scores = s.round_scores(&fw.cycle.id, &d.id)?;
    let ballots: Vec<GroupScore<'_>> = scores
        .iter()
        .filter_map(|(rater, unit, score)| {
            Some(GroupScore {
                group: d.group_of(rater)?.id.as_str(),
                unit,
                score: *score,
            })
        })
        .collect();
    let out = aggregate(
        &d.name,
        &d.rater_groups(),
        d.scale,
        &ballots,
        d.disclose_from,
    );
    drop(ballots);
    Ok((scores, out))
}

fn view(s: &mut Store, fw: &Framework, r: &StoredRound, d: &RoundDefinition) -> Result<RoundView> {
    let (scores, aggregates) = aggregates(s, fw, d)?;
    let units = rated_units(fw, d);
    let done = |rater: &str| {
        units.iter().all(|&u| {
            scores
                .iter()
                .any(|(r, unit, _)| r == rater && *unit == fw.units[u].id)
        })
    };
    let groups: Vec<GroupView> = d
        .groups
        .iter()
        .map(|g| GroupView {
            id: g.id.clone(),
            name: g.name.clone(),
            weight: g.weight,
            raters: g.raters.len(),
            raters_done: g.raters.iter().filter(|r| done(r)).count(),
        })
        .collect();
    let task = d.task.as_deref().and_then(|t| fw.node_index(t));
    Ok(RoundView {
        cycle: fw.cycle.id.clone(),
        id: d.id.clone(),
        name: d.name.clone(),
        kind: d.kind.as_str().into(),
        task: d.task.clone(),
        task_name: task.map(|t| fw.nodes[t].name.clone()),
        scale: d.scale,
        status: r.status.clone(),
        closes: d.closes.map(|c| c.to_string()),
        raters: groups.iter().map(|g| g.raters).sum(),
        raters_done: groups.iter().map(|g| g.raters_done).sum(),
        units: units
            .iter()
            .map(|&u| {
                let a = aggregates.iter().find(|a| a.unit == fw.units[u].id);
                RoundUnitRow {
                    unit_id: fw.units[u].id.clone(),
                    unit_name: fw.units[u].name.clone(),
                    ballots: a.map(|a| a.ballots).unwrap_or(0),
                    // Below the disclosure count the aggregate would be a few raters' scores.
                    score: a
                        .filter(|a| a.ballots >= d.disclose_from || r.status != "open")
                        .map(|a| round2(a.score)),
                    group_means: d
                        .groups
                        .iter()
                        .map(|g| {
                            a.and_then(|a| a.groups.iter().find(|x| x.name == g.name))
                                .and_then(|x| x.mean)
                                .map(round2)
                        })
                        .collect(),
                }
            })
            .collect(),
        groups,
    })
}

/// The cycle's rounds with completion and aggregates (the office).
pub fn list(s: &mut Store, actor: &Actor, cycle: Option<&str>) -> Result<Vec<RoundView>> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let mut out = Vec::new();
    for r in s.rating_rounds(&fw.cycle.id)? {
        let d = definition(&r)?;
        out.push(view(s, &fw, &r, &d)?);
    }
    Ok(out)
}

/// One round with completion and aggregates (the office).
pub fn progress(s: &mut Store, actor: &Actor, cycle: Option<&str>, id: &str) -> Result<RoundView> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let (r, d) = round(s, &fw.cycle.id, id)?;
    view(s, &fw, &r, &d)
}

/// Closes a round (the office); a round with a task writes each rated unit's aggregate to it,
/// approved, in the cycle's last period. Units without a ballot get no value.
pub fn close(s: &mut Store, actor: &Actor, cycle: Option<&str>, id: &str) -> Result<usize> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let (_, d) = round(s, &fw.cycle.id, id)?;
    let (_, aggregates) = aggregates(s, &fw, &d)?;
    let period = fw
        .cycle
        .periods
        .last()
        .ok_or_else(|| AppError::Invalid("the cycle has no periods".into()))?
        .id
        .clone();
    let rated = rated_units(&fw, &d);
    let (rows, bases): (Vec<ValueRow>, Vec<(String, String, Basis)>) = match &d.task {
        None => (Vec::new(), Vec::new()),
        Some(task) => aggregates
            .into_iter()
            .filter(|a| fw.unit_index(&a.unit).is_some_and(|u| rated.contains(&u)))
            .map(|a| {
                let row = ValueRow {
                    key: ValueKey {
                        task: task.clone(),
                        unit: a.unit.clone(),
                        period: period.clone(),
                    },
                    observation: Observation::Number(round2(a.score)),
                    note: String::new(),
                    source: format!(
                        "{}:{} 份评分按组加权(jixiao rating {})",
                        d.name, a.ballots, d.id
                    ),
                    evidence: String::new(),
                    state: ValueState::Approved,
                };
                ((row), (task.clone(), a.unit.clone(), Basis::Rating(a)))
            })
            .unzip(),
    };
    s.close_round(
        &fw.cycle.id,
        id,
        SourceValues {
            rows: &rows,
            bases: &bases,
        },
        &actor.id,
    )?;
    Ok(rows.len())
}

/// The rounds the rater is a member of, newest last, each with its units and the rater's own
/// scores.
pub fn my_rounds(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<Vec<BallotView>> {
    require(actor, Act::Rate)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let mut out = Vec::new();
    for r in s.rating_rounds(&fw.cycle.id)? {
        let d = definition(&r)?;
        if d.group_of(&actor.id).is_some() {
            out.push(ballot_view(s, settings, &fw, (&r, &d), actor)?);
        }
    }
    Ok(out)
}

/// One round as the rater sees it (404 for a round it is not a rater of).
pub fn my_round(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
) -> Result<BallotView> {
    require(actor, Act::Rate)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let (r, d) = round(s, &fw.cycle.id, id)?;
    if d.group_of(&actor.id).is_none() {
        return Err(AppError::NotFound(format!("rating round `{id}`")));
    }
    ballot_view(s, settings, &fw, (&r, &d), actor)
}

fn ballot_view(
    s: &mut Store,
    settings: &Settings,
    fw: &Framework,
    (r, d): (&StoredRound, &RoundDefinition),
    actor: &Actor,
) -> Result<BallotView> {
    let mine = s.ballot_of(&fw.cycle.id, &d.id, &actor.id)?;
    // 线上评绩效 rates the published results: the newest published figures, never live ones.
    let published = if d.kind == RoundKind::Online {
        crate::reports::published(s, &Actor::public(), &fw.cycle.id).ok()
    } else {
        None
    };
    Ok(BallotView {
        round: d.id.clone(),
        name: d.name.clone(),
        kind: d.kind.as_str().into(),
        scale: d.scale,
        status: r.status.clone(),
        closes: d.closes.map(|c| c.to_string()),
        takes_ballots: d.takes_ballots(&r.status, settings.today()),
        group: d
            .group_of(&actor.id)
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        units: rated_units(fw, d)
            .into_iter()
            .map(|u| {
                let id = &fw.units[u].id;
                let public = published.as_ref().and_then(|p| {
                    let i = p.fw.unit_index(id)?;
                    Some((p.card.units[i].total, p.card.units[i].rank))
                });
                BallotUnit {
                    unit_id: id.clone(),
                    unit_name: fw.units[u].name.clone(),
                    published_total: public.map(|(t, _)| round2(t)),
                    published_rank: public.and_then(|(_, r)| r),
                    score: mine.iter().find(|(x, _)| x == id).map(|(_, s)| *s),
                }
            })
            .collect(),
        published: published.is_some(),
        cycle: fw.cycle.id.clone(),
    })
}

/// A rater's scores (replacing its earlier scores of the same units) while the round is open.
/// Every score is checked first: a unit of the round, a number from 0 to the scale.
pub fn cast(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    id: &str,
    scores: &[(String, f64)],
) -> Result<usize> {
    require(actor, Act::Rate)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let (r, d) = round(s, &fw.cycle.id, id)?;
    if d.group_of(&actor.id).is_none() {
        return Err(AppError::NotFound(format!("rating round `{id}`")));
    }
    if r.status != "open" {
        return Err(AppError::Conflict(format!(
            "rating round `{id}` is closed; ballots can no longer change"
        )));
    }
    if !d.takes_ballots(&r.status, settings.today()) {
        return Err(AppError::Conflict(format!(
            "rating round `{id}` took ballots until {}; ballots can no longer change (评分已截止)",
            d.closes.map(|c| c.to_string()).unwrap_or_default()
        )));
    }
    let units = rated_units(&fw, &d);
    let mut problems = Vec::new();
    for (unit, score) in scores {
        if !fw.unit_index(unit).is_some_and(|u| units.contains(&u)) {
            problems.push(format!("{unit}: not a unit of this round"));
        } else if !(0.0..=d.scale).contains(score) {
            problems.push(format!(
                "{unit}: {score} is outside 0–{}",
                jixiao_core::numbers::num(d.scale)
            ));
        }
    }
    if scores.is_empty() {
        problems.push("the ballot has no scores".into());
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("\n")));
    }
    s.cast_ballot(&fw.cycle.id, id, &actor.id, scores)?;
    Ok(scores.len())
}
