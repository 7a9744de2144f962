//! The task self-check table (任务完成自查表) of one unit: task, annual target, year-end result,
//! completion and the evaluator's score; what districts publish for public rating.

use crate::doc::{Document, Table};
use crate::wording::Wording;
use crate::zhnum::amount;
use crate::{completion, Completion, Data, ReportError};
use jixiao_core::explain::pts;
use jixiao_core::model::UnitIdx;
use minijinja::context;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfCheckRow {
    pub indicator: String,
    pub task_id: String,
    pub task: String,
    pub measure: String,
    pub target: String,
    pub result: String,
    pub completion: Completion,
    pub status: String,
    pub score: String,
    pub points: String,
    pub evaluators: String,
}

fn rows(d: &Data, w: &Wording, unit: UnitIdx) -> Vec<SelfCheckRow> {
    let fw = d.fw;
    d.tasks_of(unit)
        .into_iter()
        .map(|t| {
            let node = &fw.nodes[t];
            let task = node.task.as_ref().expect("a task");
            let parent = node.parent.map(|p| &fw.nodes[p]);
            // Evaluators are declared on the indicator or on the task.
            let evaluator_ids = if node.evaluators.is_empty() {
                parent.map(|p| p.evaluators.clone()).unwrap_or_default()
            } else {
                node.evaluators.clone()
            };
            let c = completion(d, t, unit);
            SelfCheckRow {
                indicator: parent.map(|p| p.name.clone()).unwrap_or_default(),
                task_id: node.id.clone(),
                task: node.name.clone(),
                measure: task.measure.clone(),
                target: d
                    .target(t, unit)
                    .map(|x| amount(x, &task.measure))
                    .unwrap_or_default(),
                result: match d.value(t, unit) {
                    Some(jixiao_core::Observation::Number(x)) => amount(*x, &task.measure),
                    Some(jixiao_core::Observation::Grade(g)) => g.clone(),
                    None => String::new(),
                },
                completion: c,
                status: w.word(c.key()),
                score: d.card.units[unit].nodes[t]
                    .score()
                    .map(pts)
                    .unwrap_or_else(|| "-".into()),
                points: pts(node.points),
                evaluators: evaluator_ids
                    .iter()
                    .map(|e| {
                        fw.evaluators
                            .iter()
                            .find(|x| &x.id == e)
                            .map_or(e.clone(), |x| x.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
            }
        })
        .collect()
}

/// The self-check table of `unit` as a document (one table) and its rows.
pub fn self_check(
    d: &Data,
    w: &Wording,
    unit: UnitIdx,
) -> Result<(Document, Vec<SelfCheckRow>), ReportError> {
    let u = &d.fw.units[unit];
    let base = context! {
        unit => u.name, year => d.year(), cycle => d.fw.cycle.name, date => d.date_zh(),
    };
    let mut doc = Document::new(w.render("selfcheck.title", base.clone())?);
    doc.subtitle.push(w.render("selfcheck.subtitle", base)?);
    let rows = rows(d, w, unit);
    doc.blocks.push(crate::doc::Block::Table(Table {
        caption: doc.title.clone(),
        header: [
            "table.number",
            "table.indicator",
            "table.task",
            "table.target",
            "table.result",
            "table.status",
            "table.score",
            "table.points",
            "table.evaluator",
        ]
        .iter()
        .map(|k| w.word(k))
        .collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.indicator.clone(),
                    r.task.clone(),
                    r.target.clone(),
                    r.result.clone(),
                    r.status.clone(),
                    r.score.clone(),
                    r.points.clone(),
                    r.evaluators.clone(),
                ]
            })
            .collect(),
        numeric: vec![0, 6, 7],
    }));
    Ok((doc, rows))
}
