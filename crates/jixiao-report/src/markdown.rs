//! Markdown: headings, paragraphs, lists and pipe tables; a chart becomes its data table.

use crate::doc::{Block, Chart, Document, Table};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
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
    let mut out = format!("# {}\n\n", doc.title);
    for s in &doc.subtitle {
        out.push_str(&format!("{s}\n\n"));
    }
    for b in &doc.blocks {
        match b {
            Block::Heading { level, text } => {
                out.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize + 1), text))
            }
            Block::Paragraph { text } => out.push_str(&format!("{text}\n\n")),
            Block::List { items } => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{}. {}\n", i + 1, item));
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
