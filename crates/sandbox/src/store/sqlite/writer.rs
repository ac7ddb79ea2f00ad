//! The writer thread: commits queued writes in groups, keeps the log's running checksum, stores
//! the rows naming snapshot files and deletes what they cover, and prunes history, a step at a
//! time between commits.

use std::sync::{Condvar, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

use super::checksum::{chain_next, chain_to_sql};
use super::{db_err, to_i64};
use crate::store::{Effect, Shared, StoreError, lock};
use crate::webhooks::{DeliveryState, WebhookBody};

/// `deliveries.form`: the body is the bytes to send.
pub(super) const FORM_BYTES: i64 = 0;
/// `deliveries.form`: the body is a [`crate::webhooks::StatusSpec`], rendered when read.
pub(super) const FORM_STATUS: i64 = 1;

/// Rows deleted per housekeeping step when the writer is idle.
const PRUNE_STEP: usize = 500;

/// Rows deleted per housekeeping step riding on a group commit: small, so a busy writer's
/// commits stay short and pay no transaction (and fsync) of their own for housekeeping.
const COMMIT_STEP: usize = 64;

pub(super) enum Write {
    Record(u64, Vec<u8>, Vec<Effect>),
    Effects(Vec<Effect>),
    /// A snapshot covering every record up to this sequence, whole in its file, with the
    /// file's checksum.
    Checkpoint(u64, u64),
    Prune(u64),
}

pub(super) struct Queue {
    pub(super) next_ticket: u64,
    pub(super) next_seq: u64,
    pub(super) pending: Vec<(u64, Write)>,
    pub(super) closed: bool,
    /// The writer waits on [`Writer::ready`]: a write that should wake it notifies. Otherwise
    /// it is busy and takes the write with the next group, and the notification (a system
    /// call) is saved.
    pub(super) sleeping: bool,
    /// The group size the writer's window waits for (see [`GROUP_WINDOW`]).
    pub(super) target: usize,
    /// Groups taken to commit, how many of them waited for the group to grow, and how many of
    /// those waits ran out: what the tests read to see the window work.
    pub(super) groups: u64,
    pub(super) windows: u64,
    pub(super) timeouts: u64,
}

impl Queue {
    /// Whether the write just queued wakes the writer: the first of a group (the writer waits
    /// for work) or the one that brings the group to its target (the writer waits for the
    /// group to grow).
    pub(super) fn wakes_writer(&self) -> bool {
        self.sleeping && (self.pending.len() == 1 || self.pending.len() >= self.target)
    }
}

/// The most writes a group commit waits for.
pub(super) const GROUP: usize = 32;

/// How long a group commit waits for company: as many writes as the previous group held (at
/// most [`GROUP`]). Under concurrent load this keeps commits large: every commit writes each
/// page it touches and syncs once, so the pages and syncs per write fall, and with them the
/// disk's share of the two cores and the tail latency (the soak in BENCHMARKS.md measures it).
/// A lone caller never waits (its previous group held one write), nor does one whose commands
/// write twice each (a status falling due, then the command): the second write meets the
/// target at once.
const GROUP_WINDOW: std::time::Duration = std::time::Duration::from_micros(300);

pub(super) struct Writer {
    pub(super) queue: Mutex<Queue>,
    pub(super) ready: Condvar,
}

/// Fails the store when dropped during a panic of the writer thread.
pub(super) struct PanicGuard<'a>(pub(super) &'a Shared);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        self.0.advance(
            0,
            Some(StoreError::Database("the writer thread stopped".into())),
        );
    }
}

pub(super) fn write_loop(
    mut conn: Connection,
    writer: &Writer,
    shared: &Shared,
    log_len: &std::sync::atomic::AtomicU64,
    mut upkeep: Upkeep,
) {
    // Writes in the previous group: more than one means callers write concurrently (or one
    // caller writes more than once a command), and the next group waits for as many.
    let mut last_group = 0;
    loop {
        let batch = {
            let mut q = lock(&writer.queue);
            while q.pending.is_empty() && !q.closed && !upkeep.pending() {
                q.sleeping = true;
                q = writer.ready.wait(q).unwrap_or_else(PoisonError::into_inner);
                q.sleeping = false;
            }
            if q.pending.is_empty() && q.closed {
                return;
            }
            let target = GROUP.min(last_group);
            if (1..target).contains(&q.pending.len()) && !q.closed {
                q.windows += 1;
                q.target = target;
                q.sleeping = true;
                let (guard, waited) = writer
                    .ready
                    .wait_timeout(q, GROUP_WINDOW)
                    .unwrap_or_else(PoisonError::into_inner);
                q = guard;
                q.sleeping = false;
                q.target = GROUP;
                q.timeouts += u64::from(waited.timed_out());
            }
            q.groups += u64::from(!q.pending.is_empty());
            std::mem::take(&mut q.pending)
        };
        last_group = batch.len();
        let busy = !batch.is_empty();
        if busy {
            let last = batch.last().map_or(0, |(t, _)| *t);
            match commit(&mut conn, batch, &mut upkeep, log_len) {
                Ok(()) => shared.advance(last, None),
                Err(e) => {
                    shared.advance(0, Some(e));
                    return;
                }
            }
        } else if let Err(e) = idle_step(&mut conn, &mut upkeep, log_len) {
            shared.advance(0, Some(e));
            return;
        }
    }
}

