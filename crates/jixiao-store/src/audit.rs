//! The append-only audit log: every change with who, when, before and after, each entry
//! chained to the previous one by SHA-256 so that an edit made directly in the database shows.

use crate::conn::Val;
use crate::{Result, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// HMAC of `hash` with the audit key, for entries written with one.
    #[serde(skip)]
    pub mac: Option<String>,
}

/// Result of checking the chain and the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub entries: usize,
    /// The last entry: (sequence, hash).
    pub head: (i64, String),
    /// The first entry that does not match its hash or its predecessor, with the reason.
    pub first_broken: Option<(i64, String)>,
    /// Entries that carry a keyed mark (written with the audit key).
    pub keyed_entries: usize,
    /// Keyed marks could not be checked: this process has no audit key.
    pub keys_unchecked: bool,
    /// The first entry whose keyed mark is wrong or missing, with the reason.
    pub first_unkeyed: Option<(i64, String)>,
    /// Rows of the audited tables that do not agree with the log.
    pub data: Vec<crate::seals::DataProblem>,
}

impl AuditReport {
    /// Nothing found: the chain, its keyed marks and the data agree.
    pub fn intact(&self) -> bool {
        self.first_broken.is_none() && self.first_unkeyed.is_none() && self.data.is_empty()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// SHA-256 over the entry's fields, each length-prefixed so no two entries share an input.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let fields = [
        e.seq.to_string(),
        e.at.clone(),
        e.actor.clone(),
        e.action.clone(),
        e.entity.clone(),
        e.before.clone().unwrap_or_else(|| "\u{0}".into()),
        e.after.clone().unwrap_or_else(|| "\u{0}".into()),
        e.prev_hash.clone(),
    ];
    for f in &fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// 16 hex digits of SHA-256: a stable id derived from content.
pub fn short_hash(s: &str) -> String {
    sha256_hex(s.as_bytes())[..16].to_string()
}

impl Store {
    /// Appends an entry; must run inside a write transaction.
    pub(crate) fn audit_append(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        entity: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<()> {
        let last = self.conn.query(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev_hash) = match last.first() {
            Some(r) => (
                r[0].as_int().unwrap_or(0) + 1,
                r[1].as_text().unwrap_or(GENESIS).to_string(),
            ),
            None => (1, GENESIS.to_string()),
        };
        let mut e = AuditEntry {
            seq,
            at: at.into(),
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            before,
            after,
            prev_hash,
            hash: String::new(),
            mac: None,
        };
        e.hash = entry_hash(&e);
        // With an audit key, the entry carries an HMAC of its hash: a chain recomputed with the
        // public algorithm by someone without the key does not carry valid ones.
        let mac = crate::seals::audit_key().map(|k| crate::seals::hmac(k, e.hash.as_bytes()));
        for (table, key) in crate::seals::rows_of(&e.action, &e.entity) {
            self.pend_seal(table, key, e.seq);
        }
        self.last_audit_seq = e.seq;
        self.last_audit_hash = e.hash.clone();
        self.conn.exec(
            "INSERT INTO audit_log (seq, at, actor, action, entity, before, after, prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[Val::Int(Some(e.seq)), Val::text(e.at), Val::text(e.actor), Val::text(e.action), Val::text(e.entity), Val::Text(e.before), Val::Text(e.after), Val::text(e.prev_hash), Val::text(e.hash), Val::Text(mac)],
        )?;
        Ok(())
    }

    /// Audit entries in order, optionally only those whose entity starts with `prefix`.
    pub fn audit_entries(&mut self, prefix: Option<&str>) -> Result<Vec<AuditEntry>> {
        let rows = self.conn.query("SELECT seq, at, actor, action, entity, before, after, prev_hash, hash, mac FROM audit_log ORDER BY seq", &[])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let e = entry_from(r)?;
            if prefix.is_none_or(|p| e.entity.starts_with(p)) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// A page of the log: entries whose entity starts with `entity_prefix`, by `actor`, of
    /// `action` (each when given), with a sequence number above `after` and below `before`,
    /// oldest or newest first, at most `limit`. Filtered and cut by the database, so a page
    /// costs the same however long the log.
    #[allow(clippy::too_many_arguments)]
    pub fn audit_page(
        &mut self,
        entity_prefix: Option<&str>,
        actor: Option<&str>,
        action: Option<&str>,
        after: Option<i64>,
        before: Option<i64>,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let mut cond = Vec::new();
        let mut params = Vec::new();
        if let Some(p) = entity_prefix.filter(|p| !p.is_empty()) {
            params.push(Val::text(p));
            // substr, not LIKE: ids hold `_`, which LIKE reads as a wildcard.
            cond.push(format!(
                "substr(entity, 1, {}) = ${}",
                p.chars().count(),
                params.len()
            ));
        }
        if let Some(a) = actor.filter(|a| !a.is_empty()) {
            params.push(Val::text(a));
            cond.push(format!("actor = ${}", params.len()));
        }
        if let Some(a) = action.filter(|a| !a.is_empty()) {
            params.push(Val::text(a));
            cond.push(format!("action = ${}", params.len()));
        }
        if let Some(n) = after {
            params.push(Val::Int(Some(n)));
            cond.push(format!("seq > ${}", params.len()));
        }
        if let Some(n) = before {
            params.push(Val::Int(Some(n)));
            cond.push(format!("seq < ${}", params.len()));
        }
        let sql = format!(
            "SELECT seq, at, actor, action, entity, before, after, prev_hash, hash, mac FROM audit_log{} ORDER BY seq {} LIMIT {limit}",
            if cond.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", cond.join(" AND "))
            },
            if newest_first { "DESC" } else { "ASC" }
        );
        let rows = self.conn.query(&sql, &params)?;
        rows.iter().map(entry_from).collect()
    }

    /// The entries about exactly `entity` (a value's history), oldest first.
    pub fn audit_entries_of(&mut self, entity: &str) -> Result<Vec<AuditEntry>> {
        let rows = self.conn.query("SELECT seq, at, actor, action, entity, before, after, prev_hash, hash, mac FROM audit_log WHERE entity = $1 ORDER BY seq", &[Val::text(entity)])?;
        rows.iter().map(entry_from).collect()
    }

    /// Recomputes the chain and reports the first entry that was changed, removed or inserted;
    /// with the audit key, checks every entry's keyed mark; and compares every audited table
    /// with the log ([`Store::verify_data`]).
    pub fn verify_audit(&mut self) -> Result<AuditReport> {
        let entries = self.audit_entries(None)?;
        let mut prev = GENESIS.to_string();
        let mut first_broken = None;
        for (expected_seq, e) in (1..).zip(entries.iter()) {
            let broken = if e.seq != expected_seq {
                Some(format!(
                    "sequence jumps from {} to {}: an entry was removed or inserted",
                    expected_seq - 1,
                    e.seq
                ))
            } else if e.prev_hash != prev {
                Some("does not point at the entry before it".to_string())
            } else if entry_hash(e) != e.hash {
                Some("its content does not match its hash: it was edited".to_string())
            } else {
                None
            };
            if let Some(reason) = broken {
                first_broken = Some((e.seq, reason));
                break;
            }
            prev = e.hash.clone();
        }
        let key = crate::seals::audit_key();
        let keyed_entries = entries.iter().filter(|e| e.mac.is_some()).count();
        let mut first_unkeyed = None;
        if let Some(key) = key {
            let mut keyed_since = None;
            for e in &entries {
                let problem = match &e.mac {
                    Some(m) if *m != crate::seals::hmac(key, e.hash.as_bytes()) => Some(
                        "its keyed mark does not match: it was written or rewritten without the audit key"
                            .to_string(),
                    ),
                    Some(_) => {
                        keyed_since.get_or_insert(e.seq);
                        None
                    }
                    None => keyed_since.map(|since| {
                        format!("has no keyed mark although entries are keyed since #{since}: it was written without the audit key")
                    }),
                };
                if let Some(p) = problem {
                    first_unkeyed = Some((e.seq, p));
                    break;
                }
            }
        }
        let data = self.verify_data(&entries)?;
        Ok(AuditReport {
            entries: entries.len(),
            head: entries
                .last()
                .map_or((0, GENESIS.to_string()), |e| (e.seq, e.hash.clone())),
            first_broken,
            keyed_entries,
            keys_unchecked: key.is_none() && keyed_entries > 0,
            first_unkeyed,
            data,
        })
    }

    /// Whether the log still holds the head anchored earlier (`jixiao audit head`, a
    /// publication): `None` if so, else what is wrong (entries removed from the end, or
    /// rewritten).
    pub fn check_audit_head(&mut self, seq: i64, hash: &str) -> Result<Option<String>> {
        let (last, _) = self.audit_head()?;
        if last < seq {
            return Ok(Some(format!(
                "the log ends at entry #{last}, but its head was #{seq}: {} entries were removed from its end",
                seq - last
            )));
        }
        let found = self.conn.query(
            "SELECT hash FROM audit_log WHERE seq = $1",
            &[Val::Int(Some(seq))],
        )?;
        Ok(match found.first().and_then(|r| r[0].as_text()) {
            Some(h) if h == hash => None,
            Some(h) => Some(format!(
                "entry #{seq} has hash {}…, not the anchored {}…: the log was rewritten",
                &h[..h.len().min(12)],
                &hash[..hash.len().min(12)]
            )),
            None => Some(format!("entry #{seq} is missing")),
        })
    }

    /// Appends an audit entry inside a transaction the caller opened with
    /// [`Store::execute_raw`]; for tests that hold the write lock as another process would.
    #[doc(hidden)]
    pub fn record_event_in_open_transaction(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
    ) -> Result<()> {
        self.audit_append(&crate::now(), actor, action, entity, None, None)
    }

    /// How far `user` has read and been mailed notifications: (seen, mailed) audit sequence
    /// numbers, 0 when never.
    pub fn notice_marks(&mut self, user: &str) -> Result<(i64, i64)> {
        let rows = self.conn.query(
            "SELECT seen_seq, mailed_seq FROM notice_reads WHERE user_id = $1",
            &[Val::text(user)],
        )?;
        Ok(match rows.first() {
            Some(r) => (
                r.int("seen_seq")?.unwrap_or(0),
                r.int("mailed_seq")?.unwrap_or(0),
            ),
            None => (0, 0),
        })
    }

    /// Moves `user`'s seen (or mailed) mark forward to `seq`; never back.
    pub fn set_notice_mark(&mut self, user: &str, seq: i64, mailed: bool) -> Result<()> {
        let column = if mailed { "mailed_seq" } else { "seen_seq" };
        self.tx(|s| {
            s.conn.exec(
                "INSERT INTO notice_reads (user_id, seen_seq, mailed_seq) VALUES ($1, 0, 0) ON CONFLICT (user_id) DO NOTHING",
                &[Val::text(user)],
            )?;
            s.conn.exec(
                &format!("UPDATE notice_reads SET {column} = $2 WHERE user_id = $1 AND {column} < $2"),
                &[Val::text(user), Val::Int(Some(seq))],
            )?;
            Ok(())
        })
    }

    /// Runs raw SQL; for tests that tamper with the database as an intruder would.
    #[doc(hidden)]
    pub fn execute_raw(&mut self, sql: &str) -> Result<()> {
        self.conn.script(sql)
    }
}

impl Store {
    /// Records an event that changes no row (a period locking at its deadline, a reminder sent).
    pub fn record_event(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        detail: Option<String>,
    ) -> Result<()> {
        self.tx(|s| s.audit_append(&crate::now(), actor, action, entity, None, detail))
    }
}

/// A database's schema as both backends can be compared: tables with their columns and
/// normalised types (int, real, text, bytes), and the indexes created by migrations (not the
/// ones a database makes by itself for keys), each with its table and columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// table → (column → type), both sorted.
    pub tables: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// index name → (table, columns in order).
    pub indexes: std::collections::BTreeMap<String, (String, Vec<String>)>,
}

/// A declared column type as one of int, real, text, bytes (SQLite's affinity rules; the
/// PostgreSQL names jixiao uses).
fn normalised_type(declared: &str) -> String {
    let d = declared.to_ascii_lowercase();
    let kind = if d.contains("int") || d == "serial" || d == "bigserial" {
        "int"
    } else if d.contains("char") || d.contains("text") || d.contains("clob") {
        "text"
    } else if d.contains("real") || d.contains("floa") || d.contains("doub") {
        "real"
    } else if d.contains("blob") || d == "bytea" {
        "bytes"
    } else {
        d.as_str()
    };
    kind.to_string()
}

impl Store {
    /// The schema as migrations left it (see [`Schema`]).
    pub fn schema(&mut self) -> Result<Schema> {
        let mut out = Schema::default();
        if self.backend() == "sqlite" {
            let tables = self.conn.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                &[],
            )?;
            for t in &tables {
                let table = t.text("name")?;
                let columns = self
                    .conn
                    .query(&format!("PRAGMA table_info({table})"), &[])?;
                let entry = out.tables.entry(table.clone()).or_default();
                for c in &columns {
                    entry.insert(c.text("name")?, normalised_type(&c.text("type")?));
                }
            }
            let indexes = self.conn.query(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
                &[],
            )?;
            for i in &indexes {
                let name = i.text("name")?;
                let columns = self
                    .conn
                    .query(&format!("PRAGMA index_info({name})"), &[])?
                    .iter()
                    .map(|c| c.text("name"))
                    .collect::<Result<Vec<_>>>()?;
                out.indexes.insert(name, (i.text("tbl_name")?, columns));
            }
        } else {
            let columns = self.conn.query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name NOT IN (SELECT c.relname FROM pg_class c WHERE c.relispartition AND c.relnamespace = current_schema()::regnamespace) \
                 ORDER BY table_name, column_name",
                &[],
            )?;
            for c in &columns {
                out.tables.entry(c.text("table_name")?).or_default().insert(
                    c.text("column_name")?,
                    normalised_type(&c.text("data_type")?),
                );
            }
            // Indexes made by CREATE INDEX, not the ones behind primary keys and UNIQUE
            // constraints. Month partitions are their table's, not tables of their own.
            let indexes = self.conn.query(
                "SELECT i.indexname::text AS indexname, i.tablename::text AS tablename, i.indexdef AS indexdef FROM pg_indexes i \
                 WHERE i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
                 AND i.tablename NOT IN (SELECT c.relname FROM pg_class c WHERE c.relispartition AND c.relnamespace = current_schema()::regnamespace) \
                 ORDER BY i.indexname",
                &[],
            )?;
            for i in &indexes {
                // `CREATE INDEX n ON t USING btree (a, b) [WHERE (…)]`: the columns are the
                // group after USING, not a partial index's condition.
                let def = i.text("indexdef")?;
                let inside = def
                    .split_once(" USING ")
                    .and_then(|(_, rest)| rest.split_once('('))
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map(|(cols, _)| cols)
                    .unwrap_or("");
                let columns = inside
                    .split(',')
                    .map(|c| {
                        c.split_whitespace()
                            .next()
                            .unwrap_or("")
                            .trim_matches('"')
                            .to_string()
                    })
                    .collect();
                out.indexes
                    .insert(i.text("indexname")?, (i.text("tablename")?, columns));
            }
        }
        Ok(out)
    }
}

fn entry_from(r: &crate::conn::Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.int("seq")?.unwrap_or(0),
        at: r.text("at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        entity: r.text("entity")?,
        before: r.opt_text("before")?,
        after: r.opt_text("after")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
        mac: r.opt_text("mac")?,
    })
}
