//! Word (.docx) writing and reading, by hand over a zip of WordprocessingML parts: A4 with the
//! margins of Chinese official documents (GB/T 9704), title in 方正小标宋简体, first-level
//! headings in 黑体, second-level in 楷体_GB2312, body in 仿宋_GB2312 at 三号 (16 pt) with a
//! fixed 28 pt line; fonts are named, not embedded, so the reader's own fonts are used. Charts
//! are native Word charts (DrawingML) whose numbers stay editable in Word.

use crate::doc::{Block, Chart, ChartKind, Document, Table};
use crate::xml::escape;
use crate::ReportError;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

fn fail(e: impl std::fmt::Display) -> ReportError {
    ReportError::Write {
        format: "docx",
        message: e.to_string(),
    }
}

const W_NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"";

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="240" w:after="240" w:line="700" w:lineRule="exact"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="3"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="320" w:lineRule="atLeast"/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="TableText"/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:jc w:val="center"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"#;

/// Page number in the footer, "— 1 —" as official documents print it.
const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

fn para(style: Option<&str>, text: &str) -> String {
    let ppr = style
        .map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"))
        .unwrap_or_default();
    format!(
        "<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        escape(text)
    )
}

fn table(t: &Table) -> String {
    let mut s = String::new();
    if !t.caption.is_empty() {
        s += &para(Some("Caption"), &t.caption);
    }
    s += "<w:tbl><w:tblPr><w:tblStyle w:val=\"Grid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>";
    for _ in &t.header {
        s += "<w:gridCol/>";
    }
    s += "</w:tblGrid>";
    let row = |cells: &[String], header: bool| {
        let mut r = String::from("<w:tr>");
        if header {
            r += "<w:trPr><w:tblHeader/></w:trPr>";
        }
        for (i, c) in cells.iter().enumerate() {
            let jc = if t.numeric.contains(&i) && !header {
                "<w:jc w:val=\"right\"/>"
            } else {
                ""
            };
            let b = if header { "<w:rPr><w:b/></w:rPr>" } else { "" };
            r += &format!(
                "<w:tc><w:p><w:pPr><w:pStyle w:val=\"TableText\"/>{jc}</w:pPr><w:r>{b}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                escape(c)
            );
        }
        r + "</w:tr>"
    };
    s += &row(&t.header, true);
    for r in &t.rows {
        s += &row(r, false);
    }
    s + "</w:tbl>" + &para(Some("TableText"), "")
}

fn chart_inline(n: usize, title: &str) -> String {
    // 15 cm × 8 cm in EMU.
    let (cx, cy) = (5_400_000, 2_880_000);
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
<wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"Chart {n}\" descr=\"{}\"/>\
<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">\
<c:chart r:id=\"rIdChart{n}\"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
        escape(title)
    )
}

fn col_letter(i: usize) -> char {
    (b'B' + i as u8) as char
}

/// Series colours, in order (the web charts' palette).
const SERIES_COLOURS: [&str; 4] = ["2F6FB0", "D9822B", "3A8F5C", "8E5BA8"];

