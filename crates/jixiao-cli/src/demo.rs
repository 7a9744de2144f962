//! `jixiao demo`: builds the demo database (crate `jixiao-demo`), scores it, prints the ranking
//! and serves it with demo accounts.

use crate::cli::{CycleArg, DemoArgs};
use crate::commands::{open, ranking_table, scored};
use anyhow::Result;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(args: &DemoArgs, actor: &str) -> Result<ExitCode> {
    let started = Instant::now();
    let (url, count) = jixiao_demo::build(&args.data_dir, actor)?;
    let mut store = open(&url)?;
    let (fw, _, card) = scored(&mut store, &CycleArg { cycle: None })?;
    let json = serde_json::to_string(
        &card
            .units
            .iter()
            .map(|u| (u.total, u.rank))
            .collect::<Vec<_>>(),
    )?;
    store.record_score_run(&fw.cycle.id, actor, &json)?;
    println!("{} — 演示数据 demo data (目标值及东城区以外数据为示意 / targets and other districts' values are illustrative)\n", fw.cycle.name);
    print!("{}", ranking_table(&fw, &card, None, true));
    println!(
        "\n数据库 database: {url}  ({count} values, built and scored in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("查看得分依据 explain a score:");
    println!("  jixiao --database {url} explain --unit 东城区");
    println!("  jixiao --database {url} explain --unit 东城区 --task A06-1");
    println!("  jixiao --database {url} rank --robustness");
    for (id, name, role, unit, evaluator, password) in jixiao_demo::ACCOUNTS {
        let user = jixiao_server::accounts::new_user(
            id,
            name,
            password,
            role,
            unit.map(str::to_string),
            evaluator.map(str::to_string),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.upsert_user(&user, actor)?;
    }
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    drop(store);
    println!("\n演示账号 demo accounts (用户名 / 密码):");
    for (id, name, _, _, _, password) in jixiao_demo::ACCOUNTS {
        println!("  {id:<10} {password:<22} {name}");
    }
    let mut config = jixiao_server::Config {
        database_url: url,
        bind: args.bind.clone(),
        ..Default::default()
    };
    config.today = chrono::NaiveDate::parse_from_str(jixiao_demo::DEMO_TODAY, "%Y-%m-%d").ok();
    println!(
        "\n演示日期 demo date {} (第四季度填报中 Q4 reporting open)",
        jixiao_demo::DEMO_TODAY
    );
    crate::serve::run_server(config)
}
