//! `jixiao import values` and `import ledger`: every row checked first, then all or nothing.

use crate::cli::{CycleArg, StateArg};
use crate::support::{file_name, open, progress, read};
use crate::Diagnosed;
use anyhow::Result;
use jixiao_app::Actor;
use jixiao_core::workflow::ValueState;
use std::path::Path;
use std::process::ExitCode;

pub fn import_values(
    db: &str,
    actor: &Actor,
    file: &Path,
    cycle: &CycleArg,
    state: StateArg,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    let bytes = read(file)?;
    let state = match state {
        StateArg::Draft => ValueState::Draft,
        StateArg::Submitted => ValueState::Submitted,
        StateArg::Approved => ValueState::Approved,
    };
    let rows = jixiao_taskbook::values::parse_values(
        &fw,
        &bytes,
        &file_name(file),
        state,
        jixiao_taskbook::values::Blanks::Refuse,
    )
    .map_err(Diagnosed)?;
    warn_jumps(&mut store, &fw, &rows)?;
    let bar = progress(rows.len() as u64, "导入数值 importing values");
    let outcome = jixiao_app::values::import(&mut store, actor, &fw.cycle.id, &rows, &mut |n| {
        bar.set_position(n as u64)
    })?;
    bar.finish_and_clear();
    println!(
        "数值 values: {} inserted, {} updated, {} unchanged",
        outcome.inserted, outcome.updated, outcome.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

/// The office's figures are the record, so a jump without a note does not refuse the import
/// (a unit's upload it does): each is listed, for the office to ask about.
fn warn_jumps(
    store: &mut jixiao_app::Store,
    fw: &jixiao_core::Framework,
    rows: &[jixiao_core::records::ValueRow],
) -> Result<()> {
    let jumps = jixiao_app::values::checks::jumps_in_rows(store, fw, rows)?;
    print_jumps(&jumps);
    Ok(())
}

/// Lists jumps without a note (the first 20, then how many more).
pub fn print_jumps(jumps: &[(usize, jixiao_core::checks::Words)]) {
    if jumps.is_empty() {
        return;
    }
    eprintln!(
        "注意 note: {} 个数值波动超过阈值且无说明 values moved more than the threshold without a note:",
        jumps.len()
    );
    for (_, w) in jumps.iter().take(20) {
        eprintln!("  {} ({})", w.zh, w.en);
    }
    if jumps.len() > 20 {
        eprintln!("  … {} more", jumps.len() - 20);
    }
}

pub fn import_ledger(db: &str, actor: &Actor, file: &Path, cycle: &CycleArg) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    let bytes = read(file)?;
    let rows =
        jixiao_taskbook::values::parse_ledger(&fw, &bytes, &file_name(file)).map_err(Diagnosed)?;
    let outcome = jixiao_app::ledger::import(&mut store, actor, &fw.cycle.id, &rows)?;
    println!(
        "加扣分 ledger: {} inserted, {} updated, {} unchanged",
        outcome.inserted, outcome.updated, outcome.unchanged
    );
    Ok(ExitCode::SUCCESS)
}
