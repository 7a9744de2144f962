//! The two database backends behind one small trait: run a statement, run a query, run a
//! script. Everything else in the store is written once, in SQL both databases accept, with
//! `$1`-style placeholders (rewritten to `?1` for SQLite).

use crate::StoreError;
use std::collections::HashMap;

/// A parameter or column value. Nulls carry their type because PostgreSQL checks parameter
/// types strictly.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(Some(s.into()))
    }
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Val::Int(None) | Val::Real(None) | Val::Text(None) | Val::Bytes(None)
        )
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Val::Text(Some(s)) => Some(s),
            _ => None,
        }
    }
    pub fn as_real(&self) -> Option<f64> {
        match self {
            Val::Real(x) => *x,
            Val::Int(Some(i)) => Some(*i as f64),
            _ => None,
        }
    }
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Bytes(Some(b)) => Some(b),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(x) => *x,
            Val::Real(Some(x)) => Some(*x as i64),
            _ => None,
        }
    }
}

/// One result row: its values, and the names of its columns, so decoders read columns by name
/// (`row.text("id")`) and a reordered SELECT cannot shift them.
#[derive(Debug, Clone)]
pub struct Row {
    columns: std::sync::Arc<[String]>,
    values: Vec<Val>,
}

/// The Null a missing column reads as.
static NULL: Val = Val::Text(None);

impl Row {
    pub fn new(columns: std::sync::Arc<[String]>, values: Vec<Val>) -> Row {
        Row { columns, values }
    }

    /// The value of column `name`; a name the query did not select is a programming error,
    /// reported as corrupt data rather than a panic.
    pub fn get(&self, name: &str) -> Result<&Val, StoreError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Corrupt(format!("no column `{name}` in the row")))
    }

    /// Moves the value of column `name` out of the row (large blobs without a copy).
    pub fn take(&mut self, name: &str) -> Result<Val, StoreError> {
        let i = self
            .columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| StoreError::Corrupt(format!("no column `{name}` in the row")))?;
        Ok(std::mem::replace(&mut self.values[i], Val::Text(None)))
    }

    /// Text of a column; empty for NULL.
    pub fn text(&self, name: &str) -> Result<String, StoreError> {
        Ok(self.get(name)?.as_text().unwrap_or_default().to_string())
    }

    pub fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get(name)?.as_text().map(str::to_string))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.get(name)?.as_int())
    }

    pub fn real(&self, name: &str) -> Result<Option<f64>, StoreError> {
        Ok(self.get(name)?.as_real())
    }

    /// A 0/1 flag column.
    pub fn flag(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.get(name)?.as_int() == Some(1))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[Val] {
        &self.values
    }
}

