//! Durability. The sandbox's state is the replay of a log of accepted commands; a [`Store`]
//! keeps that log. A command is in the store before its caller hears yes: the engine returns a
//! sequence number, and the caller waits for it to be durable ([`Store::durable`]).
//!
//! [`SqliteStore`] commits in groups: a writer thread takes every record queued since its last
//! commit and writes them in one transaction, so many concurrent callers share one fsync.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("store: {0}")]
    Database(String),
    /// A record in the log could not be read back.
    #[error("store: record {seq} is unreadable: {reason}")]
    Corrupt {
        /// Its sequence number.
        seq: u64,
        /// Why.
        reason: String,
    },
}

/// A log of records, durable once [`Store::durable`] says so.
pub trait Store: Send + Sync {
    /// Every record, in order, with its sequence number.
    ///
    /// # Errors
    /// [`StoreError`] when the log cannot be read.
    fn load(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError>;

    /// Queues a record and returns its sequence number. It is not durable yet.
    ///
    /// # Errors
    /// [`StoreError`] when the store has failed.
    fn append(&self, record: Vec<u8>) -> Result<u64, StoreError>;

    /// Resolves once every record up to `seq` is durable.
    fn durable(&self, seq: u64) -> Durable;

    /// Every record up to this one is durable.
    fn durable_seq(&self) -> u64;

    /// Blocks until every record appended so far is durable.
    ///
    /// # Errors
    /// [`StoreError`] when the write failed.
    fn flush(&self) -> Result<(), StoreError>;

    /// Blocks until every record up to `seq` is durable.
    ///
    /// # Errors
    /// [`StoreError`] when the write failed.
    fn sync(&self, seq: u64) -> Result<(), StoreError> {
        self.durable(seq).wait()
    }
}

/// Progress of the writes, shared by the store and its waiters.
#[derive(Default)]
struct Progress {
    /// Every record up to this one is durable.
    durable: u64,
    /// The write failed; everything after `durable` is lost.
    failed: Option<StoreError>,
    wakers: Vec<Waker>,
}

#[derive(Default)]
struct Shared {
    progress: Mutex<Progress>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn advance(&self, to: u64, failed: Option<StoreError>) {
        let wakers = {
            let mut p = lock(&self.progress);
            p.durable = p.durable.max(to);
            if failed.is_some() {
                p.failed = failed;
            }
            std::mem::take(&mut p.wakers)
        };
        self.changed.notify_all();
        for w in wakers {
            w.wake();
        }
    }

