//! `jixiao check`, `import taskbook`, `export taskbook`, `cycle next`.

use crate::cli::{BookFormat, CycleArg};
use crate::support::{open, read_taskbook, write};
use anyhow::{anyhow, Result};
use jixiao_app::Actor;
use jixiao_core::explain::num;
use std::path::Path;
use std::process::ExitCode;

pub fn check(file: &Path) -> Result<ExitCode> {
    let fw = read_taskbook(file)?;
    let tasks = fw.tasks().count();
    let inner = fw.nodes.len() - tasks;
    println!(
        "✓ {}: {} ({}) — {} 个指标节点 nodes, {} 项任务 tasks, {} 个单位 units ({} 单列), {} 个填报期 periods, 满分 {}",
        file.display(),
        fw.cycle.name,
        fw.cycle.id,
        inner,
        tasks,
        fw.units.len(),
        fw.units.iter().filter(|u| !u.ranked).count(),
        fw.cycle.periods.len(),
        num(fw.total_points())
    );
    Ok(ExitCode::SUCCESS)
}

pub fn import(db: &str, actor: &Actor, file: &Path) -> Result<ExitCode> {
    let fw = read_taskbook(file)?;
    let change = jixiao_app::cycles::import_taskbook(&mut open(db)?, actor, &fw, None)?;
    println!("任务书 {} ({}): {:?}", fw.cycle.id, fw.cycle.name, change);
    Ok(ExitCode::SUCCESS)
}

pub fn export(db: &str, cycle: &CycleArg, format: BookFormat, output: &Path) -> Result<ExitCode> {
    let fw = jixiao_app::cycles::load(&mut open(db)?, cycle.cycle.as_deref())?;
    let bytes = match format {
        BookFormat::Toml => jixiao_taskbook::to_toml(&fw).into_bytes(),
        BookFormat::Xlsx => {
            jixiao_taskbook::xlsx::to_xlsx(&fw).map_err(|e| anyhow!("writing xlsx: {e}"))?
        }
    };
    write(output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub fn next(
    db: &str,
    actor: &Actor,
    from: &str,
    id: Option<String>,
    output: &Path,
) -> Result<ExitCode> {
    let next = jixiao_app::cycles::next(&mut open(db)?, actor, from, id.as_deref())?;
    let is_xlsx = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if is_xlsx {
        jixiao_taskbook::xlsx::to_xlsx(&next.framework).map_err(|e| anyhow!("writing xlsx: {e}"))?
    } else {
        format!(
            "{}{}",
            next.header,
            jixiao_taskbook::to_toml(&next.framework)
        )
        .into_bytes()
    };
    write(output, &bytes)?;
    println!(
        "{} ({}): {} 项任务 tasks, 其中整改任务 {} 项 rectification tasks, {} 个目标待重新设定 targets to re-set → {}",
        next.framework.cycle.id,
        next.framework.cycle.name,
        next.framework.tasks().count(),
        next.rectification_tasks,
        next.targets_to_reset,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