/// A chart part with its data cached in the part (no embedded workbook).
fn chart_xml(c: &Chart) -> String {
    let n = c.categories.len();
    let cats: String = c
        .categories
        .iter()
        .enumerate()
        .map(|(i, v)| format!("<c:pt idx=\"{i}\"><c:v>{}</c:v></c:pt>", escape(v)))
        .collect();
    let mut series = String::new();
    for (si, s) in c.series.iter().enumerate() {
        let vals: String = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("<c:pt idx=\"{i}\"><c:v>{v}</c:v></c:pt>"))
            .collect();
        let col = col_letter(si);
        // Each series' colour is written out: LibreOffice gives a series without `spPr` no
        // fill at all (bars that are only their labels), Word takes it from its theme.
        let colour = SERIES_COLOURS[si % SERIES_COLOURS.len()];
        let marker = match c.kind {
            ChartKind::Bar => format!(
                "<c:spPr><a:solidFill><a:srgbClr val=\"{colour}\"/></a:solidFill></c:spPr><c:invertIfNegative val=\"0\"/>"
            ),
            _ => format!(
                "<c:spPr><a:ln w=\"22225\"><a:solidFill><a:srgbClr val=\"{colour}\"/></a:solidFill></a:ln></c:spPr>\
<c:marker><c:symbol val=\"circle\"/><c:size val=\"5\"/><c:spPr><a:solidFill><a:srgbClr val=\"{colour}\"/></a:solidFill></c:spPr></c:marker>"
            ),
        };
        series += &format!(
            "<c:ser><c:idx val=\"{si}\"/><c:order val=\"{si}\"/>\
<c:tx><c:strRef><c:f>Sheet1!${col}$1</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>{}</c:v></c:pt></c:strCache></c:strRef></c:tx>{marker}\
<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${}</c:f><c:strCache><c:ptCount val=\"{n}\"/>{cats}</c:strCache></c:strRef></c:cat>\
<c:val><c:numRef><c:f>Sheet1!${col}$2:${col}${}</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val=\"{}\"/>{vals}</c:numCache></c:numRef></c:val>{}</c:ser>",
            escape(&s.name),
            n + 1,
            n + 1,
            s.values.len(),
            if c.kind == ChartKind::Line { "<c:smooth val=\"0\"/>" } else { "" },
        );
    }
    let labels = "<c:dLbls><c:showLegendKey val=\"0\"/><c:showVal val=\"1\"/><c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/></c:dLbls>";
    let plot = match c.kind {
        ChartKind::Bar => format!(
            "<c:barChart><c:barDir val=\"col\"/><c:grouping val=\"clustered\"/><c:varyColors val=\"0\"/>{series}{labels}<c:gapWidth val=\"80\"/><c:axId val=\"1\"/><c:axId val=\"2\"/></c:barChart>"
        ),
        ChartKind::Line => format!(
            "<c:lineChart><c:grouping val=\"standard\"/><c:varyColors val=\"0\"/>{series}{labels}<c:marker val=\"1\"/><c:axId val=\"1\"/><c:axId val=\"2\"/></c:lineChart>"
        ),
        ChartKind::Radar => format!(
            "<c:radarChart><c:radarStyle val=\"marker\"/><c:varyColors val=\"0\"/>{series}<c:axId val=\"1\"/><c:axId val=\"2\"/></c:radarChart>"
        ),
    };
    let max = c
        .max
        .map(|m| format!("<c:max val=\"{m}\"/>"))
        .unwrap_or_default();
    let font = "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"900\"><a:ea typeface=\"宋体\"/></a:defRPr></a:pPr><a:endParaRPr lang=\"zh-CN\"/></a:p></c:txPr>";
    // Several series (a class each, say) need a legend to tell them apart.
    let legend = if c.series.len() > 1 {
        format!("<c:legend><c:legendPos val=\"t\"/><c:overlay val=\"0\"/>{font}</c:legend>")
    } else {
        String::new()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><c:lang val="zh-CN"/><c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1200" b="0"><a:ea typeface="黑体"/></a:defRPr></a:pPr><a:r><a:rPr lang="zh-CN" sz="1200" b="0"><a:ea typeface="黑体"/></a:rPr><a:t>{}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/>{font}<c:crossAx val="2"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/>{max}<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/><c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/>{font}<c:crossAx val="1"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>{font}</c:chartSpace>"#,
        escape(&c.title)
    )
}

