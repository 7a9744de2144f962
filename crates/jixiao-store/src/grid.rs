//! 网格化管理 storage: grid inspectors' patrol reports (`grid_reports`) and the monthly counts the
//! grid figures are made of. A report passed to the street is written with the hotline case it
//! becomes, in one transaction; the case's handling marks the report disposed (see
//! `Store::record_case_event`).

use crate::conn::{Row, Val};
use crate::evidence::NewFile;
use crate::hotline::{t, time};
use crate::{now, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use jixiao_hotline::grid::{Disposal, GridCounts, PatrolReport};
use jixiao_hotline::{Case, HotlineConfig};
use std::collections::BTreeMap;

const COLUMNS: &str = "id, grid, inspector, found_at, category, description, lat, lon, disposal, disposed_at, due, case_id, photo_name";

fn instant(v: &Val) -> Option<DateTime<Utc>> {
    v.as_text()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// A stored report, and the name of its photo when it has one.
fn report_from(r: &Row) -> (PatrolReport, Option<String>) {
    let text = |i: usize| r[i].as_text().unwrap_or_default().to_string();
    (
        PatrolReport {
            id: text(0),
            grid: text(1),
            inspector: text(2),
            found_at: instant(&r[3]).unwrap_or_default(),
            category: text(4),
            description: text(5),
            lat: r[6].as_real(),
            lon: r[7].as_real(),
            disposal: Disposal::parse(&text(8)).unwrap_or(Disposal::OnTheSpot),
            disposed_at: instant(&r[9]),
            due: instant(&r[10]),
            case_id: r[11].as_text().map(str::to_string),
        },
        r[12].as_text().map(str::to_string),
    )
}

/// Which reports to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportsOf {
    /// An inspector's, newest first.
    Inspector(String),
    /// A month's (local `YYYY-MM`), of one district or all, newest first.
    Month {
        month: String,
        district: Option<String>,
    },
}

/// Where a report counts: its district and local month.
pub struct ReportPlace<'a> {
    pub district: &'a str,
    pub month: &'a str,
}

impl Store {
    /// Records patrol reports, each with where it counts and, for one passed to the street, the
    /// case it becomes; all in one transaction with one audit entry. A report whose id is stored
    /// already is left as it is (the same report sent twice); answers how many were new.
    pub fn grid_add_reports(
        &mut self,
        reports: &[(PatrolReport, ReportPlace<'_>, Option<Case>)],
        photo: Option<&NewFile<'_>>,
        config: &HotlineConfig,
        actor: &str,
    ) -> Result<usize> {
        self.tx(|s| {
            let mut fresh = 0;
            let at = now();
            for chunk in reports.chunks(500) {
                let ids: Vec<Val> = chunk.iter().map(|(r, _, _)| t(&r.id)).collect();
                let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
                let known: std::collections::HashSet<String> = s
                    .conn
                    .query(
                        &format!(
                            "SELECT id FROM grid_reports WHERE id IN ({})",
                            marks.join(", ")
                        ),
                        &ids,
                    )?
                    .iter()
                    .filter_map(|r| r[0].as_text().map(str::to_string))
                    .collect();
                let mut cases = Vec::new();
                let mut rows = Vec::new();
                for (r, place, case) in chunk {
                    if known.contains(&r.id) {
                        continue;
                    }
                    if let Some(c) = case {
                        cases.push(c.clone());
                    }
                    rows.push(vec![
                        t(&r.id),
                        t(&r.grid),
                        t(place.district),
                        t(place.month),
                        t(&r.inspector),
                        time(Some(r.found_at)),
                        t(&r.category),
                        t(&r.description),
                        Val::Real(r.lat),
                        Val::Real(r.lon),
                        t(r.disposal.as_str()),
                        time(r.disposed_at),
                        time(r.due),
                        Val::Text(r.case_id.clone()),
                        Val::Text(photo.map(|p| p.name.to_string())),
                        Val::Text(photo.map(|p| p.content_type.to_string())),
                        Val::Bytes(photo.map(|p| p.content.to_vec())),
                        t(&at),
                    ]);
                }
                if !cases.is_empty() {
                    s.hotline_touched = true;
                    s.import_cases(
                        &mut cases.into_iter(),
                        "grid",
                        config,
                        actor,
                        &mut |_| {},
                        crate::hotline::Counting::CaseByCase,
                    )?;
                }
                fresh += rows.len();
                s.conn.insert_rows(
                    "grid_reports",
                    &[
                        "id",
                        "grid",
                        "district",
                        "month",
                        "inspector",
                        "found_at",
                        "category",
                        "description",
                        "lat",
                        "lon",
                        "disposal",
                        "disposed_at",
                        "due",
                        "case_id",
                        "photo_name",
                        "photo_type",
                        "photo",
                        "recorded_at",
                    ],
                    &rows,
                )?;
            }
            if fresh > 0 {
                let detail = match reports {
                    [(r, _, _)] => format!("{} {} {}", r.grid, r.category, r.disposal.as_str()),
                    _ => format!("{fresh} reports"),
                };
                let entity = match reports {
                    [(r, _, _)] => format!("grid/report/{}", r.id),
                    _ => "grid/reports".to_string(),
                };
                s.audit_append(&at, actor, "grid.report", &entity, None, Some(detail))?;
            }
            Ok(fresh)
        })
    }

    /// Reports listed by `of`, at most `limit`, each with its photo's name when it has one.
    pub fn grid_reports(
        &mut self,
        of: &ReportsOf,
        limit: usize,
    ) -> Result<Vec<(PatrolReport, Option<String>)>> {
        let limit = limit.min(1000);
        let (cond, params) = match of {
            ReportsOf::Inspector(who) => ("inspector = $1".to_string(), vec![t(who)]),
            ReportsOf::Month {
                month,
                district: None,
            } => ("month = $1".to_string(), vec![t(month)]),
            ReportsOf::Month {
                month,
                district: Some(d),
            } => (
                "month = $1 AND district = $2".to_string(),
                vec![t(month), t(d)],
            ),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM grid_reports WHERE {cond} ORDER BY found_at DESC, id LIMIT {limit}"
        );
        Ok(self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(report_from)
            .collect())
    }

    /// One report with its photo's name (when it has one) and where it counts (its district),
    /// or not found.
    pub fn grid_report(&mut self, id: &str) -> Result<(PatrolReport, Option<String>, String)> {
        let rows = self.conn.query(
            &format!("SELECT {COLUMNS}, district FROM grid_reports WHERE id = $1"),
            &[t(id)],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("grid report `{id}`")))?;
        let (report, photo) = report_from(r);
        Ok((
            report,
            photo,
            r[13].as_text().unwrap_or_default().to_string(),
        ))
    }

    /// A report's photo: (file name, content type, content).
    pub fn grid_photo(&mut self, id: &str) -> Result<(String, String, Vec<u8>)> {
        let rows = self.conn.query(
            "SELECT photo_name, photo_type, photo FROM grid_reports WHERE id = $1 AND photo IS NOT NULL",
            &[t(id)],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("photo of grid report `{id}`")))?;
        Ok((
            r[0].as_text().unwrap_or_default().to_string(),
            r[1].as_text().unwrap_or_default().to_string(),
            r[2].as_bytes().unwrap_or_default().to_vec(),
        ))
    }

