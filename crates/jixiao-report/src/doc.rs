//! A report as a format-neutral list of blocks; the Markdown, HTML and Word writers each render
//! the same [`Document`], so the three formats say the same thing.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    /// Under the title: issuing office, cycle, date.
    pub subtitle: Vec<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// `text` already carries its number (一、 (一) 1.); level 1..=3.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Numbered or bulleted items, one sentence each.
    List {
        items: Vec<String>,
    },
    Table(Table),
    Chart(Chart),
    PageBreak,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns holding numbers (right-aligned).
    pub numeric: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Bar,
    Line,
    Radar,
}

/// A chart with its data; every writer also shows the data (HTML and Markdown as a table next to
/// the SVG, Word as a native chart whose values stay editable).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Axis maximum (100 for percentages, the points of a dimension …); `None` to fit the data.
    pub max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            subtitle: Vec::new(),
            blocks: Vec::new(),
        }
    }
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
        });
    }
    pub fn paragraph(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Paragraph { text });
        }
    }
    /// Every sentence of the document, in order: what a reader (or the claims extractor) sees.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push('\n');
        for s in &self.subtitle {
            out.push_str(s);
            out.push('\n');
        }
        for b in &self.blocks {
            match b {
                Block::Heading { text, .. } | Block::Paragraph { text } => {
                    out.push_str(text);
                    out.push('\n');
                }
                Block::List { items } => {
                    for i in items {
                        out.push_str(i);
                        out.push('\n');
                    }
                }
                Block::Table(_) | Block::Chart(_) | Block::PageBreak => {}
            }
        }
        out
    }
}
