//! Read models and actions shared by the API and the pages: what a ranking, a unit's scores,
//! progress or a value looks like to a client, and the entry and review actions.

use crate::error::AppError;
use crate::policy::{allows, Act, Principal, Role};
use crate::state::AppState;
use chrono::NaiveDate;
use jixiao_core::explain::{explain, Lang};
use jixiao_core::inputs::{Inputs, Observation};
use jixiao_core::status::{status, Status};
use jixiao_core::workflow::{Action, ValueState};
use jixiao_core::{Framework, Scorecard};
use jixiao_store::{StoredValue, ValueKey};
use serde::Serialize;
use utoipa::ToSchema;

pub async fn framework(state: &AppState, cycle: &str) -> Result<Framework, AppError> {
    let c = cycle.to_string();
    state.db(move |s| Ok(s.load_cycle(&c)?)).await
}

pub async fn scored(
    state: &AppState,
    cycle: &str,
) -> Result<(Framework, Scorecard, Inputs), AppError> {
    let c = cycle.to_string();
    state
        .db(move |s| {
            let fw = s.load_cycle(&c)?;
            let inputs = s.inputs(&fw)?;
            let card = jixiao_core::score(&fw, &inputs);
            Ok((fw, card, inputs))
        })
        .await
}

pub async fn cycle_values(
    state: &AppState,
    cycle: &str,
) -> Result<(Framework, Vec<StoredValue>), AppError> {
    let c = cycle.to_string();
    state
        .db(move |s| Ok((s.load_cycle(&c)?, s.values(&c)?)))
        .await
}

#[derive(Serialize, ToSchema)]
pub struct RankRow {
    pub unit_id: String,
    pub unit_name: String,
    pub total: f64,
    pub base: f64,
    pub bonus: f64,
    pub deduction: f64,
    pub grade: Option<String>,
    /// None for units listed separately (单列).
    pub rank: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct Ranking {
    pub cycle: String,
    pub group: Option<String>,
    pub rows: Vec<RankRow>,
    /// Units per grade, in band order.
    pub grades: Vec<(String, usize)>,
}

pub fn ranking(fw: &Framework, card: &Scorecard, group: Option<&str>) -> Result<Ranking, AppError> {
    let g = match group {
        Some(g) => Some(
            fw.group_index(g)
                .ok_or_else(|| AppError::NotFound(format!("group `{g}`")))?,
        ),
        None => None,
    };
    let members = fw.members(g.map(|g| fw.groups[g].id.as_str()));
    let rank_of = |u: usize| match g {
        Some(g) => card.units[u]
            .group_ranks
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, r)| *r),
        None => card.units[u].rank,
    };
    let mut rows: Vec<RankRow> = members
        .iter()
        .map(|&u| {
            let s = &card.units[u];
            RankRow {
                unit_id: fw.units[u].id.clone(),
                unit_name: fw.units[u].name.clone(),
                total: s.total,
                base: s.base,
                bonus: s.bonus,
                deduction: s.deduction,
                grade: s.grade.clone(),
                rank: rank_of(u),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.rank
            .unwrap_or(u32::MAX)
            .cmp(&b.rank.unwrap_or(u32::MAX))
            .then(b.total.total_cmp(&a.total))
    });
    let grades = fw
        .grades
        .iter()
        .map(|band| {
            (
                band.name.clone(),
                rows.iter()
                    .filter(|r| r.grade.as_deref() == Some(band.name.as_str()))
                    .count(),
            )
        })
        .collect();
    Ok(Ranking {
        cycle: fw.cycle.id.clone(),
        group: g.map(|g| fw.groups[g].id.clone()),
        rows,
        grades,
    })
}

