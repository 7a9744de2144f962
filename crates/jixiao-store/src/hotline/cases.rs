//! Cases and their events: imports, lifecycle events, the case list, contacts (viewed with a
//! record, erased after retention). Every write keeps rollups and packs in step.

use super::packs::{take_seq, PackChanges};
use super::partitions::{cases_table, Months};
use super::rollups::{add_contribution, add_place, Deltas, PlaceDeltas, Tally};
use super::rows::{case_from_row, stored_row, t, time, CASE_COLUMNS, CHUNK, SEQ_COLUMN};
use crate::conn::{Dialect, Val};
use crate::hotline_pack::CaseFacts;
use crate::{now, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use jixiao_hotline::case::apply;
use jixiao_hotline::case::RequestDetails;
use jixiao_hotline::{Case, Event, HotlineConfig};
use std::collections::HashMap;

/// A work queue of cases (see [`Store::hotline_work_cases`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkList {
    /// A street's or department's open, unhandled cases.
    Unit(String),
    /// Open cases with no unit: new, or returned and waiting for the centre.
    ToDispatch,
    /// Handled cases waiting for the callback.
    ToCallBack,
}

/// A street's application to leave a case out of its rates, and the centre's decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExclusionRequest {
    pub case_id: String,
    pub unit: String,
    /// One of [`jixiao_hotline::case::EXCLUSION_REASONS`].
    pub reason: String,
    pub note: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// None while pending.
    pub approved: Option<bool>,
}

const EXCLUSION_REQUEST_COLUMNS: &str =
    "case_id, unit, reason, note, requested_by, requested_at, decided_by, decided_at, approved";

fn exclusion_request(r: &crate::conn::Row) -> ExclusionRequest {
    let text = |i: usize| r[i].as_text().unwrap_or_default().to_string();
    ExclusionRequest {
        case_id: text(0),
        unit: text(1),
        reason: text(2),
        note: text(3),
        requested_by: text(4),
        requested_at: text(5),
        decided_by: r[6].as_text().map(str::to_string),
        decided_at: r[7].as_text().map(str::to_string),
        approved: r[8].as_int().map(|x| x == 1),
    }
}

/// What a caller knows beside an event (see [`Store::hotline_record`]).
#[derive(Debug, Clone, Default)]
pub struct EventMeta {
    /// Kept with the event (the handler's account of what was done).
    pub note: Option<String>,
    /// The sender's id of the event: recorded once per case.
    pub event_id: Option<String>,
}

/// A recorded event's case, and whether the event was new.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub case: Case,
    pub fresh: bool,
}

/// Contacts erased in one transaction of the retention job: small enough that a write waiting
/// behind it (a login, a saved value) is not kept long.
pub const CONTACT_ERASE_BATCH: u64 = 20_000;

/// The columns an imported case is written with: its own and its seal.
const SEALED_INSERT: [&str; CASE_COLUMNS.len() + 1] = {
    let mut out = [""; CASE_COLUMNS.len() + 1];
    let mut i = 0;
    while i < CASE_COLUMNS.len() {
        out[i] = CASE_COLUMNS[i];
        i += 1;
    }
    out[CASE_COLUMNS.len()] = "seal";
    out
};

/// A stored case, its place in the packs, and the month it is stored under.
pub(super) struct StoredCase {
    pub(super) case: Case,
    seq: Option<i64>,
    pub(super) month: String,
}

/// Cases an import must write before it refreshes PostgreSQL's statistics.
const ANALYZE_AFTER: usize = 10_000;

/// Summed counters an import keeps in memory before adding them to the stored ones.
const FLUSH_DELTAS: usize = 200_000;

/// The case table's partial indexes over open or returned cases, which a bulk import keeps up
/// to date as it writes instead of building them again (see `drop_case_indexes`).
const SMALL_PARTIAL_INDEXES: [&str; 5] = [
    "hotline_cases_open_by_unit",
    "hotline_cases_overdue",
    "hotline_cases_overdue_district",
    "hotline_cases_returned",
    "hotline_cases_to_call_back",
];

/// Cases an import reads, prepares and writes at a time.
const BATCH: usize = 2000;

/// A case as an import writes it: its row (its place in the packs still to be given) ending
/// with the row's seal, and its packed facts.
struct Prepared {
    case: Case,
    row: Vec<Val>,
    facts: CaseFacts,
}

/// What a batch leaves behind once written, handed to a thread of its own to be freed: the
/// cases, rows and packs were allocated by the reading and preparing threads, and freeing them
/// on the writing one (a fifth of its time at 25 M cases, most of it returning memory to the
/// heaps of other threads) kept the database waiting.
type Spent = (Vec<Case>, Vec<Vec<Val>>, PackChanges);

/// When an import adds to the rollup and place counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    /// Each case's contribution as it is written, added to the stored counters every so often
    /// (an import into a table with cases, whose counters it changes).
    CaseByCase,
    /// Summed in memory by the thread that prepares the rows, and written once after every
    /// case (into an empty table: no upsert finds a stored counter, and nothing written is
    /// read back, which inside one large SQLite transaction means searching its whole
    /// write-ahead log for each page).
    AtTheEnd,
}

/// Refuses a batch that names a case twice: which version is meant is the source's mistake to
/// put right (the CSV reader says so by row; this is the store's own guard, for every source).
fn each_case_once(batch: &[Prepared]) -> Result<()> {
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::with_capacity(batch.len());
    match batch.iter().find(|p| !seen.insert(p.case.id.as_str())) {
        Some(p) => Err(StoreError::Invalid(format!(
            "case `{}` occurs twice in what is being imported",
            p.case.id
        ))),
        None => Ok(()),
    }
}