    /// The counts of each grid cell over `months` (local `YYYY-MM`), of one district or all:
    /// found, disposed on the spot, disposed, disposed by the deadline.
    pub fn grid_counts(
        &mut self,
        months: &[String],
        district: Option<&str>,
    ) -> Result<BTreeMap<String, GridCounts>> {
        let mut out: BTreeMap<String, GridCounts> = BTreeMap::new();
        for month in months {
            let mut params = vec![t(month)];
            let mut cond = "month = $1".to_string();
            if let Some(d) = district {
                params.push(t(d));
                cond.push_str(" AND district = $2");
            }
            let sql = format!(
                "SELECT grid, COUNT(*), \
                 SUM(CASE WHEN disposal = 'on_the_spot' THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN disposed_at IS NOT NULL THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN disposed_at IS NOT NULL AND (due IS NULL OR disposed_at <= due) THEN 1 ELSE 0 END) \
                 FROM grid_reports WHERE {cond} GROUP BY grid"
            );
            for r in self.conn.query(&sql, &params)? {
                let n = |i: usize| r[i].as_int().unwrap_or(0).max(0) as u64;
                out.entry(r[0].as_text().unwrap_or_default().to_string())
                    .or_default()
                    .add(&GridCounts {
                        found: n(1),
                        on_the_spot: n(2),
                        disposed: n(3),
                        disposed_in_time: n(4),
                    });
            }
        }
        Ok(out)
    }

    /// The months with reports, oldest first.
    pub fn grid_months(&mut self) -> Result<Vec<String>> {
        Ok(self
            .conn
            .query(
                "SELECT DISTINCT month FROM grid_reports ORDER BY month",
                &[],
            )?
            .iter()
            .filter_map(|r| r[0].as_text().map(str::to_string))
            .collect())
    }

    /// Marks the report that became case `case_id` disposed when the case was handled (or not,
    /// when it is reopened), inside the case event's transaction.
    pub(crate) fn grid_case_handled(
        &mut self,
        case_id: &str,
        handled: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn.exec(
            "UPDATE grid_reports SET disposed_at = $1 WHERE case_id = $2",
            &[time(handled), t(case_id)],
        )?;
        Ok(())
    }
}
