//! The application's one error type: what a use case tells its caller, in words a user can
//! act on. The edges map it once: the web to a status and a page or JSON body, the command line
//! to a message and an exit code. Internal causes are kept for the log, never shown.

use jixiao_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The actor must log in first.
    #[error("please log in")]
    Unauthenticated,
    /// The actor may not do this.
    #[error("you do not have permission to do this")]
    Forbidden,
    /// Allowed in general, withheld for now by the office's setting; the message says what.
    #[error("{0}")]
    Withheld(String),
    #[error("{0} not found")]
    NotFound(String),
    /// What the user sent cannot be accepted; the message says why and where.
    #[error("{0}")]
    Invalid(String),
    /// Refused by a rule whose message is written in both languages (a value check): the
    /// edge shows the user's.
    #[error("{0}")]
    Rejected(jixiao_core::checks::Words),
    /// What was to be created exists already.
    #[error("{0}")]
    Conflict(String),
    /// Another writer holds the database; nothing was saved.
    #[error("the database is busy with another write (an import, another server); nothing was saved, try again in a moment")]
    Busy,
    /// Login throttling: the seconds to wait.
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyAttempts(i64),
    /// A fault of jixiao or its database; the cause goes to the log only.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// A file refused by its reader: every located problem, one a line.
    pub fn diagnosed(d: Vec<jixiao_taskbook::Diagnostic>) -> AppError {
        AppError::Invalid(
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Invalid(m) => AppError::Invalid(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Workflow(w) => AppError::Rejected(jixiao_core::checks::Words {
                en: w.to_string(),
                zh: w.zh(),
            }),
            StoreError::Busy => AppError::Busy,
            other => AppError::Internal(other.chain()),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
