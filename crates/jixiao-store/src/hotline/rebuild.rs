//! Rebuilding every rollup counter: from the case packs, summed on every core, or from the case
//! rows (the repair path, which rewrites the packs).

use super::packs::bad_pack;
use super::rollups::RollupRow;
use crate::conn::{Conn, Dialect, Val};
use crate::{now, Result, Store, StoreError};
use jixiao_hotline::rollup::Counters;
use std::collections::HashMap;

impl Store {
    /// Recomputes every rollup counter from the cases' packs (the compact copy of the fields the
    /// counters depend on, written with each case): reads about a twentieth of what the case
    /// rows hold and computes in Rust. Gives the same rows as the counters kept up to date case
    /// by case and as [`Store::hotline_rebuild_from_rows`] (tested). Returns the number of cases.
    pub fn hotline_rebuild(&mut self, actor: &str) -> Result<usize> {
        self.tx(|s| {
            s.hotline_touched = true;
            let sum = s.sum_packs()?;
            s.clear_rollups()?;
            let rows: Vec<RollupRow> = sum.rows().collect();
            s.write_rollup_rows(&rows, false)?;
            s.add_return_counts()?;
            let n = sum.cases;
            s.audit_append(
                &now(),
                actor,
                "hotline.rebuild",
                "hotline/rollups",
                None,
                Some(format!("{n} cases, from packs")),
            )?;
            Ok(n)
        })
    }

    /// Adds every return to the counters of the unit that made it. The packs and the sums over
    /// case rows count a case for the unit it is with; the few returned cases are read through
    /// their partial index.
    fn add_return_counts(&mut self) -> Result<()> {
        let districts = self.district_map()?;
        let rows = self.conn.query(
            "SELECT month, category, returned_by, id FROM hotline_cases WHERE returned_by IS NOT NULL",
            &[],
        )?;
        let mut deltas = super::rollups::Deltas::new();
        for r in &rows {
            let text = |i: usize| r[i].as_text().unwrap_or_default();
            let units: Vec<String> = serde_json::from_str(text(2))
                .map_err(|e| StoreError::Corrupt(format!("case {}: returned_by: {e}", text(3))))?;
            for unit in units {
                let district = districts.get(&unit).cloned();
                let key = jixiao_hotline::rollup::RollupKey {
                    unit,
                    month: text(0).to_string(),
                    category: text(1).to_string(),
                };
                deltas
                    .entry(key)
                    .or_insert((district, Counters::default()))
                    .1
                    .returned += 1;
            }
        }
        self.add_rollups(&deltas)
    }

    /// Empties the rollups before a rebuild (PostgreSQL: TRUNCATE, which leaves no dead rows
    /// behind for the inserts to wade through; it is transactional there).
    fn clear_rollups(&mut self) -> Result<()> {
        match self.conn.dialect() {
            Dialect::Sqlite => self.conn.exec("DELETE FROM hotline_rollups", &[])?,
            Dialect::Postgres => self.conn.exec("TRUNCATE hotline_rollups", &[])?,
        };
        Ok(())
    }

