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
            if p.extension().is_some_and(|e| e == "toml") {
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
    let tasks: Vec<_> = fw.tasks().collect();
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
                && !fw
                    .node_path(fw.node_index(&n.id).unwrap())
                    .starts_with("服务效果")
        })
        .count();
    assert_eq!(indicators, 29);
    assert_eq!(fw.units.iter().filter(|u| u.ranked).count(), 16);
    assert_eq!(fw.total_points(), 100.0);
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
