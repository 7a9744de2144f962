//! `jixiao hotline …`: geography, generated and imported cases, the monthly ranking, rebuilds,
//! retention and Open311 keys.

use crate::cli::{ApiKeyCommand, HotlineCommand, RulesArg};
use crate::commands::{open, progress};
use anyhow::{anyhow, bail, Context, Result};
use jixiao_hotline::generate::Generator;
use jixiao_hotline::import::{read_csv, read_xlsx, Mapping, RowError, NATIVE_MAPPING};
use jixiao_hotline::rollup::{rank, Ranked};
use jixiao_hotline::HotlineConfig;
use jixiao_store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

pub fn rules(arg: &RulesArg) -> Result<HotlineConfig> {
    match &arg.rules {
        None => Ok(HotlineConfig::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            HotlineConfig::parse(&text, &p.display().to_string()).map_err(|e| anyhow!("{e}"))
        }
    }
}

/// Stores the built-in geography and catalogue unless the database has them.
pub fn ensure_geography(store: &mut Store, actor: &str) -> Result<()> {
    if store.hotline_geography()?.areas.is_empty() {
        store.hotline_save_geography(&jixiao_hotline::geography::beijing(4, 4), actor)?;
    }
    if store.hotline_categories()?.is_empty() {
        store.hotline_save_categories(&jixiao_hotline::catalogue::built_in())?;
    }
    Ok(())
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The ranking of `month` as a text table, with the street and district names.
pub fn ranking_table(store: &mut Store, ranked: &[Ranked]) -> Result<String> {
    let geo = store.hotline_geography()?;
    let name = |id: &str| {
        geo.get(id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|r| {
            let a = &r.assessment;
            vec![
                r.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                name(&r.unit),
                a.accepted.to_string(),
                pct(a.response_rate),
                pct(a.resolution_rate),
                pct(a.satisfaction_rate),
                a.score
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    Ok(crate::table::render(
        &[
            "名次 rank",
            "单位 unit",
            "受理 accepted",
            "响应率 response",
            "解决率 resolution",
            "满意率 satisfaction",
            "综合得分 score",
        ],
        &rows,
    ))
}

fn import_file(
    store: &mut Store,
    file: &Path,
    mapping: &Mapping,
    cfg: &HotlineConfig,
    actor: &str,
) -> Result<ExitCode> {
    let name = file.display().to_string();
    let is_xlsx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let read =
        |each: &mut dyn FnMut(jixiao_hotline::Case)| -> Result<Result<usize, Vec<RowError>>> {
            Ok(if is_xlsx {
                let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
                read_xlsx(&bytes, &name, mapping, cfg, 50, each).map(|r| r.rows)
            } else {
                let f = std::fs::File::open(file).with_context(|| format!("reading {name}"))?;
                read_csv(std::io::BufReader::new(f), &name, mapping, cfg, 50, each).map(|r| r.rows)
            })
        };
    // Pass 1: check every row; nothing is written if any is wrong.
    let rows = match read(&mut |_| {})? {
        Ok(n) => n,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!(
                "未导入 nothing imported: {} problem(s) shown{}",
                errors.len(),
                if errors.len() >= 50 {
                    " (the first 50)"
                } else {
                    ""
                }
            );
            return Ok(ExitCode::from(2));
        }
    };
    // Pass 2: import in one transaction, streaming.
    let bar = progress(rows as u64, "导入工单 importing cases");
    let (tx, rx) = std::sync::mpsc::sync_channel::<jixiao_hotline::Case>(10_000);
    let outcome = std::thread::scope(|scope| -> Result<_> {
        let reader = scope.spawn(move || {
            read(&mut |c| {
                let _ = tx.send(c);
            })
        });
        let mut it = rx.into_iter();
        let out = store.hotline_import(&mut it, &name, cfg, actor, &mut |n| {
            bar.set_position(n as u64)
        });
        drop(it);
        reader
            .join()
            .map_err(|_| anyhow!("the reader stopped"))??
            .map_err(|_| anyhow!("{name} changed while it was imported"))?;
        Ok(out?)
    })?;
    bar.finish_and_clear();
    println!(
        "{} ({}): {} inserted, {} updated, {} unchanged",
        name, mapping.name, outcome.inserted, outcome.updated, outcome.unchanged
    );
    for c in mapping.cannot_compute() {
        println!("无法计算 cannot be computed from this export: {c}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The rules `month` is assessed by, or why the month is not one.
fn month_rules<'a>(cfg: &'a HotlineConfig, month: &str) -> Result<&'a jixiao_hotline::RuleSet> {
    cfg.rules_for_month(month)
        .ok_or_else(|| anyhow!("`{month}` is not a month like 2020-06"))
}

/// The ranking of `month` from the rollups: districts, or (`by_district = false`) streets,
/// optionally of one district and one category prefix.
fn month_ranking(
    store: &mut Store,
    cfg: &HotlineConfig,
    month: &str,
    by_district: bool,
    district: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<Ranked>> {
    let rules = month_rules(cfg, month)?;
    let rows = store.hotline_month(month, by_district, district, category)?;
    let per_unit: BTreeMap<String, _> = rows.into_iter().map(|u| (u.unit, u.counters)).collect();
    Ok(rank(&per_unit, rules))
}

/// Writes each district's mean monthly composite score over the cycle's year as the approved
/// value of `task` (last period); returns how many units got one. Importing the same values
/// again changes nothing.
pub fn feed(
    store: &mut Store,
    fw: &jixiao_core::Framework,
    task: &str,
    cfg: &HotlineConfig,
    actor: &str,
) -> Result<usize> {
    use jixiao_core::records::{ValueKey, ValueRow};
    let t = fw
        .node_index(task)
        .filter(|&t| fw.nodes[t].task.is_some())
        .ok_or_else(|| anyhow!("`{task}` is not a task of cycle {}", fw.cycle.id))?;
    let year = fw.cycle.start.format("%Y").to_string();
    let period = fw
        .cycle
        .periods
        .last()
        .ok_or_else(|| anyhow!("the cycle has no periods"))?;
    let mut scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for month in store
        .hotline_months()?
        .into_iter()
        .filter(|m| m.starts_with(&year))
    {
        for r in month_ranking(store, cfg, &month, true, None, None)? {
            if let Some(score) = r.assessment.score {
                scores.entry(r.unit).or_default().push(score);
            }
        }
    }
    let rows: Vec<ValueRow> = scores
        .iter()
        .filter_map(|(unit, s)| {
            let u = fw.unit_index(unit)?;
            fw.is_responsible(t, u).then(|| ValueRow {
                key: ValueKey {
                    task: task.to_string(),
                    unit: fw.units[u].id.clone(),
                    period: period.id.clone(),
                },
                observation: jixiao_core::Observation::Number(
                    (s.iter().sum::<f64>() / s.len() as f64 * 100.0).round() / 100.0,
                ),
                note: String::new(),
                source: format!(
                    "接诉即办月度考核{}个月综合得分平均(jixiao hotline)",
                    s.len()
                ),
                evidence: String::new(),
                state: jixiao_core::workflow::ValueState::Approved,
            })
        })
        .collect();
    store.import_values(&fw.cycle.id, &rows, actor, &mut |_| {})?;
    Ok(rows.len())
}

/// Generates on a second thread while the store writes, so both cores work.
pub fn generate_into(
    store: &mut Store,
    gen: Generator<'_>,
    source: &str,
    cfg: &HotlineConfig,
    actor: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<jixiao_store::hotline::CaseImport> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<jixiao_hotline::Case>(20_000);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for c in gen {
                if tx.send(c).is_err() {
                    break;
                }
            }
        });
        let mut it = rx.into_iter();
        Ok(store.hotline_import(&mut it, source, cfg, actor, progress)?)
    })
}

pub fn run(db: &str, actor: &str, cmd: HotlineCommand) -> Result<ExitCode> {
    match cmd {
        HotlineCommand::Init {
            geography,
            catalogue,
            communities,
            grids,
        } => {
            let mut store = open(db)?;
            let geo = match geography {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    jixiao_hotline::geography::Geography::from_csv(&text, &p.display().to_string())
                        .map_err(|e| anyhow!(e))?
                }
                None => jixiao_hotline::geography::beijing(communities, grids),
            };
            let n = store.hotline_save_geography(&geo, actor)?;
            match catalogue {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let list = jixiao_hotline::catalogue::from_csv(&text, &p.display().to_string())
                        .map_err(|e| anyhow!(e))?;
                    println!("诉求分类 catalogue: {} categories", list.len());
                    store.hotline_save_categories(&list)?;
                }
                None if store.hotline_categories()?.is_empty() => {
                    store.hotline_save_categories(&jixiao_hotline::catalogue::built_in())?;
                }
                None => {}
            }
            println!("网格 geography: {n} areas");
        }
        HotlineCommand::Generate {
            cases,
            seed,
            year,
            output,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let geo = jixiao_hotline::geography::beijing(4, 4);
            let mut gen = Generator::new(&cfg, &geo, cases, seed, year);
            match output {
                Some(path) => {
                    let f = std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    let bar = progress(cases, "生成工单 generating cases");
                    let n = jixiao_hotline::import::write_native_csv(
                        std::io::BufWriter::new(f),
                        &mut gen,
                        true,
                        &mut |n| bar.set_position(n),
                    )
                    .map_err(|e| anyhow!(e))?;
                    bar.finish_and_clear();
                    println!("{n} cases → {}", path.display());
                }
                None => {
                    let mut store = open(db)?;
                    ensure_geography(&mut store, actor)?;
                    let bar = progress(cases, "生成工单 generating cases");
                    let out = generate_into(
                        &mut store,
                        gen,
                        &format!("generated seed {seed}"),
                        &cfg,
                        actor,
                        &mut |n| bar.set_position(n as u64),
                    )?;
                    bar.finish_and_clear();
                    println!(
                        "{} cases generated into the database ({} unchanged)",
                        out.inserted + out.updated,
                        out.unchanged
                    );
                }
            }
        }
        HotlineCommand::Import {
            file,
            mapping,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let m = match &mapping {
                Some(p) => Mapping::parse(
                    &std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                    &p.display().to_string(),
                ),
                None => Mapping::parse(NATIVE_MAPPING, "jixiao.toml"),
            }
            .map_err(|e| anyhow!(e))?;
            let mut store = open(db)?;
            ensure_geography(&mut store, actor)?;
            return import_file(&mut store, &file, &m, &cfg, actor);
        }
        HotlineCommand::Rank {
            month,
            districts,
            district,
            category,
            json,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let month = match month {
                Some(m) => m,
                None => store
                    .hotline_months()?
                    .pop()
                    .ok_or_else(|| anyhow!("no hotline cases in the database"))?,
            };
            let ranked = month_ranking(
                &mut store,
                &cfg,
                &month,
                districts,
                district.as_deref(),
                category.as_deref(),
            )?;
            if ranked.is_empty() {
                bail!("no cases in {month}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&ranked)?);
            } else {
                println!(
                    "{month} {}",
                    if districts {
                        "各区排名 districts"
                    } else {
                        "街道排名 streets"
                    }
                );
                print!("{}", ranking_table(&mut store, &ranked)?);
                let missing: std::collections::BTreeSet<&String> =
                    ranked.iter().flat_map(|r| &r.assessment.missing).collect();
                for m in missing {
                    println!("无法计算 cannot be computed: {m}");
                }
            }
        }
        HotlineCommand::Feed {
            cycle,
            task,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let fw = crate::commands::load(&mut store, &cycle)?;
            let n = feed(&mut store, &fw, &task, &cfg, actor)?;
            println!("{task}: {n} units take their value from the hotline assessment");
        }
        HotlineCommand::QueryBench {
            month,
            district,
            category,
            runs,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let mut time =
                |f: &mut dyn FnMut(&mut Store) -> Result<usize>| -> Result<(f64, f64, usize)> {
                    let mut ms = Vec::new();
                    let mut rows = 0;
                    for _ in 0..runs.max(1) {
                        let t = std::time::Instant::now();
                        rows = f(&mut store)?;
                        ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    ms.sort_by(|a, b| a.total_cmp(b));
                    Ok((ms[ms.len() / 2], ms[ms.len() - 1], rows))
                };
            let ranking =
                time(&mut |s| Ok(month_ranking(s, &cfg, &month, true, None, None)?.len()))?;
            let slice = time(&mut |s| {
                Ok(month_ranking(s, &cfg, &month, false, Some(&district), Some(&category))?.len())
            })?;
            let ranked = month_ranking(&mut store, &cfg, &month, true, None, None)?;
            println!(
                "{}",
                serde_json::json!({
                    "ranking_ms": { "median": ranking.0, "max": ranking.1, "rows": ranking.2 },
                    "slice_ms": { "median": slice.0, "max": slice.1, "rows": slice.2 },
                    "districts": ranked.iter().map(|r| serde_json::json!({ "unit": r.unit, "score": r.assessment.score, "accepted": r.assessment.accepted })).collect::<Vec<_>>(),
                })
            );
        }
        HotlineCommand::Rebuild { from_rows } => {
            let mut store = open(db)?;
            let t = std::time::Instant::now();
            let (n, from) = if from_rows {
                (store.hotline_rebuild_from_rows(actor)?, "case rows")
            } else {
                (store.hotline_rebuild(actor)?, "case packs")
            };
            println!(
                "rollups rebuilt from {n} cases ({from}) in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        HotlineCommand::EraseContacts { rules: r } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let before = chrono::Utc::now() - chrono::Duration::days(cfg.retention_days);
            let n = store.hotline_erase_contacts(before, actor)?;
            println!(
                "{n} requester contacts erased (closed before {})",
                before.format("%Y-%m-%d")
            );
        }
        HotlineCommand::ApiKey(ApiKeyCommand::Create { name }) => {
            let mut store = open(db)?;
            let key = jixiao_server::auth::random_token();
            let id = store.hotline_add_api_key(&name, &key, actor)?;
            println!("Open311 API key for {name} (id {id}; shown once): {key}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
