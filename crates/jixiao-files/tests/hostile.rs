//! Each hostile file is refused by the check with the limit it passed, fast and without
//! allocating for what it claims to hold; a well-formed workbook passes.

use jixiao_files::{check_docx, check_with, check_xlsx, corpus, Limits, Refusal};
use std::time::{Duration, Instant};

fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    // A bound against hanging, not a benchmark: refusing is a streamed read of a few MB.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    out
}

#[test]
fn a_cell_at_the_last_row_and_column_is_refused_before_any_grid_is_allocated() {
    let bomb = corpus::dimension_bomb();
    assert!(bomb.len() < 4_000, "{} bytes", bomb.len());
    match quickly(|| check_xlsx(&bomb)) {
        Err(Refusal::TooManyCells { corner, .. }) => assert_eq!(corner, "XFD1048576"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        check_xlsx(&corpus::declared_dimension_bomb()),
        Err(Refusal::TooManyCells { .. })
    ));
}

#[test]
fn a_file_that_unpacks_past_the_limit_is_refused_by_what_it_really_unpacks_to() {
    let bomb = corpus::zip_bomb(200);
    assert!(bomb.len() < 2_000_000, "{} bytes packed", bomb.len());
    let e = quickly(|| check_xlsx(&bomb)).unwrap_err();
    assert!(matches!(e, Refusal::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("67 MB"), "{e}");
    assert!(matches!(
        quickly(|| check_docx(&corpus::docx_bomb(100))),
        Err(Refusal::TooLarge { .. })
    ));
}

#[test]
fn too_many_parts_and_what_is_not_an_archive_are_refused() {
    assert!(matches!(
        check_xlsx(&corpus::many_parts(2_500)),
        Err(Refusal::TooManyEntries { max: 2_000 })
    ));
    assert!(matches!(
        check_xlsx(b"PK\x03\x04 not really"),
        Err(Refusal::Unreadable { .. })
    ));
    assert!(matches!(
        check_docx(b"%PDF-1.4"),
        Err(Refusal::Unreadable { .. })
    ));
}

#[test]
fn a_well_formed_workbook_and_one_with_entities_pass_the_check() {
    assert_eq!(check_xlsx(&corpus::small_workbook()), Ok(()));
    // Entities are never expanded by the readers; the check reads the declarations as text.
    assert_eq!(check_xlsx(&corpus::entity_expansion()), Ok(()));
}

#[test]
fn the_limits_are_the_configuration_s() {
    let tight = Limits {
        max_cells: 3,
        ..Limits::default()
    };
    assert!(matches!(
        check_with(&corpus::small_workbook(), "xlsx", tight),
        Err(Refusal::TooManyCells {
            cells: 4,
            max: 3,
            ..
        })
    ));
}

#[test]
fn polyglot_pdfs_are_refused_and_a_plain_pdf_passes() {
    use jixiao_files::check_pdf;
    assert_eq!(check_pdf(&corpus::small_pdf()), Ok(()));
    let e = quickly(|| check_pdf(&corpus::pdf_html_polyglot())).unwrap_err();
    assert!(e.to_string().contains("markup (`<html`)"), "{e}");
    let e = check_pdf(&corpus::pdf_zip_polyglot()).unwrap_err();
    assert!(e.to_string().contains("follow its end marker"), "{e}");
    let e = check_pdf(b"%PDF-1.7\n% cut short").unwrap_err();
    assert!(e.to_string().contains("%%EOF"), "{e}");
    assert!(check_pdf(b"<html>%PDF-1.4 %%EOF").is_err());
    let mut big = corpus::small_pdf();
    big.splice(9..9, vec![b' '; 8 << 20]);
    assert_eq!(quickly(|| check_pdf(&big)), Ok(()));
}
