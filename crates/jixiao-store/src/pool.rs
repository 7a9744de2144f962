//! A pool of store connections, each on a thread of its own, for a server that answers many
//! requests at once.
//!
//! - **Readers** (several; `PoolConfig::readers`) run read jobs on one consistent snapshot each.
//!   Their connections refuse writes, so a job sent to the wrong side fails loudly in tests. On
//!   SQLite (WAL) readers never wait for a writer; on PostgreSQL they never wait for the audit
//!   chain's lock.
//! - **The writer** (one connection) runs write jobs one after another: every write transaction
//!   takes the audit chain's lock anyway, so a second writer would only queue. A write may wait
//!   for another writer (an import in another process, another instance) only until its
//!   deadline, counted from when it was sent (`PoolConfig::write_wait`); past it, the write fails
//!   with [`StoreError::Busy`] and nothing is written.
//! - A job that panics is caught on its thread: its transaction has been rolled back by
//!   [`Store`]'s guard, the caller's answer channel is dropped (the caller sees the job as lost),
//!   the connection is checked and reopened if it no longer answers, and the thread goes on.
//!
//! Jobs are plain closures; the caller decides how to wait for an answer (the server uses a
//! oneshot channel per job).
//!
//! An in-memory SQLite database cannot be seen from another connection: there the writer runs
//! the read jobs too.
//!
//! - **Replica readers** (optional; `PoolConfig::replica`, PostgreSQL only) run the reads that
//!   may lag the primary by a moment (dashboards, public pages, reports) on a streaming
//!   replica. A replica that cannot be reached never stops the pool: its threads keep trying to
//!   connect (every [`REPLICA_RETRY`]) and, while none is connected, those reads go to the
//!   primary's readers; a job a disconnected replica thread takes is handed to them too.

use crate::{Result, Store, StoreError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A unit of work for a connection.
pub type Job = Box<dyn FnOnce(&mut Store) + Send>;

#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Reader connections (threads). At least one.
    pub readers: usize,
    /// How long a write may wait for another writer, counted from when it was sent.
    pub write_wait: Duration,
    /// A read-only database URL (a streaming replica of a PostgreSQL primary) for the reads
    /// that may lag; `None`: every read goes to the primary.
    pub replica: Option<String>,
}

/// How often a replica thread without a connection tries to connect again.
pub const REPLICA_RETRY: Duration = Duration::from_secs(1);

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            readers: default_readers(),
            write_wait: Duration::from_secs(5),
            replica: None,
        }
    }
}

/// Two readers per core, at least four: reads are short and partly wait on I/O.
pub fn default_readers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(4, 16)
}

struct Work {
    job: Job,
    sent: Instant,
    /// Whether a reader runs the job inside a read transaction (one snapshot for its queries).
    snapshot: bool,
}

/// Connections on threads; cloning shares them. The threads end when every clone is dropped.
#[derive(Clone)]
pub struct Pool {
    reads: mpsc::Sender<Work>,
    writes: mpsc::Sender<Work>,
    backend: &'static str,
    replica: Option<Replica>,
}

/// The replica's readers: where to send their jobs, and how many of them are connected.
#[derive(Clone)]
struct Replica {
    reads: mpsc::Sender<Work>,
    connected: Arc<AtomicUsize>,
}

