//! Rows exchanged between the file readers and the store: a value of one task for one unit in
//! one period, and a bonus or deduction ledger entry. Identified by ids, not indices.

use crate::inputs::{LedgerKind, Observation};
use crate::workflow::ValueState;
use chrono::NaiveDate;
use serde::Serialize;

/// Identifies one value: task × unit × period.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ValueKey {
    pub task: String,
    pub unit: String,
    pub period: String,
}

/// A value as imported or stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueRow {
    pub key: ValueKey,
    pub observation: Observation,
    pub note: String,
    /// Where the figure comes from (a document, a sentence of a report, a system).
    pub source: String,
    /// References to evidence files.
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
