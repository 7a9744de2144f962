//! 督查督办: a cycle's supervision items and their progress reports. Every change is audited.

use crate::conn::{Row, Val};
use crate::{json, now, opt_t, t, Result, Store, StoreError};
use serde::Serialize;

/// A supervision item as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionItem {
    pub id: String,
    pub title: String,
    /// inspection, audit, instruction or key_task.
    pub source: String,
    /// Where it comes from in words: 市委第三巡视组反馈意见第5条, 审计报告…
    pub source_ref: String,
    pub unit_id: String,
    /// YYYY-MM-DD.
    pub deadline: String,
    pub evidence_required: String,
    /// open, closure_requested, closed or failed.
    pub status: String,
    pub closed_on: Option<String>,
    /// `CYCLE/ID` of the item this one continues.
    pub carried_from: Option<String>,
    pub created_by: String,
    pub updated_at: String,
}

/// A unit's progress report on an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressReport {
    pub seq: i64,
    pub at: String,
    pub by: String,
    /// Percent done, 0–100.
    pub progress: i64,
    pub body: String,
}

const COLUMNS: &str = "id, title, source, source_ref, unit_id, deadline, evidence_required, status, closed_on, carried_from, created_by, updated_at";

fn item_from(r: &Row) -> Result<SupervisionItem> {
    Ok(SupervisionItem {
        id: r.text("id")?,
        title: r.text("title")?,
        source: r.text("source")?,
        source_ref: r.text("source_ref")?,
        unit_id: r.text("unit_id")?,
        deadline: r.text("deadline")?,
        evidence_required: r.text("evidence_required")?,
        status: r.text("status")?,
        closed_on: r.opt_text("closed_on")?,
        carried_from: r.opt_text("carried_from")?,
        created_by: r.text("created_by")?,
        updated_at: r.text("updated_at")?,
    })
}

fn entity(cycle: &str, id: &str) -> String {
    format!("cycle/{cycle}/supervision/{id}")
}

impl Store {
    /// The cycle's items (one unit's with `unit`), by deadline.
    pub fn supervision_items(
        &mut self,
        cycle: &str,
        unit: Option<&str>,
    ) -> Result<Vec<SupervisionItem>> {
        let rows = match unit {
            Some(u) => self.conn.query(
                &format!("SELECT {COLUMNS} FROM supervision_items WHERE cycle_id = $1 AND unit_id = $2 ORDER BY deadline, id"),
                &[t(cycle), t(u)],
            )?,
            None => self.conn.query(
                &format!("SELECT {COLUMNS} FROM supervision_items WHERE cycle_id = $1 ORDER BY deadline, id"),
                &[t(cycle)],
            )?,
        };
        rows.iter().map(item_from).collect()
    }

    pub fn supervision_item(&mut self, cycle: &str, id: &str) -> Result<Option<SupervisionItem>> {
        self.conn
            .query(
                &format!("SELECT {COLUMNS} FROM supervision_items WHERE cycle_id = $1 AND id = $2"),
                &[t(cycle), t(id)],
            )?
            .first()
            .map(item_from)
            .transpose()
    }

    /// Adds an item; with an empty id it gets the next `DB001`-style number. An id the cycle has
    /// already is refused (409). Returns the id.
    pub fn add_supervision_item(
        &mut self,
        cycle: &str,
        item: &SupervisionItem,
        actor: &str,
    ) -> Result<String> {
        self.load_cycle(cycle)?;
        self.tx(|s| s.insert_supervision_item(cycle, item, actor))
    }

