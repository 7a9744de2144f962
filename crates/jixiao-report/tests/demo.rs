//! The reports of the demo cycle: content checked against the data, snapshots of the Markdown
//! and HTML, and Word files read back.

use chrono::NaiveDate;
use jixiao_core::records::{approved_records, ledger_entries};
use jixiao_core::{Framework, Inputs, Scorecard};
use jixiao_report::docx::{read_text, to_docx};
use jixiao_report::wording::Wording;
use jixiao_report::{
    html::to_html, markdown::to_markdown, results_report, self_check, self_report, xlsx::to_xlsx,
    Completion, Data, Narratives, Section,
};

struct Demo {
    fw: Framework,
    inputs: Inputs,
    card: Scorecard,
    reported: Vec<(usize, usize, usize)>,
}

fn demo() -> Demo {
    let (fw, rows, ledger) = jixiao_demo::cycle().unwrap();
    let records = approved_records(&fw, &rows);
    let reported = records.iter().map(|r| (r.task, r.unit, r.period)).collect();
    let inputs = Inputs::from_records(&fw, &records, ledger_entries(&fw, &ledger));
    let card = jixiao_core::score(&fw, &inputs);
    Demo {
        fw,
        inputs,
        card,
        reported,
    }
}

fn data<'a>(d: &'a Demo, narratives: &'a Narratives) -> Data<'a> {
    Data {
        fw: &d.fw,
        inputs: &d.inputs,
        card: &d.card,
        previous: None,
        narratives,
        reported: &d.reported,
        date: NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        hotline: None,
    }
}

#[test]
fn dongcheng_self_report_states_the_stored_figures() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let u = d.fw.unit_index("dongcheng").unwrap();
    let doc = self_report(&data, &Wording::default(), u).unwrap();
    let text = doc.plain_text();
    assert!(text.starts_with("东城区2020年度绩效自评报告\n"), "{text}");
    for heading in [
        "一、总体情况",
        "二、主要任务完成情况",
        "三、存在的不足和整改措施",
        "四、下一步工作打算",
    ] {
        assert!(text.contains(heading), "{heading} missing");
    }
    // Figures of the seed report, as stored for Dongcheng, in the wording of official documents.
    for figure in [
        "集中核酸检测累计人次为135万人次",
        "8.5万平方米",
        "21.8%",
        "181.4亿元",
    ] {
        assert!(text.contains(figure), "{figure} missing from:\n{text}");
    }
    let total = jixiao_core::explain::num((d.card.units[u].total * 100.0).round() / 100.0);
    assert!(text.contains(&format!("年度综合得分{total}分")), "{text}");
    // Every task of the unit has its sentence.
    for t in data.tasks_of(u) {
        assert!(
            text.contains(&d.fw.nodes[t].name),
            "{} missing",
            d.fw.nodes[t].name
        );
    }
}

#[test]
fn narratives_are_merged_and_rectification_items_listed() {
    let d = demo();
    let mut n = Narratives::default();
    n.0.insert(
        ("dongcheng".into(), Section::Overview),
        "全区上下团结一心。".into(),
    );
    n.0.insert(
        ("dongcheng".into(), Section::Rectification),
        "加快老旧小区综合整治\n\n提升垃圾分类质量\n".into(),
    );
    n.0.insert(
        ("dongcheng".into(), Section::NextYear),
        "明年重点推进背街小巷整治。".into(),
    );
    let data = data(&d, &n);
    let u = d.fw.unit_index("dongcheng").unwrap();
    let md = to_markdown(&self_report(&data, &Wording::default(), u).unwrap());
    assert!(md.contains("全区上下团结一心。"));
    assert!(
        md.contains("1. 加快老旧小区综合整治\n2. 提升垃圾分类质量\n"),
        "{md}"
    );
    assert!(md.contains("明年重点推进背街小巷整治。"));
    assert!(
        !md.contains("将对照2021年度任务书"),
        "the default is replaced"
    );
}

#[test]
fn an_office_rewords_a_report_with_a_file() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let w = Wording::with_overrides(
        "wording.toml",
        "[self]\nheading_next = \"2021年工作思路\"\ntask_value = \"{{ name }}达到{{ amount }}\"\n",
    )
    .unwrap();
    let u = d.fw.unit_index("dongcheng").unwrap();
    let text = self_report(&data, &w, u).unwrap().plain_text();
    assert!(text.contains("四、2021年工作思路"));
    assert!(text.contains("集中核酸检测累计人次达到135万人次"));
}

#[test]
fn self_check_rows_follow_the_values() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let u = d.fw.unit_index("dongcheng").unwrap();
    let (doc, rows) = self_check(&data, &Wording::default(), u).unwrap();
    assert_eq!(rows.len(), data.tasks_of(u).len());
    let nat = rows.iter().find(|r| r.task_id == "A01-1").unwrap();
    assert_eq!(
        (nat.result.as_str(), nat.target.as_str()),
        ("135万人次", "120万人次")
    );
    assert_eq!(nat.completion, Completion::Exceeded);
    assert_eq!(nat.status, "超额完成");
    let graded = rows.iter().find(|r| r.task_id == "A01-2").unwrap();
    assert_eq!(
        (graded.result.as_str(), graded.completion),
        ("优", Completion::Graded)
    );
    // The xlsx holds the table; read it back with calamine-free checks: it is a zip with a sheet.
    let bytes = to_xlsx(&doc).unwrap();
    assert_eq!(&bytes[..2], b"PK");
}

