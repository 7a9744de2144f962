//! Importing cases from other hotline systems' exports (CSV or xlsx) through a mapping file
//! that names which column holds which field, how dates are written and in which time zone,
//! and what the source's channel and status values mean (docs/hotline.md, `mappings/`).
//!
//! Reading is streamed: [`read_csv`] calls back with each case, so a file is checked in one pass
//! and imported in a second without holding it in memory. Every problem is reported with its
//! row, column and value.

use crate::case::{Callback, Case, Channel, Closure, Satisfaction, Stage, Urgency};
use crate::config::HotlineConfig;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};

/// The case fields a mapping can fill.
pub const FIELDS: [&str; 21] = [
    "id",
    "received",
    "category",
    "description",
    "address",
    "unit",
    "grid",
    "lat",
    "lon",
    "channel",
    "status",
    "urgency",
    "contact",
    "dispatched",
    "responded",
    "handled",
    "closed",
    "callback_at",
    "solved",
    "satisfaction",
    // The units that returned the case (退单), oldest first, separated by `;`.
    "returned_by",
];

/// Fields added to jixiao's own export after files had been written without them: a file whose
/// header lacks the column reads as it did before.
const ADDED_LATER: [&str; 1] = ["returned_by"];

#[derive(Debug, Clone)]
pub struct Mapping {
    pub name: String,
    pub timezone: Tz,
    pub datetime_formats: Vec<String>,
    pub id_prefix: String,
    /// field → column header
    pub columns: HashMap<String, String>,
    pub channel_values: HashMap<String, Channel>,
    pub status_values: HashMap<String, (Stage, Option<Closure>)>,
    pub satisfaction_values: HashMap<String, Satisfaction>,
    pub solved_values: HashMap<String, bool>,
    pub default_channel: Channel,
    pub default_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub file: String,
    /// 1-based line of the file (the header is line 1).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}: row {}, column {}: `{}` {}",
                self.file, self.row, self.column, self.value, self.message
            )
        }
    }
}

fn status_of(s: &str) -> Option<(Stage, Option<Closure>)> {
    match s.split_once(':') {
        Some(("closed", c)) => Closure::parse(c).map(|c| (Stage::Closed, Some(c))),
        None => Stage::parse(s)
            .filter(|s| *s != Stage::Closed)
            .map(|s| (s, None)),
        _ => None,
    }
}

