//! Reports written from a cycle's data (issue: reports and publication).
//!
//! Three documents, each built as a format-neutral [`doc::Document`] from the scored cycle and
//! then written as Markdown, HTML or Word; the self-check table and the results workbook are
//! also written as xlsx:
//! - [`self_report()`]: a unit's self-assessment report (绩效自评报告) in the shape of the
//!   districts' own reports: overall situation, results by area, problems and rectification,
//!   next year's focus; the unit's own paragraphs ([`Narratives`]) are merged in;
//! - [`results_report()`]: the office's results report: rankings, grade distribution, per-unit
//!   scorecards with charts, and the explanation of every task score;
//! - [`self_check()`]: the task self-check table (任务完成自查表) that districts publish.
//!
//! Wording comes from [`wording::Wording`] (a TOML file of templates an office can edit). Nothing
//! here touches the database: the edges load the cycle and pass a [`Data`].

pub mod doc;
pub mod docx;
pub mod html;
pub mod markdown;
mod results;
mod self_check;
mod self_report;
pub mod svg;
pub mod wording;
pub mod xlsx;
pub mod xml;
pub mod zhnum;

pub use results::results_report;
pub use self_check::{self_check, SelfCheckRow};
pub use self_report::{self_report, summary_facts, SummaryFact};

use chrono::NaiveDate;
use jixiao_core::model::{Direction, Framework, NodeIdx, UnitIdx};
use jixiao_core::{Inputs, Observation, Scorecard};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Wording(#[from] wording::WordingError),
    #[error("writing {format}: {message}")]
    Write {
        format: &'static str,
        message: String,
    },
}

/// The parts of a unit's report that people write (entered on the report page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Added to the overall situation (一、总体情况).
    Overview,
    /// Innovations and honours (创新创优、荣誉).
    Highlights,
    /// Rectification items (整改事项), one per line; `jixiao cycle next` turns them into tasks.
    Rectification,
    /// Next year's focus (下一步工作打算).
    NextYear,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Overview,
        Section::Highlights,
        Section::Rectification,
        Section::NextYear,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Highlights => "highlights",
            Section::Rectification => "rectification",
            Section::NextYear => "next_year",
        }
    }
    pub fn parse(s: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Section::Overview => "总体情况补充",
            Section::Highlights => "创新创优与荣誉",
            Section::Rectification => "整改事项(每行一项)",
            Section::NextYear => "下一步工作打算",
        }
    }
}

/// Narrative paragraphs by unit id and section.
#[derive(Debug, Clone, Default)]
pub struct Narratives(pub BTreeMap<(String, Section), String>);

