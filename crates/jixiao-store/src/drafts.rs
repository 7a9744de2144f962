//! Task-book drafts: the TOML the office edits in the browser, saved as it is (valid or not)
//! until it is issued as a cycle's version.

use crate::conn::{Row, Val};
use crate::{now, Result, Store, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskbookDraft {
    pub id: String,
    /// The organisation that owns the draft; `None`: the city's office.
    pub organisation: Option<String>,
    pub source: String,
    /// The cycle the draft was started from, if any.
    pub started_from: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub updated_at: String,
    /// When the draft was last issued as a cycle's version.
    pub issued_at: Option<String>,
}

fn draft_from(r: &Row) -> Result<TaskbookDraft> {
    Ok(TaskbookDraft {
        id: r.text("id")?,
        organisation: r.opt_text("organisation")?,
        source: r.text("source")?,
        started_from: r.opt_text("started_from")?,
        created_by: r.text("created_by")?,
        updated_by: r.text("updated_by")?,
        updated_at: r.text("updated_at")?,
        issued_at: r.opt_text("issued_at")?,
    })
}

const COLUMNS: &str =
    "id, organisation, source, started_from, created_by, updated_by, updated_at, issued_at";

impl Store {
    /// Every draft, newest change first.
    pub fn taskbook_drafts(&mut self) -> Result<Vec<TaskbookDraft>> {
        let rows = self.conn.query(
            &format!("SELECT {COLUMNS} FROM taskbook_drafts ORDER BY updated_at DESC, id"),
            &[],
        )?;
        rows.iter().map(draft_from).collect()
    }

    pub fn taskbook_draft(&mut self, id: &str) -> Result<Option<TaskbookDraft>> {
        let rows = self.conn.query(
            &format!("SELECT {COLUMNS} FROM taskbook_drafts WHERE id = $1"),
            &[Val::text(id)],
        )?;
        rows.first().map(draft_from).transpose()
    }

    /// Starts a draft; an existing id is a conflict.
    pub fn create_taskbook_draft(
        &mut self,
        id: &str,
        organisation: Option<&str>,
        source: &str,
        started_from: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            if s.taskbook_draft(id)?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "a draft `{id}` exists already; open it instead"
                )));
            }
            let at = now();
            s.conn.exec(
                "INSERT INTO taskbook_drafts (id, organisation, source, started_from, created_by, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5, $6)",
                &[
                    Val::text(id),
                    Val::Text(organisation.map(str::to_string)),
                    Val::text(source),
                    Val::Text(started_from.map(str::to_string)),
                    Val::text(actor),
                    Val::text(&at),
                ],
            )?;
            s.audit_append(
                &at,
                actor,
                "taskbook_draft.create",
                &format!("taskbook_draft/{id}"),
                None,
                Some(serde_json::json!({ "started_from": started_from }).to_string()),
            )
        })
    }

    /// Saves a draft's text; the same text again changes nothing. The audit log records that
    /// the draft changed and its length, not every keystroke's text.
    pub fn save_taskbook_draft(&mut self, id: &str, source: &str, actor: &str) -> Result<bool> {
        self.tx(|s| {
            let before = s
                .taskbook_draft(id)?
                .ok_or_else(|| StoreError::NotFound(format!("draft `{id}`")))?;
            if before.source == source {
                return Ok(false);
            }
            let at = now();
            s.conn.exec(
                "UPDATE taskbook_drafts SET source = $2, updated_by = $3, updated_at = $4 WHERE id = $1",
                &[Val::text(id), Val::text(source), Val::text(actor), Val::text(&at)],
            )?;
            s.audit_append(
                &at,
                actor,
                "taskbook_draft.save",
                &format!("taskbook_draft/{id}"),
                Some(serde_json::json!({ "chars": before.source.chars().count() }).to_string()),
                Some(serde_json::json!({ "chars": source.chars().count() }).to_string()),
            )?;
            Ok(true)
        })
    }

    /// Marks a draft issued (in the transaction that stored its cycle).
    pub fn mark_taskbook_draft_issued(&mut self, id: &str) -> Result<()> {
        self.conn.exec(
            "UPDATE taskbook_drafts SET issued_at = $2 WHERE id = $1",
            &[Val::text(id), Val::text(now())],
        )?;
        Ok(())
    }

    pub fn delete_taskbook_draft(&mut self, id: &str, actor: &str) -> Result<()> {
        self.tx(|s| {
            if s.taskbook_draft(id)?.is_none() {
                return Err(StoreError::NotFound(format!("draft `{id}`")));
            }
            s.conn.exec(
                "DELETE FROM taskbook_drafts WHERE id = $1",
                &[Val::text(id)],
            )?;
            s.audit_append(
                &now(),
                actor,
                "taskbook_draft.delete",
                &format!("taskbook_draft/{id}"),
                None,
                None,
            )
        })
    }
}
