//! `jixiao backup|restore`. SQLite: `VACUUM INTO` gives a consistent copy while servers write
//! (copying the live file does not: committed writes may still sit in the WAL); a restore
//! checks the copy, then replaces the database file and its WAL in one rename. PostgreSQL:
//! `pg_dump --format=custom` and `pg_restore --clean`, which must be on the PATH.

use crate::support::open;
use anyhow::{bail, Context, Result};
use jixiao_app::{Actor, Store};
use std::path::Path;
use std::process::{Command, ExitCode};

pub fn backup(db: &str, actor: &Actor, output: &Path) -> Result<ExitCode> {
    if output.exists() {
        bail!(
            "{} exists already; choose a new file (a backup never overwrites one)",
            output.display()
        );
    }
    match Store::sqlite_file(db) {
        Some(_) => {
            let mut store = open(db)?;
            store
                .backup_sqlite(output)
                .with_context(|| format!("writing the backup {}", output.display()))?;
        }
        None if db.contains(":memory:") => bail!("an in-memory database has nothing to back up"),
        None => run(
            Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(output)
                .arg(db),
            "pg_dump",
        )?,
    }
    let (entries, ok) = check(&backup_url(db, output)?, actor)?;
    if !ok {
        bail!("the backup's audit log does not verify; keep the database and report this");
    }
    println!(
        "备份完成 backup written: {} ({} bytes, audit log of {entries} entries verified)",
        output.display(),
        std::fs::metadata(output).map(|m| m.len()).unwrap_or(0)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(db: &str, actor: &Actor, file: &Path, force: bool) -> Result<ExitCode> {
    if !file.is_file() {
        bail!("{}: no such backup file", file.display());
    }
    match Store::sqlite_file(db) {
        Some(target) => {
            let target = Path::new(target);
            if target.exists() && !force {
                bail!(
                    "{} exists; stop the servers and add --force to replace it",
                    target.display()
                );
            }
            // Check a staged copy (an older backup is brought up to this version's schema
            // there; the backup file itself is left as it is).
            let staged = target.with_extension("restoring");
            std::fs::copy(file, &staged)
                .with_context(|| format!("copying to {}", staged.display()))?;
            let url = format!("sqlite://{}", staged.display());
            let checked = check(&url, actor);
            let (entries, ok) = match checked {
                Ok(r) => r,
                Err(e) => {
                    let _ = std::fs::remove_file(&staged);
                    return Err(e.context(format!("{} is not a jixiao backup", file.display())));
                }
            };
            if !ok {
                let _ = std::fs::remove_file(&staged);
                bail!(
                    "{}: its audit log does not verify; not restored",
                    file.display()
                );
            }
            // A WAL left beside the old database would be replayed into the new one.
            for side in ["-wal", "-shm"] {
                let p = format!("{}{side}", target.display());
                if Path::new(&p).exists() {
                    std::fs::remove_file(&p).with_context(|| format!("removing {p}"))?;
                }
            }
            std::fs::rename(&staged, target)
                .with_context(|| format!("replacing {}", target.display()))?;
            println!(
                "已恢复 restored {} into {} (audit log of {entries} entries verified)",
                file.display(),
                target.display()
            );
        }
        None => {
            run(
                Command::new("pg_restore")
                    .args([
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--single-transaction",
                        "--dbname",
                    ])
                    .arg(db)
                    .arg(file),
                "pg_restore",
            )?;
            let (entries, ok) = check(db, actor)?;
            if !ok {
                bail!("restored, but the audit log does not verify");
            }
            println!(
                "已恢复 restored {} into {db} (audit log of {entries} entries verified)",
                file.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A database URL the backup can be checked at: the copy itself for SQLite; for PostgreSQL
/// the archive is checked by pg_restore --list only.
fn backup_url(db: &str, output: &Path) -> Result<String> {
    if Store::sqlite_file(db).is_some() {
        return Ok(format!("sqlite://{}", output.display()));
    }
    run(
        Command::new("pg_restore").arg("--list").arg(output),
        "pg_restore --list",
    )?;
    Ok(db.to_string())
}

/// Entries of the database's audit log and whether its hash chain verifies.
fn check(url: &str, actor: &Actor) -> Result<(u64, bool)> {
    let report = jixiao_app::audit::verify(&mut open(url)?, actor)?;
    Ok((report.entries as u64, report.intact()))
}

fn run(cmd: &mut Command, name: &str) -> Result<()> {
    let out = cmd.output().with_context(|| {
        format!("{name} could not be started; is it installed and on the PATH?")
    })?;
    if !out.status.success() {
        bail!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
