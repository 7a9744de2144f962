//! 吹哨报到: the departments summoned to a case, one row per case and department. Each step is
//! checked by [`jixiao_hotline::summons::apply_part`] and written with its event on the case's
//! record in one transaction.

use super::rows::{t, time};
use crate::conn::{Row, Val};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use jixiao_hotline::summons::{apply_part, Part, PartStep};

const COLUMNS: &str =
    "case_id, department, street, task, due, summoned_at, reported_at, done_at, note";

fn instant(v: &Val) -> Option<DateTime<Utc>> {
    v.as_text()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn part_from(r: &Row) -> Part {
    let text = |i: usize| r[i].as_text().unwrap_or_default().to_string();
    Part {
        case_id: text(0),
        department: text(1),
        street: text(2),
        task: text(3),
        due: instant(&r[4]).unwrap_or_default(),
        summoned_at: instant(&r[5]).unwrap_or_default(),
        reported_at: instant(&r[6]),
        done_at: instant(&r[7]),
        note: text(8),
    }
}

/// Whose parts to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartsOf<'a> {
    /// A case's, in the order summoned.
    Case(&'a str),
    /// A department's open parts, the nearest deadline first.
    OpenFor(&'a str),
    /// Every open part past its deadline at the instant, the oldest deadline first.
    OverdueAt(DateTime<Utc>),
}

impl Store {
    /// The parts listed by `of`, at most `limit`.
    pub fn hotline_parts(&mut self, of: PartsOf<'_>, limit: usize) -> Result<Vec<Part>> {
        let limit = limit.min(1000);
        let (cond, params) = match of {
            PartsOf::Case(id) => ("case_id = $1 ORDER BY summoned_at, department", vec![t(id)]),
            PartsOf::OpenFor(d) => (
                "department = $1 AND done_at IS NULL ORDER BY due, case_id",
                vec![t(d)],
            ),
            PartsOf::OverdueAt(now) => (
                "done_at IS NULL AND due < $1 ORDER BY due, case_id",
                vec![time(Some(now))],
            ),
        };
        let sql = format!("SELECT {COLUMNS} FROM hotline_summons WHERE {cond} LIMIT {limit}");
        Ok(self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(part_from)
            .collect())
    }

    /// Takes `step` on case `id`'s parts at `at` and records it as an event on the case (kind
    /// `summon`, `report` or `finish`; detail: the step). With an event id already recorded for
    /// the case, nothing changes and `Ok(None)` says so (the same step sent twice).
    pub fn hotline_part_step(
        &mut self,
        id: &str,
        step: &PartStep,
        at: DateTime<Utc>,
        actor: &str,
        event_id: Option<&str>,
    ) -> Result<Option<Part>> {
        self.tx(|s| {
            s.hotline_touched = true;
            if let Some(eid) = event_id {
                if let Some(kind) = s.case_event_kind(id, eid)? {
                    if kind != step.name() {
                        return Err(StoreError::Invalid(format!(
                            "event id `{eid}` of case {id} was recorded for a {kind} event, not {}",
                            step.name()
                        )));
                    }
                    return Ok(None);
                }
            }
            let stored = s
                .stored_cases(&[id])?
                .remove(id)
                .ok_or_else(|| StoreError::NotFound(format!("case `{id}`")))?;
            let parts = s.hotline_parts(PartsOf::Case(id), 1000)?;
            let part = apply_part(&stored.case, &parts, step, at)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            if matches!(step, PartStep::Summon { .. }) {
                s.conn.exec(
                    &format!("INSERT INTO hotline_summons ({COLUMNS}, summoned_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                    &[
                        t(&part.case_id),
                        t(&part.department),
                        t(&part.street),
                        t(&part.task),
                        time(Some(part.due)),
                        time(Some(part.summoned_at)),
                        time(part.reported_at),
                        time(part.done_at),
                        t(&part.note),
                        t(actor),
                    ],
                )?;
            } else {
                s.conn.exec(
                    "UPDATE hotline_summons SET reported_at = $1, done_at = $2, note = $3 WHERE case_id = $4 AND department = $5",
                    &[
                        time(part.reported_at),
                        time(part.done_at),
                        t(&part.note),
                        t(id),
                        t(&part.department),
                    ],
                )?;
            }
            let detail = serde_json::to_value(step).unwrap_or_default().to_string();
            s.append_case_event(id, t(&stored.month), step.name(), detail, at, actor, event_id)?;
            Ok(Some(part))
        })
    }
}