/// The writer's housekeeping: what the latest snapshot covers, how far the log is deleted
/// behind it, and history waiting to be pruned.
pub(super) struct Upkeep {
    pub(super) snapshot_seq: u64,
    pub(super) compacted: u64,
    pub(super) prune_before: Option<u64>,
    /// The checksum of the last record written.
    pub(super) chain: u64,
    /// The folder of the snapshot files.
    pub(super) snapshots: std::path::PathBuf,
}

impl Upkeep {
    fn pending(&self) -> bool {
        self.compacted < self.snapshot_seq || self.prune_before.is_some()
    }
}

fn commit(
    conn: &mut Connection,
    batch: Vec<(u64, Write)>,
    upkeep: &mut Upkeep,
    log_len: &std::sync::atomic::AtomicU64,
) -> Result<(), StoreError> {
    use std::sync::atomic::Ordering;
    let tx = conn.transaction().map_err(db_err)?;
    let mut last_seq = None;
    let mut stored_snapshot = false;
    for (_, write) in batch {
        match write {
            Write::Record(seq, record, effects) => {
                upkeep.chain = chain_next(upkeep.chain, seq, &record);
                tx.prepare_cached("INSERT INTO log (seq, record, chain) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| {
                        s.execute(params![to_i64(seq), record, chain_to_sql(upkeep.chain)])
                    })
                    .map_err(db_err)?;
                last_seq = Some(seq);
                log_len.fetch_add(1, Ordering::Relaxed);
                for e in effects {
                    apply(&tx, e)?;
                }
            }
            Write::Effects(effects) => {
                for e in effects {
                    apply(&tx, e)?;
                }
            }
            Write::Checkpoint(seq, sum) => {
                if seq <= upkeep.snapshot_seq {
                    continue;
                }
                let at = to_i64(seq);
                let chain: Option<i64> = tx
                    .query_row("SELECT chain FROM log WHERE seq = ?1", [at], |r| r.get(0))
                    .optional()
                    .map_err(db_err)?
                    .flatten();
                tx.execute(
                    "INSERT OR REPLACE INTO snapshot (seq, state, chain, file_sum)
                     VALUES (?1, x'', ?2, ?3)",
                    params![at, chain, chain_to_sql(sum)],
                )
                .and_then(|_| tx.execute("DELETE FROM snapshot WHERE seq < ?1", [at]))
                .map_err(db_err)?;
                // The records it covers go a step at a time, between commits; older files once
                // this row is committed.
                upkeep.snapshot_seq = seq;
                stored_snapshot = true;
            }
            Write::Prune(before) => upkeep.prune_before = Some(before),
        }
    }
    if let Some(seq) = last_seq {
        // An upsert changes the row in place; a replace would delete and insert it, and so
        // write the key's index page too, on every commit.
        tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES ('last_seq', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .and_then(|mut s| s.execute([to_i64(seq)]))
        .map_err(db_err)?;
    }
    // A small step of housekeeping rides on the commit: deleting a few rows costs little
    // beside the batch, and a busy writer never stops committing for it.
    upkeep_step(&tx, upkeep, log_len, COMMIT_STEP)?;
    tx.commit().map_err(db_err)?;
    if stored_snapshot {
        super::snapshot_file::remove_older(&upkeep.snapshots, upkeep.snapshot_seq);
    }
    Ok(())
}

pub(super) fn state_code(s: DeliveryState) -> i64 {
    match s {
        DeliveryState::Pending => 0,
        DeliveryState::Delivered => 1,
        _ => 2,
    }
}