#[derive(Serialize, ToSchema)]
pub struct NodeRow {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub depth: usize,
    pub points: f64,
    /// None when the node does not apply to the unit.
    pub score: Option<f64>,
    pub is_task: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UnitScores {
    pub unit_id: String,
    pub unit_name: String,
    pub total: f64,
    pub base: f64,
    pub bonus: f64,
    pub deduction: f64,
    pub grade: Option<String>,
    pub rank: Option<u32>,
    /// (group name, rank in group).
    pub group_ranks: Vec<(String, u32)>,
    pub nodes: Vec<NodeRow>,
}

pub fn unit_index(fw: &Framework, unit: &str) -> Result<usize, AppError> {
    fw.units
        .iter()
        .position(|u| u.id == unit)
        .ok_or_else(|| AppError::NotFound(format!("unit `{unit}`")))
}

pub fn depth(fw: &Framework, mut n: usize) -> usize {
    let mut d = 0;
    while let Some(p) = fw.nodes[n].parent {
        d += 1;
        n = p;
    }
    d
}

pub fn unit_scores(fw: &Framework, card: &Scorecard, unit: &str) -> Result<UnitScores, AppError> {
    let u = unit_index(fw, unit)?;
    let s = &card.units[u];
    Ok(UnitScores {
        unit_id: fw.units[u].id.clone(),
        unit_name: fw.units[u].name.clone(),
        total: s.total,
        base: s.base,
        bonus: s.bonus,
        deduction: s.deduction,
        grade: s.grade.clone(),
        rank: s.rank,
        group_ranks: s
            .group_ranks
            .iter()
            .map(|(g, r)| (fw.groups[*g].name.clone(), *r))
            .collect(),
        nodes: fw
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeRow {
                id: n.id.clone(),
                name: n.name.clone(),
                parent: n.parent.map(|p| fw.nodes[p].id.clone()),
                depth: depth(fw, i),
                points: n.points,
                score: s.nodes[i].score(),
                is_task: n.task.is_some(),
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct InputOut {
    pub symbol: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExplanationOut {
    pub unit_id: String,
    pub unit_name: String,
    pub node_id: String,
    pub path: String,
    pub points: f64,
    pub method: String,
    pub method_zh: String,
    pub inputs: Vec<InputOut>,
    pub formula: String,
    pub substituted: String,
    pub result: Option<f64>,
    pub notes: Vec<String>,
    /// The whole explanation as text in the requested language.
    pub text: String,
}

pub fn explanation(
    fw: &Framework,
    card: &Scorecard,
    unit: &str,
    node: &str,
    lang: Lang,
) -> Result<ExplanationOut, AppError> {
    let u = unit_index(fw, unit)?;
    let n = fw
        .nodes
        .iter()
        .position(|n| n.id == node)
        .ok_or_else(|| AppError::NotFound(format!("node `{node}`")))?;
    let e = explain(fw, card, u, n, lang);
    Ok(ExplanationOut {
        text: e.to_text(lang),
        unit_id: e.unit_id,
        unit_name: e.unit_name,
        node_id: e.node_id,
        path: e.path,
        points: e.points,
        method: e.method,
        method_zh: e.method_zh,
        inputs: e
            .inputs
            .into_iter()
            .map(|(symbol, value)| InputOut { symbol, value })
            .collect(),
        formula: e.formula,
        substituted: e.substituted,
        result: e.result,
        notes: e.notes,
    })
}

#[derive(Serialize, ToSchema, Clone)]
pub struct ValueOut {
    pub task_id: String,
    pub task_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub period_id: String,
    pub period_name: String,
    pub value: String,
    pub measure: String,
    pub target: Option<f64>,
    pub note: String,
    pub source: String,
    pub evidence: String,
    /// draft, submitted, returned or approved.
    pub state: String,
    /// on_track, at_risk, behind or unknown.
    pub status: String,
    pub updated_by: String,
    pub updated_at: String,
}

pub fn value_out(fw: &Framework, v: &StoredValue) -> Option<ValueOut> {
    let t = fw.nodes.iter().position(|n| n.id == v.row.key.task)?;
    let u = fw.units.iter().position(|x| x.id == v.row.key.unit)?;
    let p = fw
        .cycle
        .periods
        .iter()
        .position(|x| x.id == v.row.key.period)?;
    let task = fw.nodes[t].task.as_ref()?;
    let st = status(fw, t, u, p, v.row.observation.as_number());
    Some(ValueOut {
        task_id: fw.nodes[t].id.clone(),
        task_name: fw.nodes[t].name.clone(),
        unit_id: fw.units[u].id.clone(),
        unit_name: fw.units[u].name.clone(),
        period_id: fw.cycle.periods[p].id.clone(),
        period_name: fw.cycle.periods[p].name.clone(),
        value: v.row.observation.to_string(),
        measure: task.measure.clone(),
        target: task.targets_for(&fw.units[u].id).target,
        note: v.row.note.clone(),
        source: v.row.source.clone(),
        evidence: v.row.evidence.clone(),
        state: v.row.state.as_str().into(),
        status: serde_json::to_value(st)
            .ok()
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default(),
        updated_by: v.updated_by.clone(),
        updated_at: v.updated_at.clone(),
    })
}

pub fn unit_values(fw: &Framework, values: &[StoredValue], unit: &str) -> Vec<ValueOut> {
    values
        .iter()
        .filter(|v| v.row.key.unit == unit)
        .filter_map(|v| value_out(fw, v))
        .collect()
}

pub fn queue(fw: &Framework, values: &[StoredValue], p: &Principal) -> Vec<ValueOut> {
    values
        .iter()
        .filter(|v| v.row.state == ValueState::Submitted)
        .filter(|v| {
            fw.nodes
                .iter()
                .position(|n| n.id == v.row.key.task)
                .is_some_and(|t| allows(p, Act::Review(fw, t)))
        })
        .filter_map(|v| value_out(fw, v))
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct Progress {
    /// Values expected by now: every (task, responsible unit, period whose deadline has passed).
    pub expected: usize,
    pub reported: usize,
    pub approved: usize,
    pub overdue: usize,
    pub share_reported: f64,
    pub share_approved: f64,
    pub share_overdue: f64,
    /// Latest approved values that are behind or at risk.
    pub off_track: Vec<ValueOut>,
    /// Expected values not reported after their deadline: (unit, task, period).
    pub overdue_items: Vec<(String, String, String)>,
    /// Every period's reporting, deadline passed or not: the trend over the year.
    pub periods: Vec<PeriodProgress>,
}

#[derive(Serialize, ToSchema)]
pub struct PeriodProgress {
    pub period: String,
    pub expected: usize,
    pub reported: usize,
    pub approved: usize,
}

pub fn progress(fw: &Framework, values: &[StoredValue], today: NaiveDate) -> Progress {
    use std::collections::HashMap;
    let by_key: HashMap<(&str, &str, &str), &StoredValue> = values
        .iter()
        .map(|v| {
            (
                (
                    v.row.key.task.as_str(),
                    v.row.key.unit.as_str(),
                    v.row.key.period.as_str(),
                ),
                v,
            )
        })
        .collect();
    let (mut expected, mut reported, mut approved, mut overdue) = (0, 0, 0, 0);
    let mut periods: Vec<PeriodProgress> = fw
        .cycle
        .periods
        .iter()
        .map(|p| PeriodProgress {
            period: p.name.clone(),
            expected: 0,
            reported: 0,
            approved: 0,
        })
        .collect();
    let mut overdue_items = Vec::new();
    for t in fw.tasks() {
        let task = fw.nodes[t].task.as_ref().expect("task");
        let yearly = task.method.is_relative()
            || matches!(
                task.method,
                jixiao_core::Method::Scaled { .. } | jixiao_core::Method::Qualitative { .. }
            );
        for u in 0..fw.units.len() {
            if !fw.is_responsible(t, u) {
                continue;
            }
            for (pi, p) in fw.cycle.periods.iter().enumerate() {
                if yearly && pi + 1 != fw.cycle.periods.len() {
                    continue;
                }
                let key = (
                    fw.nodes[t].id.as_str(),
                    fw.units[u].id.as_str(),
                    p.id.as_str(),
                );
                let found = by_key
                    .get(&key)
                    .filter(|v| v.row.state != ValueState::Draft);
                let per = &mut periods[pi];
                per.expected += 1;
                per.reported += found.is_some() as usize;
                per.approved += found.is_some_and(|v| v.row.state == ValueState::Approved) as usize;
                if p.deadline >= today {
                    continue;
                }
                expected += 1;
                match found {
                    Some(v) => {
                        reported += 1;
                        if v.row.state == ValueState::Approved {
                            approved += 1;
                        }
                    }
                    None => {
                        overdue += 1;
                        if overdue_items.len() < 200 {
                            overdue_items.push((
                                fw.units[u].name.clone(),
                                fw.nodes[t].name.clone(),
                                p.name.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    // The latest approved value of each task and unit, when off track.
    let mut latest: HashMap<(&str, &str), &StoredValue> = HashMap::new();
    for v in values
        .iter()
        .filter(|v| v.row.state == ValueState::Approved)
    {
        let k = (v.row.key.task.as_str(), v.row.key.unit.as_str());
        let newer = latest.get(&k).is_none_or(|old| {
            fw.period_index(&old.row.key.period) < fw.period_index(&v.row.key.period)
        });
        if newer {
            latest.insert(k, v);
        }
    }
    let mut off_track: Vec<ValueOut> = latest
        .values()
        .filter_map(|v| value_out(fw, v))
        .filter(|v| v.status == "behind" || v.status == "at_risk")
        .collect();
    off_track.sort_by(|a, b| {
        (a.status.as_str(), &a.unit_id, &a.task_id).cmp(&(
            b.status.as_str(),
            &b.unit_id,
            &b.task_id,
        ))
    });
    let share = |n: usize| {
        if expected == 0 {
            0.0
        } else {
            n as f64 / expected as f64
        }
    };
    Progress {
        expected,
        reported,
        approved,
        overdue,
        share_reported: share(reported),
        share_approved: share(approved),
        share_overdue: share(overdue),
        off_track,
        overdue_items,
        periods,
    }
}

/// Parses what a unit typed for a task: a number, or one of the task's grades.
pub fn parse_observation(fw: &Framework, task: usize, raw: &str) -> Result<Observation, AppError> {
    let t = fw.nodes[task]
        .task
        .as_ref()
        .ok_or_else(|| AppError::Invalid("values are reported on tasks".into()))?;
    if let jixiao_core::Method::Qualitative { grades } = &t.method {
        let g = raw.trim();
        return if grades.iter().any(|(n, _)| n == g) {
            Ok(Observation::Grade(g.to_string()))
        } else {
            Err(AppError::Invalid(format!(
                "`{g}` is not a grade of this task; expected one of: {}",
                grades
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        };
    }
    jixiao_taskbook::sheet::parse_number(raw)
        .map(Observation::Number)
        .ok_or_else(|| AppError::Invalid(format!("`{}` is not a number", raw.trim())))
}

#[allow(clippy::too_many_arguments)]
pub async fn enter(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    task: &str,
    period: &str,
    raw: &str,
    note: &str,
    evidence: &str,
    submit: bool,
) -> Result<ValueOut, AppError> {
    let fw = framework(state, cycle).await?;
    let u = unit_index(&fw, unit)?;
    let t = task_index(&fw, task)?;
    let pi = period_of(&fw, period)?;
    responsible(&fw, t, u)?;
    let observation = parse_observation(&fw, t, raw)?;
    let st = status(&fw, t, u, pi, observation.as_number());
    if submit && matches!(st, Status::Behind | Status::AtRisk) && note.trim().is_empty() {
        return Err(AppError::Invalid(
            "a note is required when the value is off track (behind or at risk)".into(),
        ));
    }
    let role = p.role.workflow().ok_or(AppError::Unauthenticated)?;
    let key = key_of(&fw, t, u, pi);
    let (actor, note, evidence, today, c) = (
        p.id().to_string(),
        note.to_string(),
        evidence.to_string(),
        state.config.today(),
        cycle.to_string(),
    );
    let k = key.clone();
    let stored = state
        .db(move |s| {
            s.enter_value(
                &c,
                &k,
                observation,
                &note,
                &evidence,
                submit,
                role,
                &actor,
                today,
            )?;
            Ok(s.value(&c, &k)?)
        })
        .await?;
    stored
        .and_then(|v| value_out(&fw, &v))
        .ok_or_else(|| AppError::Internal("saved value not found".into()))
}

pub async fn review(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    task: &str,
    period: &str,
    action: Action,
) -> Result<ValueOut, AppError> {
    let fw = framework(state, cycle).await?;
    let t = task_index(&fw, task)?;
    let permitted = match action {
        Action::Reopen { .. } => allows(p, Act::Administer),
        _ => allows(p, Act::Review(&fw, t)),
    };
    if !permitted {
        return Err(refusal(p));
    }
    let u = unit_index(&fw, unit)?;
    let pi = period_of(&fw, period)?;
    let role = p.role.workflow().ok_or(AppError::Unauthenticated)?;
    let key = key_of(&fw, t, u, pi);
    let (actor, today, c) = (p.id().to_string(), state.config.today(), cycle.to_string());
    let stored = state
        .db(move |s| {
            s.review_value(&c, &key, &action, role, &actor, today)?;
            Ok(s.value(&c, &key)?)
        })
        .await?;
    stored
        .and_then(|v| value_out(&fw, &v))
        .ok_or_else(|| AppError::Internal("reviewed value not found".into()))
}

/// The fill-in template of a unit for a period, with its file name.
pub async fn template(
    state: &AppState,
    cycle: &str,
    unit: &str,
    period: &str,
) -> Result<(Vec<u8>, String), AppError> {
    let (fw, values) = cycle_values(state, cycle).await?;
    let u = unit_index(&fw, unit)?;
    let pi = period_of(&fw, period)?;
    let rows: Vec<jixiao_core::records::ValueRow> = values.into_iter().map(|v| v.row).collect();
    let bytes = jixiao_taskbook::values::values_template(&fw, u, pi, &rows)
        .map_err(|e| AppError::Internal(format!("writing the template: {e}")))?;
    Ok((
        bytes,
        format!(
            "{}-{}-{}.xlsx",
            fw.cycle.id, fw.units[u].id, fw.cycle.periods[pi].id
        ),
    ))
}

/// Why an upload was refused: every problem found, each naming its row or task.
pub enum UploadError {
    Rows(Vec<String>),
    Other(AppError),
}

impl From<AppError> for UploadError {
    fn from(e: AppError) -> Self {
        UploadError::Other(e)
    }
}

/// A unit uploads its filled-in template (.xlsx or .csv). Every row is checked first (format,
/// unit, notes required when off track, workflow and locks); any problem saves nothing.
pub async fn upload(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    file_name: &str,
    bytes: Vec<u8>,
    submit: bool,
) -> Result<usize, UploadError> {
    let lower = file_name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".csv")) {
        return Err(UploadError::Rows(vec![format!(
            "{file_name}: only .xlsx or .csv files are accepted"
        )]));
    }
    let fw = framework(state, cycle).await?;
    let rows = jixiao_taskbook::values::parse_values(
        &fw,
        &bytes,
        file_name,
        ValueState::Draft,
        jixiao_taskbook::values::Blanks::Skip,
    )
    .map_err(|d| UploadError::Rows(d.iter().map(|x| x.to_string()).collect()))?;
    let mut problems = Vec::new();
    for r in &rows {
        let t = fw.node_index(&r.key.task).expect("parsed rows name tasks");
        let u = fw.unit_index(&r.key.unit).expect("parsed rows name units");
        let pi = fw
            .period_index(&r.key.period)
            .expect("parsed rows name periods");
        if r.key.unit != unit {
            problems.push(format!(
                "{file_name}: task {} period {}: the row belongs to {}, not to this unit",
                r.key.task, r.key.period, fw.units[u].name
            ));
        } else if submit
            && r.note.trim().is_empty()
            && matches!(
                status(&fw, t, u, pi, r.observation.as_number()),
                Status::Behind | Status::AtRisk
            )
        {
            problems.push(format!(
                "{file_name}: task {} period {}: a note is required when the value is off track",
                r.key.task, r.key.period
            ));
        }
    }
    if rows.is_empty() {
        problems.push(format!("{file_name}: the file has no values"));
    }
    if !problems.is_empty() {
        return Err(UploadError::Rows(problems));
    }
    let role = p.role.workflow().ok_or(AppError::Unauthenticated)?;
    let (actor, today, c) = (p.id().to_string(), state.config.today(), cycle.to_string());
    let name = file_name.to_string();
    let outcome = state
        .db(move |s| {
            Ok(s.enter_values(&c, &rows, submit, role, &actor, today)
                .map_err(|(i, e)| {
                    format!(
                        "{name}: task {} period {}: {e}",
                        rows[i].key.task, rows[i].key.period
                    )
                }))
        })
        .await?;
    outcome.map_err(|m| UploadError::Rows(vec![m]))
}

/// Whether a task's figures come from its evaluator (grades, survey and leader scores) rather
/// than from the unit.
pub fn evaluator_task(fw: &Framework, task: usize) -> bool {
    fw.nodes[task].task.as_ref().is_some_and(|t| {
        matches!(
            t.method,
            jixiao_core::Method::Qualitative { .. } | jixiao_core::Method::Scaled { .. }
        )
    })
}

/// An evaluator records a grade or score for a unit (for the cycle's last period).
pub async fn grade(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    task: &str,
    raw: &str,
    note: &str,
) -> Result<ValueOut, AppError> {
    let fw = framework(state, cycle).await?;
    let t = task_index(&fw, task)?;
    if !allows(p, Act::Review(&fw, t)) {
        return Err(refusal(p));
    }
    if !evaluator_task(&fw, t) {
        return Err(AppError::Invalid(format!(
            "the values of task {task} are reported by the unit, not graded by the evaluator"
        )));
    }
    let u = unit_index(&fw, unit)?;
    responsible(&fw, t, u)?;
    let observation = parse_observation(&fw, t, raw)?;
    let role = p.role.workflow().ok_or(AppError::Unauthenticated)?;
    let last = fw.cycle.periods.len() - 1;
    let key = key_of(&fw, t, u, last);
    let (actor, today, c, note) = (
        p.id().to_string(),
        state.config.today(),
        cycle.to_string(),
        note.to_string(),
    );
    let stored = state
        .db(move |s| {
            s.grade_value(&c, &key, observation, &note, role, &actor, today)?;
            Ok(s.value(&c, &key)?)
        })
        .await?;
    stored
        .and_then(|v| value_out(&fw, &v))
        .ok_or_else(|| AppError::Internal("graded value not found".into()))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerOut {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    /// bonus or deduction.
    pub kind: String,
    pub points: f64,
    pub reason: String,
    /// pending, approved or rejected.
    pub status: String,
    pub proposed_by: String,
    pub approver: String,
}

pub async fn ledger(state: &AppState, cycle: &str) -> Result<Vec<LedgerOut>, AppError> {
    let c = cycle.to_string();
    let (fw, entries) = state
        .db(move |s| Ok((s.load_cycle(&c)?, s.ledger_entries(&c)?)))
        .await?;
    Ok(entries
        .into_iter()
        .map(|(id, r, status, proposed_by)| LedgerOut {
            id,
            unit_name: fw
                .units
                .iter()
                .find(|u| u.id == r.unit)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            unit_id: r.unit,
            kind: r.kind.as_str().into(),
            points: r.points,
            reason: r.reason,
            status,
            proposed_by,
            approver: r.approver,
        })
        .collect())
}

pub async fn propose_ledger(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    kind: &str,
    points: &str,
    reason: &str,
) -> Result<String, AppError> {
    if !allows(p, Act::ProposeLedger) {
        return Err(refusal(p));
    }
    let fw = framework(state, cycle).await?;
    let u = unit_index(&fw, unit)?;
    let kind = jixiao_core::inputs::LedgerKind::parse(kind).ok_or_else(|| {
        AppError::Invalid(format!(
            "unknown kind `{kind}`; expected bonus or deduction"
        ))
    })?;
    let points = jixiao_taskbook::sheet::parse_number(points)
        .filter(|x| *x > 0.0)
        .ok_or_else(|| {
            AppError::Invalid(format!("`{points}` is not a positive number of points"))
        })?;
    if reason.trim().is_empty() {
        return Err(AppError::Invalid("every entry needs a reason".into()));
    }
    let row = jixiao_core::records::LedgerRow {
        unit: fw.units[u].id.clone(),
        kind,
        points,
        reason: reason.trim().into(),
        approver: String::new(),
        date: Some(state.config.today()),
    };
    let (c, actor) = (cycle.to_string(), p.id().to_string());
    state
        .db(move |s| Ok(s.propose_ledger(&c, &row, &actor)?))
        .await
}

pub async fn decide_ledger(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    id: &str,
    approve: bool,
) -> Result<(), AppError> {
    if !allows(p, Act::Administer) {
        return Err(refusal(p));
    }
    let (c, i, actor) = (cycle.to_string(), id.to_string(), p.id().to_string());
    state
        .db(move |s| Ok(s.decide_ledger(&c, &i, approve, &actor)?))
        .await
}

/// Evidence types accepted: file-name extension, content type, and how the content must begin.
pub const EVIDENCE_TYPES: [(&str, &str, &[u8]); 6] = [
    ("pdf", "application/pdf", b"%PDF"),
    ("png", "image/png", b"\x89PNG"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
];

/// A unit attaches an evidence file to one of its values.
#[allow(clippy::too_many_arguments)]
pub async fn add_evidence(
    state: &AppState,
    p: &Principal,
    cycle: &str,
    unit: &str,
    task: &str,
    period: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<String, AppError> {
    if !allows(p, Act::EnterValue(unit)) {
        return Err(refusal(p));
    }
    let max = state.config.evidence_max_bytes;
    if bytes.is_empty() {
        return Err(AppError::Invalid(format!("{file_name}: the file is empty")));
    }
    if bytes.len() > max {
        return Err(AppError::Invalid(format!(
            "{file_name}: {} bytes is more than the {max} bytes allowed",
            bytes.len()
        )));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some((_, content_type, magic)) = EVIDENCE_TYPES.iter().find(|(e, _, _)| *e == ext) else {
        return Err(AppError::Invalid(format!(
            "{file_name}: only PDF, PNG, JPEG, xlsx and docx files are accepted"
        )));
    };
    if !bytes.starts_with(magic) {
        return Err(AppError::Invalid(format!(
            "{file_name}: the content is not a .{ext} file"
        )));
    }
    let fw = framework(state, cycle).await?;
    let u = unit_index(&fw, unit)?;
    let t = task_index(&fw, task)?;
    let pi = period_of(&fw, period)?;
    responsible(&fw, t, u)?;
    let key = key_of(&fw, t, u, pi);
    let (c, name, ct, actor) = (
        cycle.to_string(),
        file_name.to_string(),
        content_type.to_string(),
        p.id().to_string(),
    );
    state
        .db(move |s| Ok(s.add_evidence(&c, &key, &name, &ct, &bytes, &actor)?))
        .await
}

/// A file, if the principal may see its unit's data.
pub async fn evidence(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<(jixiao_store::evidence::EvidenceInfo, Vec<u8>), AppError> {
    if p.role == Role::Public {
        return Err(AppError::Unauthenticated);
    }
    let i = id.to_string();
    let (info, bytes) = state
        .db(move |s| Ok(s.evidence(&i)?))
        .await
        .map_err(|e| match e {
            // Unknown and forbidden look the same to a guesser.
            AppError::NotFound(_) => AppError::Forbidden,
            other => other,
        })?;
    if !allows(p, Act::ViewUnit(&info.unit)) {
        return Err(AppError::Forbidden);
    }
    Ok((info, bytes))
}

/// A unit's values due within the reminder window or overdue.
#[derive(Serialize, ToSchema, Clone)]
pub struct Reminder {
    pub unit_id: String,
    pub unit_name: String,
    /// (task id, task name, period name, deadline, overdue)
    pub items: Vec<(String, String, String, String, bool)>,
}

/// Values not yet submitted whose deadline has passed or falls within `within_days` of today.
pub fn reminders(
    fw: &Framework,
    values: &[StoredValue],
    today: NaiveDate,
    within_days: i64,
) -> Vec<Reminder> {
    let horizon = today + chrono::Duration::days(within_days);
    let mut out = Vec::new();
    for u in 0..fw.units.len() {
        let mut items = Vec::new();
        for t in fw
            .tasks()
            .filter(|&t| fw.is_responsible(t, u) && !evaluator_task(fw, t))
        {
            let relative = fw.nodes[t]
                .task
                .as_ref()
                .is_some_and(|x| x.method.is_relative());
            for (pi, p) in fw.cycle.periods.iter().enumerate() {
                if (relative && pi + 1 != fw.cycle.periods.len()) || p.deadline > horizon {
                    continue;
                }
                let done = values.iter().any(|v| {
                    v.row.key.task == fw.nodes[t].id
                        && v.row.key.unit == fw.units[u].id
                        && v.row.key.period == p.id
                        && matches!(v.row.state, ValueState::Submitted | ValueState::Approved)
                });
                if !done {
                    items.push((
                        fw.nodes[t].id.clone(),
                        fw.nodes[t].name.clone(),
                        p.name.clone(),
                        p.deadline.to_string(),
                        p.deadline < today,
                    ));
                }
            }
        }
        if !items.is_empty() {
            out.push(Reminder {
                unit_id: fw.units[u].id.clone(),
                unit_name: fw.units[u].name.clone(),
                items,
            });
        }
    }
    out
}

/// The text of a reminder e-mail.
pub fn reminder_text(cycle: &str, r: &Reminder) -> String {
    let mut body = format!(
        "{} 绩效填报提醒 / reporting reminder ({cycle})\n\n",
        r.unit_name
    );
    for (id, name, period, deadline, overdue) in &r.items {
        body.push_str(&format!(
            "- {id} {name} · {period} · 截止 {deadline}{}\n",
            if *overdue {
                " · 已逾期 overdue"
            } else {
                ""
            }
        ));
    }
    body.push_str("\n请登录系统填报。Please log in and report.\n");
    body
}

/// The task of that id, or a not-found error.
fn task_index(fw: &Framework, task: &str) -> Result<usize, AppError> {
    fw.nodes
        .iter()
        .position(|n| n.id == task && n.task.is_some())
        .ok_or_else(|| AppError::NotFound(format!("task `{task}`")))
}

fn period_of(fw: &Framework, period: &str) -> Result<usize, AppError> {
    fw.period_index(period)
        .ok_or_else(|| AppError::NotFound(format!("period `{period}`")))
}

fn responsible(fw: &Framework, t: usize, u: usize) -> Result<(), AppError> {
    if fw.is_responsible(t, u) {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "{} is not responsible for task {}",
            fw.units[u].name, fw.nodes[t].id
        )))
    }
}

fn key_of(fw: &Framework, t: usize, u: usize, period: usize) -> ValueKey {
    ValueKey {
        task: fw.nodes[t].id.clone(),
        unit: fw.units[u].id.clone(),
        period: fw.cycle.periods[period].id.clone(),
    }
}

/// What a refused caller is told: to log in, or that they may not.
pub fn refusal(p: &Principal) -> AppError {
    if p.role == Role::Public {
        AppError::Unauthenticated
    } else {
        AppError::Forbidden
    }
}
