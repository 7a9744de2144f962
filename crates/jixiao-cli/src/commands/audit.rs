//! `jixiao audit verify|head|log`.

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
    let mut store = open(db)?;
    // Every entry, a page at a time.
    let mut entries = Vec::new();
    loop {
        let page = jixiao_app::audit::entries(
            &mut store,
            actor,
            &AuditFilter {
                entity: entity.clone(),
                after: entries
                    .last()
                    .map(|e: &jixiao_app::audit::AuditEntry| e.seq),
                limit: Some(jixiao_app::audit::MAX_LIMIT),
                ..Default::default()
            },
        )?;
        let last_page = page.len() < jixiao_app::audit::MAX_LIMIT;
        entries.extend(page);
        if last_page {
            break;
        }
    }
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

pub fn head(db: &str, actor: &Actor) -> Result<ExitCode> {
    let (seq, hash) = jixiao_app::audit::head(&mut open(db)?, actor)?;
    println!("{seq}:{hash}");
    Ok(ExitCode::SUCCESS)
}
