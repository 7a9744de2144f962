//! Shared state: configuration, templates, and the store. The store is synchronous and lives on
//! a thread of its own: `db` sends it a closure and awaits the answer, so database work never
//! stalls the async workers, and the database client is created and dropped outside the async
//! runtime (the PostgreSQL client runs a runtime of its own).

use crate::config::Config;
use crate::error::AppError;
use jixiao_store::{Store, StoreError};
use std::sync::{mpsc, Arc};

type Job = Box<dyn FnOnce(&mut Store) + Send>;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    jobs: mpsc::Sender<Job>,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Wording of generated reports, read once at start.
    pub wording: Arc<jixiao_report::wording::Wording>,
    /// The 接诉即办 rules, read once at start.
    pub hotline: Arc<jixiao_hotline::HotlineConfig>,
}

impl AppState {
    /// Opens the configured database on the store thread.
    pub fn start(config: Config) -> Result<AppState, StoreError> {
        let wording = config.wording().map_err(StoreError::Invalid)?;
        let hotline = config.hotline().map_err(StoreError::Invalid)?;
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, opened) = mpsc::sync_channel::<Result<(), StoreError>>(1);
        let url = config.database_url.clone();
        std::thread::Builder::new()
            .name("jixiao-store".into())
            .spawn(move || match Store::open(&url) {
                Ok(mut store) => {
                    let _ = ready.send(Ok(()));
                    // Ends when every sender (every clone of the state) is gone.
                    while let Ok(job) = inbox.recv() {
                        job(&mut store);
                    }
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            })
            .map_err(|e| StoreError::Connect(format!("cannot start the store thread: {e}")))?;
        opened
            .recv()
            .map_err(|_| StoreError::Connect("the store thread ended".into()))??;
        Ok(AppState {
            config: Arc::new(config),
            jobs,
            templates: Arc::new(crate::pages::templates()),
            wording: Arc::new(wording),
            hotline: Arc::new(hotline),
        })
    }

    /// Runs `f` with the store on the store thread.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::Internal("the store thread has stopped".into()))?;
        rx.await
            .map_err(|_| AppError::Internal("the store thread dropped a request".into()))?
    }
}
