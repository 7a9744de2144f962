//! `jixiao audit verify|head|log`.

use crate::support::open;
use crate::table;
use anyhow::Result;
use jixiao_app::audit::AuditFilter;
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn verify(db: &str, actor: &Actor, expect_head: Option<&str>) -> Result<ExitCode> {
    let expected = match expect_head {
        None => None,
        Some(h) => Some(
            h.split_once(':')
                .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash.to_string())))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--expect-head `{h}` is not SEQ:HASH (as `jixiao audit head` prints it)"
                    )
                })?,
        ),
    };
    let mut store = open(db)?;
    let report = jixiao_app::audit::verify(&mut store, actor)?;
    let head_problem = match &expected {
        Some((seq, hash)) => jixiao_app::audit::check_head(&mut store, actor, *seq, hash)?,
        None => None,
    };
    let mut ok = true;
    match &report.first_broken {
        None => println!(
            "哈希链完整 hash chain intact: {} entries, head {}:{}",
            report.entries, report.head.0, report.head.1
        ),
        Some((seq, why)) => {
            ok = false;
            eprintln!(
                "审计日志被篡改 audit log tampered: entry #{seq} {why} ({} entries)",
                report.entries
            );
        }
    }
    if let Some((seq, why)) = &report.first_unkeyed {
        ok = false;
        eprintln!("审计日志被篡改 audit log tampered: entry #{seq} {why}");
    } else if report.keys_unchecked {
        println!(
            "{} entries carry keyed marks; set JIXIAO_AUDIT_KEY to check them",
            report.keyed_entries
        );
    } else if report.keyed_entries > 0 {
        println!(
            "密钥标记完整 keyed marks verified: {} entries",
            report.keyed_entries
        );
    }
    if let Some(p) = &head_problem {
        ok = false;
        eprintln!("审计日志被截断 audit log cut: {p}");
    }
    if report.data.is_empty() {
        println!(
            "数据与日志一致 data agrees with the log: every audited row is sealed by its entry"
        );
    } else {
        ok = false;
        eprintln!(
            "数据被篡改 data changed outside jixiao: {} problems",
            report.data.len()
        );
        for p in report.data.iter().take(200) {
            eprintln!("  {p}");
        }
        if report.data.len() > 200 {
            eprintln!("  … and {} more", report.data.len() - 200);
        }
    }
    Ok(if ok {
        println!("审计日志完整 audit log intact");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
