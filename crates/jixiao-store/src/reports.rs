//! What reports need besides values: the narrative paragraphs units write for their
//! self-assessment report, whether a cycle's results are published, and the frozen versions
//! of each publication.

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

    /// The head of the audit log: (sequence, hash) of its last entry; (0, the genesis hash) for
    /// an empty log.
    pub fn audit_head(&mut self) -> Result<(i64, String)> {
        let last = self.conn.query(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        Ok(match last.first() {
            Some(r) => (
                r[0].as_int().unwrap_or(0),
                r[1].as_text().unwrap_or_default().to_string(),
            ),
            None => (0, crate::audit::GENESIS.to_string()),
        })
    }

    /// Publishes a new version of a cycle, or marks the cycle published again. Inside one
    /// transaction (so nothing written meanwhile is half in the snapshot): `make` is given the
    /// store and the version it would be, and returns the version's bundle and SHA-256, or
    /// `None` when nothing changed since the newest version. Either way the cycle is published
    /// afterwards. Returns the newest version.
    pub fn publish_version(
        &mut self,
        cycle: &str,
        period: &str,
        actor: &str,
        reason: Option<&str>,
        make: &mut MakeVersion,
    ) -> Result<(PublicationVersion, Change)> {
        self.load_cycle(cycle)?;
        let year = period.is_empty();
        self.tx(|s| {
            let newest = s.publication_versions(cycle, period)?.pop();
            let (audit_seq, audit_hash) = s.audit_head()?;
            let at = now();
            let next = PublicationVersion {
                cycle: cycle.to_string(),
                period: period.to_string(),
                version: newest.as_ref().map_or(1, |v| v.version + 1),
                published_at: at.clone(),
                published_by: actor.to_string(),
                reason: reason.map(str::to_string),
                sha256: String::new(),
                audit_seq,
                audit_hash,
            };
            // A period's ranking is public once published; the year's has the cycle's flag.
            let was_published = !year
                || !s
                    .conn
                    .query("SELECT 1 FROM publications WHERE cycle_id = $1", &[t(cycle)])?
                    .is_empty();
            let made = make(s, &next)?;
            let (version, change) = match (made, newest) {
                (Some((bundle, sha256)), _) => {
                    let v = PublicationVersion { sha256, ..next };
                    s.conn.exec(
                        "INSERT INTO publication_versions (cycle_id, period, version, published_at, published_by, reason, sha256, audit_seq, audit_hash, bundle) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        &[t(cycle), t(period), Val::Int(Some(v.version)), t(&v.published_at), t(actor), Val::Text(v.reason.clone()), t(&v.sha256), Val::Int(Some(v.audit_seq)), t(&v.audit_hash), t(&bundle)],
                    )?;
                    s.audit_append(
                        &at,
                        actor,
                        if v.version == 1 { "cycle.publish" } else { "cycle.publish_correction" },
                        &publication_entity(cycle, period, v.version),
                        None,
                        Some(
                            serde_json::json!({"version": v.version, "sha256": v.sha256, "reason": v.reason})
                                .to_string(),
                        ),
                    )?;
                    (v, Change::Created)
                }
                (None, Some(newest)) => {
                    if !was_published {
                        s.audit_append(&at, actor, "cycle.publish", &publication_entity(cycle, period, newest.version), None, None)?;
                    }
                    let change = if was_published { Change::Unchanged } else { Change::Updated };
                    (newest, change)
                }
                (None, None) => {
                    return Err(StoreError::Invalid(format!(
                        "cycle `{cycle}` has no publication to publish again"
                    )))
                }
            };
            if !was_published {
                s.conn.exec(
                    "INSERT INTO publications (cycle_id, published_by, published_at) VALUES ($1, $2, $3)",
                    &[t(cycle), t(actor), t(&at)],
                )?;
            }
            Ok((version, change))
        })
    }

    /// The versions of a cycle's publication (`period` "" for the year's), oldest first
    /// (without their bundles).
    pub fn publication_versions(
        &mut self,
        cycle: &str,
        period: &str,
    ) -> Result<Vec<PublicationVersion>> {
        let rows = self.conn.query(
            "SELECT version, published_at, published_by, reason, sha256, audit_seq, audit_hash FROM publication_versions WHERE cycle_id = $1 AND period = $2 ORDER BY version",
            &[t(cycle), t(period)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(PublicationVersion {
                    cycle: cycle.to_string(),
                    period: period.to_string(),
                    version: r[0].as_int().unwrap_or(0),
                    published_at: r.text("published_at")?,
                    published_by: r.text("published_by")?,
                    reason: r[3].as_text().map(str::to_string),
                    sha256: r.text("sha256")?,
                    audit_seq: r[5].as_int().unwrap_or(0),
                    audit_hash: r.text("audit_hash")?,
                })
            })
            .collect()
    }

    /// The periods of a cycle with a published ranking of their own, in publishing order.
    pub fn published_periods(&mut self, cycle: &str) -> Result<Vec<String>> {
        let rows = self.conn.query(
            "SELECT period, MIN(published_at) AS first FROM publication_versions WHERE cycle_id = $1 AND period <> '' GROUP BY period ORDER BY first",
            &[t(cycle)],
        )?;
        Ok(rows
            .iter()
            .filter_map(|r| r[0].as_text().map(str::to_string))
            .collect())
    }

    /// The bundle of one version, as stored.
    pub fn publication_bundle(
        &mut self,
        cycle: &str,
        period: &str,
        version: i64,
    ) -> Result<Option<String>> {
        let rows = self.conn.query(
            "SELECT bundle FROM publication_versions WHERE cycle_id = $1 AND period = $2 AND version = $3",
            &[t(cycle), t(period), Val::Int(Some(version))],
        )?;
        Ok(rows
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }
}

impl Store {
    /// A cycle's setting, if the office set it.
    pub fn cycle_setting(&mut self, cycle: &str, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query(
                "SELECT value FROM cycle_settings WHERE cycle_id = $1 AND key = $2",
                &[t(cycle), t(key)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// Sets a cycle's setting (audited).
    pub fn set_cycle_setting(
        &mut self,
        cycle: &str,
        key: &str,
        value: &str,
        actor: &str,
    ) -> Result<Change> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let before = s.cycle_setting(cycle, key)?;
            if before.as_deref() == Some(value) {
                return Ok(Change::Unchanged);
            }
            let at = now();
            s.conn.exec(
                "INSERT INTO cycle_settings (cycle_id, key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (cycle_id, key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[t(cycle), t(key), t(value), t(actor), t(&at)],
            )?;
            s.audit_append(&at, actor, "cycle.setting", &format!("cycle/{cycle}/setting/{key}"), before.map(|b| serde_json::Value::String(b).to_string()), Some(serde_json::Value::String(value.into()).to_string()))?;
            Ok(Change::Updated)
        })
    }
}

/// Builds a version's (bundle, SHA-256) inside the publishing transaction; `None` when nothing
/// changed since the newest version.
pub type MakeVersion<'a> =
    dyn FnMut(&mut Store, &PublicationVersion) -> Result<Option<(String, String)>> + 'a;

/// One frozen version of a cycle's publication (its bundle apart).
#[derive(Debug, Clone, PartialEq)]
pub struct PublicationVersion {
    pub cycle: String,
    /// "" for the year's results, or the period of a period ranking (季度排名).
    pub period: String,
    /// 1, 2, … ; each after the first is a correction.
    pub version: i64,
    pub published_at: String,
    pub published_by: String,
    /// Why the office corrected the previous version (更正原因).
    pub reason: Option<String>,
    /// SHA-256 of the canonical snapshot.
    pub sha256: String,
    /// The audit log's head when it was published.
    pub audit_seq: i64,
    pub audit_hash: String,
}

/// The audit entity of a publication version.
fn publication_entity(cycle: &str, period: &str, version: i64) -> String {
    if period.is_empty() {
        format!("cycle/{cycle}/publication/{version}")
    } else {
        format!("cycle/{cycle}/publication/{period}/{version}")
    }
}