/// The document as a .docx file.
pub fn to_docx(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut body = String::new();
    body += &para(Some("Title"), &doc.title);
    for s in &doc.subtitle {
        body += &para(Some("Subtitle"), s);
    }
    let mut charts: Vec<&Chart> = Vec::new();
    for b in &doc.blocks {
        match b {
            Block::Heading { level, text } => {
                body += &para(Some(&format!("Heading{}", (*level).clamp(1, 3))), text)
            }
            Block::Paragraph { text } => body += &para(None, text),
            Block::List { items } => {
                for (i, item) in items.iter().enumerate() {
                    body += &para(None, &format!("{}. {item}", i + 1));
                }
            }
            Block::Table(t) => body += &table(t),
            Block::Chart(c) => {
                charts.push(c);
                body += &chart_inline(charts.len(), &c.title);
                body += &table(&crate::markdown::chart_table(c));
            }
            Block::PageBreak => body += "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>",
        }
    }
    // A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (GB/T 9704-2012).
    body += "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"560\"/></w:sectPr>";
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {W_NS}><w:body>{body}</w:body></w:document>"
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>",
    );
    let mut types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
    );
    for i in 1..=charts.len() {
        rels += &format!(
            "<Relationship Id=\"rIdChart{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart\" Target=\"charts/chart{i}.xml\"/>"
        );
        types += &format!(
            "<Override PartName=\"/word/charts/chart{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"/>"
        );
    }
    rels += "</Relationships>";
    types += "</Types>";
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>jixiao</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        escape(&doc.title)
    );
    let app = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>jixiao</Application></Properties>";
    let root_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, content: &str| -> Result<(), ReportError> {
        zip.start_file(name, opts).map_err(fail)?;
        zip.write_all(content.as_bytes()).map_err(fail)
    };
    part("[Content_Types].xml", &types)?;
    part("_rels/.rels", root_rels)?;
    part("docProps/core.xml", &core)?;
    part("docProps/app.xml", app)?;
    part("word/document.xml", &document)?;
    part("word/styles.xml", STYLES)?;
    part("word/footer1.xml", FOOTER)?;
    part("word/_rels/document.xml.rels", &rels)?;
    for (i, c) in charts.iter().enumerate() {
        part(&format!("word/charts/chart{}.xml", i + 1), &chart_xml(c))?;
    }
    Ok(zip.finish().map_err(fail)?.into_inner())
}

#[derive(Debug, thiserror::Error)]
pub enum DocxReadError {
    #[error("not a Word (.docx) file: {0}")]
    NotDocx(String),
    #[error("word/document.xml is not well-formed: {0}")]
    Xml(String),
    #[error("refused: {0}")]
    Refused(String),
}

/// A table being read: rows of (text, columns spanned, continues the cell above).
#[derive(Default)]
struct TableRead {
    rows: Vec<Vec<(String, usize, bool)>>,
    cell: Option<(String, usize, bool)>,
}

impl TableRead {
    /// The table as Markdown pipe rows: a horizontally merged cell fills the columns it spans,
    /// a vertically merged one repeats the text above it, so every row carries its labels.
    fn lines(self) -> String {
        let mut grid: Vec<Vec<String>> = Vec::new();
        for row in &self.rows {
            let mut cells: Vec<String> = Vec::new();
            for (text, span, continues) in row {
                let col = cells.len();
                let text = if *continues {
                    grid.last()
                        .and_then(|above| above.get(col))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    text.trim().to_string()
                };
                for _ in 0..(*span).max(1) {
                    cells.push(text.clone());
                }
            }
            grid.push(cells);
        }
        let mut out = String::new();
        for row in grid {
            let cells: Vec<String> = row
                .iter()
                .map(|c| c.replace('|', "/").replace('\n', " "))
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// The text of a .docx body, one paragraph a line; a table is written as Markdown pipe rows
/// (one line a row, merged cells filled in), so that its cells keep their row and column.
pub fn read_text(bytes: &[u8]) -> Result<String, DocxReadError> {
    use quick_xml::events::Event;
    // Before the body is unpacked into memory.
    jixiao_files::check_docx(bytes).map_err(|e| match e {
        jixiao_files::Refusal::Unreadable { reason, .. } => DocxReadError::NotDocx(reason),
        other => DocxReadError::Refused(other.to_string()),
    })?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocxReadError::NotDocx(e.to_string()))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| DocxReadError::NotDocx(format!("word/document.xml: {e}")))?
        .read_to_string(&mut xml)
        .map_err(|e| DocxReadError::NotDocx(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    // Tables, innermost last (a nested table is read as part of its cell's text).
    let mut tables: Vec<TableRead> = Vec::new();
    let attr = |e: &quick_xml::events::BytesStart, key: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .map(|a| a.value.to_string())
    };
    // Where text goes: the open cell of the innermost table, else the body.
    fn sink<'a>(out: &'a mut String, tables: &'a mut [TableRead]) -> &'a mut String {
        match tables.last_mut().and_then(|t| t.cell.as_mut()) {
            Some(cell) => &mut cell.0,
            None => out,
        }
    }
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "w:t" => in_text = true,
                "w:tbl" => tables.push(TableRead::default()),
                "w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.rows.push(Vec::new());
                    }
                }
                "w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.cell = Some((String::new(), 1, false));
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    // Paragraphs inside a cell are one line of its text.
                    let separator = if tables_open_cell(&tables) { ' ' } else { '\n' };
                    sink(&mut out, &mut tables).push(separator);
                }
                "w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        if let (Some(cell), Some(row)) = (t.cell.take(), t.rows.last_mut()) {
                            row.push(cell);
                        }
                    }
                }
                "w:tbl" => {
                    if let Some(t) = tables.pop() {
                        let lines = t.lines();
                        sink(&mut out, &mut tables).push_str(&lines);
                    }
                }
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:tab" => sink(&mut out, &mut tables).push('\t'),
                "w:br" | "w:cr" => sink(&mut out, &mut tables).push('\n'),
                "w:p" if !tables_open_cell(&tables) => out.push('\n'),
                "w:gridSpan" => {
                    let n = attr(&e, "w:val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1usize);
                    if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        cell.1 = n.clamp(1, 64);
                    }
                }
                "w:vMerge" => {
                    // `restart` begins a merged run; no value continues the cell above.
                    let continues = attr(&e, "w:val").is_none_or(|v| v == "continue");
                    if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        cell.2 = continues;
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                sink(&mut out, &mut tables).push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.xml10_content();
                let resolved = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                let s = sink(&mut out, &mut tables);
                s.push_str(resolved);
                if let Some(code) = name.strip_prefix('#') {
                    let n = match code.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => code.parse().ok(),
                    };
                    s.extend(n.and_then(char::from_u32));
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(DocxReadError::Xml(e.to_string())),
            _ => {}
        }
    }
    Ok(out)
}

