//! The default store: one SQLite file, written by a group-committing writer thread. The writer
//! takes every write queued since its last commit and commits them in one transaction, so many
//! concurrent callers share one fsync; while writes come from several callers at a time it
//! waits up to 300 µs for a group as large as the previous one (at most 32) before committing
//! (a lone caller never waits).
//! Compaction and pruning happen on that thread, never under the engine's lock (a few rows per
//! commit, riding on it); snapshots are files written by the engine's snapshot thread, and the
//! writer stores only a row naming each (`snapshot_file.rs`).
//! A second thread copies the write-ahead log into the database (checkpoints), so commits do not
//! wait for that copy.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use wacart_schema::{MessageId, PhoneNumberId, WaId};

mod checksum;
mod snapshot_file;
mod writer;

use super::{Durable, Effect, EntryRow, Opened, Shared, Store, StoreError, lock};
use crate::webhooks::{Delivery, DeliveryState};
use checksum::{chain_from_sql, chain_next};
use writer::{GROUP, PanicGuard, Queue, Upkeep, Write, Writer, state_code, state_of, write_loop};

/// Migrations, in order; the database remembers how many it has applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_log.sql"),
    include_str!("../../../migrations/0002_history.sql"),
    include_str!("../../../migrations/0003_chain.sql"),
    include_str!("../../../migrations/0004_targets.sql"),
    include_str!("../../../migrations/0005_status_specs.sql"),
    include_str!("../../../migrations/0006_optional_entry_fields.sql"),
    include_str!("../../../migrations/0007_status_recipient_flag.sql"),
    include_str!("../../../migrations/0008_snapshot_files.sql"),
    include_str!("../../../migrations/0009_entry_status.sql"),
];

/// A thread message as read: its row, with the status it got after it left memory (in
/// `entry_status`) laid over the one in its body. A message's row is written once, when it
/// leaves memory; what changes after that is only its status.
const ENTRY_COLUMNS: &str = "e.number, e.wa_id, e.pos, e.id, e.at,
    CASE WHEN s.status IS NULL THEN e.body
         ELSE CAST(json_set(CAST(e.body AS TEXT), '$.status', s.status) AS BLOB) END
    FROM entries e LEFT JOIN entry_status s
    ON s.number = e.number AND s.wa_id = e.wa_id AND s.pos = e.pos";

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

/// The default store: one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Writer>,
    shared: Arc<Shared>,
    reader: Mutex<Connection>,
    opened: Mutex<Option<Opened>>,
    log_len: Arc<std::sync::atomic::AtomicU64>,
    was_empty: bool,
    /// The folder of the snapshot files, and whether they are synced to disk.
    snapshots: PathBuf,
    sync_snapshots: bool,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Stopped after the writer (fields drop after `Drop::drop` joined it).
    _checkpointer: Checkpointer,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn open_connection(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db_err)?;
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
    // A larger page cache (16 MiB) for the writer's index updates.
    conn.pragma_update(None, "cache_size", -16_384)
        .map_err(db_err)?;
    Ok(conn)
}

/// Write-ahead log frames after which the writer copies the log into the database itself, in
/// its commit. The checkpointer normally does it long before, beside the writer; this bounds the
/// log when it cannot keep up (every frame it copied already is not copied again).
const WRITER_CHECKPOINT_FRAMES: i64 = 8_000;