#[test]
fn results_report_ranks_every_unit_and_explains_every_task() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let doc = results_report(&data, &Wording::default()).unwrap();
    let md = to_markdown(&doc);
    let first = d.card.units.iter().position(|u| u.rank == Some(1)).unwrap();
    assert!(
        md.contains(&format!("| 1 | {} |", d.fw.units[first].name)),
        "the winner heads the ranking"
    );
    assert!(md.contains("单列单位") && md.contains("北京经济技术开发区"));
    // The grade distribution counts each class on its own scale: one column per class, and
    // the columns add up to each class's units.
    assert!(md.contains("| 等次 | 区政府 | 市政府部门 |"), "{md}");
    let grade_rows: Vec<Vec<usize>> = md
        .split("| 等次 | 区政府 | 市政府部门 |")
        .nth(1)
        .unwrap()
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .filter_map(|c| c.trim().parse::<usize>().ok())
                .collect()
        })
        .collect();
    assert_eq!(grade_rows.len(), d.fw.grades.len());
    for (class, column) in [("district", 0), ("department", 1)] {
        let graded = (0..d.fw.units.len())
            .filter(|&u| d.fw.units[u].class.as_deref() == Some(class))
            .filter(|&u| d.card.units[u].grade.is_some())
            .count();
        assert_eq!(
            grade_rows.iter().map(|r| r[column]).sum::<usize>(),
            graded,
            "{class}"
        );
    }
    // One explanation line per unit and responsible task.
    let expected: usize = (0..d.fw.units.len()).map(|u| data.tasks_of(u).len()).sum();
    let appendix = md.split("附录").nth(1).unwrap();
    let items: Vec<&str> = appendix
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(items.len(), expected);
    assert!(
        items.iter().filter(|l| l.contains(" = ")).count() * 2 > items.len(),
        "most lines show the formula with its numbers"
    );
    let html = to_html(&doc);
    assert_eq!(
        html.matches("<svg").count(),
        3 + d.fw.units.len(),
        "grades, ranking, trend, a radar per unit"
    );
    let docx = to_docx(&doc).unwrap();
    let back = read_text(&docx).unwrap();
    assert!(back.contains(&doc.title) && back.contains(&d.fw.units[first].name));
}

#[test]
fn word_file_reads_back_as_the_document_says() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let u = d.fw.unit_index("dongcheng").unwrap();
    let doc = self_report(&data, &Wording::default(), u).unwrap();
    let back = read_text(&to_docx(&doc).unwrap()).unwrap();
    let mut expected = doc.plain_text();
    // Lists are written with their numbers in Word.
    for b in &doc.blocks {
        if let jixiao_report::doc::Block::List { items } = b {
            for (i, item) in items.iter().enumerate() {
                expected =
                    expected.replacen(&format!("{item}\n"), &format!("{}. {item}\n", i + 1), 1);
            }
        }
    }
    assert_eq!(back, expected);
}

#[test]
fn markdown_and_html_snapshots() {
    let d = demo();
    let n = Narratives::default();
    let data = data(&d, &n);
    let u = d.fw.unit_index("dongcheng").unwrap();
    let w = Wording::default();
    let doc = self_report(&data, &w, u).unwrap();
    insta::assert_snapshot!("dongcheng_self_report_md", to_markdown(&doc));
    insta::assert_snapshot!("dongcheng_self_report_html", to_html(&doc));
    let (check, _) = self_check(&data, &w, u).unwrap();
    insta::assert_snapshot!("dongcheng_self_check_md", to_markdown(&check));
}

/// `bytes` (a .docx) with `word/document.xml` changed by `edit`.
fn with_document_xml(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if name == "word/document.xml" {
            content = edit(String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn word_tables_read_back_as_pipe_rows_with_merged_cells_filled_in() {
    let mut doc = jixiao_report::doc::Document::new("自评表");
    doc.blocks.push(jixiao_report::doc::Block::Table(
        jixiao_report::doc::Table {
            caption: String::new(),
            header: vec!["类别".into(), "项目".into(), "金额".into()],
            rows: vec![
                vec!["资金".into(), "甲".into(), "10".into()],
                vec!["资金续".into(), "乙".into(), "20".into()],
            ],
            numeric: vec![2],
        },
    ));
    let docx = to_docx(&doc).unwrap();
    // 类别 spans two columns (项目 removed); the second 资金 continues the cell above.
    let cell = |xml: &str, text: &str| -> (usize, usize) {
        let at = xml.find(&format!(">{text}<")).unwrap();
        let start = xml[..at].rfind("<w:tc>").unwrap();
        let end = at + xml[at..].find("</w:tc>").unwrap() + "</w:tc>".len();
        (start, end)
    };
    let merged = with_document_xml(&docx, |mut xml| {
        let (a, b) = cell(&xml, "项目");
        xml.replace_range(a..b, "");
        let (a, _) = cell(&xml, "类别");
        xml.insert_str(
            a + "<w:tc>".len(),
            "<w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>",
        );
        let (a, _) = cell(&xml, "资金续");
        xml = xml.replacen(">资金续<", "><", 1);
        xml.insert_str(a + "<w:tc>".len(), "<w:tcPr><w:vMerge/></w:tcPr>");
        xml
    });
    let back = read_text(&merged).unwrap();
    assert!(
        back.contains("| 类别 | 类别 | 金额 |\n| 资金 | 甲 | 10 |\n| 资金 | 乙 | 20 |\n"),
        "{back}"
    );
}