    /// Reads and sums every pack. Eight connections of their own read runs of 64 packs, taking
    /// turns along the pack numbers, and as many threads as there are cores (up to four) sum
    /// what they read. Packs written over months lie all over the database file: on a cold
    /// cache, reading is waiting for the disk, and eight readers wait in parallel (25 M cases:
    /// about 5 s against 12 s for one); on a warm cache, summing is the work, and more summing
    /// threads than cores would only take turns. Writers are kept out meanwhile by the caller's
    /// transaction, so the readers see what it sees. An in-memory SQLite database, which other
    /// connections cannot see, is read and summed on this connection.
    fn sum_packs(&mut self) -> Result<PackSum> {
        const RUN: i64 = 64;
        const READERS: usize = 8;
        type Batch = Vec<(i64, Vec<u8>)>;
        let range = self
            .conn
            .query("SELECT MIN(pack), MAX(pack) FROM hotline_case_packs", &[])?;
        let (Some(first), Some(last)) = (
            range.first().and_then(|r| r[0].as_int()),
            range.first().and_then(|r| r[1].as_int()),
        ) else {
            return Ok(PackSum::default());
        };
        let read_run = |conn: &mut dyn Conn, lo: i64| -> Result<Batch> {
            conn.query(
                "SELECT pack, data FROM hotline_case_packs WHERE pack >= $1 AND pack < $2",
                &[Val::Int(Some(lo)), Val::Int(Some(lo + RUN))],
            )?
            .into_iter()
            .map(|mut r| {
                let data = match r.take("data")? {
                    Val::Bytes(Some(b)) => b,
                    _ => Vec::new(),
                };
                Ok((r.int("pack")?.unwrap_or(lo), data))
            })
            .collect::<Result<Batch>>()
        };
        let sum_batch = |sum: &mut PackSum, batch: &Batch| -> Result<()> {
            for (no, data) in batch {
                sum.add(data).map_err(|e| bad_pack(*no, e))?;
            }
            Ok(())
        };
        let mut readers = Vec::new();
        for _ in 0..READERS {
            match self.conn.reader()? {
                Some(r) => readers.push(r),
                None => {
                    let mut sum = PackSum::default();
                    for lo in (first..=last).step_by(RUN as usize) {
                        sum_batch(&mut sum, &read_run(self.conn.as_mut(), lo)?)?;
                    }
                    return Ok(sum);
                }
            }
        }
        let summers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2 * summers);
        let rx = std::sync::Mutex::new(rx);
        let failed = || StoreError::Invalid("summing the case packs failed".into());
        std::thread::scope(|scope| {
            let read: Vec<_> = readers
                .into_iter()
                .enumerate()
                .map(|(i, mut conn)| {
                    let tx = tx.clone();
                    scope.spawn(move || -> Result<()> {
                        let start = first + i as i64 * RUN;
                        for lo in (start..=last).step_by(READERS * RUN as usize) {
                            let batch = read_run(conn.as_mut(), lo)?;
                            if tx.send(batch).is_err() {
                                break;
                            }
                        }
                        Ok(())
                    })
                })
                .collect();
            drop(tx);
            let summed: Vec<_> = (0..summers)
                .map(|_| {
                    scope.spawn(|| -> Result<PackSum> {
                        let mut sum = PackSum::default();
                        let mut outcome = Ok(());
                        // Keep receiving after a damaged pack, so that no reader waits forever.
                        while let Ok(batch) = rx.lock().map_err(|_| failed())?.recv() {
                            if outcome.is_ok() {
                                outcome = sum_batch(&mut sum, &batch);
                            }
                        }
                        outcome.map(|_| sum)
                    })
                })
                .collect();
            for h in read {
                h.join().unwrap_or_else(|_| Err(failed()))?;
            }
            let mut total = PackSum::default();
            for h in summed {
                total.merge(h.join().unwrap_or_else(|_| Err(failed()))?);
            }
            Ok(total)
        })
    }

    /// Rewrites every pack from the case rows, then recomputes the counters inside the database
    /// in one statement (the same rules as [`contribution`], written in SQL over the stored
    /// month, district and deadlines of each case; timestamps are stored as UTC RFC 3339 text,
    /// which sorts in time order). The slow, thorough path: it reads every case row, and repairs
    /// packs as well as counters.
    pub fn hotline_rebuild_from_rows(&mut self, actor: &str) -> Result<usize> {
        self.tx(|s| {
            s.hotline_touched = true;
            s.hotline_repack()?;
            s.conn.exec("DELETE FROM hotline_rollups", &[])?;
            let by_month = s.is_postgres();
            let counted = "exclusion_reason IS NULL";
            let callback = "callback_at IS NOT NULL AND solved IS NOT NULL AND satisfaction IS NOT NULL";
            let sum = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
            let sql = format!(
                "INSERT INTO hotline_rollups (unit, month, category, district, {fields}) \
                 SELECT unit, month, category, MAX(district), {accepted}, {excluded}, {tracked}, {responded}, \
                 {responded_in_time}, {handled}, {handled_in_time}, {callbacks}, {solved}, {satisfied}, \
                 {basically}, {fixed}, {unfixed}, {reopened}, 0 \
                 FROM hotline_cases WHERE unit IS NOT NULL{month} GROUP BY unit, month, category",
                month = if by_month { " AND month = $1" } else { "" },
                fields = Counters::FIELDS.join(", "),
                accepted = sum(counted),
                excluded = sum("exclusion_reason IS NOT NULL"),
                tracked = sum(&format!("{counted} AND response_tracked = 1")),
                responded = sum(&format!("{counted} AND response_tracked = 1 AND responded_at IS NOT NULL")),
                responded_in_time = sum(&format!(
                    "{counted} AND response_tracked = 1 AND responded_at IS NOT NULL AND (response_due IS NULL OR responded_at <= response_due)"
                )),
                handled = sum(&format!("{counted} AND handled_at IS NOT NULL")),
                handled_in_time = sum(&format!(
                    "{counted} AND handled_at IS NOT NULL AND (completion_due IS NULL OR handled_at <= completion_due)"
                )),
                callbacks = sum(&format!("{counted} AND {callback}")),
                solved = sum(&format!("{counted} AND {callback} AND solved = 1")),
                satisfied = sum(&format!("{counted} AND {callback} AND satisfaction = 'satisfied'")),
                basically = sum(&format!("{counted} AND {callback} AND satisfaction = 'basically_satisfied'")),
                fixed = sum(&format!("{counted} AND closure = 'fixed'")),
                unfixed = sum(&format!("{counted} AND closure IS NOT NULL AND closure <> 'fixed'")),
                reopened = sum("reopened > 0"),
            );
            if by_month {
                // A month's partition at a time: each sum reads one table, and the work is
                // bounded by the largest month, not by every case held.
                for month in s.hotline_case_months()? {
                    s.conn.exec(&sql, &[Val::text(month)])?;
                }
            } else {
                s.conn.exec(&sql, &[])?;
            }
            s.add_return_counts()?;
            s.recount_places()?;
            let n = s
                .conn
                .query("SELECT COUNT(*) FROM hotline_cases", &[])?
                .first()
                .and_then(|r| r[0].as_int())
                .unwrap_or(0) as usize;
            s.audit_append(&now(), actor, "hotline.rebuild", "hotline/rollups", None, Some(format!("{n} cases, from rows")))?;
            Ok(n)
        })
    }
}

