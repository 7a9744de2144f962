//! The fill-in template of a unit (xlsx) and its upload: every row checked first (format, unit,
//! the note rule, workflow and locks); any problem saves nothing.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_core::status::needs_note;
use jixiao_core::workflow::ValueState;
use jixiao_store::Store;

/// The fill-in template of a unit for a period, with its file name.
pub fn template(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    period: &str,
) -> Result<(Vec<u8>, String)> {
    require(actor, Act::EnterValue(unit))?;
    let cv = crate::values::read::cycle_values(s, actor, cycle)?;
    let fw = &cv.fw;
    let u = lookup::unit(fw, unit)?;
    let pi = lookup::period(fw, period)?;
    let rows: Vec<jixiao_core::records::ValueRow> =
        cv.values.iter().map(|v| v.row.clone()).collect();
    let bytes = jixiao_taskbook::values::values_template(fw, u, pi, &rows)
        .map_err(|e| AppError::Internal(format!("writing the template: {e}")))?;
    Ok((
        bytes,
        format!(
            "{}-{}-{}.xlsx",
            fw.cycle.id, fw.units[u].id, fw.cycle.periods[pi].id
        ),
    ))
}

/// Why an upload was refused: every problem found, each naming its row or task; or another
/// refusal (permission, unknown cycle).
#[derive(Debug)]
pub enum UploadError {
    Rows(Vec<String>),
    Other(AppError),
}

impl From<AppError> for UploadError {
    fn from(e: AppError) -> Self {
        UploadError::Other(e)
    }
}

impl From<jixiao_store::StoreError> for UploadError {
    fn from(e: jixiao_store::StoreError) -> Self {
        UploadError::Other(e.into())
    }
}

/// The problems an answer lists, at most.
pub const PROBLEMS_SHOWN: usize = 100;

/// The first [`PROBLEMS_SHOWN`] problems, then how many more there are: a file with a million
/// bad rows answers a page, not a book.
pub fn capped(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > PROBLEMS_SHOWN {
        let more = problems.len() - PROBLEMS_SHOWN;
        problems.truncate(PROBLEMS_SHOWN);
        problems.push(format!(
            "… and {more} more problems (fix these and upload again to see them)"
        ));
    }
    problems
}

/// What an upload did: values saved, and rows skipped because they equal what is stored (the
/// template carries the unit's approved and submitted values, so a file downloaded and sent
/// back unchanged saves nothing and refuses nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOutcome {
    pub saved: usize,
    pub unchanged: usize,
}

/// A unit uploads its filled-in template (.xlsx or .csv). A row whose figure and note equal the
/// stored value's is unchanged and skipped, unless the upload submits a draft or returned
/// value (that is a change of state); every other row is saved, or the upload refused whole.
#[allow(clippy::too_many_arguments)]
pub fn upload(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    file_name: &str,
    bytes: &[u8],
    submit: bool,
) -> std::result::Result<UploadOutcome, UploadError> {
    require(actor, Act::EnterValue(unit))?;
    let lower = file_name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".csv")) {
        return Err(UploadError::Rows(vec![format!(
            "{file_name}: only .xlsx or .csv files are accepted"
        )]));
    }
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let cycle = fw.cycle.id.as_str();
    let rows = jixiao_taskbook::values::parse_values(
        &fw,
        bytes,
        file_name,
        ValueState::Draft,
        jixiao_taskbook::values::Blanks::Skip,
    )
    .map_err(|d| UploadError::Rows(capped(d.iter().map(|x| x.to_string()).collect())))?;
    let mut problems = Vec::new();
    for r in &rows {
        let (Some(t), Some(u), Some(p)) = (
            fw.node_index(&r.key.task),
            fw.unit_index(&r.key.unit),
            fw.period_index(&r.key.period),
        ) else {
            return Err(
                AppError::Internal("a parsed row names what the task book lacks".into()).into(),
            );
        };
        if r.key.unit != unit {
            problems.push(format!(
                "{file_name}: task {} period {}: the row belongs to {}, not to this unit",
                r.key.task, r.key.period, fw.units[u].name
            ));
        } else if submit
            && r.note.trim().is_empty()
            && needs_note(&fw, t, u, p, r.observation.as_number())
        {
            problems.push(format!(
                "{file_name}: task {} period {}: a note is required when the value is off track",
                r.key.task, r.key.period
            ));
        }
    }
    if rows.is_empty() {
        problems.push(format!("{file_name}: the file has no values"));
    }
    if !problems.is_empty() {
        return Err(UploadError::Rows(capped(problems)));
    }
    let stored = crate::values::read::cycle_values(s, actor, Some(cycle))?;
    let stored: std::collections::HashMap<_, _> = stored
        .values
        .iter()
        .map(|v| (v.row.key.clone(), v.row.clone()))
        .collect();
    let total = rows.len();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| {
            let same = stored.get(&r.key).is_some_and(|b| {
                b.observation == r.observation
                    && b.note.trim() == r.note.trim()
                    && !(submit && matches!(b.state, ValueState::Draft | ValueState::Returned))
            });
            !same
        })
        .collect();
    let unchanged = total - rows.len();
    if submit {
        let jumps = crate::values::checks::jumps_in_rows(s, &fw, &rows)?;
        if !jumps.is_empty() {
            return Err(UploadError::Rows(capped(
                jumps
                    .into_iter()
                    .map(|(i, w)| format!("{file_name}: task {}: {}", rows[i].key.task, w.en))
                    .collect(),
            )));
        }
    }
    if rows.is_empty() {
        return Ok(UploadOutcome {
            saved: 0,
            unchanged,
        });
    }
    s.enter_values(
        cycle,
        &rows,
        submit,
        actor.role,
        &actor.id,
        settings.today(),
    )
    .map(|saved| UploadOutcome { saved, unchanged })
    .map_err(|(i, e)| match e {
        jixiao_store::StoreError::Busy => UploadError::Other(AppError::Busy),
        e => UploadError::Rows(vec![format!(
            "{file_name}: task {} period {}: {e}",
            rows[i].key.task, rows[i].key.period
        )]),
    })
}
