//! PostgreSQL keeps hotline cases and their events in one partition per month (migration 0016):
//! `hotline_cases_YYYY_MM` and `hotline_events_YYYY_MM`. A month's partitions are made when its
//! first case is written, inside the writing transaction, by ATTACH (which takes a lock that
//! readers and writers of the other months never wait for), so a rolled-back import leaves none.
//! A case id is unique across months through `hotline_case_months` (id → month), which bulk
//! lookups read first so that each month's partition is searched alone. A bulk import fills a
//! month new to the store before it attaches it (see [`Months`]). SQLite keeps one table
//! of each and has none of this; its events carry their case's month all the same.

use crate::conn::Val;
use crate::{Result, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// PostgreSQL's memory for building one index of a month filled by an import, in MB (a month of
/// two million cases sorts its largest key in about this much).
const INDEX_BUILD_MEMORY_MB: u32 = 256;

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

/// The months a transaction writes cases to (PostgreSQL: their partitions, made sure of once),
/// and which of them it is filling before attaching them.
///
/// A bulk import fills a month new to the store as a table of its own, made in the import's
/// transaction and not yet a partition: its rows are copied in frozen and no index is kept up
/// to date row by row. Once every row is in, its indexes are built in one sort each and the
/// table is attached, where the parent's indexes adopt them (no scan: a CHECK on the month
/// proves the partition's bound). Nobody else sees the table before the import commits.
#[derive(Debug, Default)]
pub(crate) struct Months {
    known: HashSet<String>,
    fill_first: bool,
    filling: BTreeSet<String>,
}

impl Months {
    /// Months of a bulk import: a new month is filled first and attached at the end.
    pub(crate) fn filled_before_attached() -> Months {
        Months {
            fill_first: true,
            ..Months::default()
        }
    }

    /// Whether `month` is a table still being filled (not yet a partition).
    pub(crate) fn is_filling(&self, month: &str) -> bool {
        self.filling.contains(month)
    }

    /// Every month made sure of.
    pub(crate) fn into_known(self) -> HashSet<String> {
        self.known
    }
}

/// The table of a month's cases (its partition, or the table an import is still filling); an
/// error for a month that is not `YYYY-MM`.
pub(crate) fn cases_table(month: &str) -> Result<String> {
    partition("hotline_cases", month)
        .ok_or_else(|| StoreError::Invalid(format!("hotline case month `{month}` is not YYYY-MM")))
}

impl Store {
    /// Makes sure the cases and events of each of `months` have their partition (PostgreSQL;
    /// nothing to do on SQLite); a month new to the store is made a table being filled if
    /// `seen` fills first.
    pub(crate) fn ensure_hotline_months<'a>(
        &mut self,
        months: impl IntoIterator<Item = &'a str>,
        seen: &mut Months,
    ) -> Result<()> {
        if !self.is_postgres() {
            return Ok(());
        }
        for month in months {
            if seen.known.contains(month) {
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
                let attach = if seen.fill_first {
                    seen.filling.insert(month.to_string());
                    format!("ALTER TABLE {cases} ADD CONSTRAINT {cases}_month CHECK (month = '{month}');")
                } else {
                    format!("ALTER TABLE hotline_cases ATTACH PARTITION {cases} FOR VALUES IN ('{month}');")
                };
                self.conn.script(&format!(
                    "CREATE TABLE {cases} (LIKE hotline_cases INCLUDING DEFAULTS); {attach} \
                     CREATE TABLE {events} (LIKE hotline_events INCLUDING DEFAULTS); \
                     ALTER TABLE hotline_events ATTACH PARTITION {events} FOR VALUES IN ('{month}');"
                ))?;
            }
            seen.known.insert(month.to_string());
        }
        Ok(())
    }

    /// Builds the indexes of the months in `months` still being filled and attaches them as
    /// partitions (see [`Months`]); `only`: just this month.
    pub(crate) fn attach_filled_months(
        &mut self,
        months: &mut Months,
        only: Option<&str>,
    ) -> Result<()> {
        let todo: Vec<String> = match only {
            Some(m) if months.filling.contains(m) => vec![m.to_string()],
            Some(_) => Vec::new(),
            None => months.filling.iter().cloned().collect(),
        };
        if todo.is_empty() {
            return Ok(());
        }
        // The parent's indexes as PostgreSQL states them: `CREATE [UNIQUE] INDEX name ON ONLY
        // schema.hotline_cases USING …`; each month's table gets the same after `USING`.
        let parents = self.conn.query(
            "SELECT c.relname::text, CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END, pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = 'hotline_cases'::regclass ORDER BY 1",
            &[],
        )?;
        // Each index is one sort of the month's rows: give it room to sort in memory.
        self.conn.script(&format!(
            "SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY_MB}MB'"
        ))?;
        for month in todo {
            let cases = cases_table(&month)?;
            let mut script = String::new();
            for (n, r) in parents.iter().enumerate() {
                let (Some(name), Some(def)) = (r[0].as_text(), r[2].as_text()) else {
                    continue;
                };
                let Some((_, method)) = def.split_once(" USING ") else {
                    return Err(StoreError::Invalid(format!("index definition `{def}`")));
                };
                let unique = r[1].as_text().unwrap_or_default();
                let own = match name.strip_prefix("hotline_cases") {
                    Some(rest) => format!("{cases}{rest}"),
                    None => format!("{cases}_index_{n}"),
                };
                script.push_str(&format!(
                    "CREATE {unique}INDEX {own} ON {cases} USING {method}; "
                ));
            }
            script.push_str(&format!(
                "ALTER TABLE hotline_cases ATTACH PARTITION {cases} FOR VALUES IN ('{month}'); \
                 ALTER TABLE {cases} DROP CONSTRAINT {cases}_month;"
            ));
            self.conn.script(&script)?;
            months.filling.remove(&month);
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
