//! Diagnostics: what is wrong, and exactly where (file, line and column; or sheet, row and
//! column for spreadsheets and CSV files).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// 1-based line and column (in characters) of a text file.
    Text { line: usize, column: usize },
    /// A spreadsheet or CSV cell: sheet (empty for CSV), 1-based row, column letter, header.
    Cell {
        sheet: String,
        row: usize,
        column: String,
        field: String,
    },
    /// A whole row of a spreadsheet or CSV file.
    Row { sheet: String, row: usize },
    /// The file as a whole.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sheet = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!(" [{s}]")
            }
        };
        match &self.location {
            Location::Text { line, column } => {
                write!(f, "{}:{}:{}: {}", self.file, line, column, self.message)
            }
            Location::Cell {
                sheet: s,
                row,
                column,
                field,
            } => {
                write!(
                    f,
                    "{}{}: row {}, column {} ({}): {}",
                    self.file,
                    sheet(s),
                    row,
                    column,
                    field,
                    self.message
                )
            }
            Location::Row { sheet: s, row } => write!(
                f,
                "{}{}: row {}: {}",
                self.file,
                sheet(s),
                row,
                self.message
            ),
            Location::File => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Spreadsheet column letter for a 0-based index (0 → A, 26 → AA).
/// The longest message a diagnostic keeps.
pub const MESSAGE_CHARS: usize = 300;

/// `s` cut to `max` characters, with an ellipsis saying so.
pub fn shorten(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max).collect();
    cut.push('…');
    cut
}

pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII letters")
}

/// Collects diagnostics for one file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub file: String,
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: &str) -> Self {
        Diagnostics {
            file: file.to_string(),
            list: Vec::new(),
        }
    }
    /// Records an error. A message that quotes what a file held is cut to a readable length, so
    /// a file of huge cells cannot make a huge answer.
    pub fn error(&mut self, location: &Location, message: impl Into<String>) {
        let message = shorten(message.into(), MESSAGE_CHARS);
        self.list.push(Diagnostic {
            file: self.file.clone(),
            location: location.clone(),
            message,
        });
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// Diagnostics in file order.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort();
        self.list.dedup();
        self.list
    }
}
