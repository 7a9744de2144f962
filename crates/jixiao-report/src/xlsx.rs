//! Workbooks: every table of a document, one sheet per first-level section, tables stacked
//! with their captions; numbers written as numbers so that they can be sorted and summed.

use crate::doc::{Block, Document};
use crate::markdown::chart_table;
use crate::ReportError;
use rust_xlsxwriter::{Format, Workbook};

fn fail(e: impl std::fmt::Display) -> ReportError {
    ReportError::Write {
        format: "xlsx",
        message: e.to_string(),
    }
}

/// Excel refuses sheet names longer than 31 characters or holding `[]:*?/\`.
fn sheet_name(s: &str, taken: &[String]) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let clean = if clean.is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let mut name = clean.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{clean}{n}");
        n += 1;
    }
    name
}

/// The tables of `doc` as a workbook (charts contribute their data tables).
pub fn to_xlsx(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let mut taken: Vec<String> = Vec::new();
    let mut section = doc.title.clone();
    let mut sheet: Option<(usize, u32)> = None;
    for b in &doc.blocks {
        let table = match b {
            Block::Heading { level: 1, text } => {
                section = text.clone();
                sheet = None;
                continue;
            }
            Block::Table(t) => t.clone(),
            Block::Chart(c) => chart_table(c),
            _ => continue,
        };
        let (index, mut row) = match sheet {
            Some(s) => s,
            None => {
                let name = sheet_name(&section, &taken);
                taken.push(name.clone());
                let ws = wb.add_worksheet();
                ws.set_name(&name).map_err(fail)?;
                ws.write_string_with_format(0, 0, &section, &title)
                    .map_err(fail)?;
                (taken.len() - 1, 2)
            }
        };
        let ws = wb.worksheet_from_index(index).map_err(fail)?;
        if !table.caption.is_empty() {
            ws.write_string_with_format(row, 0, &table.caption, &bold)
                .map_err(fail)?;
            row += 1;
        }
        for (c, h) in table.header.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, h, &bold)
                .map_err(fail)?;
            ws.set_column_width(c as u16, 14).map_err(fail)?;
        }
        row += 1;
        for r in &table.rows {
            for (c, v) in r.iter().enumerate() {
                match (table.numeric.contains(&c), v.parse::<f64>()) {
                    (true, Ok(x)) => ws.write_number(row, c as u16, x),
                    _ => ws.write_string(row, c as u16, v),
                }
                .map_err(fail)?;
            }
            row += 1;
        }
        sheet = Some((index, row + 1));
    }
    if taken.is_empty() {
        wb.add_worksheet()
            .write_string(0, 0, &doc.title)
            .map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}
