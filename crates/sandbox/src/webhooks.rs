//! The webhook outbox: every event becomes a Meta-shaped payload, held until delivered, retried
//! on a schedule, every attempt recorded.

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_schema::{
    InboundMessage, MessageId, PhoneNumberId, UserId, WaId, WabaId, WebhookError, to_vec_ascii,
};

/// Where Meta's webhook errors point (`href`, relative to developers.facebook.com).
pub(crate) const ERROR_CODES_HREF: &str =
    "/documentation/business-messaging/whatsapp/support/error-codes";

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
    /// Where a provider's callback goes (a Kaleyra callback profile's method, URL and headers);
    /// `None`: the WABA app's callback, signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<crate::callbacks::Target>,
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

/// What an attempt makes of a delivery: its next state and, while pending, when the next attempt
/// is due. A webhook delivered once stays delivered (a redelivery in flight that fails does not
/// undo it).
pub(crate) fn after_attempt(
    d: &Delivery,
    attempt: &Attempt,
    schedule: Schedule,
) -> (DeliveryState, Option<u64>) {
    if attempt.delivered() || d.state == DeliveryState::Delivered {
        return (DeliveryState::Delivered, None);
    }
    let failures = 1 + d
        .attempts
        .iter()
        .rev()
        .take_while(|a| !a.delivered())
        .count();
    match schedule.next(
        d.created_at,
        attempt.at,
        u32::try_from(failures).unwrap_or(u32::MAX),
    ) {
        Some(next) => (DeliveryState::Pending, Some(next)),
        None => (DeliveryState::Dropped, None),
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
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts: Option<[ContactOut<'a>; 1]>,
    statuses: [&'a StatusOut<'a>; 1],
}

/// The customer as Meta shows them to this business: name, username, and the phone number only
/// where Meta shares it; the BSUID always.
#[derive(Clone, Copy)]
pub(crate) struct Who<'a> {
    pub(crate) name: &'a str,
    pub(crate) username: Option<&'a str>,
    pub(crate) wa_id: Option<&'a WaId>,
    pub(crate) user_id: Option<&'a UserId>,
}

impl<'a> Who<'a> {
    fn contact(self) -> ContactOut<'a> {
        ContactOut {
            profile: ProfileOut {
                name: self.name,
                username: self.username,
            },
            wa_id: self.wa_id,
            user_id: self.user_id,
        }
    }
}

/// One status, as the engine reports it.
pub(crate) struct StatusOut<'a> {
    pub(crate) id: &'a MessageId,
    pub(crate) status: &'a str,
    /// Unix seconds.
    pub(crate) timestamp: u64,
    /// The phone number: when the message went to it, or Meta shares it.
    pub(crate) recipient_id: Option<&'a WaId>,
    /// The BSUID: always, but on a `failed` status of a message sent to a phone number.
    pub(crate) recipient_user_id: Option<&'a UserId>,
    pub(crate) biz_opaque_callback_data: Option<&'a str>,
    /// (code, details) of a `failed` status.
    pub(crate) failure: Option<(u32, &'a str)>,
    /// A template message's (`billable`, `type`, `category`); free service otherwise.
    pub(crate) pricing: Option<(bool, &'static str, &'static str)>,
}

impl Serialize for StatusOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("status", self.status)?;
        m.serialize_entry("timestamp", &self.timestamp.to_string())?;
        if let Some(r) = self.recipient_id {
            m.serialize_entry("recipient_id", r)?;
        }
        if let Some(u) = self.recipient_user_id {
            m.serialize_entry("recipient_user_id", u)?;
        }
        if let Some(b) = self.biz_opaque_callback_data {
            m.serialize_entry("biz_opaque_callback_data", b)?;
        }
        match self.failure {
            Some((code, details)) => {
                let title = wacart_schema::codes::title(code);
                m.serialize_entry(
                    "errors",
                    &[json!({"code": code, "title": title, "message": title, "error_data": {"details": details}, "href": ERROR_CODES_HREF})],
                )?;
            }
            None => {
                let (billable, kind, category) =
                    self.pricing
                        .unwrap_or((true, "free_customer_service", "service"));
                m.serialize_entry(
                    "pricing",
                    &PricingOut {
                        billable,
                        pricing_model: "PMP",
                        kind,
                        category,
                    },
                )?;
            }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    wa_id: Option<&'a WaId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a UserId>,
}

#[derive(Serialize)]
struct ProfileOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
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

/// A status webhook; `contact` is left out on `failed` statuses, as Meta does.
pub(crate) fn status_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    contact: Option<Who<'_>>,
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
            contacts: contact.map(|w| [w.contact()]),
            statuses: [status],
        },
    )
}

pub(crate) fn message_body(
    waba_id: &WabaId,
    display: &str,
    number: &PhoneNumberId,
    who: Who<'_>,
    message: &InboundMessage,
) -> Vec<u8> {
    let metadata = MetadataOut {
        display_phone_number: display,
        phone_number_id: number,
    };
    let contacts = [who.contact()];
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

    fn delivery() -> Delivery {
        Delivery {
            id: 1,
            waba_id: WabaId::new("1"),
            kind: "statuses",
            body: b"{}".to_vec().into(),
            created_at: 0,
            next_attempt_at: Some(0),
            attempts: Vec::new(),
            state: DeliveryState::Pending,
            target: None,
        }
    }

    fn fail(at: u64) -> Attempt {
        Attempt::new(at, Some(500), 1, Some("HTTP 500".into()))
    }

    #[test]
    fn retries_back_off_then_drop_at_the_horizon() {
        let mut d = delivery();
        let mut at = 0;
        let mut waits = Vec::new();
        loop {
            let attempt = fail(at);
            let (state, next) = after_attempt(&d, &attempt, SCHEDULE);
            d.attempts.push(attempt);
            d.state = state;
            match next {
                Some(n) => {
                    waits.push(n - at);
                    at = n;
                }
                None => break,
            }
        }
        assert_eq!(
            &waits[..7],
            &[1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]
        );
        assert_eq!(d.state, DeliveryState::Dropped);
        assert!(at <= 300_000, "no attempt past the horizon");
    }

    #[test]
    fn a_200_delivers_and_a_failed_redelivery_does_not_undo_it() {
        let mut d = delivery();
        let ok = Attempt::new(5, Some(200), 1, None);
        assert_eq!(
            after_attempt(&d, &ok, SCHEDULE),
            (DeliveryState::Delivered, None)
        );
        d.attempts.push(ok);
        d.state = DeliveryState::Delivered;
        assert_eq!(
            after_attempt(&d, &fail(10), SCHEDULE),
            (DeliveryState::Delivered, None)
        );
    }

    #[test]
    fn failures_count_from_the_last_success() {
        let mut d = delivery();
        d.attempts = vec![
            fail(0),
            fail(1_000),
            Attempt::new(3_000, Some(200), 1, None),
        ];
        d.state = DeliveryState::Pending; // redelivered by hand
        assert_eq!(
            after_attempt(&d, &fail(10_000), SCHEDULE),
            (DeliveryState::Pending, Some(11_000))
        );
    }
}
