//! What reports need besides values: the narrative paragraphs units write for their
//! self-assessment report, and whether a cycle's results are published.

use crate::conn::Val;
use crate::{now, Change, Result, Store, StoreError};

/// One narrative section of a unit's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrative {
    pub unit: String,
    pub section: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// When and by whom a cycle was published.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub published_by: String,
    pub published_at: String,
}

fn t(s: &str) -> Val {
    Val::text(s)
}

impl Store {
    /// Every narrative of the cycle.
    pub fn narratives(&mut self, cycle: &str) -> Result<Vec<Narrative>> {
        let rows = self.conn.query(
            "SELECT unit_id, section, body, updated_by, updated_at FROM narratives WHERE cycle_id = $1 ORDER BY unit_id, section",
            &[t(cycle)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Narrative {
                    unit: r.text("unit_id")?,
                    section: r.text("section")?,
                    body: r.text("body")?,
                    updated_by: r.text("updated_by")?,
                    updated_at: r.text("updated_at")?,
                })
            })
            .collect()
    }

    /// Saves a section (an empty body removes it); the same text twice changes nothing.
    pub fn save_narrative(
        &mut self,
        cycle: &str,
        unit: &str,
        section: &str,
        body: &str,
        actor: &str,
    ) -> Result<Change> {
        let fw = self.load_cycle(cycle)?;
        if fw.unit_index(unit).is_none() {
            return Err(StoreError::NotFound(format!(
                "unit `{unit}` in cycle {cycle}"
            )));
        }
        self.tx(|s| {
            let old = s.conn.query(
                "SELECT body FROM narratives WHERE cycle_id = $1 AND unit_id = $2 AND section = $3",
                &[t(cycle), t(unit), t(section)],
            )?;
            let old = old.first().and_then(|r| r[0].as_text().map(str::to_string));
            let body = body.trim();
            if old.as_deref().unwrap_or("") == body {
                return Ok(Change::Unchanged);
            }
            s.conn.exec(
                "DELETE FROM narratives WHERE cycle_id = $1 AND unit_id = $2 AND section = $3",
                &[t(cycle), t(unit), t(section)],
            )?;
            if !body.is_empty() {
                s.conn.exec(
                    "INSERT INTO narratives (cycle_id, unit_id, section, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[t(cycle), t(unit), t(section), t(body), t(actor), t(&now())],
                )?;
            }
            let created = old.is_none();
            s.audit_append(
                &now(),
                actor,
                "narrative.save",
                &format!("cycle/{cycle}/unit/{unit}/narrative/{section}"),
                old.as_ref().map(|o| serde_json::Value::String(o.clone()).to_string()),
                Some(serde_json::Value::String(body.to_string()).to_string()),
            )?;
            Ok(if created { Change::Created } else { Change::Updated })
        })
    }

    pub fn publication(&mut self, cycle: &str) -> Result<Option<Publication>> {
        let rows = self.conn.query(
            "SELECT published_by, published_at FROM publications WHERE cycle_id = $1",
            &[t(cycle)],
        )?;
        rows.first()
            .map(|r| {
                Ok(Publication {
                    published_by: r.text("published_by")?,
                    published_at: r.text("published_at")?,
                })
            })
            .transpose()
    }

    /// Publishes (or, with `publish = false`, withdraws) the cycle's results.
    pub fn set_published(&mut self, cycle: &str, publish: bool, actor: &str) -> Result<Change> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let was = !s
                .conn
                .query("SELECT 1 FROM publications WHERE cycle_id = $1", &[t(cycle)])?
                .is_empty();
            if was == publish {
                return Ok(Change::Unchanged);
            }
            if publish {
                s.conn.exec(
                    "INSERT INTO publications (cycle_id, published_by, published_at) VALUES ($1, $2, $3)",
                    &[t(cycle), t(actor), t(&now())],
                )?;
            } else {
                s.conn
                    .exec("DELETE FROM publications WHERE cycle_id = $1", &[t(cycle)])?;
            }
            s.audit_append(
                &now(),
                actor,
                if publish { "cycle.publish" } else { "cycle.withdraw" },
                &format!("cycle/{cycle}"),
                None,
                None,
            )?;
            Ok(Change::Updated)
        })
    }
}
