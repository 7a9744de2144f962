//! Hostile spreadsheets given as a hotline export: refused with the file named, under a memory
//! cap.

use jixiao_files::corpus;
use jixiao_hotline::import::{read_xlsx, Mapping, NATIVE_MAPPING};
use jixiao_hotline::HotlineConfig;

#[test]
fn hostile_exports_are_refused_before_they_are_read() {
    corpus::limit_memory(2 << 30);
    let mapping = Mapping::parse(NATIVE_MAPPING, "jixiao.toml").unwrap();
    let cfg = HotlineConfig::default();
    for (bytes, says) in [
        (corpus::dimension_bomb(), "XFD1048576"),
        (corpus::zip_bomb(300), "unpacks to more than"),
    ] {
        let errors =
            read_xlsx(&bytes, "export.xlsx", &mapping, &cfg, 50, &mut |_| {}).expect_err("refused");
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("export.xlsx") && t.contains(says)),
            "{text:?}"
        );
    }
}
