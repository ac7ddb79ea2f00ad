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

/// A webhook as the engine makes it: pending, due at once, no attempt yet.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct NewWebhook {
    /// Stable id.
    pub id: u64,
    /// The WABA whose app receives it.
    pub waba_id: WabaId,
    /// What it is about (`statuses`, `messages`, `errors`).
    pub kind: &'static str,
    /// When it was made, and first due (ms).
    pub created_at: u64,
    /// A provider's callback target; `None`: the WABA app's callback.
    pub target: Option<crate::callbacks::Target>,
    /// Its body.
    pub body: WebhookBody,
}

/// A new webhook's body: its bytes, or a status to render when it is read.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum WebhookBody {
    /// The exact bytes.
    Bytes(std::sync::Arc<[u8]>),
    /// A status webhook, kept as what it is made of (see [`StatusSpec`]).
    Status(Box<StatusSpec>),
}

impl WebhookBody {
    /// The exact bytes to sign and send.
    pub fn render(&self) -> std::sync::Arc<[u8]> {
        match self {
            WebhookBody::Bytes(b) => b.clone(),
            WebhookBody::Status(spec) => spec.render().into(),
        }
    }
}

impl NewWebhook {
    /// The webhook as a [`Delivery`], its body rendered.
    pub fn delivery(&self) -> Delivery {
        Delivery {
            id: self.id,
            waba_id: self.waba_id.clone(),
            kind: self.kind,
            body: self.body.render(),
            created_at: self.created_at,
            next_attempt_at: Some(self.created_at),
            attempts: Vec::new(),
            state: DeliveryState::Pending,
            target: self.target.clone(),
        }
    }
}

/// What a status webhook is made of, owned. Two of them follow every send, so the store keeps
/// this (less than half the body's size, encoded without rendering it) and renders the body when the
/// webhook is read: rendering is a pure function of it, so every read, attempt and signature
/// sees the same bytes. The short field names are its stored form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSpec {
    #[serde(rename = "w")]
    pub(crate) waba_id: WabaId,
    #[serde(rename = "d")]
    pub(crate) display: String,
    #[serde(rename = "n")]
    pub(crate) number: PhoneNumberId,
    /// Left out on `failed` statuses, as Meta does.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub(crate) contact: Option<ContactSpec>,
    #[serde(rename = "i")]
    pub(crate) id: MessageId,
    #[serde(rename = "s")]
    pub(crate) status: String,
    /// Unix seconds.
    #[serde(rename = "t")]
    pub(crate) timestamp: u64,
    /// The recipient's number and BSUID, left out (`None`) when they are the contact's: see
    /// `recipient_is_contact`.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub(crate) recipient_id: Option<WaId>,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub(crate) recipient_user_id: Option<UserId>,
    /// The recipient is the contact (its number and BSUID, absent ones included): the usual
    /// case, stored as one flag rather than the two ids again.
    #[serde(rename = "=", default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) recipient_is_contact: bool,
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub(crate) biz_opaque_callback_data: Option<String>,
    /// The error code of a `failed` status.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<u32>,
    /// A template message's (`billable`, `type`, `category`).
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub(crate) pricing: Option<(bool, String, String)>,
}

/// The customer as a status webhook shows them (see [`Who`]), owned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContactSpec {
    #[serde(rename = "n")]
    pub(crate) name: String,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    pub(crate) wa_id: Option<WaId>,
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_id: Option<UserId>,
}

impl From<Who<'_>> for ContactSpec {
    fn from(who: Who<'_>) -> Self {
        ContactSpec {
            name: who.name.to_owned(),
            username: who.username.map(str::to_owned),
            wa_id: who.wa_id.cloned(),
            user_id: who.user_id.cloned(),
        }
    }
}

impl ContactSpec {
    fn who(&self) -> Who<'_> {
        Who {
            name: &self.name,
            username: self.username.as_deref(),
            wa_id: self.wa_id.as_ref(),
            user_id: self.user_id.as_ref(),
        }
    }
}

/// The `details` of a failed status's error.
pub(crate) fn failure_details(code: u32) -> &'static str {
    match code {
        wacart_schema::codes::REENGAGEMENT_MESSAGE => {
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
        }
        _ => "Message failed to send because the recipient's WhatsApp version cannot display it.",
    }
}

impl StatusSpec {
    /// Sets the recipient: as the contact when its ids are the contact's.
    pub(crate) fn with_recipient(mut self, wa_id: Option<WaId>, user_id: Option<UserId>) -> Self {
        let same = self
            .contact
            .as_ref()
            .is_some_and(|c| c.wa_id == wa_id && c.user_id == user_id);
        if same {
            self.recipient_is_contact = true;
        } else {
            self.recipient_id = wa_id;
            self.recipient_user_id = user_id;
        }
        self
    }

    /// The recipient's number and BSUID.
    fn recipient(&self) -> (Option<&WaId>, Option<&UserId>) {
        match &self.contact {
            Some(c) if self.recipient_is_contact => (c.wa_id.as_ref(), c.user_id.as_ref()),
            _ => (self.recipient_id.as_ref(), self.recipient_user_id.as_ref()),
        }
    }

