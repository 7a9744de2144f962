//! A case as a database row: its columns, writing and reading them, and the placeholders of
//! multi-row statements.

use crate::conn::{Row, Val};
use crate::hotline_pack::CaseFacts;
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use jixiao_hotline::case::{Callback, Exclusion};
use jixiao_hotline::{Case, Channel, Closure, HotlineConfig, Satisfaction, Stage, Urgency};
use std::collections::HashMap;

pub(crate) const CASE_COLUMNS: [&str; 35] = [
    "id",
    "channel",
    "received_at",
    "month",
    "category",
    "description",
    "address",
    "unit",
    "district",
    "grid",
    "lat",
    "lon",
    "urgency",
    "contact",
    "stage",
    "dispatched_at",
    "responded_at",
    "handled_at",
    "callback_at",
    "solved",
    "satisfaction",
    "closed_at",
    "closure",
    "returns",
    "reopened",
    "exclusion_reason",
    "exclusion_note",
    "exclusion_approver",
    "response_due",
    "completion_due",
    "response_tracked",
    "source",
    "updated_at",
    // Added after cases had been sealed: last of the sealed columns (see `seals::Table`).
    "returned_by",
    "seq",
];

/// Where `seq` is in [`CASE_COLUMNS`] (the last).
pub(crate) const SEQ_COLUMN: usize = CASE_COLUMNS.len() - 1;

/// The columns a case's seal covers: all but its place in the packs (`seq`, the last), which
/// rebuilding the packs renumbers.
pub(crate) const SEALED_CASE_COLUMNS: &[&str] = CASE_COLUMNS.split_at(CASE_COLUMNS.len() - 1).0;

/// Rows per multi-row INSERT: well under both databases' parameter limits.
pub(crate) const CHUNK: usize = 200;

pub(crate) fn t(s: &str) -> Val {
    Val::text(s)
}

pub(crate) fn ot(s: Option<&str>) -> Val {
    Val::Text(s.map(str::to_string))
}

/// An instant as stored: `YYYY-MM-DDTHH:MM:SSZ` (what `to_rfc3339_opts(Secs, true)` writes for
/// years 0–9999, without its formatting machinery: an import writes ten per case).
pub(crate) fn time(d: Option<DateTime<Utc>>) -> Val {
    Val::Text(d.map(utc_text))
}

