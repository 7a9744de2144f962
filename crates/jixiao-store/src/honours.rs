//! The honours and external assessments register (荣誉和外部考核登记) of a cycle: entries kept
//! by the office (imported or entered, approved at once) or proposed by a unit with an evidence
//! file and decided by the office. Every change is audited.

use crate::conn::{Row, Val};
use crate::evidence::NewFile;
use crate::{audit, json, now, opt_t, t, ImportOutcome, Result, Store, StoreError};
use jixiao_core::records::Honour;
use serde::Serialize;

/// A register entry with its state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HonourEntry {
    pub id: String,
    pub honour: Honour,
    /// approved, pending or refused.
    pub status: String,
    pub proposed_by: String,
    pub decided_by: Option<String>,
    /// The evidence file's name, when one was filed.
    pub evidence_name: Option<String>,
}

/// An entry's id: its unit, name, period and scope (the same honour twice is one entry).
pub fn honour_id(h: &Honour) -> String {
    audit::short_hash(&format!(
        "{}|{}|{}|{}",
        h.unit,
        h.name,
        h.period,
        h.scope.as_deref().unwrap_or("")
    ))
}

const COLUMNS: &str =
    "id, unit_id, name, issuer, period, rank, scope, streak, note, status, proposed_by, decided_by, evidence_name";

fn entry_from(r: &Row) -> Result<HonourEntry> {
    let count = |name: &str| -> Result<Option<u32>> {
        Ok(r.int(name)?.and_then(|x| u32::try_from(x).ok()))
    };
    Ok(HonourEntry {
        id: r.text("id")?,
        honour: Honour {
            unit: r.text("unit_id")?,
            name: r.text("name")?,
            issuer: r.text("issuer")?,
            period: r.text("period")?,
            rank: count("rank")?,
            scope: r.opt_text("scope")?,
            streak: count("streak")?,
            note: r.text("note")?,
        },
        status: r.text("status")?,
        proposed_by: r.text("proposed_by")?,
        decided_by: r.opt_text("decided_by")?,
        evidence_name: r.opt_text("evidence_name")?,
    })
}

fn fields(h: &Honour) -> [Val; 8] {
    let count = |x: Option<u32>| Val::Int(x.map(i64::from));
    [
        t(&h.unit),
        t(&h.name),
        t(&h.issuer),
        t(&h.period),
        count(h.rank),
        opt_t(h.scope.as_deref()),
        count(h.streak),
        t(&h.note),
    ]
}