/// Sums of the counters over packs, by unit × month × category, with strings interned once
/// per pack (a pack of 1,024 cases names a few hundred distinct strings).
#[derive(Default)]
struct PackSum {
    names: super::rollups::Names,
    rows: HashMap<u64, usize, std::hash::BuildHasherDefault<KeyHasher>>,
    /// (unit, month, category) string ids packed 21 bits each.
    keys: Vec<u64>,
    /// Counters in the order of `Counters::FIELDS`, then the district (see [`PackSum::row`]):
    /// 16 wide, one cache line, for the summing loop. (`returned` stays 0 here: the packs
    /// count a case for the unit it is with; returns are added from the case rows.)
    sums: Vec<[u32; 16]>,
    cases: usize,
}

const KEY_BITS: u32 = 21;
const DISTRICT_SLOT: usize = Counters::FIELDS.len();
const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

impl PackSum {
    fn intern(&mut self, s: &str) -> u32 {
        self.names.id(s)
    }

    /// The row of `key`, created if new. The district is kept in the row's spare slot (as id + 1,
    /// 0 for none), on the cache line the counters are added to.
    fn row(&mut self, key: u64, district: Option<u32>) -> usize {
        let next = self.keys.len();
        let row = *self.rows.entry(key).or_insert(next);
        let district = district.map_or(0, |d| d + 1);
        if row == next {
            self.keys.push(key);
            let mut sums = [0; 16];
            sums[DISTRICT_SLOT] = district;
            self.sums.push(sums);
        } else if self.sums[row][DISTRICT_SLOT] != district {
            // The SQL rebuild takes MAX(district); the same here, should a unit's cases disagree.
            let known = self.sums[row][DISTRICT_SLOT];
            let name = |d: u32| d.checked_sub(1).map(|d| self.names.name(d));
            if name(district) > name(known) {
                self.sums[row][DISTRICT_SLOT] = district;
            }
        }
        row
    }