impl Mapping {
    pub fn parse(text: &str, file: &str) -> Result<Mapping, String> {
        let err = |m: String| format!("{file}: {m}");
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| err(e.to_string().trim().to_string()))?;
        let string = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let table = |k: &str| -> Vec<(String, String)> {
            doc.get(k)
                .and_then(|t| t.as_table_like())
                .map(|t| {
                    t.iter()
                        .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        let timezone = match string("timezone") {
            Some(tz) => tz.parse::<Tz>().map_err(|_| {
                err(format!(
                    "timezone `{tz}` is not a time zone like America/New_York"
                ))
            })?,
            None => chrono_tz::Asia::Shanghai,
        };
        let datetime_formats: Vec<String> = doc
            .get("datetime_formats")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_else(|| vec!["%Y-%m-%d %H:%M:%S".into(), "%Y-%m-%dT%H:%M:%S".into()]);
        let mut columns = HashMap::new();
        for (field, column) in table("columns") {
            if !FIELDS.contains(&field.as_str()) {
                return Err(err(format!(
                    "[columns] `{field}` is not a case field ({})",
                    FIELDS.join(", ")
                )));
            }
            columns.insert(field, column);
        }
        for required in ["id", "received"] {
            if !columns.contains_key(required) {
                return Err(err(format!(
                    "[columns] must name the column of `{required}`"
                )));
            }
        }
        // A `[name]` table maps an export's values to ours; a value that does not parse is an
        // error naming the table, the key and what was expected.
        fn values<T>(
            pairs: Vec<(String, String)>,
            name: &str,
            parse: impl Fn(&str) -> Option<T>,
            expected: &str,
        ) -> Result<HashMap<String, T>, String> {
            pairs
                .into_iter()
                .map(|(k, v)| match parse(&v) {
                    Some(x) => Ok((k, x)),
                    None => Err(format!("[{name}] `{k}` = `{v}`: {expected}")),
                })
                .collect()
        }
        let channel_values = values(
            table("channel_values"),
            "channel_values",
            Channel::parse,
            "not a channel (phone, web, app, open311, grid_patrol, other)",
        )
        .map_err(err)?;
        let status_values = values(table("status_values"), "status_values", status_of, "expected received, dispatched, responded, handled, called_back or closed:fixed / closed:not_responsible / closed:duplicate / closed:referred_out / closed:no_further_action").map_err(err)?;
        let satisfaction_values = values(
            table("satisfaction_values"),
            "satisfaction_values",
            Satisfaction::parse,
            "expected satisfied, basically_satisfied or not_satisfied",
        )
        .map_err(err)?;
        let solved = |v: &str| match v {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        };
        let solved_values = values(
            table("solved_values"),
            "solved_values",
            solved,
            "expected yes or no",
        )
        .map_err(err)?;
        let defaults = table("defaults");
        let default = |k: &str| {
            defaults
                .iter()
                .find(|(x, _)| x == k)
                .map(|(_, v)| v.clone())
        };
        let default_channel = match default("channel") {
            Some(c) => Channel::parse(&c)
                .ok_or_else(|| err(format!("[defaults] channel `{c}` is not a channel")))?,
            None => Channel::Other,
        };
        Ok(Mapping {
            name: string("name").unwrap_or_else(|| file.to_string()),
            timezone,
            datetime_formats,
            id_prefix: string("id_prefix").unwrap_or_default(),
            columns,
            channel_values,
            status_values,
            satisfaction_values,
            solved_values,
            default_channel,
            default_category: default("category"),
        })
    }

    /// The rates this mapping's data cannot give, with the reason: shown with every import.
    pub fn cannot_compute(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.columns.contains_key("responded") {
            out.push("response rate (响应率): the export has no first-response time".to_string());
        }
        if !self.columns.contains_key("solved") {
            out.push("resolution rate (解决率): the export has no callback result".to_string());
        }
        if !self.columns.contains_key("satisfaction") {
            out.push("satisfaction rate (满意率): the export has no callback rating".to_string());
        }
        out
    }

    fn time(&self, s: &str) -> Option<DateTime<Utc>> {
        let s = s.trim();
        if let Ok(d) = DateTime::parse_from_rfc3339(s) {
            return Some(d.with_timezone(&Utc));
        }
        for f in &self.datetime_formats {
            let naive = NaiveDateTime::parse_from_str(s, f).ok().or_else(|| {
                NaiveDate::parse_from_str(s, f)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            });
            if let Some(n) = naive {
                // A time skipped by a daylight-saving change is read as the later instant.
                return self
                    .timezone
                    .from_local_datetime(&n)
                    .earliest()
                    .or_else(|| {
                        self.timezone
                            .from_local_datetime(&(n + chrono::Duration::hours(1)))
                            .earliest()
                    })
                    .map(|t| t.with_timezone(&Utc));
            }
        }
        None
    }
}

/// What a file gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    pub rows: usize,
}

struct Columns {
    index: HashMap<String, usize>,
    headers: Vec<String>,
}

/// Turns one row into a case, or the row's problems.
fn case_of(
    m: &Mapping,
    config: &HotlineConfig,
    cols: &Columns,
    row: &[String],
    line: usize,
    file: &str,
) -> Result<Case, Vec<RowError>> {
    let mut errors = Vec::new();
    let get = |field: &str| -> Option<(&str, &str)> {
        let &i = cols.index.get(field)?;
        Some((
            cols.headers[i].as_str(),
            row.get(i).map(|s| s.trim()).unwrap_or(""),
        ))
    };
    let mut fail = |field: &str, value: &str, message: &str| {
        errors.push(RowError {
            file: file.to_string(),
            row: line,
            column: get(field).map_or(field.to_string(), |(h, _)| h.to_string()),
            value: value.to_string(),
            message: message.to_string(),
        })
    };
    let text = |field: &str| get(field).map(|(_, v)| v).filter(|v| !v.is_empty());
    let when = |field: &str, fail: &mut dyn FnMut(&str, &str, &str)| -> Option<DateTime<Utc>> {
        let v = text(field)?;
        let t = m.time(v);
        if t.is_none() {
            fail(
                field,
                v,
                &format!(
                    "is not a date and time ({})",
                    m.datetime_formats.join(" or ")
                ),
            );
        }
        t
    };
    let id = text("id").map(|v| format!("{}{v}", m.id_prefix));
    if id.is_none() {
        fail("id", "", "is empty: every case needs an id");
    }
    let received = when("received", &mut fail);
    if text("received").is_none() {
        fail(
            "received",
            "",
            "is empty: every case needs the time it was received",
        );
    }
    let category = text("category")
        .map(str::to_string)
        .or_else(|| m.default_category.clone());
    if category.is_none() {
        fail(
            "category",
            "",
            "is empty and the mapping has no default category",
        );
    }
    let number = |field: &str, fail: &mut dyn FnMut(&str, &str, &str)| -> Option<f64> {
        let v = text(field)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                fail(field, v, "is not a number");
                None
            }
        }
    };
    let lat = number("lat", &mut fail);
    let lon = number("lon", &mut fail);
    if lat.is_some_and(|x| !(-90.0..=90.0).contains(&x)) {
        fail(
            "lat",
            &lat.unwrap_or_default().to_string(),
            "is not a latitude",
        );
    }
    let channel = match text("channel") {
        None => m.default_channel,
        Some(v) => m
            .channel_values
            .get(v)
            .copied()
            .unwrap_or_else(|| Channel::parse(&v.to_lowercase()).unwrap_or(m.default_channel)),
    };
    let (stage, closure) = match text("status") {
        None => (
            if text("unit").is_some() {
                Stage::Dispatched
            } else {
                Stage::Received
            },
            None,
        ),
        Some(v) => match m.status_values.get(v).copied().or_else(|| status_of(v)) {
            Some(s) => s,
            None => {
                fail(
                    "status",
                    v,
                    "is not a status this mapping knows (add it to [status_values])",
                );
                (Stage::Received, None)
            }
        },
    };
    let urgency = match text("urgency") {
        None => Urgency::Normal,
        Some(v) => Urgency::parse(&v.to_lowercase()).unwrap_or(Urgency::Normal),
    };
    let dispatched = when("dispatched", &mut fail);
    let responded = when("responded", &mut fail);
    let handled = when("handled", &mut fail);
    let closed = when("closed", &mut fail);
    let callback_at = when("callback_at", &mut fail);
    let solved = text("solved").and_then(|v| {
        let s = m.solved_values.get(v).copied();
        if s.is_none() {
            fail("solved", v, "is not a value of [solved_values]");
        }
        s
    });
    let satisfaction = text("satisfaction").and_then(|v| {
        let s = m
            .satisfaction_values
            .get(v)
            .copied()
            .or_else(|| Satisfaction::parse(v));
        if s.is_none() {
            fail("satisfaction", v, "is not a value of [satisfaction_values]");
        }
        s
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(id), Some(received), Some(category)) = (id, received, category) else {
        return Err(errors);
    };
    let mut c = Case::received(id, channel, received, category);
    c.description = text("description")
        .unwrap_or("")
        .chars()
        .take(4000)
        .collect();
    c.address = text("address").unwrap_or("").to_string();
    c.unit = text("unit").map(str::to_string);
    c.grid = text("grid").map(str::to_string);
    c.lat = lat;
    c.lon = lon;
    c.urgency = urgency;
    c.contact = text("contact").map(str::to_string);
    c.stage = if c.unit.is_none() && stage != Stage::Closed {
        Stage::Received
    } else {
        stage
    };
    c.closure = closure;
    c.returned_by = text("returned_by")
        .map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    c.returns = c.returned_by.len() as u32;
    c.dispatched = c.unit.as_ref().map(|_| dispatched.unwrap_or(received));
    c.response_tracked = m.columns.contains_key("responded");
    c.responded = responded;
    // A case closed as fixed was handled by the time it was closed.
    c.handled = handled.or(if closure == Some(Closure::Fixed) {
        closed
    } else {
        None
    });
    c.closed = if stage == Stage::Closed {
        closed.or(handled).or(Some(received))
    } else {
        None
    };
    c.callback = match (solved, satisfaction) {
        (Some(solved), Some(satisfaction)) => Some(Callback {
            at: callback_at.or(c.closed).unwrap_or(received),
            solved,
            satisfaction,
        }),
        _ => None,
    };
    if let Some((r, d)) = config.deadlines(&c.category, c.urgency, received) {
        c.response_due = Some(r);
        c.completion_due = Some(d);
    }
    Ok(c)
}

