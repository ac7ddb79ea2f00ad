//! Webhooks: what WhatsApp POSTs to the business's callback (spec §4).
//!
//! Every object keeps the fields this version does not know in `extra`, and every message of an
//! unknown type in [`InboundContent::Other`]: a new field or type from Meta never breaks parsing.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{CatalogId, MessageId, PhoneNumberId, RetailerId, UserId, WaId};
use crate::money::Price;
use crate::response::ErrorDetails;
use crate::wire::{Key, wire_enum, wire_struct};

wire_struct! {
    /// The body of one webhook POST.
    pub struct WebhookPayload {
        /// `whatsapp_business_account`.
        object: req String = "object",
        /// One entry per WABA.
        entry: vec Entry = "entry",
    }
}

wire_struct! {
    /// One WABA's changes.
    pub struct Entry {
        /// The WABA id.
        id: req String = "id",
        /// The changes.
        changes: vec Change = "changes",
    }
}

wire_struct! {
    /// One change: `field` says what `value` is about (`messages` here).
    pub struct Change {
        /// `messages` for everything of this crate.
        field: req String = "field",
        /// The payload.
        value: req ChangeValue = "value",
    }
}

wire_struct! {
    /// `value` of a `messages` change: inbound messages, statuses, or errors.
    pub struct ChangeValue {
        /// `whatsapp`.
        messaging_product: opt String = "messaging_product",
        /// The business number the change concerns.
        metadata: opt Metadata = "metadata",
        /// The customers of `messages`.
        contacts: vec Contact = "contacts",
        /// Inbound messages.
        messages: vec InboundMessage = "messages",
        /// Status changes of outbound messages.
        statuses: vec Status = "statuses",
        /// Errors not tied to a message (e.g. products dropped from a product list).
        errors: vec WebhookError = "errors",
    }
}

wire_struct! {
    /// `metadata`: the business number.
    pub struct Metadata {
        /// The number as digits.
        display_phone_number: req String = "display_phone_number",
        /// Its Cloud API id.
        phone_number_id: req PhoneNumberId = "phone_number_id",
    }
}

wire_struct! {
    /// `contacts[]`: who wrote, or who a status is about.
    pub struct Contact {
        /// The customer's profile.
        profile: opt Profile = "profile",
        /// The customer's phone number; left out when they use a username and the business has
        /// not reached them by phone in the last 30 days.
        wa_id: opt WaId = "wa_id",
        /// The customer's business-scoped user id (BSUID); in every webhook since April 2026.
        user_id: opt UserId = "user_id",
        /// The parent BSUID, when the business has parent BSUIDs enabled.
        parent_user_id: opt UserId = "parent_user_id",
    }
}

wire_struct! {
    /// `contacts[].profile`.
    pub struct Profile {
        /// The customer's display name.
        name: opt String = "name",
        /// The customer's username, when they have one (not on `sent` statuses).
        username: opt String = "username",
    }
}

/// A webhook timestamp: Unix seconds, written as a **string** on the wire (integers accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Unix seconds as a string of digits")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v).map(Timestamp).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse()
                    .map(Timestamp)
                    .map_err(|_| E::custom(format!("bad timestamp {v:?}")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// One inbound message. Its `type` selects [`InboundContent`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The customer's phone number; left out when Meta does not share it (see [`Contact`]).
    pub from: Option<WaId>,
    /// The customer's business-scoped user id (BSUID).
    pub from_user_id: Option<UserId>,
    /// The message id; for an order, the order's id.
    pub id: MessageId,
    /// When it was sent.
    pub timestamp: Timestamp,
    /// The message replied to, the product asked about, or forwarding flags.
    pub context: Option<MessageContext>,
    /// What the message holds.
    pub content: InboundContent,
    /// `errors` (unsupported messages carry 131051 here).
    pub errors: Vec<WebhookError>,
    /// Fields this version does not know, kept as they came.
    pub extra: Map<String, Value>,
}

/// What an inbound message holds.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum InboundContent {
    /// `type: "text"`.
    Text(InboundText),
    /// `type: "order"`: the customer sent a cart.
    Order(Order),
    /// `type: "interactive"`: a tap on a reply button or a list row.
    Interactive(InteractiveReply),
    /// `type: "reaction"`: an emoji on a message (an empty one removes it).
    Reaction(Reaction),
    /// `type: "image"`: a photo, to fetch with the media API.
    Image(InboundMedia),
    /// `type: "location"`: a shared location.
    Location(Location),
    /// `type: "unsupported"`: WhatsApp could not show it; see `errors`.
    Unsupported,
    /// Any other type, with the object under its name (`Null` when absent).
    Other {
        /// The value of `type`.
        kind: String,
        /// The object named by `type`.
        body: Value,
    },
}

