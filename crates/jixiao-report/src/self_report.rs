//! The self-assessment report (绩效自评报告) of one unit, in the order of the districts' own
//! reports: overall situation, results by area, problems and rectification, next year's focus.

use crate::doc::{Block, Document};
use crate::wording::Wording;
use crate::zhnum::{amount, chinese_ordinal, heading_number, plain, year_on_year};
use crate::{completion, share_of_target, Completion, Data, ReportError, Section};
use jixiao_core::model::{NodeIdx, UnitIdx};
use jixiao_core::{LedgerKind, Observation};
use minijinja::context;

/// A figure the report states about the unit as a whole (not a task), so that a report checker
/// can reconcile it: name as the default wording phrases it, value and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFact {
    pub name: String,
    pub value: f64,
    pub measure: String,
}

struct Counts {
    indicators: usize,
    tasks: usize,
    reported: usize,
    completed: usize,
    exceeded: usize,
}

/// Tasks and indicators as reports count them: the public survey and the leaders' evaluation
/// (scores on their own scale) are parts of the assessment, not tasks of the task book.
fn counted_tasks(d: &Data, unit: UnitIdx) -> Vec<NodeIdx> {
    d.tasks_of(unit)
        .into_iter()
        .filter(|&t| {
            !matches!(
                d.fw.nodes[t].task.as_ref().map(|x| &x.method),
                Some(jixiao_core::Method::Scaled { .. })
            )
        })
        .collect()
}

fn counts(d: &Data, unit: UnitIdx) -> Counts {
    let tasks = counted_tasks(d, unit);
    let mut parents: Vec<NodeIdx> = tasks.iter().filter_map(|&t| d.fw.nodes[t].parent).collect();
    parents.dedup();
    parents.sort_unstable();
    parents.dedup();
    let states: Vec<Completion> = tasks.iter().map(|&t| completion(d, t, unit)).collect();
    Counts {
        indicators: parents.len(),
        tasks: tasks.len(),
        reported: states.iter().filter(|c| **c != Completion::Missing).count(),
        completed: states.iter().filter(|c| c.done()).count(),
        exceeded: states
            .iter()
            .filter(|c| **c == Completion::Exceeded)
            .count(),
    }
}

fn bonus_points(d: &Data, unit: UnitIdx) -> f64 {
    d.card.units[unit].bonus
}