impl Pool {
    /// Opens (and migrates) the database with the writer's connection, then opens the readers.
    /// Each connection is made on its own thread: the PostgreSQL client runs a runtime of its
    /// own, which must not be created inside the caller's async runtime.
    pub fn open(url: &str, config: &PoolConfig) -> Result<Pool> {
        let (writes, write_inbox) = mpsc::channel::<Work>();
        let wait = config.write_wait;
        let writer_url = url.to_string();
        // The wait last set on the writer's connection: set again only when what is left of a
        // write's wait has dropped a step below it (on PostgreSQL every setting is a round trip).
        let current = std::sync::Mutex::new(None::<Duration>);
        let (backend, in_memory) = spawn_worker(
            "jixiao-store-writer",
            false,
            Arc::new(Mutex::new(write_inbox)),
            move |store, sent| {
                // What is left of this write's wait, in steps of a quarter second; a write sent
                // long ago still gets a moment, so it succeeds when the database is free and
                // fails fast when it is not.
                let left = wait.saturating_sub(sent.elapsed());
                let step = Duration::from_millis(250);
                let left = step * (left.as_millis() / step.as_millis()) as u32;
                let left = left.max(Duration::from_millis(10));
                let mut current = current.lock().unwrap_or_else(|e| e.into_inner());
                if *current != Some(left) {
                    store.set_write_wait(left)?;
                    *current = Some(left);
                }
                Ok(())
            },
            move || Store::open(&writer_url),
        )?;
        let reads = if in_memory {
            // No other connection sees an in-memory database: reads go to the writer.
            writes.clone()
        } else {
            let (reads, read_inbox) = mpsc::channel::<Work>();
            let read_inbox = Arc::new(Mutex::new(read_inbox));
            for i in 0..config.readers.max(1) {
                let reader_url = url.to_string();
                spawn_worker(
                    &format!("jixiao-store-reader-{i}"),
                    true,
                    read_inbox.clone(),
                    |_, _| Ok(()),
                    move || Store::open_reader(&reader_url),
                )?;
            }
            reads
        };
        let replica = match &config.replica {
            None => None,
            Some(_) if backend != "postgres" => {
                return Err(StoreError::Invalid(
                    "a read replica needs a PostgreSQL database".into(),
                ))
            }
            Some(url) => {
                let (replica_reads, inbox) = mpsc::channel::<Work>();
                let inbox = Arc::new(Mutex::new(inbox));
                let connected = Arc::new(AtomicUsize::new(0));
                for i in 0..config.readers.max(1) {
                    spawn_replica_worker(
                        &format!("jixiao-store-replica-{i}"),
                        url.clone(),
                        inbox.clone(),
                        connected.clone(),
                        reads.clone(),
                    )?;
                }
                Some(Replica {
                    reads: replica_reads,
                    connected,
                })
            }
        };
        Ok(Pool {
            reads,
            writes,
            backend,
            replica,
        })
    }

    /// Sends a job that may read a moment-old state (a dashboard, a public page, a report) to
    /// the replica when one is connected, else to the primary's readers; it runs on one
    /// consistent snapshot. Says whether it went to the replica.
    pub fn read_lagging(&self, job: Job) -> Result<bool> {
        match &self.replica {
            Some(r) if r.connected.load(Ordering::Acquire) > 0 => {
                send(&r.reads, job, true).map(|()| true)
            }
            _ => send(&self.reads, job, true).map(|()| false),
        }
    }

    /// Whether a replica is configured (`None`: not), and whether it is connected.
    pub fn replica_connected(&self) -> Option<bool> {
        self.replica
            .as_ref()
            .map(|r| r.connected.load(Ordering::Acquire) > 0)
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Sends a job to a reader; it runs on one consistent snapshot.
    pub fn read(&self, job: Job) -> Result<()> {
        send(&self.reads, job, true)
    }

    /// Sends a job of a single query to a reader: one statement is consistent by itself, and
    /// the read transaction would cost two more round trips (a health probe, a session lookup).
    pub fn read_single(&self, job: Job) -> Result<()> {
        send(&self.reads, job, false)
    }

    /// Sends a job to the writer.
    pub fn write(&self, job: Job) -> Result<()> {
        send(&self.writes, job, false)
    }
}

fn send(to: &mpsc::Sender<Work>, job: Job, snapshot: bool) -> Result<()> {
    to.send(Work {
        job,
        sent: Instant::now(),
        snapshot,
    })
    .map_err(|_| StoreError::Connect("the database connections have stopped".into()))
}

/// Starts a worker thread that opens its connection with `open` and then runs jobs; returns
/// once the connection is open (the backend's name and whether it is in memory), or its error.
fn spawn_worker(
    name: &str,
    read_only: bool,
    inbox: Arc<Mutex<mpsc::Receiver<Work>>>,
    before_each: impl Fn(&mut Store, Instant) -> Result<()> + Send + 'static,
    open: impl Fn() -> Result<Store> + Send + 'static,
) -> Result<(&'static str, bool)> {
    let (ready, opened) = mpsc::sync_channel::<Result<(&'static str, bool)>>(1);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut store = match open() {
                Ok(s) => {
                    let _ = ready.send(Ok((s.backend(), s.is_in_memory())));
                    s
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            // A reader's read transaction left open after its last job (PostgreSQL): ended
            // with the next job's start when one is waiting, else at once.
            let leaves_reads_open = read_only && store.backend() == "postgres";
            let mut open_read = false;
            let end_open_read = |store: &mut Store, open_read: &mut bool| {
                if std::mem::take(open_read) {
                    if let Err(e) = store.end_read() {
                        tracing::warn!(error = %e.chain(), "ending a read failed");
                    }
                }
            };
            loop {
                // The lock is held only while taking the next job, not while running it.
                let next = loop {
                    let Ok(rx) = inbox.lock() else { return };
                    if open_read {
                        match rx.try_recv() {
                            Ok(work) => break Ok(work),
                            Err(mpsc::TryRecvError::Disconnected) => return,
                            Err(mpsc::TryRecvError::Empty) => {
                                drop(rx);
                                end_open_read(&mut store, &mut open_read);
                                continue;
                            }
                        }
                    }
                    break rx.recv();
                };
                let Ok(Work {
                    job,
                    sent,
                    snapshot,
                }) = next
                else {
                    return; // every sender is gone
                };
                if let Err(e) = before_each(&mut store, sent) {
                    tracing::warn!(error = %e.chain(), "preparing a database job failed");
                }
                if !(read_only && snapshot) {
                    // A job of its own (a single query) reads the newest data, not the
                    // snapshot left open.
                    end_open_read(&mut store, &mut open_read);
                }
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    if read_only && snapshot {
                        // One snapshot per job; a reader has nothing to commit.
                        let continuing = std::mem::replace(&mut open_read, leaves_reads_open);
                        let _ = store.snapshot_left_open(continuing, |s| {
                            job(s);
                            Ok(())
                        });
                    } else {
                        job(&mut store);
                    }
                }));
                if outcome.is_err() && !store.is_healthy() {
                    // The connection may be mid-protocol after a panic: start a fresh one.
                    match open() {
                        Ok(fresh) => store = fresh,
                        Err(e) => {
                            tracing::warn!(error = %e.chain(), "reopening the database failed")
                        }
                    }
                }
            }
        })
        .map_err(|e| StoreError::Connect(format!("cannot start a database thread: {e}")))?;
    opened
        .recv()
        .map_err(|_| StoreError::Connect("a database thread ended while opening".into()))?
}

