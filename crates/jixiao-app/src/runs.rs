//! Score runs: a cycle scored at a point of the year and kept for the record — the whole year,
//! the periods up to one (季度: `--period Q3`) or those ended by a date (`--as-of`). Each run keeps
//! what it counted (the task book, values, ledger) and what came out, in the publication's
//! snapshot form, so two runs can be compared figure by figure and input by input.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::reports::publication::{self, Content, Cut, Difference};
use crate::scores::Scored;
use jixiao_store::Store;
use serde::{Deserialize, Serialize};

/// What a kept run says it is.
pub const FORMAT: &str = "jixiao-run/1";

/// A kept run, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: String,
    pub cycle: String,
    /// `year`, a period id, or `as of DATE`.
    pub cut: String,
    /// The periods whose values counted.
    pub periods: Vec<String>,
    pub content: Content,
}

/// A cycle scored with the values `cut` keeps, for those who see the cycle.
pub fn scored_at(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    cut: &Cut,
) -> Result<(Scored, RunRecord)> {
    require(actor, Act::ViewCycle)?;
    let id = crate::lookup::cycle_id(s, actor, cycle)?;
    scored_unchecked(s, &id, cut)
}

/// [`scored_at`] without the permission check, for read models that asked already.
pub(crate) fn scored_unchecked(
    s: &mut Store,
    cycle: &str,
    cut: &Cut,
) -> Result<(Scored, RunRecord)> {
    let fw = s.load_cycle(cycle)?;
    let (periods, _) = cut.periods(&fw)?;
    let content = publication::content_at(s, cycle, cut)?;
    let inputs = publication::inputs_of(&fw, &content.values, &content.ledger)
        .map_err(|e| AppError::Internal(e.join("; ")))?;
    let card = jixiao_core::score(&fw, &inputs);
    let record = RunRecord {
        format: FORMAT.into(),
        cycle: cycle.to_string(),
        cut: cut.label(),
        periods,
        content,
    };
    Ok((
        Scored {
            fw: fw.into(),
            inputs: inputs.into(),
            card: card.into(),
        },
        record,
    ))
}

/// Scores a cycle at `cut` and keeps the run (the office); returns the scores and the run's
/// number.
pub fn score_and_record(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    cut: &Cut,
) -> Result<(Scored, i64)> {
    require(actor, Act::Administer)?;
    let (scored, record) = scored_at(s, actor, cycle, cut)?;
    let json = serde_json::to_string(&record).map_err(|e| AppError::Internal(e.to_string()))?;
    let run = s.record_score_run(&scored.fw.cycle.id, &actor.id, &json)?;
    Ok((scored, run))
}

/// A kept run, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub cycle: String,
    pub at: String,
    pub by: String,
    /// `year`, a period id, `as of DATE`, or `?` for a run kept by an earlier release.
    pub cut: String,
}

fn info(r: &jixiao_store::ScoreRun) -> RunInfo {
    let cut = serde_json::from_str::<serde_json::Value>(&r.result)
        .ok()
        .and_then(|v| v.get("cut").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_else(|| "?".into());
    RunInfo {
        id: r.id,
        cycle: r.cycle.clone(),
        at: r.created_at.clone(),
        by: r.created_by.clone(),
        cut,
    }
}

/// The kept runs of a cycle (every cycle when `None`), oldest first.
pub fn list(s: &mut Store, actor: &Actor, cycle: Option<&str>) -> Result<Vec<RunInfo>> {
    require(actor, Act::ViewCycle)?;
    let cycle = match cycle {
        Some(c) => Some(crate::lookup::cycle_id(s, actor, Some(c))?),
        None => None,
    };
    Ok(s.score_runs(cycle.as_deref())?.iter().map(info).collect())
}

/// An input that differs between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputChange {
    /// `value TASK UNIT PERIOD` or `ledger UNIT KIND REASON`.
    pub input: String,
    pub old: String,
    pub new: String,
}

/// What changed from run `a` to run `b`: every figure, and every input that made them change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDiff {
    pub a: RunInfo,
    pub b: RunInfo,
    pub results: Vec<Difference>,
    pub inputs: Vec<InputChange>,
}

fn record(s: &mut Store, id: i64) -> Result<(RunInfo, RunRecord)> {
    let run = s.score_run(id)?;
    let rec: RunRecord = serde_json::from_str(&run.result)
        .ok()
        .filter(|r: &RunRecord| r.format == FORMAT)
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "score run #{id} was kept by an earlier release of jixiao, without its inputs; score again to compare"
            ))
        })?;
    Ok((info(&run), rec))
}

