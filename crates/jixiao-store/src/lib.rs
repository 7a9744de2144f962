//! Persistence of jixiao: cycles (the validated task book), units, periods and indicator nodes,
//! reported values with their workflow state, the bonus and deduction ledgers, score runs and
//! the append-only, hash-chained audit log.
//!
//! One [`Store`] type serves both backends: SQLite (default: a file, WAL, foreign keys on) and
//! PostgreSQL (deployments with several server instances). The backends differ only behind the
//! small [`conn::Conn`] trait, so behaviour is identical by construction; the test suite runs
//! against both. Only this crate knows SQL.

pub mod accounts;
pub mod audit;
pub mod conn;
pub mod drafts;
mod error;
pub mod evidence;
pub mod grid;
pub mod honours;
pub mod hotline;
pub mod hotline_pack;
pub mod pool;
pub mod reports;
pub mod seals;
pub mod sources;
pub mod supervision;

use chrono::{NaiveDate, Utc};
use conn::{Conn, Dialect, Row, Val};
use jixiao_core::inputs::{Inputs, LedgerEntry, LedgerKind, Observation, ValueRecord};
pub use jixiao_core::records::{LedgerRow, ValueKey, ValueRow};
use jixiao_core::workflow::{self, Action, Lock, Role, ValueState};
use jixiao_core::Framework;
use serde::Serialize;

pub use accounts::{ApiToken, User};
pub use audit::{AuditEntry, AuditReport};
pub use error::{Result, StoreError};
pub use hotline::ApiKey;
pub use pool::{Pool, PoolConfig};

/// A stored cycle as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleEntry {
    pub id: String,
    pub name: String,
    /// The organisation running it ([`jixiao_core::Organisation`] id); `None`: the city's.
    pub organisation: Option<String>,
}

/// What saving something did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// Counts of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredValue {
    pub row: ValueRow,
    pub reopened: bool,
    pub updated_by: String,
    pub updated_at: String,
}

pub struct Store {
    conn: Box<dyn Conn>,
    in_memory: bool,
    /// Rows written in the open transaction, sealed before it commits (see [`seals`]).
    pending_seals: Vec<(&'static str, Vec<Val>, i64)>,
    /// The sequence number and hash of the last audit entry this store appended.
    last_audit_seq: i64,
    last_audit_hash: String,
    /// The open transaction wrote hotline data: the `hotline` data version changes with it.
    hotline_touched: bool,
    /// Each area's district, kept while the `hotline.geography` data version holds: every case
    /// write needs it, and reading thousands of areas per write would cost more than the write.
    district_cache: Option<(
        String,
        std::sync::Arc<std::collections::HashMap<String, String>>,
    )>,
}

/// The file path of a SQLite URL: `sqlite://PATH`, `sqlite:PATH` or a plain path.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn t(s: &str) -> Val {
    Val::text(s)
}

fn opt_t(s: Option<&str>) -> Val {
    Val::Text(s.map(str::to_string))
}

fn json<T: Serialize>(x: &T) -> String {
    serde_json::to_string(x).expect("plain data serialises")
}

impl Store {
    /// Opens (and migrates) the database at `url`: `postgres://…` or `postgresql://…` for
    /// PostgreSQL; `sqlite://PATH`, `sqlite::memory:` or a plain file path for SQLite.
    pub fn open(url: &str) -> Result<Store> {
        let mut store = Store::with(Store::connect(url)?)?;
        store.in_memory = sqlite_path(url) == ":memory:" && store.backend() == "sqlite";
        Ok(store)
    }