pub(super) fn state_of(code: i64) -> DeliveryState {
    match code {
        0 => DeliveryState::Pending,
        1 => DeliveryState::Delivered,
        _ => DeliveryState::Dropped,
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, effect: Effect) -> Result<(), StoreError> {
    match effect {
        Effect::Entry(row) => tx
            .prepare_cached(
                "INSERT OR REPLACE INTO entries (number, wa_id, pos, id, at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    row.number.as_str(),
                    row.wa_id.as_str(),
                    to_i64(row.pos),
                    row.id.as_str(),
                    to_i64(row.at),
                    row.body
                ])
            }),
        Effect::EntryStatus {
            number,
            wa_id,
            pos,
            status,
        } => tx
            .prepare_cached(
                "INSERT OR REPLACE INTO entry_status (number, wa_id, pos, status)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS
                 (SELECT 1 FROM entries WHERE number = ?1 AND wa_id = ?2 AND pos = ?3)",
            )
            .and_then(|mut s| {
                s.execute(params![number.as_str(), wa_id.as_str(), to_i64(pos), status])
            }),
        Effect::NewDelivery { webhook: w, parked } => tx
            .prepare_cached(
                "INSERT OR IGNORE INTO deliveries
                 (id, waba_id, kind, body, created_at, next_attempt_at, state, parked, target, form)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                let target = w
                    .target
                    .as_ref()
                    .and_then(|t| serde_json::to_string(t).ok());
                // A status is stored as what it is made of and rendered when read.
                let (form, body) = match &w.body {
                    WebhookBody::Bytes(b) => (FORM_BYTES, std::borrow::Cow::Borrowed(&b[..])),
                    WebhookBody::Status(spec) => (FORM_STATUS, spec.encode().into()),
                };
                s.execute(params![
                    to_i64(w.id),
                    w.waba_id.as_str(),
                    w.kind,
                    &body[..],
                    to_i64(w.created_at),
                    parked,
                    target,
                    form
                ])
            }),
        Effect::Attempted {
            id,
            attempt,
            state,
            next_attempt_at,
        } => {
            let json = serde_json::to_string(&attempt)
                .map_err(|e| StoreError::Database(format!("cannot encode an attempt: {e}")))?;
            tx.prepare_cached(
                "UPDATE deliveries SET attempts = json_insert(attempts, '$[#]', json(?2)),
                 state = ?3, next_attempt_at = ?4 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    to_i64(id),
                    json,
                    state_code(state),
                    next_attempt_at.map(to_i64)
                ])
            })
        }
        Effect::Redeliver { id, at } => tx.execute(
            "UPDATE deliveries SET state = 0, next_attempt_at = ?2 WHERE id = ?1",
            params![to_i64(id), to_i64(at)],
        ),
        Effect::Park { waba_id, parked } => tx.execute(
            "UPDATE deliveries SET parked = ?2 WHERE waba_id = ?1 AND parked != ?2 AND target IS NULL",
            params![waba_id.as_str(), parked],
        ),
    }
    .map(drop)
    .map_err(db_err)
}

/// Housekeeping while no write waits: larger steps, each its own transaction.
fn idle_step(
    conn: &mut Connection,
    upkeep: &mut Upkeep,
    log_len: &std::sync::atomic::AtomicU64,
) -> Result<(), StoreError> {
    let tx = conn.transaction().map_err(db_err)?;
    upkeep_step(&tx, upkeep, log_len, PRUNE_STEP)?;
    tx.commit().map_err(db_err)
}

/// One step of housekeeping (up to `step` rows): log records behind the snapshot first, then
/// history past the retention. Runs inside a group commit's transaction, or alone when idle.
fn upkeep_step(
    conn: &Connection,
    upkeep: &mut Upkeep,
    log_len: &std::sync::atomic::AtomicU64,
    step: usize,
) -> Result<(), StoreError> {
    use std::sync::atomic::Ordering;
    if upkeep.compacted < upkeep.snapshot_seq {
        let upto = upkeep.snapshot_seq.min(upkeep.compacted + step as u64);
        conn.prepare_cached("DELETE FROM log WHERE seq > ?1 AND seq <= ?2")
            .and_then(|mut s| s.execute(params![to_i64(upkeep.compacted), to_i64(upto)]))
            .map_err(db_err)?;
        log_len.fetch_sub(
            log_len.load(Ordering::Relaxed).min(upto - upkeep.compacted),
            Ordering::Relaxed,
        );
        upkeep.compacted = upto;
        return Ok(());
    }
    if let Some(before) = upkeep.prune_before
        && prune_step(conn, before, step)?
    {
        upkeep.prune_before = None;
    }
    Ok(())
}