/// How often the checkpointer copies the write-ahead log into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// A thread with its own connection that copies the write-ahead log into the database file
/// (SQLite's passive checkpoint), so group commits never wait for that copy and its fsync.
struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        let conn = open_connection(path, durability)?;
        let stop: Arc<(Mutex<bool>, Condvar)> = Arc::default();
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wacart-checkpoint".into())
            .spawn(move || {
                let (stopped, wake) = &*s;
                let mut guard = lock(stopped);
                while !*guard {
                    guard = wake
                        .wait_timeout(guard, CHECKPOINT_EVERY)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    if *guard {
                        break;
                    }
                    drop(guard);
                    // Busy (the writer's own checkpoint runs) or failed: the next round, or
                    // the writer's, copies it; a failure to read the log shows in the writer.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    guard = lock(stopped);
                }
            })
            .map_err(|e| StoreError::Database(format!("cannot start the checkpointer: {e}")))?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        *lock(&self.stop.0) = true;
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Applies pending migrations; answers the version the database was at.
fn migrate(conn: &mut Connection) -> Result<usize, StoreError> {
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
    Ok(version)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// An empty file where a database was expected is refused when SQLite's own files say it held
/// data; otherwise it is a new database (and [`SqliteStore::was_empty`] says so).
fn check_empty_file(path: &Path) -> Result<bool, StoreError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(false);
    };
    if meta.len() > 0 {
        return Ok(false);
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::Database(format!(
            "{} is empty but its write-ahead log is not: the database was truncated or replaced \
             while in use; refusing to start a new sandbox over it (move both files away to \
             start afresh)",
            path.display()
        )));
    }
    Ok(true)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the file cannot be opened or migrated, or is empty while
    /// its write-ahead log is not; [`StoreError::Corrupt`] when the log has a gap.
    pub fn open(path: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let was_empty = check_empty_file(&path)?;
        let mut conn = open_connection(&path, durability)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_FRAMES)
            .map_err(db_err)?;
        let from_version = migrate(&mut conn)?;
        let snapshots = snapshot_file::dir(&path);
        let (opened, chain) = read_opened(&conn, from_version, &snapshots)?;
        let last = opened
            .tail
            .last()
            .map(|(s, _)| *s)
            .or(opened.snapshot.as_ref().map(|(s, _)| *s))
            .unwrap_or(0);
        let log_len = Arc::new(std::sync::atomic::AtomicU64::new(opened.tail.len() as u64));
        let writer = Arc::new(Writer {
            queue: Mutex::new(Queue {
                next_ticket: 1,
                next_seq: last + 1,
                pending: Vec::new(),
                closed: false,
                sleeping: false,
                target: GROUP,
                groups: 0,
                windows: 0,
                timeouts: 0,
            }),
            ready: Condvar::new(),
        });
        let shared = Arc::new(Shared::default());
        let reader = Connection::open(&path).map_err(db_err)?;
        reader
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        let snapshot_seq = opened.snapshot.as_ref().map_or(0, |(s, _)| *s);
        let first: i64 = conn
            .query_row("SELECT COALESCE(MIN(seq), 0) FROM log", [], |r| r.get(0))
            .map_err(db_err)?;
        // Records a snapshot covers and a crash left behind are deleted first.
        let upkeep = Upkeep {
            snapshot_seq,
            compacted: to_u64(first).saturating_sub(1).min(snapshot_seq),
            prune_before: None,
            chain,
            snapshots: snapshots.clone(),
        };
        log_len.fetch_add(
            upkeep.snapshot_seq - upkeep.compacted,
            std::sync::atomic::Ordering::Relaxed,
        );
        let (w, s, n) = (writer.clone(), shared.clone(), log_len.clone());
        let thread = std::thread::Builder::new()
            .name("wacart-store".into())
            .spawn(move || {
                // Should the writer ever panic, waiters hear of it instead of waiting forever.
                let guard = PanicGuard(&s);
                write_loop(conn, &w, &s, &n, upkeep);
                std::mem::forget(guard);
            })
            .map_err(|e| StoreError::Database(format!("cannot start the writer: {e}")))?;
        let checkpointer = Checkpointer::start(&path, durability)?;
        Ok(SqliteStore {
            path,
            writer,
            shared,
            reader: Mutex::new(reader),
            opened: Mutex::new(Some(opened)),
            log_len,
            was_empty,
            snapshots,
            sync_snapshots: durability == Durability::PowerLoss,
            thread: Some(thread),
            _checkpointer: checkpointer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file existed but was empty (zero bytes): it became a new database.
    pub fn was_empty(&self) -> bool {
        self.was_empty
    }

    fn queue(&self, write: impl FnOnce(&mut Queue) -> Write) -> Result<u64, StoreError> {
        if let Some(e) = self.shared.failed() {
            return Err(e);
        }
        let (ticket, wake) = {
            let mut q = lock(&self.writer.queue);
            let ticket = q.next_ticket;
            q.next_ticket += 1;
            let w = write(&mut q);
            q.pending.push((ticket, w));
            (ticket, q.wakes_writer())
        };
        if wake {
            self.writer.ready.notify_one();
        }
        Ok(ticket)
    }
}

/// A `snapshot` row: sequence, inline state (empty when in a file), log checksum, file checksum.
type SnapshotRow = (i64, Vec<u8>, Option<i64>, Option<i64>);

/// The latest snapshot and the records after it, their sequence and checksums checked; with
/// the checksum of the last record.
fn read_opened(
    conn: &Connection,
    from_version: usize,
    snapshots: &Path,
) -> Result<(Opened, u64), StoreError> {
    let snapshot: Option<SnapshotRow> = conn
        .query_row(
            "SELECT seq, state, chain, file_sum FROM snapshot ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db_err)?;
    // A snapshot in a file (every one since schema version 8) is read and checked here.
    let snapshot = match snapshot {
        Some((seq, _, chain, Some(sum))) => Some((
            seq,
            snapshot_file::read(snapshots, to_u64(seq), chain_from_sql(sum))?,
            chain,
        )),
        Some((seq, state, chain, None)) => Some((seq, state, chain)),
        None => None,
    };
    let after = snapshot.as_ref().map_or(0, |(s, _, _)| to_u64(*s));
    // The checksum to continue from: none known means the first record's own is taken.
    let mut prev: Option<u64> = match &snapshot {
        Some((_, _, chain)) => chain.map(chain_from_sql),
        None => Some(0),
    };
    let snapshot = snapshot.map(|(s, b, _)| (to_u64(s), b));
    let mut stmt = conn
        .prepare("SELECT seq, record, chain FROM log WHERE seq > ?1 ORDER BY seq")
        .map_err(db_err)?;
    let rows = stmt
        .query_map([to_i64(after)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .map_err(db_err)?;
    let mut tail = Vec::new();
    for row in rows {
        let (seq, record, chain) = row.map_err(db_err)?;
        let seq = to_u64(seq);
        let expected_seq = tail.last().map_or(after, |(s, _): &(u64, Vec<u8>)| *s) + 1;
        if seq != expected_seq {
            return Err(StoreError::Corrupt {
                seq: expected_seq,
                reason: format!("the log jumps from record {} to {seq}", expected_seq - 1),
            });
        }
        let stored = chain.map(chain_from_sql);
        let expected = prev.map(|p| chain_next(p, seq, &record));
        if let (Some(stored), Some(expected)) = (stored, expected)
            && stored != expected
        {
            return Err(StoreError::Corrupt {
                seq,
                reason: "the record does not match the log's checksum: it was changed, or one \
                         before it was"
                    .into(),
            });
        }
        prev = expected.or(stored);
        tail.push((seq, record));
    }
    let last = tail.last().map_or(after, |(s, _)| *s);
    let committed: Option<i64> = conn
        .query_row("SELECT value FROM meta WHERE key = 'last_seq'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_err)?;
    if let Some(committed) = committed.map(to_u64)
        && committed > last
    {
        return Err(StoreError::Corrupt {
            seq: last + 1,
            reason: format!(
                "records {} to {committed} were committed and are missing",
                last + 1
            ),
        });
    }
    let opened = Opened {
        rebuild_history: from_version == 1 && !tail.is_empty(),
        snapshot,
        tail,
    };
    Ok((opened, prev.unwrap_or(0)))
}

fn kind_of(kind: &str) -> &'static str {
    match kind {
        "statuses" => "statuses",
        "messages" => "messages",
        "errors" => "errors",
        "message_template_status_update" => "message_template_status_update",
        _ => "other",
    }
}

const DELIVERY_COLUMNS: &str =
    "id, waba_id, kind, body, created_at, next_attempt_at, state, attempts, target, form";

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Delivery, String)> {
    let mut body: Vec<u8> = r.get(3)?;
    if r.get::<_, i64>(9)? == writer::FORM_STATUS {
        body = crate::webhooks::StatusSpec::decode(&body)
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Blob, e.into())
            })?
            .render();
    }
    let kind: String = r.get(2)?;
    let waba: String = r.get(1)?;
    let delivery = Delivery {
        id: to_u64(r.get(0)?),
        waba_id: waba.into(),
        kind: kind_of(&kind),
        body: body.into(),
        created_at: to_u64(r.get(4)?),
        next_attempt_at: r.get::<_, Option<i64>>(5)?.map(to_u64),
        attempts: Vec::new(),
        state: state_of(r.get(6)?),
        // Written by this store from a `Target`: a row it cannot read back has no target.
        target: r
            .get::<_, Option<String>>(8)?
            .and_then(|t| serde_json::from_str(&t).ok()),
    };
    Ok((delivery, r.get(7)?))
}

