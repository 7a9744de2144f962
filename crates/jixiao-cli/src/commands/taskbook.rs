//! `jixiao check`, `import taskbook`, `export taskbook`, `cycle next`.

use crate::cli::{BookFormat, CycleArg};
use crate::support::{open, read_taskbook, write};
use anyhow::{anyhow, Result};
use jixiao_app::Actor;
use jixiao_core::explain::num;
use std::path::Path;
use std::process::ExitCode;

pub fn check(file: &Path, values: Option<&Path>) -> Result<ExitCode> {
    let fw = read_taskbook(file)?;
    let leaves = fw.tasks().count();
    let figures = fw.tasks().filter(|&t| fw.is_figure(t)).count();
    let formulas = fw.tasks().filter(|&t| fw.is_computed(t)).count();
    let inner = fw.nodes.len() - leaves;
    let extra = if figures + formulas > 0 {
        format!(" (其中公式任务 {formulas} 项 formula tasks; 另有报送数据 {figures} 项 figures)")
    } else {
        String::new()
    };
    println!(
        "✓ {}: {} ({}) — {} 个指标节点 nodes, {} 项任务 tasks{extra}, {} 个单位 units ({} 单列), {} 个填报期 periods, 满分 {}",
        file.display(),
        fw.cycle.name,
        fw.cycle.id,
        inner,
        leaves - figures,
        fw.units.len(),
        fw.units.iter().filter(|u| !u.ranked).count(),
        fw.cycle.periods.len(),
        full_marks(&fw)
    );
    if let Some(o) = &fw.organisation {
        println!(
            "  组织单位 organisation: {} ({}) — 仅该单位的账号在此周期内工作 only its accounts work in this cycle",
            o.name, o.id
        );
    }
    if let Some(values) = values {
        check_values(&fw, values)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The full marks: one figure, or each class's (区政府 100 · 市政府部门 100).
fn full_marks(fw: &jixiao_core::Framework) -> String {
    if fw.classes.is_empty() {
        return num(fw.total_points());
    }
    fw.classes
        .iter()
        .map(|c| {
            let marks = fw
                .units
                .iter()
                .position(|u| u.class.as_deref() == Some(c.id.as_str()))
                .map(|u| fw.full_marks(u))
                .or(c.total_points)
                .unwrap_or_default();
            format!("{} {}", c.name, num(marks))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A value file checked against the task book as an import would check it (columns, units,
/// tasks, periods, grades, each value within its task's bounds), and the jump check within
/// the file (listed, as an office import lists it).
fn check_values(fw: &jixiao_core::Framework, file: &Path) -> Result<()> {
    let bytes = crate::support::read(file)?;
    let rows = jixiao_taskbook::values::parse_values(
        fw,
        &bytes,
        &crate::support::file_name(file),
        jixiao_core::workflow::ValueState::Approved,
        jixiao_taskbook::values::Blanks::Skip,
    )
    .map_err(crate::Diagnosed)?;
    let jumps: Vec<(usize, jixiao_core::checks::Words)> =
        jixiao_core::checks::jumps_in(fw, &rows, &|_| None, &|_| None)
            .into_iter()
            .map(|(i, j)| {
                let r = &rows[i];
                let t = fw.node_index(&r.key.task).unwrap_or(0);
                let w = j.words(fw, t, r.observation.as_number().unwrap_or(0.0));
                let who = format!("{} {}", r.key.unit, r.key.period);
                (
                    i,
                    jixiao_core::checks::Words {
                        en: format!("{who}: {}", w.en),
                        zh: format!("{who}:{}", w.zh),
                    },
                )
            })
            .collect();
    println!(
        "✓ {}: {} 个数值均在取值范围内 values within their tasks' bounds",
        file.display(),
        rows.len()
    );
    super::values::print_jumps(&jumps);
    Ok(())
}

pub fn import(db: &str, actor: &Actor, file: &Path) -> Result<ExitCode> {
    let fw = read_taskbook(file)?;
    let change = jixiao_app::cycles::import_taskbook(&mut open(db)?, actor, &fw, None)?;
    println!("任务书 {} ({}): {:?}", fw.cycle.id, fw.cycle.name, change);
    Ok(ExitCode::SUCCESS)
}

pub fn export(db: &str, cycle: &CycleArg, format: BookFormat, output: &Path) -> Result<ExitCode> {
    let fw = jixiao_app::cycles::load(
        &mut open(db)?,
        &Actor::office("cli"),
        cycle.cycle.as_deref(),
    )?;
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
