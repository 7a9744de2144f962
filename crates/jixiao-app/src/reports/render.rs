//! Loading a cycle for its reports and writing a report in the requested format, and the
//! facts a report checker compares claims with.

use crate::error::{AppError, Result};
use chrono::NaiveDate;
use jixiao_core::workflow::ValueState;
use jixiao_core::{Framework, Inputs, Scorecard};
use jixiao_report::wording::Wording;
use jixiao_report::{Data, Narratives, Previous, Section};
use jixiao_store::{Store, StoreError};

/// A cycle with everything its reports are written from.
#[derive(Clone)]
pub struct Loaded {
    pub fw: Framework,
    pub inputs: Inputs,
    pub card: Scorecard,
    pub previous: Option<(Framework, Inputs)>,
    pub narratives: Narratives,
    pub reported: Vec<(usize, usize, usize)>,
    pub published: bool,
    /// The results report's 接诉即办 section (live reports of a cycle with hotline cases).
    pub hotline: Option<jixiao_report::HotlineSection>,
}

impl Loaded {
    /// What a report is written from, dated `date` (today), or the cycle's last day when the
    /// cycle has ended: a 2020 report says "截至2020年12月31日", not the day it was downloaded.
    pub fn data(&self, date: NaiveDate) -> Data<'_> {
        let date = date.min(self.fw.cycle.end);
        Data {
            fw: &self.fw,
            inputs: &self.inputs,
            card: &self.card,
            previous: self
                .previous
                .as_ref()
                .map(|(fw, inputs)| Previous { fw, inputs }),
            narratives: &self.narratives,
            reported: &self.reported,
            date,
            hotline: self.hotline.as_ref(),
        }
    }
}

/// Loads `cycle`, its scores, narratives and reporting trend, and the cycle before it (the
/// stored cycle that ends last before this one starts), for year-on-year comparisons.
pub fn load(store: &mut Store, cycle: &str) -> std::result::Result<Loaded, StoreError> {
    let fw = store.load_cycle(cycle)?;
    let inputs = store.inputs(&fw)?;
    let card = jixiao_core::score(&fw, &inputs);
    let previous = match store.cycle_before(&fw, |_| true)? {
        Some(other) => {
            let inputs = store.inputs(&other)?;
            Some((other, inputs))
        }
        None => None,
    };
    let narratives = stored_narratives(store, cycle)?;
    let reported = store
        .values(cycle)?
        .into_iter()
        .filter(|v| v.row.state == ValueState::Approved)
        .filter_map(|v| {
            Some((
                fw.node_index(&v.row.key.task)?,
                fw.unit_index(&v.row.key.unit)?,
                fw.period_index(&v.row.key.period)?,
            ))
        })
        .collect();
    let published = store.publication(cycle)?.is_some();
    Ok(Loaded {
        fw,
        inputs,
        card,
        previous,
        narratives,
        reported,
        published,
        hotline: None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 绩效自评报告 of one unit.
    SelfReport,
    /// 结果报告 of the office.
    Results,
    /// 任务完成自查表 of one unit.
    SelfCheck,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "self" => Some(Kind::SelfReport),
            "results" => Some(Kind::Results),
            "selfcheck" => Some(Kind::SelfCheck),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SelfReport => "self",
            Kind::Results => "results",
            Kind::SelfCheck => "selfcheck",
        }
    }
    pub fn needs_unit(self) -> bool {
        self != Kind::Results
    }
    /// The formats each report is offered in.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Kind::SelfReport => &[Format::Docx, Format::Html, Format::Md],
            Kind::Results => &[Format::Docx, Format::Html, Format::Md, Format::Xlsx],
            Kind::SelfCheck => &[Format::Xlsx, Format::Html, Format::Docx, Format::Md],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Html,
    Md,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "docx" => Some(Format::Docx),
            "html" => Some(Format::Html),
            "md" => Some(Format::Md),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Md => "md",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Html => "text/html; charset=utf-8",
            Format::Md => "text/markdown; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A written report: its bytes and a file name for downloads.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub format: Format,
}