/// The result of an import: cases inserted, updated, unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseImport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Where a page of the case list starts: next to the case received at `received_at` with id
/// `id`, towards older cases (`older`) or newer ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    pub received_at: String,
    pub id: String,
    pub older: bool,
}

impl CaseCursor {
    /// The cursor of the page after the one `last` ended (older cases) or before the one
    /// `first` began (newer cases).
    pub fn next_to(case: &Case, older: bool) -> CaseCursor {
        CaseCursor::at(case.received, &case.id, older)
    }

    /// The cursor next to the case received at `received` with id `id`.
    pub fn at(received: DateTime<Utc>, id: &str, older: bool) -> CaseCursor {
        CaseCursor {
            received_at: time(Some(received))
                .as_text()
                .unwrap_or_default()
                .to_string(),
            id: id.to_string(),
            older,
        }
    }
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub month: Option<String>,
    pub unit: Option<String>,
    pub district: Option<String>,
    /// One grid cell (网格).
    pub grid: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    /// Open and past the completion deadline at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only these cases (overrides nothing else; callers decide).
    pub ids: Vec<String>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// `Some(true)`: not closed; `Some(false)`: closed.
    pub open: Option<bool>,
}

/// The SQLite page cache of a bulk hotline import, in KiB (1 GiB; the connection goes back to
/// its usual cache afterwards).
const IMPORT_CACHE_KIB: i64 = 1024 * 1024;

/// The SQLite page cache while a bulk import builds the case table's indexes again, in KiB.
/// SQLite sorts an index's keys in runs of at most the cache's size before merging them: runs
/// of 64 MiB sort faster than runs of 512 MiB (the most a 1 GiB cache allows), whose keys no
/// longer fit the processor's caches. With helper threads sorting the runs while the table is
/// read (`SORT_THREADS`), building the received-time index over 25 M cases took 23 s against
/// 51 s with one thread and the import's cache (docs/benchmarks.md). The cache still holds up
/// to `IMPORT_CACHE_KIB` of changed pages before writing them out (`cache_spill`): written out
/// early, a page changed again is written over in the log, and the commit then reads the log
/// back from that page on to sum it again (a 25 M-case import took 858 s that way, 530 s
/// this way, 624 s before either).
const INDEX_BUILD_CACHE_KIB: i64 = 64 * 1024;

/// The most helper threads SQLite's sorter may use to build an index (it allows 8).
const SORT_THREADS: usize = 4;

impl Store {
    fn cases_by_id(&mut self, ids: &[&str]) -> Result<HashMap<String, Case>> {
        Ok(self
            .stored_cases(ids)?
            .into_iter()
            .map(|(id, stored)| (id, stored.case))
            .collect())
    }