/// By position, for single-column and aggregate queries (`SELECT COUNT(*)`).
impl std::ops::Index<usize> for Row {
    type Output = Val;
    fn index(&self, i: usize) -> &Val {
        self.values.get(i).unwrap_or(&NULL)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What a backend must do.
pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError>;
    /// Runs several statements without parameters (migrations, transaction control).
    fn script(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Another connection to the same database, for reading on another thread (`None` for an
    /// in-memory SQLite database, which no other connection can see).
    fn reader(&self) -> Result<Option<Box<dyn Conn>>, StoreError>;
    /// How long a write may wait for another writer's lock before it fails with
    /// [`StoreError::Busy`].
    fn set_write_wait(&mut self, wait: std::time::Duration) -> Result<(), StoreError>;
    /// Refuses every write on this connection from now on (the pool's readers).
    fn make_read_only(&mut self) -> Result<(), StoreError>;
    /// Which database this is (a file path; a server URL and schema); `None` in memory.
    fn identity(&self) -> Option<String>;
    /// Whether the connection still answers (after a panic or a lost server).
    fn is_healthy(&mut self) -> bool {
        self.script("SELECT 1").is_ok()
    }
    /// Whether the connection is known to be lost (its server closed it), without a round trip.
    fn is_lost(&self) -> bool {
        false
    }
    /// Appends `rows` (each holding a value for every one of `columns`, in order) to `table`,
    /// the fastest way the database has: one prepared single-row INSERT per row on SQLite (a
    /// multi-row INSERT inside a transaction makes SQLite keep a statement journal for each
    /// statement), binary `COPY` on PostgreSQL. Constraints hold as for INSERT: a duplicate key
    /// fails the statement and the caller's transaction.
    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<u64, StoreError>;
    /// [`Conn::insert_rows`] into a table this transaction made and no other can see yet:
    /// PostgreSQL copies the rows already frozen (`COPY … FREEZE`: no VACUUM has to visit them
    /// later, and readers need not set their hint bits).
    fn load_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<u64, StoreError> {
        self.insert_rows(table, columns, rows)
    }
}

/// (version, name, SQLite script, PostgreSQL script)
#[rustfmt::skip]
/// A SQLite connection's page cache, in KiB (256 MiB).
pub const SQLITE_CACHE_KIB: i64 = 256 * 1024;

/// The page size of a new SQLite database, in bytes.
const SQLITE_PAGE_SIZE: u32 = 16 * 1024;

pub const MIGRATIONS: [(i64, &str, &str, &str); 33] = [
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/sqlite/0002_accounts.sql"),
        include_str!("../migrations/postgres/0002_accounts.sql"),
    ),
    (
        3,
        "ledger_approval",
        include_str!("../migrations/sqlite/0003_ledger_approval.sql"),
        include_str!("../migrations/postgres/0003_ledger_approval.sql"),
    ),
    (
        4,
        "evidence",
        include_str!("../migrations/sqlite/0004_evidence.sql"),
        include_str!("../migrations/postgres/0004_evidence.sql"),
    ),
    (
        5,
        "user_email",
        include_str!("../migrations/sqlite/0005_user_email.sql"),
        include_str!("../migrations/postgres/0005_user_email.sql"),
    ),
    (
        6,
        "reports",
        include_str!("../migrations/sqlite/0006_reports.sql"),
        include_str!("../migrations/postgres/0006_reports.sql"),
    ),
    (
        7,
        "hotline",
        include_str!("../migrations/sqlite/0007_hotline.sql"),
        include_str!("../migrations/postgres/0007_hotline.sql"),
    ),
    (
        8,
        "hotline_packs",
        include_str!("../migrations/sqlite/0008_hotline_packs.sql"),
        include_str!("../migrations/postgres/0008_hotline_packs.sql"),
    ),
    (
        9,
        "open311_details",
        include_str!("../migrations/sqlite/0009_open311_details.sql"),
        include_str!("../migrations/postgres/0009_open311_details.sql"),
    ),
    (
        10,
        "publication_versions",
        include_str!("../migrations/sqlite/0010_publication_versions.sql"),
        include_str!("../migrations/postgres/0010_publication_versions.sql"),
    ),
    (
        11,
        "cycle_settings",
        include_str!("../migrations/sqlite/0011_cycle_settings.sql"),
        include_str!("../migrations/postgres/0011_cycle_settings.sql"),
    ),
    (
        12,
        "row_seals",
        include_str!("../migrations/sqlite/0012_row_seals.sql"),
        include_str!("../migrations/postgres/0012_row_seals.sql"),
    ),
    (
        13,
        "overdue_index",
        include_str!("../migrations/sqlite/0013_overdue_index.sql"),
        include_str!("../migrations/postgres/0013_overdue_index.sql"),
    ),
    (
        14,
        "cycle_versions",
        include_str!("../migrations/sqlite/0014_cycle_versions.sql"),
        include_str!("../migrations/postgres/0014_cycle_versions.sql"),
    ),
    (
        15,
        "place_rollups",
        include_str!("../migrations/sqlite/0015_place_rollups.sql"),
        include_str!("../migrations/postgres/0015_place_rollups.sql"),
    ),
    (
        16,
        "hotline_partitions",
        include_str!("../migrations/sqlite/0016_hotline_partitions.sql"),
        include_str!("../migrations/postgres/0016_hotline_partitions.sql"),
    ),
    (
        17,
        "audit_entity",
        include_str!("../migrations/sqlite/0017_audit_entity.sql"),
        include_str!("../migrations/postgres/0017_audit_entity.sql"),
    ),
    (
        18,
        "ledger_evidence",
        include_str!("../migrations/sqlite/0018_ledger_evidence.sql"),
        include_str!("../migrations/postgres/0018_ledger_evidence.sql"),
    ),
    (
        19,
        "notice_reads",
        include_str!("../migrations/sqlite/0019_notice_reads.sql"),
        include_str!("../migrations/postgres/0019_notice_reads.sql"),
    ),
    (
        20,
        "contact_held",
        include_str!("../migrations/sqlite/0020_contact_held.sql"),
        include_str!("../migrations/postgres/0020_contact_held.sql"),
    ),
    (
        21,
        "area_boundaries",
        include_str!("../migrations/sqlite/0021_area_boundaries.sql"),
        include_str!("../migrations/postgres/0021_area_boundaries.sql"),
    ),
    (
        22,
        "event_ids",
        include_str!("../migrations/sqlite/0022_event_ids.sql"),
        include_str!("../migrations/postgres/0022_event_ids.sql"),
    ),
    (
        23,
        "exclusion_requests",
        include_str!("../migrations/sqlite/0023_exclusion_requests.sql"),
        include_str!("../migrations/postgres/0023_exclusion_requests.sql"),
    ),
    (
        24,
        "problems_population",
        include_str!("../migrations/sqlite/0024_problems_population.sql"),
        include_str!("../migrations/postgres/0024_problems_population.sql"),
    ),
    (
        25,
        "returns_attributed",
        include_str!("../migrations/sqlite/0025_returns_attributed.sql"),
        include_str!("../migrations/postgres/0025_returns_attributed.sql"),
    ),
    (
        26,
        "honours",
        include_str!("../migrations/sqlite/0026_honours.sql"),
        include_str!("../migrations/postgres/0026_honours.sql"),
    ),
    (
        27,
        "case_files",
        include_str!("../migrations/sqlite/0027_case_files.sql"),
        include_str!("../migrations/postgres/0027_case_files.sql"),
    ),
    (
        28,
        "summons",
        include_str!("../migrations/sqlite/0028_summons.sql"),
        include_str!("../migrations/postgres/0028_summons.sql"),
    ),
    (
        29,
        "grid_reports",
        include_str!("../migrations/sqlite/0029_grid_reports.sql"),
        include_str!("../migrations/postgres/0029_grid_reports.sql"),
    ),
    (
        30,
        "geography_versions",
        include_str!("../migrations/sqlite/0030_geography_versions.sql"),
        include_str!("../migrations/postgres/0030_geography_versions.sql"),
    ),
    (
        31,
        "surveys_and_ratings",
        include_str!("../migrations/sqlite/0031_surveys_and_ratings.sql"),
        include_str!("../migrations/postgres/0031_surveys_and_ratings.sql"),
    ),
    (
        32,
        "supervision",
        include_str!("../migrations/sqlite/0032_supervision.sql"),
        include_str!("../migrations/postgres/0032_supervision.sql"),
    ),
    (
        33,
        "organisations_and_drafts",
        include_str!("../migrations/sqlite/0033_organisations_and_drafts.sql"),
        include_str!("../migrations/postgres/0033_organisations_and_drafts.sql"),
    ),
];

/// `$1` → `?1`. Only placeholders outside string literals are rewritten.
fn sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_str = false;
    for c in sql.chars() {
        if c == '\'' {
            in_str = !in_str;
        }
        out.push(if c == '$' && !in_str { '?' } else { c });
    }
    out
}

pub struct Sqlite {
    conn: rusqlite::Connection,
    path: String,
    /// The file's full path (`None` in memory), worked out once: caches ask for it per request.
    identity: Option<String>,
}

/// How long a SQLite write waits for another writer unless told otherwise.
pub const DEFAULT_WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Sqlite {
    pub fn open(path: &str) -> Result<Sqlite, StoreError> {
        let conn = if path == ":memory:" {
            rusqlite::Connection::open_in_memory()
        } else {
            rusqlite::Connection::open(path)
        }
        .map_err(|e| StoreError::Connect(format!("cannot open SQLite database {path}: {e}")))?;
        conn.busy_timeout(DEFAULT_WRITE_WAIT)
            .map_err(|e| sqlite_error("setting the busy timeout", e))?;
        conn.execute_batch(
            // A page cache of up to 256 MB (taken only as used) keeps bulk imports into indexed
            // tables from re-reading pages. A new database gets 16 KiB pages (an existing one
            // keeps its own): a page that a transaction wrote is found in the write-ahead log by
            // searching it block by block, so a large import, whose one transaction holds
            // gigabytes of pages, reads its rows back to build indexes about sixteen times
            // faster with a quarter of the pages (walFindFrame was over half of the time).
            &format!("PRAGMA page_size = {SQLITE_PAGE_SIZE}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{SQLITE_CACHE_KIB};"),
        )
        .map_err(|e| sqlite_error("setting up the connection", e))?;
        let identity = (path != ":memory:").then(|| {
            let p = std::path::Path::new(path);
            let full = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            format!("sqlite:{}", full.display())
        });
        Ok(Sqlite {
            conn,
            path: path.to_string(),
            identity,
        })
    }
}

/// The statement's first line, for error context (never its parameters: they may hold names).
fn statement_context(sql: &str) -> String {
    let first: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = first.chars().take(80).collect();
    format!("running `{short}`")
}

fn sqlite_error(context: &str, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::backend(context, e),
    }
}