/// The figures of the overall situation, for the report checker.
pub fn summary_facts(d: &Data, unit: UnitIdx) -> Vec<SummaryFact> {
    let c = counts(d, unit);
    let us = &d.card.units[unit];
    let fact = |name: &str, value: f64, measure: &str| SummaryFact {
        name: name.into(),
        value,
        measure: measure.into(),
    };
    let mut out = vec![
        fact("考评指标", c.indicators as f64, "项"),
        fact("考评任务", c.tasks as f64, "项"),
        fact("报送经审核年度数据的任务", c.reported as f64, "项"),
        fact("完成年度目标的任务", c.completed as f64, "项"),
        fact("超额完成的任务", c.exceeded as f64, "项"),
        fact("年度综合得分", round2(us.total), "分"),
    ];
    if bonus_points(d, unit) > 0.0 {
        out.push(fact("创新创优加分合计", round2(us.bonus), "分"));
    }
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One sentence per task: its value, target, share of target, change on last year, completion.
fn task_sentence(
    d: &Data,
    w: &Wording,
    task: NodeIdx,
    unit: UnitIdx,
) -> Result<String, ReportError> {
    let node = &d.fw.nodes[task];
    let t = node.task.as_ref().expect("a task");
    let name = node.name.as_str();
    let mut s = match d.value(task, unit) {
        None => w.render("self.task_missing", context! { name })?,
        Some(Observation::Grade(g)) => {
            w.render("self.task_grade", context! { name, grade => g })?
        }
        Some(Observation::Number(x)) => {
            let mut s = w.render(
                "self.task_value",
                context! { name, amount => amount(*x, &t.measure) },
            )?;
            if let Some(target) = d.target(task, unit) {
                s += &w.render(
                    "self.task_target",
                    context! { target => amount(target, &t.measure) },
                )?;
            }
            if let Some(share) = share_of_target(d, task, unit) {
                s += &w.render("self.task_share", context! { share => plain(share, 1) })?;
            }
            if let Some(change) = d
                .previous_value(task, unit)
                .and_then(|p| year_on_year(*x, p, &t.measure))
            {
                s += &w.render("self.task_change", context! { change })?;
            }
            s += &match completion(d, task, unit) {
                Completion::Exceeded => w.word("self.task_exceeded"),
                Completion::Met => w.word("self.task_met"),
                Completion::Missed => w.word("self.task_missed"),
                _ => String::new(),
            };
            s
        }
    };
    s.push('。');
    Ok(s)
}

/// The self-assessment report of `unit`.
pub fn self_report(d: &Data, w: &Wording, unit: UnitIdx) -> Result<Document, ReportError> {
    let fw = d.fw;
    let u = &fw.units[unit];
    let us = &d.card.units[unit];
    let base = context! {
        unit => u.name, year => d.year(), cycle => fw.cycle.name, date => d.date_zh(),
    };
    let mut doc = Document::new(w.render("self.title", base.clone())?);
    doc.subtitle.push(w.render("self.subtitle", base.clone())?);
    let tasks = d.tasks_of(unit);

    // 一、总体情况
    doc.heading(
        1,
        format!("{}{}", heading_number(1, 1), w.word("self.heading_overall")),
    );
    let c = counts(d, unit);
    doc.paragraph(w.render(
        "self.overall",
        context! {
            ..base.clone(),
            ..context! {
                indicators => c.indicators, tasks => c.tasks, reported => c.reported,
                completed => c.completed, exceeded => c.exceeded,
            }
        },
    )?);
    doc.paragraph(w.render(
        "self.score",
        context! {
            ..base.clone(),
            ..context! {
                total => plain(us.total, 2),
                rank => us.rank.map(|r| chinese_ordinal(r as usize)),
                grade => us.grade,
            }
        },
    )?);
    let mut exceeded: Vec<(NodeIdx, f64)> = tasks
        .iter()
        .copied()
        .filter(|&t| completion(d, t, unit) == Completion::Exceeded)
        .filter_map(|t| Some((t, share_of_target(d, t, unit)?)))
        .collect();
    exceeded.sort_by(|a, b| b.1.total_cmp(&a.1));
    exceeded.truncate(w.number("self.highlights")?);
    if !exceeded.is_empty() {
        doc.paragraph(w.word("self.exceeded_intro"));
        let items = exceeded
            .iter()
            .map(|&(t, _)| task_sentence(d, w, t, unit))
            .collect::<Result<Vec<_>, _>>()?;
        doc.blocks.push(Block::List { items });
    }
    let bonuses: Vec<String> = d
        .inputs
        .ledger
        .iter()
        .filter(|e| e.unit == unit && e.kind == LedgerKind::Bonus)
        .map(|e| format!("{}。", e.reason.trim_end_matches('。')))
        .collect();
    if !bonuses.is_empty() {
        doc.paragraph(w.render(
            "self.bonus_intro",
            context! { points => plain(us.bonus, 2) },
        )?);
        doc.blocks.push(Block::List { items: bonuses });
    }
    for section in [Section::Overview, Section::Highlights] {
        if let Some(text) = d.narratives.get(&u.id, section) {
            for p in text.split("\n\n") {
                doc.paragraph(p.trim());
            }
        }
    }

    // 二、主要任务完成情况: by dimension (一), indicator 1.
    doc.heading(
        1,
        format!("{}{}", heading_number(1, 2), w.word("self.heading_results")),
    );
    let mut dimension_no = 0;
    for root in fw.roots() {
        let under: Vec<NodeIdx> = tasks
            .iter()
            .copied()
            .filter(|&t| root_of(d, t) == root)
            .collect();
        if under.is_empty() {
            continue;
        }
        dimension_no += 1;
        doc.heading(
            2,
            format!("{}{}", heading_number(2, dimension_no), fw.nodes[root].name),
        );
        let mut parents: Vec<NodeIdx> = Vec::new();
        for &t in &under {
            let p = fw.nodes[t].parent.unwrap_or(t);
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
        let mut indicator_no = 0;
        for p in parents {
            let sentences = under
                .iter()
                .filter(|&&t| fw.nodes[t].parent.unwrap_or(t) == p)
                .map(|&t| task_sentence(d, w, t, unit))
                .collect::<Result<Vec<_>, _>>()?;
            if p != root && fw.nodes[p].task.is_none() {
                indicator_no += 1;
                doc.heading(
                    3,
                    format!("{}{}", heading_number(3, indicator_no), fw.nodes[p].name),
                );
            }
            doc.paragraph(sentences.concat());
        }
    }

    // 三、存在的不足和整改措施
    doc.heading(
        1,
        format!(
            "{}{}",
            heading_number(1, 3),
            w.word("self.heading_problems")
        ),
    );
    let missed: Vec<String> = tasks
        .iter()
        .filter(|&&t| completion(d, t, unit) == Completion::Missed)
        .map(|&t| format!("{}。", fw.nodes[t].name))
        .collect();
    let deductions: Vec<String> = d
        .inputs
        .ledger
        .iter()
        .filter(|e| e.unit == unit && e.kind == LedgerKind::Deduction)
        .map(|e| format!("{}。", e.reason.trim_end_matches('。')))
        .collect();
    if missed.is_empty() && deductions.is_empty() {
        doc.paragraph(w.word("self.no_problems"));
    }
    if !missed.is_empty() {
        doc.paragraph(w.word("self.missed_intro"));
        doc.blocks.push(Block::List { items: missed });
    }
    if !deductions.is_empty() {
        doc.paragraph(w.word("self.deductions_intro"));
        doc.blocks.push(Block::List { items: deductions });
    }
    let items = d.narratives.rectification_items(&u.id);
    if !items.is_empty() {
        doc.paragraph(w.word("self.rectification_intro"));
        doc.blocks.push(Block::List { items });
    }

    // 四、下一步工作打算
    doc.heading(
        1,
        format!("{}{}", heading_number(1, 4), w.word("self.heading_next")),
    );
    match d.narratives.get(&u.id, Section::NextYear) {
        Some(text) => {
            for p in text.split("\n\n") {
                doc.paragraph(p.trim());
            }
        }
        None => {
            let next_year = d.year().parse::<i32>().map(|y| y + 1).unwrap_or_default();
            doc.paragraph(w.render(
                "self.next_default",
                context! { ..base, ..context! { next_year } },
            )?);
        }
    }
    Ok(doc)
}

fn root_of(d: &Data, mut n: NodeIdx) -> NodeIdx {
    while let Some(p) = d.fw.nodes[n].parent {
        n = p;
    }
    n
}
