//! Durability. The sandbox's live state is a snapshot plus the replay of the commands logged
//! after it; a [`Store`] keeps both, and beside them the history the state does not hold: every
//! thread message ([`EntryRow`]) and every webhook ([`Delivery`]).
//!
//! Every write is queued and gets a ticket; a caller hears yes only once its ticket is durable
//! ([`Store::durable`]). A command's record and the history it made ([`Effect`]s) are written
//! together, in the order they were queued, so a crash keeps both or neither.
//!
//! Nothing here is SQLite-specific: [`SqliteStore`] and [`MemoryStore`] implement the trait,
//! and another database needs the same few operations (ordered appends, a snapshot row,
//! idempotent upserts, range reads).

mod memory;
mod sqlite;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

pub use memory::MemoryStore;
pub use sqlite::{Durability, SqliteStore};
use wacart_schema::{MessageId, PhoneNumberId, WaId, WabaId};

#[cfg(doc)]
use crate::webhooks::WebhookBody;
use crate::webhooks::{Attempt, Delivery, DeliveryState, NewWebhook};

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("store: {0}")]
    Database(String),
    /// A record in the log could not be read back, or one is missing.
    #[error("store: record {seq} is unreadable: {reason}")]
    Corrupt {
        /// Its sequence number.
        seq: u64,
        /// Why.
        reason: String,
    },
}

/// A message of a thread, as history keeps it: `pos` counts from 0 in each thread.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntryRow {
    /// The business number.
    pub number: PhoneNumberId,
    /// The customer.
    pub wa_id: WaId,
    /// Position in the thread.
    pub pos: u64,
    /// Message id.
    pub id: MessageId,
    /// When (ms).
    pub at: u64,
    /// The engine's encoding of the message (opaque to the store).
    pub body: Vec<u8>,
}

/// A change to history, written with the command that made it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Effect {
    /// A thread message, new or changed (status): an upsert by thread and position.
    Entry(EntryRow),
    /// A message in history got a new status (it left memory with that status scheduled).
    EntryStatus {
        /// The business number.
        number: PhoneNumberId,
        /// The customer.
        wa_id: WaId,
        /// Position in the thread.
        pos: u64,
        /// `delivered`, `read`.
        status: String,
    },
    /// A new webhook; `parked` when its app has no callback. An id already stored is kept as
    /// it is (a webhook made again after a restart is the same webhook). A status webhook's
    /// body may be kept unrendered ([`WebhookBody::Status`]); reads answer it rendered.
    NewDelivery {
        /// The webhook.
        webhook: NewWebhook,
        /// Its app has no callback: not due until one is set.
        parked: bool,
    },
    /// A delivery attempt and what follows from it.
    Attempted {
        /// The webhook.
        id: u64,
        /// The attempt.
        attempt: Attempt,
        /// Its state after the attempt.
        state: DeliveryState,
        /// When the next attempt is due, while pending.
        next_attempt_at: Option<u64>,
    },
    /// Queued again at `at`, whatever its state.
    Redeliver {
        /// The webhook.
        id: u64,
        /// When.
        at: u64,
    },
    /// A WABA's webhooks wait (no callback) or are released (a callback was set).
    Park {
        /// The WABA.
        waba_id: WabaId,
        /// Whether they wait.
        parked: bool,
    },
}

/// What opening a store finds: the latest snapshot and the records after it.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Opened {
    /// The latest snapshot, with the sequence of the last record it covers.
    pub snapshot: Option<(u64, Vec<u8>)>,
    /// Every record after the snapshot, in order, with its sequence number (contiguous).
    pub tail: Vec<(u64, Vec<u8>)>,
    /// History is empty although the log is not (a database from before history was kept):
    /// the engine writes the history its replay makes.
    pub rebuild_history: bool,
}

/// A log of records with its snapshot and history, every write durable once
/// [`Store::durable`] says so.
pub trait Store: Send + Sync {
    /// The latest snapshot and the records after it. Sequence numbers must be contiguous: a
    /// missing record is [`StoreError::Corrupt`].
    ///
    /// # Errors
    /// [`StoreError`] when the log cannot be read or has a gap.
    fn open(&self) -> Result<Opened, StoreError>;

    /// Queues a record and the history it made; answers the write's ticket.
    ///
    /// # Errors
    /// [`StoreError`] when the store has failed.
    fn append(&self, record: Vec<u8>, effects: Vec<Effect>) -> Result<u64, StoreError>;

