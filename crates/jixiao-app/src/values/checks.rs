//! The task book's value checks ([`jixiao_core::checks`]) with what they compare against read
//! from the store: the previous period's value and the same period of last year's cycle.

use crate::error::{AppError, Result};
use jixiao_core::checks::{bounds_problem, jump, Words};
use jixiao_core::inputs::Observation;
use jixiao_core::records::ValueKey;
use jixiao_core::Framework;
use jixiao_store::Store;

/// The figures a value of (task, unit, period) is compared with: the previous period's value
/// in this cycle, and the same period's value in last year's cycle (the latest cycle that ended
/// before this one started and has the same task, unit and number of periods).
pub fn references(
    s: &mut Store,
    fw: &Framework,
    t: usize,
    u: usize,
    p: usize,
) -> Result<(Option<f64>, Option<f64>)> {
    let number =
        |v: Option<jixiao_store::StoredValue>| v.and_then(|v| v.row.observation.as_number());
    let previous = match p.checked_sub(1) {
        Some(q) => number(s.value(&fw.cycle.id, &crate::lookup::key(fw, t, u, q))?),
        None => None,
    };
    let last_year = match last_year_cycle(s, fw)? {
        Some(before) => {
            let key = ValueKey {
                task: fw.nodes[t].id.clone(),
                unit: fw.units[u].id.clone(),
                period: before.cycle.periods[p].id.clone(),
            };
            number(s.value(&before.cycle.id, &key)?)
        }
        None => None,
    };
    Ok((previous, last_year))
}

/// Last year's cycle for the jump check: the latest that ended before `fw` started with the
/// same number of periods.
pub fn last_year_cycle(s: &mut Store, fw: &Framework) -> Result<Option<Framework>> {
    let periods = fw.cycle.periods.len();
    Ok(s.cycle_before(fw, |other| other.cycle.periods.len() == periods)?)
}

/// A value refused by a check, in both languages.
pub fn refused(words: Words) -> AppError {
    AppError::Rejected(words)
}

/// Bounds of a typed observation: a number outside its task's bounds is refused.
pub fn check_bounds(fw: &Framework, t: usize, observation: &Observation) -> Result<()> {
    match observation
        .as_number()
        .and_then(|x| bounds_problem(fw, t, x))
    {
        Some(words) => Err(refused(words)),
        None => Ok(()),
    }
}

/// The jump check of a submitted value: a value that moved more than the threshold needs a
/// note saying why.
pub fn check_jump(
    s: &mut Store,
    fw: &Framework,
    (t, u, p): (usize, usize, usize),
    observation: &Observation,
    note: &str,
) -> Result<()> {
    let Some(x) = observation.as_number() else {
        return Ok(());
    };
    if !note.trim().is_empty() {
        return Ok(());
    }
    let (previous, last_year) = references(s, fw, t, u, p)?;
    match jump(fw, t, p, x, previous, last_year) {
        Some(j) => Err(refused(j.words(fw, t, x))),
        None => Ok(()),
    }
}

/// The jump check over rows of a file (an upload, an office import): each row without a note
/// that moved more than its threshold, named by unit, task and period, in both languages.
pub fn jumps_in_rows(
    s: &mut Store,
    fw: &Framework,
    rows: &[jixiao_core::records::ValueRow],
) -> Result<Vec<(usize, Words)>> {
    use std::collections::HashMap;
    let numbers = |values: Vec<jixiao_store::StoredValue>| -> HashMap<ValueKey, f64> {
        values
            .into_iter()
            .filter_map(|v| v.row.observation.as_number().map(|x| (v.row.key, x)))
            .collect()
    };
    let stored = numbers(s.values(&fw.cycle.id)?);
    let before = last_year_cycle(s, fw)?;
    let last_year = match &before {
        Some(b) => numbers(s.values(&b.cycle.id)?),
        None => HashMap::new(),
    };
    let last_year_key = |k: &ValueKey| {
        let b = before.as_ref()?;
        let p = fw.period_index(&k.period)?;
        last_year
            .get(&ValueKey {
                period: b.cycle.periods[p].id.clone(),
                ..k.clone()
            })
            .copied()
    };
    Ok(
        jixiao_core::checks::jumps_in(fw, rows, &|k| stored.get(k).copied(), &last_year_key)
            .into_iter()
            .map(|(i, j)| {
                let r = &rows[i];
                let t = fw.node_index(&r.key.task).unwrap_or(0);
                let x = r.observation.as_number().unwrap_or(0.0);
                let w = j.words(fw, t, x);
                let unit = fw
                    .unit_index(&r.key.unit)
                    .map(|u| fw.units[u].name.as_str())
                    .unwrap_or(&r.key.unit);
                (
                    i,
                    Words {
                        en: format!("{unit}, period {}: {}", r.key.period, w.en),
                        zh: format!("{unit} {}:{}", r.key.period, w.zh),
                    },
                )
            })
            .collect(),
    )
}