    fn add(&mut self, data: &[u8]) -> std::result::Result<(), crate::hotline_pack::BadPack> {
        let mut local: Option<Vec<u32>> = None;
        let mut damaged = false;
        crate::hotline_pack::scan(data, |strings, case| {
            let local =
                local.get_or_insert_with(|| strings.iter().map(|s| self.intern(s)).collect());
            self.cases += 1;
            if !case.has_unit() {
                return;
            }
            let id = |i: u16| local.get(i as usize).copied();
            let (Some(unit), Some(month), Some(category)) =
                (id(case.unit), id(case.month), id(case.category))
            else {
                damaged = true;
                return;
            };
            if u64::from(unit.max(month).max(category)) > KEY_MASK {
                damaged = true;
                return;
            }
            let key =
                (unit as u64) << (2 * KEY_BITS) | (month as u64) << KEY_BITS | category as u64;
            let row = self.row(key, id(case.district));
            let bits = case.contribution_bits();
            let sums = &mut self.sums[row];
            for (i, x) in sums.iter_mut().take(DISTRICT_SLOT).enumerate() {
                *x += ((bits >> i) & 1) as u32;
            }
        })?;
        if damaged {
            return Err(crate::hotline_pack::BadPack(
                "a string index is out of range, or over two million distinct units and categories"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Adds another sum (of other packs) into this one.
    fn merge(&mut self, other: PackSum) {
        let ids: Vec<u32> = other.names.all().iter().map(|n| self.intern(n)).collect();
        let id = |x: u64| ids[x as usize] as u64;
        for (key, sums) in other.keys.into_iter().zip(other.sums) {
            let key = id(key >> (2 * KEY_BITS)) << (2 * KEY_BITS)
                | id((key >> KEY_BITS) & KEY_MASK) << KEY_BITS
                | id(key & KEY_MASK);
            let district = sums[DISTRICT_SLOT].checked_sub(1).map(|d| ids[d as usize]);
            let row = self.row(key, district);
            for (x, y) in self.sums[row].iter_mut().zip(sums).take(DISTRICT_SLOT) {
                *x += y;
            }
        }
        self.cases += other.cases;
    }

    /// The rows to store: (unit, month, category, district, counters).
    fn rows(&self) -> impl Iterator<Item = RollupRow<'_>> {
        let name = |id: u64| self.names.name(id as u32);
        self.keys.iter().zip(&self.sums).map(move |(key, sums)| {
            (
                name(key >> (2 * KEY_BITS)),
                name((key >> KEY_BITS) & KEY_MASK),
                name(key & KEY_MASK),
                sums[DISTRICT_SLOT]
                    .checked_sub(1)
                    .map(|d| self.names.name(d)),
                Counters::from_array(std::array::from_fn(|i| sums[i] as i64)),
            )
        })
    }
}

/// A hasher for the packed u64 keys of [`PackSum`]: one multiplication and two shifts (keys are
/// not chosen by users, so no flooding to defend against).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        // Keys put the category in the low bits and the unit in the high ones: fold the high
        // bits down before multiplying, and the product's high bits down after, so that both
        // the bucket (low bits) and the tag (high bits) depend on the whole key.
        let h = (self.0 ^ x ^ (x >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }
}