impl SqliteStore {
    fn read_deliveries(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Delivery>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
        let rows = stmt.query_map(params, delivery_row).map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (mut d, attempts) = row.map_err(db_err)?;
            d.attempts = serde_json::from_str(&attempts).map_err(|e| {
                StoreError::Database(format!("delivery {}: bad attempts: {e}", d.id))
            })?;
            out.push(d);
        }
        Ok(out)
    }
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    let (number, wa_id, id): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(3)?);
    Ok(EntryRow {
        number: number.into(),
        wa_id: WaId::new(wa_id),
        pos: to_u64(r.get(2)?),
        id: MessageId::new(id),
        at: to_u64(r.get(4)?),
        body: r.get(5)?,
    })
}

impl Store for SqliteStore {
    fn open(&self) -> Result<Opened, StoreError> {
        if let Some(opened) = lock(&self.opened).take() {
            return Ok(opened);
        }
        // Opened again (a test reopening the same store): read it afresh, once writes landed.
        self.flush()?;
        let conn = Connection::open(&self.path).map_err(db_err)?;
        read_opened(&conn, MIGRATIONS.len(), &self.snapshots).map(|(opened, _)| opened)
    }

    fn append(&self, record: Vec<u8>, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.queue(|q| {
            let seq = q.next_seq;
            q.next_seq += 1;
            Write::Record(seq, record, effects)
        })
    }

