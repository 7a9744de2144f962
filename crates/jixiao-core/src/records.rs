//! Rows exchanged between the file readers and the store: a value of one task for one unit in
//! one period, and a bonus or deduction ledger entry. Identified by ids, not indices.

use crate::inputs::{LedgerKind, Observation};
use crate::workflow::ValueState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Identifies one value: task × unit × period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ValueKey {
    pub task: String,
    pub unit: String,
    pub period: String,
}

/// A value as imported or stored (and as the audit log records it: read back for a value's
/// history, so fields added later default when an older entry lacks them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueRow {
    pub key: ValueKey,
    pub observation: Observation,
    #[serde(default)]
    pub note: String,
    /// Where the figure comes from (a document, a sentence of a report, a system).
    #[serde(default)]
    pub source: String,
    /// References to evidence files.
    #[serde(default)]
    pub evidence: String,
    pub state: ValueState,
}

/// A ledger entry as imported or stored; entries are identified by unit, kind and reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    pub unit: String,
    pub kind: LedgerKind,
    pub points: f64,
    pub reason: String,
    pub approver: String,
    pub date: Option<NaiveDate>,
}

/// An honour or an external assessment's result (荣誉和外部考核) of a unit: the register a
/// report's ranks, streaks and honours are checked against. Identified by unit, name, period
/// and scope.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Honour {
    pub unit: String,
    /// 全国双拥模范城, 接诉即办年度综合考核 …
    pub name: String,
    /// Who awarded or ran it (授予或组织机关).
    pub issuer: String,
    /// 2020年, 2020年三季度 …
    pub period: String,
    /// The place, for an assessment that ranks.
    pub rank: Option<u32>,
    /// Among whom the place is: 全市 (a rank's default), 城六区, 全国 …; none for a title.
    pub scope: Option<String>,
    /// Times running (八连冠: 8, 五次蝉联: 5).
    pub streak: Option<u32>,
    #[serde(default)]
    pub note: String,
}

/// The approved rows as scoring reads them (rows naming an unknown task, unit or period are
/// left out: the parsers never produce them).
pub fn approved_records(fw: &crate::Framework, rows: &[ValueRow]) -> Vec<crate::ValueRecord> {
    rows.iter()
        .filter(|r| r.state == ValueState::Approved)
        .filter_map(|r| {
            Some(crate::ValueRecord {
                task: fw.node_index(&r.key.task)?,
                unit: fw.unit_index(&r.key.unit)?,
                period: fw.period_index(&r.key.period)?,
                observation: r.observation.clone(),
            })
        })
        .collect()
}

/// Ledger rows as scoring reads them.
pub fn ledger_entries(fw: &crate::Framework, rows: &[LedgerRow]) -> Vec<crate::LedgerEntry> {
    rows.iter()
        .filter_map(|l| {
            Some(crate::LedgerEntry {
                unit: fw.unit_index(&l.unit)?,
                kind: l.kind,
                points: l.points,
                reason: l.reason.clone(),
                approver: l.approver.clone(),
            })
        })
        .collect()
}
