//! `jixiao grid feed|figures`: 网格化管理 figures and task A23-1.

use crate::cli::CycleArg;
use crate::support::open;
use anyhow::Result;
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn feed(db: &str, actor: &Actor, cycle: &CycleArg, task: &str) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    let n = jixiao_app::hotline::grid::feed(&mut store, actor, &fw, task)?;
    println!("{task}: {n} units take their value from the grid figures (处置率)");
    Ok(ExitCode::SUCCESS)
}

pub fn figures(
    db: &str,
    actor: &Actor,
    month: Option<&str>,
    level: Option<&str>,
    district: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let settings = jixiao_app::Settings::default();
    let f =
        jixiao_app::hotline::grid::figures(&mut store, &settings, actor, month, level, district)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&f)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into());
    let rows: Vec<Vec<String>> = f
        .rows
        .iter()
        .chain(std::iter::once(&f.total))
        .map(|r| {
            vec![
                r.name.clone(),
                r.found.to_string(),
                pct(r.self_disposal_rate),
                pct(r.disposal_rate),
                pct(r.on_time_rate),
            ]
        })
        .collect();
    println!("{} · {}", f.month, f.level);
    print!(
        "{}",
        crate::table::render(
            &["区域", "发现数", "自处率%", "处置率%", "按时处置率%"],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}
