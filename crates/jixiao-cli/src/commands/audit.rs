//! `jixiao audit verify|log`.

use crate::support::open;
use crate::table;
use anyhow::Result;
use jixiao_app::audit::AuditFilter;
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn verify(db: &str, actor: &Actor) -> Result<ExitCode> {
    let report = jixiao_app::audit::verify(&mut open(db)?, actor)?;
    match report.first_broken {
        None => {
            println!(
                "审计日志完整 audit log intact: {} entries, hash chain verified",
                report.entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, why)) => {
            eprintln!(
                "审计日志被篡改 audit log tampered: entry #{seq} {why} ({} entries)",
                report.entries
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn log(db: &str, actor: &Actor, entity: Option<String>) -> Result<ExitCode> {
    let entries = jixiao_app::audit::entries(
        &mut open(db)?,
        actor,
        &AuditFilter {
            entity,
            ..Default::default()
        },
    )?;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                e.entity.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(
            &["#", "时间 at", "操作人 actor", "操作 action", "对象 entity"],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}
