//! PostgreSQL keeps hotline cases and their events in one partition per month (migration 0016):
//! `hotline_cases_YYYY_MM` and `hotline_events_YYYY_MM`. A month's partitions are made when its
//! first case is written, inside the writing transaction, by ATTACH (which takes a lock that
//! readers and writers of the other months never wait for), so a rolled-back import leaves none.
//! A case id is unique across months through `hotline_case_months` (id → month), which bulk
//! lookups read first so that each month's partition is searched alone. SQLite keeps one table
//! of each and has none of this; its events carry their case's month all the same.

use crate::conn::Val;
use crate::{Result, Store, StoreError};
use std::collections::{BTreeMap, HashSet};

/// A partition's name: `hotline_cases` and `2020-03` → `hotline_cases_2020_03`; `None` for a
/// month that is not `YYYY-MM` (names are made from it, so nothing else may pass).
pub(crate) fn partition(table: &str, month: &str) -> Option<String> {
    let b = month.as_bytes();
    let shaped = b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    shaped.then(|| format!("{table}_{}_{}", &month[..4], &month[5..]))
}

impl Store {
    /// Makes sure the cases and events of each of `months` have their partition (PostgreSQL;
    /// nothing to do on SQLite). `known`: the months this transaction has made sure of already.
    pub(crate) fn ensure_hotline_months<'a>(
        &mut self,
        months: impl IntoIterator<Item = &'a str>,
        known: &mut HashSet<String>,
    ) -> Result<()> {
        if !self.is_postgres() {
            return Ok(());
        }
        for month in months {
            if known.contains(month) {
                continue;
            }
            let (Some(cases), Some(events)) = (
                partition("hotline_cases", month),
                partition("hotline_events", month),
            ) else {
                return Err(StoreError::Invalid(format!(
                    "hotline case month `{month}` is not YYYY-MM"
                )));
            };
            let there = self
                .conn
                .query(
                    "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relname = $1 AND n.nspname = current_schema()",
                    &[Val::text(&cases)],
                )?
                .first()
                .and_then(|r| r[0].as_int())
                .unwrap_or(0)
                > 0;
            if !there {
                // CREATE … PARTITION OF would lock the whole table against readers until the
                // import commits; a table attached afterwards does not.
                self.conn.script(&format!(
                    "CREATE TABLE {cases} (LIKE hotline_cases INCLUDING DEFAULTS); \
                     ALTER TABLE hotline_cases ATTACH PARTITION {cases} FOR VALUES IN ('{month}'); \
                     CREATE TABLE {events} (LIKE hotline_events INCLUDING DEFAULTS); \
                     ALTER TABLE hotline_events ATTACH PARTITION {events} FOR VALUES IN ('{month}');"
                ))?;
            }
            known.insert(month.to_string());
        }
        Ok(())
    }

    /// The months the stored cases of `ids` are in, grouped: month → ids (PostgreSQL's
    /// id → month table; ids not stored are left out).
    pub(crate) fn case_months(&mut self, ids: &[&str]) -> Result<BTreeMap<String, Vec<String>>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let params: Vec<Val> = ids.iter().map(|i| Val::text(*i)).collect();
        for r in self.conn.query(
            &format!(
                "SELECT id, month FROM hotline_case_months WHERE id IN ({})",
                marks.join(", ")
            ),
            &params,
        )? {
            if let (Some(id), Some(month)) = (r[0].as_text(), r[1].as_text()) {
                out.entry(month.to_string())
                    .or_default()
                    .push(id.to_string());
            }
        }
        Ok(out)
    }

    /// The months that have cases, oldest first: PostgreSQL's partitions (a month whose cases
    /// all moved keeps an empty one), SQLite's distinct months.
    pub fn hotline_case_months(&mut self) -> Result<Vec<String>> {
        let rows = if self.is_postgres() {
            self.conn.query(
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = 'hotline_cases'::regclass ORDER BY 1",
                &[],
            )?
        } else {
            self.conn
                .query("SELECT DISTINCT month FROM hotline_cases ORDER BY 1", &[])?
        };
        Ok(rows
            .iter()
            .filter_map(|r| r[0].as_text())
            .map(|name| match name.strip_prefix("hotline_cases_") {
                Some(m) if m.len() == 7 => m.replacen('_', "-", 1),
                _ => name.to_string(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::partition;

    #[test]
    fn partition_names_come_from_well_formed_months_only() {
        assert_eq!(
            partition("hotline_cases", "2020-03").as_deref(),
            Some("hotline_cases_2020_03")
        );
        for bad in ["2020-3", "2020_03", "20200-3", "2020-0'", "abcd-ef", ""] {
            assert_eq!(partition("hotline_cases", bad), None, "{bad}");
        }
    }
}