/// Starts a replica reader: it connects (or keeps trying, every [`REPLICA_RETRY`]), counts
/// itself in `connected` while it has a connection, runs jobs on one snapshot each, and when it
/// finds its connection lost hands the jobs it takes to the primary's readers (`primary`) until
/// it connects again. Returns at once: a replica that is down does not stop the server.
fn spawn_replica_worker(
    name: &str,
    url: String,
    inbox: Arc<Mutex<mpsc::Receiver<Work>>>,
    connected: Arc<AtomicUsize>,
    primary: mpsc::Sender<Work>,
) -> Result<()> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut store: Option<Store> = None;
            let mut last_attempt: Option<Instant> = None;
            loop {
                if store.is_none() && last_attempt.is_none_or(|t| t.elapsed() >= REPLICA_RETRY)
                {
                    last_attempt = Some(Instant::now());
                    match Store::open_reader(&url) {
                        Ok(s) => {
                            store = Some(s);
                            connected.fetch_add(1, Ordering::AcqRel);
                            tracing::info!("connected to the read replica");
                        }
                        Err(e) => {
                            tracing::debug!(error = %e.chain(), "the read replica cannot be reached")
                        }
                    }
                }
                // A thread waits for a job at most until its next attempt to connect, or, when
                // connected and idle, until it checks that its connection still answers (so
                // `connected` says soon that a replica went away, not only at its next job).
                let next = match inbox.lock() {
                    Ok(rx) => rx.recv_timeout(REPLICA_RETRY),
                    Err(_) => return,
                };
                let work = match next {
                    Ok(w) => w,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return, // every sender is gone
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if let Some(s) = store.as_mut() {
                            if !s.is_healthy() {
                                tracing::warn!("the read replica does not answer; reads go to the primary until it is back");
                                store = None;
                                connected.fetch_sub(1, Ordering::AcqRel);
                                last_attempt = Some(Instant::now());
                            }
                        }
                        continue;
                    }
                };
                let Some(s) = store.as_mut() else {
                    // Not connected: the primary's readers answer instead.
                    if primary.send(work).is_err() {
                        return;
                    }
                    continue;
                };
                let job = work.job;
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _ = s.snapshot(|s| {
                        job(s);
                        Ok(())
                    });
                }));
                if s.is_lost() || (outcome.is_err() && !s.is_healthy()) {
                    tracing::warn!("the read replica's connection was lost; reads go to the primary until it is back");
                    store = None;
                    connected.fetch_sub(1, Ordering::AcqRel);
                    last_attempt = Some(Instant::now());
                }
            }
        })
        .map(|_| ())
        .map_err(|e| StoreError::Connect(format!("cannot start a database thread: {e}")))
}
