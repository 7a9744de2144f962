//! The shipped example task books are valid, and survive a write and re-read unchanged.

use jixiao_taskbook::{parse_toml, to_toml};
use std::path::PathBuf;

fn examples() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut found = Vec::new();
    for dir in std::fs::read_dir(&root).expect("examples folder") {
        let dir = dir.expect("entry").path();
        for f in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = f.path();
            // Task books only: the examples also hold a survey's questionnaire and the like.
            let is_task_book = p.extension().is_some_and(|e| e == "toml")
                && std::fs::read_to_string(&p).is_ok_and(|t| t.contains("\n[cycle]"));
            if is_task_book {
                found.push(p);
            }
        }
    }
    assert!(
        !found.is_empty(),
        "no example task book found under {}",
        root.display()
    );
    found
}

#[test]
fn every_shipped_example_task_book_is_valid() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        if let Err(errors) = parse_toml(&text, &path.display().to_string()) {
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            panic!("{} has errors:\n{}", path.display(), list.join("\n"));
        }
    }
}

#[test]
fn the_beijing_demo_has_29_indicators_and_70_tasks_plus_survey_and_leader_evaluation() {
    let text = include_str!("../../../examples/beijing-2020/taskbook.toml");
    let fw = parse_toml(text, "taskbook.toml").expect("valid");
    // The districts' tree (the city departments' class has its own nodes besides 服务效果).
    let dongcheng = fw.unit_index("dongcheng").unwrap();
    let department = fw.unit_index("dept-jw").unwrap();
    assert_eq!(fw.full_marks(dongcheng), 100.0);
    assert_eq!(fw.full_marks(department), 100.0);
    assert_eq!(
        fw.tasks()
            .filter(|&t| fw.applies_to_class(t, department))
            .count(),
        7,
        "five department tasks and the two of 服务效果"
    );
    // Figures (the inputs of the formula task B04-2) are reported but not assessed tasks.
    let tasks: Vec<_> = fw
        .tasks()
        .filter(|&t| !fw.is_figure(t) && fw.applies_to_class(t, dongcheng))
        .collect();
    assert_eq!(fw.tasks().filter(|&t| fw.is_figure(t)).count(), 2);
    let evaluations = tasks
        .iter()
        .filter(|&&t| fw.node_path(t).starts_with("服务效果"))
        .count();
    assert_eq!(tasks.len() - evaluations, 70);
    assert_eq!(evaluations, 2);
    let indicators = fw
        .nodes
        .iter()
        .filter(|n| {
            n.parent.is_some()
                && n.task.is_none()
                && fw.applies_to_class(fw.node_index(&n.id).unwrap(), dongcheng)
                && !fw
                    .node_path(fw.node_index(&n.id).unwrap())
                    .starts_with("服务效果")
        })
        .count();
    assert_eq!(indicators, 29);
    assert_eq!(
        fw.units
            .iter()
            .filter(|u| u.ranked && u.class.as_deref() == Some("district"))
            .count(),
        16
    );
}

#[test]
fn writing_a_task_book_and_reading_it_back_gives_the_same_framework() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let fw = parse_toml(&text, "original").expect("valid");
        let written = to_toml(&fw);
        let again = parse_toml(&written, "written").unwrap_or_else(|e| panic!("{:?}", e));
        assert_eq!(fw, again);
    }
}

#[test]
fn toml_to_xlsx_to_toml_is_lossless() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let fw = parse_toml(&text, "original").expect("valid");
        let bytes = jixiao_taskbook::xlsx::to_xlsx(&fw).expect("writes");
        let from_xlsx = jixiao_taskbook::xlsx::parse_xlsx(&bytes, "book.xlsx")
            .unwrap_or_else(|e| panic!("{:#?}", e));
        assert_eq!(fw, from_xlsx, "xlsx changed the framework");
        let again = parse_toml(&to_toml(&from_xlsx), "again").expect("valid");
        assert_eq!(
            fw, again,
            "TOML written from the xlsx changed the framework"
        );
    }
}

#[test]
fn dongcheng_values_are_the_reports_numbers_each_citing_its_sentence() {
    let seed_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed/dongcheng-2020-performance-report.txt");
    let seed = std::fs::read_to_string(&seed_path).unwrap_or_else(|e| {
        panic!(
            "the seed report is expected at {}: {e}",
            seed_path.display()
        )
    });
    let fw = parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .unwrap();
    let rows = jixiao_taskbook::values::parse_values(
        &fw,
        include_bytes!("../../../examples/beijing-2020/values.csv"),
        "values.csv",
        jixiao_core::workflow::ValueState::Approved,
        jixiao_taskbook::values::Blanks::Refuse,
    )
    .unwrap();
    let mut cited = 0;
    for r in rows.iter().filter(|r| r.key.unit == "dongcheng") {
        let Some(quote) = r.source.strip_prefix("东城区2020年度绩效自评报告:") else {
            continue;
        };
        for part in quote.split("……").filter(|p| !p.is_empty()) {
            assert!(
                seed.contains(part.trim_end_matches('。')),
                "{}: `{part}` is not in the report",
                r.key.task
            );
        }
        // The number itself appears in the cited sentence (grades and derived rates excepted).
        if let jixiao_core::Observation::Number(x) = r.observation {
            let shown = jixiao_core::explain::num(x);
            assert!(
                quote.contains(&shown) || !r.note.is_empty() || x == 0.0 || x == 100.0,
                "{}: {shown} not in `{quote}`",
                r.key.task
            );
        }
        cited += 1;
    }
    assert!(cited >= 60, "only {cited} values cite the report");
    let value = |task: &str| {
        rows.iter()
            .find(|r| r.key.unit == "dongcheng" && r.key.task == task)
            .map(|r| r.observation.clone())
            .unwrap()
    };
    use jixiao_core::Observation::Number;
    for (task, x) in [
        ("A06-1", 8.5),
        ("A10-1", 21.8),
        ("A11-1", 90.0),
        ("A13-1", 99.3),
        ("A14-1", 5.03),
        ("A14-2", 18.2),
        ("B05-1", 181.4),
        ("A05-3", 6.0),
        ("B02-2", 87.7),
        ("A22-2", 15.0),
    ] {
        assert_eq!(value(task), Number(x), "{task}");
    }
}
