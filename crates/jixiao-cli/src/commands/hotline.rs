//! `jixiao hotline …`: geography, generated and imported cases, the monthly ranking, rebuilds,
//! retention and Open311 keys.

use crate::cli::{ApiKeyCommand, HotlineCommand, RulesArg};
use crate::support::{open, progress};
use anyhow::{anyhow, bail, Context, Result};
use jixiao_app::hotline::read::ranking;
use jixiao_app::{Actor, Store};
use jixiao_hotline::generate::Generator;
use jixiao_hotline::import::{read_csv, read_xlsx, Mapping, RowError, NATIVE_MAPPING};
use jixiao_hotline::rollup::Ranked;
use jixiao_hotline::HotlineConfig;
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

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The ranking of `month` as a text table, with the street and district names.
pub fn ranking_table(store: &mut Store, ranked: &[Ranked]) -> Result<String> {
    let (_, geo) = jixiao_app::hotline::open311::setup(store)?;
    let name = |id: &str| {
        geo.get(id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    // Columns: every rate of the rules, weighted ones first.
    let rates: Vec<(String, f64)> = ranked
        .first()
        .map(|r| {
            let mut v: Vec<(String, f64)> = r
                .assessment
                .rates
                .iter()
                .map(|x| (x.name.clone(), x.weight))
                .collect();
            v.sort_by_key(|x| x.1 == 0.0);
            v
        })
        .unwrap_or_default();
    let adjusted = ranked.iter().any(|r| r.ranking_score != r.assessment.score);
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|r| {
            let a = &r.assessment;
            let mut row = vec![
                match (r.rank, r.insufficient) {
                    (_, true) => "样本不足".to_string(),
                    (Some(x), _) if r.tied => format!("{x} ≈"),
                    (Some(x), _) => x.to_string(),
                    (None, _) => "—".into(),
                },
                name(&r.unit),
                a.accepted.to_string(),
            ];
            for (rate, _) in &rates {
                row.push(pct(a
                    .rates
                    .iter()
                    .find(|x| &x.name == rate)
                    .and_then(|x| x.value)));
            }
            row.push(
                a.score
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
            );
            row.push(match (a.score_low, a.score_high) {
                (Some(l), Some(h)) => format!("{l:.1}–{h:.1}"),
                _ => "—".into(),
            });
            if adjusted {
                row.push(
                    r.ranking_score
                        .map(|s| format!("{s:.2}"))
                        .unwrap_or_else(|| "—".into()),
                );
            }
            row
        })
        .collect();
    let mut header: Vec<String> = vec![
        "名次 rank".into(),
        "单位 unit".into(),
        "受理 accepted".into(),
    ];
    header.extend(rates.iter().map(|(n, w)| {
        if *w > 0.0 {
            format!("{n} (×{w})")
        } else {
            n.clone()
        }
    }));
    header.push("综合得分 score".into());
    header.push("区间 interval".into());
    if adjusted {
        header.push("调整后 adjusted".into());
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    Ok(crate::table::render(&header, &rows))
}

/// Counts the bytes read through it, for a progress bar over a file of known size.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Imports a hotline export in one pass: a reader thread checks each row and hands the good
/// cases to the store, which writes them in one transaction; if any row is wrong, the reader
/// stops handing cases on, goes on collecting problems (at most 50), and the transaction is
/// rolled back, so nothing is imported.
fn import_file(
    store: &mut Store,
    file: &Path,
    mapping: &Mapping,
    cfg: &HotlineConfig,
    actor: &Actor,
) -> Result<ExitCode> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let name = file.display().to_string();
    let is_xlsx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let size = std::fs::metadata(file)
        .with_context(|| format!("reading {name}"))?
        .len();
    let bytes_read = std::sync::Arc::new(AtomicU64::new(0));
    let read =
        |each: &mut dyn FnMut(jixiao_hotline::Case)| -> Result<Result<usize, Vec<RowError>>> {
            Ok(if is_xlsx {
                let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
                bytes_read.store(size, Ordering::Relaxed);
                read_xlsx(&bytes, &name, mapping, cfg, 50, each).map(|r| r.rows)
            } else {
                let f = std::fs::File::open(file).with_context(|| format!("reading {name}"))?;
                let counted = Counted {
                    inner: f,
                    read: bytes_read.clone(),
                };
                read_csv(
                    std::io::BufReader::with_capacity(1 << 20, counted),
                    &name,
                    mapping,
                    cfg,
                    50,
                    each,
                )
                .map(|r| r.rows)
            })
        };
    let bar = progress(size, "导入工单 importing cases (bytes)");
    let (tx, rx) = std::sync::mpsc::sync_channel::<jixiao_hotline::Case>(10_000);
    let mut problems: Option<Vec<RowError>> = None;
    let outcome = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            read(&mut |c| {
                let _ = tx.send(c);
            })
        });
        let mut reader = Some(reader);
        let mut verdict = || -> std::result::Result<(), String> {
            let outcome = reader
                .take()
                .ok_or("the file was judged twice")?
                .join()
                .map_err(|_| "the reader stopped".to_string())?
                .map_err(|e| format!("{e:#}"))?;
            match outcome {
                Ok(_) => Ok(()),
                Err(errors) => {
                    problems = Some(errors);
                    Err(format!("{name} has problems; nothing was imported"))
                }
            }
        };
        let mut it = rx.into_iter();
        jixiao_app::hotline::import_checked(
            store,
            actor,
            &mut it,
            &name,
            cfg,
            &mut |_| bar.set_position(bytes_read.load(Ordering::Relaxed)),
            &mut verdict,
        )
    });
    bar.finish_and_clear();
    if let Some(errors) = problems {
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
    let outcome = outcome?;
    println!(
        "{} ({}): {} inserted, {} updated, {} unchanged",
        name, mapping.name, outcome.inserted, outcome.updated, outcome.unchanged
    );
    for c in mapping.cannot_compute() {
        println!("无法计算 cannot be computed from this export: {c}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(db: &str, actor: &Actor, cmd: HotlineCommand) -> Result<ExitCode> {
    match cmd {
        HotlineCommand::Init {
            geography,
            catalogue,
            effective_from,
            communities,
            grids,
        } => {
            let mut store = open(db)?;
            let geo = match geography {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let file = p.display().to_string();
                    // GeoJSON (areas with their boundaries) or CSV (centres only).
                    if text.trim_start().starts_with('{') {
                        jixiao_hotline::geography::Geography::from_geojson(&text, &file)
                    } else {
                        jixiao_hotline::geography::Geography::from_csv(&text, &file)
                    }
                    .map_err(|e| anyhow!(e))?
                }
                None => jixiao_hotline::geography::beijing(communities, grids),
            };
            let list = match catalogue {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let list = jixiao_hotline::catalogue::from_csv(&text, &p.display().to_string())
                        .map_err(|e| anyhow!(e))?;
                    println!("诉求分类 catalogue: {} categories", list.len());
                    Some(list)
                }
                None => None,
            };
            if let Some(month) = effective_from {
                let n = jixiao_app::hotline::geography_version(&mut store, actor, &geo, &month)?;
                println!("网格 geography: {n} areas in force from {month}");
                return Ok(ExitCode::SUCCESS);
            }
            let n = jixiao_app::hotline::init(&mut store, actor, &geo, list.as_deref())?;
            println!("网格 geography: {n} areas");
        }
        HotlineCommand::Geography { output } => {
            let mut store = open(db)?;
            let stored = jixiao_app::hotline::geography(&mut store, actor)?;
            let geo = if stored.areas.is_empty() {
                jixiao_hotline::geography::beijing(4, 4)
            } else {
                stored
            };
            let text = serde_json::to_string(&geo.to_geojson())?;
            std::fs::write(&output, text)
                .with_context(|| format!("writing {}", output.display()))?;
            println!(
                "网格 geography: {} areas ({} with boundaries) written to {}",
                geo.areas.len(),
                geo.areas.iter().filter(|a| a.boundary.is_some()).count(),
                output.display()
            );
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
                    jixiao_app::hotline::ensure_geography(&mut store, actor)?;
                    let bar = progress(cases, "生成工单 generating cases");
                    let out = jixiao_app::hotline::generate_into(
                        &mut store,
                        actor,
                        gen,
                        &format!("generated seed {seed}"),
                        &cfg,
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
            share_priority_with_server(&mut store, db);
            jixiao_app::hotline::ensure_geography(&mut store, actor)?;
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
            let (month, ranked) = ranking(
                &mut store,
                actor,
                &cfg,
                month.as_deref(),
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
            problem,
            rules: r,
        } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
            let n = match &problem {
                None => jixiao_app::hotline::feed(&mut store, actor, &fw, &task, &cfg)?,
                Some(p) => {
                    jixiao_app::hotline::feed_problem(&mut store, actor, &fw, &task, &cfg, p)?
                }
            };
            match problem {
                None => println!("{task}: {n} units take their value from the hotline assessment"),
                Some(p) => println!("{task}: {n} units take their value from 每月一题 {p}"),
            }
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
            let whole = |s: &mut Store| ranking(s, actor, &cfg, Some(&month), true, None, None);
            let ranking_ms = time(&mut |s| Ok(whole(s)?.1.len()))?;
            let slice = time(&mut |s| {
                Ok(ranking(
                    s,
                    actor,
                    &cfg,
                    Some(&month),
                    false,
                    Some(&district),
                    Some(&category),
                )?
                .1
                .len())
            })?;
            let ranked = whole(&mut store)?.1;
            println!(
                "{}",
                serde_json::json!({
                    "ranking_ms": { "median": ranking_ms.0, "max": ranking_ms.1, "rows": ranking_ms.2 },
                    "slice_ms": { "median": slice.0, "max": slice.1, "rows": slice.2 },
                    "districts": ranked.iter().map(|r| serde_json::json!({ "unit": r.unit, "score": r.assessment.score, "accepted": r.assessment.accepted })).collect::<Vec<_>>(),
                })
            );
        }
        HotlineCommand::Rebuild { from_rows } => {
            let mut store = open(db)?;
            let t = std::time::Instant::now();
            let n = jixiao_app::hotline::rebuild(&mut store, actor, from_rows)?;
            let from = if from_rows { "case rows" } else { "case packs" };
            println!(
                "rollups rebuilt from {n} cases ({from}) in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        HotlineCommand::EraseContacts { rules: r } => {
            let cfg = rules(&r)?;
            let mut store = open(db)?;
            let before = chrono::Utc::now() - chrono::Duration::days(cfg.retention_days);
            let n = jixiao_app::hotline::erase_contacts(&mut store, actor, before)?;
            println!(
                "{n} requester contacts erased (closed before {})",
                before.format("%Y-%m-%d")
            );
        }
        HotlineCommand::ApiKey(ApiKeyCommand::Create { name }) => {
            let mut store = open(db)?;
            let (id, key) = jixiao_app::hotline::create_api_key(&mut store, actor, &name)?;
            println!("Open311 API key for {name} (id {id}; shown once): {key}");
        }
        HotlineCommand::ApiKey(ApiKeyCommand::List) => {
            let rows: Vec<Vec<String>> = jixiao_app::hotline::api_keys(&mut open(db)?, actor)?
                .into_iter()
                .map(|k| {
                    vec![
                        k.id,
                        k.name,
                        k.created_by,
                        k.created_at,
                        k.revoked_at.unwrap_or_default(),
                    ]
                })
                .collect();
            print!(
                "{}",
                crate::table::render(
                    &[
                        "id",
                        "客户端 client",
                        "创建人 by",
                        "创建时间 made",
                        "吊销 revoked"
                    ],
                    &rows
                )
            );
        }
        HotlineCommand::ApiKey(ApiKeyCommand::Revoke { id }) => {
            jixiao_app::hotline::revoke_api_key(&mut open(db)?, actor, &id)?;
            println!("Open311 API key {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An import run at a lower priority (`nice -n 19 jixiao hotline import …`, as docs/operations.md
/// advises on a machine that also serves) lowers its PostgreSQL server process too, when the
/// server runs on this machine and lets it: most of a PostgreSQL import's work is done there,
/// and the instance's readers share those cores. Where it may not (another user's process), it
/// says so and goes on.
fn share_priority_with_server(store: &mut jixiao_app::Store, url: &str) {
    // SAFETY: getpriority and setpriority only read and set a process's scheduling priority.
    // (-1 is both an error and a priority: only a positive one is acted on.)
    let own = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    if own <= 0 || !server_is_local(url) {
        return;
    }
    let Ok(Some(pid)) = store.server_process() else {
        return;
    };
    // SAFETY: as above, for the server's process.
    let set = unsafe { libc::setpriority(libc::PRIO_PROCESS, pid as libc::id_t, own) };
    if set != 0 {
        eprintln!(
            "提示 note: the database server's process {pid} keeps its priority ({}); \
             readers of this database share the cores with it",
            std::io::Error::last_os_error()
        );
    }
}

/// Whether a PostgreSQL URL names this machine (a loopback address, localhost or a socket).
fn server_is_local(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    matches!(host, "" | "localhost" | "::1") || host.starts_with("127.")
}

#[cfg(test)]
mod priority_tests {
    use super::server_is_local;

    #[test]
    fn only_a_server_on_this_machine_is_local() {
        for local in [
            "postgres://postgres@127.0.0.1:5432/db",
            "postgresql://u:p@localhost/db",
            "postgres://[::1]:5433/db",
            "postgres:///db",
        ] {
            assert!(server_is_local(local), "{local}");
        }
        for remote in [
            "postgres://postgres@10.0.0.5/db",
            "postgres://db.example.org/x",
            "jixiao.sqlite",
        ] {
            assert!(!server_is_local(remote), "{remote}");
        }
    }
}