    /// Writes a consistent copy of this SQLite database to `path` while others keep reading and
    /// writing (`VACUUM INTO`: one read transaction, so the copy holds every write committed
    /// before it began and none after). PostgreSQL databases are backed up with `pg_dump`.
    pub fn backup_sqlite(&mut self, path: &std::path::Path) -> Result<()> {
        if self.backend() != "sqlite" {
            return Err(StoreError::Invalid(
                "backup_sqlite needs a SQLite database; PostgreSQL uses pg_dump".into(),
            ));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Invalid(format!("{} is not a UTF-8 path", path.display()))
        })?;
        self.conn
            .exec("VACUUM INTO $1", &[Val::text(target)])
            .map(|_| ())
    }

    /// The path of a SQLite database URL (`sqlite://jixiao.sqlite` → `jixiao.sqlite`).
    pub fn sqlite_file(url: &str) -> Option<&str> {
        (!(url.starts_with("postgres://") || url.starts_with("postgresql://")))
            .then(|| sqlite_path(url))
            .filter(|p| *p != ":memory:")
    }

    /// Opens a PostgreSQL database working inside `schema` (created if needed).
    pub fn open_postgres_schema(url: &str, schema: &str) -> Result<Store> {
        Store::with(Box::new(conn::Postgres::connect(url, Some(schema))?))
    }

    fn with(conn: Box<dyn Conn>) -> Result<Store> {
        let mut s = Store {
            conn,
            in_memory: false,
            pending_seals: Vec::new(),
            last_audit_seq: 0,
            last_audit_hash: String::new(),
            hotline_touched: false,
            district_cache: None,
        };
        s.migrate()?;
        Ok(s)
    }

    /// A connection of the same database that only reads (the pool's readers): no migration,
    /// every write refused. The database must have been opened with [`Store::open`] first.
    pub fn open_reader(url: &str) -> Result<Store> {
        let mut conn = Store::connect(url)?;
        conn.make_read_only()?;
        Ok(Store {
            conn,
            in_memory: false,
            pending_seals: Vec::new(),
            last_audit_seq: 0,
            last_audit_hash: String::new(),
            hotline_touched: false,
            district_cache: None,
        })
    }

    fn connect(url: &str) -> Result<Box<dyn Conn>> {
        Ok(
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Box::new(conn::Postgres::connect(url, None)?)
            } else {
                Box::new(conn::Sqlite::open(sqlite_path(url))?)
            },
        )
    }

    /// Whether this is an in-memory SQLite database (no other connection can see it).
    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    /// How long a write may wait for another writer's lock before failing with
    /// [`StoreError::Busy`].
    pub fn set_write_wait(&mut self, wait: std::time::Duration) -> Result<()> {
        self.conn.set_write_wait(wait)
    }

    /// Whether the connection still answers.
    pub fn is_healthy(&mut self) -> bool {
        self.conn.is_healthy()
    }

    /// Whether the connection is known to be lost (its server closed it), without asking it.
    pub fn is_lost(&self) -> bool {
        self.conn.is_lost()
    }

    pub fn backend(&self) -> &'static str {
        match self.conn.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// The process id of the database server's process serving this connection (PostgreSQL);
    /// `None` for SQLite, which runs in this process.
    pub fn server_process(&mut self) -> Result<Option<i64>> {
        if self.conn.dialect() == Dialect::Sqlite {
            return Ok(None);
        }
        let rows = self
            .conn
            .query("SELECT CAST(pg_backend_pid() AS BIGINT) AS pid", &[])?;
        Ok(rows.first().and_then(|r| r[0].as_int()))
    }

    /// Applies the migrations this database has not had, all in one transaction, and records
    /// each one's checksum. A migration applied earlier whose text has changed since
    /// stops here with its name: released migrations are never edited (migrations/README.md).
    fn migrate(&mut self) -> Result<()> {
        self.conn.script("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)")?;
        if self
            .conn
            .query("SELECT checksum FROM schema_migrations LIMIT 1", &[])
            .is_err()
        {
            // Databases made before checksums were recorded.
            self.conn
                .script("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")?;
        }
        let dialect = self.conn.dialect();
        // All the migrations a database lacks run in one transaction, and the steps written in
        // Rust (building the packs, sealing every row) after the last script: those steps read
        // the tables with this build's columns, which later scripts may add.
        self.tx(|s| {
            let (mut repack, mut seal) = (false, false);
            for (version, name, sqlite, pg) in conn::MIGRATIONS {
                let script = if dialect == Dialect::Sqlite { sqlite } else { pg };
                let checksum = migration_checksum(script);
                let done = s.conn.query(
                    "SELECT checksum FROM schema_migrations WHERE version = $1",
                    &[Val::Int(Some(version))],
                )?;
                match done.first() {
                    Some(row) => match row.opt_text("checksum")? {
                        Some(recorded) if recorded != checksum => {
                            return Err(StoreError::Migration(format!(
                                "migration {version:04}_{name} ({}) was edited after this database applied it \
                                 (recorded checksum {}, this build's {}); released migrations are never edited: \
                                 restore the file and add a new migration instead",
                                s.backend(),
                                &recorded[..recorded.len().min(12)],
                                &checksum[..12]
                            )))
                        }
                        Some(_) => {}
                        // Applied before checksums were kept: recorded as this build has it.
                        None => {
                            s.conn.exec(
                                "UPDATE schema_migrations SET checksum = $2 WHERE version = $1",
                                &[Val::Int(Some(version)), t(&checksum)],
                            )?;
                        }
                    },
                    None => {
                        s.conn.script(script)?;
                        repack |= name == "hotline_packs";
                        seal |= name == "row_seals";
                        s.conn.exec("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)", &[Val::Int(Some(version)), t(name), t(&now()), t(&checksum)])?;
                    }
                }
            }
            if repack {
                s.hotline_repack()?;
            }
            if seal {
                s.seal_everything()?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Runs `f` in one transaction: everything or nothing. Writers are serialised so the audit
    /// chain stays a chain. Every way out of `f` that is not `Ok` (an error or a panic) rolls
    /// back before it leaves, so the connection is never left inside a transaction.
    pub(crate) fn tx<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        match self.conn.dialect() {
            Dialect::Sqlite => self.conn.script("BEGIN IMMEDIATE")?,
            Dialect::Postgres => self
                .conn
                .script("BEGIN; SELECT pg_advisory_xact_lock(7120823)")
                .inspect_err(|_| {
                    // The advisory lock can time out after BEGIN succeeded.
                    let _ = self.conn.script("ROLLBACK");
                })?,
        }
        self.pending_seals.clear();
        self.hotline_touched = false;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let v = f(self)?;
            self.apply_seals()?;
            if self.hotline_touched {
                self.set_data_version("hotline")?;
            }
            Ok(v)
        }));
        self.pending_seals.clear();
        self.hotline_touched = false;
        match outcome {
            Ok(Ok(v)) => match self.conn.script("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.script("ROLLBACK");
                    Err(e)
                }
            },
            Ok(Err(e)) => {
                let _ = self.conn.script("ROLLBACK");
                Err(e)
            }
            Err(panic) => {
                let _ = self.conn.script("ROLLBACK");
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Runs `f` on one consistent snapshot of the database (a read transaction), so a page
    /// assembled from several queries never mixes data from before and after a write.
    pub fn snapshot<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        // On SQLite the two statements are prepared once and kept: a read is often a single
        // short query, and parsing BEGIN and COMMIT every time would cost as much.
        let sqlite = self.conn.dialect() == Dialect::Sqlite;
        if sqlite {
            self.conn.exec("BEGIN DEFERRED", &[])?;
        } else {
            self.conn
                .script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        // A read transaction has nothing to keep: ending it either way is the same.
        let ended = if sqlite {
            self.conn.exec("COMMIT", &[]).map(|_| ())
        } else {
            self.conn.script("COMMIT")
        };
        match outcome {
            Ok(Ok(v)) => ended.map(|()| v),
            Ok(Err(e)) => Err(e),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// [`Store::snapshot`] for a pool's reader under load, on PostgreSQL: the read transaction
    /// is left open when `f` returns, and the next one ends it in the same round trip as it
    /// begins (`continuing`: one is open), so a busy reader spends one round trip a job on its
    /// transaction instead of two. [`Store::end_read`] ends it when no job is waiting. On SQLite
    /// (no round trips; an open read would hold back checkpoints) it is [`Store::snapshot`].
    pub fn snapshot_left_open<T>(
        &mut self,
        continuing: bool,
        f: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        if self.conn.dialect() == Dialect::Sqlite {
            return self.snapshot(f);
        }
        self.conn.script(if continuing {
            "COMMIT; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        })?;
        f(self)
    }

    /// Ends the read transaction [`Store::snapshot_left_open`] left open.
    pub fn end_read(&mut self) -> Result<()> {
        if self.conn.dialect() == Dialect::Sqlite {
            return Ok(());
        }
        self.conn.script("COMMIT")
    }

    /// Saves a validated framework as cycle `fw.cycle.id`, creating or updating it. Nodes,
    /// units or periods that still have values cannot be removed.
    pub fn save_cycle(&mut self, fw: &Framework, source: &str, actor: &str) -> Result<Change> {
        let framework_json = json(fw);
        self.tx(|s| {
            let id = fw.cycle.id.as_str();
            let existing = s.conn.query("SELECT framework FROM cycles WHERE id = $1", &[t(id)])?;
            let before = existing.first().and_then(|r| r[0].as_text().map(str::to_string));
            if before.as_deref() == Some(framework_json.as_str()) {
                return Ok(Change::Unchanged);
            }
            let at = now();
            let organisation = Val::Text(fw.organisation.as_ref().map(|o| o.id.clone()));
            if before.is_some() {
                s.conn.exec("UPDATE cycles SET name = $2, framework = $3, source = $4, updated_at = $5, organisation = $6 WHERE id = $1", &[t(id), t(&fw.cycle.name), t(&framework_json), t(source), t(&at), organisation])?;
            } else {
                s.conn.exec("INSERT INTO cycles (id, name, framework, source, updated_at, organisation) VALUES ($1, $2, $3, $4, $5, $6)", &[t(id), t(&fw.cycle.name), t(&framework_json), t(source), t(&at), organisation])?;
            }
            s.sync_rows(fw)?;
            s.audit_append(&at, actor, if before.is_some() { "cycle.update" } else { "cycle.create" }, &format!("cycle/{id}"), before, Some(framework_json.clone()))?;
            Ok(if existing.is_empty() { Change::Created } else { Change::Updated })
        })
    }

    /// Brings units, periods and nodes in line with the framework.
    fn sync_rows(&mut self, fw: &Framework) -> Result<()> {
        let c = fw.cycle.id.as_str();
        let in_use = |s: &mut Store, column: &str, id: &str| -> Result<bool> {
            let sql =
                format!("SELECT 1 FROM task_values WHERE cycle_id = $1 AND {column} = $2 LIMIT 1");
            Ok(!s.conn.query(&sql, &[t(c), t(id)])?.is_empty())
        };
        for (table, column, keep) in [
            (
                "units",
                "unit_id",
                fw.units.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
            ),
            (
                "periods",
                "period_id",
                fw.cycle.periods.iter().map(|p| p.id.clone()).collect(),
            ),
            (
                "nodes",
                "task_id",
                fw.nodes.iter().map(|n| n.id.clone()).collect(),
            ),
        ] {
            let rows = self.conn.query(
                &format!("SELECT id FROM {table} WHERE cycle_id = $1"),
                &[t(c)],
            )?;
            for r in rows {
                let id = r[0].as_text().unwrap_or_default().to_string();
                if !keep.contains(&id) {
                    if in_use(self, column, &id)? {
                        return Err(StoreError::Invalid(format!("`{id}` was removed from the task book but still has reported values; keep it or delete its values first")));
                    }
                    if table == "units" {
                        self.conn.exec(
                            "DELETE FROM ledger_entries WHERE cycle_id = $1 AND unit_id = $2",
                            &[t(c), t(&id)],
                        )?;
                    }
                    self.conn.exec(
                        &format!("DELETE FROM {table} WHERE cycle_id = $1 AND id = $2"),
                        &[t(c), t(&id)],
                    )?;
                }
            }
        }
        for u in &fw.units {
            self.conn.exec(
                "INSERT INTO units (cycle_id, id, name, kind, ranked) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (cycle_id, id) DO UPDATE SET name = excluded.name, kind = excluded.kind, ranked = excluded.ranked",
                &[t(c), t(&u.id), t(&u.name), t(u.kind.as_str()), Val::Int(Some(u.ranked as i64))],
            )?;
        }
        for p in &fw.cycle.periods {
            self.conn.exec(
                "INSERT INTO periods (cycle_id, id, name, start_date, end_date, deadline) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (cycle_id, id) DO UPDATE SET name = excluded.name, start_date = excluded.start_date, end_date = excluded.end_date, deadline = excluded.deadline",
                &[t(c), t(&p.id), t(&p.name), t(&p.start.to_string()), t(&p.end.to_string()), t(&p.deadline.to_string())],
            )?;
        }
        for n in &fw.nodes {
            self.conn.exec(
                "INSERT INTO nodes (cycle_id, id, parent_id, name, points, is_task) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (cycle_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, points = excluded.points, is_task = excluded.is_task",
                &[t(c), t(&n.id), opt_t(n.parent.map(|p| fw.nodes[p].id.as_str())), t(&n.name), Val::Real(Some(n.points)), Val::Int(Some(n.task.is_some() as i64))],
            )?;
        }
        Ok(())
    }

    pub fn load_cycle(&mut self, id: &str) -> Result<Framework> {
        let rows = self
            .conn
            .query("SELECT framework FROM cycles WHERE id = $1", &[t(id)])?;
        let text = rows
            .first()
            .and_then(|r| r[0].as_text())
            .ok_or_else(|| StoreError::NotFound(format!("cycle `{id}`")))?;
        serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("the stored framework of cycle `{id}`: {e}")))
    }

    /// The canonical TOML of a stored cycle.
    pub fn cycle_source(&mut self, id: &str) -> Result<String> {
        let rows = self
            .conn
            .query("SELECT source FROM cycles WHERE id = $1", &[t(id)])?;
        rows.first()
            .and_then(|r| r[0].as_text().map(str::to_string))
            .ok_or_else(|| StoreError::NotFound(format!("cycle `{id}`")))
    }

    /// Every cycle: the city's first, then each organisation's, newest id first within each.
    pub fn cycles(&mut self) -> Result<Vec<CycleEntry>> {
        let rows = self.conn.query(
            "SELECT id, name, organisation FROM cycles \
             ORDER BY organisation IS NOT NULL, organisation, id DESC",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(CycleEntry {
                    id: r.text("id")?,
                    name: r.text("name")?,
                    organisation: r.opt_text("organisation")?,
                })
            })
            .collect()
    }

    /// The cycle of the same organisation that ends last before `fw` starts (last year's, for
    /// year-on-year comparisons and the jump check), among those `fits` accepts.
    pub fn cycle_before(
        &mut self,
        fw: &Framework,
        fits: impl Fn(&Framework) -> bool,
    ) -> Result<Option<Framework>> {
        let organisation = fw.organisation.as_ref().map(|o| o.id.clone());
        let mut best: Option<Framework> = None;
        for c in self.cycles()? {
            if c.id == fw.cycle.id || c.organisation != organisation {
                continue;
            }
            let other = self.load_cycle(&c.id)?;
            if other.cycle.end < fw.cycle.start
                && fits(&other)
                && best.as_ref().is_none_or(|b| other.cycle.end > b.cycle.end)
            {
                best = Some(other);
            }
        }
        Ok(best)
    }

    /// Inserts or updates values, all in one transaction. Rows identical to what is stored
    /// change nothing, so importing the same file twice is harmless.
    /// `progress` is told how many rows have been handled.
    pub fn import_values(
        &mut self,
        cycle: &str,
        rows: &[ValueRow],
        actor: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<ImportOutcome> {
        self.load_cycle(cycle)?;
        self.tx(|s| s.import_values_in_tx(cycle, rows, actor, progress))
    }

    /// [`Store::import_values`] inside an open transaction.
    pub(crate) fn import_values_in_tx(
        &mut self,
        cycle: &str,
        rows: &[ValueRow],
        actor: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<ImportOutcome> {
        let mut out = ImportOutcome::default();
        let at = now();
        for (i, r) in rows.iter().enumerate() {
            if i % 256 == 0 {
                progress(i);
            }
            let before = self.value(cycle, &r.key)?;
            match &before {
                Some(b) if b.row == *r => {
                    out.unchanged += 1;
                    continue;
                }
                Some(_) => out.updated += 1,
                None => out.inserted += 1,
            }
            self.write_value(cycle, r, false, actor, &at)?;
            self.audit_append(
                &at,
                actor,
                "value.import",
                &value_entity(cycle, &r.key),
                before.map(|b| json(&b.row)),
                Some(json(r)),
            )?;
        }
        Ok(out)
    }

    pub(crate) fn write_value(
        &mut self,
        cycle: &str,
        r: &ValueRow,
        reopened: bool,
        actor: &str,
        at: &str,
    ) -> Result<()> {
        let (number, grade) = match &r.observation {
            Observation::Number(x) => (Some(*x), None),
            Observation::Grade(g) => (None, Some(g.as_str())),
        };
        self.conn.exec(
            "INSERT INTO task_values (cycle_id, task_id, unit_id, period_id, number, grade, note, source, evidence, state, reopened, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (cycle_id, task_id, unit_id, period_id) DO UPDATE SET number = excluded.number, grade = excluded.grade, note = excluded.note, \
             source = excluded.source, evidence = excluded.evidence, state = excluded.state, reopened = excluded.reopened, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            &[
                t(cycle),
                t(&r.key.task),
                t(&r.key.unit),
                t(&r.key.period),
                Val::Real(number),
                opt_t(grade),
                t(&r.note),
                t(&r.source),
                t(&r.evidence),
                t(r.state.as_str()),
                Val::Int(Some(reopened as i64)),
                t(actor),
                t(at),
            ],
        )?;
        Ok(())
    }

    const VALUE_COLUMNS: &'static str = "task_id, unit_id, period_id, number, grade, note, source, evidence, state, reopened, updated_by, updated_at";

    fn value_from(r: &Row) -> Result<StoredValue> {
        let observation = match r.real("number")? {
            Some(x) => Observation::Number(x),
            None => Observation::Grade(r.text("grade")?),
        };
        let state = r.text("state")?;
        Ok(StoredValue {
            row: ValueRow {
                key: ValueKey {
                    task: r.text("task_id")?,
                    unit: r.text("unit_id")?,
                    period: r.text("period_id")?,
                },
                observation,
                note: r.text("note")?,
                source: r.text("source")?,
                evidence: r.text("evidence")?,
                state: ValueState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("value state `{state}`")))?,
            },
            reopened: r.flag("reopened")?,
            updated_by: r.text("updated_by")?,
            updated_at: r.text("updated_at")?,
        })
    }

    pub fn value(&mut self, cycle: &str, key: &ValueKey) -> Result<Option<StoredValue>> {
        let sql = format!("SELECT {} FROM task_values WHERE cycle_id = $1 AND task_id = $2 AND unit_id = $3 AND period_id = $4", Self::VALUE_COLUMNS);
        let rows = self.conn.query(
            &sql,
            &[t(cycle), t(&key.task), t(&key.unit), t(&key.period)],
        )?;
        rows.first().map(Self::value_from).transpose()
    }

    /// Every value of a cycle, ordered by task, unit and period.
    pub fn values(&mut self, cycle: &str) -> Result<Vec<StoredValue>> {
        let sql = format!(
            "SELECT {} FROM task_values WHERE cycle_id = $1 ORDER BY task_id, unit_id, period_id",
            Self::VALUE_COLUMNS
        );
        self.conn
            .query(&sql, &[t(cycle)])?
            .iter()
            .map(Self::value_from)
            .collect()
    }

    /// A unit enters or changes a value (`submit` false saves a draft), subject to the workflow
    /// and the period's lock on `today`.
    #[allow(clippy::too_many_arguments)]
    pub fn enter_value(
        &mut self,
        cycle: &str,
        key: &ValueKey,
        observation: Observation,
        note: &str,
        evidence: &str,
        submit: bool,
        role: Role,
        actor: &str,
        today: NaiveDate,
    ) -> Result<ValueState> {
        let action = if submit {
            Action::Submit
        } else {
            Action::SaveDraft
        };
        self.tx(|s| {
            let (before, lock) = s.value_and_lock(cycle, key, today)?;
            let state =
                workflow::transition(before.as_ref().map(|b| b.row.state), &action, role, lock)?;
            let row = ValueRow {
                key: key.clone(),
                observation,
                note: note.into(),
                source: before
                    .as_ref()
                    .map(|b| b.row.source.clone())
                    .unwrap_or_default(),
                evidence: evidence.into(),
                state,
            };
            let at = now();
            s.write_value(cycle, &row, lock.reopened, actor, &at)?;
            s.audit_append(
                &at,
                actor,
                if submit {
                    "value.submit"
                } else {
                    "value.draft"
                },
                &value_entity(cycle, key),
                before.map(|b| json(&b.row)),
                Some(json(&row)),
            )?;
            Ok(state)
        })
    }

    /// A unit enters several values at once (an uploaded template): each goes through the same
    /// workflow and lock checks as [`Store::enter_value`], all in one transaction. On any refusal
    /// nothing is written and the index of the refused entry is returned with the reason.
    #[allow(clippy::too_many_arguments)]
    pub fn enter_values(
        &mut self,
        cycle: &str,
        entries: &[ValueRow],
        submit: bool,
        role: Role,
        actor: &str,
        today: NaiveDate,
    ) -> std::result::Result<usize, (usize, StoreError)> {
        let action = if submit {
            Action::Submit
        } else {
            Action::SaveDraft
        };
        let mut refused: Option<usize> = None;
        let result = self.tx(|s| {
            let at = now();
            for (i, e) in entries.iter().enumerate() {
                refused = Some(i);
                let (before, lock) = s.value_and_lock(cycle, &e.key, today)?;
                let state = workflow::transition(
                    before.as_ref().map(|b| b.row.state),
                    &action,
                    role,
                    lock,
                )?;
                let row = ValueRow {
                    state,
                    source: before
                        .as_ref()
                        .map(|b| b.row.source.clone())
                        .unwrap_or_default(),
                    ..e.clone()
                };
                s.write_value(cycle, &row, lock.reopened, actor, &at)?;
                s.audit_append(
                    &at,
                    actor,
                    if submit {
                        "value.submit"
                    } else {
                        "value.draft"
                    },
                    &value_entity(cycle, &e.key),
                    before.map(|b| json(&b.row)),
                    Some(json(&row)),
                )?;
            }
            refused = None;
            Ok(entries.len())
        });
        result.map_err(|e| (refused.unwrap_or(0), e))
    }

    /// An evaluator records its own figure for a task (a qualitative grade, a survey or leader
    /// score): approved at once.
    #[allow(clippy::too_many_arguments)]
    pub fn grade_value(
        &mut self,
        cycle: &str,
        key: &ValueKey,
        observation: Observation,
        note: &str,
        role: Role,
        actor: &str,
        today: NaiveDate,
    ) -> Result<ValueState> {
        self.tx(|s| {
            let (before, lock) = s.value_and_lock(cycle, key, today)?;
            let state = workflow::transition(
                before.as_ref().map(|b| b.row.state),
                &Action::Grade,
                role,
                lock,
            )?;
            let row = ValueRow {
                key: key.clone(),
                observation,
                note: note.into(),
                source: format!("evaluator:{actor}"),
                evidence: String::new(),
                state,
            };
            let at = now();
            s.write_value(cycle, &row, false, actor, &at)?;
            s.audit_append(
                &at,
                actor,
                "value.grade",
                &value_entity(cycle, key),
                before.map(|b| json(&b.row)),
                Some(json(&row)),
            )?;
            Ok(state)
        })
    }

    /// An evaluator approves or returns, or an administrator reopens, a value.
    pub fn review_value(
        &mut self,
        cycle: &str,
        key: &ValueKey,
        action: &Action,
        role: Role,
        actor: &str,
        today: NaiveDate,
    ) -> Result<ValueState> {
        self.tx(|s| {
            let (before, lock) = s.value_and_lock(cycle, key, today)?;
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!(
                    "value {}",
                    value_entity(cycle, key)
                )));
            };
            let state = workflow::transition(Some(before.row.state), action, role, lock)?;
            let mut row = before.row.clone();
            row.state = state;
            let (name, comment) = match action {
                Action::Approve => ("value.approve", String::new()),
                Action::Return { comment } => ("value.return", comment.clone()),
                Action::Reopen { reason } => ("value.reopen", reason.clone()),
                _ => ("value.review", String::new()),
            };
            let reopened = matches!(action, Action::Reopen { .. })
                || (before.reopened && state != ValueState::Approved);
            let at = now();
            s.write_value(cycle, &row, reopened, actor, &at)?;
            let after = serde_json::json!({ "row": row, "comment": comment, "reopened": reopened });
            s.audit_append(
                &at,
                actor,
                name,
                &value_entity(cycle, key),
                Some(json(&before.row)),
                Some(after.to_string()),
            )?;
            Ok(state)
        })
    }

    pub(crate) fn value_and_lock(
        &mut self,
        cycle: &str,
        key: &ValueKey,
        today: NaiveDate,
    ) -> Result<(Option<StoredValue>, Lock)> {
        let rows = self.conn.query(
            "SELECT deadline FROM periods WHERE cycle_id = $1 AND id = $2",
            &[t(cycle), t(&key.period)],
        )?;
        let deadline = rows
            .first()
            .and_then(|r| r[0].as_text())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                StoreError::NotFound(format!("period `{}` of cycle `{cycle}`", key.period))
            })?;
        let before = self.value(cycle, key)?;
        let lock = Lock {
            past_deadline: today > deadline,
            reopened: before.as_ref().is_some_and(|b| b.reopened),
        };
        Ok((before, lock))
    }

    /// Inserts or updates ledger entries in one transaction; identical entries change nothing.
    pub fn import_ledger(
        &mut self,
        cycle: &str,
        rows: &[LedgerRow],
        actor: &str,
    ) -> Result<ImportOutcome> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let mut out = ImportOutcome::default();
            let at = now();
            for r in rows {
                let id = audit::short_hash(&format!("{}|{}|{}", r.unit, r.kind.as_str(), r.reason));
                let existing = s.conn.query("SELECT unit_id, kind, points, reason, approver, entry_date FROM ledger_entries WHERE cycle_id = $1 AND id = $2", &[t(cycle), t(&id)])?;
                let before = existing.first().map(ledger_from).transpose()?;
                match &before {
                    Some(b) if b == r => {
                        out.unchanged += 1;
                        continue;
                    }
                    Some(_) => out.updated += 1,
                    None => out.inserted += 1,
                }
                s.conn.exec(
                    "INSERT INTO ledger_entries (cycle_id, id, unit_id, kind, points, reason, approver, entry_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (cycle_id, id) DO UPDATE SET points = excluded.points, approver = excluded.approver, entry_date = excluded.entry_date",
                    &[t(cycle), t(&id), t(&r.unit), t(r.kind.as_str()), Val::Real(Some(r.points)), t(&r.reason), t(&r.approver), opt_t(r.date.map(|d| d.to_string()).as_deref())],
                )?;
                s.audit_append(&at, actor, "ledger.import", &format!("cycle/{cycle}/ledger/{id}"), before.map(|b| json(&b)), Some(json(r)))?;
            }
            Ok(out)
        })
    }

    pub fn ledger(&mut self, cycle: &str) -> Result<Vec<LedgerRow>> {
        let rows = self.conn.query("SELECT unit_id, kind, points, reason, approver, entry_date FROM ledger_entries WHERE cycle_id = $1 AND status = 'approved' ORDER BY unit_id, kind, reason", &[t(cycle)])?;
        rows.iter().map(ledger_from).collect()
    }

    /// Proposes a ledger entry (an evaluator or the office on the web); it counts once approved.
    /// Returns the entry's id.
    pub fn propose_ledger(&mut self, cycle: &str, r: &LedgerRow, actor: &str) -> Result<String> {
        self.propose_ledger_with(cycle, r, actor, None)
    }

    /// [`Store::propose_ledger`] with an evidence file (a unit's application for bonus points),
    /// both in one transaction.
    pub fn propose_ledger_with(
        &mut self,
        cycle: &str,
        r: &LedgerRow,
        actor: &str,
        evidence: Option<evidence::NewFile<'_>>,
    ) -> Result<String> {
        let id = audit::short_hash(&format!("{}|{}|{}", r.unit, r.kind.as_str(), r.reason));
        self.tx(|s| {
            if !s.conn.query("SELECT 1 FROM ledger_entries WHERE cycle_id = $1 AND id = $2", &[t(cycle), t(&id)])?.is_empty() {
                return Err(StoreError::Invalid("an entry with the same unit, kind and reason exists already".into()));
            }
            s.conn.exec(
                "INSERT INTO ledger_entries (cycle_id, id, unit_id, kind, points, reason, approver, entry_date, status, proposed_by) VALUES ($1, $2, $3, $4, $5, $6, '', $7, 'pending', $8)",
                &[t(cycle), t(&id), t(&r.unit), t(r.kind.as_str()), Val::Real(Some(r.points)), t(&r.reason), opt_t(r.date.map(|d| d.to_string()).as_deref()), t(actor)],
            )?;
            s.audit_append(&now(), actor, "ledger.propose", &format!("cycle/{cycle}/ledger/{id}"), None, Some(json(r)))?;
            if let Some(file) = &evidence {
                s.insert_ledger_evidence(cycle, &id, &r.unit, file, actor)?;
            }
            Ok(id.clone())
        })
    }

    /// The office approves or rejects a pending entry; the approver is recorded on it.
    pub fn decide_ledger(
        &mut self,
        cycle: &str,
        id: &str,
        approve: bool,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            let status = if approve { "approved" } else { "rejected" };
            let n = s.conn.exec(
                "UPDATE ledger_entries SET status = $3, approver = $4 WHERE cycle_id = $1 AND id = $2 AND status = 'pending'",
                &[t(cycle), t(id), t(status), t(actor)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("pending ledger entry `{id}`")));
            }
            s.audit_append(&now(), actor, if approve { "ledger.approve" } else { "ledger.reject" }, &format!("cycle/{cycle}/ledger/{id}"), None, None)
        })
    }

    /// Every ledger entry with its id, status and proposer.
    pub fn ledger_entries(
        &mut self,
        cycle: &str,
    ) -> Result<Vec<(String, LedgerRow, String, String)>> {
        let rows = self.conn.query(
            "SELECT unit_id, kind, points, reason, approver, entry_date, id, status, proposed_by FROM ledger_entries WHERE cycle_id = $1 ORDER BY status DESC, unit_id, kind, reason",
            &[t(cycle)],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.text("id")?,
                    ledger_from(r)?,
                    r.text("status")?,
                    r.text("proposed_by")?,
                ))
            })
            .collect()
    }

    /// What scoring reads: the approved values and the ledger, mapped onto the framework.
    pub fn inputs(&mut self, fw: &Framework) -> Result<Inputs> {
        let cycle = fw.cycle.id.as_str();
        let node_ix: std::collections::HashMap<&str, usize> = fw
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let unit_ix: std::collections::HashMap<&str, usize> = fw
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        let period_ix: std::collections::HashMap<&str, usize> = fw
            .cycle
            .periods
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let rows = self.conn.query(
            "SELECT task_id, unit_id, period_id, number, grade FROM task_values WHERE cycle_id = $1 AND state = $2",
            &[t(cycle), t(ValueState::Approved.as_str())],
        )?;
        let records: Vec<ValueRecord> = rows
            .iter()
            .filter_map(|r| {
                let task = *node_ix.get(r.get("task_id").ok()?.as_text()?)?;
                let unit = *unit_ix.get(r.get("unit_id").ok()?.as_text()?)?;
                let period = *period_ix.get(r.get("period_id").ok()?.as_text()?)?;
                let observation = match r.real("number").ok()? {
                    Some(x) => Observation::Number(x),
                    None => Observation::Grade(r.text("grade").ok()?),
                };
                Some(ValueRecord {
                    task,
                    unit,
                    period,
                    observation,
                })
            })
            .collect();
        let ledger = self
            .ledger(cycle)?
            .into_iter()
            .filter_map(|l| {
                Some(LedgerEntry {
                    unit: *unit_ix.get(l.unit.as_str())?,
                    kind: l.kind,
                    points: l.points,
                    reason: l.reason,
                    approver: l.approver,
                })
            })
            .collect();
        let mut inputs = Inputs::from_records(fw, &records, ledger);
        inputs.bases = self.value_bases(fw)?;
        Ok(inputs)
    }

    /// The score runs of a cycle (all cycles when `None`), oldest first: (id, cycle, time, by,
    /// result JSON).
    pub fn score_runs(&mut self, cycle: Option<&str>) -> Result<Vec<ScoreRun>> {
        let rows = match cycle {
            Some(c) => self.conn.query("SELECT id, cycle_id, created_at, created_by, result FROM score_runs WHERE cycle_id = $1 ORDER BY id", &[t(c)])?,
            None => self.conn.query("SELECT id, cycle_id, created_at, created_by, result FROM score_runs ORDER BY id", &[])?,
        };
        rows.iter()
            .map(|r| {
                Ok(ScoreRun {
                    id: r[0].as_int().unwrap_or(0),
                    cycle: r.text("cycle_id")?,
                    created_at: r.text("created_at")?,
                    created_by: r.text("created_by")?,
                    result: r.text("result")?,
                })
            })
            .collect()
    }

    /// One score run.
    pub fn score_run(&mut self, id: i64) -> Result<ScoreRun> {
        let rows = self.conn.query(
            "SELECT id, cycle_id, created_at, created_by, result FROM score_runs WHERE id = $1",
            &[Val::Int(Some(id))],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("score run #{id}")))?;
        Ok(ScoreRun {
            id,
            cycle: r.text("cycle_id")?,
            created_at: r.text("created_at")?,
            created_by: r.text("created_by")?,
            result: r.text("result")?,
        })
    }

    /// Keeps a scored result (JSON) for the record; returns its id.
    pub fn record_score_run(&mut self, cycle: &str, actor: &str, result_json: &str) -> Result<i64> {
        self.tx(|s| {
            let at = now();
            s.conn.exec("INSERT INTO score_runs (cycle_id, created_at, created_by, result) VALUES ($1, $2, $3, $4)", &[t(cycle), t(&at), t(actor), t(result_json)])?;
            let id = s.conn.query("SELECT MAX(id) FROM score_runs WHERE cycle_id = $1", &[t(cycle)])?.first().and_then(|r| r[0].as_int()).unwrap_or(0);
            s.audit_append(&at, actor, "score.run", &format!("cycle/{cycle}/score_run/{id}"), None, None)?;
            Ok(id)
        })
    }
}