fn utc_text(d: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, v: u32, digits: usize| {
        let mut v = v;
        for i in (0..digits).rev() {
            b[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, d.month(), 2);
    put(8, d.day(), 2);
    put(11, d.hour(), 2);
    put(14, d.minute(), 2);
    put(17, d.second(), 2);
    String::from_utf8_lossy(&b).into_owned()
}

fn parse_time(v: &Val) -> Option<DateTime<Utc>> {
    v.as_text()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn case_row(
    c: &Case,
    month: &str,
    district: Option<&str>,
    source: &str,
    at: &str,
    seq: i64,
) -> Vec<Val> {
    vec![
        t(&c.id),
        t(c.channel.as_str()),
        time(Some(c.received)),
        t(month),
        t(&c.category),
        t(&c.description),
        t(&c.address),
        ot(c.unit.as_deref()),
        ot(district),
        ot(c.grid.as_deref()),
        Val::Real(c.lat),
        Val::Real(c.lon),
        t(c.urgency.as_str()),
        ot(c.contact.as_deref()),
        t(c.stage.as_str()),
        time(c.dispatched),
        time(c.responded),
        time(c.handled),
        time(c.callback.map(|x| x.at)),
        Val::Int(c.callback.map(|x| x.solved as i64)),
        ot(c.callback.map(|x| x.satisfaction.as_str())),
        time(c.closed),
        ot(c.closure.map(|x| x.as_str())),
        Val::Int(Some(c.returns as i64)),
        Val::Int(Some(c.reopened as i64)),
        ot(c.exclusion.as_ref().map(|x| x.reason.as_str())),
        ot(c.exclusion.as_ref().map(|x| x.note.as_str())),
        ot(c.exclusion.as_ref().map(|x| x.approver.as_str())),
        time(c.response_due),
        time(c.completion_due),
        Val::Int(Some(c.response_tracked as i64)),
        t(source),
        t(at),
        Val::Text(
            (!c.returned_by.is_empty())
                .then(|| serde_json::to_string(&c.returned_by).unwrap_or_default()),
        ),
        Val::Int(Some(seq)),
    ]
}

/// A case's row and its packed facts, with its month and district as the rules and geography
/// give them now.
pub(crate) fn stored_row(
    c: &Case,
    config: &HotlineConfig,
    districts: &HashMap<String, String>,
    source: &str,
    at: &str,
    seq: i64,
) -> (Vec<Val>, CaseFacts) {
    let month = config.month_of(c.received);
    let district = c
        .unit
        .as_ref()
        .and_then(|u| districts.get(u))
        .map(String::as_str);
    (
        case_row(c, &month, district, source, at, seq),
        CaseFacts::of(c, &month, district),
    )
}

/// A case from a row that selected [`CASE_COLUMNS`]; `None` if a value does not parse.
pub(crate) fn case_from_row(r: &Row) -> Option<Case> {
    let v = |name: &str| r.get(name).ok();
    let s = |name: &str| v(name).and_then(Val::as_text).map(str::to_string);
    let at = |name: &str| v(name).and_then(parse_time);
    let mut c = Case::received(
        s("id")?,
        Channel::parse(v("channel")?.as_text()?)?,
        at("received_at")?,
        s("category")?,
    );
    c.description = s("description").unwrap_or_default();
    c.address = s("address").unwrap_or_default();
    c.unit = s("unit");
    c.grid = s("grid");
    c.lat = v("lat")?.as_real();
    c.lon = v("lon")?.as_real();
    c.urgency = Urgency::parse(v("urgency")?.as_text()?)?;
    c.contact = s("contact");
    c.stage = Stage::parse(v("stage")?.as_text()?)?;
    c.dispatched = at("dispatched_at");
    c.responded = at("responded_at");
    c.handled = at("handled_at");
    c.callback = match (at("callback_at"), v("solved")?.as_int(), s("satisfaction")) {
        (Some(at), Some(solved), Some(sat)) => Some(Callback {
            at,
            solved: solved != 0,
            satisfaction: Satisfaction::parse(&sat)?,
        }),
        _ => None,
    };
    c.closed = at("closed_at");
    c.closure = s("closure").as_deref().and_then(Closure::parse);
    c.returns = v("returns")?.as_int().unwrap_or(0) as u32;
    c.returned_by = match s("returned_by") {
        Some(json) => serde_json::from_str(&json).ok()?,
        None => Vec::new(),
    };
    c.reopened = v("reopened")?.as_int().unwrap_or(0) as u32;
    c.exclusion = match (s("exclusion_reason"), s("exclusion_approver")) {
        (Some(reason), Some(approver)) => Some(Exclusion {
            reason,
            note: s("exclusion_note").unwrap_or_default(),
            approver,
        }),
        _ => None,
    };
    c.response_due = at("response_due");
    c.completion_due = at("completion_due");
    c.response_tracked = v("response_tracked")?.as_int().unwrap_or(1) != 0;
    Some(c)
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` values; remembered per shape, since bulk imports
/// ask for the same one thousands of times.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<(usize, usize), String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(s) = cache
        .lock()
        .ok()
        .and_then(|c| c.get(&(rows, cols)).cloned())
    {
        return s;
    }
    let s = build_placeholders(rows, cols);
    if let Ok(mut c) = cache.lock() {
        c.insert((rows, cols), s.clone());
    }
    s
}

fn build_placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", p.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Writes a case row over the stored one (stored under `old_month`); the import source is
    /// replaced only by imports. `seal`: the row's seal when the caller computed it (imports);
    /// otherwise the case must have been named by an audit entry of the transaction, which
    /// seals it. A case whose month changes moves with its events (on PostgreSQL to the new
    /// month's partitions, made if needed; `months`: those this transaction made sure of).
    pub(crate) fn update_case(
        &mut self,
        row: Vec<Val>,
        old_month: &str,
        with_source: bool,
        seal: Option<String>,
        months: &mut super::partitions::Months,
    ) -> Result<()> {
        let new_month = row[3].as_text().unwrap_or_default().to_string();
        let moved = new_month != old_month;
        // PostgreSQL: a case that stays in its month is updated in its month's table, which may
        // still be filling (not yet a partition); one that moves goes from partition to
        // partition through the parent, so both its months must be partitions first.
        let mut table = "hotline_cases".to_string();
        if moved {
            self.ensure_hotline_months([new_month.as_str()], months)?;
            self.attach_filled_months(months, Some(old_month))?;
            self.attach_filled_months(months, Some(&new_month))?;
        } else if self.is_postgres() {
            if let Some(own) = super::partitions::partition("hotline_cases", old_month) {
                table = own;
            }
        }
        let mut params = vec![row[0].clone(), Val::text(old_month)];
        let mut sets = Vec::new();
        if let Some(seal) = seal {
            params.push(Val::text(seal));
            sets.push(format!("seal = ${}", params.len()));
        }
        for (i, col) in CASE_COLUMNS.iter().enumerate().skip(1) {
            if *col == "source" && !with_source {
                continue;
            }
            params.push(row[i].clone());
            sets.push(format!("{col} = ${}", params.len()));
        }
        self.conn.exec(
            &format!(
                "UPDATE {table} SET {} WHERE id = $1 AND month = $2",
                sets.join(", ")
            ),
            &params,
        )?;
        if moved {
            let moving = [row[0].clone(), Val::text(&new_month), Val::text(old_month)];
            self.conn.exec(
                "UPDATE hotline_events SET month = $2 WHERE case_id = $1 AND month = $3",
                &moving,
            )?;
            if self.is_postgres() {
                self.conn.exec(
                    "UPDATE hotline_case_months SET month = $2 WHERE id = $1",
                    &moving[..2],
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[test]
    fn stored_times_are_what_rfc3339_writes() {
        for (y, mo, d, h, mi, s) in [
            (2020, 1, 1, 0, 0, 0),
            (2020, 12, 31, 23, 59, 59),
            (1999, 2, 28, 7, 5, 9),
            (9999, 6, 15, 12, 0, 1),
        ] {
            let t = Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            assert_eq!(
                super::utc_text(t),
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        let t = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
            + chrono::Duration::milliseconds(1500);
        assert_eq!(super::utc_text(t), "2020-01-01T00:00:01Z", "whole seconds");
    }
}