    fn check(&self, seq: u64) -> Option<Result<(), StoreError>> {
        let p = lock(&self.progress);
        if p.durable >= seq {
            Some(Ok(()))
        } else {
            p.failed.clone().map(Err)
        }
    }
}

/// Completes when a record is durable. Works on any executor, or blocking with [`Durable::wait`].
#[must_use = "a record is acknowledged only once it is durable"]
pub struct Durable {
    shared: Arc<Shared>,
    seq: u64,
}

impl Durable {
    /// Blocks until durable.
    ///
    /// # Errors
    /// [`StoreError`] when the write failed.
    pub fn wait(self) -> Result<(), StoreError> {
        let mut p = lock(&self.shared.progress);
        loop {
            if p.durable >= self.seq {
                return Ok(());
            }
            if let Some(e) = &p.failed {
                return Err(e.clone());
            }
            p = self
                .shared
                .changed
                .wait(p)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Future for Durable {
    type Output = Result<(), StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(r) = self.shared.check(self.seq) {
            return Poll::Ready(r);
        }
        let mut p = lock(&self.shared.progress);
        // Check again under the lock: the writer may have advanced in between.
        if p.durable >= self.seq {
            return Poll::Ready(Ok(()));
        }
        if let Some(e) = &p.failed {
            return Poll::Ready(Err(e.clone()));
        }
        p.wakers.push(cx.waker().clone());
        Poll::Pending
    }
}

// ---------------------------------------------------------------------------------------------

/// Records with their sequence numbers.
type Log = Vec<(u64, Vec<u8>)>;

/// A store in memory: for tests and `--memory`. Records are durable at once (for as long as the
/// process lives). Clones share the log, so a test can "reopen" it.
#[derive(Clone, Default)]
pub struct MemoryStore {
    log: Arc<Mutex<Log>>,
    shared: Arc<Shared>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn load(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        Ok(lock(&self.log).clone())
    }

    fn append(&self, record: Vec<u8>) -> Result<u64, StoreError> {
        let seq = {
            let mut log = lock(&self.log);
            let seq = log.last().map_or(1, |(s, _)| s + 1);
            log.push((seq, record));
            seq
        };
        self.shared.advance(seq, None);
        Ok(seq)
    }

    fn durable(&self, seq: u64) -> Durable {
        Durable {
            shared: self.shared.clone(),
            seq,
        }
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn durable_seq(&self) -> u64 {
        lock(&self.shared.progress).durable
    }
}

// ---------------------------------------------------------------------------------------------

/// Migrations, in order; the database remembers how many it has applied.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_log.sql")];

/// How hard a commit works to survive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Survives a killed process (`kill -9`), not a power cut (SQLite `synchronous=NORMAL`
    /// with WAL).
    Process,
    /// Survives a power cut too (`synchronous=FULL`). The default.
    #[default]
    PowerLoss,
}

struct Queue {
    next_seq: u64,
    pending: Vec<(u64, Vec<u8>)>,
    closed: bool,
}

struct Writer {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// The default store: one SQLite file, written by a group-committing writer thread.
pub struct SqliteStore {
    path: std::path::PathBuf,
    writer: Arc<Writer>,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn open_connection(
    path: &Path,
    durability: Durability,
) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open(path).map_err(db_err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db_err)?;
    let level = match durability {
        Durability::Process => "NORMAL",
        Durability::PowerLoss => "FULL",
    };
    conn.pragma_update(None, "synchronous", level)
        .map_err(db_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(db_err)?;
    Ok(conn)
}

fn migrate(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db_err)?;
    let version = usize::try_from(version).unwrap_or(0);
    if version > MIGRATIONS.len() {
        return Err(StoreError::Database(format!(
            "the database is at schema version {version}, newer than this wacart ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(db_err)?;
        tx.execute_batch(sql).map_err(db_err)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the file cannot be opened or migrated.
    pub fn open(path: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = open_connection(&path, durability)?;
        migrate(&mut conn)?;
        let last: u64 = conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM log", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(db_err)?
            .try_into()
            .unwrap_or(0);
        let writer = Arc::new(Writer {
            queue: Mutex::new(Queue {
                next_seq: last + 1,
                pending: Vec::new(),
                closed: false,
            }),
            ready: Condvar::new(),
        });
        let shared = Arc::new(Shared::default());
        shared.advance(last, None);
        let (w, s) = (writer.clone(), shared.clone());
        let thread = std::thread::Builder::new()
            .name("wacart-store".into())
            .spawn(move || {
                // Should the writer ever panic, waiters hear of it instead of waiting forever.
                let guard = PanicGuard(&s);
                write_loop(conn, &w, &s);
                std::mem::forget(guard);
            })
            .map_err(|e| StoreError::Database(format!("cannot start the writer: {e}")))?;
        Ok(SqliteStore {
            path,
            writer,
            shared,
            thread: Some(thread),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Fails the store when dropped during a panic of the writer thread.
struct PanicGuard<'a>(&'a Shared);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        self.0.advance(
            0,
            Some(StoreError::Database("the writer thread stopped".into())),
        );
    }
}

fn write_loop(mut conn: rusqlite::Connection, writer: &Writer, shared: &Shared) {
    loop {
        let batch = {
            let mut q = lock(&writer.queue);
            while q.pending.is_empty() && !q.closed {
                q = writer.ready.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
            if q.pending.is_empty() {
                return;
            }
            std::mem::take(&mut q.pending)
        };
        let last = batch.last().map_or(0, |(s, _)| *s);
        match commit(&mut conn, &batch) {
            Ok(()) => shared.advance(last, None),
            Err(e) => {
                shared.advance(0, Some(e));
                return;
            }
        }
    }
}

fn commit(conn: &mut rusqlite::Connection, batch: &[(u64, Vec<u8>)]) -> Result<(), StoreError> {
    let tx = conn.transaction().map_err(db_err)?;
    {
        let mut insert = tx
            .prepare("INSERT INTO log (seq, record) VALUES (?1, ?2)")
            .map_err(db_err)?;
        for (seq, record) in batch {
            let seq = i64::try_from(*seq)
                .map_err(|_| StoreError::Database("sequence overflow".into()))?;
            insert
                .execute(rusqlite::params![seq, record])
                .map_err(db_err)?;
        }
    }
    tx.commit().map_err(db_err)
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let conn = rusqlite::Connection::open(&self.path).map_err(db_err)?;
        let mut stmt = conn
            .prepare("SELECT seq, record FROM log ORDER BY seq")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, record) = row.map_err(db_err)?;
            out.push((u64::try_from(seq).unwrap_or(0), record));
        }
        Ok(out)
    }

    fn append(&self, record: Vec<u8>) -> Result<u64, StoreError> {
        if let Some(e) = lock(&self.shared.progress).failed.clone() {
            return Err(e);
        }
        let seq = {
            let mut q = lock(&self.writer.queue);
            let seq = q.next_seq;
            q.next_seq += 1;
            q.pending.push((seq, record));
            seq
        };
        self.writer.ready.notify_one();
        Ok(seq)
    }

    fn durable(&self, seq: u64) -> Durable {
        Durable {
            shared: self.shared.clone(),
            seq,
        }
    }

    fn flush(&self) -> Result<(), StoreError> {
        let last = lock(&self.writer.queue).next_seq - 1;
        self.sync(last)
    }

    fn durable_seq(&self) -> u64 {
        lock(&self.shared.progress).durable
    }
}

impl Drop for SqliteStore {
    /// Writes what is queued, then stops the writer.
    fn drop(&mut self) {
        lock(&self.writer.queue).closed = true;
        self.writer.ready.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("wacart-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("sandbox.db")
    }

    #[test]
    fn sqlite_records_survive_reopening_in_order() {
        let path = temp_db("reopen");
        {
            let store = SqliteStore::open(&path, Durability::Process).unwrap();
            let mut last = 0;
            for i in 0..100u32 {
                last = store.append(i.to_le_bytes().to_vec()).unwrap();
            }
            store.sync(last).unwrap();
        }
        let store = SqliteStore::open(&path, Durability::Process).unwrap();
        let log = store.load().unwrap();
        assert_eq!(log.len(), 100);
        assert!(
            log.iter()
                .enumerate()
                .all(|(i, (seq, r))| *seq == i as u64 + 1 && *r == (i as u32).to_le_bytes())
        );
        assert_eq!(store.append(vec![1]).unwrap(), 101, "numbering goes on");
    }

    #[test]
    fn concurrent_appenders_share_commits_and_lose_nothing() {
        let path = temp_db("concurrent");
        let store = Arc::new(SqliteStore::open(&path, Durability::Process).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..250u32 {
                        let seq = store.append(format!("{t}-{i}").into_bytes()).unwrap();
                        store.sync(seq).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.load().unwrap().len(), 2000);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let path = temp_db("newer");
        drop(SqliteStore::open(&path, Durability::Process).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(
            matches!(SqliteStore::open(&path, Durability::Process), Err(StoreError::Database(m)) if m.contains("newer"))
        );
    }

    #[test]
    fn memory_store_clones_share_the_log() {
        let a = MemoryStore::new();
        a.append(b"x".to_vec()).unwrap();
        let b = a.clone();
        assert_eq!(b.load().unwrap(), vec![(1, b"x".to_vec())]);
        a.sync(1).unwrap();
    }
}
