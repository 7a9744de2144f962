//! Shared state: configuration and the store. The store is synchronous; calls run on the
//! blocking pool so they never stall the async workers.

use crate::config::Config;
use crate::error::AppError;
use jixiao_store::Store;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    store: Arc<Mutex<Store>>,
    pub templates: Arc<minijinja::Environment<'static>>,
}

impl AppState {
    pub fn new(config: Config, store: Store) -> AppState {
        AppState {
            config: Arc::new(config),
            store: Arc::new(Mutex::new(store)),
            templates: Arc::new(crate::pages::templates()),
        }
    }

    /// Runs `f` with the store on the blocking pool.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store
                .lock()
                .map_err(|_| AppError::Internal("store lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
    }
}
