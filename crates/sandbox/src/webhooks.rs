//! The webhook outbox: every event becomes a Meta-shaped payload, held until delivered, retried
//! on a schedule, every attempt recorded.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_schema::{
    Contact, InboundMessage, Metadata, PhoneNumberId, Status, WaId, WabaId, WebhookError,
    to_vec_ascii,
};

/// One attempt to deliver a webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attempt {
    /// When it started (ms).
    pub at: u64,
    /// The HTTP status the receiver answered, if it answered.
    pub status: Option<u16>,
    /// How long it took (ms).
    pub latency_ms: u64,
    /// What went wrong, when it did not get a 200.
    pub error: Option<String>,
}

impl Attempt {
    /// An attempt's result.
    pub fn new(at: u64, status: Option<u16>, latency_ms: u64, error: Option<String>) -> Self {
        Attempt {
            at,
            status,
            latency_ms,
            error,
        }
    }

    /// Whether it delivered the webhook (HTTP 200).
    pub fn delivered(&self) -> bool {
        self.status == Some(200)
    }
}

/// Where a webhook is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// A receiver answered 200.
    Delivered,
    /// Retried until the horizon without success; dropped.
    Dropped,
}

/// One webhook POST, with its exact body (non-ASCII escaped as Meta does).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Delivery {
    /// Stable id: a redelivery keeps it.
    pub id: u64,
    /// The WABA whose app receives it.
    pub waba_id: WabaId,
    /// What it is about (`statuses`, `messages`, `errors`).
    pub kind: &'static str,
    /// The exact body to sign and send.
    #[serde(serialize_with = "as_text")]
    pub body: std::sync::Arc<[u8]>,
    /// When it was created (ms).
    pub created_at: u64,
    /// When the next attempt is due (ms), while pending.
    pub next_attempt_at: Option<u64>,
    /// Every attempt so far.
    pub attempts: Vec<Attempt>,
    /// Where it is.
    pub state: DeliveryState,
    /// The log position of the command that made it: it goes out only once that is durable.
    #[serde(skip)]
    pub seq: u64,
}

fn as_text<S: serde::Serializer>(body: &std::sync::Arc<[u8]>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(body))
}

/// The retry schedule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    pub(crate) base: u64,
    pub(crate) max_interval: u64,
    pub(crate) horizon: u64,
}

impl Schedule {
    /// When attempt `failures + 1` is due after `failures` failed ones, or `None` past the horizon.
    fn next(&self, created_at: u64, last_at: u64, failures: u32) -> Option<u64> {
        let wait = self
            .base
            .saturating_mul(1u64 << failures.saturating_sub(1).min(40))
            .min(self.max_interval);
        let next = last_at.saturating_add(wait);
        (next <= created_at.saturating_add(self.horizon)).then_some(next)
    }
}

/// Every webhook, by id, and the pending ones by due time.
#[derive(Default)]
pub(crate) struct Outbox {
    pub(crate) deliveries: HashMap<u64, Delivery>,
    pub(crate) order: Vec<u64>,
    due: BTreeSet<(u64, u64)>,
    next_id: u64,
    /// `order[..tagged]` carry their log position.
    tagged: usize,
}

