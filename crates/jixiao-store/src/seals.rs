//! Row seals: the audit log checks the data, not only itself.
//!
//! Every audited row carries `seal = "SEQ:MAC"`: the sequence number of the audit entry that
//! last wrote it, and a MAC over the row's content and that number — HMAC-SHA-256 with the audit
//! key when one is configured (never stored in the database), plain SHA-256 otherwise. Writes
//! seal what they touch in the same transaction: [`Store::audit_append`] notes the rows its
//! entry names ([`rows_of`]) and the transaction seals them before it commits; bulk writes
//! (hotline imports) seal each row as they insert it.
//!
//! [`Store::verify_data`] then compares every audited table with the log: a row whose content
//! no longer matches its seal was changed outside jixiao; a row without a seal, or sealed by an
//! entry that is not in the log (or is about something else), was added or its entry removed;
//! an entry whose row is gone names the row. What it cannot see without a key: someone with
//! write access who recomputes a seal with the public algorithm. With the key, that is caught too,
//! as is a rewritten chain (entries carry an HMAC of their hash, `audit_log.mac`).

use crate::conn::Val;
use crate::{Result, Store};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

/// An audited table: its key columns and the columns a seal covers (key first).
pub(crate) struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [&'static str],
    /// How many of the last `columns` were added after rows had been sealed: a NULL in one of
    /// them is left out of the seal, so the seals written before the column existed still hold
    /// (a value there is sealed like any other).
    pub added_later: usize,
}

pub(crate) const TABLES: [Table; 11] = [
    Table {
        name: "cycles",
        key: &["id"],
        columns: &[
            "id",
            "name",
            "framework",
            "source",
            "updated_at",
            "organisation",
        ],
        added_later: 1,
    },
    Table {
        name: "cycle_settings",
        key: &["cycle_id", "key"],
        columns: &["cycle_id", "key", "value", "updated_by", "updated_at"],
        added_later: 0,
    },
    Table {
        name: "task_values",
        key: &["cycle_id", "task_id", "unit_id", "period_id"],
        columns: &[
            "cycle_id",
            "task_id",
            "unit_id",
            "period_id",
            "number",
            "grade",
            "note",
            "source",
            "evidence",
            "state",
            "reopened",
            "updated_by",
            "updated_at",
        ],
        added_later: 0,
    },
    Table {
        name: "ledger_entries",
        key: &["cycle_id", "id"],
        columns: &[
            "cycle_id",
            "id",
            "unit_id",
            "kind",
            "points",
            "reason",
            "approver",
            "entry_date",
            "status",
            "proposed_by",
        ],
        added_later: 0,
    },
    Table {
        name: "narratives",
        key: &["cycle_id", "unit_id", "section"],
        columns: &[
            "cycle_id",
            "unit_id",
            "section",
            "body",
            "updated_by",
            "updated_at",
        ],
        added_later: 0,
    },
    Table {
        name: "users",
        key: &["id"],
        columns: &[
            "id",
            "display_name",
            "password_hash",
            "role",
            "unit_id",
            "evaluator_id",
            "active",
            "created_at",
            "email",
            "organisation",
        ],
        added_later: 1,
    },
    Table {
        name: "publications",
        key: &["cycle_id"],
        columns: &["cycle_id", "published_by", "published_at"],
        added_later: 0,
    },
    Table {
        name: "publication_versions",
        key: &["cycle_id", "period", "version"],
        columns: &[
            "cycle_id",
            "period",
            "version",
            "published_at",
            "published_by",
            "reason",
            "sha256",
            "audit_seq",
            "audit_hash",
            "bundle",
        ],
        added_later: 0,
    },
    Table {
        name: "honours",
        key: &["cycle_id", "id"],
        // The evidence file is covered by its name; its bytes are not sealed.
        columns: &[
            "cycle_id",
            "id",
            "unit_id",
            "name",
            "issuer",
            "period",
            "rank",
            "scope",
            "streak",
            "note",
            "status",
            "proposed_by",
            "decided_by",
            "evidence_name",
            "updated_at",
        ],
        added_later: 0,
    },
    Table {
        name: "hotline_cases",
        key: &["id"],
        columns: crate::hotline::SEALED_CASE_COLUMNS,
        added_later: 1,
    },
    Table {
        name: "hotline_events",
        key: &["case_id", "seq"],
        columns: &["case_id", "seq", "at", "kind", "actor", "detail"],
        added_later: 0,
    },
];