impl InboundContent {
    /// The wire value of `type`.
    pub fn kind(&self) -> &str {
        match self {
            InboundContent::Text(_) => "text",
            InboundContent::Order(_) => "order",
            InboundContent::Interactive(_) => "interactive",
            InboundContent::Reaction(_) => "reaction",
            InboundContent::Image(_) => "image",
            InboundContent::Location(_) => "location",
            InboundContent::Unsupported => "unsupported",
            InboundContent::Other { kind, .. } => kind,
        }
    }
}

wire_struct! {
    /// `text` of an inbound text message.
    pub struct InboundText {
        /// What the customer wrote.
        body: req String = "body",
    }
}

wire_struct! {
    /// `interactive` of an inbound message: which button or row the customer tapped.
    pub struct InteractiveReply {
        /// `button_reply` or `list_reply`.
        kind: req String = "type",
        /// The reply button tapped.
        button_reply: opt ReplyChoice = "button_reply",
        /// The list row chosen.
        list_reply: opt ReplyChoice = "list_reply",
    }
}

wire_struct! {
    /// A button or list row, as the business defined it.
    pub struct ReplyChoice {
        /// The id the business gave it.
        id: req String = "id",
        /// Its title.
        title: req String = "title",
        /// A list row's description.
        description: opt String = "description",
    }
}

wire_struct! {
    /// `reaction` of an inbound message.
    pub struct Reaction {
        /// The message reacted to.
        message_id: req MessageId = "message_id",
        /// The emoji; absent or empty when the customer removed their reaction.
        emoji: opt String = "emoji",
    }
}

wire_struct! {
    /// `image` (and other media) of an inbound message.
    pub struct InboundMedia {
        /// The media id, for `GET /{version}/{media_id}`.
        id: req String = "id",
        /// `image/jpeg`.
        mime_type: opt String = "mime_type",
        /// SHA-256 of the file, hex.
        sha256: opt String = "sha256",
        /// The customer's caption.
        caption: opt String = "caption",
    }
}

wire_struct! {
    /// `location` of an inbound message.
    pub struct Location {
        /// Degrees.
        latitude: req f64 = "latitude",
        /// Degrees.
        longitude: req f64 = "longitude",
        /// The place's name.
        name: opt String = "name",
        /// Its address.
        address: opt String = "address",
    }
}

wire_struct! {
    /// `context` of an inbound message.
    pub struct MessageContext {
        /// The business number the referred message came from.
        from: opt String = "from",
        /// The message referred to.
        id: opt MessageId = "id",
        /// The product a product inquiry is about.
        referred_product: opt ReferredProduct = "referred_product",
        /// Forwarded by the customer.
        forwarded: opt bool = "forwarded",
        /// Forwarded many times.
        frequently_forwarded: opt bool = "frequently_forwarded",
    }
}

wire_struct! {
    /// `context.referred_product` of a product inquiry.
    pub struct ReferredProduct {
        /// The catalog.
        catalog_id: req CatalogId = "catalog_id",
        /// The product.
        product_retailer_id: req RetailerId = "product_retailer_id",
    }
}

wire_struct! {
    /// `order` of an order message: the cart the customer sent.
    pub struct Order {
        /// The catalog the items come from.
        catalog_id: req CatalogId = "catalog_id",
        /// What the customer wrote with the cart (may be empty).
        text: opt String = "text",
        /// The items.
        product_items: vec OrderItem = "product_items",
    }
}

wire_struct! {
    /// One line of an order.
    pub struct OrderItem {
        /// The product.
        product_retailer_id: req RetailerId = "product_retailer_id",
        /// Units, 1..=99.
        quantity: req u32 = "quantity",
        /// Unit price in major units, exact (`12.99`).
        item_price: req Price = "item_price",
        /// ISO 4217 code.
        currency: req String = "currency",
    }
}

wire_struct! {
    /// A status change of an outbound message.
    pub struct Status {
        /// The outbound message.
        id: req MessageId = "id",
        /// `sent`, `delivered`, `read`, `failed`.
        status: req StatusKind = "status",
        /// When.
        timestamp: req Timestamp = "timestamp",
        /// The customer's phone number; left out when the message went to their BSUID and
        /// Meta does not share their number.
        recipient_id: opt WaId = "recipient_id",
        /// The customer's BSUID (not on a `failed` status of a message sent to a phone number).
        recipient_user_id: opt UserId = "recipient_user_id",
        /// Echo of the send's `biz_opaque_callback_data`.
        biz_opaque_callback_data: opt String = "biz_opaque_callback_data",
        /// Conversation details (older pricing), kept as JSON.
        conversation: opt Value = "conversation",
        /// Pricing; absent on `failed`.
        pricing: opt Pricing = "pricing",
        /// Why it failed.
        errors: vec WebhookError = "errors",
    }
}

