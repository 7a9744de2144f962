//! `jixiao claims extract|check|eval`: the quantitative claims of a report, checked against
//! the data or measured against a hand-annotated gold file.

use crate::cli::{ClaimsFormat, CycleArg};
use crate::support::{file_name, open, read_taskbook, report_text, unit_id};
use crate::table;
use crate::Diagnosed;
use anyhow::{anyhow, Context, Result};
use jixiao_app::Actor;
use jixiao_core::explain::num;
use jixiao_core::workflow::ValueState;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The built-in units with those of `file` added (an office's own).
fn vocabulary(file: Option<&Path>) -> Result<jixiao_claims::units::Vocabulary> {
    let built_in = jixiao_claims::units::built_in();
    match file {
        None => Ok(built_in.clone()),
        Some(f) => {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            built_in
                .with(&text, &f.display().to_string())
                .map_err(|e| anyhow!(e))
        }
    }
}

pub fn extract(file: &Path, format: ClaimsFormat, units: Option<&Path>) -> Result<ExitCode> {
    let vocab = vocabulary(units)?;
    let text = report_text(file)?;
    let claims = jixiao_claims::extract_with(&text, &vocab);
    print!("{}", claims_output(&claims, format)?);
    Ok(ExitCode::SUCCESS)
}

type TableChecks = Vec<(
    jixiao_claims::selfeval::SelfEvaluation,
    Vec<jixiao_claims::selfeval::Finding>,
)>;

/// The self-evaluation tables of a report, checked against their own arithmetic, printed;
/// whether any does not add up.
fn print_tables(found: &TableChecks, file: &Path, json: bool) -> Result<bool> {
    if json {
        let out: Vec<serde_json::Value> = found
            .iter()
            .map(|(t, f)| serde_json::json!({ "table": t, "findings": f }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if found.is_empty() {
        println!(
            "{}: 未发现项目支出绩效自评表 no 项目支出绩效自评表 found",
            file.display()
        );
    } else {
        for (i, (t, findings)) in found.iter().enumerate() {
            println!(
                "{}: 项目支出绩效自评表 {} ({} budget rows, {} indicators): {}",
                file.display(),
                i + 1,
                t.budget.len(),
                t.indicators.len(),
                if findings.is_empty() {
                    "自洽 consistent".to_string()
                } else {
                    format!("{} 处不一致 inconsistencies", findings.len())
                }
            );
            let rows: Vec<Vec<String>> = findings
                .iter()
                .map(|f| {
                    vec![
                        format!("{}:{}", file_name(file), f.line),
                        f.field.clone(),
                        num(f.found),
                        format!("{:.2}", f.expected),
                        f.message.clone(),
                    ]
                })
                .collect();
            if !rows.is_empty() {
                print!(
                    "{}",
                    table::render(
                        &[
                            "位置 where",
                            "项目 field",
                            "表中 found",
                            "应为 expected",
                            "说明 why"
                        ],
                        &rows
                    )
                );
            }
        }
    }
    Ok(found.iter().any(|(_, f)| !f.is_empty()))
}

pub fn check(
    db: &str,
    actor: &Actor,
    unit: Option<&str>,
    cycle: &CycleArg,
    file: &Path,
    json: bool,
    units: Option<&Path>,
) -> Result<ExitCode> {
    let vocab = vocabulary(units)?;
    let text = report_text(file)?;
    let Some(unit) = unit else {
        // The tables' own arithmetic needs no database.
        let found = jixiao_claims::selfeval::check_document(&text, &vocab);
        let bad = print_tables(&found, file, json)?;
        return Ok(if bad {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    };
    let settings = jixiao_app::Settings {
        claims_units: vocab.clone(),
        ..jixiao_app::Settings::default()
    };
    let mut store = open(db)?;
    let fw = jixiao_app::cycles::load(&mut store, actor, cycle.cycle.as_deref())?;
    let unit = unit_id(&fw, unit)?;
    let (_, checked) = jixiao_app::claims::check(
        &mut store,
        &settings,
        actor,
        Some(&fw.cycle.id),
        &unit,
        &text,
    )?;
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
        let count = |f: fn(&Verdict) -> bool| checked.iter().filter(|c| f(&c.verdict)).count();
        println!(
            "\n{} claims: {} consistent, {} inconsistent, {} unmatched",
            checked.len(),
            count(|v| matches!(v, Verdict::Consistent)),
            count(|v| matches!(v, Verdict::Inconsistent { .. })),
            count(|v| matches!(v, Verdict::Unmatched))
        );
        // And the self-evaluation tables' own arithmetic, when the report has one.
        let found = jixiao_claims::selfeval::check_document(&text, &vocab);
        if !found.is_empty() && print_tables(&found, file, false)? {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(gold: &Path, document: Option<PathBuf>, documents: Option<&Path>) -> Result<ExitCode> {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(gold).with_context(|| format!("reading {}", gold.display()))?,
    )
    .with_context(|| format!("{} is not JSON", gold.display()))?;
    if json.get("documents").is_some() {
        let set: jixiao_claims::eval::GoldSet = serde_json::from_value(json)
            .with_context(|| format!("{} is not a gold set", gold.display()))?;
        let dir = documents.ok_or_else(|| {
            anyhow!(
                "{} is a gold set: give the folder of its documents' texts with --documents",
                gold.display()
            )
        })?;
        return eval_set(&set, dir);
    }
    let g: jixiao_claims::eval::Gold = serde_json::from_value(json)
        .with_context(|| format!("{} is not a gold file", gold.display()))?;
    let doc_path = match document {
        Some(d) => d,
        None => gold
            .canonicalize()?
            .ancestors()
            .map(|a| a.join(&g.document))
            .find(|p| p.exists())
            .ok_or_else(|| anyhow!("cannot find {}; give it with --document", g.document))?,
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
        let m = claims_matching(gold, src, &jixiao_claims::extract(&text), &g.claims)?;
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
    Ok(ExitCode::SUCCESS)
}

/// Measures every document of a gold set whose text is in `dir`, then each shape and all of
/// them; a document without its text is listed with where it was published.
fn eval_set(set: &jixiao_claims::eval::GoldSet, dir: &Path) -> Result<ExitCode> {
    use jixiao_claims::eval::{evaluate_supplied, Tally};
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut rows = Vec::new();
    let mut shapes: Vec<(String, Tally)> = Vec::new();
    let mut all = Tally::default();
    let mut details = Vec::new();
    for d in &set.documents {
        let path = dir.join(format!("{}.txt", d.name));
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!(
                "not available: {} ({}), from {}",
                path.display(),
                d.title,
                d.source
            );
            continue;
        };
        let (e, lost) = evaluate_supplied(&text, &jixiao_claims::extract(&text), &d.claims);
        if jixiao_app::sha256_hex(text.as_bytes()) != d.sha256 {
            details.push(format!(
                "{}: not the annotated text (SHA-256 differs); {} of {} claims found in it by their words",
                d.name,
                d.claims.len() - lost.len(),
                d.claims.len()
            ));
        }
        rows.push(vec![
            d.name.clone(),
            d.shape.clone(),
            e.gold.to_string(),
            e.extracted.to_string(),
            e.correct.to_string(),
            pct(e.precision),
            pct(e.recall),
        ]);
        details.extend(
            lost.iter()
                .map(|l| format!("{}: not in the text: {l}", d.name)),
        );
        details.extend(e.misses.iter().map(|m| format!("{}: missed: {m}", d.name)));
        details.extend(
            e.spurious
                .iter()
                .map(|s| format!("{}: not in gold: {s}", d.name)),
        );
        match shapes.iter_mut().find(|(s, _)| *s == d.shape) {
            Some((_, t)) => t.add(&e),
            None => {
                let mut t = Tally::default();
                t.add(&e);
                shapes.push((d.shape.clone(), t));
            }
        }
        all.add(&e);
    }
    let headers = [
        "文档 document",
        "类型 shape",
        "标注 gold",
        "抽取 extracted",
        "正确 right",
        "精确率 precision",
        "召回率 recall",
    ];
    print!("{}", table::render(&headers, &rows));
    let mut totals: Vec<Vec<String>> = shapes
        .iter()
        .map(|(shape, t)| tally_row(shape, t))
        .collect();
    totals.push(tally_row("全部 all", &all));
    println!();
    print!(
        "{}",
        table::render(
            &[
                "类型 shape",
                "文档 documents",
                "标注 gold",
                "抽取 extracted",
                "正确 right",
                "精确率 precision",
                "召回率 recall"
            ],
            &totals
        )
    );
    for d in &details {
        println!("{d}");
    }
    Ok(ExitCode::SUCCESS)
}

fn tally_row(name: &str, t: &jixiao_claims::eval::Tally) -> Vec<String> {
    vec![
        name.to_string(),
        t.documents.to_string(),
        t.gold.to_string(),
        t.extracted.to_string(),
        t.correct.to_string(),
        format!("{:.1}%", t.precision() * 100.0),
        format!("{:.1}%", t.recall() * 100.0),
    ]
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

fn claims_output(claims: &[jixiao_claims::Claim], format: ClaimsFormat) -> Result<String> {
    // A table cell's kind is its column's role: budget, execution, actual, points, score …
    let kind = |c: &jixiao_claims::Claim| {
        serde_json::to_value(&c.kind)
            .ok()
            .and_then(|v| {
                v["role"]
                    .as_str()
                    .or_else(|| v["type"].as_str())
                    .map(str::to_string)
            })
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
