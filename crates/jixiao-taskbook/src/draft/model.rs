//! The draft's types: every field as a reader found it, with where it found it.

use crate::diag::Location;
use chrono::NaiveDate;

/// A value with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct L<T> {
    pub v: T,
    pub loc: Location,
}

impl<T> L<T> {
    pub fn new(v: T, loc: Location) -> Self {
        L { v, loc }
    }
}

/// A method parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Num(f64),
    Str(String),
    Bool(bool),
    /// Name → number pairs in file order (the grades of a qualitative method).
    Table(Vec<(String, f64)>),
}

impl ParamValue {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            ParamValue::Num(_) => "a number",
            ParamValue::Str(_) => "a string",
            ParamValue::Bool(_) => "true or false",
            ParamValue::Table(_) => "a table",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftPeriod {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub start: Option<L<NaiveDate>>,
    pub end: Option<L<NaiveDate>>,
    pub deadline: Option<L<NaiveDate>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftCycle {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub start: Option<L<NaiveDate>>,
    pub end: Option<L<NaiveDate>>,
    /// `"monthly"` or `"quarterly"`: generate the periods.
    pub period_scheme: Option<L<String>>,
    /// Days after a generated period's end until its deadline.
    pub deadline_days: Option<L<f64>>,
    pub periods: Vec<DraftPeriod>,
    /// If set, the dimensions' points must add up to this.
    pub total_points: Option<L<f64>>,
    pub bonus_cap: Option<L<f64>>,
    pub deduction_cap: Option<L<f64>>,
    pub ranking_decimals: Option<L<f64>>,
    pub at_risk_margin: Option<L<f64>>,
    pub jump_threshold: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftNamed {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftUnit {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub kind: Option<L<String>>,
    pub groups: Vec<L<String>>,
    pub ranked: Option<L<bool>>,
    pub class: Option<L<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftClass {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub total_points: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftGrade {
    pub loc: Option<Location>,
    pub name: Option<L<String>>,
    pub min: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftOverride {
    pub loc: Option<Location>,
    /// Set by the xlsx reader, whose overrides sit on their own sheet.
    pub task: Option<L<String>>,
    pub unit: Option<L<String>>,
    pub target: Option<L<f64>>,
    pub challenge: Option<L<f64>>,
    pub floor: Option<L<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftNode {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub description: Option<L<String>>,
    pub parent: Option<L<String>>,
    pub points: Option<L<f64>>,
    pub evaluators: Vec<L<String>>,
    pub children_sum: Option<L<bool>>,
    pub aggregate: Option<L<String>>,
    pub method: Option<L<String>>,
    pub params: Vec<(L<String>, L<ParamValue>)>,
    pub measure: Option<L<String>>,
    pub direction: Option<L<String>>,
    pub target: Option<L<f64>>,
    pub challenge: Option<L<f64>>,
    pub floor: Option<L<f64>>,
    pub missing: Option<L<String>>,
    pub period_rule: Option<L<String>>,
    pub responsible: Vec<L<String>>,
    pub due: Option<L<NaiveDate>>,
    pub progress: Option<L<Vec<f64>>>,
    /// Value checks: measure type, bounds, jump threshold.
    pub kind: Option<L<String>>,
    pub min: Option<L<f64>>,
    pub max: Option<L<f64>>,
    pub jump: Option<L<f64>>,
    pub overrides: Vec<DraftOverride>,
    /// Tag ids (专项, themes).
    pub tags: Vec<L<String>>,
    /// A formula task's formula, as written.
    pub formula: Option<L<String>>,
    /// Unit classes the node applies to.
    pub classes: Vec<L<String>>,
    /// Points per unit class.
    pub class_points: Vec<(L<String>, L<f64>)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftTag {
    pub loc: Option<Location>,
    pub id: Option<L<String>>,
    pub name: Option<L<String>>,
    pub kind: Option<L<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub cycle: DraftCycle,
    pub groups: Vec<DraftNamed>,
    pub units: Vec<DraftUnit>,
    pub evaluators: Vec<DraftNamed>,
    pub grades: Vec<DraftGrade>,
    pub nodes: Vec<DraftNode>,
    pub tags: Vec<DraftTag>,
    pub classes: Vec<DraftClass>,
    /// `[organisation]`: the organisation below the city that runs the cycle.
    pub organisation: Option<DraftNamed>,
}
