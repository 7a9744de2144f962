//! The pure domain core of jixiao (绩效): the assessment model, the scoring methods, score
//! explanations, ranking, rank robustness analysis, task status and the value workflow.
//!
//! Nothing here does I/O, knows SQL or file formats, or is async: the edges (task-book parsers,
//! storage, command line, web) build a [`model::Framework`] and [`inputs::Inputs`] and call
//! [`scoring::score`].

pub mod basis;
pub mod checks;
pub mod explain;
pub mod formula;
pub mod inputs;
pub mod method;
pub mod model;
pub mod numbers;
pub mod ranking;
pub mod records;
pub mod robustness;
pub mod role;
pub mod scoring;
pub mod status;
pub mod supervision;
pub mod tags;
pub mod workflow;

pub use explain::{explain, explain_total, Explanation, Lang};
pub use inputs::{Inputs, LedgerEntry, LedgerKind, Observation, ValueRecord};
pub use model::*;
pub use role::Role;
pub use scoring::{score, Scorecard};