    /// Cases by id with their `seq` (their place in the packs) and stored month. On PostgreSQL
    /// the months come first from the id → month table, so each month's partition is searched
    /// alone.
    pub(super) fn stored_cases(&mut self, ids: &[&str]) -> Result<HashMap<String, StoredCase>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let groups: Vec<(Option<String>, Vec<String>)> = if self.is_postgres() {
                self.case_months(chunk)?
                    .into_iter()
                    .map(|(m, ids)| (Some(m), ids))
                    .collect()
            } else {
                vec![(None, chunk.iter().map(|i| i.to_string()).collect())]
            };
            for (month, ids) in groups {
                // A month's own table: its partition, or the table an import is still filling.
                let table = match &month {
                    Some(m) => cases_table(m)?,
                    None => "hotline_cases".to_string(),
                };
                let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
                let params: Vec<Val> = ids.iter().map(|i| t(i)).collect();
                let sql = format!(
                    "SELECT {} FROM {table} WHERE id IN ({})",
                    CASE_COLUMNS.join(", "),
                    marks.join(", ")
                );
                for r in self.conn.query(&sql, &params)? {
                    if let Some(c) = case_from_row(&r) {
                        let month = r[3].as_text().unwrap_or_default().to_string();
                        out.insert(
                            c.id.clone(),
                            StoredCase {
                                case: c,
                                seq: r[SEQ_COLUMN].as_int(),
                                month,
                            },
                        );
                    }
                }
            }
        }
        Ok(out)
    }

    /// Imports cases, all or nothing: new ids are inserted, changed ones updated, equal ones
    /// left alone (importing the same file twice changes nothing); the rollup counters follow in
    /// the same transaction. `progress` is told how many cases are done.
    pub fn hotline_import(
        &mut self,
        cases: &mut dyn Iterator<Item = Case>,
        source: &str,
        config: &HotlineConfig,
        actor: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<CaseImport> {
        self.hotline_import_checked(cases, source, config, actor, progress, &mut || Ok(()))
    }

    /// [`Store::hotline_import`] of cases that are checked while they stream in: once `cases`
    /// ends, `verdict` says whether the whole source was good; if it was not, the transaction
    /// is rolled back and nothing of the import remains. A file is then read once, not checked
    /// in a first pass and written in a second.
    pub fn hotline_import_checked(
        &mut self,
        cases: &mut dyn Iterator<Item = Case>,
        source: &str,
        config: &HotlineConfig,
        actor: &str,
        progress: &mut dyn FnMut(usize),
        verdict: &mut dyn FnMut() -> std::result::Result<(), String>,
    ) -> Result<CaseImport> {
        // SQLite: a bulk import works on a larger page cache (the cases' indexes are updated in
        // random key order, and once they outgrow the cache every insert reads pages back), and
        // into an empty case table it builds the large secondary indexes after the rows (a sort
        // per index instead of millions of random inserts), all inside the one transaction.
        let bulk = !self.is_postgres();
        if bulk {
            self.conn
                .script(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        }
        let result = self.tx(|s| {
            s.hotline_touched = true;
            // Into an empty case table, the counters are summed in memory as the cases are
            // prepared and written once at the end, instead of case by case into the stored
            // ones (the same figures, tested).
            let first = s.hotline_cases_empty()? && s.next_seq()? == 0;
            let deferred = if bulk && first {
                s.drop_case_indexes()?
            } else {
                Vec::new()
            };
            let counting = if first {
                Counting::AtTheEnd
            } else {
                Counting::CaseByCase
            };
            let outcome = s.import_cases(cases, source, config, actor, progress, counting)?;
            verdict().map_err(StoreError::Invalid)?;
            if !deferred.is_empty() {
                let threads = std::thread::available_parallelism()
                    .map_or(1, |n| n.get())
                    .min(SORT_THREADS);
                // Negative: KiB, as for cache_size.
                s.conn.script(&format!(
                    "PRAGMA cache_spill = -{IMPORT_CACHE_KIB}; PRAGMA cache_size = -{INDEX_BUILD_CACHE_KIB}; PRAGMA threads = {threads}"
                ))?;
                for create in &deferred {
                    s.conn.script(create)?;
                }
            }
            let imported = outcome.0.inserted + outcome.0.updated;
            // PostgreSQL plans from table statistics, which a large import leaves stale until
            // autovacuum comes by (estimates off by 30× were seen right after the demo's
            // import). Sampling is cheap, and it joins the transaction.
            if s.is_postgres() && imported >= ANALYZE_AFTER {
                s.conn.script(
                    "ANALYZE hotline_cases; ANALYZE hotline_rollups; ANALYZE hotline_place_rollups",
                )?;
            }
            Ok(outcome)
        });
        if bulk {
            self.conn.script(&format!(
                "PRAGMA cache_size = -{0}; PRAGMA cache_spill = -{0}; PRAGMA threads = 0",
                crate::conn::SQLITE_CACHE_KIB
            ))?;
        }
        let (outcome, months) = result?;
        if self.is_postgres() && outcome.inserted + outcome.updated >= ANALYZE_AFTER {
            // A large import leaves its months' partitions without a visibility map, so even
            // counting a month's cases reads the table (37 ms for a case list at 1 M cases, where
            // an index-only count takes 2). VACUUM cannot run inside the import's transaction:
            // it runs right after, a month at a time, while readers go on (statistics were
            // gathered inside the transaction). A failure here loses nothing (autovacuum comes
            // by later).
            for month in months {
                if let Some(table) = super::partitions::partition("hotline_cases", &month) {
                    if let Err(e) = self.conn.script(&format!("VACUUM {table}")) {
                        tracing::warn!(error = %e.chain(), table, "vacuum after the import failed");
                    }
                }
            }
        }
        Ok(outcome)
    }

    /// A request submitted through Open311 and what came with it, in one transaction.
    pub fn hotline_submit(
        &mut self,
        case: Case,
        details: &RequestDetails,
        config: &HotlineConfig,
        actor: &str,
    ) -> Result<()> {
        let attributes = serde_json::to_string(&details.attributes)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let id = case.id.clone();
        self.tx(|s| {
            s.hotline_touched = true;
            s.import_cases(
                &mut std::iter::once(case),
                "open311",
                config,
                actor,
                &mut |_| {},
                Counting::CaseByCase,
            )?;
            s.conn.exec(
                "INSERT INTO open311_details (case_id, media_url, attributes) VALUES ($1, $2, $3)",
                &[t(&id), Val::Text(details.media_url.clone()), t(&attributes)],
            )?;
            Ok(())
        })
    }

    /// What Open311 clients sent with these requests, by case id (requests from other sources
    /// have none).
    pub fn open311_details(&mut self, ids: &[&str]) -> Result<HashMap<String, RequestDetails>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT case_id, media_url, attributes FROM open311_details WHERE case_id IN ({})",
                marks.join(", ")
            );
            let params: Vec<Val> = chunk.iter().map(|i| t(i)).collect();
            for r in self.conn.query(&sql, &params)? {
                let attributes = r[2]
                    .as_text()
                    .and_then(|a| serde_json::from_str(a).ok())
                    .unwrap_or_default();
                out.insert(
                    r[0].as_text().unwrap_or_default().to_string(),
                    RequestDetails {
                        media_url: r[1].as_text().map(str::to_string),
                        attributes,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Writes the cases; answers what it did and the months whose partitions it wrote to
    /// (PostgreSQL; none on SQLite).
    ///
    /// A second thread turns each batch of cases into sealed rows and packed facts while this
    /// one writes the batch before it: the store's connection stays busy with the database, and
    /// the other core does the formatting and hashing (at 1 M cases, 4 of the 30 seconds the
    /// import took when one thread did everything).
    pub(crate) fn import_cases(
        &mut self,
        cases: &mut dyn Iterator<Item = Case>,
        source: &str,
        config: &HotlineConfig,
        actor: &str,
        progress: &mut dyn FnMut(usize),
        counting: Counting,
    ) -> Result<(CaseImport, std::collections::BTreeSet<String>)> {
        let by_case = counting == Counting::CaseByCase;
        let districts = self.district_map()?;
        let at = now();
        // Rows are sealed as they are written, by the one entry the import appends at its end
        // (the next in the log: the transaction holds the write lock). A seal leaves out the
        // row's place in the packs, so a row is sealed before it has one.
        let seal_seq = self.audit_head()?.0 + 1;
        let prepare = |c: Case| -> Prepared {
            let (mut row, facts) = stored_row(&c, config, &districts, source, &at, 0);
            let seal = crate::seals::seal("hotline_cases", &row[..SEQ_COLUMN], seal_seq);
            row.push(Val::text(seal));
            Prepared {
                case: c,
                row,
                facts,
            }
        };
        std::thread::scope(|scope| {
            // Both ends this side are dropped when this closure returns, early on an error too,
            // so the preparing thread never waits for a batch or a reader that will not come.
            let (jobs, batches_to_prepare) = std::sync::mpsc::sync_channel::<Vec<Case>>(1);
            let (prepared_batches, ready) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(1);
            let (spent, to_free) = std::sync::mpsc::sync_channel::<Spent>(2);
            scope.spawn(move || to_free.into_iter().for_each(drop));
            let known = &districts;
            let preparing = scope.spawn(move || {
                let mut tally = Tally::default();
                for batch in batches_to_prepare {
                    let out: Vec<Prepared> = batch.into_iter().map(prepare).collect();
                    if !by_case {
                        for p in &out {
                            tally.add(&p.case, &p.facts, 1, config, known);
                        }
                    }
                    if prepared_batches.send(out).is_err() {
                        break;
                    }
                }
                tally
            });
            let s = self;
            let mut outcome = CaseImport::default();
            let mut deltas = Deltas::new();
            let mut places = PlaceDeltas::new();
            let mut done = 0;
            let mut next_seq = s.next_seq()?;
            let mut months = Months::filled_before_attached();
            // Into an empty table, an id above every id this import has written cannot be
            // stored: only the others are looked up (none, for a file in id order).
            let mut highest: Option<String> = None;
            let mut superseded = Tally::default();
            // Two batches are out at a time: one being prepared, one waiting to be written.
            let mut out = 0;
            let mut source_done = false;
            loop {
                while out < 2 && !source_done {
                    let batch: Vec<Case> = (&mut *cases).take(BATCH).collect();
                    if batch.is_empty() {
                        source_done = true;
                    } else if jobs.send(batch).is_ok() {
                        out += 1;
                    }
                }
                if out == 0 {
                    break;
                }
                let batch = ready
                    .recv()
                    .map_err(|_| StoreError::Invalid("preparing the cases' rows failed".into()))?;
                out -= 1;
                each_case_once(&batch)?;
                let ids: Vec<&str> = batch
                    .iter()
                    .map(|p| p.case.id.as_str())
                    .filter(|id| by_case || highest.as_deref().is_some_and(|h| *id <= h))
                    .collect();
                let existing = s.stored_cases(&ids)?;
                if !by_case {
                    if let Some(top) = batch.iter().map(|p| p.case.id.as_str()).max() {
                        if highest.as_deref().is_none_or(|h| top > h) {
                            highest = Some(top.to_string());
                        }
                    }
                }
                let mut packs = PackChanges::new();
                let mut rows = Vec::with_capacity(batch.len());
                let mut fresh_facts = Vec::with_capacity(batch.len());
                let mut cases_written = Vec::with_capacity(batch.len());
                let mut spent_rows = Vec::new();
                for Prepared {
                    case: c,
                    mut row,
                    facts,
                } in batch
                {
                    match existing.get(&c.id) {
                        Some(stored) if stored.case == c => {
                            // Counted by the preparing thread once more than it is stored.
                            if !by_case {
                                superseded.add(&c, &facts, -1, config, &districts);
                            }
                            outcome.unchanged += 1
                        }
                        Some(StoredCase {
                            case: old,
                            seq,
                            month: old_month,
                        }) => {
                            if by_case {
                                add_contribution(&mut deltas, old, -1, config, &districts);
                                add_contribution(&mut deltas, &c, 1, config, &districts);
                                add_place(&mut places, old, -1, config, &districts);
                                add_place(&mut places, &c, 1, config, &districts);
                            } else {
                                // The version it replaces was counted when it was prepared.
                                let (_, old_facts) =
                                    stored_row(old, config, &districts, source, &at, 0);
                                superseded.add(old, &old_facts, -1, config, &districts);
                            }
                            let seq = seq.unwrap_or_else(|| take_seq(&mut next_seq));
                            row[SEQ_COLUMN] = Val::Int(Some(seq));
                            let seal = match row.pop() {
                                Some(Val::Text(seal)) => seal,
                                _ => None,
                            };
                            s.update_case(row, old_month, true, seal, &mut months)?;
                            s.put_facts(&mut packs, seq, facts)?;
                            outcome.updated += 1;
                        }
                        None => {
                            if by_case {
                                add_contribution(&mut deltas, &c, 1, config, &districts);
                                add_place(&mut places, &c, 1, config, &districts);
                            }
                            let seq = take_seq(&mut next_seq);
                            row[SEQ_COLUMN] = Val::Int(Some(seq));
                            rows.push(row);
                            fresh_facts.push((seq, facts));
                        }
                    }
                    cases_written.push(c);
                    done += 1;
                }
                for (seq, facts) in fresh_facts {
                    s.put_facts(&mut packs, seq, facts)?;
                }
                if s.is_postgres() {
                    s.ensure_hotline_months(
                        rows.iter().filter_map(|r| r[3].as_text()),
                        &mut months,
                    )?;
                    let keys: Vec<Vec<Val>> = rows
                        .iter()
                        .map(|r| vec![r[0].clone(), r[3].clone()])
                        .collect();
                    s.conn
                        .insert_rows("hotline_case_months", &["id", "month"], &keys)?;
                    spent_rows.extend(keys);
                }
                if s.is_postgres() {
                    // Each month's rows into its own table: a month being filled is not yet a
                    // partition the parent could route them to.
                    let mut by_month: std::collections::BTreeMap<String, Vec<Vec<Val>>> =
                        Default::default();
                    for row in rows.drain(..) {
                        let month = row[3].as_text().unwrap_or_default().to_string();
                        by_month.entry(month).or_default().push(row);
                    }
                    for (month, rows) in &by_month {
                        let table = cases_table(month)?;
                        if months.is_filling(month) {
                            s.conn.load_rows(&table, &SEALED_INSERT, rows)?;
                        } else {
                            s.conn.insert_rows(&table, &SEALED_INSERT, rows)?;
                        }
                        outcome.inserted += rows.len();
                    }
                    spent_rows.extend(by_month.into_values().flatten());
                } else {
                    s.conn.insert_rows("hotline_cases", &SEALED_INSERT, &rows)?;
                    outcome.inserted += rows.len();
                    spent_rows.append(&mut rows);
                }
                s.write_packs(&packs)?;
                // Freed elsewhere; if that thread is gone, here.
                let _ = spent.send((cases_written, spent_rows, packs));
                // Counters are summed in memory and added to the stored ones in the same
                // transaction; past a bound they are added early, so memory stays bounded however
                // long the file (25 million cases touch millions of place counts).
                if deltas.len() + places.len() > FLUSH_DELTAS {
                    s.add_rollups(&deltas)?;
                    s.add_places(&places)?;
                    deltas.clear();
                    places.clear();
                }
                progress(done);
            }
            s.add_rollups(&deltas)?;
            s.add_places(&places)?;
            drop(jobs);
            let mut tally = preparing
                .join()
                .map_err(|_| StoreError::Invalid("preparing the cases' rows failed".into()))?;
            if !by_case {
                tally.merge(superseded);
                s.add_rollup_rows(&tally.rollup_rows())?;
                s.add_place_rows(tally.place_rows())?;
            }
            s.attach_filled_months(&mut months, None)?;
            if outcome.inserted + outcome.updated > 0 {
                s.audit_append(
                    &at,
                    actor,
                    "hotline.import",
                    &format!("hotline/import/{source}"),
                    None,
                    Some(format!(
                        "{} inserted, {} updated, {} unchanged",
                        outcome.inserted, outcome.updated, outcome.unchanged
                    )),
                )?;
                if s.last_audit_seq != seal_seq {
                    return Err(StoreError::Invalid(format!(
                        "the import's audit entry is #{}, its rows were sealed for #{seal_seq}",
                        s.last_audit_seq
                    )));
                }
            }
            Ok((outcome, months.into_known().into_iter().collect()))
        })
    }

    fn hotline_cases_empty(&mut self) -> Result<bool> {
        Ok(self
            .conn
            .query("SELECT 1 FROM hotline_cases LIMIT 1", &[])?
            .is_empty())
    }

    /// Drops the case table's secondary indexes (SQLite) and answers the statements that make
    /// them again, as the migrations wrote them. The partial indexes of open and returned cases
    /// stay: they hold few of the rows of any import of past months, so keeping them in step
    /// costs less than the full scan that building each of them again would take (at 1 M cases,
    /// about 0.2 s each).
    fn drop_case_indexes(&mut self) -> Result<Vec<String>> {
        let rows = self.conn.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hotline_cases' AND sql IS NOT NULL ORDER BY name",
            &[],
        )?;
        let mut creates = Vec::new();
        for r in &rows {
            let (Some(name), Some(sql)) = (r[0].as_text(), r[1].as_text()) else {
                continue;
            };
            if SMALL_PARTIAL_INDEXES.contains(&name) {
                continue;
            }
            self.conn.script(&format!("DROP INDEX {name}"))?;
            creates.push(sql.to_string());
        }
        Ok(creates)
    }

    pub fn hotline_case(&mut self, id: &str) -> Result<Option<Case>> {
        Ok(self.cases_by_id(&[id])?.remove(id))
    }

    /// The case's events: (at, kind, actor, detail).
    pub fn hotline_events(&mut self, id: &str) -> Result<Vec<(String, String, String, String)>> {
        Ok(self
            .conn
            .query("SELECT at, kind, actor, detail FROM hotline_events WHERE case_id = $1 ORDER BY seq", &[t(id)])?
            .iter()
            .map(|r| {
                let s = |i: usize| r[i].as_text().unwrap_or_default().to_string();
                (s(0), s(1), s(2), s(3))
            })
            .collect())
    }

    /// Applies a lifecycle event to a stored case; the counters follow in the same transaction.
    /// Every event is also written to the audit log, which seals the case and the event.
    pub fn hotline_apply(
        &mut self,
        id: &str,
        event: &Event,
        at: DateTime<Utc>,
        config: &HotlineConfig,
        actor: &str,
    ) -> Result<Case> {
        Ok(self
            .hotline_record(id, event, at, config, actor, &EventMeta::default())?
            .case)
    }

    /// [`Store::hotline_apply`] with what the caller knows beside the event: a note kept with
    /// it, and the id its sender gave it. An event whose id this case has recorded already is
    /// not applied again (`fresh` is false); the same id with another kind of event is refused.
    pub fn hotline_record(
        &mut self,
        id: &str,
        event: &Event,
        at: DateTime<Utc>,
        config: &HotlineConfig,
        actor: &str,
        meta: &EventMeta,
    ) -> Result<Recorded> {
        let districts = self.district_map()?;
        self.tx(|s| s.record_case_event(&districts, id, event, at, config, actor, meta))
    }

    /// The body of [`Store::hotline_record`], inside the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    fn record_case_event(
        &mut self,
        districts: &HashMap<String, String>,
        id: &str,
        event: &Event,
        at: DateTime<Utc>,
        config: &HotlineConfig,
        actor: &str,
        meta: &EventMeta,
    ) -> Result<Recorded> {
        let s = self;
        s.hotline_touched = true;
        let StoredCase {
            case: old,
            seq,
            month: old_month,
        } = s
            .stored_cases(&[id])?
            .remove(id)
            .ok_or_else(|| StoreError::NotFound(format!("case `{id}`")))?;
        if let Some(eid) = &meta.event_id {
            if let Some(kind) = s.case_event_kind(id, eid)? {
                if kind != event.name() {
                    return Err(StoreError::Invalid(format!(
                        "event id `{eid}` of case {id} was recorded for a {kind} event, not {}",
                        event.name()
                    )));
                }
                return Ok(Recorded {
                    case: old,
                    fresh: false,
                });
            }
        }
        let new = apply(&old, event, at).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut deltas = Deltas::new();
        add_contribution(&mut deltas, &old, -1, config, districts);
        add_contribution(&mut deltas, &new, 1, config, districts);
        let mut places = PlaceDeltas::new();
        add_place(&mut places, &old, -1, config, districts);
        add_place(&mut places, &new, 1, config, districts);
        s.add_places(&places)?;
        let seq = match seq {
            Some(q) => q,
            None => s.next_seq()?,
        };
        let (row, facts) = stored_row(&new, config, districts, "", &now(), seq);
        let month = row[3].clone();
        s.update_case(row, &old_month, false, None, &mut Default::default())?;
        let mut packs = PackChanges::new();
        s.put_facts(&mut packs, seq, facts)?;
        s.write_packs(&packs)?;
        s.add_rollups(&deltas)?;
        // A grid inspector's report passed to the street is disposed when its case is handled.
        if new.channel == jixiao_hotline::Channel::GridPatrol && new.handled != old.handled {
            s.grid_case_handled(id, new.handled)?;
        }
        let mut detail = serde_json::to_value(event).unwrap_or_default();
        if let (Some(note), Some(map)) = (&meta.note, detail.as_object_mut()) {
            map.insert("note".into(), note.clone().into());
        }
        s.append_case_event(
            id,
            month,
            event.name(),
            detail.to_string(),
            at,
            actor,
            meta.event_id.as_deref(),
        )?;
        Ok(Recorded {
            case: new,
            fresh: true,
        })
    }

    /// Appends an event to case `id`'s record (in the caller's transaction): the event row in
    /// the case's month, its audit entry, and the seal of both.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append_case_event(
        &mut self,
        id: &str,
        month: Val,
        kind: &str,
        detail: String,
        at: DateTime<Utc>,
        actor: &str,
        event_id: Option<&str>,
    ) -> Result<()> {
        let s = self;
        let seq = s
            .conn
            .query(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM hotline_events WHERE case_id = $1",
                &[t(id)],
            )?
            .first()
            .and_then(|r| r[0].as_int())
            .unwrap_or(1);
        s.conn.exec(
            "INSERT INTO hotline_events (case_id, seq, at, kind, actor, detail, month, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[t(id), Val::Int(Some(seq)), time(Some(at)), t(kind), t(actor), t(&detail), month, Val::Text(event_id.map(str::to_string))],
        )?;
        // Every event is audited (it seals the case and the event's row).
        s.audit_append(
            &now(),
            actor,
            &format!("hotline.{kind}"),
            &format!("hotline/case/{id}"),
            None,
            Some(detail),
        )?;
        let entry = s.last_audit_seq;
        s.pend_seal("hotline_events", vec![t(id), Val::Int(Some(seq))], entry);
        Ok(())
    }

    /// The kind of the event recorded on case `id` under `event_id`, if one was.
    pub(crate) fn case_event_kind(&mut self, id: &str, event_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query(
                "SELECT kind FROM hotline_events WHERE case_id = $1 AND event_id = $2",
                &[t(id), t(event_id)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// The WHERE clause of a case filter and its parameters.
    fn case_filter_sql(f: &CaseFilter) -> (String, Vec<Val>) {
        let mut cond: Vec<String> = Vec::new();
        let mut params: Vec<Val> = Vec::new();
        fn add(cond: &mut Vec<String>, params: &mut Vec<Val>, c: &str, v: Val) {
            params.push(v);
            cond.push(c.replace('?', &format!("${}", params.len())));
        }
        if let Some(m) = &f.month {
            add(&mut cond, &mut params, "month = ?", t(m));
        }
        if let Some(u) = &f.unit {
            add(&mut cond, &mut params, "unit = ?", t(u));
        }
        if let Some(d) = &f.district {
            add(&mut cond, &mut params, "district = ?", t(d));
        }
        if let Some(g) = &f.grid {
            add(&mut cond, &mut params, "grid = ?", t(g));
        }
        if let Some(c) = f.category.as_ref().filter(|c| !c.is_empty()) {
            add(
                &mut cond,
                &mut params,
                "category LIKE ?",
                t(&format!("{c}%")),
            );
        }
        if let Some(st) = &f.stage {
            add(&mut cond, &mut params, "stage = ?", t(st));
        }
        if !f.ids.is_empty() {
            let mut marks = Vec::new();
            for id in f.ids.iter().take(CHUNK) {
                params.push(t(id));
                marks.push(format!("${}", params.len()));
            }
            cond.push(format!("id IN ({})", marks.join(", ")));
        }
        if let Some(from) = f.received_from {
            add(&mut cond, &mut params, "received_at >= ?", time(Some(from)));
        }
        if let Some(to) = f.received_to {
            add(&mut cond, &mut params, "received_at <= ?", time(Some(to)));
        }
        match f.open {
            Some(true) => cond.push("stage <> 'closed'".into()),
            Some(false) => cond.push("stage = 'closed'".into()),
            None => {}
        }
        if let Some(at) = f.overdue_at {
            add(
                &mut cond,
                &mut params,
                "stage <> 'closed' AND handled_at IS NULL AND completion_due < ?",
                time(Some(at)),
            );
        }
        let wh = if cond.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", cond.join(" AND "))
        };
        (wh, params)
    }

    /// A page of cases, newest first, and how many match.
    pub fn hotline_cases(
        &mut self,
        f: &CaseFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Case>, i64)> {
        let (wh, params) = Self::case_filter_sql(f);
        let total = self
            .conn
            .query(&format!("SELECT COUNT(*) FROM hotline_cases{wh}"), &params)?
            .first()
            .and_then(|r| r[0].as_int())
            .unwrap_or(0);
        let sql = format!(
            "SELECT {} FROM hotline_cases{wh} ORDER BY received_at DESC, id LIMIT {} OFFSET {}",
            CASE_COLUMNS.join(", "),
            limit.min(1000),
            offset
        );
        let cases = self
            .conn
            .query(&sql, &params)?
            .iter()
            .filter_map(case_from_row)
            .collect();
        Ok((cases, total))
    }

    /// Records a street's application to leave case `id` out of its rates; refused while one
    /// is pending. The case must be with `unit`.
    pub fn hotline_request_exclusion(
        &mut self,
        id: &str,
        unit: &str,
        reason: &str,
        note: &str,
        actor: &str,
    ) -> Result<()> {
        self.tx(|s| {
            if s
                .hotline_exclusion_request(id)?
                .is_some_and(|r| r.decided_at.is_none())
            {
                return Err(StoreError::Conflict(format!(
                    "case {id} has an exclusion application waiting for the centre's decision"
                )));
            }
            let at = now();
            s.conn.exec(
                "INSERT INTO hotline_exclusion_requests (case_id, unit, reason, note, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (case_id) DO UPDATE SET unit = excluded.unit, reason = excluded.reason, note = excluded.note, requested_by = excluded.requested_by, \
                 requested_at = excluded.requested_at, decided_by = NULL, decided_at = NULL, approved = NULL",
                &[t(id), t(unit), t(reason), t(note), t(actor), t(&at)],
            )?;
            s.audit_append(&at, actor, "hotline.exclusion_request", &format!("hotline/case/{id}"), None, Some(format!("{reason}: {note}")))?;
            Ok(())
        })
    }

    /// A case's exclusion application, pending or decided.
    pub fn hotline_exclusion_request(&mut self, id: &str) -> Result<Option<ExclusionRequest>> {
        Ok(self
            .conn
            .query(
                &format!("SELECT {EXCLUSION_REQUEST_COLUMNS} FROM hotline_exclusion_requests WHERE case_id = $1"),
                &[t(id)],
            )?
            .first()
            .map(exclusion_request))
    }

    /// The applications waiting for the centre, oldest first, at most `limit`.
    pub fn hotline_pending_exclusions(&mut self, limit: usize) -> Result<Vec<ExclusionRequest>> {
        Ok(self
            .conn
            .query(
                &format!("SELECT {EXCLUSION_REQUEST_COLUMNS} FROM hotline_exclusion_requests WHERE decided_at IS NULL ORDER BY requested_at LIMIT {}", limit.min(1000)),
                &[],
            )?
            .iter()
            .map(exclusion_request)
            .collect())
    }

    /// Decides case `id`'s pending application; an approval leaves the case out of the rates
    /// (the exclusion event, with its rollups) in the same transaction.
    pub fn hotline_decide_exclusion(
        &mut self,
        id: &str,
        approve: bool,
        config: &HotlineConfig,
        actor: &str,
    ) -> Result<()> {
        let districts = self.district_map()?;
        self.tx(|s| {
            let Some(r) = s
                .hotline_exclusion_request(id)?
                .filter(|r| r.decided_at.is_none())
            else {
                return Err(StoreError::NotFound(format!(
                    "an exclusion application of case {id} waiting for a decision"
                )));
            };
            let at = now();
            s.conn.exec(
                "UPDATE hotline_exclusion_requests SET decided_by = $2, decided_at = $3, approved = $4 WHERE case_id = $1",
                &[t(id), t(actor), t(&at), Val::Int(Some(approve as i64))],
            )?;
            s.audit_append(&at, actor, "hotline.exclusion_decision", &format!("hotline/case/{id}"), None, Some(if approve { "approved" } else { "refused" }.into()))?;
            if approve {
                let event = Event::Exclude(jixiao_hotline::case::Exclusion {
                    reason: r.reason.clone(),
                    note: r.note.clone(),
                    approver: actor.to_string(),
                });
                s.record_case_event(&districts, id, &event, Utc::now(), config, actor, &EventMeta::default())?;
            }
            Ok(())
        })
    }

    /// The cases waiting in a work queue, the most urgent first, at most `limit`; each read
    /// from its partial index (migration 22), whatever the number of cases stored.
    pub fn hotline_work_cases(&mut self, list: &WorkList, limit: usize) -> Result<Vec<Case>> {
        let cols = CASE_COLUMNS.join(", ");
        let limit = limit.min(1000);
        // The conditions are written as the partial indexes' own, so both databases use them.
        let (sql, params) = match list {
            WorkList::Unit(u) => (
                format!("SELECT {cols} FROM hotline_cases WHERE stage <> 'closed' AND handled_at IS NULL AND unit = $1 ORDER BY completion_due, id LIMIT {limit}"),
                vec![t(u)],
            ),
            WorkList::ToDispatch => (
                format!("SELECT {cols} FROM hotline_cases WHERE stage <> 'closed' AND handled_at IS NULL AND unit IS NULL ORDER BY completion_due, id LIMIT {limit}"),
                vec![],
            ),
            WorkList::ToCallBack => (
                format!("SELECT {cols} FROM hotline_cases WHERE stage = 'handled' ORDER BY handled_at, id LIMIT {limit}"),
                vec![],
            ),
        };
        Ok(self
            .conn
            .query(&sql, &params)?
            .iter()
            .filter_map(case_from_row)
            .collect())
    }

    /// How many cases match, counted up to `cap` (a list says "10,000+" rather than walk
    /// millions of rows to count them).
    pub fn hotline_case_count(&mut self, f: &CaseFilter, cap: i64) -> Result<i64> {
        let (wh, params) = Self::case_filter_sql(f);
        Ok(self
            .conn
            .query(
                &format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM hotline_cases{wh} LIMIT {}) AS capped",
                    cap.max(0)
                ),
                &params,
            )?
            .first()
            .and_then(|r| r[0].as_int())
            .unwrap_or(0))
    }

    /// A page of cases next to `cursor` (keyset paging: however deep the page, the database
    /// seeks to it instead of skipping the cases before it), newest first, with whether more
    /// follow in the direction of travel. No cursor: the first page.
    pub fn hotline_case_page(
        &mut self,
        f: &CaseFilter,
        limit: usize,
        cursor: Option<&CaseCursor>,
    ) -> Result<(Vec<Case>, bool)> {
        let (mut wh, mut params) = Self::case_filter_sql(f);
        let limit = limit.clamp(1, 1000);
        let mut order = "received_at DESC, id";
        if let Some(c) = cursor {
            params.push(t(&c.received_at));
            let r = params.len();
            params.push(t(&c.id));
            let i = params.len();
            let seek = if c.older {
                format!("(received_at < ${r} OR (received_at = ${r} AND id > ${i}))")
            } else {
                order = "received_at, id DESC";
                format!("(received_at > ${r} OR (received_at = ${r} AND id < ${i}))")
            };
            wh = if wh.is_empty() {
                format!(" WHERE {seek}")
            } else {
                format!("{wh} AND {seek}")
            };
        }
        let sql = format!(
            "SELECT {} FROM hotline_cases{wh} ORDER BY {order} LIMIT {}",
            CASE_COLUMNS.join(", "),
            limit + 1
        );
        let mut cases: Vec<Case> = self
            .conn
            .query(&sql, &params)?
            .iter()
            .filter_map(case_from_row)
            .collect();
        let more = cases.len() > limit;
        cases.truncate(limit);
        if cursor.is_some_and(|c| !c.older) {
            cases.reverse();
        }
        Ok((cases, more))
    }

    /// The requester's contact in full, recording who looked (Personal Information Protection
    /// Law): a row in `hotline_contact_views` and an audit entry.
    pub fn hotline_view_contact(&mut self, id: &str, viewer: &str) -> Result<Option<String>> {
        self.tx(|s| {
            let contact = s
                .conn
                .query("SELECT contact FROM hotline_cases WHERE id = $1", &[t(id)])?
                .first()
                .ok_or_else(|| StoreError::NotFound(format!("case `{id}`")))?[0]
                .as_text()
                .map(str::to_string);
            let at = now();
            s.conn.exec(
                "INSERT INTO hotline_contact_views (case_id, viewer, at) VALUES ($1, $2, $3)",
                &[t(id), t(viewer), t(&at)],
            )?;
            s.audit_append(
                &at,
                viewer,
                "hotline.contact_view",
                &format!("hotline/case/{id}"),
                None,
                None,
            )?;
            Ok(contact)
        })
    }

    /// Erases the contacts of cases closed before `before` (the retention job); returns how many.
    /// Runs in batches of [`CONTACT_ERASE_BATCH`], each its own transaction, so other writes
    /// get through between them however many contacts have expired.
    pub fn hotline_erase_contacts(&mut self, before: DateTime<Utc>, actor: &str) -> Result<u64> {
        let mut total = 0;
        loop {
            let (n, finished) =
                self.hotline_erase_contacts_batch(before, actor, CONTACT_ERASE_BATCH)?;
            total += n;
            if finished {
                return Ok(total);
            }
        }
    }

    /// Erases at most `limit` contacts of cases closed before `before`, the oldest first, in one
    /// transaction of one month's cases; returns how many, and whether none are left.
    pub fn hotline_erase_contacts_batch(
        &mut self,
        before: DateTime<Utc>,
        actor: &str,
        limit: u64,
    ) -> Result<(u64, bool)> {
        // A case closed before `before` was received before it, so its month is at most the
        // month of `before` in any time zone (a day later in UTC covers them all): on
        // PostgreSQL the newer months' partitions are not read.
        let last_month = (before + chrono::Duration::days(1))
            .format("%Y-%m")
            .to_string();
        let limit = limit.max(1);
        self.tx(|s| {
            // The oldest held contact names the month to work in (the partial index
            // `hotline_cases_contact_held` answers it without reading erased cases).
            let oldest = |s: &mut Store| -> Result<Option<String>> {
                Ok(s.conn.query(
                    "SELECT month FROM hotline_cases WHERE contact IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $1 AND month <= $2 ORDER BY closed_at LIMIT 1",
                    &[time(Some(before)), t(&last_month)],
                )?
                .first()
                .and_then(|r| r[0].as_text())
                .map(str::to_string))
            };
            let Some(month) = oldest(s)? else {
                return Ok((0, true));
            };
            let ids: Vec<String> = s
                .conn
                .query(
                    "UPDATE hotline_cases SET contact = NULL WHERE month = $1 AND id IN (SELECT id FROM hotline_cases WHERE month = $1 AND contact IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $2 ORDER BY closed_at LIMIT $3) RETURNING id",
                    &[t(&month), time(Some(before)), Val::Int(Some(limit as i64))],
                )?
                .iter()
                .filter_map(|r| r[0].as_text().map(str::to_string))
                .collect();
            let n = ids.len() as u64;
            if n > 0 {
                s.hotline_touched = true;
                s.audit_append(&now(), actor, "hotline.erase_contacts", "hotline/cases", None, Some(format!("{n} contacts erased")))?;
                // The erased rows are sealed again by this entry.
                let entry = s.last_audit_seq;
                for id in ids {
                    s.pend_seal("hotline_cases", vec![t(&id)], entry);
                }
            }
            // A month with fewer than `limit` left may not be the last.
            let finished = n < limit && oldest(s)?.is_none();
            Ok((n, finished))
        })
    }

    /// The database's own dialect, for callers that tune bulk work.
    pub fn is_postgres(&self) -> bool {
        self.conn.dialect() == Dialect::Postgres
    }
}