    /// Queues history changes that follow from records already queued (statuses falling due,
    /// delivery attempts); answers the write's ticket.
    ///
    /// # Errors
    /// [`StoreError`] when the store has failed.
    fn apply(&self, effects: Vec<Effect>) -> Result<u64, StoreError>;

    /// The sequence number of the last record queued.
    fn appended_seq(&self) -> u64;

    /// Queues a snapshot of the state after record `seq` (queued already); once it is written,
    /// the records it covers are deleted, a step at a time. A snapshot older than the latest
    /// one is ignored.
    ///
    /// # Errors
    /// [`StoreError`] when the store has failed.
    fn checkpoint(&self, seq: u64, state: Vec<u8>) -> Result<u64, StoreError>;

    /// Queues the deletion of history older than `before` (ms): thread messages and webhooks,
    /// pending ones included.
    ///
    /// # Errors
    /// [`StoreError`] when the store has failed.
    fn prune(&self, before: u64) -> Result<u64, StoreError>;

    /// Resolves once every write up to `ticket` is durable.
    fn durable(&self, ticket: u64) -> Durable;

    /// Blocks until every write queued so far is durable.
    ///
    /// # Errors
    /// [`StoreError`] when a write failed.
    fn flush(&self) -> Result<(), StoreError>;

    /// Blocks until every write up to `ticket` is durable.
    ///
    /// # Errors
    /// [`StoreError`] when the write failed.
    fn sync(&self, ticket: u64) -> Result<(), StoreError> {
        self.durable(ticket).wait()
    }

    /// Up to `limit` messages of a thread before position `before`, the latest ones, oldest
    /// first (durable writes only).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn thread(
        &self,
        number: &PhoneNumberId,
        wa_id: &WaId,
        before: u64,
        limit: usize,
    ) -> Result<Vec<EntryRow>, StoreError>;

    /// One thread message by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn entry(&self, id: &MessageId) -> Result<Option<EntryRow>, StoreError>;

    /// Webhooks with an id above `after`, in `state` if given, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn deliveries(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// One webhook.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn delivery(&self, id: u64) -> Result<Option<Delivery>, StoreError>;

    /// Pending webhooks due at `now` whose app has a callback, by due time.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn due(&self, now: u64, limit: usize) -> Result<Vec<Delivery>, StoreError>;

    /// How many records the log holds now (they shrink at each snapshot).
    fn log_len(&self) -> u64;
}

/// Progress of the writes, shared by the store and its waiters.
#[derive(Default)]
pub(crate) struct Progress {
    /// Every write up to this ticket is durable.
    pub(crate) durable: u64,
    /// The write failed; everything after `durable` is lost.
    pub(crate) failed: Option<StoreError>,
    wakers: Vec<Waker>,
}

#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) progress: Mutex<Progress>,
    changed: Condvar,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn advance(&self, to: u64, failed: Option<StoreError>) {
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

    pub(crate) fn failed(&self) -> Option<StoreError> {
        lock(&self.progress).failed.clone()
    }

    pub(crate) fn durable(self: &Arc<Self>, ticket: u64) -> Durable {
        Durable {
            shared: self.clone(),
            ticket,
        }
    }
}

/// Completes when a write is durable. Works on any executor, or blocking with [`Durable::wait`].
#[must_use = "a write is acknowledged only once it is durable"]
pub struct Durable {
    shared: Arc<Shared>,
    ticket: u64,
}

impl Durable {
    /// Blocks until durable.
    ///
    /// # Errors
    /// [`StoreError`] when the write failed.
    pub fn wait(self) -> Result<(), StoreError> {
        let mut p = lock(&self.shared.progress);
        loop {
            if p.durable >= self.ticket {
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
        let mut p = lock(&self.shared.progress);
        if p.durable >= self.ticket {
            return Poll::Ready(Ok(()));
        }
        if let Some(e) = &p.failed {
            return Poll::Ready(Err(e.clone()));
        }
        p.wakers.push(cx.waker().clone());
        Poll::Pending
    }
}

/// Checks that a tail of records continues the snapshot without a gap.
pub(crate) fn check_contiguous(
    snapshot_seq: u64,
    tail: &[(u64, Vec<u8>)],
) -> Result<(), StoreError> {
    for (expected, (seq, _)) in (snapshot_seq + 1..).zip(tail) {
        if *seq != expected {
            return Err(StoreError::Corrupt {
                seq: expected,
                reason: format!("the log jumps from record {} to {seq}", expected - 1),
            });
        }
    }
    Ok(())
}
