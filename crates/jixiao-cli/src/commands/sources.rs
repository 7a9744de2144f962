//! `jixiao survey import|list`: assessment sources made of many answers; `jixiao supervision
//! list|deductions|carry`: 督查督办.

use crate::cli::CycleArg;
use crate::support::{file_name, open, read};
use anyhow::Result;
use jixiao_app::Actor;
use jixiao_core::numbers::num;
use std::path::Path;
use std::process::ExitCode;

pub fn import_survey(
    db: &str,
    actor: &Actor,
    questionnaire: &Path,
    results: &Path,
    cycle: &CycleArg,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let (q, r) = (read(questionnaire)?, read(results)?);
    let out = jixiao_app::surveys::import(
        &mut store,
        actor,
        cycle.cycle.as_deref(),
        (&file_name(questionnaire), &q),
        (&file_name(results), &r),
    )?;
    if out.changed {
        println!(
            "市民评议 survey {}: {} units → task {} ({} values inserted, {} updated)",
            out.survey, out.units, out.task, out.values_inserted, out.values_updated
        );
    } else {
        println!(
            "市民评议 survey {}: unchanged (the same questionnaire and results)",
            out.survey
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list_surveys(db: &str, actor: &Actor, cycle: &CycleArg, json: bool) -> Result<ExitCode> {
    let mut store = open(db)?;
    let (_, surveys) = jixiao_app::surveys::list(&mut store, actor, cycle.cycle.as_deref())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&surveys)?);
        return Ok(ExitCode::SUCCESS);
    }
    for s in &surveys {
        println!(
            "{} [{}] → {} {}({}%)",
            s.name,
            s.id,
            s.task,
            s.task_name,
            num(s.confidence * 100.0)
        );
        let rows: Vec<Vec<String>> = s
            .units
            .iter()
            .map(|u| {
                vec![
                    u.unit_name.clone(),
                    num(u.score),
                    format!("±{}", num(u.margin)),
                    u.sample.to_string(),
                ]
            })
            .collect();
        print!(
            "{}",
            crate::table::render(&["单位", "得分", "误差", "样本"], &rows)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import_supervision(
    db: &str,
    actor: &Actor,
    file: &Path,
    cycle: &CycleArg,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let bytes = read(file)?;
    let out = jixiao_app::supervision::import(
        &mut store,
        actor,
        cycle.cycle.as_deref(),
        &file_name(file),
        &bytes,
    )?;
    println!(
        "督查督办 supervision items: {} inserted, {} updated, {} unchanged",
        out.inserted, out.updated, out.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

fn settings_on(today: Option<chrono::NaiveDate>) -> jixiao_app::Settings {
    jixiao_app::Settings {
        today,
        ..Default::default()
    }
}

pub fn list_supervision(
    db: &str,
    actor: &Actor,
    cycle: &CycleArg,
    today: Option<chrono::NaiveDate>,
    json: bool,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let list = jixiao_app::supervision::list(
        &mut store,
        &settings_on(today),
        actor,
        cycle.cycle.as_deref(),
    )?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list.items)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = list
        .items
        .iter()
        .map(|i| {
            vec![
                i.id.clone(),
                i.warning.clone(),
                i.title.clone(),
                i.unit_name.clone(),
                i.deadline.clone(),
                i.progress.map(|p| format!("{p}%")).unwrap_or_default(),
                i.status.clone(),
                i.deduction
                    .map(|d| format!("-{}", num(d)))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        crate::table::render(
            &["编号", "预警", "事项", "单位", "期限", "进度", "状态", "扣分"],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn supervision_deductions(
    db: &str,
    actor: &Actor,
    cycle: &CycleArg,
    today: Option<chrono::NaiveDate>,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let n = jixiao_app::supervision::apply_deductions(
        &mut store,
        &settings_on(today),
        actor,
        cycle.cycle.as_deref(),
    )?;
    println!("督查督办扣分 supervision deductions: {n} entries in the ledger");
    Ok(ExitCode::SUCCESS)
}

pub fn carry_supervision(
    db: &str,
    actor: &Actor,
    from: &str,
    to: &str,
    deadline: chrono::NaiveDate,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let n = jixiao_app::supervision::carry_over(&mut store, actor, from, to, deadline)?;
    println!("督查督办结转 carried into {to}: {n} items");
    Ok(ExitCode::SUCCESS)
}
