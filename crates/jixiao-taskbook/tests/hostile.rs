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

#[test]
fn csv_in_other_encodings_is_read_or_refused_with_the_line_and_the_way_out() {
    let fw = framework();
    let utf8 = "unit,task,period,value\n东城区,A01-1,Q4,96.5\n";
    let expected = parse_values(
        &fw,
        utf8.as_bytes(),
        "v.csv",
        ValueState::Draft,
        Blanks::Skip,
    )
    .expect("the UTF-8 file reads");
    // UTF-16 with its BOM (Excel's "Unicode text"), little- and big-endian: the same rows.
    for little in [true, false] {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in utf8.encode_utf16() {
            bytes.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        let rows = parse_values(&fw, &bytes, "v16.csv", ValueState::Draft, Blanks::Skip)
            .expect("UTF-16 reads");
        assert_eq!(rows, expected);
    }
    // GBK (Excel's plain "CSV" on a Chinese system): refused at the line, saying what to do.
    let mut gbk = b"unit,task,period,value\n".to_vec();
    gbk.extend([0xB6, 0xAB, 0xB3, 0xC7, 0xC7, 0xF8]); // 东城区
    gbk.extend(b",A01-1,Q4,96.5\n");
    let errors =
        parse_values(&fw, &gbk, "gbk.csv", ValueState::Draft, Blanks::Skip).expect_err("refused");
    let text = errors[0].to_string();
    assert!(
        text.contains("gbk.csv") && text.contains("2") && text.contains("CSV UTF-8"),
        "{text}"
    );
    assert_eq!(errors.len(), 1);
}