fn header_index(m: &Mapping, headers: &[String], file: &str) -> Result<Columns, Vec<RowError>> {
    let mut index = HashMap::new();
    let mut errors = Vec::new();
    // In field order, so that the same file always gets the same report.
    for field in FIELDS {
        let Some(column) = m.columns.get(field) else {
            continue;
        };
        match headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == column)
        {
            Some(i) => {
                index.insert(field.to_string(), i);
            }
            None if ADDED_LATER.contains(&field) => {}
            None => errors.push(RowError {
                file: file.to_string(),
                row: 0,
                column: column.clone(),
                value: String::new(),
                message: format!(
                    "the mapping's column `{column}` (for {field}) is not in the file's header"
                ),
            }),
        }
    }
    if errors.is_empty() {
        Ok(Columns {
            index,
            headers: headers.to_vec(),
        })
    } else {
        Err(errors)
    }
}

/// Reads CSV text from `reader`, calling `each` with every case in file order until the first
/// problem. All rows are read; problems (at most `max_errors`) are returned together, including
/// ids that occur twice. Reading streams, so a caller that writes as it reads must be able to
/// undo everything when the result is an error (`jixiao hotline import` writes in one
/// transaction and rolls it back).
pub fn read_csv<R: std::io::Read>(
    reader: R,
    file: &str,
    m: &Mapping,
    config: &HotlineConfig,
    max_errors: usize,
    each: &mut dyn FnMut(Case),
) -> Result<ReadReport, Vec<RowError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(jixiao_files::text::Utf8Reader::new(reader));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| {
            vec![RowError {
                file: file.into(),
                row: 0,
                column: String::new(),
                value: String::new(),
                message: format!("cannot read the header: {}", csv_problem(e)),
            }]
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let cols = header_index(m, &headers, file)?;
    read_rows(
        rdr.records().enumerate().map(|(i, r)| {
            (
                i + 2,
                r.map(|r| r.iter().map(str::to_string).collect())
                    .map_err(csv_problem),
            )
        }),
        &cols,
        file,
        m,
        config,
        max_errors,
        each,
    )
}

