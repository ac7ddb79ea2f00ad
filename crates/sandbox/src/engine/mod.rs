//! The engine: a state machine over an injected clock. Every change is a command; a command
//! that succeeds is appended to the store, and opening a store replays its commands, so state
//! after a restart is exactly state before it.
//!
//! Determinism is what makes replay exact: a command carries its time, ids come from counters in
//! the state, and scheduled statuses are produced by [`Sandbox::advance`] at their due time, in
//! due order, whenever time moves — so it does not matter whether a tick or the next command
//! moved it.
//!
//! Each command family lives in its own module, which owns its arguments, its execution
//! ([`op::Op`]) and its typed answer: [`tenants`], [`messages`], [`customer`], [`threads`],
//! [`carts`], [`catalogs`], [`deliveries`], [`media`], [`templates`]. [`command::Command`] is only the log format.

mod carts;
mod catalogs;
mod command;
mod customer;
mod deliveries;
mod image;
mod kaleyra;
mod kaleyra_book;
mod links;
mod media;
mod media_book;
mod messages;
mod op;
mod state;
mod template_book;
mod templates;
mod tenants;
mod threads;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use wacart_catalog::CatalogError;
use wacart_schema::{CatalogId, GraphError, MessageId, PhoneNumberId};

pub use carts::{CartItemView, CartSnapshot};
pub use catalogs::BatchOutcome;
pub use customer::CustomerInput;
pub use kaleyra::AccountView;
pub use kaleyra_book::{
    AccountSettings, Billing, KALEYRA_API_VERSION, KaleyraMeta, KaleyraRefusal, NumberSettings,
};
pub use links::{CATALOG_LINK_PREFIX, OpenedView};
pub use media::{MEDIA_TTL, MEDIA_TYPES, MediaInfo, NewMedia};
pub use messages::Sent;
pub use templates::{
    ButtonView, CardView, TEMPLATE_STATUS_FIELD, TemplateFilter, TemplateInfo, TemplateView,
};
pub use threads::{
    ChatView, MessageView, ProductView, SectionView, THREAD_PAGE, TYPING_FOR, ThreadStatus,
};

use crate::clock::{Clock, DAY, HOUR, MINUTE};
use crate::model::Config;
use crate::store::{Effect, Store, StoreError};
use command::{Command, Record};
use op::Op;
use state::{Entry, State, ThreadKey};

/// The customer-service window.
pub const WINDOW: u64 = 24 * HOUR;

/// Why a command was refused. Nothing changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// What Meta's Graph API would answer (131009, 131047, 130429, 131056, ...).
    #[error("({code}) {details}", code = .0.code, details = .0.details().unwrap_or(""))]
    Graph(Box<GraphError>),
    /// No such business number.
    #[error("unknown phone number id {0}")]
    UnknownNumber(PhoneNumberId),
    /// No such customer.
    #[error("unknown customer")]
    UnknownCustomer,
    /// No such message in the customer's threads.
    #[error("unknown message {0}")]
    UnknownMessage(MessageId),
    /// No such catalog.
    #[error("unknown catalog {0}")]
    UnknownCatalog(CatalogId),
    /// No such webhook delivery.
    #[error("unknown delivery {0}")]
    UnknownDelivery(u64),
    /// No such live media (never uploaded, deleted or expired).
    #[error("unknown media {0}")]
    UnknownMedia(String),
    /// No such message template.
    #[error("unknown message template {0}")]
    UnknownTemplate(String),
    /// A tenant, number or customer with this id exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// A cart rule refused the change (quantity, purchasability, cart disabled, empty cart).
    #[error(transparent)]
    Cart(CatalogError),
    /// No such device of the customer.
    #[error("the customer has no device named {0:?}")]
    UnknownDevice(String),
    /// A well-formed request the state refuses: a tap on a message without that button, a
    /// reaction to the customer's own message.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed in a way the door-level checks did not catch.
    #[error("{0}")]
    BadRequest(String),
    /// Kaleyra's door refuses for the account's sake (`E110`, `WA-401`).
    #[error(transparent)]
    Kaleyra(KaleyraRefusal),
    /// The store failed; the command was not accepted.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    pub(crate) fn graph(code: u32, details: impl Into<String>) -> Self {
        EngineError::Graph(Box::new(GraphError::new(code, details, "wacart-sandbox")))
    }

    pub(crate) fn from_catalog(e: &CatalogError) -> Self {
        EngineError::Graph(Box::new(e.to_graph_error("wacart-sandbox")))
    }
}

