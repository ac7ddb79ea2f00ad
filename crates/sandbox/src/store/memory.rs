//! A store in memory: for tests and `--memory`. Writes are durable at once (for as long as the
//! process lives). Clones share everything, so a test can "reopen" it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use wacart_schema::{MessageId, PhoneNumberId, WaId, WabaId};

use super::{Durable, Effect, EntryRow, Opened, Shared, Store, StoreError, lock};
use crate::webhooks::{Delivery, DeliveryState};

type ThreadPos = (PhoneNumberId, WaId, u64);

#[derive(Default)]
struct Inner {
    log: Vec<(u64, Vec<u8>)>,
    next_seq: u64,
    snapshot: Option<(u64, Vec<u8>)>,
    ticket: u64,
    entries: BTreeMap<ThreadPos, EntryRow>,
    entry_ids: HashMap<MessageId, ThreadPos>,
    /// Thread messages by time, for pruning.
    entry_times: BTreeSet<(u64, ThreadPos)>,
    deliveries: BTreeMap<u64, (Delivery, bool)>,
    /// Pending, not parked: (due, id).
    due: BTreeSet<(u64, u64)>,
}

impl Inner {
    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Entry(row) => {
                let key = (row.number.clone(), row.wa_id.clone(), row.pos);
                self.entry_ids.insert(row.id.clone(), key.clone());
                self.entry_times.insert((row.at, key.clone()));
                self.entries.insert(key, row);
            }
            Effect::EntryStatus {
                number,
                wa_id,
                pos,
                status,
            } => {
                let Some(row) = self.entries.get_mut(&(number, wa_id, pos)) else {
                    return;
                };
                if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&row.body) {
                    v["status"] = serde_json::Value::String(status);
                    row.body = serde_json::to_vec(&v).unwrap_or_default();
                }
            }
            Effect::NewDelivery { webhook, parked } => {
                if self.deliveries.contains_key(&webhook.id) {
                    return;
                }
                let delivery = webhook.delivery();
                if let (false, Some(at)) = (parked, delivery.next_attempt_at) {
                    self.due.insert((at, delivery.id));
                }
                self.deliveries.insert(delivery.id, (delivery, parked));
            }
            Effect::Attempted {
                id,
                attempt,
                state,
                next_attempt_at,
            } => self.set(id, state, next_attempt_at, Some(attempt)),
            Effect::Redeliver { id, at } => self.set(id, DeliveryState::Pending, Some(at), None),
            Effect::Park { waba_id, parked } => self.park(&waba_id, parked),
        }
    }

    fn set(
        &mut self,
        id: u64,
        state: DeliveryState,
        next: Option<u64>,
        attempt: Option<crate::webhooks::Attempt>,
    ) {
        let Some((d, parked)) = self.deliveries.get_mut(&id) else {
            return;
        };
        if let Some(due) = d.next_attempt_at {
            self.due.remove(&(due, id));
        }
        d.attempts.extend(attempt);
        d.state = state;
        d.next_attempt_at = if state == DeliveryState::Pending {
            next
        } else {
            None
        };
        if let (false, DeliveryState::Pending, Some(at)) = (*parked, state, d.next_attempt_at) {
            self.due.insert((at, id));
        }
    }

    fn park(&mut self, waba_id: &WabaId, parked: bool) {
        for (id, (d, p)) in &mut self.deliveries {
            // A provider's callback has a target of its own: the app's callback does not hold it.
            if d.waba_id != *waba_id || *p == parked || d.target.is_some() {
                continue;
            }
            *p = parked;
            if let (DeliveryState::Pending, Some(at)) = (d.state, d.next_attempt_at) {
                if parked {
                    self.due.remove(&(at, *id));
                } else {
                    self.due.insert((at, *id));
                }
            }
        }
    }

    /// Deletes history older than `before`: the time index finds the old messages, and
    /// webhooks are in id order, which is time order.
    fn prune(&mut self, before: u64) {
        let keep = self
            .entry_times
            .split_off(&(before, (PhoneNumberId::new(""), WaId::new(""), 0)));
        for (_, key) in std::mem::replace(&mut self.entry_times, keep) {
            if let Some(r) = self.entries.remove(&key) {
                self.entry_ids.remove(&r.id);
            }
        }
        while let Some((&id, (d, _))) = self.deliveries.first_key_value() {
            if d.created_at >= before {
                break;
            }
            if let Some(at) = d.next_attempt_at {
                self.due.remove(&(at, id));
            }
            self.deliveries.remove(&id);
        }
    }
}