/// What went wrong reading CSV, in words for the office: text that is not UTF-8 (GBK, most
/// likely) says how to save the file instead.
fn csv_problem(e: csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => jixiao_files::text::NOT_UTF8.to_string(),
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => io.to_string(),
        _ => e.to_string(),
    }
}

/// Reads the first sheet of an xlsx workbook.
pub fn read_xlsx(
    bytes: &[u8],
    file: &str,
    m: &Mapping,
    config: &HotlineConfig,
    max_errors: usize,
    each: &mut dyn FnMut(Case),
) -> Result<ReadReport, Vec<RowError>> {
    use calamine::Reader;
    let one = |message: String| {
        vec![RowError {
            file: file.into(),
            row: 0,
            column: String::new(),
            value: String::new(),
            message,
        }]
    };
    // Before the reader allocates for what the file claims to hold.
    jixiao_files::check_xlsx(bytes).map_err(|e| {
        one(match e {
            jixiao_files::Refusal::Unreadable { reason, .. } => {
                format!("not a readable xlsx workbook: {reason}")
            }
            other => format!("refused: {other}"),
        })
    })?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| one(format!("not a readable xlsx workbook: {e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| one("the workbook has no sheet".into()))?
        .map_err(|e| one(format!("the first sheet cannot be read: {e}")))?;
    let cell = |d: &calamine::Data| match d {
        // Excel counts days from 1899-12-30.
        calamine::Data::DateTime(x) => (NaiveDate::from_ymd_opt(1899, 12, 30)
            .expect("a date")
            .and_hms_opt(0, 0, 0)
            .expect("a time")
            + chrono::Duration::milliseconds((x.as_f64() * 86_400_000.0).round() as i64))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string(),
        calamine::Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        other => other.to_string(),
    };
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(cell).collect())
        .unwrap_or_default();
    let cols = header_index(m, &headers, file)?;
    read_rows(
        rows.enumerate()
            .map(|(i, r)| (i + 2, Ok(r.iter().map(cell).collect()))),
        &cols,
        file,
        m,
        config,
        max_errors,
        each,
    )
}

fn read_rows(
    rows: impl Iterator<Item = (usize, Result<Vec<String>, String>)>,
    cols: &Columns,
    file: &str,
    m: &Mapping,
    config: &HotlineConfig,
    max_errors: usize,
    each: &mut dyn FnMut(Case),
) -> Result<ReadReport, Vec<RowError>> {
    let mut errors = Vec::new();
    // Ids seen, by 64-bit hash: 25 million ids fit in a few hundred megabytes.
    let mut seen: HashSet<u64> = HashSet::new();
    let mut report = ReadReport::default();
    for (line, row) in rows {
        let row = match row {
            Ok(r) => r,
            Err(message) => {
                errors.push(RowError {
                    file: file.into(),
                    row: line,
                    column: String::new(),
                    value: String::new(),
                    message,
                });
                continue;
            }
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match case_of(m, config, cols, &row, line, file) {
            Ok(c) => {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                c.id.hash(&mut h);
                if !seen.insert(h.finish()) {
                    errors.push(RowError {
                        file: file.into(),
                        row: line,
                        column: m.columns["id"].clone(),
                        value: c.id.clone(),
                        message: "occurs twice in the file".into(),
                    });
                } else if errors.is_empty() {
                    each(c);
                }
                report.rows += 1;
            }
            Err(mut e) => errors.append(&mut e),
        }
        if errors.len() >= max_errors {
            break;
        }
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        errors.truncate(max_errors);
        Err(errors)
    }
}

/// The mapping of jixiao's own export (`examples/hotline/mappings/jixiao.toml`).
pub const NATIVE_MAPPING: &str = include_str!("../../../examples/hotline/mappings/jixiao.toml");

/// Writes cases in jixiao's own export format (read back with [`NATIVE_MAPPING`]). With
/// `with_contacts = false` the requester contact column stays empty (exports for analysis).
pub fn write_native_csv<W: std::io::Write>(
    out: W,
    cases: &mut dyn Iterator<Item = Case>,
    with_contacts: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, String> {
    let mut w = csv::Writer::from_writer(out);
    let fields: Vec<&str> = FIELDS.iter().copied().filter(|f| *f != "status").collect();
    let mut header = fields.clone();
    header.insert(10, "status");
    w.write_record(&header).map_err(|e| e.to_string())?;
    let t = |d: Option<DateTime<Utc>>| {
        d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let mut n = 0;
    for c in cases {
        let status = match (c.stage, c.closure) {
            (Stage::Closed, Some(x)) => format!("closed:{}", x.as_str()),
            (Stage::Closed, None) => "closed:no_further_action".to_string(),
            (s, _) => s.as_str().to_string(),
        };
        let row: Vec<String> = header
            .iter()
            .map(|f| match *f {
                "id" => c.id.clone(),
                "received" => t(Some(c.received)),
                "category" => c.category.clone(),
                "description" => c.description.clone(),
                "address" => c.address.clone(),
                "unit" => c.unit.clone().unwrap_or_default(),
                "grid" => c.grid.clone().unwrap_or_default(),
                "lat" => c.lat.map(|x| format!("{x:.6}")).unwrap_or_default(),
                "lon" => c.lon.map(|x| format!("{x:.6}")).unwrap_or_default(),
                "channel" => c.channel.as_str().to_string(),
                "status" => status.clone(),
                "urgency" => c.urgency.as_str().to_string(),
                "contact" if with_contacts => c.contact.clone().unwrap_or_default(),
                "dispatched" => t(c.dispatched),
                "responded" => t(c.responded),
                "handled" => t(c.handled),
                "closed" => t(c.closed),
                "callback_at" => t(c.callback.map(|x| x.at)),
                "solved" => c
                    .callback
                    .map(|x| if x.solved { "yes" } else { "no" }.to_string())
                    .unwrap_or_default(),
                "satisfaction" => c
                    .callback
                    .map(|x| x.satisfaction.as_str().to_string())
                    .unwrap_or_default(),
                "returned_by" => c.returned_by.join(";"),
                _ => String::new(),
            })
            .collect();
        w.write_record(&row).map_err(|e| e.to_string())?;
        n += 1;
        if n % 10_000 == 0 {
            progress(n);
        }
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = r#"
name = "test"
timezone = "America/New_York"
datetime_formats = ["%m/%d/%Y %I:%M:%S %p"]
id_prefix = "T-"
[columns]
id = "Key"
received = "Created"
closed = "Closed"
category = "Type"
unit = "Agency"
status = "Status"
[status_values]
Closed = "closed:fixed"
Open = "dispatched"
"#;

    #[test]
    fn rows_become_cases_in_local_time_and_problems_name_row_column_and_value() {
        let m = Mapping::parse(MAPPING, "m.toml").unwrap();
        let cfg = HotlineConfig::default();
        let csv = "Key,Created,Closed,Type,Agency,Status\n1,05/01/2022 12:00:03 AM,05/01/2022 01:00:00 AM,Noise,NYPD,Closed\n2,05/01/2022 12:10:00 AM,,Noise,NYPD,Open\n";
        let mut cases = Vec::new();
        read_csv(csv.as_bytes(), "x.csv", &m, &cfg, 100, &mut |c| {
            cases.push(c)
        })
        .unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].id, "T-1");
        assert_eq!(
            cases[0].received.to_rfc3339(),
            "2022-05-01T04:00:03+00:00",
            "EDT is UTC-4"
        );
        assert_eq!(
            (cases[0].stage, cases[0].closure),
            (Stage::Closed, Some(Closure::Fixed))
        );
        assert!(cases[0].handled.is_some() && !cases[0].response_tracked);
        assert_eq!(
            (cases[1].stage, cases[1].unit.as_deref()),
            (Stage::Dispatched, Some("NYPD"))
        );
        let bad = "Key,Created,Closed,Type,Agency,Status\n1,yesterday,,Noise,NYPD,Closed\n1,05/01/2022 12:10:00 AM,,Noise,NYPD,Pending\n";
        let e = read_csv(bad.as_bytes(), "x.csv", &m, &cfg, 100, &mut |_| {
            panic!("nothing is passed on")
        })
        .unwrap_err();
        let text: Vec<String> = e.iter().map(|x| x.to_string()).collect();
        assert!(
            text[0].contains("row 2, column Created: `yesterday` is not a date"),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("row 3, column Status: `Pending`")),
            "{text:?}"
        );
        let e = read_csv("Key,When\n".as_bytes(), "x.csv", &m, &cfg, 100, &mut |_| {}).unwrap_err();
        assert!(e[0].to_string().contains("`Created`"), "{}", e[0]);
        assert_eq!(m.cannot_compute().len(), 3);
    }

    #[test]
    fn exports_saved_as_utf16_read_and_gbk_is_refused_at_its_row() {
        let m = Mapping::parse(MAPPING, "m.toml").unwrap();
        let cfg = HotlineConfig::default();
        let csv =
            "Key,Created,Closed,Type,Agency,Status\n1,05/01/2022 12:00:03 AM,,噪音,NYPD,Open\n";
        let mut expected = Vec::new();
        read_csv(csv.as_bytes(), "x.csv", &m, &cfg, 100, &mut |c| {
            expected.push(c)
        })
        .unwrap();
        for little in [true, false] {
            let mut bytes = if little {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in csv.encode_utf16() {
                bytes.extend(if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            let mut cases = Vec::new();
            read_csv(&bytes[..], "x.csv", &m, &cfg, 100, &mut |c| cases.push(c)).unwrap();
            assert_eq!(cases, expected);
        }
        // 噪音 in GBK, on the second data row.
        let mut gbk = b"Key,Created,Closed,Type,Agency,Status\n1,05/01/2022 12:00:03 AM,,Noise,NYPD,Open\n2,05/01/2022 12:00:03 AM,,".to_vec();
        gbk.extend([0xD4, 0xEB, 0xD2, 0xF4]);
        gbk.extend(b",NYPD,Open\n");
        let e = read_csv(&gbk[..], "x.csv", &m, &cfg, 100, &mut |_| {}).unwrap_err();
        let text = e[0].to_string();
        assert!(
            text.contains("row 3") && text.contains("CSV UTF-8"),
            "{text}"
        );
    }

    #[test]
    fn a_mapping_with_mistakes_is_refused() {
        assert!(Mapping::parse("[columns]\nid = \"a\"\n", "m.toml")
            .unwrap_err()
            .contains("received"));
        assert!(Mapping::parse(
            "[columns]\nid = \"a\"\nreceived = \"b\"\ncolour = \"c\"\n",
            "m.toml"
        )
        .unwrap_err()
        .contains("colour"));
        assert!(Mapping::parse(
            "[columns]\nid = \"a\"\nreceived = \"b\"\n[status_values]\nX = \"finished\"\n",
            "m.toml"
        )
        .unwrap_err()
        .contains("finished"));
        // Each value table names itself, the key and what it expected.
        for (table, value, message) in [
            (
                "channel_values",
                "fax",
                "[channel_values] `X` = `fax`: not a channel",
            ),
            (
                "satisfaction_values",
                "happy",
                "[satisfaction_values] `X` = `happy`: expected satisfied",
            ),
            (
                "solved_values",
                "maybe",
                "[solved_values] `X` = `maybe`: expected yes or no",
            ),
        ] {
            let text =
                format!("[columns]\nid = \"a\"\nreceived = \"b\"\n[{table}]\nX = \"{value}\"\n");
            let e = Mapping::parse(&text, "m.toml").unwrap_err();
            assert!(e.starts_with("m.toml: ") && e.contains(message), "{e}");
        }
    }

    #[test]
    fn an_xlsx_export_reads_like_csv_with_excel_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Key", "Created", "Closed", "Type", "Agency", "Status"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let when = ExcelDateTime::parse_from_str("2022-05-01 00:00:03").unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        ws.write_number(1, 0, 1.0).unwrap();
        ws.write_datetime_with_format(1, 1, &when, &date).unwrap();
        ws.write_string(1, 3, "Noise").unwrap();
        ws.write_string(1, 4, "NYPD").unwrap();
        ws.write_string(1, 5, "Open").unwrap();
        ws.write_number(2, 0, 2.0).unwrap();
        ws.write_string(2, 1, "not a date").unwrap();
        ws.write_string(2, 3, "Noise").unwrap();
        ws.write_string(2, 5, "Open").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let text = MAPPING.replace(
            "datetime_formats = [\"%m/%d/%Y %I:%M:%S %p\"]",
            "datetime_formats = [\"%Y-%m-%d %H:%M:%S\"]",
        );
        let m = Mapping::parse(&text, "m.toml").unwrap();
        let cfg = HotlineConfig::default();
        let e = read_xlsx(&bytes, "x.xlsx", &m, &cfg, 10, &mut |_| {}).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].to_string()
                .contains("row 3, column Created: `not a date`"),
            "{}",
            e[0]
        );
        // Without the bad row the case is read, the Excel date in New York time.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Key", "Created", "Closed", "Type", "Agency", "Status"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_number(1, 0, 1.0).unwrap();
        ws.write_datetime_with_format(1, 1, &when, &date).unwrap();
        ws.write_string(1, 3, "Noise").unwrap();
        ws.write_string(1, 4, "NYPD").unwrap();
        ws.write_string(1, 5, "Open").unwrap();
        let mut cases = Vec::new();
        read_xlsx(
            &wb.save_to_buffer().unwrap(),
            "x.xlsx",
            &m,
            &cfg,
            10,
            &mut |c| cases.push(c),
        )
        .unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(
            cases[0].id, "T-1",
            "whole numbers are read without a decimal point"
        );
        assert_eq!(cases[0].received.to_rfc3339(), "2022-05-01T04:00:03+00:00");
    }
}
