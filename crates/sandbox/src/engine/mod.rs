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
//! ([`command::Op`]) and its typed answer: [`tenants`], [`messages`], [`threads`], [`carts`],
//! [`catalogs`], [`deliveries`]. [`command::Command`] is only the log format.

mod carts;
mod catalogs;
mod command;
mod deliveries;
mod messages;
mod state;
mod tenants;
mod threads;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use wacart_catalog::CatalogError;
use wacart_schema::{CatalogId, GraphError, MessageId, PhoneNumberId};

pub use carts::{CartItemView, CartSnapshot};
pub use catalogs::BatchOutcome;
pub use messages::Sent;
pub use threads::{MessageView, ProductView, SectionView};

use crate::clock::{Clock, HOUR};
use crate::model::Config;
use crate::store::{Store, StoreError};
use command::{Op, Record};
use state::State;

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
    /// A tenant, number or customer with this id exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// A cart rule refused the change (quantity, purchasability, cart disabled, empty cart).
    #[error(transparent)]
    Cart(CatalogError),
    /// The request is malformed in a way the door-level checks did not catch.
    #[error("{0}")]
    BadRequest(String),
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

/// The sandbox: tenants, customers, threads, carts, the outbox.
pub struct Sandbox {
    clock: Arc<dyn Clock>,
    store: Arc<dyn Store>,
    state: State,
    /// The last command appended to the store.
    last_seq: u64,
    /// Set when the store failed: no command is taken after that.
    failed: Option<StoreError>,
}

impl Sandbox {
    /// Opens the sandbox on a store, replaying every command it holds.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the store cannot be read or a record is unreadable.
    pub fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Self, EngineError> {
        let mut sb = Sandbox {
            clock,
            store: store.clone(),
            state: State::new(),
            last_seq: 0,
            failed: None,
        };
        for (seq, bytes) in store.load()? {
            let record: Record =
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                    seq,
                    reason: e.to_string(),
                })?;
            // A logged command succeeded once; on the same state and configuration it succeeds
            // again. If it does not, the log and this code disagree: refuse to guess.
            if let Err(e) = record.command.replay(&mut sb.state, record.at) {
                return Err(EngineError::Store(StoreError::Corrupt {
                    seq,
                    reason: format!("the command does not replay: {e}"),
                }));
            }
            sb.last_seq = seq;
        }
        sb.state.outbox.tag_new(sb.last_seq);
        // The configuration is part of the log: replay used the logged one; a different one
        // from now on is a logged change.
        if sb.state.config != config {
            let _ = sb.run(tenants::Configure {
                config: Box::new(config),
            })?;
        }
        Ok(sb)
    }

    /// The store it writes to.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    fn tick(&mut self) -> u64 {
        let now = self.clock.now_millis().max(self.state.now);
        self.state.advance_to(now);
        // Statuses that fell due follow from commands already appended.
        self.state.outbox.tag_new(self.last_seq);
        now
    }

    /// Runs an operation: executes it, and when it succeeds, appends its command to the store.
    ///
    /// Once an append fails, the live state holds a change the log does not: the sandbox stops
    /// taking commands (every one answers the store error) until it is reopened from the log.
    fn run<O: Op>(&mut self, op: O) -> Result<Ack<O::Output>, EngineError> {
        if let Some(e) = &self.failed {
            return Err(EngineError::Store(e.clone()));
        }
        let at = self.tick();
        let value = op.exec(&mut self.state, at)?;
        let record = Record {
            at,
            command: op.into(),
        };
        let appended = serde_json::to_vec(&record)
            .map_err(|e| StoreError::Database(format!("cannot encode a command: {e}")))
            .and_then(|record| self.store.append(record));
        match appended {
            Ok(seq) => {
                self.last_seq = seq;
                // Webhooks this command made go out only once it is durable.
                self.state.outbox.tag_new(seq);
                Ok(Ack {
                    value,
                    seq: Some(seq),
                })
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(EngineError::Store(e))
            }
        }
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
