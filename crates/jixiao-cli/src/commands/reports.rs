//! `jixiao report` and `jixiao publish`.

use crate::cli::{CycleArg, ReportArgs, ReportFormat, ReportKind};
use crate::support::{open, write};
use anyhow::{Context, Result};
use jixiao_app::reports::{render, Format, Kind};
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn report(db: &str, actor: &Actor, args: ReportArgs) -> Result<ExitCode> {
    let wording = match &args.wording {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            jixiao_report::wording::Wording::with_overrides(&path.display().to_string(), &text)?
        }
        None => jixiao_report::wording::Wording::default(),
    };
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, args.cycle.cycle.as_deref())?;
    let unit = args
        .unit
        .as_deref()
        .map(|u| crate::support::unit_id(&fw, u))
        .transpose()?;
    let kind = match args.kind {
        ReportKind::SelfReport => Kind::SelfReport,
        ReportKind::Results => Kind::Results,
        ReportKind::Selfcheck => Kind::SelfCheck,
    };
    let format = match args.format {
        ReportFormat::Docx => Format::Docx,
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Md,
        ReportFormat::Xlsx => Format::Xlsx,
    };
    let loaded = jixiao_app::reports::loaded_for(
        &mut store,
        actor,
        Some(&fw.cycle.id),
        unit.as_deref().filter(|_| kind.needs_unit()),
    )?;
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let r = render(&loaded, &wording, kind, unit.as_deref(), format, date)?;
    write(&args.output, &r.bytes)?;
    println!("{} → {}", r.file_name, args.output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn publish(db: &str, actor: &Actor, cycle: &CycleArg, withdraw: bool) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, cycle.cycle.as_deref())?;
    let change =
        jixiao_app::reports::set_published(&mut store, actor, Some(&fw.cycle.id), !withdraw)?;
    let what = if withdraw {
        "撤回 withdrawn"
    } else {
        "已公开 published"
    };
    println!("{} {}: {what} ({change:?})", fw.cycle.id, fw.cycle.name);
    Ok(ExitCode::SUCCESS)
}
