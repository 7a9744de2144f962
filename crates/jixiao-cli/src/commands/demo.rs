//! `jixiao demo`: builds the demo database (crate `jixiao-demo`), scores it, prints the ranking
//! and serves it with demo accounts.

use super::scores::ranking_table;
use crate::cli::DemoArgs;
use crate::support::{open, progress};
use anyhow::Result;
use jixiao_app::Actor;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(args: &DemoArgs, database: Option<&str>, actor: &Actor) -> Result<ExitCode> {
    let started = Instant::now();
    let (url, count, mut store) = match (database, &args.data_dir) {
        (Some(url), Some(dir)) => anyhow::bail!(
            "the demo was asked to build in --database {url} and in --data-dir {}: give one of them",
            dir.display()
        ),
        // A demo asked for in a database is built there: PostgreSQL (a deployment with several
        // instances) or a SQLite file. Loading it again changes nothing.
        (Some(url), None) => {
            if !url.starts_with("postgres") {
                let file = std::path::Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
                if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| anyhow::anyhow!("creating {}: {e}", parent.display()))?;
                }
            }
            let mut store = open(url)?;
            let count = jixiao_demo::load_sized(&mut store, &actor.id, args.units)?;
            (url.to_string(), count, store)
        }
        (None, dir) => {
            let dir = dir.clone().unwrap_or_else(|| "demo-data".into());
            let (url, count) = jixiao_demo::build_sized(&dir, &actor.id, args.units)?;
            let store = open(&url)?;
            (url, count, store)
        }
    };
    let mut open311_key = None;
    if args.hotline_cases > 0 {
        let t = Instant::now();
        let cfg = jixiao_hotline::HotlineConfig::default();
        jixiao_app::hotline::ensure_geography(&mut store, actor)?;
        let (_, geo) = jixiao_app::hotline::open311::setup(&mut store)?;
        let bar = progress(args.hotline_cases, "生成12345工单 generating hotline cases");
        // The demo's 每月一题 (July 2020, parking in eight Dongcheng streets) has an effect
        // built into the cases, which its page then measures.
        let (_, campaign) = jixiao_app::hotline::problems::demo_problem();
        let cases = jixiao_hotline::generate::Generator::new(
            &cfg,
            &geo,
            args.hotline_cases,
            jixiao_demo::SEED,
            2020,
        )
        .with_intervention(campaign)
        // The districts rank as the demo's 接诉即办 figures (and the seed report) say.
        .with_district_quality(&jixiao_demo::hotline_quality()?);
        jixiao_app::hotline::generate_into(
            &mut store,
            actor,
            cases,
            "demo (generated)",
            &cfg,
            &mut |n| bar.set_position(n as u64),
        )?;
        bar.finish_and_clear();
        let fw = jixiao_app::cycles::load(&mut store, actor, Some("2020"))?;
        jixiao_app::hotline::feed(&mut store, actor, &fw, "A22-1", &cfg)?;
        // A day of work waiting for the centre's and 东华门街道's demo accounts.
        let settings = jixiao_app::Settings::default();
        let day = chrono::NaiveDate::parse_from_str(jixiao_demo::DEMO_TODAY, "%Y-%m-%d")?;
        jixiao_app::hotline::work::seed_day_of_work(&mut store, &settings, actor, day)?;
        // A year of grid patrol (25 reports a month per street, the districts' quality as in
        // the hotline) feeding task A23-1, and the demo inspector's patrol day.
        let quality = jixiao_demo::hotline_quality()?;
        let patrols =
            jixiao_app::hotline::grid::seed_demo(&mut store, &settings, actor, 2020, 25, &quality)?;
        jixiao_app::hotline::grid::seed_patrol_day(&mut store, &settings, actor, "wgy01", day)?;
        jixiao_app::hotline::grid::feed(&mut store, actor, &fw, "A23-1")?;
        jixiao_app::hotline::problems::designate_demo(&mut store, &settings, actor)?;
        let (_, key) =
            jixiao_app::hotline::create_api_key(&mut store, actor, "演示客户端 demo client")?;
        open311_key = Some(key);
        println!(
            "接诉即办 hotline: {} generated cases (16 districts, 343 streets) in {:.1} s; task A22-1 takes each district's monthly score; 网格 grid: {patrols} patrol reports, task A23-1 takes each district's disposal rate",
            args.hotline_cases,
            t.elapsed().as_secs_f64()
        );
    }
    // The accounts first: the demo's leaders score their round, whose totals are C02-1's values.
    jixiao_demo::add_accounts(&mut store, &actor.id)?;
    let (scored, _) = jixiao_app::scores::score_and_record(&mut store, actor, None)?;
    let (fw, card) = (&scored.fw, &scored.card);
    println!("{} — 演示数据 demo data (目标值及东城区以外数据为示意 / targets and other districts' values are illustrative)\n", fw.cycle.name);
    print!("{}", ranking_table(fw, card, None, true));
    println!(
        "\n数据库 database: {url}  ({count} values, built and scored in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("查看得分依据 explain a score:");
    println!("  jixiao --database {url} explain --unit 东城区");
    println!("  jixiao --database {url} explain --unit 东城区 --task A06-1");
    println!("  jixiao --database {url} rank --robustness");
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
    if let Some(key) = open311_key {
        println!("Open311 GeoReport v2: /open311/v2/discovery.json on the web address below; API key: {key}");
    }
    crate::serve::run_server(config)
}
