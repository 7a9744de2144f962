//! Property tests of the Word reader behind the report check: arbitrary bytes and damaged
//! copies of a real report give text or a clear error, never a panic.

use proptest::prelude::*;

fn a_report() -> Vec<u8> {
    let doc = jixiao_report::doc::Document {
        title: "东城区2020年绩效报告".into(),
        subtitle: vec!["东城区人民政府".into()],
        blocks: vec![jixiao_report::doc::Block::Paragraph {
            text: "全年完成率 96.5%，同比增长 3 个百分点。".into(),
        }],
    };
    jixiao_report::docx::to_docx(&doc).expect("a report is written")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_make_the_docx_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = jixiao_report::docx::read_text(&bytes);
    }

    #[test]
    fn no_damage_to_a_report_makes_the_reader_panic(at in 0usize..20_000, len in 0usize..64, fill in any::<u8>()) {
        let mut bytes = a_report();
        let at = at.min(bytes.len());
        let end = (at + len).min(bytes.len());
        bytes[at..end].iter_mut().for_each(|b| *b = fill);
        let _ = jixiao_report::docx::read_text(&bytes);
    }
}
