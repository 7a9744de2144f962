//! The store's one error type. A database failure keeps the driver's error as its source, so
//! logs show the whole cause chain; a busy database (another writer holds the lock longer than
//! the wait allowed) is its own variant, so callers can answer "try again" instead of failing.

use jixiao_core::workflow::WorkflowError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be opened or reached.
    #[error("{0}")]
    Connect(String),
    /// The database answered with an error (kept as the source).
    #[error("database error while {context}")]
    Backend {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Another writer (an import, another instance) held the database longer than this write
    /// may wait; nothing was written.
    #[error("the database is busy with another write; nothing was saved, try again in a moment")]
    Busy,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// What was to be created exists already.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// A stored row does not have the shape this version of jixiao expects.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// An applied migration differs from the one this build carries.
    #[error("{0}")]
    Migration(String),
}

impl StoreError {
    /// A backend failure while doing `context`, keeping the driver's error.
    pub fn backend(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// A failure described only in words (no driver error to keep).
    pub fn backend_message(context: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: message.into().into(),
        }
    }

    /// The whole cause chain on one line, for logs.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cur = std::error::Error::source(self);
        while let Some(e) = cur {
            out.push_str(": ");
            out.push_str(&e.to_string());
            cur = e.source();
        }
        out
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
