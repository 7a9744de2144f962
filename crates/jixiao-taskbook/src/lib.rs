//! The file formats of a task book (任务书) and of the data loaded into a cycle.
//!
//! - TOML, the format offices edit and keep under version control (docs/framework-format.md):
//!   [`parse_toml`] reports every error with file:line:column, [`to_toml`] writes a canonical
//!   file.
//! - xlsx, the same content as spreadsheets (docs/framework-format.md, "Excel layout").
//! - Values and ledger entries from CSV or xlsx, validated row by row before anything is
//!   written.
//!
//! Readers turn a file into a located [`draft::Draft`]; [`draft::build`] holds every rule once.

pub mod diag;
pub mod draft;
pub mod edit;
pub mod next;
pub mod round;
pub mod sheet;
pub mod survey;
pub mod toml_read;
pub mod toml_write;
pub mod values;
pub mod xlsx;

pub use diag::{Diagnostic, Location};
pub use toml_read::parse_toml;
pub use toml_write::to_toml;
