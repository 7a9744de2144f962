//! Property tests of the hotline's readers: export mappings (TOML) and exports (CSV, xlsx).
//! Whatever the bytes, a reader answers cases or row errors naming file, row and column; it
//! never panics.

use jixiao_hotline::import::{read_csv, read_xlsx, Mapping, NATIVE_MAPPING};
use jixiao_hotline::HotlineConfig;
use proptest::prelude::*;

const EXPORT: &str = "id,channel,received,category,description,address,unit\n\
C1,phone,2020-03-01T08:00:00+08:00,0301,路灯不亮,东城区,dongcheng\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn no_text_makes_the_mapping_reader_panic(text in "[ -~\\n一-龥]{0,300}") {
        let _ = Mapping::parse(&text, "m.toml");
    }

    #[test]
    fn no_edit_of_the_native_mapping_makes_it_panic(at in 0usize..4000, len in 0usize..30, insert in "[ -~\\n\\[\\]=\"]{0,10}") {
        let chars: Vec<char> = NATIVE_MAPPING.chars().collect();
        let at = at.min(chars.len());
        let end = (at + len).min(chars.len());
        let edited: String = chars[..at].iter().copied().chain(insert.chars()).chain(chars[end..].iter().copied()).collect();
        let _ = Mapping::parse(&edited, "m.toml");
    }

    #[test]
    fn no_bytes_make_the_export_readers_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let m = Mapping::parse(NATIVE_MAPPING, "jixiao.toml").unwrap();
        let cfg = HotlineConfig::default();
        let _ = read_csv(&bytes[..], "x.csv", &m, &cfg, 100, &mut |_| {});
        let _ = read_xlsx(&bytes, "x.xlsx", &m, &cfg, 100, &mut |_| {});
    }

    #[test]
    fn no_edit_of_an_export_makes_the_reader_panic(at in 0usize..160, len in 0usize..20, insert in "[ -~\\n,\"一-龥]{0,12}") {
        let m = Mapping::parse(NATIVE_MAPPING, "jixiao.toml").unwrap();
        let cfg = HotlineConfig::default();
        let chars: Vec<char> = EXPORT.chars().collect();
        let at = at.min(chars.len());
        let end = (at + len).min(chars.len());
        let edited: String = chars[..at].iter().copied().chain(insert.chars()).chain(chars[end..].iter().copied()).collect();
        if let Err(errors) = read_csv(edited.as_bytes(), "x.csv", &m, &cfg, 100, &mut |_| {}) {
            prop_assert!(errors.len() <= 101);
            prop_assert!(errors.iter().all(|e| e.file == "x.csv" && !e.message.is_empty()));
        }
    }
}
