//! `jixiao survey import|list`: assessment sources made of many answers.

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