/// Writes report `kind` (for `unit` where it needs one) in `format`.
pub fn render(
    l: &Loaded,
    wording: &Wording,
    kind: Kind,
    unit: Option<&str>,
    format: Format,
    date: NaiveDate,
) -> Result<Rendered> {
    if !kind.formats().contains(&format) {
        return Err(AppError::Invalid(format!(
            "the {} report is written as {}, not {}",
            kind.as_str(),
            kind.formats()
                .iter()
                .map(|f| f.extension())
                .collect::<Vec<_>>()
                .join(", "),
            format.extension()
        )));
    }
    let d = l.data(date);
    let unit_ix =
        match (kind.needs_unit(), unit) {
            (true, None) => {
                return Err(AppError::Invalid(format!(
                    "the {} report is of one unit: name it (e.g. 东城区)",
                    kind.as_str()
                )))
            }
            (true, Some(u)) => Some(l.fw.unit_index(u).ok_or_else(|| {
                AppError::NotFound(format!("unit `{u}` in cycle {}", l.fw.cycle.id))
            })?),
            (false, _) => None,
        };
    let report_err = |e: jixiao_report::ReportError| AppError::Invalid(e.to_string());
    let doc = match (kind, unit_ix) {
        (Kind::SelfReport, Some(u)) => {
            jixiao_report::self_report(&d, wording, u).map_err(report_err)?
        }
        (Kind::SelfCheck, Some(u)) => {
            jixiao_report::self_check(&d, wording, u)
                .map_err(report_err)?
                .0
        }
        _ => jixiao_report::results_report(&d, wording).map_err(report_err)?,
    };
    let bytes = match format {
        Format::Docx => jixiao_report::docx::to_docx(&doc).map_err(report_err)?,
        Format::Html => jixiao_report::html::to_html(&doc).into_bytes(),
        Format::Md => jixiao_report::markdown::to_markdown(&doc).into_bytes(),
        Format::Xlsx => jixiao_report::xlsx::to_xlsx(&doc).map_err(report_err)?,
    };
    Ok(Rendered {
        bytes,
        file_name: format!("{}.{}", doc.title, format.extension()),
        format,
    })
}

/// Everything a report of `unit` can state that the data holds: each task's value, target,
/// share of target and change on last year, the figures of the overall situation, and the
/// unit's overall rank (全市). What `jixiao claims check` and the report check page compare
/// claims with.
pub fn facts_for(l: &Loaded, unit: usize) -> Vec<jixiao_claims::reconcile::Fact> {
    use jixiao_claims::reconcile::{task_facts, Fact, FactKind};
    let d = l.data(l.fw.cycle.end);
    let mut facts = task_facts(
        &l.fw,
        unit,
        &|t| d.value(t, unit).and_then(|v| v.as_number()),
        &|t| d.previous_value(t, unit),
    );
    facts.extend(
        jixiao_report::summary_facts(&d, unit)
            .into_iter()
            .map(|s| Fact {
                task_id: None,
                name: s.name,
                measure: s.measure,
                value: s.value,
                kind: FactKind::Value,
            }),
    );
    let us = &l.card.units[unit];
    let rank_fact = |scope: &str, rank: u32| Fact {
        task_id: None,
        name: "综合得分排名".into(),
        measure: "名".into(),
        value: rank as f64,
        kind: FactKind::Rank {
            scope: scope.into(),
        },
    };
    if let Some(rank) = us.rank {
        facts.push(rank_fact("全市", rank));
    }
    for &(g, rank) in &us.group_ranks {
        facts.push(rank_fact(&l.fw.groups[g].name, rank));
    }
    facts.extend(task_rank_facts(l, unit));
    facts
}

/// The unit's place in each task scored by rank (位次法), among the ranked units with a value:
/// in the whole cycle (全市) and in each of its groups, best value first by the task's
/// direction, ties sharing the best place. A report's 人均公共文化设施面积位居全市第一 is checked
/// against it.
fn task_rank_facts(l: &Loaded, unit: usize) -> Vec<jixiao_claims::reconcile::Fact> {
    use jixiao_claims::reconcile::{Fact, FactKind};
    use jixiao_core::model::{Direction, Method};
    let fw = &l.fw;
    let d = l.data(fw.cycle.end);
    let mut out = Vec::new();
    for t in fw.tasks().filter(|&t| fw.is_responsible(t, unit)) {
        let Some(task) = fw.nodes[t].task.as_ref() else {
            continue;
        };
        if !matches!(task.method, Method::Rank { .. }) {
            continue;
        }
        let value_of = |u: usize| d.value(t, u).and_then(|v| v.as_number());
        let Some(mine) = value_of(unit) else {
            continue;
        };
        let better = |x: f64| match task.direction {
            Direction::Higher => x > mine,
            Direction::Lower => x < mine,
        };
        let mut place = |scope: String, members: Vec<usize>| {
            let peers: Vec<f64> = members
                .into_iter()
                .filter(|&u| fw.units[u].ranked && fw.is_responsible(t, u))
                .filter_map(value_of)
                .collect();
            if peers.len() >= 2 {
                out.push(Fact {
                    task_id: Some(fw.nodes[t].id.clone()),
                    name: fw.nodes[t].name.clone(),
                    measure: "名".into(),
                    value: (peers.iter().filter(|x| better(**x)).count() + 1) as f64,
                    kind: FactKind::Rank { scope },
                });
            }
        };
        place("全市".into(), fw.members(None));
        for g in &fw.groups {
            if fw.units[unit].groups.contains(&g.id) {
                place(g.name.clone(), fw.members(Some(&g.id)));
            }
        }
    }
    out
}

/// The narrative paragraphs units wrote for a cycle.
pub(crate) fn stored_narratives(
    store: &mut Store,
    cycle: &str,
) -> std::result::Result<Narratives, StoreError> {
    let mut narratives = Narratives::default();
    for n in store.narratives(cycle)? {
        if let Some(section) = Section::parse(&n.section) {
            narratives.0.insert((n.unit, section), n.body);
        }
    }
    Ok(narratives)
}