wire_enum! {
    /// `statuses[].status`. Receivers treat statuses as monotone and idempotent.
    pub enum StatusKind {
        /// Sent to WhatsApp's servers.
        Sent = "sent",
        /// Reached a device.
        Delivered = "delivered",
        /// Opened.
        Read = "read",
        /// Failed; see `errors`.
        Failed = "failed",
    }
}

wire_struct! {
    /// `statuses[].pricing`.
    pub struct Pricing {
        /// Whether the message is billed.
        billable: opt bool = "billable",
        /// `PMP` (per message) or `CBP`.
        pricing_model: opt String = "pricing_model",
        /// e.g. `free_customer_service`.
        kind: opt String = "type",
        /// e.g. `service`.
        category: opt String = "category",
    }
}

wire_struct! {
    /// An error in a webhook: on a status, a message, or `value.errors`.
    pub struct WebhookError {
        /// The Graph code.
        code: req u32 = "code",
        /// Short title.
        title: opt String = "title",
        /// Message.
        message: opt String = "message",
        /// `{"details": "..."}`.
        error_data: opt ErrorDetails = "error_data",
        /// Link to the docs.
        href: opt String = "href",
    }
}

impl Serialize for InboundMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let Some(from) = &self.from {
            map.serialize_entry("from", from)?;
        }
        if let Some(user) = &self.from_user_id {
            map.serialize_entry("from_user_id", user)?;
        }
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("timestamp", &self.timestamp)?;
        if let Some(c) = &self.context {
            map.serialize_entry("context", c)?;
        }
        map.serialize_entry("type", self.content.kind())?;
        match &self.content {
            InboundContent::Text(t) => map.serialize_entry("text", t)?,
            InboundContent::Order(o) => map.serialize_entry("order", o)?,
            InboundContent::Interactive(i) => map.serialize_entry("interactive", i)?,
            InboundContent::Reaction(r) => map.serialize_entry("reaction", r)?,
            InboundContent::Image(i) => map.serialize_entry("image", i)?,
            InboundContent::Location(l) => map.serialize_entry("location", l)?,
            InboundContent::Unsupported => {}
            InboundContent::Other { kind, body } => {
                if !body.is_null() {
                    map.serialize_entry(kind.as_str(), body)?;
                }
            }
        }
        if !self.errors.is_empty() {
            map.serialize_entry("errors", &self.errors)?;
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for InboundMessage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = InboundMessage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an inbound message object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<InboundMessage, A::Error> {
                use serde::de::Error;
                let (mut from, mut from_user_id, mut id, mut timestamp, mut kind) =
                    (None, None, None, None, None::<String>);
                let (mut context, mut text, mut order, mut errors) = (None, None, None, None);
                let mut extra = Map::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.as_str() {
                        "from" => from = Some(map.next_value()?),
                        "from_user_id" => from_user_id = Some(map.next_value()?),
                        "id" => id = Some(map.next_value()?),
                        "timestamp" => timestamp = Some(map.next_value()?),
                        "type" => kind = Some(map.next_value()?),
                        "context" => context = Some(map.next_value()?),
                        "text" => text = Some(map.next_value::<InboundText>()?),
                        "order" => order = Some(map.next_value::<Order>()?),
                        "errors" => errors = Some(map.next_value()?),
                        other => {
                            let value = map.next_value()?;
                            extra.insert(other.to_owned(), value);
                        }
                    }
                }
                let kind = kind.ok_or_else(|| A::Error::missing_field("type"))?;
                let mut typed_body = match kind.as_str() {
                    "interactive" | "reaction" | "image" | "location" => Some(
                        extra
                            .remove(kind.as_str())
                            .ok_or_else(|| A::Error::missing_field("the object named by type"))?,
                    ),
                    _ => None,
                };
                let mut keep =
                    |key: &str, v: Result<Value, serde_json::Error>| -> Result<(), A::Error> {
                        extra.insert(key.to_owned(), v.map_err(A::Error::custom)?);
                        Ok(())
                    };
                let content = match kind.as_str() {
                    "text" => InboundContent::Text(
                        text.take().ok_or_else(|| A::Error::missing_field("text"))?,
                    ),
                    "order" => InboundContent::Order(
                        order
                            .take()
                            .ok_or_else(|| A::Error::missing_field("order"))?,
                    ),
                    "unsupported" => InboundContent::Unsupported,
                    "interactive" | "reaction" | "image" | "location" => {
                        let body = typed_body.take().unwrap_or(Value::Null);
                        let typed = |v: Value| -> Result<InboundContent, serde_json::Error> {
                            Ok(match kind.as_str() {
                                "interactive" => {
                                    InboundContent::Interactive(serde_json::from_value(v)?)
                                }
                                "reaction" => InboundContent::Reaction(serde_json::from_value(v)?),
                                "image" => InboundContent::Image(serde_json::from_value(v)?),
                                _ => InboundContent::Location(serde_json::from_value(v)?),
                            })
                        };
                        typed(body).map_err(A::Error::custom)?
                    }
                    _ => InboundContent::Other {
                        kind: String::new(),
                        body: Value::Null,
                    },
                };
                // Objects that do not belong to the type are kept, not dropped.
                if let Some(t) = text {
                    keep("text", serde_json::to_value(t))?;
                }
                if let Some(o) = order {
                    keep("order", serde_json::to_value(o))?;
                }
                let content = match content {
                    InboundContent::Other { .. } => {
                        let body = extra.remove(&kind).unwrap_or(Value::Null);
                        InboundContent::Other { kind, body }
                    }
                    known => known,
                };
                if from.is_none() && from_user_id.is_none() {
                    return Err(A::Error::missing_field("from"));
                }
                Ok(InboundMessage {
                    from,
                    from_user_id,
                    id: id.ok_or_else(|| A::Error::missing_field("id"))?,
                    timestamp: timestamp.ok_or_else(|| A::Error::missing_field("timestamp"))?,
                    context,
                    content,
                    errors: errors.unwrap_or_default(),
                    extra,
                })
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// One thing a webhook tells, with the number and customer it concerns.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An inbound message (an order is one, with [`InboundContent::Order`]).
    Message {
        /// The business number.
        metadata: Option<&'a Metadata>,
        /// The customer's contact entry, matched by `wa_id`.
        contact: Option<&'a Contact>,
        /// The message.
        message: &'a InboundMessage,
    },
    /// A status of an outbound message.
    Status {
        /// The business number.
        metadata: Option<&'a Metadata>,
        /// The status.
        status: &'a Status,
    },
    /// An error not tied to a message.
    Error {
        /// The business number.
        metadata: Option<&'a Metadata>,
        /// The error.
        error: &'a WebhookError,
    },
}