impl Conn for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn reader(&self) -> Result<Option<Box<dyn Conn>>, StoreError> {
        if self.path == ":memory:" {
            return Ok(None);
        }
        Ok(Some(Box::new(Sqlite::open(&self.path)?)))
    }
    fn set_write_wait(&mut self, wait: std::time::Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(wait)
            .map_err(|e| sqlite_error("setting the busy timeout", e))
    }
    fn make_read_only(&mut self) -> Result<(), StoreError> {
        self.script("PRAGMA query_only = 1")
    }
    fn identity(&self) -> Option<String> {
        self.identity.clone()
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(|e| sqlite_error(&statement_context(sql), e))?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| sqlite_error(&statement_context(sql), e))?;
        Ok(n as u64)
    }
    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<u64, StoreError> {
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            marks.join(", ")
        );
        let fail = |e| sqlite_error(&statement_context(&sql), e);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(fail)?;
        for row in rows {
            row_fits(table, columns, row)?;
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(fail)?;
        }
        Ok(rows.len() as u64)
    }
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        let fail = |e| sqlite_error(&statement_context(sql), e);
        let mut stmt = self
            .conn
            .prepare_cached(&sqlite_placeholders(sql))
            .map_err(fail)?;
        let columns: std::sync::Arc<[String]> = stmt.column_names().map(str::to_string).collect();
        let n = columns.len();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(fail)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(fail)? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                use rusqlite::types::ValueRef;
                row.push(match r.get_ref(i).map_err(fail)? {
                    ValueRef::Null => Val::Text(None),
                    ValueRef::Integer(x) => Val::Int(Some(x)),
                    ValueRef::Real(x) => Val::Real(Some(x)),
                    ValueRef::Text(t) => Val::Text(Some(String::from_utf8_lossy(t).into_owned())),
                    ValueRef::Blob(b) => Val::Bytes(Some(b.to_vec())),
                });
            }
            out.push(Row::new(columns.clone(), row));
        }
        Ok(out)
    }
    fn script(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| sqlite_error(&statement_context(sql), e))
    }
}