    /// The office's list of items (a file), in one transaction: an item is found by its id, or
    /// without one by its title and unit; new items are added, changed ones updated (their
    /// status and reports kept), identical ones change nothing.
    pub fn import_supervision(
        &mut self,
        cycle: &str,
        rows: &[SupervisionItem],
        actor: &str,
    ) -> Result<crate::ImportOutcome> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let mut out = crate::ImportOutcome::default();
            let existing = s.supervision_items(cycle, None)?;
            for row in rows {
                let found = existing.iter().find(|e| {
                    if row.id.is_empty() {
                        e.title == row.title && e.unit_id == row.unit_id
                    } else {
                        e.id == row.id
                    }
                });
                let Some(before) = found else {
                    s.insert_supervision_item(cycle, row, actor)?;
                    out.inserted += 1;
                    continue;
                };
                let same = before.title == row.title
                    && before.source == row.source
                    && before.source_ref == row.source_ref
                    && before.unit_id == row.unit_id
                    && before.deadline == row.deadline
                    && before.evidence_required == row.evidence_required;
                if same {
                    out.unchanged += 1;
                    continue;
                }
                let at = now();
                s.conn.exec(
                    "UPDATE supervision_items SET title = $3, source = $4, source_ref = $5, unit_id = $6, deadline = $7, evidence_required = $8, updated_at = $9 \
                     WHERE cycle_id = $1 AND id = $2",
                    &[
                        t(cycle),
                        t(&before.id),
                        t(&row.title),
                        t(&row.source),
                        t(&row.source_ref),
                        t(&row.unit_id),
                        t(&row.deadline),
                        t(&row.evidence_required),
                        t(&at),
                    ],
                )?;
                let after = SupervisionItem {
                    id: before.id.clone(),
                    status: before.status.clone(),
                    closed_on: before.closed_on.clone(),
                    carried_from: before.carried_from.clone(),
                    created_by: before.created_by.clone(),
                    updated_at: at.clone(),
                    ..row.clone()
                };
                s.audit_append(
                    &at,
                    actor,
                    "supervision.update",
                    &entity(cycle, &before.id),
                    Some(json(before)),
                    Some(json(&after)),
                )?;
                out.updated += 1;
            }
            Ok(out)
        })
    }

    /// [`Store::add_supervision_item`] inside an open transaction.
    fn insert_supervision_item(
        &mut self,
        cycle: &str,
        item: &SupervisionItem,
        actor: &str,
    ) -> Result<String> {
        let id = if item.id.is_empty() {
            let n = self.supervision_items(cycle, None)?.len() as i64;
            let mut k = n + 1;
            while self
                .supervision_item(cycle, &format!("DB{k:03}"))?
                .is_some()
            {
                k += 1;
            }
            format!("DB{k:03}")
        } else {
            item.id.clone()
        };
        if self.supervision_item(cycle, &id)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "cycle {cycle} has a supervision item `{id}` already"
            )));
        }
        let at = now();
        let stored = SupervisionItem {
            id: id.clone(),
            created_by: actor.to_string(),
            updated_at: at.clone(),
            ..item.clone()
        };
        self.conn.exec(
            &format!("INSERT INTO supervision_items (cycle_id, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
            &[
                t(cycle),
                t(&id),
                t(&stored.title),
                t(&stored.source),
                t(&stored.source_ref),
                t(&stored.unit_id),
                t(&stored.deadline),
                t(&stored.evidence_required),
                t(&stored.status),
                opt_t(stored.closed_on.as_deref()),
                opt_t(stored.carried_from.as_deref()),
                t(actor),
                t(&at),
            ],
        )?;
        self.audit_append(
            &at,
            actor,
            "supervision.add",
            &entity(cycle, &id),
            None,
            Some(json(&stored)),
        )?;
        Ok(id)
    }

    pub fn supervision_reports(&mut self, cycle: &str, id: &str) -> Result<Vec<ProgressReport>> {
        self.conn
            .query(
                "SELECT seq, at, by_user, progress, body FROM supervision_reports WHERE cycle_id = $1 AND item_id = $2 ORDER BY seq",
                &[t(cycle), t(id)],
            )?
            .iter()
            .map(|r| {
                Ok(ProgressReport {
                    seq: r.int("seq")?.unwrap_or_default(),
                    at: r.text("at")?,
                    by: r.text("by_user")?,
                    progress: r.int("progress")?.unwrap_or_default(),
                    body: r.text("body")?,
                })
            })
            .collect()
    }

    /// A progress report on a pending item; with `request_closure` the item waits for the
    /// office's decision. An item that is closed or failed takes no report (409).
    pub fn report_supervision(
        &mut self,
        cycle: &str,
        id: &str,
        progress: i64,
        body: &str,
        request_closure: bool,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            let item = s
                .supervision_item(cycle, id)?
                .ok_or_else(|| StoreError::NotFound(format!("supervision item `{id}`")))?;
            if !matches!(item.status.as_str(), "open" | "closure_requested") {
                return Err(StoreError::Conflict(format!(
                    "supervision item `{id}` is {}: it takes no more reports",
                    item.status
                )));
            }
            let seq = s.supervision_reports(cycle, id)?.len() as i64 + 1;
            let at = now();
            s.conn.exec(
                "INSERT INTO supervision_reports (cycle_id, item_id, seq, at, by_user, progress, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[t(cycle), t(id), Val::Int(Some(seq)), t(&at), t(actor), Val::Int(Some(progress)), t(body)],
            )?;
            let status = if request_closure {
                "closure_requested"
            } else {
                item.status.as_str()
            };
            s.conn.exec(
                "UPDATE supervision_items SET status = $3, updated_at = $4 WHERE cycle_id = $1 AND id = $2",
                &[t(cycle), t(id), t(status), t(&at)],
            )?;
            s.audit_append(
                &at,
                actor,
                "supervision.report",
                &entity(cycle, id),
                None,
                Some(format!(
                    "{{\"progress\":{progress},\"body\":{},\"status\":\"{status}\"}}",
                    json(&body)
                )),
            )
        })
    }

    /// The office's decision: `closed` (on `closed_on`), `failed`, or `open` again (a closure
    /// refused). The status must be one the decision applies to (409 otherwise).
    pub fn decide_supervision(
        &mut self,
        cycle: &str,
        id: &str,
        status: &str,
        closed_on: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            let item = s
                .supervision_item(cycle, id)?
                .ok_or_else(|| StoreError::NotFound(format!("supervision item `{id}`")))?;
            let allowed = match status {
                "closed" | "failed" => matches!(item.status.as_str(), "open" | "closure_requested"),
                "open" => item.status == "closure_requested",
                _ => false,
            };
            if !allowed {
                return Err(StoreError::Conflict(format!(
                    "supervision item `{id}` is {}: it cannot become {status}",
                    item.status
                )));
            }
            let at = now();
            s.conn.exec(
                "UPDATE supervision_items SET status = $3, closed_on = $4, updated_at = $5 WHERE cycle_id = $1 AND id = $2",
                &[t(cycle), t(id), t(status), opt_t(closed_on), t(&at)],
            )?;
            s.audit_append(
                &at,
                actor,
                "supervision.decide",
                &entity(cycle, id),
                Some(format!("{{\"status\":\"{}\"}}", item.status)),
                Some(format!("{{\"status\":\"{status}\"}}")),
            )
        })
    }
}
