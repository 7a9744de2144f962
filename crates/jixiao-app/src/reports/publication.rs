//! Publication as a frozen version. Publishing a cycle stores a snapshot of everything its
//! results were computed from (the task book as canonical TOML, every approved value, every
//! approved ledger entry, the units' report texts, the cycle before it for year-on-year
//! figures) and everything they showed (each unit's node scores, total, grade, ranks), with
//! the jixiao version and the audit log's head, serialised canonically and sealed with its
//! SHA-256. The public pages are drawn from the newest version's snapshot and nothing else, so
//! a value changed after publication cannot move a published figure; publishing again makes a
//! new version, a correction (更正公告) with the office's reason and the figures it changed.
//!
//! Canonical means: the JSON serde writes for these types (fields in declaration order,
//! lists in a fixed order, numbers in the shortest form that reads back to the same bits), so
//! anyone who reads a bundle and writes it again gets the same bytes and the same hash.
//! [`verify`] recomputes every result from a bundle's inputs with this build's scoring and
//! compares bit for bit.

use super::render::Loaded;
use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use jixiao_core::inputs::{LedgerEntry, LedgerKind, Observation};
use jixiao_core::workflow::ValueState;
use jixiao_core::{Framework, Inputs, Scorecard, ValueRecord};
use jixiao_report::{Narratives, Section};
use jixiao_store::reports::PublicationVersion;
use jixiao_store::{Change, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a bundle says it is.
pub const FORMAT: &str = "jixiao-publication/1";

/// A version as downloaded: the snapshot and the SHA-256 of its canonical serialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub sha256: String,
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    /// The jixiao that computed the results.
    pub jixiao_version: String,
    pub cycle: String,
    /// None for the year's results; the period of a period ranking (季度排名).
    pub period: Option<String>,
    pub version: i64,
    pub published_at: String,
    pub published_by: String,
    /// Why this version corrects the one before (更正原因); none for the first.
    pub reason: Option<String>,
    /// The audit log's last entry when it was published.
    pub audit_head: AuditHead,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// What was published: inputs and results. Two versions with equal content are the same
/// publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// The task book as canonical TOML (`jixiao cycle export`).
    pub task_book: String,
    /// Every approved value, by task, unit and period.
    pub values: Vec<ValueIn>,
    /// Every approved bonus and deduction entry.
    pub ledger: Vec<LedgerIn>,
    /// The units' report texts, by unit and section.
    pub narratives: Vec<NarrativeIn>,
    /// The cycle before, for year-on-year figures in the reports.
    pub previous: Option<PreviousCycle>,
    /// Every unit's results, in the task book's order of units.
    pub results: Vec<UnitResult>,
    /// How survey and rating values were made (shown with their explanations), by task and
    /// unit. Absent from versions published before bases were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<BasisIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasisIn {
    pub task: String,
    pub unit: String,
    pub basis: jixiao_core::basis::Basis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueIn {
    pub task: String,
    pub unit: String,
    pub period: String,
    pub value: Observation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerIn {
    pub unit: String,
    pub kind: LedgerKind,
    pub points: f64,
    pub reason: String,
    pub approver: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NarrativeIn {
    pub unit: String,
    pub section: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousCycle {
    pub task_book: String,
    pub values: Vec<ValueIn>,
    pub ledger: Vec<LedgerIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub unit: String,
    pub name: String,
    pub base: f64,
    pub bonus: f64,
    pub deduction: f64,
    pub total: f64,
    pub grade: Option<String>,
    /// Overall rank; none for a unit listed separately (单列).
    pub rank: Option<u32>,
    pub group_ranks: Vec<GroupRank>,
    /// Every node's score (none where it does not apply), in the task book's order.
    pub nodes: Vec<NodeResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRank {
    pub group: String,
    pub rank: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResult {
    pub node: String,
    pub score: Option<f64>,
}

/// The SHA-256 of a snapshot's canonical serialisation, in hex.
pub fn hash(snapshot: &Snapshot) -> String {
    let bytes = serde_json::to_vec(snapshot).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A snapshot sealed with its hash.
pub fn seal(snapshot: Snapshot) -> Bundle {
    Bundle {
        sha256: hash(&snapshot),
        snapshot,
    }
}

fn values_of(s: &mut Store, cycle: &str) -> Result<Vec<ValueIn>> {
    Ok(s.values(cycle)?
        .into_iter()
        .filter(|v| v.row.state == ValueState::Approved)
        .map(|v| ValueIn {
            task: v.row.key.task,
            unit: v.row.key.unit,
            period: v.row.key.period,
            value: v.row.observation,
        })
        .collect())
}

fn ledger_of(s: &mut Store, cycle: &str) -> Result<Vec<LedgerIn>> {
    ledger_until(s, cycle, None)
}

/// The approved ledger entries dated on or before `until` (all when `None`; undated entries
/// always count: nothing says when they happened).
/// Whether a ledger entry dated `date` counts at a cut whose last counted day is `until` (see
/// [`Cut::periods`]); undated entries always count.
pub(crate) fn ledger_counts(
    until: Option<chrono::NaiveDate>,
    date: Option<chrono::NaiveDate>,
) -> bool {
    until.is_none_or(|u| date.is_none_or(|d| d <= u))
}

fn ledger_until(
    s: &mut Store,
    cycle: &str,
    until: Option<chrono::NaiveDate>,
) -> Result<Vec<LedgerIn>> {
    Ok(s.ledger(cycle)?
        .into_iter()
        .filter(|l| ledger_counts(until, l.date))
        .map(|l| LedgerIn {
            unit: l.unit,
            kind: l.kind,
            points: l.points,
            reason: l.reason,
            approver: l.approver,
        })
        .collect())
}

/// The cycle that ends last before `fw` starts, as reports compare with it.
fn previous_cycle(s: &mut Store, fw: &Framework) -> Result<Option<String>> {
    Ok(s.cycle_before(fw, |_| true)?.map(|c| c.cycle.id))
}

/// Which reporting periods a score counts: the whole year, the periods up to one (an in-year
/// snapshot such as 三季度), or those ended by a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    Year,
    Period(String),
    AsOf(chrono::NaiveDate),
}

impl Cut {
    /// The periods counted, and the last day whose ledger entries count (`None`: all).
    pub fn periods(&self, fw: &Framework) -> Result<(Vec<String>, Option<chrono::NaiveDate>)> {
        let all = &fw.cycle.periods;
        match self {
            Cut::Year => Ok((all.iter().map(|p| p.id.clone()).collect(), None)),
            Cut::Period(p) => {
                let i = fw.period_index(p).ok_or_else(|| {
                    AppError::NotFound(format!(
                        "period `{p}` ({})",
                        all.iter()
                            .map(|p| p.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                Ok((
                    all[..=i].iter().map(|p| p.id.clone()).collect(),
                    Some(all[i].end),
                ))
            }
            Cut::AsOf(d) => Ok((
                all.iter()
                    .filter(|p| p.end <= *d)
                    .map(|p| p.id.clone())
                    .collect(),
                Some(*d),
            )),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Cut::Year => "year".into(),
            Cut::Period(p) => p.clone(),
            Cut::AsOf(d) => format!("as of {d}"),
        }
    }
}

/// What would be published for `cycle` now, from the stored data.
pub fn current_content(s: &mut Store, cycle: &str) -> Result<Content> {
    content_at(s, cycle, &Cut::Year)
}

/// [`current_content`] counting only the values of the periods `cut` keeps (and the ledger
/// entries dated by its end).
pub fn content_at(s: &mut Store, cycle: &str, cut: &Cut) -> Result<Content> {
    let task_book = s.cycle_source(cycle)?;
    // Scored from the task book as the bundle carries it, as anyone verifying will.
    let fw = self::task_book(&task_book, "the stored task book").map_err(AppError::Internal)?;
    let (periods, until) = cut.periods(&fw)?;
    let values: Vec<ValueIn> = values_of(s, cycle)?
        .into_iter()
        .filter(|v| periods.contains(&v.period))
        .collect();
    let ledger = ledger_until(s, cycle, until)?;
    let narratives = s
        .narratives(cycle)?
        .into_iter()
        .map(|n| NarrativeIn {
            unit: n.unit,
            section: n.section,
            text: n.body,
        })
        .collect();
    let previous = match previous_cycle(s, &fw)? {
        Some(id) => Some(PreviousCycle {
            task_book: s.cycle_source(&id)?,
            values: values_of(s, &id)?,
            ledger: ledger_of(s, &id)?,
        }),
        None => None,
    };
    let inputs = inputs_of(&fw, &values, &ledger).map_err(|e| AppError::Invalid(e.join("; ")))?;
    let card = jixiao_core::score(&fw, &inputs);
    // In task-book order, so that equal content hashes equally.
    let mut bases: Vec<((usize, usize), BasisIn)> = s
        .value_bases(&fw)?
        .into_iter()
        .map(|((t, u), basis)| {
            let b = BasisIn {
                task: fw.nodes[t].id.clone(),
                unit: fw.units[u].id.clone(),
                basis,
            };
            ((t, u), b)
        })
        .collect();
    bases.sort_by_key(|(k, _)| *k);
    Ok(Content {
        task_book,
        values,
        ledger,
        narratives,
        previous,
        results: results_of(&fw, &card),
        bases: bases.into_iter().map(|(_, b)| b).collect(),
    })
}

/// Scoring inputs from values and ledger entries named by id; every name that the task book
/// does not know is a problem.
pub fn inputs_of(
    fw: &Framework,
    values: &[ValueIn],
    ledger: &[LedgerIn],
) -> std::result::Result<Inputs, Vec<String>> {
    let mut problems = Vec::new();
    let mut records = Vec::new();
    for v in values {
        let (task, unit, period) = (
            fw.node_index(&v.task),
            fw.unit_index(&v.unit),
            fw.period_index(&v.period),
        );
        match (task, unit, period) {
            (Some(task), Some(unit), Some(period)) if fw.nodes[task].task.is_some() => records
                .push(ValueRecord {
                    task,
                    unit,
                    period,
                    observation: v.value.clone(),
                }),
            _ => problems.push(format!(
                "value {}/{}/{}: the task book has no such task, unit or period",
                v.task, v.unit, v.period
            )),
        }
    }
    let mut entries = Vec::new();
    for l in ledger {
        match fw.unit_index(&l.unit) {
            Some(unit) if l.points.is_finite() => entries.push(LedgerEntry {
                unit,
                kind: l.kind,
                points: l.points,
                reason: l.reason.clone(),
                approver: l.approver.clone(),
            }),
            _ => problems.push(format!(
                "ledger entry {} ({}): unknown unit or points not a number",
                l.unit, l.reason
            )),
        }
    }
    if problems.is_empty() {
        Ok(Inputs::from_records(fw, &records, entries))
    } else {
        Err(problems)
    }
}

/// Every unit's published figures from a scorecard.
pub fn results_of(fw: &Framework, card: &Scorecard) -> Vec<UnitResult> {
    fw.units
        .iter()
        .zip(&card.units)
        .map(|(u, sc)| UnitResult {
            unit: u.id.clone(),
            name: u.name.clone(),
            base: sc.base,
            bonus: sc.bonus,
            deduction: sc.deduction,
            total: sc.total,
            grade: sc.grade.clone(),
            rank: sc.rank,
            group_ranks: sc
                .group_ranks
                .iter()
                .map(|(g, r)| GroupRank {
                    group: fw.groups[*g].id.clone(),
                    rank: *r,
                })
                .collect(),
            nodes: fw
                .nodes
                .iter()
                .zip(&sc.nodes)
                .map(|(n, ns)| NodeResult {
                    node: n.id.clone(),
                    score: ns.score(),
                })
                .collect(),
        })
        .collect()
}

fn task_book(text: &str, what: &str) -> std::result::Result<Framework, String> {
    jixiao_taskbook::parse_toml(text, what).map_err(|d| {
        let first: Vec<String> = d.iter().take(5).map(|x| x.to_string()).collect();
        format!("{what} is not a valid task book: {}", first.join("; "))
    })
}

/// A published version as the report writers read it: the cycle, its inputs and scores, its
/// texts and the cycle before, all from the snapshot.
pub fn loaded(snapshot: &Snapshot) -> Result<Loaded> {
    let c = &snapshot.content;
    let invalid = |e: String| AppError::Internal(format!("publication {}: {e}", snapshot.cycle));
    let fw = task_book(&c.task_book, "the task book").map_err(invalid)?;
    let mut inputs = inputs_of(&fw, &c.values, &c.ledger).map_err(|e| invalid(e.join("; ")))?;
    inputs.bases = c
        .bases
        .iter()
        .filter_map(|b| {
            Some((
                (fw.node_index(&b.task)?, fw.unit_index(&b.unit)?),
                b.basis.clone(),
            ))
        })
        .collect();
    let card = jixiao_core::score(&fw, &inputs);
    let previous = match &c.previous {
        Some(p) => {
            let pfw = task_book(&p.task_book, "the previous task book").map_err(invalid)?;
            let pin = inputs_of(&pfw, &p.values, &p.ledger).map_err(|e| invalid(e.join("; ")))?;
            Some((pfw, pin))
        }
        None => None,
    };
    let mut narratives = Narratives::default();
    for n in &c.narratives {
        if let Some(section) = Section::parse(&n.section) {
            narratives
                .0
                .insert((n.unit.clone(), section), n.text.clone());
        }
    }
    let reported = c
        .values
        .iter()
        .filter_map(|v| {
            Some((
                fw.node_index(&v.task)?,
                fw.unit_index(&v.unit)?,
                fw.period_index(&v.period)?,
            ))
        })
        .collect();
    Ok(Loaded {
        fw,
        inputs,
        card,
        previous,
        narratives,
        reported,
        published: true,
        hotline: None,
    })
}

/// What `jixiao verify-publication` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub cycle: String,
    pub version: i64,
    /// The hash the bundle states, and the one its content gives.
    pub stated_sha256: String,
    pub computed_sha256: String,
    /// Published figures that recomputing does not give, and inputs that cannot be read.
    pub differences: Vec<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.stated_sha256 == self.computed_sha256 && self.differences.is_empty()
    }
}

/// Checks a bundle: its hash, and every published figure recomputed from its inputs, compared
/// bit for bit. `Err` when the text is not a bundle at all.
pub fn verify(text: &str) -> std::result::Result<Verification, String> {
    let bundle: Bundle = serde_json::from_str(text)
        .map_err(|e| format!("not a publication bundle ({FORMAT}): {e}"))?;
    let s = &bundle.snapshot;
    if s.format != FORMAT {
        return Err(format!(
            "the bundle's format is `{}`; this jixiao reads {FORMAT}",
            s.format
        ));
    }
    let mut differences = Vec::new();
    let c = &s.content;
    match task_book(&c.task_book, "the task book") {
        Err(e) => differences.push(e),
        Ok(fw) => match inputs_of(&fw, &c.values, &c.ledger) {
            Err(problems) => differences.extend(problems),
            Ok(inputs) => {
                let card = jixiao_core::score(&fw, &inputs);
                let recomputed = results_of(&fw, &card);
                differences.extend(compare_results(
                    &c.results,
                    &recomputed,
                    "published",
                    "recomputed",
                ));
            }
        },
    }
    Ok(Verification {
        cycle: s.cycle.clone(),
        version: s.version,
        stated_sha256: bundle.sha256.clone(),
        computed_sha256: hash(s),
        differences,
    })
}

fn show(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v}"))
}

/// Each figure that differs between two sets of results, as "unit: what old → new".
fn compare_results(a: &[UnitResult], b: &[UnitResult], a_name: &str, b_name: &str) -> Vec<String> {
    diff_results(a, b)
        .into_iter()
        .map(|d| {
            format!(
                "{} ({}) {}: {a_name} {}, {b_name} {}",
                d.unit_name, d.unit, d.figure, d.old, d.new
            )
        })
        .collect()
}

/// One figure that differs between two versions (or a version and the live data).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub unit: String,
    pub unit_name: String,
    /// `total`, `grade`, `rank`, `rank in GROUP`, `bonus`, `deduction`, `base` or a node id.
    pub figure: String,
    pub old: String,
    pub new: String,
}

/// The figures that differ between `old` and `new` results, unit by unit (units present in
/// only one side included).
pub fn diff_results(old: &[UnitResult], new: &[UnitResult]) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |u: &UnitResult, figure: String, o: String, n: String| {
        if o != n {
            out.push(Difference {
                unit: u.unit.clone(),
                unit_name: u.name.clone(),
                figure,
                old: o,
                new: n,
            });
        }
    };
    for n in new {
        let Some(o) = old.iter().find(|o| o.unit == n.unit) else {
            push(n, "total".into(), "—".into(), format!("{}", n.total));
            continue;
        };
        let bits = |x: f64| x.to_bits();
        for (figure, a, b) in [
            ("total", o.total, n.total),
            ("base", o.base, n.base),
            ("bonus", o.bonus, n.bonus),
            ("deduction", o.deduction, n.deduction),
        ] {
            if bits(a) != bits(b) {
                push(n, figure.into(), format!("{a}"), format!("{b}"));
            }
        }
        push(
            n,
            "grade".into(),
            o.grade.clone().unwrap_or_else(|| "—".into()),
            n.grade.clone().unwrap_or_else(|| "—".into()),
        );
        let rank = |r: Option<u32>| r.map_or("—".to_string(), |r| r.to_string());
        push(n, "rank".into(), rank(o.rank), rank(n.rank));
        for g in o
            .group_ranks
            .iter()
            .chain(&n.group_ranks)
            .map(|g| g.group.clone())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let find = |r: &UnitResult| r.group_ranks.iter().find(|x| x.group == g).map(|x| x.rank);
            push(n, format!("rank in {g}"), rank(find(o)), rank(find(n)));
        }
        for node in &n.nodes {
            let before = o
                .nodes
                .iter()
                .find(|x| x.node == node.node)
                .and_then(|x| x.score);
            if before.map(f64::to_bits) != node.score.map(f64::to_bits) {
                push(n, node.node.clone(), show(before), show(node.score));
            }
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.unit == o.unit)) {
        push(o, "total".into(), format!("{}", o.total), "—".into());
    }
    out
}

/// Publishes `cycle`'s results (`period` None), or a period's ranking (季度排名: the figures of
/// the periods up to it): a first version, or a correction when the results or their inputs
/// changed since the newest version (a reason is then required), or, when nothing changed, the
/// newest version again (after a withdrawal). Returns the version now public.
pub fn publish(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
    period: Option<&str>,
    reason: Option<&str>,
) -> Result<(PublicationVersion, Change)> {
    require(actor, Act::Administer)?;
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
    let cut = match period {
        Some(p) => {
            let fw = s.load_cycle(&cycle)?;
            crate::lookup::period(&fw, p)?;
            Cut::Period(p.to_string())
        }
        None => Cut::Year,
    };
    let p = period.unwrap_or("");
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        crate::text::paragraphs("reason", r, crate::text::NOTE)?;
    }
    let mut refused: Option<AppError> = None;
    let outcome = s.publish_version(&cycle, p, &actor.id, reason, &mut |s, next| {
        let content = content_at(s, &cycle, &cut).map_err(|e| match e {
            AppError::NotFound(m) => StoreError::NotFound(m),
            other => StoreError::Invalid(other.to_string()),
        })?;
        if next.version > 1 {
            let newest = stored_snapshot(s, &cycle, p, next.version - 1)?;
            if newest.content == content {
                return Ok(None);
            }
            if next.reason.is_none() {
                refused = Some(AppError::Invalid(format!(
                    "the results of cycle `{cycle}`{} changed since version {} was published: publishing again makes a correction (更正公告), which needs the reason (更正原因)",
                    period.map(|p| format!(" for {p}")).unwrap_or_default(),
                    next.version - 1
                )));
                return Err(StoreError::Invalid("a correction needs a reason".into()));
            }
        }
        let snapshot = Snapshot {
            format: FORMAT.into(),
            jixiao_version: env!("CARGO_PKG_VERSION").into(),
            cycle: cycle.clone(),
            period: period.map(str::to_string),
            version: next.version,
            published_at: next.published_at.clone(),
            published_by: next.published_by.clone(),
            reason: if next.version > 1 { next.reason.clone() } else { None },
            audit_head: AuditHead {
                seq: next.audit_seq,
                hash: next.audit_hash.clone(),
            },
            content,
        };
        let bundle = seal(snapshot);
        let text = serde_json::to_string(&bundle).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Some((text, bundle.sha256)))
    });
    match (outcome, refused) {
        (_, Some(e)) => Err(e),
        (r, None) => Ok(r?),
    }
}

fn stored_snapshot(
    s: &mut Store,
    cycle: &str,
    period: &str,
    version: i64,
) -> jixiao_store::Result<Snapshot> {
    let text = s
        .publication_bundle(cycle, period, version)?
        .ok_or_else(|| StoreError::NotFound(format!("version {version} of cycle `{cycle}`")))?;
    serde_json::from_str::<Bundle>(&text)
        .map(|b| b.snapshot)
        .map_err(|e| {
            StoreError::Corrupt(format!(
                "the bundle of version {version} of cycle `{cycle}`: {e}"
            ))
        })
}

/// Freezes cycles published before publications had versions: each gets version 1 of its
/// data as it is now. Run when an instance starts; returns the cycles frozen.
pub fn freeze_unversioned(s: &mut Store) -> Result<Vec<String>> {
    let mut frozen = Vec::new();
    for id in s.cycles()?.into_iter().map(|c| c.id) {
        if s.publication(&id)?.is_some() && s.publication_versions(&id, "")?.is_empty() {
            publish(s, &Actor::office("system"), Some(&id), None, None)?;
            frozen.push(id);
        }
    }
    Ok(frozen)
}

/// The versions of a cycle's publication (`period` None) or of a period's ranking. The office
/// sees those of any cycle; others only what is public, as if nothing else existed.
pub fn versions(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    period: Option<&str>,
) -> Result<Vec<PublicationVersion>> {
    visible(s, actor, cycle, period)?;
    Ok(s.publication_versions(cycle, period.unwrap_or(""))?)
}

/// The periods of a cycle whose rankings are published.
pub fn published_periods(s: &mut Store, cycle: &str) -> Result<Vec<String>> {
    Ok(s.published_periods(cycle)?)
}

fn visible(s: &mut Store, actor: &Actor, cycle: &str, period: Option<&str>) -> Result<()> {
    let not_found = || AppError::NotFound(format!("published cycle `{cycle}`"));
    if require(actor, Act::ViewCycle).is_ok()
        && crate::lookup::cycle_id(s, actor, Some(cycle)).is_ok()
        && s.load_cycle(cycle).is_ok()
    {
        return Ok(());
    }
    let published = match period {
        None => s.publication(cycle).map_err(|_| not_found())?.is_some(),
        Some(p) => !s
            .publication_versions(cycle, p)
            .map_err(|_| not_found())?
            .is_empty(),
    };
    require(actor, Act::ViewPublished { published }).map_err(|_| not_found())
}

/// One version's bundle as stored (its exact bytes, so a download hashes as published).
pub fn bundle(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    period: Option<&str>,
    version: i64,
) -> Result<String> {
    visible(s, actor, cycle, period)?;
    s.publication_bundle(cycle, period.unwrap_or(""), version)?
        .ok_or_else(|| AppError::NotFound(format!("version {version} of cycle `{cycle}`")))
}

/// A published version ready for the report writers ([`loaded`]), kept per (database, cycle,
/// period, hash): a version never changes, so what was read once serves every later request.
pub fn loaded_version(s: &mut Store, v: &PublicationVersion) -> Result<Loaded> {
    type Kept = std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Loaded>>>;
    static KEPT: std::sync::OnceLock<Kept> = std::sync::OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    let key = s
        .identity()
        .map(|db| format!("{db}\u{1f}{}\u{1f}{}\u{1f}{}", v.cycle, v.period, v.sha256));
    if let Some(k) = &key {
        if let Some(hit) = kept.lock().ok().and_then(|m| m.get(k).cloned()) {
            return Ok((*hit).clone());
        }
    }
    let snapshot = stored_snapshot(s, &v.cycle, &v.period, v.version)?;
    let out = loaded(&snapshot)?;
    if let (Some(k), Ok(mut m)) = (key, kept.lock()) {
        if m.len() >= 32 {
            m.clear();
        }
        m.insert(k, std::sync::Arc::new(out.clone()));
    }
    Ok(out)
}

/// The newest version of a published cycle (or period ranking), without its snapshot.
pub fn newest_version(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    period: Option<&str>,
) -> Result<PublicationVersion> {
    let not_found = || AppError::NotFound(format!("published cycle `{cycle}`"));
    let published = match period {
        None => s.publication(cycle).map_err(|_| not_found())?.is_some(),
        Some(_) => true,
    };
    require(actor, Act::ViewPublished { published }).map_err(|_| not_found())?;
    s.publication_versions(cycle, period.unwrap_or(""))
        .map_err(|_| not_found())?
        .pop()
        .ok_or_else(not_found)
}

/// The newest version of a published cycle (or period ranking), with its snapshot.
pub fn newest(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    period: Option<&str>,
) -> Result<(PublicationVersion, Snapshot)> {
    let v = newest_version(s, actor, cycle, period)?;
    let snapshot = stored_snapshot(s, cycle, &v.period, v.version)?;
    Ok((v, snapshot))
}

/// A correction notice (更正公告): the reason and each figure version `version` changed from
/// the version before.
pub fn correction(
    s: &mut Store,
    actor: &Actor,
    cycle: &str,
    period: Option<&str>,
    version: i64,
) -> Result<Option<(PublicationVersion, Vec<Difference>)>> {
    visible(s, actor, cycle, period)?;
    if version < 2 {
        return Ok(None);
    }
    let p = period.unwrap_or("");
    let all = s.publication_versions(cycle, p)?;
    let Some(v) = all.iter().find(|v| v.version == version).cloned() else {
        return Ok(None);
    };
    let new = stored_snapshot(s, cycle, p, version)?;
    let old = stored_snapshot(s, cycle, p, version - 1)?;
    Ok(Some((
        v,
        diff_results(&old.content.results, &new.content.results),
    )))
}

/// For the office: how the live results differ from the newest published version of the
/// year's results (none when the cycle was never published).
pub fn changes_since_publication(
    s: &mut Store,
    actor: &Actor,
    cycle: Option<&str>,
) -> Result<Option<(PublicationVersion, Vec<Difference>)>> {
    require(actor, Act::ViewCycle)?;
    let cycle = crate::lookup::cycle_id(s, actor, cycle)?;
    let Some(v) = s.publication_versions(&cycle, "")?.pop() else {
        return Ok(None);
    };
    let published = stored_snapshot(s, &cycle, "", v.version)?;
    let live = current_content(s, &cycle)?;
    let mut diffs = diff_results(&published.content.results, &live.results);
    if diffs.is_empty() && published.content != live {
        // Inputs changed without moving a figure (a note, a text): say so.
        diffs.push(Difference {
            unit: String::new(),
            unit_name: String::new(),
            figure: "inputs".into(),
            old: "as published".into(),
            new: "changed, results unchanged".into(),
        });
    }
    Ok(Some((v, diffs)))
}
