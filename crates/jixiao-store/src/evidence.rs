//! Evidence files (佐证材料) attached to a value. Which types and sizes are accepted is decided
//! by the caller; the store keeps the bytes and who uploaded them.

use crate::conn::{Row, Val};
use crate::{now, Result, Store, StoreError, ValueKey};
use jixiao_core::records::ValueRow;
use jixiao_core::workflow::ValueState;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceInfo {
    pub id: String,
    pub task: String,
    pub unit: String,
    pub period: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

fn info_from(r: &Row) -> Result<EvidenceInfo> {
    Ok(EvidenceInfo {
        id: r.text("id")?,
        task: r.text("task_id")?,
        unit: r.text("unit_id")?,
        period: r.text("period_id")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?.unwrap_or(0),
        uploaded_by: r.text("uploaded_by")?,
        uploaded_at: r.text("uploaded_at")?,
    })
}

const INFO: &str =
    "id, task_id, unit_id, period_id, file_name, content_type, size, uploaded_by, uploaded_at";

/// A file to keep: its name, content type (checked by the caller) and bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
}

/// A file of a bonus application, without its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerFileInfo {
    pub id: String,
    pub entry: String,
    pub unit: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: String,
}

fn ledger_file_from(r: &Row) -> Result<LedgerFileInfo> {
    Ok(LedgerFileInfo {
        id: r.text("id")?,
        entry: r.text("entry_id")?,
        unit: r.text("unit_id")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?.unwrap_or(0),
        uploaded_at: r.text("uploaded_at")?,
    })
}

const LEDGER_INFO: &str = "id, entry_id, unit_id, file_name, content_type, size, uploaded_at";

