//! Office files checked before they are opened.
//!
//! An .xlsx or .docx file is a zip archive of XML. Small files can unpack into gigabytes (a "zip
//! bomb"), and a worksheet can name a cell at `XFD1048576`, for which spreadsheet readers
//! allocate the whole grid of 17 billion cells. [`check_xlsx`] and [`check_docx`] read the
//! archive as a stream, counting what it really unpacks to (not what its headers say), and read
//! each worksheet's extent, refusing as soon as a limit is passed — before any reader allocates
//! for the file. Every reader of office files in jixiao calls one of them first.
//!
//! The limits are the office's configuration ([`set_limits`], once at start); [`Limits`] says
//! what each one bounds.

use std::io::{BufReader, Read};
use std::sync::OnceLock;

/// How much an office file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// All entries of the archive together, unpacked.
    pub max_unpacked_bytes: u64,
    /// Entries in the archive.
    pub max_entries: usize,
    /// Cells of a worksheet's extent (rows × columns up to its last cell).
    pub max_cells: u64,
}

impl Default for Limits {
    /// 64 MiB unpacked (a spreadsheet of a million filled cells unpacks to about 40 MB), 2,000
    /// entries, 2,000,000 cells (100,000 rows of 20 columns).
    fn default() -> Self {
        Limits {
            max_unpacked_bytes: 64 * 1024 * 1024,
            max_entries: 2_000,
            max_cells: 2_000_000,
        }
    }
}

impl Limits {
    /// The defaults, with what the environment sets: `JIXIAO_FILE_MAX_UNPACKED_BYTES`,
    /// `JIXIAO_FILE_MAX_PARTS`, `JIXIAO_SHEET_MAX_CELLS` (the command line's way to the keys the
    /// server's configuration file has under the same names).
    pub fn from_env() -> Result<Limits, String> {
        let mut l = Limits::default();
        let read = |key: &str| -> Result<Option<u64>, String> {
            match std::env::var(key) {
                Err(_) => Ok(None),
                Ok(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| format!("{key}: `{v}` is not a positive whole number")),
            }
        };
        if let Some(n) = read("JIXIAO_FILE_MAX_UNPACKED_BYTES")? {
            l.max_unpacked_bytes = n;
        }
        if let Some(n) = read("JIXIAO_FILE_MAX_PARTS")? {
            l.max_entries = n as usize;
        }
        if let Some(n) = read("JIXIAO_SHEET_MAX_CELLS")? {
            l.max_cells = n;
        }
        Ok(l)
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Sets the limits for this process (the first call wins; later ones are ignored and say so).
pub fn set_limits(limits: Limits) -> bool {
    LIMITS.set(limits).is_ok() || LIMITS.get() == Some(&limits)
}

/// The limits in force.
pub fn limits() -> Limits {
    *LIMITS.get_or_init(Limits::default)
}

/// Why a file was refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a readable {kind} file: {reason}")]
    Unreadable { kind: &'static str, reason: String },
    #[error("it holds more than {max} parts (the limit is {max})")]
    TooManyEntries { max: usize },
    #[error("it unpacks to more than {} MB (the limit is {} MB); split it into smaller files", max / 1_000_000, max / 1_000_000)]
    TooLarge { max: u64 },
    #[error("sheet {sheet} reaches cell {corner}: {cells} cells, more than the {max} allowed; delete what lies beyond the data (or split the file)")]
    TooManyCells {
        sheet: String,
        corner: String,
        cells: u64,
        max: u64,
    },
}

/// Counts what passes through, and stops with an error past the limit.
struct Counted<'a, R> {
    inner: R,
    used: &'a mut u64,
    max: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.used += n as u64;
        if *self.used > self.max {
            return Err(std::io::Error::other(TOO_LARGE));
        }
        Ok(n)
    }
}

const TOO_LARGE: &str = "jixiao-files: unpacked size past the limit";

fn too_large(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.to_string() == TOO_LARGE)
}

/// Checks an .xlsx workbook: entries, unpacked size, and every worksheet's extent.
pub fn check_xlsx(bytes: &[u8]) -> Result<(), Refusal> {
    check(bytes, "xlsx", limits(), |name| {
        name.starts_with("xl/worksheets/") && name.ends_with(".xml")
    })
}

/// Checks a .docx document: entries and unpacked size.
pub fn check_docx(bytes: &[u8]) -> Result<(), Refusal> {
    check(bytes, "docx", limits(), |_| false)
}

