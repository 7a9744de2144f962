//! A small framework builder for tests: one dimension of tasks, units in two groups.
#![allow(dead_code)]

use chrono::NaiveDate;
use jixiao_core::inputs::{Inputs, LedgerEntry, Observation, ValueRecord};
use jixiao_core::model::*;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn task(
    method: Method,
    direction: Direction,
    target: Option<f64>,
    challenge: Option<f64>,
    floor: Option<f64>,
) -> Task {
    Task {
        measure: String::new(),
        direction,
        targets: Targets {
            target,
            challenge,
            floor,
        },
        overrides: Vec::new(),
        method,
        missing: MissingPolicy::Zero,
        period_rule: PeriodRule::Latest,
        responsible: Vec::new(),
        due: None,
        progress: Vec::new(),
        checks: Default::default(),
        formula: None,
    }
}

/// A framework whose root "D" (points = sum of tasks) holds the given tasks with their points.
pub fn framework(units: usize, tasks: Vec<(f64, Task)>) -> Framework {
    let total: f64 = tasks.iter().map(|(p, _)| p).sum();
    let mut nodes = vec![Node {
        id: "D".into(),
        name: "维度".into(),
        description: String::new(),
        parent: None,
        children: (1..=tasks.len()).collect(),
        points: total,
        evaluators: vec![],
        children_sum: true,
        aggregate: Aggregate::Sum,
        task: None,
        tags: vec![],
        classes: vec![],
        class_points: vec![],
    }];
    for (i, (points, t)) in tasks.into_iter().enumerate() {
        nodes.push(Node {
            id: format!("T{}", i + 1),
            name: format!("任务{}", i + 1),
            description: String::new(),
            parent: Some(0),
            children: vec![],
            points,
            evaluators: vec![],
            children_sum: false,
            aggregate: Aggregate::Sum,
            task: Some(t),
            tags: vec![],
            classes: vec![],
            class_points: vec![],
        });
    }
    Framework {
        cycle: Cycle {
            id: "2020".into(),
            name: "测试".into(),
            start: date(2020, 1, 1),
            end: date(2020, 12, 31),
            periods: vec![Period {
                id: "Y".into(),
                name: "全年".into(),
                start: date(2020, 1, 1),
                end: date(2020, 12, 31),
                deadline: date(2021, 1, 15),
            }],
        },
        groups: vec![
            Group {
                id: "g1".into(),
                name: "一组".into(),
            },
            Group {
                id: "g2".into(),
                name: "二组".into(),
            },
        ],
        units: (0..units)
            .map(|u| Unit {
                id: format!("u{u}"),
                name: format!("单位{u}"),
                kind: UnitKind::District,
                groups: vec![if u % 2 == 0 { "g1" } else { "g2" }.into()],
                ranked: true,
                class: None,
            })
            .collect(),
        evaluators: vec![],
        tags: vec![],
        classes: vec![],
        organisation: None,
        nodes,
        grades: vec![
            GradeBand {
                name: "优秀".into(),
                min: 90.0,
            },
            GradeBand {
                name: "良好".into(),
                min: 80.0,
            },
            GradeBand {
                name: "一般".into(),
                min: 0.0,
            },
        ],
        bonus: LedgerPolicy { cap: Some(3.0) },
        deduction: LedgerPolicy { cap: Some(5.0) },
        ranking: RankingPolicy::default(),
        status: StatusPolicy::default(),
        checks: Default::default(),
    }
}

/// Inputs from `values[unit][task]` (None = missing).
pub fn inputs(
    fw: &Framework,
    values: &[Vec<Option<Observation>>],
    ledger: Vec<LedgerEntry>,
) -> Inputs {
    let mut records = Vec::new();
    for (u, row) in values.iter().enumerate() {
        for (t, v) in row.iter().enumerate() {
            if let Some(v) = v {
                records.push(ValueRecord {
                    task: t + 1,
                    unit: u,
                    period: 0,
                    observation: v.clone(),
                });
            }
        }
    }
    Inputs::from_records(fw, &records, ledger)
}

pub fn n(x: f64) -> Option<Observation> {
    Some(Observation::Number(x))
}
