//! The webhook outbox seen from the engine: delivery attempts, redelivery, and the reads the
//! delivery worker and the deliveries API make. Webhooks are history, in the store: attempts
//! and redeliveries change history only, so they are written as effects and not logged.
//!
//! Logs written before history was kept hold `attempt`, `attempts` and `redeliver` commands;
//! they replay as no-ops, except when the history is being rebuilt from such a log
//! ([`State::rebuild`]), where they rebuild the webhooks' attempts.

use serde::{Deserialize, Serialize};

use super::op::Op;
use super::state::State;
use super::{Ack, EngineError, Sandbox};
use crate::model::AppSpec;
use crate::store::Effect;
use crate::webhooks::{Attempt, Delivery, DeliveryState, after_attempt};

/// One delivery attempt (logs from before history was kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AttemptOne {
    delivery: u64,
    attempt: Attempt,
}

impl Op for AttemptOne {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        rebuild_attempt(state, self.delivery, &self.attempt);
        Ok(())
    }
}

/// Attempts recorded as one command (logs from before history was kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Attempts {
    attempts: Vec<(u64, Attempt)>,
}

impl Op for Attempts {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        for (id, attempt) in &self.attempts {
            rebuild_attempt(state, *id, attempt);
        }
        Ok(())
    }
}

/// A redelivery (logs from before history was kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Redeliver {
    delivery: u64,
}

impl Op for Redeliver {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        if let Some(rebuild) = &mut state.rebuild
            && let Some(d) = rebuild.get_mut(&self.delivery)
        {
            d.state = DeliveryState::Pending;
            state.effects.push(Effect::Redeliver {
                id: self.delivery,
                at,
            });
        }
        Ok(())
    }
}

/// While history is rebuilt from an old log: an attempt, as the old outbox recorded it.
fn rebuild_attempt(state: &mut State, id: u64, attempt: &Attempt) {
    let schedule = state.schedule();
    let Some(d) = state.rebuild.as_mut().and_then(|r| r.get_mut(&id)) else {
        return;
    };
    let (new_state, next) = after_attempt(d, attempt, schedule);
    d.attempts.push(attempt.clone());
    d.state = new_state;
    state.effects.push(Effect::Attempted {
        id,
        attempt: attempt.clone(),
        state: new_state,
        next_attempt_at: next,
    });
}

impl Sandbox {
    /// Records finished delivery attempts (the delivery worker's batches): each webhook as the
    /// worker took it, and its attempt. Delivered, retried later, or dropped past the horizon.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the store has failed.
    pub fn record_attempts(
        &mut self,
        attempts: Vec<(Delivery, Attempt)>,
    ) -> Result<Ack<()>, EngineError> {
        if attempts.is_empty() {
            return Ok(Ack::unlogged(()));
        }
        let schedule = self.state.schedule();
        let effects = attempts
            .into_iter()
            .map(|(d, attempt)| {
                let (state, next_attempt_at) = after_attempt(&d, &attempt, schedule);
                Effect::Attempted {
                    id: d.id,
                    attempt,
                    state,
                    next_attempt_at,
                }
            })
            .collect();
        self.write_effects(effects)
    }

    /// Queues a webhook again at once, whatever its state.
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`] when it is not (or no longer) in history.
    pub fn redeliver(&mut self, delivery: u64) -> Result<Ack<()>, EngineError> {
        if self.store.delivery(delivery)?.is_none() {
            return Err(EngineError::UnknownDelivery(delivery));
        }
        let at = self.tick();
        self.write_effects(vec![Effect::Redeliver { id: delivery, at }])
    }

    /// The app (callback, secret) that receives a WABA's webhooks, when it has a callback.
    pub fn app(&self, waba_id: &wacart_schema::WabaId) -> Option<&AppSpec> {
        self.state
            .tenants
            .get(waba_id)
            .map(|t| &t.app)
            .filter(|a| a.callback_url.is_some())
    }

    /// The id of the latest webhook made (0 before the first): ids follow one another, so
    /// `deliveries_page(last - n, …)` reads the latest `n`.
    pub fn last_delivery_id(&self) -> u64 {
        self.state.outbox.next_id
    }

    /// Every webhook in history, oldest first, once every write so far is durable.
    pub fn deliveries(&self) -> Vec<Delivery> {
        let _ = self.store.flush();
        self.store
            .deliveries(0, usize::MAX, None)
            .unwrap_or_default()
    }

    /// A page of webhooks, oldest first: those with an id above `after`, in `state` if given.
    ///
    /// # Errors
    /// [`EngineError::Store`] when history cannot be read.
    pub fn deliveries_page(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, EngineError> {
        Ok(self.store.deliveries(after, limit, state)?)
    }

    /// One webhook.
    ///
    /// # Errors
    /// [`EngineError::Store`] when history cannot be read.
    pub fn delivery(&self, id: u64) -> Result<Option<Delivery>, EngineError> {
        Ok(self.store.delivery(id)?)
    }
}
