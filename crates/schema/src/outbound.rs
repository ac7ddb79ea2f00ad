//! Outbound messages: what a business sends to `POST /{version}/{phone_number_id}/messages`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{CatalogId, MessageId, Recipient, RetailerId, UserId};
use crate::wire::wire_enum;

/// One outbound message: the envelope and its content.
///
/// `messaging_product` is always `"whatsapp"`: it is written on serialization and not stored.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OutboundMessage {
    /// `individual` (the default when absent) or `group`.
    pub recipient_type: Option<RecipientType>,
    /// The customer's phone number: digits with an optional leading `+`. When both `to` and
    /// `recipient` are given, `to` wins.
    pub to: Option<Recipient>,
    /// The customer's business-scoped user id (BSUID or parent BSUID), instead of `to`.
    pub recipient: Option<UserId>,
    /// The message this one replies to, if any.
    pub context: Option<ReplyTo>,
    /// Up to 512 characters, echoed on this message's status webhooks.
    pub biz_opaque_callback_data: Option<String>,
    /// What the message says: its `type` and the object of that name.
    pub content: Content,
}

/// Who a message goes to: a phone number (`to`) or a business-scoped user id (`recipient`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addressee {
    /// `to`: a phone number, digits with an optional leading `+`.
    Phone(Recipient),
    /// `recipient`: a BSUID or parent BSUID.
    User(UserId),
}

impl From<Recipient> for Addressee {
    fn from(r: Recipient) -> Self {
        Addressee::Phone(r)
    }
}

impl From<&str> for Addressee {
    fn from(s: &str) -> Self {
        Addressee::Phone(Recipient::new(s))
    }
}

impl From<String> for Addressee {
    fn from(s: String) -> Self {
        Addressee::Phone(Recipient::new(s))
    }
}

impl From<UserId> for Addressee {
    fn from(u: UserId) -> Self {
        Addressee::User(u)
    }
}

impl OutboundMessage {
    /// Who it goes to: `to` when present (it wins over `recipient`), else `recipient`.
    pub fn addressee(&self) -> Option<Addressee> {
        match (&self.to, &self.recipient) {
            (Some(to), _) => Some(Addressee::Phone(to.clone())),
            (None, Some(user)) => Some(Addressee::User(user.clone())),
            (None, None) => None,
        }
    }

    /// What the send response echoes as `contacts[].input`: `to`, else `recipient`.
    pub fn input(&self) -> &str {
        match (&self.to, &self.recipient) {
            (Some(to), _) => to.as_str(),
            (None, Some(user)) => user.as_str(),
            (None, None) => "",
        }
    }
}

wire_enum! {
    /// `recipient_type` of an outbound message.
    pub enum RecipientType {
        /// One customer.
        Individual = "individual",
        /// A group.
        Group = "group",
    }
}

/// `context` of an outbound message: the message it replies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReplyTo {
    /// The id of the message replied to.
    pub message_id: MessageId,
}

/// The content of an outbound message, chosen by its `type`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// `type: "text"`.
    Text(TextBody),
    /// `type: "interactive"`.
    Interactive(Interactive),
    /// `type: "template"`: an approved template, its parameters filled (docs/templates.md).
    Template(Box<crate::template::TemplateMessage>),
    /// Any other `type` (image, audio, ...): the type and its object, kept as they came.
    Other {
        /// The value of `type`.
        kind: String,
        /// The object under the key named by `type` (`Null` when absent).
        body: Value,
    },
}

impl Content {
    /// The wire value of `type`.
    pub fn kind(&self) -> &str {
        match self {
            Content::Text(_) => "text",
            Content::Interactive(_) => "interactive",
            Content::Template(_) => "template",
            Content::Other { kind, .. } => kind,
        }
    }
}

/// `text` of a text message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TextBody {
    /// 1..=4096 characters.
    pub body: String,
    /// Whether WhatsApp should draw a preview of the first URL in `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<bool>,
}

