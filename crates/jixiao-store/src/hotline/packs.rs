//! Case packs in the database: numbering cases, reading and writing the packs their facts go
//! in, and filling them for databases from before packs.

use super::rows::{case_from_row, t, CASE_COLUMNS, SEQ_COLUMN};
use crate::conn::Val;
use crate::hotline_pack::{place, CaseFacts, Pack, PACK_SIZE};
use crate::{Result, Store, StoreError};
use std::collections::HashMap;

/// A pack changed in a transaction: patched once in its encoded form (one case event touches one
/// case of a pack: decoding and encoding its 1,024 cases cost a quarter of the event), or
/// decoded once a second case of it changes (imports, rebuilds).
pub(crate) enum PackEdit {
    Encoded(Vec<u8>),
    Decoded(Pack),
}

impl PackEdit {
    /// The pack decoded (decoding it now if it was only patched).
    fn decoded(&mut self, no: i64) -> Result<&mut Pack> {
        if let PackEdit::Encoded(data) = self {
            *self = PackEdit::Decoded(Pack::decode(data).map_err(|e| bad_pack(no, e))?);
        }
        match self {
            PackEdit::Decoded(p) => Ok(p),
            PackEdit::Encoded(_) => unreachable!("decoded above"),
        }
    }
}

/// Packs changed in a transaction, by number; written back with [`Store::write_packs`].
pub(crate) type PackChanges = HashMap<i64, PackEdit>;

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

    /// A stored pack as it is encoded, if there is one.
    fn load_pack(&mut self, no: i64) -> Result<Option<Vec<u8>>> {
        let rows = self.conn.query(
            "SELECT data FROM hotline_case_packs WHERE pack = $1",
            &[Val::Int(Some(no))],
        )?;
        Ok(rows
            .first()
            .map(|r| r[0].as_bytes().unwrap_or_default().to_vec()))
    }

    /// Puts a case's facts in its slot, loading its pack into `packs` when first touched.
    pub(crate) fn put_facts(
        &mut self,
        packs: &mut PackChanges,
        seq: i64,
        facts: CaseFacts,
    ) -> Result<()> {
        let (no, slot) = place(seq);
        if let Some(edit) = packs.get_mut(&no) {
            edit.decoded(no)?.cases.insert(slot, facts);
            return Ok(());
        }
        let edit = match self.load_pack(no)? {
            None => PackEdit::Decoded(Pack {
                cases: [(slot, facts)].into_iter().collect(),
            }),
            Some(data) => match Pack::patch(&data, slot, &facts) {
                Some(patched) => PackEdit::Encoded(patched),
                None => {
                    let mut pack = Pack::decode(&data).map_err(|e| bad_pack(no, e))?;
                    pack.cases.insert(slot, facts);
                    PackEdit::Decoded(pack)
                }
            },
        };
        packs.insert(no, edit);
        Ok(())
    }

    pub(crate) fn write_packs(&mut self, packs: &PackChanges) -> Result<()> {
        for (no, edit) in packs {
            let (count, data) = match edit {
                PackEdit::Decoded(pack) => (pack.cases.len(), pack.encode()),
                PackEdit::Encoded(data) => (
                    Pack::count(data).ok_or_else(|| {
                        bad_pack(*no, crate::hotline_pack::BadPack("unreadable count".into()))
                    })?,
                    data.clone(),
                ),
            };
            self.conn.exec(
                "INSERT INTO hotline_case_packs (pack, cases, data) VALUES ($1, $2, $3) \
                 ON CONFLICT (pack) DO UPDATE SET cases = excluded.cases, data = excluded.data",
                &[
                    Val::Int(Some(*no)),
                    Val::Int(Some(count as i64)),
                    Val::Bytes(Some(data)),
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
                packs
                    .entry(no)
                    .or_insert_with(|| PackEdit::Decoded(Pack::default()))
                    .decoded(no)?
                    .cases
                    .insert(slot, facts);
            }
        }
        self.write_packs(&packs)
    }
}
