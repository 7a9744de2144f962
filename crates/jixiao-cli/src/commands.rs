//! One function per command. Each opens the store, calls the core, prints.

use crate::cli::*;
use crate::table;
use crate::Diagnosed;
use anyhow::{anyhow, bail, Context, Result};
use jixiao_core::explain::{num, pts};
use jixiao_core::robustness::{analyse, RobustnessConfig};
use jixiao_core::workflow::ValueState;
use jixiao_core::{explain, explain_total, Framework, Inputs, Lang, Scorecard};
use jixiao_store::Store;
use std::path::Path;
use std::process::ExitCode;

/// The database URL when none is given.
pub const DEFAULT_DATABASE: &str = "sqlite://jixiao.sqlite";

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let db = cli.database.as_deref().unwrap_or(DEFAULT_DATABASE);
    let actor = cli.actor.as_str();
    match cli.command {
        Command::Init => {
            let store = open(db)?;
            println!("数据库已就绪 database ready ({}): {db}", store.backend());
        }
        Command::Check { file } => return check(&file),
        Command::Import(Import::Taskbook { file }) => {
            let fw = read_taskbook(&file)?;
            let change = open(db)?.save_cycle(&fw, &jixiao_taskbook::to_toml(&fw), actor)?;
            println!("任务书 {} ({}): {:?}", fw.cycle.id, fw.cycle.name, change);
        }
        Command::Import(Import::Values { file, cycle, state }) => {
            let mut store = open(db)?;
            let fw = load(&mut store, &cycle)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let state = match state {
                StateArg::Draft => ValueState::Draft,
                StateArg::Submitted => ValueState::Submitted,
                StateArg::Approved => ValueState::Approved,
            };
            let rows = jixiao_taskbook::values::parse_values(
                &fw,
                &bytes,
                &file_name(&file),
                state,
                jixiao_taskbook::values::Blanks::Refuse,
            )
            .map_err(Diagnosed)?;
            let bar = progress(rows.len() as u64, "导入数值 importing values");
            let outcome = store.import_values(&fw.cycle.id, &rows, actor, &mut |n| {
                bar.set_position(n as u64)
            })?;
            bar.finish_and_clear();
            println!(
                "数值 values: {} inserted, {} updated, {} unchanged",
                outcome.inserted, outcome.updated, outcome.unchanged
            );
        }
        Command::Import(Import::Ledger { file, cycle }) => {
            let mut store = open(db)?;
            let fw = load(&mut store, &cycle)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let rows = jixiao_taskbook::values::parse_ledger(&fw, &bytes, &file_name(&file))
                .map_err(Diagnosed)?;
            let outcome = store.import_ledger(&fw.cycle.id, &rows, actor)?;
            println!(
                "加扣分 ledger: {} inserted, {} updated, {} unchanged",
                outcome.inserted, outcome.updated, outcome.unchanged
            );
        }
        Command::Export(Export::Taskbook {
            cycle,
            format,
            output,
        }) => {
            let mut store = open(db)?;
            let fw = load(&mut store, &cycle)?;
            let bytes = match format {
                BookFormat::Toml => jixiao_taskbook::to_toml(&fw).into_bytes(),
                BookFormat::Xlsx => {
                    jixiao_taskbook::xlsx::to_xlsx(&fw).map_err(|e| anyhow!("writing xlsx: {e}"))?
                }
            };
            write(&output, &bytes)?;
        }
        Command::Export(Export::Scores {
            cycle,
            format,
            output,
            lang,
        }) => {
            let mut store = open(db)?;
            let (fw, _, card) = scored(&mut store, &cycle)?;
            let lang = lang_of(&lang)?;
            let bytes = match format {
                TableFormat::Csv => scores_csv(&fw, &card, lang)?,
                TableFormat::Xlsx => scores_xlsx(&fw, &card, lang)?,
            };
            write(&output, &bytes)?;
        }
        Command::Score(args) => {
            let mut store = open(db)?;
            let (fw, _, card) = scored(&mut store, &args.cycle)?;
            let json = serde_json::to_string(&score_summary(&fw, &card))?;
            let run = store.record_score_run(&fw.cycle.id, actor, &json)?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&score_summary(&fw, &card))?
                );
            } else {
                print!("{}", ranking_table(&fw, &card, None, true));
                println!("评分记录 score run #{run} saved");
            }
        }
        Command::Rank(args) => return rank(db, args),
        Command::Explain(args) => {
            let mut store = open(db)?;
            let (fw, _, card) = scored(&mut store, &args.cycle)?;
            let lang = lang_of(&args.lang)?;
            let unit = fw.unit_index(&args.unit).ok_or_else(|| {
                anyhow!(
                    "unknown unit `{}`; units: {}",
                    args.unit,
                    names(fw.units.iter().map(|u| u.name.as_str()))
                )
            })?;
            match args.task {
                Some(t) => {
                    let node = fw
                        .node_index(&t)
                        .ok_or_else(|| anyhow!("unknown task or indicator `{t}`"))?;
                    let e = explain(&fw, &card, unit, node, lang);
                    if args.json {
                        println!("{}", serde_json::to_string_pretty(&e)?);
                    } else {
                        print!("{}", e.to_text(lang));
                    }
                }
                None if args.json => {
                    let all: Vec<_> = (0..fw.nodes.len())
                        .map(|n| explain(&fw, &card, unit, n, lang))
                        .collect();
                    println!(
                        "{}",
                        serde_json::to_string_pretty(
                            &serde_json::json!({ "total": explain_total(&fw, &card, unit, lang), "nodes": all })
                        )?
                    );
                }
                None => {
                    print!("{}", explain_total(&fw, &card, unit, lang));
                    println!();
                    print!("{}", node_table(&fw, &card, unit, lang));
                    println!(
                        "\n{}",
                        if lang == Lang::Zh {
                            "查看某项的计算过程:jixiao explain --unit <单位> --task <编号>"
                        } else {
                            "For one item: jixiao explain --unit <unit> --task <id>"
                        }
                    );
                }
            }
        }
        Command::Audit(Audit::Verify) => {
            let report = open(db)?.verify_audit()?;
            match report.first_broken {
                None => println!(
                    "审计日志完整 audit log intact: {} entries, hash chain verified",
                    report.entries
                ),
                Some((seq, why)) => {
                    eprintln!(
                        "审计日志被篡改 audit log tampered: entry #{seq} {why} ({} entries)",
                        report.entries
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Audit(Audit::Log { entity }) => {
            let entries = open(db)?.audit_entries(entity.as_deref())?;
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
        }
        Command::Demo(args) => return crate::demo::run(&args, actor),
        Command::Report(args) => return report(db, args),
        Command::Publish { cycle, withdraw } => {
            let mut store = open(db)?;
            let fw = load(&mut store, &cycle)?;
            let change = store.set_published(&fw.cycle.id, !withdraw, actor)?;
            let what = if withdraw {
                "撤回 withdrawn"
            } else {
                "已公开 published"
            };
            println!("{} {}: {what} ({change:?})", fw.cycle.id, fw.cycle.name);
        }
        Command::Hotline(cmd) => return crate::hotline::run(db, actor, cmd),
        Command::Cycle(CycleCommand::Next { from, id, output }) => {
            return cycle_next(db, &from, id, &output)
        }
        Command::Claims(ClaimsCommand::Extract { file, format }) => {
            let text = report_text(&file)?;
            let claims = jixiao_claims::extract(&text);
            print!("{}", claims_output(&claims, format)?);
        }
        Command::Claims(ClaimsCommand::Check {
            unit,
            cycle,
            file,
            json,
        }) => {
            let text = report_text(&file)?;
            let mut store = open(db)?;
            let fw = load(&mut store, &cycle)?;
            let loaded = jixiao_server::reports::load(&mut store, &fw.cycle.id)?;
            let u = fw
                .unit_index(&unit)
                .ok_or_else(|| anyhow!("unknown unit `{unit}`"))?;
            let claims = jixiao_claims::extract(&text);
            let checked = jixiao_claims::reconcile::reconcile_facts(
                &claims,
                &jixiao_server::reports::facts_for(&loaded, u),
            );
            if json {
                println!("{}", serde_json::to_string_pretty(&checked)?);
            } else {
                use jixiao_claims::reconcile::Verdict;
                let rows: Vec<Vec<String>> = checked
                    .iter()
                    .map(|c| {
                        let (mark, detail) = match &c.verdict {
                            Verdict::Consistent => ("一致 consistent".to_string(), String::new()),
                            Verdict::Inconsistent {
                                claimed,
                                stored,
                                difference,
                            } => (
                                "不一致 INCONSISTENT".to_string(),
                                format!(
                                    "报告 {} vs 数据 {} (差 {})",
                                    num(*claimed),
                                    num(*stored),
                                    num(*difference)
                                ),
                            ),
                            Verdict::Unmatched => ("未匹配 unmatched".to_string(), String::new()),
                        };
                        vec![
                            c.claim.text.clone(),
                            c.task_id
                                .clone()
                                .map(|t| format!("{t} {}", c.task_name.clone().unwrap_or_default()))
                                .unwrap_or_default(),
                            mark,
                            detail,
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table::render(
                        &["报告原文 claim", "任务 task", "结论 verdict", "说明 detail"],
                        &rows
                    )
                );
                let count =
                    |f: fn(&Verdict) -> bool| checked.iter().filter(|c| f(&c.verdict)).count();
                println!(
                    "\n{} claims: {} consistent, {} inconsistent, {} unmatched",
                    checked.len(),
                    count(|v| matches!(v, Verdict::Consistent)),
                    count(|v| matches!(v, Verdict::Inconsistent { .. })),
                    count(|v| matches!(v, Verdict::Unmatched))
                );
            }
        }
        Command::Claims(ClaimsCommand::Eval { gold, document }) => {
            let g: jixiao_claims::eval::Gold = serde_json::from_str(
                &std::fs::read_to_string(&gold)
                    .with_context(|| format!("reading {}", gold.display()))?,
            )
            .with_context(|| format!("{} is not a gold file", gold.display()))?;
            let doc_path = match document {
                Some(d) => d,
                None => gold
                    .canonicalize()?
                    .ancestors()
                    .map(|a| a.join(&g.document))
                    .find(|p| p.exists())
                    .ok_or_else(|| {
                        anyhow!("cannot find {}; give it with --document", g.document)
                    })?,
            };
            let text = std::fs::read_to_string(&doc_path)
                .with_context(|| format!("reading {}", doc_path.display()))?;
            let e = jixiao_claims::eval::evaluate(&jixiao_claims::extract(&text), &g.claims);
            println!(
                "gold {}  extracted {}  found {}  value and unit right {}",
                e.gold, e.extracted, e.found, e.correct
            );
            println!(
                "precision {:.1}%  recall {:.1}%  metric agreement {:.1}%  kind agreement {:.1}%",
                e.precision * 100.0,
                e.recall * 100.0,
                e.metric_agreement * 100.0,
                e.kind_agreement * 100.0
            );
            for m in &e.misses {
                println!("missed: {m}");
            }
            for s in &e.spurious {
                println!("not in gold: {s}");
            }
            if let Some(src) = &g.tasks {
                let m = claims_matching(&gold, src, &jixiao_claims::extract(&text), &g.claims)?;
                println!(
                    "matching to tasks ({}): annotated {}  matched {}  right {}  precision {:.1}%  recall {:.1}%",
                    src.unit,
                    m.annotated,
                    m.assigned,
                    m.correct,
                    m.precision * 100.0,
                    m.recall * 100.0
                );
                for x in &m.mistakes {
                    println!("matching: {x}");
                }
            }
        }
        Command::Serve(args) => return crate::serve::serve(&args, cli.database.as_deref()),
        Command::User(UserCommand::Add {
            id,
            name,
            role,
            unit,
            evaluator,
            email,
            password,
        }) => {
            let mut user =
                jixiao_server::accounts::new_user(&id, &name, &password, &role, unit, evaluator)
                    .map_err(|e| anyhow!("{e}"))?;
            jixiao_server::accounts::set_email(&mut user, email).map_err(|e| anyhow!("{e}"))?;
            open(db)?.upsert_user(&user, actor)?;
            println!("用户 user `{id}` ({role}) saved");
        }
        Command::User(UserCommand::List) => {
            let rows: Vec<Vec<String>> = open(db)?
                .users()?
                .into_iter()
                .map(|u| {
                    vec![
                        u.id,
                        u.display_name,
                        u.role,
                        u.unit_id.unwrap_or_default(),
                        u.evaluator_id.unwrap_or_default(),
                        if u.active { "yes".into() } else { "no".into() },
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(
                    &[
                        "id",
                        "名称 name",
                        "角色 role",
                        "单位 unit",
                        "考评主体 evaluator",
                        "启用 active"
                    ],
                    &rows
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Matches `claims` to the tasks of the gold file's task book (with the unit's values from its
/// values file) and compares with the annotated tasks.
fn claims_matching(
    gold_path: &Path,
    src: &jixiao_claims::eval::TaskSource,
    claims: &[jixiao_claims::Claim],
    gold: &[jixiao_claims::eval::GoldClaim],
) -> Result<jixiao_claims::eval::Matching> {
    let find = |rel: &str| -> Result<std::path::PathBuf> {
        gold_path
            .canonicalize()?
            .ancestors()
            .map(|a| a.join(rel))
            .find(|p| p.exists())
            .ok_or_else(|| anyhow!("cannot find {rel} named by {}", gold_path.display()))
    };
    let fw = read_taskbook(&find(&src.taskbook)?)?;
    let values_path = find(&src.values)?;
    let bytes = std::fs::read(&values_path)?;
    let rows = jixiao_taskbook::values::parse_values(
        &fw,
        &bytes,
        &file_name(&values_path),
        ValueState::Approved,
        jixiao_taskbook::values::Blanks::Skip,
    )
    .map_err(Diagnosed)?;
    let inputs = jixiao_core::Inputs::from_records(
        &fw,
        &jixiao_core::records::approved_records(&fw, &rows),
        Vec::new(),
    );
    let u = fw
        .unit_index(&src.unit)
        .ok_or_else(|| anyhow!("unknown unit `{}` in {}", src.unit, src.taskbook))?;
    let facts = jixiao_claims::reconcile::task_facts(
        &fw,
        u,
        &|t| inputs.annual(t, u).and_then(|a| a.observation.as_number()),
        &|_| None,
    );
    let checked = jixiao_claims::reconcile::reconcile_facts(claims, &facts);
    Ok(jixiao_claims::eval::evaluate_matching(&checked, gold))
}

/// The text of a report file: UTF-8 text or Markdown, or the paragraphs of a Word file.
fn report_text(file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    jixiao_report::docx::document_text(&file.display().to_string(), &bytes).map_err(|e| anyhow!(e))
}

fn report(db: &str, args: ReportArgs) -> Result<ExitCode> {
    use jixiao_server::reports::{render, Format, Kind};
    let wording = match &args.wording {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            jixiao_report::wording::Wording::with_overrides(&path.display().to_string(), &text)?
        }
        None => jixiao_report::wording::Wording::default(),
    };
    let mut store = open(db)?;
    let fw = load(&mut store, &args.cycle)?;
    let loaded = jixiao_server::reports::load(&mut store, &fw.cycle.id)?;
    let kind = match args.kind {
        ReportKind::SelfReport => Kind::SelfReport,
        ReportKind::Results => Kind::Results,
        ReportKind::Selfcheck => Kind::SelfCheck,
    };
    let format = match args.format {
        ReportFormat::Docx => Format::Docx,
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Md,
        ReportFormat::Xlsx => Format::Xlsx,
    };
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let r = render(&loaded, &wording, kind, args.unit.as_deref(), format, date)
        .map_err(|e| anyhow!("{e}"))?;
    write(&args.output, &r.bytes)?;
    println!("{} → {}", r.file_name, args.output.display());
    Ok(ExitCode::SUCCESS)
}

fn cycle_next(db: &str, from: &str, id: Option<String>, output: &Path) -> Result<ExitCode> {
    let mut store = open(db)?;
    let fw = store.load_cycle(from)?;
    let items: Vec<(String, Vec<String>)> = {
        let loaded = jixiao_server::reports::load(&mut store, from)?;
        fw.units
            .iter()
            .map(|u| (u.id.clone(), loaded.narratives.rectification_items(&u.id)))
            .filter(|(_, items)| !items.is_empty())
            .collect()
    };
    let next = jixiao_taskbook::next::next_cycle(&fw, id.as_deref(), &items)
        .map_err(|e| anyhow!("{e}"))?;
    let is_xlsx = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if is_xlsx {
        jixiao_taskbook::xlsx::to_xlsx(&next.framework).map_err(|e| anyhow!("writing xlsx: {e}"))?
    } else {
        format!(
            "{}{}",
            next.header,
            jixiao_taskbook::to_toml(&next.framework)
        )
        .into_bytes()
    };
    write(output, &bytes)?;
    println!(
        "{} ({}): {} 项任务 tasks, 其中整改任务 {} 项 rectification tasks, {} 个目标待重新设定 targets to re-set → {}",
        next.framework.cycle.id,
        next.framework.cycle.name,
        next.framework.tasks().count(),
        next.rectification_tasks,
        next.targets_to_reset,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn open(url: &str) -> Result<Store> {
    Store::open(url).with_context(|| format!("opening database {url}"))
}

fn file_name(p: &Path) -> String {
    p.display().to_string()
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    println!("已写入 written: {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join("、")
}

pub fn progress(len: u64, message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

fn lang_of(l: &LangArg) -> Result<Lang> {
    Lang::parse(&l.lang).ok_or_else(|| anyhow!("unknown language `{}`; use zh or en", l.lang))
}

/// Reads a task book by extension, failing with every diagnostic.
pub fn read_taskbook(file: &Path) -> Result<Framework> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file_name(file);
    let parsed = if name.to_lowercase().ends_with(".xlsx") {
        jixiao_taskbook::xlsx::parse_xlsx(&bytes, &name)
    } else {
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "{name}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )
        })?;
        jixiao_taskbook::parse_toml(&text, &name)
    };
    parsed.map_err(|d| Diagnosed(d).into())
}

fn check(file: &Path) -> Result<ExitCode> {
    let fw = read_taskbook(file)?;
    let tasks = fw.tasks().count();
    let inner = fw.nodes.len() - tasks;
    println!(
        "✓ {}: {} ({}) — {} 个指标节点 nodes, {} 项任务 tasks, {} 个单位 units ({} 单列), {} 个填报期 periods, 满分 {}",
        file.display(),
        fw.cycle.name,
        fw.cycle.id,
        inner,
        tasks,
        fw.units.len(),
        fw.units.iter().filter(|u| !u.ranked).count(),
        fw.cycle.periods.len(),
        num(fw.total_points())
    );
    Ok(ExitCode::SUCCESS)
}

pub fn load(store: &mut Store, cycle: &CycleArg) -> Result<Framework> {
    let id = match &cycle.cycle {
        Some(c) => c.clone(),
        None => store.cycles()?.into_iter().next().map(|(id, _)| id).ok_or_else(|| anyhow!("no cycle in the database: import a task book first (jixiao import taskbook FILE)"))?,
    };
    store.load_cycle(&id).map_err(|e| anyhow!("{e}"))
}

pub fn scored(store: &mut Store, cycle: &CycleArg) -> Result<(Framework, Inputs, Scorecard)> {
    let fw = load(store, cycle)?;
    let inputs = store.inputs(&fw)?;
    let card = jixiao_core::score(&fw, &inputs);
    Ok((fw, inputs, card))
}

#[derive(serde::Serialize)]
struct UnitSummary<'a> {
    id: &'a str,
    name: &'a str,
    total: f64,
    base: f64,
    bonus: f64,
    deduction: f64,
    grade: Option<&'a str>,
    rank: Option<u32>,
    group_ranks: Vec<(&'a str, u32)>,
    dimensions: Vec<(&'a str, Option<f64>)>,
}

fn score_summary<'a>(fw: &'a Framework, card: &'a Scorecard) -> serde_json::Value {
    let units: Vec<UnitSummary> = fw
        .units
        .iter()
        .zip(&card.units)
        .map(|(u, s)| UnitSummary {
            id: &u.id,
            name: &u.name,
            total: s.total,
            base: s.base,
            bonus: s.bonus,
            deduction: s.deduction,
            grade: s.grade.as_deref(),
            rank: s.rank,
            group_ranks: s
                .group_ranks
                .iter()
                .map(|(g, r)| (fw.groups[*g].id.as_str(), *r))
                .collect(),
            dimensions: fw
                .roots()
                .map(|r| (fw.nodes[r].id.as_str(), s.nodes[r].score()))
                .collect(),
        })
        .collect();
    serde_json::json!({ "cycle": fw.cycle.id, "units": units })
}

/// The ranking table: ranked units by rank, then 单列 units.
pub fn ranking_table(
    fw: &Framework,
    card: &Scorecard,
    group: Option<usize>,
    with_groups: bool,
) -> String {
    let mut order: Vec<usize> = match group {
        Some(g) => fw.members(Some(&fw.groups[g].id)),
        None => (0..fw.units.len()).collect(),
    };
    let rank_of = |u: usize| match group {
        Some(g) => card.units[u]
            .group_ranks
            .iter()
            .find(|(gg, _)| *gg == g)
            .map(|(_, r)| *r),
        None => card.units[u].rank,
    };
    order.sort_by(|&a, &b| {
        rank_of(a)
            .unwrap_or(u32::MAX)
            .cmp(&rank_of(b).unwrap_or(u32::MAX))
            .then(card.units[b].total.total_cmp(&card.units[a].total))
    });
    let mut headers = vec!["名次", "单位", "总分", "基础分", "加分", "扣分", "等次"];
    if with_groups {
        headers.push("分组名次");
    }
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&u| {
            let s = &card.units[u];
            let mut row = vec![
                rank_of(u)
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "单列".into()),
                fw.units[u].name.clone(),
                pts(s.total),
                pts(s.base),
                pts(s.bonus),
                pts(s.deduction),
                s.grade.clone().unwrap_or_default(),
            ];
            if with_groups {
                row.push(
                    s.group_ranks
                        .iter()
                        .map(|(g, r)| format!("{}第{}", fw.groups[*g].name, r))
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
            row
        })
        .collect();
    table::render(&headers, &rows)
}

fn rank(db: &str, args: RankArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let (fw, inputs, card) = scored(&mut store, &args.cycle)?;
    let group = match &args.group {
        Some(g) => Some(fw.group_index(g).ok_or_else(|| {
            anyhow!(
                "unknown group `{g}`; groups: {}",
                names(fw.groups.iter().map(|g| g.name.as_str()))
            )
        })?),
        None => None,
    };
    println!(
        "{} {}",
        fw.cycle.name,
        group
            .map(|g| format!("· {}", fw.groups[g].name))
            .unwrap_or_else(|| "· 综合排名".into())
    );
    print!("{}", ranking_table(&fw, &card, group, group.is_none()));
    if args.by_group {
        for g in 0..fw.groups.len() {
            println!("\n{}", fw.groups[g].name);
            print!("{}", ranking_table(&fw, &card, Some(g), false));
        }
    }
    if args.robustness {
        if args.draws == 0 || !(0.0..1.0).contains(&args.spread) {
            bail!("--draws must be at least 1 and --spread at least 0 and below 1");
        }
        let cfg = RobustnessConfig {
            draws: args.draws,
            seed: args.seed,
            weight_spread: args.spread,
            vary_normalisation: args.vary_normalisation,
            coverage: 0.95,
        };
        let result = analyse(&fw, &inputs, cfg);
        let zh = lang_of(&args.lang)? == Lang::Zh;
        println!(
            "\n{}",
            if zh {
                format!(
                    "排名稳健性:权重 ±{:.0}% 随机扰动 {} 次{}(种子 {})",
                    args.spread * 100.0,
                    args.draws,
                    if args.vary_normalisation {
                        ",并随机更换标准化方法"
                    } else {
                        ""
                    },
                    args.seed
                )
            } else {
                format!(
                    "Rank robustness: weights perturbed ±{:.0}% in {} draws{} (seed {})",
                    args.spread * 100.0,
                    args.draws,
                    if args.vary_normalisation {
                        ", normalisation drawn too"
                    } else {
                        ""
                    },
                    args.seed
                )
            }
        );
        let mut sorted = result.clone();
        sorted.sort_by_key(|r| r.baseline);
        let rows: Vec<Vec<String>> = sorted
            .iter()
            .map(|r| {
                let name = fw.units[r.unit].name.clone();
                let interval = if zh {
                    format!("第{}–{}名", r.low, r.high)
                } else {
                    format!("{}–{}", r.low, r.high)
                };
                let sentence = if zh {
                    format!(
                        "{name}第{}名,95%的抽样在第{}至{}名之间",
                        r.baseline, r.low, r.high
                    )
                } else {
                    format!(
                        "{name} {}, between {} and {} in 95% of draws",
                        ordinal(r.baseline),
                        ordinal(r.low),
                        ordinal(r.high)
                    )
                };
                vec![
                    r.baseline.to_string(),
                    name,
                    r.median.to_string(),
                    interval,
                    format!("{}–{}", r.min, r.max),
                    format!("{:.0}%", r.share_at_baseline * 100.0),
                    sentence,
                ]
            })
            .collect();
        let headers = if zh {
            [
                "名次",
                "单位",
                "中位名次",
                "95%区间",
                "最好–最差",
                "保持原名次",
                "说明",
            ]
        } else {
            [
                "rank",
                "unit",
                "median",
                "95% interval",
                "best–worst",
                "kept rank",
                "reading",
            ]
        };
        print!("{}", table::render(&headers, &rows));
    }
    Ok(ExitCode::SUCCESS)
}

fn claims_output(claims: &[jixiao_claims::Claim], format: ClaimsFormat) -> Result<String> {
    let kind = |c: &jixiao_claims::Claim| {
        serde_json::to_value(&c.kind)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let qualifier = |c: &jixiao_claims::Claim| {
        c.qualifier
            .and_then(|q| serde_json::to_value(q).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    Ok(match format {
        ClaimsFormat::Json => serde_json::to_string_pretty(claims)? + "\n",
        ClaimsFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "sentence",
                "start",
                "end",
                "metric",
                "value",
                "unit",
                "kind",
                "qualifier",
                "estimate",
                "period",
                "text",
            ])?;
            for c in claims {
                w.write_record([
                    c.sentence.to_string(),
                    c.start.to_string(),
                    c.end.to_string(),
                    c.metric.clone(),
                    num(c.value),
                    c.unit.clone(),
                    kind(c),
                    qualifier(c),
                    c.estimate.to_string(),
                    c.period.clone().unwrap_or_default(),
                    c.text.clone(),
                ])?;
            }
            String::from_utf8(w.into_inner().map_err(|e| anyhow!("{e}"))?)?
        }
        ClaimsFormat::Table => {
            let rows: Vec<Vec<String>> = claims
                .iter()
                .map(|c| {
                    vec![
                        c.sentence.to_string(),
                        c.metric.clone(),
                        num(c.value),
                        c.unit.clone(),
                        kind(c),
                        qualifier(c),
                        c.text.clone(),
                    ]
                })
                .collect();
            table::render(
                &[
                    "句",
                    "指标 metric",
                    "数值 value",
                    "单位 unit",
                    "类型 kind",
                    "限定 qualifier",
                    "原文 text",
                ],
                &rows,
            )
        }
    })
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn node_table(fw: &Framework, card: &Scorecard, unit: usize, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let rows: Vec<Vec<String>> = fw
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.task.is_none())
        .map(|(i, n)| {
            let depth = {
                let mut d = 0;
                let mut p = n.parent;
                while let Some(x) = p {
                    d += 1;
                    p = fw.nodes[x].parent;
                }
                d
            };
            let score = card.units[unit].nodes[i]
                .score()
                .map(pts)
                .unwrap_or_else(|| if zh { "不适用".into() } else { "n/a".into() });
            vec![
                n.id.clone(),
                format!("{}{}", "  ".repeat(depth), n.name),
                num(n.points),
                score,
            ]
        })
        .collect();
    table::render(
        if zh {
            &["编号", "指标", "分值", "得分"]
        } else {
            &["id", "indicator", "points", "score"]
        },
        &rows,
    )
}

/// One row per unit × node: the export's content.
fn score_rows(fw: &Framework, card: &Scorecard, lang: Lang) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for u in 0..fw.units.len() {
        for n in 0..fw.nodes.len() {
            let e = explain(fw, card, u, n, lang);
            let value = e
                .inputs
                .iter()
                .find(|(k, _)| k == "x")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            rows.push(vec![
                fw.units[u].id.clone(),
                fw.units[u].name.clone(),
                fw.nodes[n].id.clone(),
                e.path.clone(),
                num(fw.nodes[n].points),
                e.result.map(pts).unwrap_or_default(),
                value,
                if lang == Lang::Zh {
                    e.method_zh.clone()
                } else {
                    e.method.clone()
                },
                e.to_text(lang)
                    .lines()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .join(" | "),
            ]);
        }
        let s = &card.units[u];
        rows.push(vec![
            fw.units[u].id.clone(),
            fw.units[u].name.clone(),
            "TOTAL".into(),
            if lang == Lang::Zh {
                "总分".into()
            } else {
                "total".into()
            },
            num(fw.total_points()),
            pts(s.total),
            String::new(),
            s.grade.clone().unwrap_or_default(),
            explain_total(fw, card, u, lang)
                .lines()
                .collect::<Vec<_>>()
                .join(" | "),
        ]);
    }
    rows
}

const SCORE_HEADERS: [&str; 9] = [
    "单位编号(unit_id)",
    "单位(unit)",
    "编号(node_id)",
    "指标路径(path)",
    "分值(points)",
    "得分(score)",
    "实际值(value)",
    "方法(method)",
    "计算说明(explanation)",
];

fn scores_csv(fw: &Framework, card: &Scorecard, lang: Lang) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SCORE_HEADERS)?;
    for r in score_rows(fw, card, lang) {
        w.write_record(&r)?;
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec(); // so Excel opens UTF-8 CSV as UTF-8
    bytes.extend(w.into_inner().map_err(|e| anyhow!("{e}"))?);
    Ok(bytes)
}

fn scores_xlsx(fw: &Framework, card: &Scorecard, lang: Lang) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("得分(scores)")?;
    for (c, h) in SCORE_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in score_rows(fw, card, lang).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match (c, v.parse::<f64>()) {
                (4 | 5, Ok(x)) => ws.write_number(r, c, x)?,
                _ => ws.write_string(r, c, v)?,
            };
        }
    }
    ws.set_column_width(3, 40)?;
    ws.set_column_width(8, 80)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}
