//! Mark as read and the typing indicator: the other body `POST /{version}/{phone_number_id}/messages`
//! takes (`"status": "read"` instead of a message).

use serde::{Deserialize, Serialize};

use crate::ids::MessageId;
use crate::outbound::OutboundMessage;

/// `{"messaging_product":"whatsapp","status":"read","message_id":…}`: the business has read an
/// inbound message (and every earlier one of the thread), optionally showing the customer a
/// typing indicator until it answers (at most 25 seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MarkRead {
    /// The inbound message read.
    pub message_id: MessageId,
    /// `typing_indicator: {"type": "text"}`: show "typing…" to the customer.
    pub typing_indicator: bool,
}

impl MarkRead {
    /// Marks `message_id` read, without a typing indicator.
    pub fn new(message_id: impl Into<MessageId>) -> Self {
        MarkRead {
            message_id: message_id.into(),
            typing_indicator: false,
        }
    }

    /// And shows the typing indicator.
    #[must_use]
    pub fn typing(mut self) -> Self {
        self.typing_indicator = true;
        self
    }
}

#[derive(Serialize, Deserialize)]
struct Typing<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    messaging_product: std::borrow::Cow<'a, str>,
    status: std::borrow::Cow<'a, str>,
    message_id: MessageId,
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    typing_indicator: Option<Typing<'a>>,
}

impl Serialize for MarkRead {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            messaging_product: "whatsapp".into(),
            status: "read".into(),
            message_id: self.message_id.clone(),
            typing_indicator: self.typing_indicator.then(|| Typing {
                kind: "text".into(),
            }),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for MarkRead {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = Wire::deserialize(deserializer)?;
        if w.messaging_product != "whatsapp" || w.status != "read" {
            return Err(D::Error::custom(
                "a read receipt has messaging_product \"whatsapp\" and status \"read\"",
            ));
        }
        if let Some(t) = &w.typing_indicator
            && t.kind != "text"
        {
            return Err(D::Error::custom("typing_indicator.type is \"text\""));
        }
        Ok(MarkRead {
            message_id: w.message_id,
            typing_indicator: w.typing_indicator.is_some(),
        })
    }
}

/// What `POST /{version}/{phone_number_id}/messages` takes: a message, or a read receipt
/// (recognised by its `status` key).
#[derive(Clone, Debug, PartialEq)]
pub enum MessagesRequest {
    /// A message to send.
    Send(Box<OutboundMessage>),
    /// Mark a message read (with or without the typing indicator).
    Read(MarkRead),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_receipt_round_trips_with_and_without_the_indicator() {
        let plain = MarkRead::new("wamid.A");
        let json = serde_json::to_string(&plain).unwrap();
        assert_eq!(
            json,
            r#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.A"}"#
        );
        assert_eq!(serde_json::from_str::<MarkRead>(&json).unwrap(), plain);
        let typing = MarkRead::new("wamid.A").typing();
        let json = serde_json::to_string(&typing).unwrap();
        assert!(
            json.ends_with(r#""typing_indicator":{"type":"text"}}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<MarkRead>(&json).unwrap(), typing);
    }

    #[test]
    fn only_read_and_text_are_accepted() {
        for bad in [
            r#"{"messaging_product":"whatsapp","status":"delivered","message_id":"m"}"#,
            r#"{"messaging_product":"sms","status":"read","message_id":"m"}"#,
            r#"{"messaging_product":"whatsapp","status":"read","message_id":"m","typing_indicator":{"type":"audio"}}"#,
        ] {
            assert!(serde_json::from_str::<MarkRead>(bad).is_err(), "{bad}");
        }
    }
}
