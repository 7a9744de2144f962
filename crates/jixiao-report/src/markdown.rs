//! Markdown: headings, paragraphs, lists and pipe tables; a chart becomes its data table.

use crate::doc::{Block, Chart, Document, Table};

/// Text as Markdown shows it and never as markup: HTML written by a unit (`<script>`, `<img
/// onerror>`) becomes entities, which every Markdown renderer shows as the characters typed.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    text(s).replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        out.push_str(&format!("**{}**\n\n", cell(&t.caption)));
    }
    out.push_str(&format!(
        "| {} |\n",
        t.header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    let aligns: Vec<&str> = (0..t.header.len())
        .map(|i| {
            if t.numeric.contains(&i) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    out.push_str(&format!("| {} |\n", aligns.join(" | ")));
    for r in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out.push('\n');
}

/// A chart's data as a table: categories down, series across.
pub fn chart_table(c: &Chart) -> Table {
    let mut header = vec![String::new()];
    header.extend(c.series.iter().map(|s| s.name.clone()));
    Table {
        caption: c.title.clone(),
        header,
        rows: c
            .categories
            .iter()
            .enumerate()
            .map(|(i, cat)| {
                let mut row = vec![cat.clone()];
                row.extend(c.series.iter().map(|s| {
                    s.values
                        .get(i)
                        .map(|v| crate::zhnum::plain(*v, 2))
                        .unwrap_or_default()
                }));
                row
            })
            .collect(),
        numeric: (1..=c.series.len()).collect(),
    }
}

pub fn to_markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", text(&doc.title));
    for s in &doc.subtitle {
        out.push_str(&format!("{}\n\n", text(s)));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading { level, text: t } => out.push_str(&format!(
                "{} {}\n\n",
                "#".repeat(*level as usize + 1),
                text(t)
            )),
            Block::Paragraph { text: t } => out.push_str(&format!("{}\n\n", text(t))),
            Block::List { items } => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{}. {}\n", i + 1, text(item)));
                }
                out.push('\n');
            }
            Block::Table(t) => table(&mut out, t),
            Block::Chart(c) => table(&mut out, &chart_table(c)),
            Block::PageBreak => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_typed_by_a_unit_is_shown_not_run() {
        let doc = Document {
            title: "东城区<b>报告</b>".into(),
            blocks: vec![
                Block::Paragraph {
                    text: "完成率 <script>alert(1)</script> & <img src=x onerror=alert(1)>".into(),
                },
                Block::List {
                    items: vec!["<iframe src=//evil>".into()],
                },
            ],
            subtitle: vec![],
        };
        let md = to_markdown(&doc);
        assert!(!md.contains('<') && !md.contains('>'), "{md}");
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img"));
        assert!(md.starts_with("# 东城区&lt;b&gt;报告&lt;/b&gt;"));
    }
}