    /// The webhook's body: always the same bytes for the same spec.
    pub fn render(&self) -> Vec<u8> {
        let (recipient_id, recipient_user_id) = self.recipient();
        let status = StatusOut {
            id: &self.id,
            status: &self.status,
            timestamp: self.timestamp,
            recipient_id,
            recipient_user_id,
            biz_opaque_callback_data: self.biz_opaque_callback_data.as_deref(),
            failure: self.failure.map(|code| (code, failure_details(code))),
            pricing: self
                .pricing
                .as_ref()
                .map(|(billable, kind, category)| (*billable, kind.as_str(), category.as_str())),
        };
        status_body(
            &self.waba_id,
            &self.display,
            &self.number,
            self.contact.as_ref().map(ContactSpec::who),
            &status,
        )
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        // Strings, numbers and options: encoding cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads the stored form back.
    ///
    /// # Errors
    /// When the bytes are not a stored status.
    pub fn decode(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
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
    pub(crate) pricing: Option<(bool, &'a str, &'a str)>,
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
struct PricingOut<'a> {
    billable: bool,
    pricing_model: &'static str,
    #[serde(rename = "type")]
    kind: &'a str,
    category: &'a str,
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

    fn spec(failure: Option<u32>) -> StatusSpec {
        StatusSpec {
            waba_id: WabaId::new("200000000000001"),
            display: "+1 555-000-1111".into(),
            number: PhoneNumberId::new("100000000000001"),
            contact: failure.is_none().then(|| ContactSpec {
                name: "Zoë".into(),
                username: Some("@zoe".into()),
                wa_id: None,
                user_id: Some(UserId::new("US.13491208655302741918")),
            }),
            id: MessageId::new("wamid.HBgL000000000042V2FjYXJ0U2FuZGJveA"),
            status: if failure.is_some() {
                "failed"
            } else {
                "delivered"
            }
            .into(),
            timestamp: 1_750_000_001,
            recipient_id: Some(WaId::new("15551230001")),
            recipient_user_id: Some(UserId::new("US.13491208655302741918")),
            recipient_is_contact: false,
            biz_opaque_callback_data: Some("order-7 \"ü\"".into()),
            failure,
            pricing: Some((true, "regular".into(), "marketing".into())),
        }
    }

    #[test]
    fn a_recipient_who_is_the_contact_is_stored_as_a_flag_and_older_rows_render_the_same() {
        let mut base = spec(None);
        base.recipient_id = None;
        base.recipient_user_id = None;
        let contact = base.contact.clone().unwrap();
        let (wa_id, user_id) = (contact.wa_id.clone(), contact.user_id.clone());
        let spec = base.clone().with_recipient(wa_id.clone(), user_id.clone());
        assert!(spec.recipient_is_contact);
        let stored = spec.encode();
        let fields: serde_json::Value = serde_json::from_slice(&stored).unwrap();
        assert_eq!(fields["="], true, "{fields}");
        assert!(
            fields.get("r").is_none() && fields.get("u").is_none(),
            "{fields}"
        );
        assert_eq!(StatusSpec::decode(&stored).unwrap(), spec);

        // What a wacart before the flag stored: the two ids spelled out.
        let mut older = base.clone();
        older.recipient_id = wa_id;
        older.recipient_user_id = user_id;
        let older = StatusSpec::decode(&older.encode()).unwrap();
        assert!(!older.recipient_is_contact);
        assert_eq!(older.render(), spec.render());
        let body: serde_json::Value = serde_json::from_slice(&spec.render()).unwrap();
        let status = &body["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(status["recipient_user_id"], "US.13491208655302741918");

        // Another recipient than the contact keeps its ids.
        let other = base.with_recipient(Some(WaId::new("15551230009")), None);
        assert!(!other.recipient_is_contact);
        let body: serde_json::Value = serde_json::from_slice(&other.render()).unwrap();
        let status = &body["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(status["recipient_id"], "15551230009");
        assert!(status.get("recipient_user_id").is_none());
    }

    #[test]
    fn a_stored_status_reads_back_as_the_same_spec_and_renders_the_same_bytes() {
        for failure in [None, Some(wacart_schema::codes::REENGAGEMENT_MESSAGE)] {
            let spec = spec(failure);
            let stored = spec.encode();
            let read = StatusSpec::decode(&stored).unwrap();
            assert_eq!(read, spec);
            let body = spec.render();
            assert_eq!(read.render(), body);
            // What the store keeps is a fraction of what it sends.
            assert!(
                stored.len() * 2 < body.len(),
                "{} vs {}",
                stored.len(),
                body.len()
            );
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let value = &v["entry"][0]["changes"][0]["value"];
            let status = &value["statuses"][0];
            assert_eq!(status["biz_opaque_callback_data"], "order-7 \"ü\"");
            assert!(body.is_ascii(), "non-ASCII is escaped, as Meta does");
            match failure {
                None => {
                    assert_eq!(value["contacts"][0]["profile"]["username"], "@zoe");
                    assert_eq!(status["pricing"]["category"], "marketing");
                }
                Some(code) => {
                    assert!(value.get("contacts").is_none());
                    assert_eq!(status["errors"][0]["code"], code);
                    assert_eq!(
                        status["errors"][0]["error_data"]["details"],
                        failure_details(code)
                    );
                }
            }
        }
        assert!(StatusSpec::decode(b"{\"w\":1}").is_err());
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
