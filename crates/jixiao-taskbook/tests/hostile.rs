//! Hostile spreadsheets given as a task book, a values file or a ledger file: each is refused
//! with a message naming the file and the limit, under a memory cap so that a reader that
//! allocated for what the file claims would fail this test rather than the machine.

use jixiao_core::workflow::ValueState;
use jixiao_files::corpus;
use jixiao_taskbook::values::{parse_ledger, parse_values, Blanks};

fn framework() -> jixiao_core::Framework {
    jixiao_taskbook::parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .expect("the example task book")
}

#[test]
fn hostile_spreadsheets_are_refused_by_every_reader_with_the_file_named() {
    corpus::limit_memory(2 << 30);
    let fw = framework();
    for (name, bytes, says) in [
        ("dimension.xlsx", corpus::dimension_bomb(), "XFD1048576"),
        (
            "declared.xlsx",
            corpus::declared_dimension_bomb(),
            "XFD1048576",
        ),
        ("bomb.xlsx", corpus::zip_bomb(300), "unpacks to more than"),
        ("parts.xlsx", corpus::many_parts(3_000), "parts"),
    ] {
        let values = parse_values(&fw, &bytes, name, ValueState::Draft, Blanks::Skip)
            .expect_err("refused")
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(values.contains(name) && values.contains(says), "{values}");
        let ledger = parse_ledger(&fw, &bytes, name)
            .expect_err("refused")
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(ledger.contains(says), "{ledger}");
        let book = jixiao_taskbook::xlsx::parse_xlsx(&bytes, name)
            .expect_err("refused")
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(book.contains(says), "{book}");
    }
    // Entities are not expanded: the file is read as the text it is, and fails as a values
    // file for what it lacks, not for memory.
    let e = parse_values(
        &fw,
        &corpus::entity_expansion(),
        "entities.xlsx",
        ValueState::Draft,
        Blanks::Skip,
    )
    .expect_err("not a values file");
    assert!(!e.is_empty());
}