impl Outbox {
    pub(crate) fn push(
        &mut self,
        waba_id: &WabaId,
        kind: &'static str,
        body: Vec<u8>,
        at: u64,
    ) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.deliveries.insert(
            id,
            Delivery {
                id,
                waba_id: waba_id.clone(),
                kind,
                body: body.into(),
                created_at: at,
                next_attempt_at: Some(at),
                attempts: Vec::new(),
                state: DeliveryState::Pending,
                seq: u64::MAX,
            },
        );
        self.order.push(id);
        self.due.insert((at, id));
        id
    }

    /// Pending deliveries due at `now`, oldest first.
    pub(crate) fn due(&self, now: u64) -> impl Iterator<Item = &Delivery> + '_ {
        self.due
            .range(..=(now, u64::MAX))
            .filter_map(|(_, id)| self.deliveries.get(id))
    }

    /// Tags the deliveries made since the last tag with the log position that makes them
    /// durable.
    pub(crate) fn tag_new(&mut self, seq: u64) {
        for id in self.order[self.tagged..].iter() {
            if let Some(d) = self.deliveries.get_mut(id) {
                d.seq = seq;
            }
        }
        self.tagged = self.order.len();
    }

    /// Whether `id` exists.
    pub(crate) fn contains(&self, id: u64) -> bool {
        self.deliveries.contains_key(&id)
    }

    pub(crate) fn record(&mut self, id: u64, attempt: Attempt, schedule: Schedule) {
        let Some(d) = self.deliveries.get_mut(&id) else {
            return;
        };
        if let Some(due) = d.next_attempt_at.take() {
            self.due.remove(&(due, id));
        }
        let at = attempt.at;
        let delivered = attempt.delivered();
        d.attempts.push(attempt);
        if delivered {
            d.state = DeliveryState::Delivered;
            return;
        }
        if d.state == DeliveryState::Delivered {
            return;
        }
        let failures = d
            .attempts
            .iter()
            .rev()
            .take_while(|a| !a.delivered())
            .count();
        match schedule.next(
            d.created_at,
            at,
            u32::try_from(failures).unwrap_or(u32::MAX),
        ) {
            Some(next) => {
                d.state = DeliveryState::Pending;
                d.next_attempt_at = Some(next);
                self.due.insert((next, id));
            }
            None => d.state = DeliveryState::Dropped,
        }
    }

    /// Queues `id` again at once (manual redelivery), whatever its state.
    pub(crate) fn redeliver(&mut self, id: u64, at: u64) {
        let Some(d) = self.deliveries.get_mut(&id) else {
            return;
        };
        if let Some(due) = d.next_attempt_at.take() {
            self.due.remove(&(due, id));
        }
        d.state = DeliveryState::Pending;
        d.next_attempt_at = Some(at);
        self.due.insert((at, id));
    }
}

/// The envelope around one change value.
fn envelope(waba_id: &WabaId, value: serde_json::Value) -> Vec<u8> {
    let payload = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": value}]}],
    });
    // Serializing a `Value` cannot fail.
    to_vec_ascii(&payload).unwrap_or_default()
}

fn metadata(display_number: &str, phone_number_id: &PhoneNumberId) -> Metadata {
    serde_json::from_value(
        json!({"display_phone_number": display_number, "phone_number_id": phone_number_id}),
    )
    .unwrap_or_else(|_| unreachable!("a metadata object"))
}

pub(crate) fn status_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    status: &Status,
) -> Vec<u8> {
    envelope(
        waba_id,
        json!({"messaging_product": "whatsapp", "metadata": metadata(display, number), "statuses": [status]}),
    )
}

pub(crate) fn message_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    name: &str,
    wa_id: &WaId,
    message: &InboundMessage,
) -> Vec<u8> {
    let contact: Contact =
        serde_json::from_value(json!({"profile": {"name": name}, "wa_id": wa_id}))
            .unwrap_or_else(|_| unreachable!("a contact object"));
    envelope(
        waba_id,
        json!({"messaging_product": "whatsapp", "metadata": metadata(display, number),
               "contacts": [contact], "messages": [message]}),
    )
}

pub(crate) fn errors_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    error: &WebhookError,
) -> Vec<u8> {
    envelope(
        waba_id,
        json!({"messaging_product": "whatsapp", "metadata": metadata(display, number), "errors": [error]}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: Schedule = Schedule {
        base: 1_000,
        max_interval: 60_000,
        horizon: 300_000,
    };

    #[test]
    fn retries_back_off_then_drop_at_the_horizon() {
        let mut o = Outbox::default();
        let id = o.push(&WabaId::new("1"), "statuses", b"{}".to_vec(), 0);
        assert_eq!(o.due(0).count(), 1);
        let mut at = 0;
        let mut waits = Vec::new();
        while o.deliveries[&id].state == DeliveryState::Pending {
            o.record(
                id,
                Attempt::new(at, Some(500), 3, Some("HTTP 500".into())),
                SCHEDULE,
            );
            if let Some(next) = o.deliveries[&id].next_attempt_at {
                waits.push(next - at);
                assert!(o.due(next - 1).next().is_none() && o.due(next).count() == 1);
                at = next;
            }
        }
        assert_eq!(o.deliveries[&id].state, DeliveryState::Dropped);
        assert_eq!(
            &waits[..7],
            &[1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]
        );
        assert!(at <= 300_000);
    }

    #[test]
    fn a_200_delivers_and_redelivery_queues_again() {
        let mut o = Outbox::default();
        let id = o.push(&WabaId::new("1"), "statuses", b"{}".to_vec(), 5);
        o.record(id, Attempt::new(5, Some(200), 1, None), SCHEDULE);
        assert_eq!(o.deliveries[&id].state, DeliveryState::Delivered);
        assert!(o.due(u64::MAX).next().is_none());
        o.redeliver(id, 9);
        assert_eq!(o.due(9).next().map(|d| d.id), Some(id));
    }
}