/// A bulk row holds a value for each column, or the bulk write fails before the database sees it.
fn row_fits(table: &str, columns: &[&str], row: &[Val]) -> Result<(), StoreError> {
    if row.len() == columns.len() {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "a row for {table} has {} values for {} columns",
            row.len(),
            columns.len()
        )))
    }
}

/// Parameters are lent to SQLite, not copied: a bulk import binds tens of millions of them.
impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Val::Int(Some(x)) => ValueRef::Integer(*x),
            Val::Real(Some(x)) => ValueRef::Real(*x),
            Val::Text(Some(s)) => ValueRef::Text(s.as_bytes()),
            Val::Bytes(Some(b)) => ValueRef::Blob(b),
            _ => ValueRef::Null,
        }))
    }
}

pub struct Postgres {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    url: String,
    schema: Option<String>,
}

impl Postgres {
    /// Connects; with `schema`, creates it if needed and works inside it (tests use a fresh
    /// schema each).
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Postgres, StoreError> {
        let client = postgres::Client::connect(url, postgres::NoTls)
            .map_err(|e| StoreError::Connect(format!("cannot connect to PostgreSQL: {e}")))?;
        let mut pg = Postgres {
            client,
            statements: HashMap::new(),
            url: url.to_string(),
            schema: schema.map(str::to_string),
        };
        // Statements are prepared once and reused; a generic plan made while a table was empty
        // (the first batches of a bulk import) would scan it for every later lookup. Planning
        // each execution with its values keeps lookups on the index as the table grows.
        pg.script("SET plan_cache_mode = force_custom_plan")?;
        if let Some(s) = schema {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Invalid(format!(
                    "schema name `{s}` may only hold letters, digits and _"
                )));
            }
            pg.script(&format!(
                "CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s};"
            ))?;
        }
        Ok(pg)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self
            .client
            .prepare(sql)
            .map_err(|e| pg_error(&statement_context(sql), e))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn pg_error(context: &str, e: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    match e.code() {
        Some(c)
            if *c == SqlState::LOCK_NOT_AVAILABLE
                || *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            StoreError::Busy
        }
        _ => StoreError::backend(context, e),
    }
}