/// An accepted command's answer and the log position to wait on before telling anyone.
#[derive(Debug)]
#[must_use = "wait for `seq` to be durable before acknowledging"]
pub struct Ack<T> {
    /// The answer.
    pub value: T,
    /// The command's position in the store (`None` when nothing changed).
    pub seq: Option<u64>,
}

impl<T> Ack<T> {
    /// An answer that changed nothing: nothing to wait for.
    pub(crate) fn unlogged(value: T) -> Self {
        Ack { value, seq: None }
    }
}

/// Which door a send came through (kept with the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Door {
    /// Meta's Cloud API.
    Meta,
    /// 360dialog.
    #[serde(rename = "360dialog")]
    Dialog360,
    /// Kaleyra.
    Kaleyra,
}

/// Housekeeping: when snapshots are taken and how long history is kept. Not part of the
/// sandbox's behaviour, so not logged; set it after opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Upkeep {
    /// A snapshot is taken after this many logged commands (and the log behind it compacted);
    /// `u64::MAX` never takes one.
    pub snapshot_every: u64,
    /// A large state waits longer: at least one command per this many bytes of its last
    /// snapshot (0: no such wait).
    pub bytes_per_command: u64,
    /// History (thread messages, finished webhooks) older than this is deleted (ms); `None`
    /// keeps everything.
    pub retain: Option<u64>,
}

impl Default for Upkeep {
    fn default() -> Self {
        Upkeep {
            snapshot_every: 20_000,
            bytes_per_command: 64,
            retain: Some(30 * DAY),
        }
    }
}

impl Upkeep {
    /// Sets [`Upkeep::snapshot_every`].
    #[must_use]
    pub fn snapshot_every(mut self, commands: u64) -> Self {
        self.snapshot_every = commands;
        self
    }

    /// Sets [`Upkeep::bytes_per_command`].
    #[must_use]
    pub fn bytes_per_command(mut self, bytes: u64) -> Self {
        self.bytes_per_command = bytes;
        self
    }

    /// Sets [`Upkeep::retain`].
    #[must_use]
    pub fn retain(mut self, retain: Option<u64>) -> Self {
        self.retain = retain;
        self
    }
}

/// The sandbox: tenants, customers, threads, carts, the outbox.
pub struct Sandbox {
    clock: Arc<dyn Clock>,
    store: Arc<dyn Store>,
    state: State,
    upkeep: Upkeep,
    /// Commands logged since the last snapshot.
    since_snapshot: u64,
    /// Size of the last snapshot.
    snapshot_bytes: Arc<AtomicU64>,
    /// The snapshot being encoded and queued, off the lock.
    snapshotting: Option<std::thread::JoinHandle<()>>,
    /// When history was last pruned (ms).
    pruned_at: u64,
    /// Set when the store failed: no command is taken after that.
    failed: Option<StoreError>,
    /// Changes a viewer could see so far (see [`Sandbox::version`]); not state, not logged.
    version: u64,
}

