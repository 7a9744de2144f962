//! `jixiao honours import|list`: the honours and external assessments register.

use crate::cli::CycleArg;
use crate::support::{file_name, open, read};
use anyhow::Result;
use jixiao_app::Actor;
use std::path::Path;
use std::process::ExitCode;

pub fn import(db: &str, actor: &Actor, file: &Path, cycle: &CycleArg) -> Result<ExitCode> {
    let mut store = open(db)?;
    let bytes = read(file)?;
    let outcome = jixiao_app::honours::import(
        &mut store,
        actor,
        cycle.cycle.as_deref(),
        &file_name(file),
        &bytes,
    )?;
    println!(
        "荣誉和外部考核 honours: {} inserted, {} updated, {} unchanged",
        outcome.inserted, outcome.updated, outcome.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

pub fn list(
    db: &str,
    actor: &Actor,
    cycle: &CycleArg,
    unit: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let (_, entries) = jixiao_app::honours::list(&mut store, actor, cycle.cycle.as_deref(), unit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(ExitCode::SUCCESS);
    }
    let num = |x: Option<u32>| x.map(|x| x.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.unit_name.clone(),
                e.name.clone(),
                e.issuer.clone(),
                e.period.clone(),
                num(e.rank),
                e.scope.clone().unwrap_or_default(),
                num(e.streak),
                e.status.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        crate::table::render(
            &[
                "单位",
                "名称",
                "授予机关",
                "期间",
                "名次",
                "范围",
                "连续",
                "状态"
            ],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}