/// The sheets of an .xlsx workbook as text: each sheet's name on a line, then its rows as pipe
/// rows, merged regions repeating their value across every cell they cover (as a Word table's
/// merged cells are read), numbers as Excel shows them without a format (0.9167 for 91.67 %).
pub fn xlsx_text(bytes: &[u8]) -> Result<String, String> {
    use calamine::Reader;
    jixiao_files::check_xlsx(bytes).map_err(|e| e.to_string())?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("not a readable xlsx workbook: {e}"))?;
    let cell = |d: &calamine::Data| match d {
        calamine::Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        calamine::Data::Float(x) => {
            let s = format!("{:.6}", x);
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        calamine::Data::Empty => String::new(),
        other => other.to_string(),
    };
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {name}: {e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|d| cell(d).replace(['|', '\n'], " "))
                    .collect()
            })
            .collect();
        let merged = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| format!("sheet {name}: the merged cells cannot be read: {e}"))?;
        for dim in &merged {
            let (sr, sc) = (
                dim.start.0.saturating_sub(r0) as usize,
                dim.start.1.saturating_sub(c0) as usize,
            );
            let (er, ec) = (
                dim.end.0.saturating_sub(r0) as usize,
                dim.end.1.saturating_sub(c0) as usize,
            );
            let Some(value) = grid.get(sr).and_then(|r| r.get(sc)).cloned() else {
                continue;
            };
            for row in grid.iter_mut().take(er + 1).skip(sr) {
                for c in row.iter_mut().take(ec + 1).skip(sc) {
                    *c = value.clone();
                }
            }
        }
        out.push_str(&format!("{name}\n"));
        for row in grid {
            if row.iter().all(|c| c.trim().is_empty()) {
                out.push('\n');
                continue;
            }
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out.push('\n');
    }
    Ok(out)
}

fn tables_open_cell(tables: &[TableRead]) -> bool {
    tables.last().is_some_and(|t| t.cell.is_some())
}

/// The text of an uploaded report: the paragraphs of a Word file (recognised by its zip
/// signature or a .docx name), else UTF-8 text or Markdown. The error says what was wrong with
/// `name`.
pub fn document_text(name: &str, bytes: &[u8]) -> Result<String, String> {
    if name.to_lowercase().ends_with(".xlsx") {
        return xlsx_text(bytes).map_err(|e| format!("{name}: {e}"));
    }
    let looks_docx = bytes.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".docx");
    if looks_docx {
        return read_text(bytes).map_err(|e| format!("{name}: {e}"));
    }
    if name.to_lowercase().ends_with(".doc") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(format!(
            "{name}: old Word (.doc) files cannot be read; save the report as .docx, Markdown or UTF-8 text"
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!(
            "{name}: not UTF-8 text (byte {}); save the report as .docx, Markdown or UTF-8 text",
            e.utf8_error().valid_up_to()
        )
    })
}
