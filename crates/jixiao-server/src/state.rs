//! Shared state of a server instance: its configuration, the use cases' settings, the page
//! templates, and the database connections ([`jixiao_app::Pool`]: several readers and one
//! writer, each on a thread of its own, so database work never stalls the async workers and
//! the PostgreSQL client is created and dropped outside the async runtime).
//!
//! Handlers reach the application through [`AppState::read`] and [`AppState::write`]: a read
//! runs on a reader (one snapshot, never waiting for a writer), a write on the writer. Reads
//! that may lag a moment go through [`AppState::read_lagging`], to the read replica when one is
//! configured and connected.

use crate::config::Config;
use jixiao_app::{AppError, Pool, Settings, Store};
use std::sync::Arc;

/// Which connection a job goes to.
enum Side {
    Read,
    ReadSingle,
    Write,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub settings: Arc<Settings>,
    pool: Pool,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Page contents kept per data version (see [`crate::pages::kept`]).
    pub(crate) pages: Arc<crate::pages::kept::KeptPages>,
    /// Open311 requests per key or client address and minute (this instance's count).
    pub open311_limiter: Arc<RateLimiter>,
}

/// A fixed-window counter per caller: at most `per_minute` admissions in each minute.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: std::sync::Mutex<std::collections::HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Default::default(),
        }
    }

    /// Admits one request of `who`, or says how many seconds until its next window.
    pub fn admit(&self, who: &str) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let minute = now / 60;
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 100_000 {
            // Callers of past minutes only: the map stays small whatever the traffic.
            w.retain(|_, (m, _)| *m == minute);
        }
        let slot = w.entry(who.to_string()).or_insert((minute, 0));
        if slot.0 != minute {
            *slot = (minute, 0);
        }
        if slot.1 >= self.per_minute {
            return Err(60 - now % 60);
        }
        slot.1 += 1;
        Ok(())
    }
}

impl AppState {
    /// Opens (and migrates) the configured database and its connections.
    pub fn start(config: Config) -> Result<AppState, jixiao_app::StoreError> {
        let settings = config.settings().map_err(jixiao_app::StoreError::Invalid)?;
        if !jixiao_files::set_limits(config.files) {
            tracing::warn!(
                "file limits were set before: this server's configuration of them is not used"
            );
        }
        if !jixiao_app::set_audit_key(config.audit_key.0.as_deref()) && config.audit_key.0.is_some()
        {
            tracing::warn!("the audit key was set before: this server's audit_key is not used");
        }
        let pool = Pool::open(&config.database_url, &config.pool())?;
        Ok(AppState {
            settings: Arc::new(settings),
            pool,
            templates: Arc::new(crate::templates::templates()),
            pages: Default::default(),
            open311_limiter: Arc::new(RateLimiter::new(config.open311_rate_per_minute)),
            config: Arc::new(config),
        })
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.pool.backend()
    }

    /// Runs `f` on a reader connection (one consistent snapshot).
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Settings) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        self.run(Side::Read, f).await
    }

    /// Runs `f`, a use case of one query (a session lookup, a probe), on a reader without a
    /// read transaction around it.
    pub async fn read_single<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Settings) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        self.run(Side::ReadSingle, f).await
    }

    /// Runs `f`, a read that may see a moment-old state (dashboards, public pages, reports), on
    /// the read replica when one is connected, else on a primary reader. A replica whose
    /// connection is lost while it runs `f` is given up for this request: `f` runs again on the
    /// primary, so a replica going down costs a request time, not an error.
    pub async fn read_lagging<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Store, &Settings) -> Result<T, AppError> + Clone + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let settings = self.settings.clone();
        let first = f.clone();
        let job = Box::new(move |s: &mut Store| {
            let answer = first(s, &settings);
            let lost = answer.is_err() && jixiao_app::connection_lost(s);
            let _ = tx.send((answer, lost));
        });
        let on_replica = self
            .pool
            .read_lagging(job)
            .map_err(|e| AppError::Internal(e.chain()))?;
        match rx.await {
            Ok((answer, false)) => answer,
            Ok((_, true)) if on_replica => self.run(Side::Read, f).await,
            Ok((answer, true)) => answer,
            Err(_) if on_replica => self.run(Side::Read, f).await,
            Err(_) => Err(AppError::Internal(
                "a database job failed (see the log)".into(),
            )),
        }
    }

    /// Whether a read replica is configured (`None`: not) and connected.
    pub fn replica_connected(&self) -> Option<bool> {
        self.pool.replica_connected()
    }

    /// Runs `f` on the writer connection.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Settings) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        self.run(Side::Write, f).await
    }

    async fn run<T: Send + 'static>(
        &self,
        side: Side,
        f: impl FnOnce(&mut Store, &Settings) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let settings = self.settings.clone();
        let job = Box::new(move |s: &mut Store| {
            let _ = tx.send(f(s, &settings));
        });
        let sent = match side {
            Side::Read => self.pool.read(job),
            Side::ReadSingle => self.pool.read_single(job),
            Side::Write => self.pool.write(job),
        };
        sent.map_err(|e| AppError::Internal(e.chain()))?;
        // A job that panicked drops its sender: that request alone fails.
        rx.await
            .map_err(|_| AppError::Internal("a database job failed (see the log)".into()))?
    }
}
