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
    let fw = jixiao_app::cycles::load(&mut store, actor, args.cycle.cycle.as_deref())?;
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
    let mut loaded = jixiao_app::reports::loaded_for(
        &mut store,
        actor,
        Some(&fw.cycle.id),
        unit.as_deref().filter(|_| kind.needs_unit()),
    )?;
    if kind == Kind::Results {
        jixiao_app::reports::with_hotline(
            &mut store,
            &jixiao_app::Settings::default(),
            &mut loaded,
        )?;
    }
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let r = render(&loaded, &wording, kind, unit.as_deref(), format, date)?;
    write(&args.output, &r.bytes)?;
    println!("{} → {}", r.file_name, args.output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn publish(
    db: &str,
    actor: &Actor,
    cycle: &CycleArg,
    withdraw: bool,
    period: Option<&str>,
    reason: Option<&str>,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    if withdraw {
        let change = jixiao_app::reports::set_published(
            &mut store,
            actor,
            Some(&fw.cycle.id),
            false,
            None,
            None,
        )?;
        println!(
            "{} {}: 撤回 withdrawn ({change:?})",
            fw.cycle.id, fw.cycle.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (v, change) = jixiao_app::reports::publication::publish(
        &mut store,
        actor,
        Some(&fw.cycle.id),
        period,
        reason,
    )?;
    let what = match (change, v.version) {
        (jixiao_app::Change::Created, 1) => "已公开 published",
        (jixiao_app::Change::Created, _) => "已更正 corrected",
        (jixiao_app::Change::Unchanged, _) => "未变化 unchanged, already published",
        _ => "已重新公开 published again",
    };
    println!(
        "{} {}{}: {what}, version {} sha256 {}",
        fw.cycle.id,
        fw.cycle.name,
        period.map(|p| format!(" {p}")).unwrap_or_default(),
        v.version,
        v.sha256
    );
    Ok(ExitCode::SUCCESS)
}

pub fn publication(
    db: &str,
    actor: &Actor,
    cmd: crate::cli::PublicationCommand,
) -> Result<ExitCode> {
    use crate::cli::PublicationCommand;
    use jixiao_app::reports::publication as pb;
    let mut store = open(db)?;
    match cmd {
        PublicationCommand::List { cycle, period } => {
            let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
            let versions = pb::versions(&mut store, actor, &fw.cycle.id, period.as_deref())?;
            if versions.is_empty() {
                println!(
                    "{} {}: 尚未公开 never published",
                    fw.cycle.id, fw.cycle.name
                );
            }
            for v in versions {
                println!(
                    "v{}  {}  {}  sha256 {}  audit {}:{}  {}",
                    v.version,
                    v.published_at,
                    v.published_by,
                    v.sha256,
                    v.audit_seq,
                    v.audit_hash,
                    v.reason.unwrap_or_default()
                );
            }
            let periods = pb::published_periods(&mut store, &fw.cycle.id)?;
            if period.is_none() && !periods.is_empty() {
                println!("季度排名 period rankings published: {}", periods.join(", "));
            }
        }
        PublicationCommand::Bundle {
            cycle,
            period,
            version,
            output,
        } => {
            let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
            let version = match version {
                Some(v) => v,
                None => pb::versions(&mut store, actor, &fw.cycle.id, period.as_deref())?
                    .last()
                    .map(|v| v.version)
                    .ok_or_else(|| {
                        anyhow::anyhow!("cycle `{}` was never published", fw.cycle.id)
                    })?,
            };
            let text = pb::bundle(&mut store, actor, &fw.cycle.id, period.as_deref(), version)?;
            write(&output, text.as_bytes())?;
            println!("{} v{version} → {}", fw.cycle.id, output.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify_publication(path: &std::path::Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let v = jixiao_app::reports::publication::verify(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    println!("{} v{}", v.cycle, v.version);
    if v.stated_sha256 == v.computed_sha256 {
        println!("SHA-256 一致 matches: {}", v.computed_sha256);
    } else {
        println!(
            "SHA-256 不一致 differs: the bundle states {}, its content gives {}",
            v.stated_sha256, v.computed_sha256
        );
    }
    for d in &v.differences {
        println!("不一致 differs: {d}");
    }
    if v.intact() {
        println!("复核通过 verified: every published figure recomputes bit for bit");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("复核未通过 NOT verified");
        Ok(ExitCode::FAILURE)
    }
}

pub fn visibility(
    db: &str,
    actor: &Actor,
    cycle: &CycleArg,
    units_see: Option<&str>,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    if let Some(v) = units_see {
        jixiao_app::visibility::set(&mut store, actor, Some(&fw.cycle.id), v)?;
    }
    let v = jixiao_app::visibility::setting(&mut store, &fw.cycle.id)?;
    println!(
        "{} {}: {} ({})",
        fw.cycle.id,
        fw.cycle.name,
        v.as_str(),
        v.label_zh()
    );
    Ok(ExitCode::SUCCESS)
}
