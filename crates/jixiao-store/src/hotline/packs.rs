//! Case packs in the database: numbering cases, reading and writing the packs their facts go
//! in, and filling them for databases from before packs.

use super::rows::{case_from_row, t, CASE_COLUMNS, SEQ_COLUMN};
use crate::conn::Val;
use crate::hotline_pack::{place, CaseFacts, Pack, PACK_SIZE};
use crate::{Result, Store, StoreError};
use std::collections::HashMap;

/// Packs changed in a transaction, by number; written back with [`Store::write_packs`].
pub(crate) type PackChanges = HashMap<i64, Pack>;

pub(crate) fn take_seq(next: &mut i64) -> i64 {
    *next += 1;
    *next - 1
}

pub(crate) fn bad_pack(no: i64, e: crate::hotline_pack::BadPack) -> StoreError {
    StoreError::Invalid(format!(
        "hotline case pack {no}: {e}; run `jixiao hotline rebuild --from-rows`"
    ))
}

impl Store {
    /// The `seq` the next new case takes: one past the last case of the last pack.
    pub(crate) fn next_seq(&mut self) -> Result<i64> {
        let rows = self.conn.query(
            "SELECT pack, data FROM hotline_case_packs ORDER BY pack DESC LIMIT 1",
            &[],
        )?;
        let Some(r) = rows.first() else { return Ok(0) };
        let no = r[0].as_int().unwrap_or(0);
        let pack =
            Pack::decode(r[1].as_bytes().unwrap_or_default()).map_err(|e| bad_pack(no, e))?;
        Ok(match pack.cases.keys().next_back() {
            Some(slot) => no * PACK_SIZE + *slot as i64 + 1,
            None => no * PACK_SIZE,
        })
    }

    fn load_pack(&mut self, no: i64) -> Result<Pack> {
        let rows = self.conn.query(
            "SELECT data FROM hotline_case_packs WHERE pack = $1",
            &[Val::Int(Some(no))],
        )?;
        match rows.first() {
            Some(r) => {
                Pack::decode(r[0].as_bytes().unwrap_or_default()).map_err(|e| bad_pack(no, e))
            }
            None => Ok(Pack::default()),
        }
    }

    /// Puts a case's facts in its slot, loading its pack into `packs` when first touched.
    pub(crate) fn put_facts(
        &mut self,
        packs: &mut PackChanges,
        seq: i64,
        facts: CaseFacts,
    ) -> Result<()> {
        let (no, slot) = place(seq);
        let pack = match packs.entry(no) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(self.load_pack(no)?),
        };
        pack.cases.insert(slot, facts);
        Ok(())
    }

    pub(crate) fn write_packs(&mut self, packs: &PackChanges) -> Result<()> {
        for (no, pack) in packs {
            self.conn.exec(
                "INSERT INTO hotline_case_packs (pack, cases, data) VALUES ($1, $2, $3) \
                 ON CONFLICT (pack) DO UPDATE SET cases = excluded.cases, data = excluded.data",
                &[
                    Val::Int(Some(*no)),
                    Val::Int(Some(pack.cases.len() as i64)),
                    Val::Bytes(Some(pack.encode())),
                ],
            )?;
        }
        Ok(())
    }

    /// Writes every pack again from the case rows, in `seq` order, one pack in memory at a time;
    /// rows without a `seq` are numbered after the last one. Runs inside the caller's
    /// transaction (the migration that introduced packs, or a rebuild from rows).
    pub(crate) fn hotline_repack(&mut self) -> Result<()> {
        let mut next = self
            .conn
            .query("SELECT MAX(seq) FROM hotline_cases", &[])?
            .first()
            .and_then(|r| r[0].as_int())
            .map_or(0, |m| m + 1);
        loop {
            let ids: Vec<String> = self
                .conn
                .query(
                    "SELECT id FROM hotline_cases WHERE seq IS NULL ORDER BY id LIMIT 1000",
                    &[],
                )?
                .iter()
                .filter_map(|r| r[0].as_text().map(str::to_string))
                .collect();
            if ids.is_empty() {
                break;
            }
            for id in ids {
                self.conn.exec(
                    "UPDATE hotline_cases SET seq = $1 WHERE id = $2",
                    &[Val::Int(Some(take_seq(&mut next))), t(&id)],
                )?;
            }
        }
        self.conn.exec("DELETE FROM hotline_case_packs", &[])?;
        let mut last = -1i64;
        let mut packs = PackChanges::new();
        loop {
            let sql = format!(
                "SELECT {} FROM hotline_cases WHERE seq > $1 ORDER BY seq LIMIT 5000",
                CASE_COLUMNS.join(", ")
            );
            let rows = self.conn.query(&sql, &[Val::Int(Some(last))])?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                last = r[SEQ_COLUMN].as_int().unwrap_or(last);
                let case = case_from_row(r).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "hotline case row {} cannot be read",
                        r[0].as_text().unwrap_or("?")
                    ))
                })?;
                let facts =
                    CaseFacts::of(&case, r[3].as_text().unwrap_or_default(), r[8].as_text());
                let (no, slot) = place(last);
                if !packs.contains_key(&no) {
                    // Rows come in seq order: the packs before this one are complete.
                    self.write_packs(&packs)?;
                    packs.clear();
                }
                packs.entry(no).or_default().cases.insert(slot, facts);
            }
        }
        self.write_packs(&packs)
    }
}
