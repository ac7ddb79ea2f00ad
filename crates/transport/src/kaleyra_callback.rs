//! Kaleyra's callbacks, typed: what a callback profile sends to the business for a message
//! status or an incoming message, from either form it takes — a `GET` whose query holds the
//! dynamic variables, or a `POST` whose JSON body does. Kaleyra signs nothing; a profile's own
//! headers are the receiver's check ([`check_header`]).
//!
//! ```
//! use wacart_transport::{KaleyraCallback, KaleyraStatusKind};
//! let q = "id=wamid.X&status=delivered&mobile=15551230001&ref=campaign-7&timestamp=1750000000";
//! let KaleyraCallback::Status(s) = KaleyraCallback::from_query(q).unwrap() else { panic!() };
//! assert_eq!((s.status, s.refs.reference.as_deref()), (KaleyraStatusKind::Delivered, Some("campaign-7")));
//! ```

use std::collections::BTreeMap;

use serde_json::Value;
use wacart_schema::{InboundMessage, Price};

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KaleyraCallbackError {
    /// The body is not a JSON object of variables.
    #[error("the body is not a JSON object: {0}")]
    NotJson(String),
    /// Neither `status` nor `type`: not a status or incoming-message callback.
    #[error("neither `status` nor `type`: not a WhatsApp status or incoming-message callback")]
    Unknown,
    /// A variable has a value it cannot have.
    #[error("{name}: {reason}")]
    Invalid {
        /// The variable.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The expected header is missing or holds another value.
    #[error("header {0} is missing or wrong")]
    Header(String),
}

/// `ref`, `ref1`, `ref2`, `wa_source` of the send a callback is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KaleyraRefs {
    /// `ref`.
    pub reference: Option<String>,
    /// `ref1`.
    pub ref1: Option<String>,
    /// `ref2`.
    pub ref2: Option<String>,
    /// `wa_source`.
    pub wa_source: Option<String>,
}

/// A message status as Kaleyra names it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KaleyraStatusKind {
    /// `not-sent`: Kaleyra did not pass the message to Meta.
    NotSent,
    /// `sent`.
    Sent,
    /// `delivered`.
    Delivered,
    /// `read`.
    Read,
    /// `failed`.
    Failed,
    /// Another value, kept.
    Other(String),
}

impl KaleyraStatusKind {
    fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "not-sent" | "not_sent" => KaleyraStatusKind::NotSent,
            "sent" => KaleyraStatusKind::Sent,
            "delivered" => KaleyraStatusKind::Delivered,
            "read" => KaleyraStatusKind::Read,
            "failed" => KaleyraStatusKind::Failed,
            _ => KaleyraStatusKind::Other(s.to_owned()),
        }
    }
}

/// A message status callback.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KaleyraStatus {
    /// The message id (`id`).
    pub id: String,
    /// `status`.
    pub status: KaleyraStatusKind,
    /// The customer (`mobile`).
    pub mobile: Option<String>,
    /// Unix seconds (`timestamp`).
    pub timestamp: Option<u64>,
    /// The business number (`phone_number`).
    pub phone_number: Option<String>,
    /// `error` of a failed message.
    pub error: Option<String>,
    /// `error_code` of a failed message.
    pub error_code: Option<String>,
    /// `price` (on `delivered`).
    pub price: Option<Price>,
    /// The refs of the send.
    pub refs: KaleyraRefs,
    /// The profile that sent it.
    pub callback_profile_id: Option<String>,
    /// Every variable as it came.
    pub fields: BTreeMap<String, String>,
}

/// An incoming message callback.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct KaleyraIncoming {
    /// `type`: `text`, `interactive`, `order`, `image`, `location`, `reaction`, ...
    pub kind: String,
    /// The customer (`from`, else `mobile`).
    pub from: Option<String>,
    /// The customer's profile name (`name`).
    pub name: Option<String>,
    /// The text a person reads (`body`).
    pub body: Option<String>,
    /// The message answered (`reply_to`).
    pub reply_to: Option<String>,
    /// The business number (`wanumber`).
    pub wanumber: Option<String>,
    /// The button or row tapped (`custom_response`).
    pub custom_response: Option<String>,
    /// `message`, parsed as WhatsApp's message object (an order's `product_items` are here).
    pub message: Option<InboundMessage>,
    /// The refs of the business message answered.
    pub refs: KaleyraRefs,
    /// Every variable as it came.
    pub fields: BTreeMap<String, String>,
}

/// A Kaleyra WhatsApp callback.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum KaleyraCallback {
    /// A message status.
    Status(Box<KaleyraStatus>),
    /// An incoming message.
    Incoming(Box<KaleyraIncoming>),
}

impl KaleyraCallback {
    /// A `GET` callback: the variables in the query string (`a=1&b=2`, percent-encoded).
    ///
    /// # Errors
    /// [`KaleyraCallbackError`] when it is neither kind, or a value is wrong.
    pub fn from_query(query: &str) -> Result<Self, KaleyraCallbackError> {
        let fields = query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Self::from_fields(fields)
    }

