//! Read models kept between requests: per database and cycle (or the hotline), valid while its
//! data version holds. Every write to a cycle's task book, values or ledger sets the cycle's
//! version in its own transaction (`Store::cycle_version`), every write to hotline data sets the
//! hotline's (`Store::data_version`), so a kept model is never stale, on any instance of a
//! shared database. Models are shared (`Arc`), never copied per request.

use crate::error::Result;
use jixiao_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The version of everything a page shows from the database: the head of the audit chain. Every
/// write appends an audit entry in its own transaction (ARCHITECTURE.md), so two reads that see
/// the same head see the same data, on any instance of a shared database. `None` for an
/// in-memory database (its head could repeat in another one).
pub fn data_head(s: &mut Store) -> Result<Option<String>> {
    let Some(db) = s.identity() else {
        return Ok(None);
    };
    let (seq, hash) = s.audit_head()?;
    Ok(Some(format!("{db}#{seq}#{hash}")))
}

type Entries<T> = HashMap<(String, String), (String, Arc<T>)>;

/// One kind of read model, kept per database and cycle.
pub(crate) struct Versioned<T> {
    entries: OnceLock<Mutex<Entries<T>>>,
}

/// How many models a cache keeps (cycles, or hotline views by their parameters; each at most a
/// few megabytes at city size). When full it starts again.
const ENTRIES: usize = 256;

impl<T> Versioned<T> {
    pub(crate) const fn new() -> Versioned<T> {
        Versioned {
            entries: OnceLock::new(),
        }
    }

    /// The model of `cycle` as kept for its current version, or `compute`d and kept. A
    /// database without an identity (in memory) or a cycle never written since versions began
    /// is computed every time.
    pub(crate) fn get(
        &self,
        s: &mut Store,
        cycle: &str,
        compute: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<Arc<T>> {
        self.get_with(s, cycle, "", compute)
    }

    /// [`Versioned::get`] for a model that also depends on `also` (today's date, a setting):
    /// kept while the version and `also` both hold.
    pub(crate) fn get_with(
        &self,
        s: &mut Store,
        cycle: &str,
        also: &str,
        compute: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<Arc<T>> {
        // The version is read before the data: a write in between leaves the model under the
        // older version, which the next read no longer matches.
        let version = s.cycle_version(cycle)?;
        self.get_at(s, cycle, version, also, compute)
    }

    /// [`Versioned::get`] with the cycle's version already read (before any of its data, in
    /// the same snapshot), as [`crate::lookup::cycle_id_and_version`] reads it.
    pub(crate) fn get_at_version(
        &self,
        s: &mut Store,
        cycle: &str,
        version: Option<String>,
        also: &str,
        compute: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<Arc<T>> {
        self.get_at(s, cycle, version, also, compute)
    }

    /// A hotline read model (the dashboard's parts), kept while the hotline's data version
    /// (every write to cases, counters, geography or catalogue changes it) and `also` hold.
    pub(crate) fn get_hotline(
        &self,
        s: &mut Store,
        also: &str,
        compute: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<Arc<T>> {
        let version = s.data_version("hotline")?;
        self.get_at(s, "hotline", version, also, compute)
    }

    fn get_at(
        &self,
        s: &mut Store,
        scope: &str,
        version: Option<String>,
        also: &str,
        compute: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<Arc<T>> {
        let key = match (s.identity(), version) {
            (Some(db), Some(version)) => Some(((db, format!("{scope}|{also}")), version)),
            _ => None,
        };
        let entries = self.entries.get_or_init(Default::default);
        if let Some((k, version)) = &key {
            let hit = entries.lock().ok().and_then(|c| {
                c.get(k)
                    .filter(|(v, _)| v == version)
                    .map(|(_, m)| m.clone())
            });
            if let Some(hit) = hit {
                return Ok(hit);
            }
        }
        let model = Arc::new(compute(s)?);
        if let (Some((k, version)), Ok(mut c)) = (key, entries.lock()) {
            if c.len() >= ENTRIES {
                c.clear();
            }
            c.insert(k, (version, model.clone()));
        }
        Ok(model)
    }
}
