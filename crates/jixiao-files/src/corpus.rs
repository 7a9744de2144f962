//! Hostile office files, made on the fly for the tests of every reader (so the repository holds
//! no binary fixtures): a dimension bomb, a zip bomb, an archive of too many parts, entity
//! expansions, and a well-formed workbook to compare with.

use std::io::Write;

/// Caps this process's address space at `bytes`, so that a reader that regresses into
/// allocating for a hostile file fails its test instead of taking the machine down. Once per
/// test binary; a test calls it first.
pub fn limit_memory(bytes: u64) {
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: setrlimit reads the struct it is given; lowering the soft limit is allowed.
        let done = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
        assert_eq!(done, 0, "setrlimit");
    }
}
use zip::write::SimpleFileOptions;

fn archive(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, opts).expect("a part");
        zip.write_all(bytes).expect("written");
    }
    zip.finish().expect("an archive").into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A workbook whose one sheet is `sheet_xml`.
pub fn workbook(sheet_xml: &str) -> Vec<u8> {
    archive(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

fn sheet(rows: &str, dimension: Option<&str>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}<sheetData>{rows}</sheetData></worksheet>"#,
        dimension
            .map(|d| format!(r#"<dimension ref="{d}"/>"#))
            .unwrap_or_default()
    )
}

/// A small, well-formed workbook: a header row and one row of values.
pub fn small_workbook() -> Vec<u8> {
    workbook(&sheet(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c><c r="B1" t="inlineStr"><is><t>value</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>dongcheng</t></is></c><c r="B2"><v>1</v></c></row>"#,
        Some("A1:B2"),
    ))
}

/// About 1.5 KB: one cell at the last row and column a sheet can have (XFD1048576).
pub fn dimension_bomb() -> Vec<u8> {
    workbook(&sheet(
        r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        None,
    ))
}

/// A declared extent of the whole grid, with a single cell in it.
pub fn declared_dimension_bomb() -> Vec<u8> {
    workbook(&sheet(
        r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
        Some("A1:XFD1048576"),
    ))
}

/// A workbook holding one cell of `megabytes` MB of text: small packed, huge unpacked.
pub fn zip_bomb(megabytes: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(megabytes >= 4096);
    for (name, bytes) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
    ] {
        zip.start_file(name, opts).expect("a part");
        zip.write_all(bytes).expect("written");
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("a part");
    zip.write_all(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#)
        .expect("written");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..megabytes {
        zip.write_all(&chunk).expect("written");
    }
    zip.write_all(b"</t></is></c></row></sheetData></worksheet>")
        .expect("written");
    zip.finish().expect("an archive").into_inner()
}

/// A Word document whose body unpacks to `megabytes` MB.
pub fn docx_bomb(megabytes: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", opts).expect("a part");
    zip.write_all(br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#)
        .expect("written");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..megabytes {
        zip.write_all(&chunk).expect("written");
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
        .expect("written");
    zip.finish().expect("an archive").into_inner()
}

/// An archive of `parts` tiny parts.
pub fn many_parts(parts: usize) -> Vec<u8> {
    let names: Vec<String> = (0..parts).map(|i| format!("xl/media/p{i}.bin")).collect();
    let list: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    archive(&list)
}

/// A sheet whose XML declares entities that expand exponentially ("billion laughs") and one
/// that reads a local file (XXE).
pub fn entity_expansion() -> Vec<u8> {
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#;
    workbook(&format!(
        r#"{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c><c r="B1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"#
    ))
}

/// A small, well-formed PDF (one empty page).
pub fn small_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        .to_vec()
}

/// A PDF header in front of an HTML page with a script: a PDF to a PDF reader, a web page to a
/// browser that sniffs.
pub fn pdf_html_polyglot() -> Vec<u8> {
    let mut out = b"%PDF-1.4\n<html><body><script>fetch('/api/v1/me/tokens',{method:'POST'})</script></body></html>\n".to_vec();
    out.extend_from_slice(&small_pdf()[9..]);
    out
}

/// A PDF with a zip archive appended after its end: a PDF from the front, an archive (here a
/// workbook) from the back.
pub fn pdf_zip_polyglot() -> Vec<u8> {
    let mut out = small_pdf();
    out.extend(small_workbook());
    out
}
