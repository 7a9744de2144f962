//! Values and their review: a unit enters or submits a value (by form, API or an uploaded
//! template), attaches evidence; an evaluator approves or returns it; the office reopens a
//! locked one or imports a file. Read models are in [`read`].

pub mod checks;
mod entry;
pub(crate) mod evidence;
pub mod history;
pub mod read;
mod review;
pub mod todo;
mod upload;

pub use entry::{
    enter, entry_form, import, parse_observation, EnterValue, EntryForm, EntryRow, Typed,
};
pub use evidence::{add_evidence, evidence, EVIDENCE_TYPES};
pub use history::{comment, history, ValueStep};
pub use jixiao_store::evidence::EvidenceInfo;
pub use read::{value_out, ValueOut};
pub use review::{review, ReviewValue};
pub use todo::{todo, Todo};
pub use upload::{template, upload, UploadError, UploadOutcome};
