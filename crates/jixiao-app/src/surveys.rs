//! Surveys (市民评议): the office imports a questionnaire with the survey company's results file;
//! each unit's score (0–100) with its margin of error enters the survey's task as an approved
//! value, and the explanation of that task shows the items, the sample and the margin.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use jixiao_core::basis::{round2, Basis, ItemResult, SurveyScore};
use jixiao_core::records::{ValueKey, ValueRow};
use jixiao_core::workflow::ValueState;
use jixiao_core::{Framework, Observation};
use jixiao_store::sources::{NewSurvey, SourceValues};
use jixiao_store::{ImportOutcome, Store};
use jixiao_taskbook::survey::{parse_survey, read_results, SurveyFile};
use serde::Serialize;
use utoipa::ToSchema;

/// What importing a survey did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyImported {
    pub survey: String,
    pub task: String,
    pub units: usize,
    /// False when the same questionnaire and results were imported before: nothing changed.
    pub changed: bool,
    pub values_inserted: usize,
    pub values_updated: usize,
}

/// A survey with each unit's score and margin.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyView {
    pub id: String,
    pub name: String,
    pub task: String,
    pub task_name: String,
    pub conductor: String,
    pub scale: f64,
    pub confidence: f64,
    pub items: Vec<SurveyItemView>,
    pub units: Vec<SurveyUnitRow>,
    /// The results file's name, who imported it and when.
    pub source: String,
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyItemView {
    pub id: String,
    pub name: String,
    /// Share of the weights, percent.
    pub weight_percent: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyUnitRow {
    pub unit_id: String,
    pub unit_name: String,
    /// 0–100, two decimals.
    pub score: f64,
    /// Half-width of the confidence interval, points.
    pub margin: f64,
    pub sample: u32,
    /// The items' scores on 0–100, in the questionnaire's order.
    pub items: Vec<f64>,
}

/// Each unit's score, in the cycle's order of units.
fn scores(fw: &Framework, survey: &SurveyFile, results: &[ItemResult]) -> Vec<SurveyScore> {
    let q = &survey.questionnaire;
    fw.units
        .iter()
        .filter_map(|u| {
            let mine: Vec<&ItemResult> = results.iter().filter(|r| r.unit == u.id).collect();
            q.score(&u.id, &mine)
        })
        .collect()
}

/// Imports a survey (the office): the questionnaire file (TOML) and the company's results file
/// (CSV or xlsx), both checked whole first. Writes each unit's score to the survey's task in the
/// cycle's last period, approved, with the survey as its source.
pub fn import(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    definition: (&str, &[u8]),
    results: (&str, &[u8]),
) -> Result<SurveyImported> {
    require(actor, Act::Administer)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let text = std::str::from_utf8(definition.1).map_err(|_| {
        AppError::Invalid(format!(
            "{}: the questionnaire file must be UTF-8 text",
            definition.0
        ))
    })?;
    let survey = parse_survey(&fw, text, definition.0).map_err(AppError::diagnosed)?;
    let rows = read_results(&fw, &survey, results.1, results.0).map_err(AppError::diagnosed)?;
    let q = &survey.questionnaire;
    let period = fw
        .cycle
        .periods
        .last()
        .ok_or_else(|| AppError::Invalid("the cycle has no periods".into()))?
        .id
        .clone();
    let scored = scores(&fw, &survey, &rows);
    let values: Vec<ValueRow> = scored
        .iter()
        .map(|x| ValueRow {
            key: ValueKey {
                task: q.task.clone(),
                unit: x.unit.clone(),
                period: period.clone(),
            },
            observation: Observation::Number(round2(x.score)),
            note: String::new(),
            source: format!(
                "{}:样本 {} 份,{}% 置信区间 ±{} 分(jixiao survey {})",
                q.name,
                x.sample,
                jixiao_core::numbers::num(q.confidence * 100.0),
                jixiao_core::numbers::num(round2(x.margin)),
                q.id
            ),
            evidence: String::new(),
            state: ValueState::Approved,
        })
        .collect();
    let bases: Vec<(String, String, Basis)> = scored
        .into_iter()
        .map(|x| (q.task.clone(), x.unit.clone(), Basis::Survey(x)))
        .collect();
    let definition_json = serde_json::to_string(&survey)
        .map_err(|e| AppError::Internal(format!("survey definition: {e}")))?;
    let outcome = s.save_survey(
        &fw.cycle.id,
        NewSurvey {
            id: &q.id,
            definition: &definition_json,
            source: results.0,
            results: &rows,
        },
        SourceValues {
            rows: &values,
            bases: &bases,
        },
        &actor.id,
    )?;
    let o = outcome.unwrap_or_else(ImportOutcome::default);
    Ok(SurveyImported {
        survey: q.id.clone(),
        task: q.task.clone(),
        units: values.len(),
        changed: outcome.is_some(),
        values_inserted: o.inserted,
        values_updated: o.updated,
    })
}

/// The cycle's surveys with each unit's score and margin (the office and evaluators), with the
/// cycle's name.
pub fn list(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<(String, Vec<SurveyView>)> {
    require(actor, Act::ViewCycle)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let mut out = Vec::new();
    for stored in s.surveys(&fw.cycle.id)? {
        let survey: SurveyFile = serde_json::from_str(&stored.definition)
            .map_err(|e| AppError::Internal(format!("survey {}: {e}", stored.id)))?;
        let results = s.survey_results(&fw.cycle.id, &stored.id)?;
        let q = &survey.questionnaire;
        let total: f64 = q.items.iter().map(|i| i.weight).sum();
        out.push(SurveyView {
            id: q.id.clone(),
            name: q.name.clone(),
            task: q.task.clone(),
            task_name: fw
                .node_index(&q.task)
                .map(|n| fw.nodes[n].name.clone())
                .unwrap_or_default(),
            conductor: q.conductor.clone(),
            scale: q.scale,
            confidence: q.confidence,
            items: q
                .items
                .iter()
                .map(|i| SurveyItemView {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    weight_percent: round2(i.weight / total * 100.0),
                })
                .collect(),
            units: scores(&fw, &survey, &results)
                .into_iter()
                .map(|x| SurveyUnitRow {
                    unit_name: fw
                        .unit_index(&x.unit)
                        .map(|u| fw.units[u].name.clone())
                        .unwrap_or_default(),
                    unit_id: x.unit,
                    score: round2(x.score),
                    margin: round2(x.margin),
                    sample: x.sample,
                    items: x.items.iter().map(|i| round2(i.score)).collect(),
                })
                .collect(),
            source: stored.source,
            updated_by: stored.updated_by,
            updated_at: stored.updated_at,
        });
    }
    Ok((fw.cycle.name.clone(), out))
}