impl Store {
    /// Keeps a file of a ledger entry inside the caller's transaction, audited.
    pub(crate) fn insert_ledger_evidence(
        &mut self,
        cycle: &str,
        entry: &str,
        unit: &str,
        file: &NewFile<'_>,
        actor: &str,
    ) -> Result<String> {
        let id =
            crate::audit::sha256_hex(&[cycle.as_bytes(), entry.as_bytes(), file.content].concat())
                [..24]
                .to_string();
        let at = now();
        self.conn.exec(
            "INSERT INTO ledger_evidence (id, cycle_id, entry_id, unit_id, file_name, content_type, size, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                Val::text(&id),
                Val::text(cycle),
                Val::text(entry),
                Val::text(unit),
                Val::text(file.name),
                Val::text(file.content_type),
                Val::Int(Some(file.content.len() as i64)),
                Val::Bytes(Some(file.content.to_vec())),
                Val::text(actor),
                Val::text(&at),
            ],
        )?;
        let entity = format!("cycle/{cycle}/ledger/{entry}/evidence/{id}");
        self.audit_append(
            &at,
            actor,
            "evidence.add",
            &entity,
            None,
            Some(
                serde_json::json!({ "file_name": file.name, "size": file.content.len() })
                    .to_string(),
            ),
        )?;
        Ok(id)
    }

    /// The files of a cycle's ledger entries.
    pub fn ledger_files(&mut self, cycle: &str) -> Result<Vec<LedgerFileInfo>> {
        let rows = self.conn.query(
            &format!("SELECT {LEDGER_INFO} FROM ledger_evidence WHERE cycle_id = $1 ORDER BY entry_id, uploaded_at"),
            &[Val::text(cycle)],
        )?;
        rows.iter().map(ledger_file_from).collect()
    }

    /// A ledger entry's file with its content.
    pub fn ledger_file(&mut self, id: &str) -> Result<(LedgerFileInfo, Vec<u8>)> {
        let rows = self.conn.query(
            &format!("SELECT {LEDGER_INFO}, content FROM ledger_evidence WHERE id = $1"),
            &[Val::text(id)],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("file `{id}`")))?;
        let content = r.get("content")?.as_bytes().unwrap_or_default().to_vec();
        Ok((ledger_file_from(r)?, content))
    }

    /// Stores a file for a value; the same content for the same value is stored once.
    /// Keeps an evidence file of a value; the same file twice is kept once. A file added to an
    /// approved value sends the value back to review (submitted) in the same transaction: what
    /// was approved was judged without it. An approved value of a period past its deadline
    /// (not reopened) takes no new evidence. Answers the file's id and whether the value went
    /// back to review.
    #[allow(clippy::too_many_arguments)]
    pub fn add_evidence(
        &mut self,
        cycle: &str,
        key: &ValueKey,
        file_name: &str,
        content_type: &str,
        content: &[u8],
        actor: &str,
        today: chrono::NaiveDate,
    ) -> Result<(String, bool)> {
        let id = crate::audit::sha256_hex(
            &[
                cycle.as_bytes(),
                key.task.as_bytes(),
                key.unit.as_bytes(),
                key.period.as_bytes(),
                content,
            ]
            .concat(),
        )[..24]
            .to_string();
        self.tx(|s| {
            if !s.conn.query("SELECT 1 FROM evidence_files WHERE id = $1", &[Val::text(&id)])?.is_empty() {
                return Ok((id.clone(), false));
            }
            let at = now();
            let (before, lock) = s.value_and_lock(cycle, key, today)?;
            let mut resubmitted = false;
            if let Some(before) = before.filter(|b| b.row.state == ValueState::Approved) {
                if lock.is_locked() {
                    return Err(StoreError::Invalid(
                        "an approved value of a period past its deadline takes no new evidence; the office can reopen it".into(),
                    ));
                }
                let row = ValueRow {
                    state: ValueState::Submitted,
                    ..before.row.clone()
                };
                s.write_value(cycle, &row, before.reopened, actor, &at)?;
                let after = serde_json::json!({ "row": row, "comment": file_name });
                s.audit_append(
                    &at,
                    actor,
                    "value.resubmit",
                    &crate::value_entity(cycle, key),
                    Some(serde_json::to_string(&before.row).unwrap_or_default()),
                    Some(after.to_string()),
                )?;
                resubmitted = true;
            }
            s.conn.exec(
                "INSERT INTO evidence_files (id, cycle_id, task_id, unit_id, period_id, file_name, content_type, size, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    Val::text(&id),
                    Val::text(cycle),
                    Val::text(&key.task),
                    Val::text(&key.unit),
                    Val::text(&key.period),
                    Val::text(file_name),
                    Val::text(content_type),
                    Val::Int(Some(content.len() as i64)),
                    Val::Bytes(Some(content.to_vec())),
                    Val::text(actor),
                    Val::text(now()),
                ],
            )?;
            let entity = format!("cycle/{cycle}/value/{}/{}/{}/evidence/{id}", key.task, key.unit, key.period);
            s.audit_append(&at, actor, "evidence.add", &entity, None, Some(serde_json::json!({ "file_name": file_name, "size": content.len() }).to_string()))?;
            Ok((id.clone(), resubmitted))
        })
    }

    /// The files of one unit (and task, when given).
    pub fn evidence_list(
        &mut self,
        cycle: &str,
        unit: &str,
        task: Option<&str>,
    ) -> Result<Vec<EvidenceInfo>> {
        let rows = self.conn.query(
            &format!("SELECT {INFO} FROM evidence_files WHERE cycle_id = $1 AND unit_id = $2 AND ($3 = '' OR task_id = $3) ORDER BY period_id, uploaded_at"),
            &[Val::text(cycle), Val::text(unit), Val::text(task.unwrap_or(""))],
        )?;
        rows.iter().map(info_from).collect()
    }

    /// A file with its content.
    pub fn evidence(&mut self, id: &str) -> Result<(EvidenceInfo, Vec<u8>)> {
        let rows = self.conn.query(
            &format!("SELECT {INFO}, content FROM evidence_files WHERE id = $1"),
            &[Val::text(id)],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("evidence `{id}`")))?;
        let content = r.get("content")?.as_bytes().unwrap_or_default().to_vec();
        Ok((info_from(r)?, content))
    }
}
