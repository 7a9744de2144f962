//! `jixiao score`, `rank` (with rank robustness), `explain`, `export scores`.

use crate::cli::{CycleArg, ExplainArgs, LangArg, RankArgs, ScoreArgs, TableFormat};
use crate::support::{lang_of, names, open, write};
use crate::table;
use anyhow::{anyhow, bail, Result};
use jixiao_app::scores::Scored;
use jixiao_app::Actor;
use jixiao_core::explain::{num, pts};
use jixiao_core::robustness::{analyse, RobustnessConfig};
use jixiao_core::{explain as explain_node, explain_total, Framework, Lang, Scorecard};
use std::path::Path;
use std::process::ExitCode;

pub fn score(db: &str, actor: &Actor, args: &ScoreArgs) -> Result<ExitCode> {
    use jixiao_app::reports::publication::Cut;
    let cut = match (&args.period, args.as_of) {
        (Some(p), _) => Cut::Period(p.clone()),
        (None, Some(d)) => Cut::AsOf(d),
        (None, None) => Cut::Year,
    };
    let (Scored { fw, card, .. }, run) = jixiao_app::runs::score_and_record(
        &mut open(db)?,
        actor,
        args.cycle.cycle.as_deref(),
        &cut,
    )?;
    if cut != Cut::Year && !args.json {
        println!("{}: {}", fw.cycle.name, cut.label());
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&jixiao_app::scores::summary(&fw, &card))?
        );
    } else {
        print!("{}", ranking_table(&fw, &card, None, true));
        println!("评分记录 score run #{run} saved");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(
    db: &str,
    cycle: &CycleArg,
    format: TableFormat,
    output: &Path,
    lang: &LangArg,
) -> Result<ExitCode> {
    let Scored { fw, card, .. } = jixiao_app::scores::scored(
        &mut open(db)?,
        &Actor::office("cli"),
        cycle.cycle.as_deref(),
    )?;
    let lang = lang_of(lang)?;
    let bytes = match format {
        TableFormat::Csv => scores_csv(&fw, &card, lang)?,
        TableFormat::Xlsx => scores_xlsx(&fw, &card, lang)?,
    };
    write(output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(db: &str, args: &ExplainArgs) -> Result<ExitCode> {
    let Scored { fw, card, .. } = jixiao_app::scores::scored(
        &mut open(db)?,
        &Actor::office("cli"),
        args.cycle.cycle.as_deref(),
    )?;
    let lang = lang_of(&args.lang)?;
    let unit = fw.unit_index(&args.unit).ok_or_else(|| {
        anyhow!(
            "unknown unit `{}`; units: {}",
            args.unit,
            names(fw.units.iter().map(|u| u.name.as_str()))
        )
    })?;
    match &args.task {
        Some(t) => {
            let node = fw
                .node_index(t)
                .ok_or_else(|| anyhow!("unknown task or indicator `{t}`"))?;
            let e = explain_node(&fw, &card, unit, node, lang);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&e)?);
            } else {
                print!("{}", e.to_text(lang));
            }
        }
        None if args.json => {
            let all: Vec<_> = (0..fw.nodes.len())
                .map(|n| explain_node(&fw, &card, unit, n, lang))
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
    Ok(ExitCode::SUCCESS)
}

/// The ranking table: ranked units by rank, then 单列 units.
pub fn ranking_table(
    fw: &Framework,
    card: &Scorecard,
    group: Option<usize>,
    with_groups: bool,
) -> String {
    let mut headers = vec!["名次", "单位", "总分", "基础分", "加分", "扣分", "等次"];
    // With unit classes, ranks are within the class: say which.
    let classes = !fw.classes.is_empty();
    if classes {
        headers.insert(2, "类别");
    }
    if with_groups {
        headers.push("分组名次");
    }
    let rows: Vec<Vec<String>> = card
        .standings(fw, group)
        .into_iter()
        .map(|(u, rank)| {
            let s = &card.units[u];
            let mut row = vec![
                rank.map(|r| r.to_string()).unwrap_or_else(|| "单列".into()),
                fw.units[u].name.clone(),
                pts(s.total),
                pts(s.base),
                pts(s.bonus),
                pts(s.deduction),
                s.grade.clone().unwrap_or_default(),
            ];
            if classes {
                row.insert(
                    2,
                    fw.class_of(u)
                        .map(|c| fw.classes[c].name.clone())
                        .unwrap_or_default(),
                );
            }
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

pub fn rank(db: &str, args: &RankArgs) -> Result<ExitCode> {
    let Scored { fw, inputs, card } = jixiao_app::scores::scored(
        &mut open(db)?,
        &Actor::office("cli"),
        args.cycle.cycle.as_deref(),
    )?;
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
        // With unit classes, ranks are within the class: one table per class.
        sorted.sort_by_key(|r| (fw.class_of(r.unit), r.baseline));
        let row_of = |r: &jixiao_core::robustness::UnitRobustness| {
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
        };
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
        let mut classes: Vec<Option<usize>> = sorted.iter().map(|r| fw.class_of(r.unit)).collect();
        classes.dedup();
        for c in classes {
            if let Some(c) = c {
                println!("{}", fw.classes[c].name);
            }
            let rows: Vec<Vec<String>> = sorted
                .iter()
                .filter(|r| fw.class_of(r.unit) == c)
                .map(row_of)
                .collect();
            print!("{}", table::render(&headers, &rows));
        }
    }
    Ok(ExitCode::SUCCESS)
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
            let e = explain_node(fw, card, u, n, lang);
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

pub fn runs(db: &str, actor: &Actor, cmd: crate::cli::RunsCommand) -> Result<ExitCode> {
    use crate::cli::RunsCommand;
    let mut store = open(db)?;
    match cmd {
        RunsCommand::List { cycle } => {
            for r in jixiao_app::runs::list(&mut store, actor, cycle.as_deref())? {
                println!("#{}  {}  {}  {}  {}", r.id, r.cycle, r.at, r.by, r.cut);
            }
        }
        RunsCommand::Diff { a, b } => {
            let d = jixiao_app::runs::diff(&mut store, actor, a, b)?;
            println!(
                "#{} ({} {}) → #{} ({} {})",
                d.a.id, d.a.cycle, d.a.cut, d.b.id, d.b.cycle, d.b.cut
            );
            if d.results.is_empty() {
                println!("结果相同 the same figures");
            }
            let num = |x: &str| match x.parse::<f64>() {
                Ok(v) if x.contains('.') => format!("{v:.2}"),
                _ => x.to_string(),
            };
            for x in &d.results {
                println!(
                    "  {} {}: {} → {}",
                    x.unit_name,
                    x.figure,
                    num(&x.old),
                    num(&x.new)
                );
            }
            if !d.inputs.is_empty() {
                println!("输入变化 inputs that differ:");
            }
            for x in &d.inputs {
                println!("  {}: {} → {}", x.input, x.old, x.new);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