/// `interactive`, chosen by `interactive.type`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Interactive {
    /// `product`: a single-product message.
    Product(ProductMessage),
    /// `product_list`: a multi-product message.
    ProductList(ProductListMessage),
    /// `catalog_message`: a button that opens the whole catalog.
    CatalogMessage(CatalogMessage),
    /// Any other interactive type (button, list, flow, ...), kept as it came, `type` included.
    Other(Map<String, Value>),
}

impl Interactive {
    /// The wire value of `interactive.type` (empty when an `Other` has none).
    pub fn kind(&self) -> &str {
        match self {
            Interactive::Product(_) => "product",
            Interactive::ProductList(_) => "product_list",
            Interactive::CatalogMessage(_) => "catalog_message",
            Interactive::Other(map) => map.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

/// A single-product message (`interactive.type = "product"`). It has no header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductMessage {
    /// Optional, at most 1024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Text>,
    /// Optional, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<Text>,
    /// The product shown.
    pub action: ProductAction,
}

/// `action` of a single-product message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductAction {
    /// The catalog linked to the sending number.
    pub catalog_id: CatalogId,
    /// The product, by retailer id.
    pub product_retailer_id: RetailerId,
}

/// A multi-product message (`interactive.type = "product_list"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductListMessage {
    /// Required, `type: "text"`, 1..=60 characters.
    pub header: Header,
    /// Required, 1..=1024 characters.
    pub body: Text,
    /// Optional, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<Text>,
    /// The catalog and its sections.
    pub action: ProductListAction,
}

/// A `{"text": ...}` object: `body` and `footer` of interactive messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Text {
    /// The text.
    pub text: String,
}

impl Text {
    /// Wraps a text.
    pub fn new(text: impl Into<String>) -> Self {
        Text { text: text.into() }
    }
}

/// `header` of a multi-product message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Header {
    /// Must be `text` for product lists.
    #[serde(rename = "type")]
    pub kind: HeaderType,
    /// 1..=60 characters.
    pub text: String,
}

wire_enum! {
    /// `header.type`.
    pub enum HeaderType {
        /// A text header, the only kind a product list takes.
        Text = "text",
        /// An image header (not allowed on product lists).
        Image = "image",
        /// A video header (not allowed on product lists).
        Video = "video",
        /// A document header (not allowed on product lists).
        Document = "document",
    }
}

/// `action` of a multi-product message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductListAction {
    /// The catalog linked to the sending number.
    pub catalog_id: CatalogId,
    /// 1..=10 sections, at most 30 product items in total.
    pub sections: Vec<Section>,
}

/// One section of a multi-product message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Section {
    /// At most 24 characters; required when there is more than one section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// At least one item.
    pub product_items: Vec<ProductItem>,
}

/// One product of a section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductItem {
    /// The product, by retailer id.
    pub product_retailer_id: RetailerId,
}

impl ProductItem {
    /// An item for this retailer id.
    pub fn new(id: impl Into<RetailerId>) -> Self {
        ProductItem {
            product_retailer_id: id.into(),
        }
    }
}

/// A catalog message (`interactive.type = "catalog_message"`). It has no header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CatalogMessage {
    /// Required, 1..=1024 characters.
    pub body: Text,
    /// Optional, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<Text>,
    /// `name: "catalog_message"` and the optional thumbnail.
    pub action: CatalogAction,
}

/// `action` of a catalog message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CatalogAction {
    /// Always `catalog_message`.
    pub name: String,
    /// The optional thumbnail product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<CatalogParameters>,
}

/// `action.parameters` of a catalog message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CatalogParameters {
    /// The product whose image is the message's thumbnail (else the catalog's first item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_product_retailer_id: Option<RetailerId>,
}

