//! The application layer of jixiao (绩效): every use case as a plain synchronous function over
//! the store.
//!
//! Each action takes the acting user ([`Actor`]) and asks the one permission function,
//! [`policy::allows`], before it touches anything; read models (what a page or an API answer
//! shows) are apart from actions. The command line, the JSON API and the pages all call this
//! crate and nothing below it: HTTP and argument parsing stay at the edges, SQL in the store,
//! the rules of scoring in the core.
//!
//! Areas: [`cycles`] (task books), [`values`] (entry, review, uploads, evidence),
//! [`grading`], [`ledger`], [`scores`] (scoring, rankings, explanations), [`reports`] (reports
//! and publication), [`accounts`], [`audit`], [`hotline`] (接诉即办 and Open311), [`claims`]
//! (report checking), [`jobs`] (scheduled work).

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod cache;
pub mod claims;
pub mod cycles;
pub mod drafts;
pub mod error;
pub mod grading;
pub mod honours;
pub mod hotline;
pub mod jobs;
pub mod ledger;
pub mod levels;
mod lookup;
pub mod notices;
pub mod overview;
pub mod policy;
pub mod ratings;
pub mod reports;
pub mod runs;
pub mod scores;
pub mod settings;
pub mod supervision;
pub mod surveys;
pub mod tags;
pub mod text;
pub mod units;
pub mod values;
pub mod visibility;

pub use actor::{Actor, Role};
pub use error::{AppError, Result};
pub use jixiao_store::audit::sha256_hex;
pub use jixiao_store::seals::set_audit_key;
pub use jixiao_store::{ApiToken, Change, Pool, PoolConfig, Store, StoreError};
pub use settings::Settings;

/// Whether the store's connection is known to be lost (its server went away): a read on a
/// replica that failed so is run again on the primary.
pub fn connection_lost(s: &Store) -> bool {
    s.is_lost()
}

/// Opens (and migrates) the database at `url`: a SQLite path or `sqlite://PATH`, or
/// `postgres://…`.
pub fn open(url: &str) -> Result<Store> {
    Store::open(url).map_err(|e| match e {
        StoreError::Connect(m) | StoreError::Migration(m) => AppError::Invalid(m),
        other => other.into(),
    })
}
