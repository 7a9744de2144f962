//! 接诉即办 storage: cases, their events, and the rollup counters, which every write keeps in
//! step with the cases in the same transaction (a case's old contribution is subtracted and its
//! new one added), so rankings and dashboards read counters, never cases.
//!
//! [`rows`] (a case as a row), [`cases`] (imports, events, lists, contacts), [`rollups`]
//! (counters and monthly figures), [`packs`] (the compact copies rebuilds read), [`rebuild`],
//! [`geography`] (areas and categories), [`keys`] (Open311 API keys), [`summons`] (吹哨报到 parts), [`partitions`]
//! (PostgreSQL's month partitions of cases and events).

mod cases;
mod files;
pub use files::CaseFile;
mod geography;
mod keys;
pub use keys::ApiKey;
mod packs;
mod partitions;
mod problems;
mod rebuild;
mod rollups;
mod rows;
mod summons;
pub(crate) use cases::Counting;
pub(crate) use rows::SEALED_CASE_COLUMNS;
pub(crate) use rows::{t, time};
pub use summons::PartsOf;

pub use cases::{
    CaseCursor, CaseFilter, CaseImport, EventMeta, ExclusionRequest, Recorded, WorkList,
    CONTACT_ERASE_BATCH,
};
pub use rollups::UnitCounters;