// ---------------------------------------------------------------------------------------------
// serde for the tagged parts

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownInteractiveRef<'a> {
    Product(&'a ProductMessage),
    ProductList(&'a ProductListMessage),
    CatalogMessage(&'a CatalogMessage),
}

impl Serialize for Interactive {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Interactive::Product(m) => KnownInteractiveRef::Product(m).serialize(serializer),
            Interactive::ProductList(m) => {
                KnownInteractiveRef::ProductList(m).serialize(serializer)
            }
            Interactive::CatalogMessage(m) => {
                KnownInteractiveRef::CatalogMessage(m).serialize(serializer)
            }
            Interactive::Other(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Interactive {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let known = |map: &mut Map<String, Value>| {
            map.remove("type");
            Value::Object(std::mem::take(map))
        };
        Ok(match kind.as_str() {
            "product" => Interactive::Product(
                serde_json::from_value(known(&mut map)).map_err(D::Error::custom)?,
            ),
            "product_list" => Interactive::ProductList(
                serde_json::from_value(known(&mut map)).map_err(D::Error::custom)?,
            ),
            "catalog_message" => Interactive::CatalogMessage(
                serde_json::from_value(known(&mut map)).map_err(D::Error::custom)?,
            ),
            _ => Interactive::Other(map),
        })
    }
}

impl Serialize for OutboundMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        if let Some(rt) = &self.recipient_type {
            map.serialize_entry("recipient_type", rt)?;
        }
        if let Some(to) = &self.to {
            map.serialize_entry("to", to)?;
        }
        if let Some(r) = &self.recipient {
            map.serialize_entry("recipient", r)?;
        }
        map.serialize_entry("type", self.content.kind())?;
        match &self.content {
            Content::Text(t) => map.serialize_entry("text", t)?,
            Content::Interactive(i) => map.serialize_entry("interactive", i)?,
            Content::Template(t) => map.serialize_entry("template", t)?,
            Content::Other { kind, body } => {
                if !body.is_null() {
                    map.serialize_entry(kind.as_str(), body)?;
                }
            }
        }
        if let Some(c) = &self.context {
            map.serialize_entry("context", c)?;
        }
        if let Some(b) = &self.biz_opaque_callback_data {
            map.serialize_entry("biz_opaque_callback_data", b)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for OutboundMessage {
    /// Reads the shape; rules and unknown fields are `validate`'s business. A missing `type`
    /// means `text` (it is written explicitly on serialization); a `messaging_product` other
    /// than `whatsapp` is refused.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let mut take = |key: &str| map.remove(key);
        fn field<T: serde::de::DeserializeOwned, E: Error>(
            v: Option<Value>,
        ) -> Result<Option<T>, E> {
            v.map(|v| serde_json::from_value(v).map_err(E::custom))
                .transpose()
        }
        if let Some(mp) = take("messaging_product")
            && mp != "whatsapp"
        {
            return Err(D::Error::custom("messaging_product must be \"whatsapp\""));
        }
        let recipient_type = field(take("recipient_type"))?;
        let to = field(take("to"))?;
        let recipient = field(take("recipient"))?;
        if to.is_none() && recipient.is_none() {
            return Err(D::Error::missing_field("to"));
        }
        let context = field(take("context"))?;
        let biz_opaque_callback_data = field(take("biz_opaque_callback_data"))?;
        let kind: String = field(take("type"))?.unwrap_or_else(|| "text".to_owned());
        let content = match kind.as_str() {
            "text" => {
                Content::Text(field(take("text"))?.ok_or_else(|| D::Error::missing_field("text"))?)
            }
            "interactive" => Content::Interactive(
                field(take("interactive"))?
                    .ok_or_else(|| D::Error::missing_field("interactive"))?,
            ),
            // A `template` that does not read as one (no name, a wrong type) is kept as it
            // came, as before templates were typed: validation refuses it, and old logs and
            // history still read.
            "template" => match take("template") {
                Some(v) => match serde_json::from_value(v.clone()) {
                    Ok(t) => Content::Template(Box::new(t)),
                    Err(_) => Content::Other { kind, body: v },
                },
                None => Content::Other {
                    kind,
                    body: Value::Null,
                },
            },
            _ => {
                let body = take(&kind).unwrap_or(Value::Null);
                Content::Other { kind, body }
            }
        };
        Ok(OutboundMessage {
            recipient_type,
            to,
            recipient,
            context,
            biz_opaque_callback_data,
            content,
        })
    }
}