/// A kept score run.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRun {
    pub id: i64,
    pub cycle: String,
    pub created_at: String,
    pub created_by: String,
    /// What was scored and what came out, as JSON (see jixiao-app's `runs`).
    pub result: String,
}

/// SHA-256 of a migration's text, line endings normalised (a checkout with CRLF is the same
/// migration).
pub fn migration_checksum(script: &str) -> String {
    audit::sha256_hex(script.replace("\r\n", "\n").as_bytes())
}

/// The audit log's name of a value: `cycle/2020/value/A01-1/dongcheng/Q4`.
pub fn value_entity(cycle: &str, k: &ValueKey) -> String {
    format!("cycle/{cycle}/value/{}/{}/{}", k.task, k.unit, k.period)
}

fn ledger_from(r: &Row) -> Result<LedgerRow> {
    let kind = r.text("kind")?;
    Ok(LedgerRow {
        unit: r.text("unit_id")?,
        kind: LedgerKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger kind `{kind}`")))?,
        points: r.real("points")?.unwrap_or(0.0),
        reason: r.text("reason")?,
        approver: r.text("approver")?,
        date: r
            .opt_text("entry_date")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(s: &mut Store) -> usize {
        s.audit_entries(Some("test/")).unwrap().len()
    }

    #[test]
    fn a_panic_inside_a_transaction_rolls_it_back_and_leaves_the_connection_usable() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.sqlite").display().to_string()).unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = s.tx(|s| {
                s.audit_append(&now(), "test", "half", "test/x", None, None)?;
                panic!("a bug half-way through a write");
                #[allow(unreachable_code)]
                Ok(())
            });
        }));
        assert!(panicked.is_err());
        assert_eq!(events(&mut s), 0, "the half-written entry is gone");
        // Not left inside the transaction: the next one begins and commits.
        s.record_event("test", "after", "test/x", None).unwrap();
        assert_eq!(events(&mut s), 1);
    }

    #[test]
    fn an_error_inside_a_transaction_rolls_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.sqlite").display().to_string()).unwrap();
        let r: Result<()> = s.tx(|s| {
            s.audit_append(&now(), "test", "half", "test/x", None, None)?;
            Err(StoreError::Invalid("refused half-way".into()))
        });
        assert!(r.is_err());
        assert_eq!(events(&mut s), 0);
        s.record_event("test", "after", "test/x", None).unwrap();
        assert_eq!(events(&mut s), 1);
    }
}