/// A store in memory. Clones share the log and history.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    shared: Arc<Shared>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn write(&self, f: impl FnOnce(&mut Inner)) -> Result<u64, StoreError> {
        if let Some(e) = self.shared.failed() {
            return Err(e);
        }
        let ticket = {
            let mut inner = lock(&self.inner);
            f(&mut inner);
            inner.ticket += 1;
            inner.ticket
        };
        self.shared.advance(ticket, None);
        Ok(ticket)
    }
}

impl Store for MemoryStore {
    fn open(&self) -> Result<Opened, StoreError> {
        let inner = lock(&self.inner);
        let snapshot = inner.snapshot.clone();
        let tail = inner.log.clone();
        super::check_contiguous(snapshot.as_ref().map_or(0, |(s, _)| *s), &tail)?;
        Ok(Opened {
            snapshot,
            tail,
            rebuild_history: false,
        })
    }

    fn append(&self, record: Vec<u8>, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.write(|inner| {
            inner.next_seq += 1;
            let seq = inner.next_seq;
            inner.log.push((seq, record));
            for e in effects {
                inner.apply(e);
            }
        })
    }

    fn apply(&self, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.write(|inner| {
            for e in effects {
                inner.apply(e);
            }
        })
    }

    fn appended_seq(&self) -> u64 {
        lock(&self.inner).next_seq
    }

    fn checkpoint(&self, seq: u64, state: Vec<u8>) -> Result<u64, StoreError> {
        self.write(|inner| {
            if inner.snapshot.as_ref().is_some_and(|(s, _)| *s >= seq) || seq > inner.next_seq {
                return;
            }
            inner.snapshot = Some((seq, state));
            inner.log.retain(|(s, _)| *s > seq);
        })
    }

    fn prune(&self, before: u64) -> Result<u64, StoreError> {
        self.write(|inner| inner.prune(before))
    }

    fn durable(&self, ticket: u64) -> Durable {
        self.shared.durable(ticket)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.shared.failed().map_or(Ok(()), Err)
    }

    fn thread(
        &self,
        number: &PhoneNumberId,
        wa_id: &WaId,
        before: u64,
        limit: usize,
    ) -> Result<Vec<EntryRow>, StoreError> {
        let inner = lock(&self.inner);
        let from = (number.clone(), wa_id.clone(), 0);
        let to = (number.clone(), wa_id.clone(), before);
        let mut rows: Vec<EntryRow> = inner
            .entries
            .range(from..to)
            .rev()
            .take(limit)
            .map(|(_, r)| r.clone())
            .collect();
        rows.reverse();
        Ok(rows)
    }

    fn entry(&self, id: &MessageId) -> Result<Option<EntryRow>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .entry_ids
            .get(id)
            .and_then(|k| inner.entries.get(k))
            .cloned())
    }

    fn deliveries(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .deliveries
            .range(after.saturating_add(1)..)
            .map(|(_, (d, _))| d)
            .filter(|d| state.is_none_or(|s| d.state == s))
            .take(limit)
            .cloned()
            .collect())
    }

    fn delivery(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        Ok(lock(&self.inner)
            .deliveries
            .get(&id)
            .map(|(d, _)| d.clone()))
    }

    fn due(&self, now: u64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .due
            .range(..=(now, u64::MAX))
            .filter_map(|(_, id)| inner.deliveries.get(id).map(|(d, _)| d.clone()))
            .take(limit)
            .collect())
    }

    fn log_len(&self) -> u64 {
        lock(&self.inner).log.len() as u64
    }
}
