//! A Word file that unpacks to a gigabyte is refused before its body is read, under a memory
//! cap; what the report check answers stays bounded.

use jixiao_files::corpus;

#[test]
fn a_word_file_that_unpacks_past_the_limit_is_refused_unread() {
    corpus::limit_memory(2 << 30);
    let bomb = corpus::docx_bomb(1024);
    assert!(bomb.len() < 3_000_000, "{} bytes packed", bomb.len());
    let e = jixiao_report::docx::document_text("report.docx", &bomb).expect_err("refused");
    assert!(
        e.contains("report.docx") && e.contains("unpacks to more than"),
        "{e}"
    );
}