    fn apply(&self, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.queue(|_| Write::Effects(effects))
    }

    fn appended_seq(&self) -> u64 {
        lock(&self.writer.queue).next_seq - 1
    }

    fn checkpoint(&self, seq: u64, state: Vec<u8>) -> Result<u64, StoreError> {
        // Written on the caller's thread (the engine's snapshot thread), whole before its row
        // is queued: the writer only stores the row.
        let sum = snapshot_file::write(&self.snapshots, seq, &state, self.sync_snapshots)?;
        self.queue(|_| Write::Checkpoint(seq, sum))
    }

    fn prune(&self, before: u64) -> Result<u64, StoreError> {
        self.queue(|_| Write::Prune(before))
    }

    fn durable(&self, ticket: u64) -> Durable {
        self.shared.durable(ticket)
    }

    fn flush(&self) -> Result<(), StoreError> {
        let last = lock(&self.writer.queue).next_ticket - 1;
        self.sync(last)
    }

    fn thread(
        &self,
        number: &PhoneNumberId,
        wa_id: &WaId,
        before: u64,
        limit: usize,
    ) -> Result<Vec<EntryRow>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} WHERE e.number = ?1 AND e.wa_id = ?2 AND e.pos < ?3
                     ORDER BY e.pos DESC LIMIT ?4"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(
                params![
                    number.as_str(),
                    wa_id.as_str(),
                    to_i64(before),
                    to_i64(limit as u64)
                ],
                entry_row,
            )
            .map_err(db_err)?;
        let mut out: Vec<EntryRow> = rows.collect::<Result<_, _>>().map_err(db_err)?;
        out.reverse();
        Ok(out)
    }

    fn entry(&self, id: &MessageId) -> Result<Option<EntryRow>, StoreError> {
        let conn = lock(&self.reader);
        conn.query_row(
            &format!("SELECT {ENTRY_COLUMNS} WHERE e.id = ?1"),
            [id.as_str()],
            entry_row,
        )
        .optional()
        .map_err(db_err)
    }

    fn deliveries(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError> {
        let limit = to_i64(limit as u64);
        match state {
            None => self.read_deliveries(
                &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id > ?1 ORDER BY id LIMIT ?2"),
                params![to_i64(after), limit],
            ),
            Some(s) => self.read_deliveries(
                &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id > ?1 AND state = ?3 ORDER BY id LIMIT ?2"),
                params![to_i64(after), limit, state_code(s)],
            ),
        }
    }

    fn delivery(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        self.read_deliveries(
            &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?1"),
            [to_i64(id)],
        )
        .map(|mut v| v.pop())
    }

    fn due(&self, now: u64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.read_deliveries(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE state = 0 AND parked = 0
                 AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"
            ),
            params![to_i64(now), to_i64(limit as u64)],
        )
    }

    fn log_len(&self) -> u64 {
        self.log_len.load(std::sync::atomic::Ordering::Relaxed)
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

    /// A fresh database path in a folder of its own (the writer's tests use it too).
    pub(super) fn temp_db(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wacart-writer-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("store.db")
    }

    fn groups_and_windows(store: &SqliteStore) -> (u64, u64) {
        let q = lock(&store.writer.queue);
        (q.groups, q.windows)
    }

    fn timeouts(store: &SqliteStore) -> u64 {
        lock(&store.writer.queue).timeouts
    }

    #[test]
    fn a_lone_caller_commits_each_write_at_once() {
        let store = SqliteStore::open(temp_db("lone"), Durability::Process).unwrap();
        for i in 0..50u8 {
            let ticket = store.append(vec![i], Vec::new()).unwrap();
            store.sync(ticket).unwrap();
        }
        // One write per group, and the writer never waited for a second one.
        assert_eq!(groups_and_windows(&store), (50, 0));
    }

    #[test]
    fn a_lone_caller_writing_twice_a_command_is_not_held_for_company() {
        // As the engine does when a status falls due: the history it made, then the command.
        let store = SqliteStore::open(temp_db("twice"), Durability::Process).unwrap();
        for i in 0..50u8 {
            store.apply(Vec::new()).unwrap();
            let ticket = store.append(vec![i], Vec::new()).unwrap();
            store.sync(ticket).unwrap();
        }
        // The writer may wait for the second write of a command, but it comes at once: waits
        // that run out are rare (a caller descheduled between its two writes), where waiting
        // for a full group made every one of them run out.
        assert!(timeouts(&store) < 25, "{} waits ran out", timeouts(&store));
        assert_eq!(store.log_len(), 50);
    }

    #[test]
    fn concurrent_callers_share_group_commits() {
        const CALLERS: u64 = 8;
        const EACH: u64 = 250;
        let store = Arc::new(SqliteStore::open(temp_db("shared"), Durability::Process).unwrap());
        let callers: Vec<_> = (0..CALLERS)
            .map(|k| {
                let store = store.clone();
                // As a server's requests do: write, wait for the write to be durable, then
                // take a moment (answering, reading the next request) before the next write;
                // a different moment for each, so they do not arrive together.
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        let ticket = store.append(i.to_le_bytes().to_vec(), Vec::new()).unwrap();
                        store.sync(ticket).unwrap();
                        std::thread::sleep(std::time::Duration::from_micros(30 * (k + 1)));
                    }
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
        let (groups, windows) = groups_and_windows(&store);
        assert!(windows > 0, "the writer never waited for a group to grow");
        // Every write is in the log, in groups of four or more on average.
        assert!(
            groups * 4 <= CALLERS * EACH,
            "{groups} group commits for {} writes",
            CALLERS * EACH
        );
        assert_eq!(store.log_len(), CALLERS * EACH);
    }
}