pub(crate) fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .expect("a sealed table")
}

static AUDIT_KEY: OnceLock<Option<Vec<u8>>> = OnceLock::new();

/// Sets the audit key for this process (the configuration's `audit_key`, or
/// `JIXIAO_AUDIT_KEY`), once, before any store writes; `false` if it was set before.
pub fn set_audit_key(key: Option<&str>) -> bool {
    AUDIT_KEY
        .set(key.filter(|k| !k.is_empty()).map(|k| k.as_bytes().to_vec()))
        .is_ok()
}

pub(crate) fn audit_key() -> Option<&'static [u8]> {
    AUDIT_KEY.get().and_then(|k| k.as_deref())
}

/// Whether this process has an audit key.
pub fn keyed() -> bool {
    audit_key().is_some()
}

/// HMAC-SHA-256 (RFC 2104).
pub(crate) fn hmac(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    crate::audit::hex(&outer.finalize())
}

/// The bytes a seal covers: the table, each value tagged and length-prefixed (a whole number
/// the same whether it comes back as an integer or a float, a null the same whatever its
/// type), and the entry's sequence number.
fn canonical(table: &str, values: &[Val], seq: i64) -> Vec<u8> {
    let later = TABLES
        .iter()
        .find(|t| t.name == table)
        .map_or(0, |t| t.added_later);
    let first_later = values.len().saturating_sub(later);
    let mut out = Vec::with_capacity(256);
    let mut put = |tag: u8, bytes: &[u8]| {
        out.push(tag);
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    put(b't', table.as_bytes());
    for (i, v) in values.iter().enumerate() {
        if i >= first_later && v.is_null() {
            continue;
        }
        match v {
            Val::Int(None) | Val::Real(None) | Val::Text(None) | Val::Bytes(None) => put(b'0', b""),
            Val::Int(Some(i)) => put(b'n', itoa::Buffer::new().format(*i).as_bytes()),
            Val::Real(Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                put(b'n', (*x as i64).to_string().as_bytes())
            }
            Val::Real(Some(x)) => put(b'n', format!("{x:?}").as_bytes()),
            Val::Text(Some(s)) => put(b's', s.as_bytes()),
            Val::Bytes(Some(b)) => put(b'b', b),
        }
    }
    put(b'q', seq.to_string().as_bytes());
    out
}

/// The seal of a row (`values` in [`Table::columns`] order) written by entry `seq`.
pub(crate) fn seal(table: &str, values: &[Val], seq: i64) -> String {
    let bytes = canonical(table, values, seq);
    let mac = match audit_key() {
        Some(key) => format!("k{}", hmac(key, &bytes)),
        None => crate::audit::sha256_hex(&bytes),
    };
    format!("{seq}:{mac}")
}

/// The rows an audit entry writes, from its action and entity (the one place that knows how
/// entities name rows). Bulk entries (a hotline import, erasing contacts) name no row: those
/// writes seal their rows themselves.
pub(crate) fn rows_of(action: &str, entity: &str) -> Vec<(&'static str, Vec<Val>)> {
    let parts: Vec<&str> = entity.split('/').collect();
    let text = |s: &str| Val::text(s);
    let int = |s: &str| s.parse::<i64>().ok().map(|n| Val::Int(Some(n)));
    // Only actions that write the row: an event that merely mentions it (a reminder to a user,
    // a contact viewed) must not seal it again, or it would seal over an edit made outside.
    let (area, verb) = action.split_once('.').unwrap_or((action, ""));
    match (area, parts.as_slice()) {
        ("cycle", ["cycle", c]) if matches!(verb, "create" | "update") => {
            vec![("cycles", vec![text(c)])]
        }
        ("cycle", ["cycle", c] | ["cycle", c, "publication"])
            if matches!(verb, "publish" | "withdraw") =>
        {
            vec![("publications", vec![text(c)])]
        }
        ("cycle", ["cycle", c, "publication", n])
            if matches!(verb, "publish" | "publish_correction") =>
        {
            match int(n) {
                Some(n) => vec![
                    ("publication_versions", vec![text(c), text(""), n]),
                    ("publications", vec![text(c)]),
                ],
                None => Vec::new(),
            }
        }
        ("cycle", ["cycle", c, "publication", period, n])
            if matches!(verb, "publish" | "publish_correction") =>
        {
            match int(n) {
                Some(n) => vec![("publication_versions", vec![text(c), text(period), n])],
                None => Vec::new(),
            }
        }
        ("cycle", ["cycle", c, "setting", key]) if verb == "setting" => {
            vec![("cycle_settings", vec![text(c), text(key)])]
        }
        ("value", ["cycle", c, "value", task, unit, period]) => vec![(
            "task_values",
            vec![text(c), text(task), text(unit), text(period)],
        )],
        ("ledger", ["cycle", c, "ledger", id]) => vec![("ledger_entries", vec![text(c), text(id)])],
        ("honour", ["cycle", c, "honours", id]) => vec![("honours", vec![text(c), text(id)])],
        ("narrative", ["cycle", c, "unit", u, "narrative", section]) => {
            vec![("narratives", vec![text(c), text(u), text(section)])]
        }
        ("user", ["user", u]) if matches!(verb, "create" | "update" | "password") => {
            vec![("users", vec![text(u)])]
        }
        ("hotline", ["hotline", "case", id]) if verb != "contact_view" => {
            vec![("hotline_cases", vec![text(id)])]
        }
        _ => Vec::new(),
    }
}

fn where_key(t: &Table, first: usize) -> String {
    t.key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", i + first))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn key_text(key: &[Val]) -> String {
    key.iter()
        .map(|v| match v {
            Val::Int(Some(i)) => i.to_string(),
            Val::Text(Some(s)) => s.clone(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Called with a row's sealed columns and its seal.
type EachRow<'a> = dyn FnMut(&[Val], Option<&str>) -> Result<()> + 'a;

/// What `audit verify` found wrong with the data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataProblem {
    pub table: String,
    /// The row's key, `/`-joined.
    pub key: String,
    pub problem: String,
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.table, self.key, self.problem)
    }
}

impl Store {
    /// The data version of a cycle's scores (see the `cycle_versions` migration): `None` when
    /// the cycle was not written since versions were kept.
    /// A stored cycle's organisation and data version in one query (a read of a kept model
    /// needs both: who may see the cycle, and whether the kept model still holds); `None` when
    /// no such cycle is stored.
    pub fn cycle_with_version(
        &mut self,
        cycle: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>> {
        let rows = self.conn.query(
            "SELECT c.organisation, v.version FROM cycles c \
             LEFT JOIN cycle_versions v ON v.cycle_id = c.id WHERE c.id = $1",
            &[Val::text(cycle)],
        )?;
        Ok(rows.first().map(|r| {
            (
                r[0].as_text().map(str::to_string),
                r[1].as_text().map(str::to_string),
            )
        }))
    }

    pub fn cycle_version(&mut self, cycle: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query(
                "SELECT version FROM cycle_versions WHERE cycle_id = $1",
                &[Val::text(cycle)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// The version of data outside cycles (`scope`: `hotline`), `None` when never written
    /// since versions were kept (see the `data_versions` table).
    pub fn data_version(&mut self, scope: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query(
                "SELECT version FROM data_versions WHERE scope = $1",
                &[Val::text(scope)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// Gives `scope` a new version in the open transaction: unique across instances and
    /// histories (the time, this process and a counter, hashed with the last audit entry).
    pub(crate) fn set_data_version(&mut self, scope: &str) -> Result<()> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let version = crate::audit::sha256_hex(
            format!(
                "{nanos}|{}|{n}|{}",
                std::process::id(),
                self.last_audit_hash
            )
            .as_bytes(),
        );
        self.conn.exec(
            "INSERT INTO data_versions (scope, version) VALUES ($1, $2) \
             ON CONFLICT (scope) DO UPDATE SET version = excluded.version",
            &[Val::text(scope), Val::text(&version)],
        )?;
        Ok(())
    }

    /// Which database this store is on (file path, or server and schema), for caches kept
    /// across connections; `None` for an in-memory database.
    pub fn identity(&self) -> Option<String> {
        self.conn.identity()
    }

    /// Notes a row written by entry `seq`, to be sealed before the transaction commits.
    pub(crate) fn pend_seal(&mut self, table: &'static str, key: Vec<Val>, seq: i64) {
        self.pending_seals.push((table, key, seq));
    }

    /// Gives a cycle's scores a new data version (the last audit entry's hash) in the open
    /// transaction: for writes that change what scoring reads outside the sealed tables.
    pub(crate) fn bump_cycle_version(&mut self, cycle: &str) -> Result<()> {
        let version = self.last_audit_hash.clone();
        self.conn.exec(
            "INSERT INTO cycle_versions (cycle_id, version) VALUES ($1, $2) \
             ON CONFLICT (cycle_id) DO UPDATE SET version = excluded.version",
            &[Val::text(cycle), Val::text(&version)],
        )?;
        Ok(())
    }

    /// Seals the rows noted in this transaction (each with the last entry that wrote it); a row
    /// no longer there was deleted by that entry.
    pub(crate) fn apply_seals(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_seals);
        // Cycles whose scores this transaction changes get a new data version.
        let cycles: std::collections::BTreeSet<String> = pending
            .iter()
            .filter(|(t, _, _)| matches!(*t, "cycles" | "task_values" | "ledger_entries"))
            .filter_map(|(_, key, _)| key.first().and_then(|k| k.as_text()).map(str::to_string))
            .collect();
        for c in cycles {
            self.bump_cycle_version(&c)?;
        }
        let mut last: HashMap<(&'static str, String), (Vec<Val>, i64)> = HashMap::new();
        for (table, key, seq) in pending {
            last.insert((table, key_text(&key)), (key, seq));
        }
        for ((name, _), (key, seq)) in last {
            let t = table(name);
            let sql = format!(
                "SELECT {} FROM {} WHERE {}",
                t.columns.join(", "),
                t.name,
                where_key(t, 1)
            );
            let Some(row) = self.conn.query(&sql, &key)?.into_iter().next() else {
                continue;
            };
            let values: Vec<Val> = (0..t.columns.len()).map(|i| row[i].clone()).collect();
            self.write_seal(t, key, seal(t.name, &values, seq))?;
        }
        Ok(())
    }

    fn write_seal(&mut self, t: &Table, key: Vec<Val>, seal: String) -> Result<()> {
        let mut params = vec![Val::text(seal)];
        params.extend(key);
        self.conn.exec(
            &format!("UPDATE {} SET seal = $1 WHERE {}", t.name, where_key(t, 2)),
            &params,
        )?;
        Ok(())
    }

    /// Seals every row of every audited table with one `audit.seal` entry: for rows stored
    /// before seals existed (run by their migration).
    pub(crate) fn seal_everything(&mut self) -> Result<()> {
        let mut counts = Vec::new();
        for t in &TABLES {
            let n = self
                .conn
                .query(&format!("SELECT COUNT(*) FROM {}", t.name), &[])?
                .first()
                .and_then(|r| r[0].as_int())
                .unwrap_or(0);
            if n > 0 {
                counts.push(format!("{} {n}", t.name));
            }
        }
        if counts.is_empty() {
            return Ok(()); // a new database: nothing to seal
        }
        self.audit_append(
            &crate::now(),
            "system",
            "audit.seal",
            "audit/seal",
            None,
            Some(format!(
                "rows stored before seals, sealed: {}",
                counts.join(", ")
            )),
        )?;
        let seq = self.last_audit_seq;
        for t in &TABLES {
            let mut updates = Vec::new();
            self.each_row(t, &mut |values, _| {
                updates.push((values[..t.key.len()].to_vec(), seal(t.name, values, seq)));
                Ok(())
            })?;
            for (key, s) in updates {
                self.write_seal(t, key, s)?;
            }
        }
        Ok(())
    }

    /// Calls `f` with each row's sealed columns and its seal, a page at a time (hotline cases
    /// by their pack number, so millions of them are never in memory at once).
    fn each_row(&mut self, t: &Table, f: &mut EachRow) -> Result<()> {
        let cols = t.columns.join(", ");
        if t.name == "hotline_cases" {
            let mut after = -1i64;
            loop {
                let rows = self.conn.query(
                    &format!("SELECT {cols}, seal, seq FROM hotline_cases WHERE seq > $1 ORDER BY seq LIMIT 20000"),
                    &[Val::Int(Some(after))],
                )?;
                let Some(last) = rows.last() else { break };
                after = last[t.columns.len() + 1].as_int().unwrap_or(i64::MAX);
                for r in &rows {
                    let values: Vec<Val> = (0..t.columns.len()).map(|i| r[i].clone()).collect();
                    f(&values, r[t.columns.len()].as_text())?;
                }
            }
            // Cases without a pack place (none are expected) are read too.
            let rows = self.conn.query(
                &format!("SELECT {cols}, seal FROM hotline_cases WHERE seq IS NULL"),
                &[],
            )?;
            for r in &rows {
                let values: Vec<Val> = (0..t.columns.len()).map(|i| r[i].clone()).collect();
                f(&values, r[t.columns.len()].as_text())?;
            }
            return Ok(());
        }
        let rows = self
            .conn
            .query(&format!("SELECT {cols}, seal FROM {}", t.name), &[])?;
        for r in &rows {
            let values: Vec<Val> = (0..t.columns.len()).map(|i| r[i].clone()).collect();
            f(&values, r[t.columns.len()].as_text())?;
        }
        Ok(())
    }

    /// Compares every audited table with the log `entries` (all of them, in order): each
    /// problem names the table, the row and what is wrong.
    pub fn verify_data(
        &mut self,
        entries: &[crate::audit::AuditEntry],
    ) -> Result<Vec<DataProblem>> {
        let by_seq: HashMap<i64, &crate::audit::AuditEntry> =
            entries.iter().map(|e| (e.seq, e)).collect();
        // The last entry that wrote each named row.
        let mut written: BTreeMap<(&'static str, String), i64> = BTreeMap::new();
        for e in entries {
            for (t, key) in rows_of(&e.action, &e.entity) {
                written.insert((t, key_text(&key)), e.seq);
            }
        }
        let mut problems = Vec::new();
        let mut present: HashSet<(&'static str, String)> = HashSet::new();
        let keyed = audit_key().is_some();
        for t in &TABLES {
            let mut found = Vec::new();
            self.each_row(t, &mut |values, stored| {
                let key = key_text(&values[..t.key.len()]);
                let problem = match stored.and_then(|s| s.split_once(':')) {
                    None => Some("has no seal: it was written outside jixiao".to_string()),
                    Some((seq, mac)) => match seq.parse::<i64>().ok().and_then(|n| by_seq.get(&n).map(|e| (n, e))) {
                        None => Some(format!(
                            "is sealed by audit entry #{seq}, which is not in the log (entries were removed)"
                        )),
                        Some((n, e)) => {
                            let recomputed = seal(t.name, values, n);
                            let expected = recomputed.split_once(':').map(|x| x.1).unwrap_or("");
                            if mac.starts_with('k') && !keyed {
                                None // keyed seals need the key to be checked (reported once below)
                            } else if mac != expected {
                                Some(format!(
                                    "was changed outside jixiao after audit entry #{n} ({} by {})",
                                    e.action, e.actor
                                ))
                            } else if !about_row(e, t.name, &key) {
                                Some(format!(
                                    "carries the seal of audit entry #{n}, which is about {}, not this row",
                                    e.entity
                                ))
                            } else {
                                None
                            }
                        }
                    },
                };
                if let Some(p) = problem {
                    found.push(DataProblem {
                        table: t.name.into(),
                        key: key.clone(),
                        problem: p,
                    });
                }
                present.insert((t.name, key));
                Ok(())
            })?;
            problems.extend(found);
        }
        // Each entry found its row as the entry before left it: a row edited outside jixiao and
        // then written by jixiao again (sealing the edit over) still shows here.
        let mut left: HashMap<&str, (i64, serde_json::Value)> = HashMap::new();
        let as_state = |text: &str| {
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .map(|v| match v.get("row") {
                    Some(row) if v.get("comment").is_some() => row.clone(),
                    _ => v,
                })
        };
        for e in entries {
            if rows_of(&e.action, &e.entity).is_empty() {
                continue;
            }
            if let (Some(before), Some((seq, previous))) = (
                e.before.as_deref().and_then(as_state),
                left.get(e.entity.as_str()),
            ) {
                if &before != previous {
                    problems.push(DataProblem {
                        table: rows_of(&e.action, &e.entity)[0].0.into(),
                        key: e.entity.clone(),
                        problem: format!(
                            "audit entry #{} ({} by {}) found it different from how entry #{seq} left it: it was changed outside jixiao in between",
                            e.seq, e.action, e.actor
                        ),
                    });
                }
            }
            match e.after.as_deref().and_then(as_state) {
                Some(after) => {
                    left.insert(e.entity.as_str(), (e.seq, after));
                }
                None => {
                    left.remove(e.entity.as_str());
                }
            }
        }
        // Rows the log wrote last that are gone (and that jixiao does not delete that way).
        for ((t, key), seq) in &written {
            if present.contains(&(*t, key.clone())) {
                continue;
            }
            let e = by_seq[seq];
            let deleted = match *t {
                "narratives" => e.after.as_deref() == Some("\"\""),
                "publications" => e.action == "cycle.withdraw",
                "ledger_entries" => {
                    let cycle = key.split('/').next().unwrap_or("");
                    entries.iter().any(|x| {
                        x.seq > *seq
                            && x.action == "cycle.update"
                            && x.entity == format!("cycle/{cycle}")
                    })
                }
                _ => false,
            };
            if !deleted {
                problems.push(DataProblem {
                    table: (*t).into(),
                    key: key.clone(),
                    problem: format!(
                        "is gone: audit entry #{seq} ({} by {}) wrote it and nothing in jixiao removed it",
                        e.action, e.actor
                    ),
                });
            }
        }
        // Hotline cases are imported in bulk: the imports' counts say how many there must be.
        let imported: i64 = entries
            .iter()
            .filter(|e| e.action == "hotline.import")
            .filter_map(|e| e.after.as_deref()?.split(' ').next()?.parse::<i64>().ok())
            .sum();
        let cases = present
            .iter()
            .filter(|(t, _)| *t == "hotline_cases")
            .count() as i64;
        if cases < imported {
            problems.push(DataProblem {
                table: "hotline_cases".into(),
                key: String::new(),
                problem: format!(
                    "{} cases are gone: the imports in the log inserted {imported}, {cases} are stored",
                    imported - cases
                ),
            });
        }
        Ok(problems)
    }
}

/// Whether entry `e` may have sealed row `key` of `table`: it names the row, or it is a bulk
/// write of that table.
fn about_row(e: &crate::audit::AuditEntry, table: &str, key: &str) -> bool {
    if e.action == "audit.seal" {
        return true;
    }
    match table {
        "hotline_cases"
            if matches!(
                e.action.as_str(),
                "hotline.import" | "hotline.erase_contacts"
            ) =>
        {
            return true
        }
        "hotline_events" => {
            let case = key.rsplit_once('/').map_or(key, |x| x.0);
            return e.entity == format!("hotline/case/{case}");
        }
        _ => {}
    }
    rows_of(&e.action, &e.entity)
        .iter()
        .any(|(t, k)| *t == table && key_text(k) == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hmac(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than a block.
        assert_eq!(
            hmac(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_seal_changes_with_any_value_and_not_with_how_a_number_comes_back() {
        let row = [Val::text("2020"), Val::Real(Some(3.0)), Val::Text(None)];
        let same = [Val::text("2020"), Val::Int(Some(3)), Val::Int(None)];
        assert_eq!(seal("t", &row, 7), seal("t", &same, 7));
        assert_ne!(seal("t", &row, 7), seal("t", &row, 8));
        assert_ne!(
            seal("t", &row, 7),
            seal(
                "t",
                &[Val::text("2020"), Val::Real(Some(3.5)), Val::Text(None)],
                7
            )
        );
        assert_ne!(
            seal("t", &[Val::text("ab"), Val::text("c")], 1),
            seal("t", &[Val::text("a"), Val::text("bc")], 1)
        );
    }

    #[test]
    fn entities_name_their_rows() {
        assert_eq!(
            rows_of("value.submit", "cycle/2020/value/A01-1/dongcheng/Q4")[0].0,
            "task_values"
        );
        assert_eq!(rows_of("cycle.create", "cycle/2020")[0].0, "cycles");
        assert_eq!(rows_of("cycle.withdraw", "cycle/2020")[0].0, "publications");
        assert_eq!(
            rows_of("cycle.publish", "cycle/2020/publication/2").len(),
            2
        );
        assert!(rows_of("api_token.create", "user/a/api_token/x").is_empty());
        assert!(rows_of("hotline.import", "hotline/import/x").is_empty());
        assert!(
            rows_of("reminder.sent", "user/dongcheng").is_empty(),
            "a reminder does not write the account"
        );
        assert!(rows_of("hotline.contact_view", "hotline/case/1").is_empty());
    }
}
