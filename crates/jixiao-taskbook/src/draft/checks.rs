//! What every rule uses: required fields, choices among names, numbers, unique ids, and the
//! cycle's ids as far as they are known.

use super::model::L;
use crate::diag::{Diagnostics, Location};
use jixiao_core::model::*;
use std::collections::{HashMap, HashSet};

pub(super) fn here(loc: &Option<Location>) -> Location {
    loc.clone().unwrap_or(Location::File)
}

/// A required field: reports it missing at `at` when absent.
pub(super) fn need<'a, T>(
    d: &mut Diagnostics,
    f: &'a Option<L<T>>,
    at: &Option<Location>,
    what: &str,
) -> Option<&'a L<T>> {
    if f.is_none() {
        d.error(&here(at), format!("missing `{what}`"));
    }
    f.as_ref()
}

pub(super) fn choose<T: Copy>(
    d: &mut Diagnostics,
    f: &Option<L<String>>,
    options: &[(&str, T)],
    default: T,
    what: &str,
) -> T {
    match f {
        None => default,
        Some(s) => match options.iter().find(|(n, _)| *n == s.v) {
            Some((_, v)) => *v,
            None => {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                d.error(
                    &s.loc,
                    format!(
                        "unknown {what} `{}`; expected one of: {}",
                        s.v,
                        names.join(", ")
                    ),
                );
                default
            }
        },
    }
}

pub(super) fn finite(d: &mut Diagnostics, x: &L<f64>, what: &str, min: f64) -> f64 {
    if !x.v.is_finite() || x.v < min {
        d.error(
            &x.loc,
            format!("`{what}` must be a number ≥ {min}, found {}", x.v),
        );
    }
    x.v
}

/// Registers ids, reporting duplicates.
pub(super) fn unique_ids<'a>(
    d: &mut Diagnostics,
    ids: impl Iterator<Item = &'a L<String>>,
    what: &str,
) -> HashSet<String> {
    let mut seen: HashMap<String, Location> = HashMap::new();
    for id in ids {
        if id.v.trim().is_empty() {
            d.error(&id.loc, format!("{what} id must not be empty"));
        } else if let Some(first) = seen.get(&id.v) {
            d.error(
                &id.loc,
                format!(
                    "duplicate {what} id `{}` (first declared at {})",
                    id.v,
                    describe(first)
                ),
            );
        } else {
            seen.insert(id.v.clone(), id.loc.clone());
        }
    }
    seen.into_keys().collect()
}

pub(super) fn describe(l: &Location) -> String {
    match l {
        Location::Text { line, column } => format!("line {line}, column {column}"),
        Location::Cell {
            sheet, row, column, ..
        } => format!("{sheet} row {row} column {column}"),
        Location::Row { sheet, row } => format!("{sheet} row {row}"),
        Location::File => "the file".into(),
    }
}

/// What the rules of nodes, tasks and methods check against.
pub(super) struct Context<'a> {
    pub units: &'a [Unit],
    pub unit_ids: &'a HashSet<String>,
    pub group_ids: &'a HashSet<String>,
    pub evaluator_ids: &'a HashSet<String>,
    pub cycle: Option<&'a Cycle>,
    pub tag_ids: &'a HashSet<String>,
    pub class_ids: &'a HashSet<String>,
}