/// Checks a PDF file kept as evidence: it starts as a PDF (`%PDF-1.x`), ends as one (`%%EOF`
/// with at most white space after it), and its header holds no markup. The checks refuse
/// polyglots, files that are a PDF to one reader and something else to another: an HTML page
/// or script behind a PDF header (a browser that sniffs reads the page), and an archive or
/// other file appended after the end (a zip reader reads it from the end). Evidence is also
/// served as an attachment with `nosniff` and a sandboxing CSP; this check is the first wall.
pub fn check_pdf(bytes: &[u8]) -> Result<(), Refusal> {
    let unreadable = |reason: &str| Refusal::Unreadable {
        kind: "PDF",
        reason: reason.to_string(),
    };
    let Some(rest) = bytes.strip_prefix(b"%PDF-") else {
        return Err(unreadable("it does not begin with %PDF-"));
    };
    if !rest.first().is_some_and(u8::is_ascii_digit) {
        return Err(unreadable(
            "it does not begin with a PDF version (%PDF-1.7)",
        ));
    }
    // Browsers sniff the first 512 bytes for markup; look at twice that.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if let Some(tag) = [
        "<html",
        "<script",
        "<!doctype",
        "<body",
        "<svg",
        "<iframe",
        "<?xml",
    ]
    .into_iter()
    .find(|t| head.contains(t))
    {
        return Err(unreadable(&format!(
            "its header holds markup (`{tag}`): a file that is both a PDF and a web page is not accepted"
        )));
    }
    let Some(end) = bytes.windows(5).rposition(|w| w == b"%%EOF") else {
        return Err(unreadable(
            "it has no end marker (%%EOF): it is cut short or not a PDF",
        ));
    };
    let after = &bytes[end + 5..];
    if !after.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable(&format!(
            "{} bytes follow its end marker (%%EOF): a file with another file appended is not accepted",
            after.len()
        )));
    }
    Ok(())
}

/// Checks an archive against `limits`, reading the extent of the entries `is_sheet` names.
pub fn check_with(bytes: &[u8], kind: &'static str, limits: Limits) -> Result<(), Refusal> {
    check(bytes, kind, limits, |name| {
        name.starts_with("xl/worksheets/") && name.ends_with(".xml")
    })
}

fn check(
    bytes: &[u8],
    kind: &'static str,
    limits: Limits,
    is_sheet: impl Fn(&str) -> bool,
) -> Result<(), Refusal> {
    let unreadable = |reason: String| Refusal::Unreadable { kind, reason };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(Refusal::TooManyEntries {
            max: limits.max_entries,
        });
    }
    let mut used = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        let name = entry
            .name()
            .map_err(|e| unreadable(e.to_string()))?
            .to_string();
        let sheet = is_sheet(&name);
        let mut counted = Counted {
            inner: entry,
            used: &mut used,
            max: limits.max_unpacked_bytes,
        };
        let outcome = if sheet {
            sheet_extent(&mut counted, &name, limits)
        } else {
            std::io::copy(&mut counted, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| {
                    if too_large(&e) {
                        Refusal::TooLarge {
                            max: limits.max_unpacked_bytes,
                        }
                    } else {
                        unreadable(format!("{name}: {e}"))
                    }
                })
        };
        outcome?;
    }
    Ok(())
}

/// Reads a worksheet's XML as a stream and refuses it when its extent (declared, or reached
/// by its last cell) passes `max_cells`.
fn sheet_extent(xml: &mut impl Read, name: &str, limits: Limits) -> Result<(), Refusal> {
    let max_cells = limits.max_cells;
    use quick_xml::events::Event;
    let sheet = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .trim_end_matches(".xml")
        .to_string();
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    let mut buf = Vec::new();
    let (mut rows, mut cols) = (0u64, 0u64);
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(e)) if too_large(&e) => {
                return Err(Refusal::TooLarge {
                    max: limits.max_unpacked_bytes,
                })
            }
            Err(e) => {
                return Err(Refusal::Unreadable {
                    kind: "xlsx",
                    reason: format!("{name}: {e}"),
                })
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                let key = match local.as_ref() {
                    "dimension" => "ref",
                    "c" | "row" => "r",
                    _ => {
                        buf.clear();
                        continue;
                    }
                };
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() != key {
                        continue;
                    }
                    let value = attr.value.to_string();
                    // `A1:XFD1048576` declares the corner; `B7` is a cell; a row's `r` a number.
                    let corner = value.rsplit(':').next().unwrap_or(&value);
                    let (r, c) = cell_ref(corner);
                    rows = rows.max(r);
                    cols = cols.max(c);
                    let cells = rows.max(1) * cols.max(1);
                    if cells > max_cells {
                        return Err(Refusal::TooManyCells {
                            sheet,
                            corner: corner.to_string(),
                            cells,
                            max: max_cells,
                        });
                    }
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// (row, column), both from 1, of a reference like `XFD1048576`; a bare number is a row; what
/// does not parse counts as nothing.
fn cell_ref(s: &str) -> (u64, u64) {
    let letters: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &s[letters.len()..];
    let col = letters.chars().fold(0u64, |acc, c| {
        acc.saturating_mul(26)
            .saturating_add(u64::from(c.to_ascii_uppercase() as u8 - b'A' + 1))
    });
    let row = digits.parse::<u64>().unwrap_or(0);
    (row, col)
}

pub mod corpus;
pub mod text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_as_row_and_column() {
        assert_eq!(cell_ref("A1"), (1, 1));
        assert_eq!(cell_ref("XFD1048576"), (1_048_576, 16_384));
        assert_eq!(cell_ref("12"), (12, 0));
        assert_eq!(cell_ref("AA3"), (3, 27));
        assert_eq!(cell_ref("??"), (0, 0));
    }
}