/// Deletes one step of history older than `before` (thread messages, webhooks); answers whether
/// nothing is left to delete.
fn prune_step(conn: &Connection, before: u64, step: usize) -> Result<bool, StoreError> {
    let before = to_i64(before);
    let limit = to_i64(step as u64);
    // The same oldest messages twice (in the `at` index's own order, so the same rows): their
    // statuses, then their rows.
    let mut entries = 0;
    for table in ["entry_status", "entries"] {
        entries = conn
            .prepare_cached(&format!(
                "DELETE FROM {table} WHERE (number, wa_id, pos) IN
                 (SELECT number, wa_id, pos FROM entries WHERE at < ?1
                  ORDER BY at, number, wa_id, pos LIMIT ?2)"
            ))
            .and_then(|mut s| s.execute(params![before, limit]))
            .map_err(db_err)?;
    }
    // Webhooks past the retention go too, delivered or not: one still waiting for a callback
    // after that long is history as well. Ids grow with time, so the oldest come first: the
    // step reads the lowest ids and stops at the first one young enough to keep.
    let old: Vec<i64> = {
        let mut stmt = conn
            .prepare_cached("SELECT id, created_at FROM deliveries ORDER BY id LIMIT ?1")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([limit], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .map_err(db_err)?;
        let mut old = Vec::new();
        for row in rows {
            let (id, created_at) = row.map_err(db_err)?;
            if created_at >= before {
                break;
            }
            old.push(id);
        }
        old
    };
    let deliveries = match old.last() {
        Some(last) => conn
            .prepare_cached("DELETE FROM deliveries WHERE id <= ?1")
            .and_then(|mut s| s.execute([last]))
            .map_err(db_err)?,
        None => 0,
    };
    Ok(entries < step && deliveries < step)
}

#[cfg(test)]
mod tests {
    use wacart_schema::{MessageId, PhoneNumberId, WaId};

    use super::super::tests::temp_db;
    use super::super::{Durability, SqliteStore};
    use crate::store::{Effect, EntryRow, Store};

    const SENT: &[u8] = br#"{"direction":"outbound","status":"sent","door":"meta"}"#;

    fn entry(pos: u64, id: &str) -> Effect {
        Effect::Entry(EntryRow {
            number: PhoneNumberId::new("100000000000001"),
            wa_id: WaId::new("15551230001"),
            pos,
            id: MessageId::new(id),
            at: 1_000 + pos,
            body: SENT.to_vec(),
        })
    }

    fn status(pos: u64, status: &str) -> Effect {
        Effect::EntryStatus {
            number: PhoneNumberId::new("100000000000001"),
            wa_id: WaId::new("15551230001"),
            pos,
            status: status.into(),
        }
    }

    fn count(conn: &rusqlite::Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_status_after_a_message_left_memory_is_a_row_of_its_own_read_over_its_body() {
        let path = temp_db("status");
        let store = SqliteStore::open(&path, Durability::Process).unwrap();
        let ticket = store
            .apply(vec![
                entry(0, "wamid.a"),
                entry(1, "wamid.b"),
                status(0, "delivered"),
                status(0, "read"),
                // No message at this position (pruned, say): nothing to lay a status over.
                status(7, "delivered"),
            ])
            .unwrap();
        store.sync(ticket).unwrap();

        // Read back, the latest status is in the body, the rest of it as written; a message
        // without a later status reads exactly as written.
        let read = br#"{"direction":"outbound","status":"read","door":"meta"}"#;
        let a = store.entry(&MessageId::new("wamid.a")).unwrap().unwrap();
        assert_eq!(a.body, read);
        let page = store
            .thread(
                &PhoneNumberId::new("100000000000001"),
                &WaId::new("15551230001"),
                10,
                10,
            )
            .unwrap();
        let bodies: Vec<&[u8]> = page.iter().map(|r| &r.body[..]).collect();
        assert_eq!(bodies, [&read[..], SENT]);

        // On disk the message's row is untouched: the status is one small row beside it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        let body: Vec<u8> = conn
            .query_row("SELECT body FROM entries WHERE pos = 0", [], |r| r.get(0))
            .unwrap();
        assert_eq!(body, SENT);
        assert_eq!(count(&conn, "entry_status"), 1);

        // History past the retention takes the statuses with the messages.
        store.prune(2_000).unwrap();
        store.flush().unwrap();
        // Pruning runs in steps on the writer's thread: up to 10 s for it.
        let mut waits = 0;
        while count(&conn, "entries") + count(&conn, "entry_status") > 0 {
            assert!(waits < 1_000, "never pruned");
            waits += 1;
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        drop(store);
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