impl WebhookPayload {
    /// Every event of the payload, in order: entries, their changes, then each change's
    /// messages, statuses and errors.
    pub fn events(&self) -> impl Iterator<Item = Event<'_>> + '_ {
        self.entry
            .iter()
            .flat_map(|e| e.changes.iter())
            .flat_map(|c| {
                let v = &c.value;
                let md = v.metadata.as_ref();
                let messages = v.messages.iter().map(move |m| Event::Message {
                    metadata: md,
                    contact: v.contacts.iter().find(|c| {
                        (m.from.is_some() && c.wa_id == m.from)
                            || (m.from_user_id.is_some() && c.user_id == m.from_user_id)
                    }),
                    message: m,
                });
                let statuses = v.statuses.iter().map(move |s| Event::Status {
                    metadata: md,
                    status: s,
                });
                let errors = v.errors.iter().map(move |e| Event::Error {
                    metadata: md,
                    error: e,
                });
                messages.chain(statuses).chain(errors)
            })
    }
}

impl Order {
    /// An order as WhatsApp sends it when a customer sends a cart.
    pub fn new(
        catalog_id: CatalogId,
        text: impl Into<String>,
        product_items: Vec<OrderItem>,
    ) -> Self {
        Order {
            catalog_id,
            text: Some(text.into()),
            product_items,
            extra: Map::new(),
        }
    }
}

impl OrderItem {
    /// One line of an order: `quantity` units at `item_price` each.
    pub fn new(
        product_retailer_id: RetailerId,
        quantity: u32,
        item_price: Price,
        currency: impl Into<String>,
    ) -> Self {
        OrderItem {
            product_retailer_id,
            quantity,
            item_price,
            currency: currency.into(),
            extra: Map::new(),
        }
    }
}

impl MessageContext {
    /// The context of a message sent from an earlier one (an order from a product message).
    pub fn from_message(from: impl Into<String>, id: MessageId) -> Self {
        MessageContext {
            from: Some(from.into()),
            id: Some(id),
            referred_product: None,
            forwarded: None,
            frequently_forwarded: None,
            extra: Map::new(),
        }
    }
}

impl InboundMessage {
    /// An inbound message with this content and no context or errors.
    pub fn new(from: WaId, id: MessageId, timestamp: Timestamp, content: InboundContent) -> Self {
        InboundMessage {
            from: Some(from),
            from_user_id: None,
            id,
            timestamp,
            context: None,
            content,
            errors: Vec::new(),
            extra: Map::new(),
        }
    }
}
