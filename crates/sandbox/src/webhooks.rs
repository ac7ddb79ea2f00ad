//! The webhook outbox: every event becomes a Meta-shaped payload, held until delivered, retried
//! on a schedule, every attempt recorded.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_schema::{
    InboundMessage, MessageId, PhoneNumberId, WaId, WabaId, WebhookError, to_vec_ascii,
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
    /// WABAs without a callback: their webhooks wait outside `due`, so scans never meet them.
    parked: std::collections::HashSet<WabaId>,
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
        if !self.parked.contains(waba_id) {
            self.due.insert((at, id));
        }
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
                if !self.parked.contains(&d.waba_id) {
                    self.due.insert((next, id));
                }
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
        if !self.parked.contains(&d.waba_id) {
            self.due.insert((at, id));
        }
    }

    /// Holds a WABA's webhooks (no callback) or releases them (a callback was set).
    pub(crate) fn set_parked(&mut self, waba_id: &WabaId, parked: bool) {
        if parked == self.parked.contains(waba_id) {
            return;
        }
        if parked {
            self.parked.insert(waba_id.clone());
            let deliveries = &self.deliveries;
            self.due
                .retain(|(_, id)| deliveries.get(id).is_none_or(|d| d.waba_id != *waba_id));
        } else {
            self.parked.remove(waba_id);
            for d in self.deliveries.values() {
                if d.waba_id == *waba_id
                    && d.state == DeliveryState::Pending
                    && let Some(at) = d.next_attempt_at
                {
                    self.due.insert((at, d.id));
                }
            }
        }
    }
}

// Webhook bodies are serialized from borrowed structs in Meta's field order: no intermediate
// `serde_json::Value`, so an accepted send allocates little beyond the bytes it queues.

#[derive(Serialize)]
struct Envelope<'a, V> {
    object: &'static str,
    entry: [EntryOut<'a, V>; 1],
}

#[derive(Serialize)]
struct EntryOut<'a, V> {
    id: &'a WabaId,
    changes: [ChangeOut<V>; 1],
}

#[derive(Serialize)]
struct ChangeOut<V> {
    value: V,
    field: &'static str,
}

#[derive(Serialize)]
struct MetadataOut<'a> {
    display_phone_number: &'a str,
    phone_number_id: &'a PhoneNumberId,
}

#[derive(Serialize)]
struct StatusesValue<'a> {
    messaging_product: &'static str,
    metadata: MetadataOut<'a>,
    statuses: [&'a StatusOut<'a>; 1],
}

/// One status, as the engine reports it.
pub(crate) struct StatusOut<'a> {
    pub(crate) id: &'a MessageId,
    pub(crate) status: &'a str,
    /// Unix seconds.
    pub(crate) timestamp: u64,
    pub(crate) recipient_id: &'a WaId,
    pub(crate) biz_opaque_callback_data: Option<&'a str>,
    /// (code, details) of a `failed` status.
    pub(crate) failure: Option<(u32, &'a str)>,
}

impl Serialize for StatusOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("status", self.status)?;
        m.serialize_entry("timestamp", &self.timestamp.to_string())?;
        m.serialize_entry("recipient_id", self.recipient_id)?;
        if let Some(b) = self.biz_opaque_callback_data {
            m.serialize_entry("biz_opaque_callback_data", b)?;
        }
        match self.failure {
            Some((code, details)) => {
                let title = wacart_schema::codes::title(code);
                m.serialize_entry(
                    "errors",
                    &[json!({"code": code, "title": title, "message": title, "error_data": {"details": details}})],
                )?;
            }
            None => m.serialize_entry(
                "pricing",
                &PricingOut {
                    billable: true,
                    pricing_model: "PMP",
                    kind: "free_customer_service",
                    category: "service",
                },
            )?,
        }
        m.end()
    }
}

#[derive(Serialize)]
struct PricingOut {
    billable: bool,
    pricing_model: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    category: &'static str,
}

#[derive(Serialize)]
struct ContactOut<'a> {
    profile: ProfileOut<'a>,
    wa_id: &'a WaId,
}

#[derive(Serialize)]
struct ProfileOut<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct MessagesValue<'a> {
    messaging_product: &'static str,
    metadata: MetadataOut<'a>,
    contacts: [ContactOut<'a>; 1],
    messages: [&'a InboundMessage; 1],
}

#[derive(Serialize)]
struct ErrorsValue<'a> {
    messaging_product: &'static str,
    metadata: MetadataOut<'a>,
    errors: [&'a WebhookError; 1],
}

fn envelope<V: Serialize>(waba_id: &WabaId, value: V) -> Vec<u8> {
    let payload = Envelope {
        object: "whatsapp_business_account",
        entry: [EntryOut {
            id: waba_id,
            changes: [ChangeOut {
                value,
                field: "messages",
            }],
        }],
    };
    // Strings, numbers and maps with string keys: serialization cannot fail.
    to_vec_ascii(&payload).unwrap_or_default()
}

pub(crate) fn status_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    status: &StatusOut<'_>,
) -> Vec<u8> {
    let metadata = MetadataOut {
        display_phone_number: display,
        phone_number_id: number,
    };
    envelope(
        waba_id,
        StatusesValue {
            messaging_product: "whatsapp",
            metadata,
            statuses: [status],
        },
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
    let metadata = MetadataOut {
        display_phone_number: display,
        phone_number_id: number,
    };
    let contacts = [ContactOut {
        profile: ProfileOut { name },
        wa_id,
    }];
    envelope(
        waba_id,
        MessagesValue {
            messaging_product: "whatsapp",
            metadata,
            contacts,
            messages: [message],
        },
    )
}

pub(crate) fn errors_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    error: &WebhookError,
) -> Vec<u8> {
    let metadata = MetadataOut {
        display_phone_number: display,
        phone_number_id: number,
    };
    envelope(
        waba_id,
        ErrorsValue {
            messaging_product: "whatsapp",
            metadata,
            errors: [error],
        },
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
    fn parked_webhooks_wait_outside_the_due_set_until_released() {
        let mut o = Outbox::default();
        let (a, b) = (WabaId::new("a"), WabaId::new("b"));
        o.set_parked(&a, true);
        let held = o.push(&a, "statuses", b"{}".to_vec(), 1);
        let free = o.push(&b, "statuses", b"{}".to_vec(), 2);
        assert_eq!(o.due(10).map(|d| d.id).collect::<Vec<_>>(), [free]);
        o.set_parked(&a, false);
        assert_eq!(o.due(10).map(|d| d.id).collect::<Vec<_>>(), [held, free]);
        o.set_parked(&b, true);
        assert_eq!(o.due(10).map(|d| d.id).collect::<Vec<_>>(), [held]);
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
