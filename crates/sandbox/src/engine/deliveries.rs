//! The webhook outbox seen from the commands: delivery attempts, redelivery, and the reads the
//! delivery worker and the deliveries API make.

use serde::{Deserialize, Serialize};

use super::command::Op;
use super::state::State;
use super::{Ack, EngineError, Sandbox};
use crate::model::AppSpec;
use crate::webhooks::{Attempt, Delivery, DeliveryState};

/// One delivery attempt (older logs; the worker now records them in batches).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AttemptOne {
    delivery: u64,
    attempt: Attempt,
}

impl Op for AttemptOne {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        if !state.outbox.contains(self.delivery) {
            return Err(EngineError::UnknownDelivery(self.delivery));
        }
        let schedule = state.schedule();
        state
            .outbox
            .record(self.delivery, self.attempt.clone(), schedule);
        Ok(())
    }
}

/// Attempts the delivery worker finished, recorded as one command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Attempts {
    attempts: Vec<(u64, Attempt)>,
}

impl Op for Attempts {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        if let Some((id, _)) = self
            .attempts
            .iter()
            .find(|(id, _)| !state.outbox.contains(*id))
        {
            return Err(EngineError::UnknownDelivery(*id));
        }
        let schedule = state.schedule();
        for (id, attempt) in &self.attempts {
            state.outbox.record(*id, attempt.clone(), schedule);
        }
        Ok(())
    }
}

/// A webhook queued again at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Redeliver {
    delivery: u64,
}

impl Op for Redeliver {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        if !state.outbox.contains(self.delivery) {
            return Err(EngineError::UnknownDelivery(self.delivery));
        }
        state.outbox.redeliver(self.delivery, at);
        Ok(())
    }
}

impl Sandbox {
    /// Records a delivery attempt.
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`].
    pub fn record_attempt(
        &mut self,
        delivery: u64,
        attempt: Attempt,
    ) -> Result<Ack<()>, EngineError> {
        self.run(AttemptOne { delivery, attempt })
    }

    /// Records many delivery attempts as one command (the delivery worker's batches).
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`] when one of them is unknown (then none is recorded).
    pub fn record_attempts(
        &mut self,
        attempts: Vec<(u64, Attempt)>,
    ) -> Result<Ack<()>, EngineError> {
        if attempts.is_empty() {
            return Ok(Ack::unlogged(()));
        }
        self.run(Attempts { attempts })
    }

    /// Queues a webhook again at once.
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`].
    pub fn redeliver(&mut self, delivery: u64) -> Result<Ack<()>, EngineError> {
        self.run(Redeliver { delivery })
    }

    /// Webhooks due now whose app has a callback, oldest first, with that app (callback,
    /// secret). Webhooks of apps without a callback wait, kept, until one is set.
    pub fn due_deliveries(&mut self, limit: usize) -> Vec<(Delivery, Option<AppSpec>)> {
        let now = self.tick();
        let durable = self.store.durable_seq();
        let tenants = &self.state.tenants;
        let with_callback = |d: &&Delivery| {
            tenants
                .get(&d.waba_id)
                .is_some_and(|t| t.app.callback_url.is_some())
        };
        self.state
            .outbox
            .due(now)
            .filter(|d| d.seq <= durable)
            .filter(with_callback)
            .take(limit)
            .map(|d| (d.clone(), tenants.get(&d.waba_id).map(|t| t.app.clone())))
            .collect()
    }

    /// Every webhook, oldest first.
    pub fn deliveries(&self) -> Vec<&Delivery> {
        let outbox = &self.state.outbox;
        outbox
            .order
            .iter()
            .filter_map(|id| outbox.deliveries.get(id))
            .collect()
    }

    /// A page of webhooks, oldest first: those with an id above `after`, in `state` if given.
    pub fn deliveries_page(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Vec<Delivery> {
        let outbox = &self.state.outbox;
        let start = outbox.order.partition_point(|id| *id <= after);
        outbox.order[start..]
            .iter()
            .filter_map(|id| outbox.deliveries.get(id))
            .filter(|d| state.is_none_or(|s| d.state == s))
            .take(limit)
            .cloned()
            .collect()
    }

    /// One webhook.
    pub fn delivery(&self, id: u64) -> Option<&Delivery> {
        self.state.outbox.deliveries.get(&id)
    }
}
