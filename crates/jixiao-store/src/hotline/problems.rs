//! 每月一题: designated problems, kept as the domain's JSON with their month and category.

use super::rows::t;
use crate::{now, Result, Store, StoreError};
use jixiao_hotline::problem::Problem;

impl Store {
    /// Saves a designated problem (new, or changed: its actions marked done), audited. `create`
    /// refuses an id that exists, so designating twice cannot overwrite a problem.
    pub fn hotline_save_problem(&mut self, p: &Problem, actor: &str, create: bool) -> Result<()> {
        let body = serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.tx(|s| {
            let exists = !s
                .conn
                .query("SELECT 1 FROM hotline_problems WHERE id = $1", &[t(&p.id)])?
                .is_empty();
            let at = now();
            match (create, exists) {
                (true, true) => {
                    return Err(StoreError::Conflict(format!(
                        "{} is designated already: change that one",
                        p.id
                    )))
                }
                (false, false) => return Err(StoreError::NotFound(format!("problem {}", p.id))),
                (true, false) => s.conn.exec(
                    "INSERT INTO hotline_problems (id, month, category, body, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    &[t(&p.id), t(&p.month), t(&p.category), t(&body), t(actor), t(&at)],
                )?,
                (false, true) => s.conn.exec(
                    "UPDATE hotline_problems SET body = $2, updated_at = $3 WHERE id = $1",
                    &[t(&p.id), t(&body), t(&at)],
                )?,
            };
            s.audit_append(
                &at,
                actor,
                if create { "hotline.problem_designated" } else { "hotline.problem_changed" },
                &format!("hotline/problem/{}", p.id),
                None,
                Some(body.clone()),
            )?;
            Ok(())
        })
    }

    /// Every designated problem, newest month first.
    pub fn hotline_problems(&mut self) -> Result<Vec<Problem>> {
        self.conn
            .query(
                "SELECT body FROM hotline_problems ORDER BY month DESC, id",
                &[],
            )?
            .iter()
            .map(|r| {
                serde_json::from_str(r[0].as_text().unwrap_or_default())
                    .map_err(|e| StoreError::Invalid(format!("a stored problem: {e}")))
            })
            .collect()
    }

    pub fn hotline_problem(&mut self, id: &str) -> Result<Option<Problem>> {
        self.conn
            .query("SELECT body FROM hotline_problems WHERE id = $1", &[t(id)])?
            .first()
            .map(|r| {
                serde_json::from_str(r[0].as_text().unwrap_or_default())
                    .map_err(|e| StoreError::Invalid(format!("a stored problem: {e}")))
            })
            .transpose()
    }
}