fn pg_params(params: &[Val]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| match v {
            Val::Int(x) => x as &(dyn postgres::types::ToSql + Sync),
            Val::Real(x) => x as &(dyn postgres::types::ToSql + Sync),
            Val::Text(x) => x as &(dyn postgres::types::ToSql + Sync),
            Val::Bytes(x) => x as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

impl Conn for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn reader(&self) -> Result<Option<Box<dyn Conn>>, StoreError> {
        Ok(Some(Box::new(Postgres::connect(
            &self.url,
            self.schema.as_deref(),
        )?)))
    }
    fn set_write_wait(&mut self, wait: std::time::Duration) -> Result<(), StoreError> {
        // Waits for any lock, the audit chain's advisory lock included.
        self.script(&format!("SET lock_timeout = {}", wait.as_millis().max(1)))
    }
    fn make_read_only(&mut self) -> Result<(), StoreError> {
        self.script("SET default_transaction_read_only = on")
    }
    fn is_lost(&self) -> bool {
        self.client.is_closed()
    }
    fn identity(&self) -> Option<String> {
        Some(format!(
            "postgres:{}#{}",
            self.url,
            self.schema.as_deref().unwrap_or("")
        ))
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        self.client
            .execute(&stmt, &pg_params(params))
            .map_err(|e| pg_error(&statement_context(sql), e))
    }
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        use postgres::types::Type;
        let stmt = self.statement(sql)?;
        let fail = |e| pg_error(&statement_context(sql), e);
        let columns: std::sync::Arc<[String]> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let rows = self.client.query(&stmt, &pg_params(params)).map_err(fail)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, c) in r.columns().iter().enumerate() {
                let t = c.type_();
                row.push(if *t == Type::INT8 {
                    Val::Int(r.try_get(i).map_err(fail)?)
                } else if *t == Type::INT4 {
                    Val::Int(r.try_get::<_, Option<i32>>(i).map_err(fail)?.map(i64::from))
                } else if *t == Type::FLOAT8 {
                    Val::Real(r.try_get(i).map_err(fail)?)
                } else if *t == Type::BYTEA {
                    Val::Bytes(r.try_get(i).map_err(fail)?)
                } else if *t == Type::NUMERIC {
                    return Err(StoreError::Corrupt(format!(
                        "column `{}` is NUMERIC, which jixiao does not use",
                        c.name()
                    )));
                } else {
                    Val::Text(r.try_get(i).map_err(fail)?)
                });
            }
            out.push(Row::new(columns.clone(), row));
        }
        Ok(out)
    }
    fn script(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client
            .batch_execute(sql)
            .map_err(|e| pg_error(&statement_context(sql), e))
    }
    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<u64, StoreError> {
        self.copy_in(table, columns, rows, "")
    }
    fn load_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
    ) -> Result<u64, StoreError> {
        self.copy_in(table, columns, rows, ", FREEZE")
    }
}

impl Postgres {
    /// Binary `COPY` of `rows` into `table`; `options` follow `FORMAT binary` in its list.
    fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Val>],
        options: &str,
    ) -> Result<u64, StoreError> {
        use postgres::binary_copy::BinaryCopyInWriter;
        if rows.is_empty() {
            return Ok(0);
        }
        // Binary COPY needs each column's type; the table's own, read once per shape.
        let probe = format!("SELECT {} FROM {table} LIMIT 0", columns.join(", "));
        let types: Vec<postgres::types::Type> = self
            .statement(&probe)?
            .columns()
            .iter()
            .map(|c| c.type_().clone())
            .collect();
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary{options})",
            columns.join(", ")
        );
        let fail = |e| pg_error(&statement_context(&sql), e);
        let sink = self.client.copy_in(&sql).map_err(fail)?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            row_fits(table, columns, row)?;
            writer.write(&pg_params(row)).map_err(fail)?;
        }
        writer.finish().map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_inside_string_literals_are_left_alone() {
        assert_eq!(
            super::sqlite_placeholders("SELECT '$1', $2"),
            "SELECT '$1', ?2"
        );
    }
}