    /// A `POST` callback: the variables in a JSON object (nested values are kept as JSON text).
    ///
    /// # Errors
    /// [`KaleyraCallbackError`] when the body is not a JSON object, neither kind, or a value is
    /// wrong.
    pub fn from_json(body: &[u8]) -> Result<Self, KaleyraCallbackError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| KaleyraCallbackError::NotJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(KaleyraCallbackError::NotJson("not an object".to_owned()));
        };
        let fields = map
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        Self::from_fields(fields)
    }

    fn from_fields(fields: BTreeMap<String, String>) -> Result<Self, KaleyraCallbackError> {
        let get = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
        let refs = KaleyraRefs {
            reference: get("ref"),
            ref1: get("ref1"),
            ref2: get("ref2"),
            wa_source: get("wa_source"),
        };
        let invalid = |name: &str, reason: String| KaleyraCallbackError::Invalid {
            name: name.to_owned(),
            reason,
        };
        if let Some(status) = get("status") {
            let id = get("id").ok_or_else(|| invalid("id", "missing".to_owned()))?;
            let timestamp = get("timestamp")
                .map(|t| {
                    t.parse::<u64>()
                        .map_err(|_| invalid("timestamp", format!("{t:?} is not unix seconds")))
                })
                .transpose()?;
            let price = get("price")
                .map(|p| {
                    p.parse::<Price>()
                        .map_err(|e| invalid("price", e.to_string()))
                })
                .transpose()?;
            return Ok(KaleyraCallback::Status(Box::new(KaleyraStatus {
                id,
                status: KaleyraStatusKind::parse(&status),
                mobile: get("mobile"),
                timestamp,
                phone_number: get("phone_number"),
                error: get("error"),
                error_code: get("error_code"),
                price,
                refs,
                callback_profile_id: get("callback_profile_id"),
                fields,
            })));
        }
        let kind = get("type").ok_or(KaleyraCallbackError::Unknown)?;
        let message = get("message")
            .map(|m| {
                serde_json::from_str::<InboundMessage>(&m)
                    .map_err(|e| invalid("message", format!("not a WhatsApp message: {e}")))
            })
            .transpose()?;
        Ok(KaleyraCallback::Incoming(Box::new(KaleyraIncoming {
            kind,
            from: get("from").or_else(|| get("mobile")),
            name: get("name"),
            body: get("body"),
            reply_to: get("reply_to"),
            wanumber: get("wanumber"),
            custom_response: get("custom_response"),
            message,
            refs,
            fields,
        })))
    }
}

/// Checks that a callback carries the header its profile was given (`name` case-insensitive,
/// the value compared in constant time).
///
/// # Errors
/// [`KaleyraCallbackError::Header`] when it is missing or different.
pub fn check_header<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    name: &str,
    expected: &str,
) -> Result<(), KaleyraCallbackError> {
    let found = headers
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v);
    let same = found.is_some_and(|v| {
        v.len() == expected.len()
            && v.bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if same {
        Ok(())
    } else {
        Err(KaleyraCallbackError::Header(name.to_owned()))
    }
}

/// Query decoding: `+` is a space, `%XX` a byte.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_status_and_a_post_order_parse_alike() {
        let q = "id=wamid.X&status=not-sent&mobile=15551230001&ref=a%20b&price=0.4&error_code=";
        let KaleyraCallback::Status(s) = KaleyraCallback::from_query(q).unwrap() else {
            panic!("a status")
        };
        assert_eq!(s.status, KaleyraStatusKind::NotSent);
        assert_eq!(s.refs.reference.as_deref(), Some("a b"));
        assert_eq!(s.price.unwrap().to_string(), "0.4");
        assert_eq!(s.error_code, None, "empty is absent");
        let order = serde_json::json!({"type": "order", "from": "15551230001", "ref": "campaign-7",
            "message": serde_json::json!({"from": "15551230001", "id": "wamid.O", "timestamp": "1",
                "type": "order", "order": {"catalog_id": "1", "product_items": [
                    {"product_retailer_id": "kale", "quantity": 2, "item_price": 2.5, "currency": "USD"}]}}).to_string()});
        let KaleyraCallback::Incoming(i) =
            KaleyraCallback::from_json(order.to_string().as_bytes()).unwrap()
        else {
            panic!("an incoming message")
        };
        assert_eq!(i.kind, "order");
        assert_eq!(i.refs.reference.as_deref(), Some("campaign-7"));
        let Some(wacart_schema::InboundContent::Order(o)) = i.message.map(|m| m.content) else {
            panic!("an order")
        };
        assert_eq!(o.product_items[0].quantity, 2);
    }

    #[test]
    fn bad_callbacks_are_refused() {
        assert_eq!(
            KaleyraCallback::from_query("foo=1"),
            Err(KaleyraCallbackError::Unknown)
        );
        assert!(KaleyraCallback::from_query("status=sent").is_err(), "no id");
        assert!(KaleyraCallback::from_query("id=1&status=sent&timestamp=soon").is_err());
        assert!(KaleyraCallback::from_json(b"[]").is_err());
        assert!(KaleyraCallback::from_json(br#"{"type":"order","message":"{"}"#).is_err());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn the_profile_header_is_checked() {
        let h = [("X-Shop-Token", "s3cret")];
        assert_eq!(check_header(h, "x-shop-token", "s3cret"), Ok(()));
        assert!(check_header(h, "x-shop-token", "s3creT").is_err());
        assert!(check_header([], "x-shop-token", "s3cret").is_err());
    }
}
