//! Property tests of the file readers an office or a unit feeds: value and ledger files (CSV
//! and xlsx) and the task book's xlsx layout. Whatever the bytes, a reader answers rows or
//! located errors; it never panics.

use jixiao_core::workflow::ValueState;
use jixiao_taskbook::values::{parse_ledger, parse_values, Blanks};
use proptest::prelude::*;

fn framework() -> jixiao_core::Framework {
    jixiao_taskbook::parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .expect("the example task book is valid")
}

/// A value file as units write them, to be edited at random.
const VALUES: &str =
    "unit,task,period,value,note\n东城区,A01-1,Q4,96.5,\n西城区,A01-1,Q4,\"1,234\",说明\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_make_the_value_or_ledger_readers_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let fw = framework();
        let _ = parse_values(&fw, &bytes, "v.csv", ValueState::Approved, Blanks::Refuse);
        let _ = parse_ledger(&fw, &bytes, "l.csv");
        let _ = jixiao_taskbook::sheet::read_xlsx(&bytes, "v.xlsx");
    }

    #[test]
    fn no_edit_of_a_value_file_makes_the_reader_panic(at in 0usize..120, len in 0usize..10, insert in "[ -~\\n\",，一-龥]{0,10}") {
        let fw = framework();
        let chars: Vec<char> = VALUES.chars().collect();
        let at = at.min(chars.len());
        let end = (at + len).min(chars.len());
        let edited: String = chars[..at].iter().copied().chain(insert.chars()).chain(chars[end..].iter().copied()).collect();
        match parse_values(&fw, edited.as_bytes(), "v.csv", ValueState::Approved, Blanks::Skip) {
            Ok(_) => {}
            Err(errors) => prop_assert!(errors.iter().all(|e| !e.message.is_empty()), "{errors:?}"),
        }
    }

    #[test]
    fn numbers_parse_or_are_refused_never_panic(s in "[-+0-9.,，%万亿 eE]{0,20}") {
        if let Some(x) = jixiao_taskbook::sheet::parse_number(&s) {
            prop_assert!(x.is_finite());
        }
    }
}