impl Sandbox {
    /// Opens the sandbox on a store: loads its latest snapshot and replays the commands logged
    /// after it.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the store cannot be read, or a record or the snapshot is
    /// unreadable.
    pub fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Self, EngineError> {
        let opened = store.open()?;
        let (state, snapshot_bytes) = match &opened.snapshot {
            Some((seq, bytes)) => (
                image::decode(bytes).map_err(|reason| StoreError::Corrupt {
                    seq: *seq,
                    reason: format!("the snapshot is unreadable: {reason}"),
                })?,
                bytes.len() as u64,
            ),
            None => (State::new(), 0),
        };
        let mut sb = Sandbox {
            clock,
            store: store.clone(),
            state,
            upkeep: Upkeep::default(),
            since_snapshot: opened.tail.len() as u64,
            snapshot_bytes: Arc::new(AtomicU64::new(snapshot_bytes)),
            snapshotting: None,
            pruned_at: 0,
            failed: None,
            version: 0,
        };
        if opened.rebuild_history {
            sb.state.rebuild = Some(std::collections::HashMap::new());
        } else {
            // The history replay would make is in the store already: it is not built.
            sb.state.replaying = true;
        }
        for (seq, bytes) in &opened.tail {
            let record: Record =
                serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
                    seq: *seq,
                    reason: e.to_string(),
                })?;
            // A logged command succeeded once; on the same state and configuration it succeeds
            // again. If it does not, the log and this code disagree: refuse to guess.
            if let Err(e) = record.command.replay(&mut sb.state, record.at) {
                return Err(EngineError::Store(StoreError::Corrupt {
                    seq: *seq,
                    reason: format!("the command does not replay: {e}"),
                }));
            }
            // History made in replay is written only when it is being rebuilt.
            let effects = sb.state.take_effects();
            if opened.rebuild_history && !effects.is_empty() {
                store.apply(effects)?;
            }
        }
        sb.state.rebuild = None;
        sb.state.replaying = false;
        store.flush()?;
        // The configuration is part of the log: replay used the logged one; a different one
        // from now on is a logged change.
        if sb.state.config != config {
            let _ = sb.run(tenants::Configure {
                config: Box::new(config),
            })?;
        }
        Ok(sb)
    }

    /// Sets when snapshots are taken and how long history is kept.
    pub fn set_upkeep(&mut self, upkeep: Upkeep) {
        self.upkeep = upkeep;
    }

    /// The store it writes to.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Counts the changes a viewer could see since the sandbox opened: accepted commands,
    /// history written besides them (delivery attempts, redeliveries), and time moving a
    /// status. It only grows; [`crate::SharedSandbox::watch`] is told when it does.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The time the state has reached (ms).
    pub fn now(&self) -> u64 {
        self.state.now
    }

    /// The state as a snapshot would hold it: equal states give equal bytes (the determinism
    /// tests compare a full replay with a snapshot and its tail through this).
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] if the state cannot be encoded (a bug).
    pub fn image(&self) -> Result<Vec<u8>, EngineError> {
        image::encode(&self.state, 0).map_err(|e| EngineError::BadRequest(e.to_string()))
    }

    /// Moves time to the clock's now. Statuses that fall due are written to history (they
    /// follow from commands already logged, so they are not logged themselves); history past
    /// the retention is pruned once a minute.
    fn tick(&mut self) -> u64 {
        let now = self.clock.now_millis().max(self.state.now);
        self.state.advance_to(now);
        let effects = self.state.take_effects();
        if !effects.is_empty() {
            self.version += 1;
        }
        if !effects.is_empty()
            && self.failed.is_none()
            && let Err(e) = self.store.apply(effects)
        {
            self.failed = Some(e);
        }
        if let Some(retain) = self.upkeep.retain
            && now >= self.pruned_at.saturating_add(MINUTE)
            && self.failed.is_none()
        {
            self.pruned_at = now;
            if let Err(e) = self.store.prune(now.saturating_sub(retain)) {
                self.failed = Some(e);
            }
        }
        now
    }

    /// Runs an operation: executes it, and when it succeeds, appends its command to the store
    /// with the history it made.
    ///
    /// Once an append fails, the live state holds a change the log does not: the sandbox stops
    /// taking commands (every one answers the store error) until it is reopened from the log.
    fn run<O: Op + Into<Command>>(&mut self, op: O) -> Result<Ack<O::Output>, EngineError> {
        if let Some(e) = &self.failed {
            return Err(EngineError::Store(e.clone()));
        }
        let at = self.tick();
        let value = match op.exec(&mut self.state, at) {
            Ok(v) => v,
            Err(e) => {
                // A refused command changed nothing, and made no history.
                self.state.effects.clear();
                return Err(e);
            }
        };
        let record = Record {
            at,
            command: op.into(),
        };
        let effects = self.state.take_effects();
        let appended = serde_json::to_vec(&record)
            .map_err(|e| StoreError::Database(format!("cannot encode a command: {e}")))
            .and_then(|record| self.store.append(record, effects));
        match appended {
            Ok(ticket) => {
                self.version += 1;
                self.since_snapshot += 1;
                if self.since_snapshot >= self.snapshot_due() {
                    self.checkpoint();
                }
                Ok(Ack {
                    value,
                    seq: Some(ticket),
                })
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(EngineError::Store(e))
            }
        }
    }

    fn snapshot_due(&self) -> u64 {
        let size = self.snapshot_bytes.load(Ordering::Relaxed);
        self.upkeep
            .snapshot_every
            .max(size.checked_div(self.upkeep.bytes_per_command).unwrap_or(0))
    }

    /// Takes a snapshot: the state is copied under the lock, then encoded and queued on a
    /// thread of its own, so the commands that follow do not wait for it. The store writes it
    /// after the record it covers and deletes the log behind it.
    fn checkpoint(&mut self) {
        self.since_snapshot = 0;
        if self.snapshotting.as_ref().is_some_and(|t| !t.is_finished()) {
            return; // One at a time: the next is due soon enough.
        }
        let seq = self.store.appended_seq();
        let state = self.state.clone();
        let (store, size) = (self.store.clone(), self.snapshot_bytes.clone());
        let spawned = std::thread::Builder::new()
            .name("wacart-snapshot".into())
            .spawn(move || {
                // Plain data throughout: encoding does not fail; if it ever did, the log alone
                // still rebuilds the state. A failed store is seen by the next command.
                let last = usize::try_from(size.load(Ordering::Relaxed)).unwrap_or(0);
                if let Ok(bytes) = image::encode(&state, last + last / 8) {
                    size.store(bytes.len() as u64, Ordering::Relaxed);
                    let _ = store.checkpoint(seq, bytes);
                }
            });
        self.snapshotting = spawned.ok();
    }

    /// Waits for the snapshot being taken, if any, to be queued in the store.
    pub fn wait_for_snapshot(&mut self) {
        if let Some(t) = self.snapshotting.take() {
            let _ = t.join();
        }
    }

    /// Takes a snapshot now and waits for it to be queued (then [`Store::flush`] makes it
    /// durable).
    pub fn snapshot(&mut self) {
        self.wait_for_snapshot();
        self.checkpoint();
        self.wait_for_snapshot();
    }

    /// Writes history changes that are not commands (attempts, redeliveries).
    fn write_effects(&mut self, effects: Vec<Effect>) -> Result<Ack<()>, EngineError> {
        if let Some(e) = &self.failed {
            return Err(EngineError::Store(e.clone()));
        }
        match self.store.apply(effects) {
            Ok(ticket) => {
                self.version += 1;
                Ok(Ack {
                    value: (),
                    seq: Some(ticket),
                })
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(EngineError::Store(e))
            }
        }
    }

    /// A message no longer in memory, from history: its thread and what it was.
    fn history_entry(&self, id: &MessageId) -> Result<Option<(ThreadKey, Entry)>, EngineError> {
        Ok(self
            .history_entry_at(id)?
            .map(|(key, _, entry)| (key, entry)))
    }

    /// A message no longer in memory, from history: its thread, position and what it was.
    fn history_entry_at(
        &self,
        id: &MessageId,
    ) -> Result<Option<(ThreadKey, u64, Entry)>, EngineError> {
        let Some(row) = self.store.entry(id)? else {
            return Ok(None);
        };
        let entry: Entry = serde_json::from_slice(&row.body)
            .map_err(|e| StoreError::Database(format!("thread message {id}: {e}")))?;
        Ok(Some(((row.number, row.wa_id), row.pos, entry)))
    }

    /// The clock's now, never behind the state's time (ms).
    fn clock_now(&self) -> u64 {
        self.clock.now_millis().max(self.state.now)
    }

    /// Marks the sandbox failed after a durability failure seen outside [`Sandbox::run`].
    pub fn fail(&mut self, error: StoreError) {
        self.failed = Some(error);
    }

    /// Moves time to the clock's now: scheduled statuses fall due and become webhooks.
    pub fn advance(&mut self) {
        self.tick();
    }
}