impl Store {
    /// The cycle's register, every state, by unit, name and period.
    pub fn honours(&mut self, cycle: &str) -> Result<Vec<HonourEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM honours WHERE cycle_id = $1 ORDER BY unit_id, name, period, scope"
        );
        self.conn
            .query(&sql, &[t(cycle)])?
            .iter()
            .map(entry_from)
            .collect()
    }

    /// The office's file of entries, approved as the office keeps them, in one transaction:
    /// new entries are added, changed ones updated (state and evidence kept), identical ones
    /// change nothing.
    pub fn import_honours(
        &mut self,
        cycle: &str,
        rows: &[Honour],
        actor: &str,
    ) -> Result<ImportOutcome> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let mut out = ImportOutcome::default();
            let at = now();
            for h in rows {
                let id = honour_id(h);
                let sql = format!("SELECT {COLUMNS} FROM honours WHERE cycle_id = $1 AND id = $2");
                let before = s
                    .conn
                    .query(&sql, &[t(cycle), t(&id)])?
                    .first()
                    .map(entry_from)
                    .transpose()?;
                match &before {
                    Some(b) if b.honour == *h && b.status == "approved" => {
                        out.unchanged += 1;
                        continue;
                    }
                    Some(_) => out.updated += 1,
                    None => out.inserted += 1,
                }
                let mut params = vec![t(cycle), t(&id)];
                params.extend(fields(h));
                params.extend([t(actor), t(&at)]);
                s.conn.exec(
                    "INSERT INTO honours (cycle_id, id, unit_id, name, issuer, period, rank, scope, streak, note, status, proposed_by, decided_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'approved', $11, $11, $12) \
                     ON CONFLICT (cycle_id, id) DO UPDATE SET issuer = excluded.issuer, rank = excluded.rank, streak = excluded.streak, \
                     note = excluded.note, status = 'approved', decided_by = excluded.decided_by, updated_at = excluded.updated_at",
                    &params,
                )?;
                s.audit_append(
                    &at,
                    actor,
                    "honour.import",
                    &format!("cycle/{cycle}/honours/{id}"),
                    before.map(|b| json(&b.honour)),
                    Some(json(h)),
                )?;
            }
            Ok(out)
        })
    }

    /// Adds one entry with its evidence file: approved at once when the office enters it
    /// (`approved`), pending when a unit proposes it. An entry with the same unit, name, period
    /// and scope is refused (409). Returns the id.
    pub fn add_honour(
        &mut self,
        cycle: &str,
        h: &Honour,
        approved: bool,
        evidence: Option<NewFile<'_>>,
        actor: &str,
    ) -> Result<String> {
        self.load_cycle(cycle)?;
        let id = honour_id(h);
        self.tx(|s| {
            let exists = s.conn.query(
                "SELECT 1 FROM honours WHERE cycle_id = $1 AND id = $2",
                &[t(cycle), t(&id)],
            )?;
            if !exists.is_empty() {
                return Err(StoreError::Conflict(
                    "the register has this honour already (same unit, name, period and scope)"
                        .into(),
                ));
            }
            let at = now();
            let mut params = vec![t(cycle), t(&id)];
            params.extend(fields(h));
            params.extend([
                t(if approved { "approved" } else { "pending" }),
                t(actor),
                opt_t(approved.then_some(actor)),
                opt_t(evidence.as_ref().map(|f| f.name)),
                opt_t(evidence.as_ref().map(|f| f.content_type)),
                Val::Bytes(evidence.as_ref().map(|f| f.content.to_vec())),
                t(&at),
            ]);
            s.conn.exec(
                "INSERT INTO honours (cycle_id, id, unit_id, name, issuer, period, rank, scope, streak, note, status, proposed_by, decided_by, evidence_name, evidence_type, evidence, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
                &params,
            )?;
            s.audit_append(
                &at,
                actor,
                if approved { "honour.add" } else { "honour.propose" },
                &format!("cycle/{cycle}/honours/{id}"),
                None,
                Some(json(h)),
            )?;
            Ok(id.clone())
        })
    }

    /// The office approves or refuses a pending entry.
    pub fn decide_honour(
        &mut self,
        cycle: &str,
        id: &str,
        approve: bool,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            let n = s.conn.exec(
                "UPDATE honours SET status = $3, decided_by = $4, updated_at = $5 WHERE cycle_id = $1 AND id = $2 AND status = 'pending'",
                &[t(cycle), t(id), t(if approve { "approved" } else { "refused" }), t(actor), t(&now())],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("pending honour `{id}`")));
            }
            s.audit_append(
                &now(),
                actor,
                if approve { "honour.approve" } else { "honour.refuse" },
                &format!("cycle/{cycle}/honours/{id}"),
                None,
                None,
            )
        })
    }

    /// An entry's evidence file: (unit, name, content type, content).
    pub fn honour_evidence(
        &mut self,
        cycle: &str,
        id: &str,
    ) -> Result<(String, String, String, Vec<u8>)> {
        let rows = self.conn.query(
            "SELECT unit_id, evidence_name, evidence_type, evidence FROM honours WHERE cycle_id = $1 AND id = $2 AND evidence IS NOT NULL",
            &[t(cycle), t(id)],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("evidence of honour `{id}`")))?;
        let bytes = match &r[3] {
            Val::Bytes(Some(b)) => b.clone(),
            _ => Vec::new(),
        };
        Ok((
            r.text("unit_id")?,
            r.text("evidence_name")?,
            r.text("evidence_type")?,
            bytes,
        ))
    }
}