impl Narratives {
    pub fn get(&self, unit: &str, section: Section) -> Option<&str> {
        self.0
            .get(&(unit.to_string(), section))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
    /// The rectification items of a unit: the non-empty lines of its rectification section.
    pub fn rectification_items(&self, unit: &str) -> Vec<String> {
        self.get(unit, Section::Rectification)
            .map(|s| {
                s.lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Last year's cycle, for year-on-year comparisons (tasks and units matched by id).
pub struct Previous<'a> {
    pub fw: &'a Framework,
    pub inputs: &'a Inputs,
}

/// The 接诉即办 figures the results report's hotline section is written from, computed by the
/// application from the hotline rollups (the live report only: a published report is the
/// sealed snapshot, which does not carry them).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct HotlineSection {
    /// The month shown ("2020-12") and the months with cases ("2020-01" … "2020-12").
    pub month: String,
    pub first_month: String,
    /// The weighted rates in the table ("响应率(%)"), and their weights in words
    /// ("响应率10、解决率45、满意率45").
    pub rate_names: Vec<String>,
    pub weights: String,
    /// The rates reported beside the score, not in it (按时办结率(%), 重办率(%), 退单率(%)), in
    /// a table of their own.
    pub reported_names: Vec<String>,
    /// The districts' ranking of the month.
    pub rows: Vec<HotlineRow>,
    /// The ranking rules in words: minimum cases, confidence, tie-break.
    pub min_cases: i64,
    pub confidence: f64,
    pub red: Vec<String>,
    pub black: Vec<String>,
    /// 治理类街乡镇 of the month: (street, district, listed since, months listed).
    pub governance: Vec<(String, String, String, usize)>,
    /// 每月一题: (month, title, category, places, the measured effect on its cases in words).
    pub problems: Vec<(String, String, String, String, String)>,
}

/// A district's row of the hotline section.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct HotlineRow {
    /// A rank, "样本不足", or "—"; "≈" marks a statistical tie.
    pub rank: String,
    pub unit: String,
    pub accepted: i64,
    pub rates: Vec<String>,
    pub score: String,
    pub interval: String,
    /// The reported rates, in the order of `reported_names`.
    pub reported: Vec<String>,
}

/// Everything a report is written from.
pub struct Data<'a> {
    pub fw: &'a Framework,
    pub inputs: &'a Inputs,
    pub card: &'a Scorecard,
    pub previous: Option<Previous<'a>>,
    pub narratives: &'a Narratives,
    /// (task, unit, period) of every approved period value: the reporting trend.
    pub reported: &'a [(NodeIdx, UnitIdx, usize)],
    /// The date printed on the report.
    pub date: NaiveDate,
    /// The results report's 接诉即办 section, when the hotline has cases in the cycle.
    pub hotline: Option<&'a HotlineSection>,
}

impl Data<'_> {
    pub fn value(&self, task: NodeIdx, unit: UnitIdx) -> Option<&Observation> {
        self.inputs.annual(task, unit).map(|a| &a.observation)
    }
    pub fn previous_value(&self, task: NodeIdx, unit: UnitIdx) -> Option<f64> {
        let p = self.previous.as_ref()?;
        let t = p.fw.node_index(&self.fw.nodes[task].id)?;
        let u = p.fw.unit_index(&self.fw.units[unit].id)?;
        p.inputs.annual(t, u)?.observation.as_number()
    }
    pub fn target(&self, task: NodeIdx, unit: UnitIdx) -> Option<f64> {
        self.fw.nodes[task]
            .task
            .as_ref()?
            .targets_for(&self.fw.units[unit].id)
            .target
    }
    /// The tasks `unit` answers for, in task-book order (figures, the inputs of formula tasks,
    /// are not assessed tasks of their own).
    pub fn tasks_of(&self, unit: UnitIdx) -> Vec<NodeIdx> {
        self.fw
            .tasks()
            .filter(|&t| self.fw.is_responsible(t, unit) && !self.fw.is_figure(t))
            .collect()
    }
    pub fn year(&self) -> String {
        self.fw.cycle.start.format("%Y").to_string()
    }
    pub fn date_zh(&self) -> String {
        self.date.format("%Y年%-m月%-d日").to_string()
    }
}

/// How far a unit got with a task by the year's end (完成情况).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// Beyond the target (above it, or below it for lower-is-better tasks).
    Exceeded,
    Met,
    Missed,
    /// A qualitative task with its grade.
    Graded,
    /// A value without a target to compare with (ranked or normalised tasks).
    Reported,
    Missing,
}

impl Completion {
    pub fn key(self) -> &'static str {
        match self {
            Completion::Exceeded => "status.exceeded",
            Completion::Met => "status.met",
            Completion::Missed => "status.missed",
            Completion::Graded => "status.graded",
            Completion::Reported => "status.reported",
            Completion::Missing => "status.missing",
        }
    }
    pub fn done(self) -> bool {
        matches!(self, Completion::Exceeded | Completion::Met)
    }
}

/// The year-end completion of `task` by `unit`.
pub fn completion(d: &Data, task: NodeIdx, unit: UnitIdx) -> Completion {
    let Some(obs) = d.value(task, unit) else {
        return Completion::Missing;
    };
    let Some(x) = obs.as_number() else {
        return Completion::Graded;
    };
    let (Some(t), Some(target)) = (d.fw.nodes[task].task.as_ref(), d.target(task, unit)) else {
        return Completion::Reported;
    };
    let eps = 1e-9 * target.abs().max(1.0);
    let better = match t.direction {
        Direction::Higher => x - target,
        Direction::Lower => target - x,
    };
    if better > eps {
        Completion::Exceeded
    } else if better >= -eps {
        Completion::Met
    } else {
        Completion::Missed
    }
}

/// Percent of the target reached, for higher-is-better tasks with a positive target.
pub fn share_of_target(d: &Data, task: NodeIdx, unit: UnitIdx) -> Option<f64> {
    let t = d.fw.nodes[task].task.as_ref()?;
    let x = d.value(task, unit)?.as_number()?;
    let target = d.target(task, unit)?;
    (t.direction == Direction::Higher && target > 0.0).then(|| x / target * 100.0)
}
