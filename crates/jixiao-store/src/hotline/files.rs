//! Files of a hotline case: a handler's photos (办理照片) and a street's evidence for leaving
//! the case out of its rates (佐证材料).

use crate::conn::Val;
use crate::evidence::NewFile;
use crate::{now, Result, Store, StoreError};
use serde::Serialize;

/// A case's file, without its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFile {
    pub id: String,
    pub case_id: String,
    /// photo or evidence.
    pub purpose: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

const COLUMNS: &str =
    "id, case_id, purpose, file_name, content_type, size, uploaded_by, uploaded_at";

fn file_from(r: &crate::conn::Row) -> Result<CaseFile> {
    Ok(CaseFile {
        id: r.text("id")?,
        case_id: r.text("case_id")?,
        purpose: r.text("purpose")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?.unwrap_or(0),
        uploaded_by: r.text("uploaded_by")?,
        uploaded_at: r.text("uploaded_at")?,
    })
}

impl Store {
    /// Keeps a file of case `case_id` (which must exist) with an audit entry; returns its id.
    pub fn hotline_add_case_file(
        &mut self,
        case_id: &str,
        purpose: &str,
        file: &NewFile<'_>,
        actor: &str,
    ) -> Result<String> {
        let at = now();
        let id = crate::audit::sha256_hex(
            &[
                case_id.as_bytes(),
                purpose.as_bytes(),
                at.as_bytes(),
                file.content,
            ]
            .concat(),
        )[..24]
            .to_string();
        self.tx(|s| {
            if s.hotline_case(case_id)?.is_none() {
                return Err(StoreError::NotFound(format!("case `{case_id}`")));
            }
            s.conn.exec(
                "INSERT INTO hotline_case_files (id, case_id, purpose, file_name, content_type, size, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    Val::text(&id),
                    Val::text(case_id),
                    Val::text(purpose),
                    Val::text(file.name),
                    Val::text(file.content_type),
                    Val::Int(Some(file.content.len() as i64)),
                    Val::Bytes(Some(file.content.to_vec())),
                    Val::text(actor),
                    Val::text(&at),
                ],
            )?;
            s.audit_append(
                &at,
                actor,
                "hotline.file",
                &format!("hotline/case/{case_id}/file/{id}"),
                None,
                Some(format!("{purpose}: {}", file.name)),
            )?;
            Ok(id.clone())
        })
    }

    /// The files of a case, oldest first.
    pub fn hotline_case_files(&mut self, case_id: &str) -> Result<Vec<CaseFile>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM hotline_case_files WHERE case_id = $1 ORDER BY uploaded_at, id"
        );
        self.conn
            .query(&sql, &[Val::text(case_id)])?
            .iter()
            .map(file_from)
            .collect()
    }

    /// One file with its content.
    pub fn hotline_case_file(&mut self, id: &str) -> Result<(CaseFile, Vec<u8>)> {
        let sql = format!("SELECT {COLUMNS}, content FROM hotline_case_files WHERE id = $1");
        let rows = self.conn.query(&sql, &[Val::text(id)])?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("file `{id}`")))?;
        let bytes = match &r[8] {
            Val::Bytes(Some(b)) => b.clone(),
            _ => Vec::new(),
        };
        Ok((file_from(r)?, bytes))
    }
}
