//! Tabular files (CSV, xlsx) read into sheets of cells, with headers matched by key so that a
//! header may be written `中文(key)`, `key` or the Chinese label alone.

use crate::diag::{column_letter, Diagnostic, Location};
use calamine::{Data, Reader};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
    /// The cell as text (numbers written as people expect: 5, 8.5).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(x) => crate::toml_write::number(*x),
        }
    }
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(x) => Some(*x),
            Cell::Text(s) => parse_number(s),
            Cell::Empty => None,
        }
    }
}

/// A number as offices write it: `8.5`, `1,389`, `21.8%` (→ 21.8), full-width digits.
pub fn parse_number(s: &str) -> Option<f64> {
    let cleaned: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .filter(|c| *c != ',' && *c != '，' && *c != '%' && *c != '％')
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    /// Data rows; `rows[i]` is spreadsheet row `i + 2`.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// Index of the column whose header is `key`, `label`, or `label(key)`.
    pub fn column(&self, key: &str, label: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| header_key(h) == key || h.trim() == label || header_label(h) == label)
    }

    pub fn location(&self, row: usize, col: usize) -> Location {
        Location::Cell {
            sheet: self.name.clone(),
            row: row + 2,
            column: column_letter(col),
            field: self.headers.get(col).cloned().unwrap_or_default(),
        }
    }

    pub fn cell(&self, row: usize, col: Option<usize>) -> &Cell {
        col.and_then(|c| self.rows[row].get(c))
            .unwrap_or(&Cell::Empty)
    }
}

/// `中文(key)` → `key`; `key` → `key`.
pub fn header_key(h: &str) -> String {
    let h = h.trim();
    match (h.rfind(['(', '\u{FF08}']), h.ends_with([')', '\u{FF09}'])) {
        (Some(i), true) => h[i..]
            .trim_start_matches(['(', '\u{FF08}'])
            .trim_end_matches([')', '\u{FF09}'])
            .trim()
            .to_string(),
        _ => h.to_string(),
    }
}

fn header_label(h: &str) -> &str {
    let h = h.trim();
    match h.find(['(', '\u{FF08}']) {
        Some(i) => h[..i].trim(),
        None => h,
    }
}

/// The text of a CSV file: UTF-8 (with or without BOM) as it is, UTF-16 with its BOM (Excel's
/// "Unicode text") decoded; anything else, typically GBK from Excel's plain "CSV", is refused
/// with the line where it stops being UTF-8 and how to save it instead.
fn csv_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, (usize, String)> {
    let utf16 = |b: &[u8], little: bool| {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if little {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units)
            .map(|t| std::borrow::Cow::Owned(t.into_bytes()))
            .map_err(|_| (1, jixiao_files::text::BAD_UTF16.to_string()))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(std::borrow::Cow::Borrowed(bytes)),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            Err((line, jixiao_files::text::NOT_UTF8.into()))
        }
    }
}

/// Reads a CSV file (UTF-8 with or without BOM, or UTF-16 with BOM) as one sheet named "".
pub fn read_csv(bytes: &[u8], file: &str) -> Result<Sheet, Vec<Diagnostic>> {
    let err = |location, message: String| {
        vec![Diagnostic {
            file: file.to_string(),
            location,
            message,
        }]
    };
    let text = csv_text(bytes).map_err(|(row, message)| {
        err(
            Location::Row {
                sheet: String::new(),
                row,
            },
            message,
        )
    })?;
    let bytes: &[u8] = &text;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return Err(err(
                Location::Row {
                    sheet: String::new(),
                    row: 1,
                },
                format!("cannot read the header row: {e}"),
            ))
        }
    };
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        match rec {
            Ok(r) => rows.push(
                r.iter()
                    .map(|s| {
                        if s.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(s.to_string())
                        }
                    })
                    .collect(),
            ),
            Err(e) => {
                return Err(err(
                    Location::Row {
                        sheet: String::new(),
                        row: i + 2,
                    },
                    format!("not valid CSV (or not UTF-8): {e}"),
                ))
            }
        }
    }
    Ok(Sheet {
        name: String::new(),
        headers,
        rows,
    })
}

/// Reads every sheet of an xlsx workbook.
pub fn read_xlsx(bytes: &[u8], file: &str) -> Result<Vec<Sheet>, Vec<Diagnostic>> {
    let err = |message: String| {
        vec![Diagnostic {
            file: file.to_string(),
            location: Location::File,
            message,
        }]
    };
    // Before the reader allocates for what the file claims to hold.
    jixiao_files::check_xlsx(bytes).map_err(|e| {
        err(match e {
            jixiao_files::Refusal::Unreadable { reason, .. } => {
                format!("not a readable xlsx workbook: {reason}")
            }
            other => format!("refused: {other}"),
        })
    })?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("not a readable xlsx workbook: {e}")))?;
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| err(format!("sheet {name} cannot be read: {e}")))?;
        let mut it = range.rows();
        let headers: Vec<String> = it
            .next()
            .map(|r| r.iter().map(|c| cell_of(c).text()).collect())
            .unwrap_or_default();
        let rows: Vec<Vec<Cell>> = it.map(|r| r.iter().map(cell_of).collect()).collect();
        sheets.push(Sheet {
            name,
            headers,
            rows,
        });
    }
    Ok(sheets)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(x) => Cell::Number(*x),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        // Excel counts days from 1899-12-30.
        Data::DateTime(dt) => match chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|base| {
            base.checked_add_signed(chrono::Duration::days(dt.as_f64().floor() as i64))
        }) {
            Some(date) if dt.is_datetime() => Cell::Text(date.to_string()),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// Reads a CSV or xlsx file by its name's extension; xlsx gives its first sheet.
pub fn read_table(bytes: &[u8], file: &str) -> Result<Sheet, Vec<Diagnostic>> {
    if file.to_lowercase().ends_with(".xlsx") {
        let sheets = read_xlsx(bytes, file)?;
        sheets.into_iter().next().ok_or_else(|| {
            vec![Diagnostic {
                file: file.into(),
                location: Location::File,
                message: "the workbook has no sheet".into(),
            }]
        })
    } else {
        read_csv(bytes, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_headers_in_full_width_forms_are_read() {
        assert_eq!(
            parse_number("\u{FF12}\u{FF11}\u{FF0E}\u{FF18}\u{FF05}"),
            Some(21.8)
        );
        assert_eq!(parse_number("1\u{FF0C}389"), Some(1389.0));
        assert_eq!(header_key("单位\u{FF08}unit\u{FF09}"), "unit");
        assert_eq!(header_label("单位\u{FF08}unit\u{FF09}"), "单位");
    }
}
