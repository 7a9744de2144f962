//! Benchmark: score, explain and rank a city-sized cycle (the demo task book with 420 units:
//! 16 districts, 343 streets and 61 departments' worth of units), single-threaded.
//!
//! Run `cargo bench -p jixiao --bench scoring`; writes the table to docs/benchmarks.md.

use jixiao_core::inputs::{Inputs, ValueRecord};
use jixiao_core::model::{Unit, UnitKind};
use jixiao_core::robustness::{analyse, RobustnessConfig};
use jixiao_core::{explain, Lang};
use std::time::{Duration, Instant};

fn city_framework() -> jixiao_core::Framework {
    let mut fw = jixiao_taskbook::parse_toml(jixiao_demo::TASKBOOK, "taskbook.toml")
        .expect("demo task book");
    let groups = ["core", "urban6", "plain", "eco"];
    fw.units = (0..420)
        .map(|i| Unit {
            id: format!("u{i:03}"),
            name: format!("单位{i:03}"),
            kind: UnitKind::Street,
            groups: vec![groups[i % 4].to_string()],
            ranked: i % 50 != 49,
            class: None,
        })
        .collect();
    for n in &mut fw.nodes {
        if let Some(t) = &mut n.task {
            t.overrides.clear();
            t.responsible.clear();
        }
    }
    fw
}

fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let fw = city_framework();
    let rows = jixiao_demo::synthetic_values(&fw, &[], jixiao_demo::SEED);
    let records: Vec<ValueRecord> = rows
        .iter()
        .map(|r| ValueRecord {
            task: fw.node_index(&r.key.task).unwrap(),
            unit: fw.unit_index(&r.key.unit).unwrap(),
            period: fw.period_index(&r.key.period).unwrap(),
            observation: r.observation.clone(),
        })
        .collect();
    let tasks = fw.tasks().count();
    let units = fw.units.len();
    println!(
        "cycle: {units} units × {tasks} tasks, {} period values",
        records.len()
    );

    let runs = 30;
    let (reduce, reduce_min) = measure(runs, || Inputs::from_records(&fw, &records, Vec::new()));
    let inputs = Inputs::from_records(&fw, &records, Vec::new());
    let (score, score_min) = measure(runs, || jixiao_core::score(&fw, &inputs));
    let card = jixiao_core::score(&fw, &inputs);
    let explain_all = || {
        let mut bytes = 0;
        for u in 0..units {
            for n in 0..fw.nodes.len() {
                bytes += explain(&fw, &card, u, n, Lang::Zh).to_text(Lang::Zh).len();
            }
        }
        bytes
    };
    let (explain_t, explain_min) = measure(10, explain_all);
    let (one_unit, one_unit_min) = measure(runs, || {
        (0..fw.nodes.len())
            .map(|n| explain(&fw, &card, 0, n, Lang::Zh).to_text(Lang::Zh).len())
            .sum::<usize>()
    });
    let (all, all_min) = measure(10, || {
        let inputs = Inputs::from_records(&fw, &records, Vec::new());
        let card = jixiao_core::score(&fw, &inputs);
        let mut bytes = 0;
        for u in 0..units {
            for n in 0..fw.nodes.len() {
                bytes += explain(&fw, &card, u, n, Lang::Zh).to_text(Lang::Zh).len();
            }
        }
        (card.units.len(), bytes)
    });
    let cfg = RobustnessConfig {
        draws: 1000,
        ..RobustnessConfig::default()
    };
    let (robust, robust_min) = measure(3, || analyse(&fw, &inputs, cfg));

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let explanations = units * fw.nodes.len();
    let table = format!(
        "# Benchmarks\n\n\
         Written by `cargo bench -p jixiao --bench scoring` (release build, one thread). Median and best of repeated runs, in milliseconds.\n\n\
         ## Scoring a city-sized cycle\n\n\
         The demo task book (3 dimensions, 29 indicators, {tasks} tasks including survey and leader evaluation, all ten scoring methods) with {units} units \
         (a city's 16 districts, 343 streets and 61 departments' worth), synthetic values for 4 quarters ({} period values). \
         Goal (issue 2): score, explain and rank under 50 ms on one core.\n\n\
         | step | median ms | best ms |\n|---|---:|---:|\n\
         | reduce period values to the year's values | {} | {} |\n\
         | score every task, roll up, bonus/deduction, grades, rank overall and in 4 groups | {} | {} |\n\
         | render one unit's {} explanations as Chinese text (what `jixiao explain` and a unit's page show) | {} | {} |\n\
         | render all {explanations} explanations as Chinese text | {} | {} |\n\
         | **all of it: reduce + score + rank + explain every number** | **{}** | **{}** |\n\
         | rank robustness, 1000 weight perturbations | {} | {} |\n\n\
         Scoring keeps every explanation as numbers (method, inputs, intermediate results: no strings) and renders text \
         only when asked. Scoring, structured explanations and ranking together meet the 50 ms goal; rendering the \
         text of every explanation of every unit at once does not ({}× the scoring time) and is not needed for any \
         view: text is rendered per unit or per task on demand.\n\n\
         Machine: {cpu}, {} cores available; measured {}.\n",
        records.len(),
        ms(reduce), ms(reduce_min),
        ms(score), ms(score_min),
        fw.nodes.len(),
        ms(one_unit), ms(one_unit_min),
        ms(explain_t), ms(explain_min),
        ms(all), ms(all_min),
        ms(robust), ms(robust_min),
        (explain_t.as_secs_f64() / score.as_secs_f64()).round(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        chrono::Utc::now().format("%Y-%m-%d"),
    );
    print!("{table}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // The file's head and this section are replaced; the other benchmarks' sections stay.
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let rest = old
        .find("## Scoring a city-sized cycle")
        .and_then(|at| old[at + 3..].find("\n## ").map(|n| &old[at + 3 + n + 1..]))
        .unwrap_or("");
    let text = if rest.is_empty() {
        table
    } else {
        format!("{}\n\n{rest}", table.trim_end())
    };
    std::fs::write(&path, text).unwrap();
    println!("written to {}", path.display());
}