pub fn diff(s: &mut Store, actor: &Actor, a: i64, b: i64) -> Result<RunDiff> {
    require(actor, Act::ViewCycle)?;
    let (ia, ra) = record(s, a)?;
    let (ib, rb) = record(s, b)?;
    let results = publication::diff_results(&ra.content.results, &rb.content.results);
    let mut inputs = Vec::new();
    let key = |v: &publication::ValueIn| format!("value {} {} {}", v.task, v.unit, v.period);
    let old: std::collections::BTreeMap<String, String> = ra
        .content
        .values
        .iter()
        .map(|v| (key(v), v.value.to_string()))
        .collect();
    let new: std::collections::BTreeMap<String, String> = rb
        .content
        .values
        .iter()
        .map(|v| (key(v), v.value.to_string()))
        .collect();
    let lkey =
        |l: &publication::LedgerIn| format!("ledger {} {} {}", l.unit, l.kind.as_str(), l.reason);
    let old_l: std::collections::BTreeMap<String, String> = ra
        .content
        .ledger
        .iter()
        .map(|l| (lkey(l), format!("{}", l.points)))
        .collect();
    let new_l: std::collections::BTreeMap<String, String> = rb
        .content
        .ledger
        .iter()
        .map(|l| (lkey(l), format!("{}", l.points)))
        .collect();
    for (o, n) in [(&old, &new), (&old_l, &new_l)] {
        let keys: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for k in keys {
            let (x, y) = (o.get(k), n.get(k));
            if x != y {
                inputs.push(InputChange {
                    input: k.clone(),
                    old: x.cloned().unwrap_or_else(|| "—".into()),
                    new: y.cloned().unwrap_or_else(|| "—".into()),
                });
            }
        }
    }
    if ra.content.task_book != rb.content.task_book {
        inputs.push(InputChange {
            input: "task book".into(),
            old: "as in the first run".into(),
            new: "changed".into(),
        });
    }
    Ok(RunDiff {
        a: ia,
        b: ib,
        results,
        inputs,
    })
}

/// Every unit's total, rank and grade after each period with approved values: the cycle scored
/// once per period (counting the periods up to it), kept while the cycle's data version holds.
struct PeriodCards {
    /// (period id, period name, by unit index: (total, rank, grade)).
    periods: Vec<(String, String, Vec<Standing>)>,
}

/// A unit's total, rank and grade.
type Standing = (f64, Option<u32>, Option<String>);

static PERIOD_CARDS: crate::cache::Versioned<PeriodCards> = crate::cache::Versioned::new();

fn period_cards(s: &mut Store, actor: &Actor, id: &str) -> Result<std::sync::Arc<PeriodCards>> {
    PERIOD_CARDS.get(s, id, |s| {
        let cv = crate::values::read::cycle_values(s, actor, Some(id))?;
        let fw = &cv.fw;
        // One read of the values and the ledger; each period scores a subset of them.
        let rows: Vec<jixiao_core::records::ValueRow> =
            cv.values.iter().map(|v| v.row.clone()).collect();
        let records = jixiao_core::records::approved_records(fw, &rows);
        let ledger = s.ledger(id)?;
        let mut periods = Vec::new();
        for (i, p) in fw.cycle.periods.iter().enumerate() {
            if !records.iter().any(|r| r.period == i) {
                continue;
            }
            // What a ranking published for this period counts (the one rule: `Cut::periods`).
            let (counted, until) = Cut::Period(p.id.clone()).periods(fw)?;
            let counted: Vec<usize> = counted
                .iter()
                .filter_map(|id| fw.period_index(id))
                .collect();
            let upto: Vec<jixiao_core::ValueRecord> = records
                .iter()
                .filter(|r| counted.contains(&r.period))
                .cloned()
                .collect();
            let dated: Vec<jixiao_core::records::LedgerRow> = ledger
                .iter()
                .filter(|l| publication::ledger_counts(until, l.date))
                .cloned()
                .collect();
            let inputs = jixiao_core::Inputs::from_records(
                fw,
                &upto,
                jixiao_core::records::ledger_entries(fw, &dated),
            );
            let card = jixiao_core::score(fw, &inputs);
            periods.push((
                p.id.clone(),
                p.name.clone(),
                card.units
                    .iter()
                    .map(|us| (us.total, us.rank, us.grade.clone()))
                    .collect(),
            ));
        }
        Ok(PeriodCards { periods })
    })
}

/// A unit's total and ranks after each period of the year (counting the periods up to it),
/// for the periods with any approved value; for those who see its total and rank.
pub fn unit_by_period(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
) -> Result<Vec<PeriodStanding>> {
    require(actor, Act::ViewUnit(unit))?;
    let id = crate::lookup::cycle_id(s, actor, cycle)?;
    if crate::visibility::for_actor(s, actor, &id)? < crate::visibility::Visibility::TotalAndRank {
        return Ok(Vec::new());
    }
    let cards = period_cards(s, actor, &id)?;
    // The cards are indexed like the units of the cycle's kept framework.
    let u = crate::lookup::unit(
        &crate::values::read::cycle_values(s, actor, Some(&id))?.fw,
        unit,
    )?;
    Ok(cards
        .periods
        .iter()
        .map(|(period, name, units)| PeriodStanding {
            period: period.clone(),
            period_name: name.clone(),
            total: units[u].0,
            rank: units[u].1,
            grade: units[u].2.clone(),
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodStanding {
    pub period: String,
    pub period_name: String,
    pub total: f64,
    pub rank: Option<u32>,
    pub grade: Option<String>,
}
