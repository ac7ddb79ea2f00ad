//! The customer talks back: a text or location (optionally quoting a message), a tap on a reply
//! button or a list row, a reaction. Each becomes an inbound message with its webhook, and each
//! refers only to messages of the customer's own thread.
//!
//! A message referred to that is no longer in memory is looked up in history before the command
//! is made, and what the command needs of it travels in it, so replay never reads history.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wacart_schema::{
    Content, InboundContent, Interactive, MessageContext, MessageId, PhoneNumberId, WaId,
};

use super::op::Op;
use super::state::{Entry, State, ThreadKey};
use super::{Ack, EngineError, Sandbox};

/// What the customer sends besides a cart or a tap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerInput {
    /// A text.
    Text {
        /// What they write.
        body: String,
    },
    /// A shared location.
    Location {
        /// Degrees, -90..=90.
        latitude: f64,
        /// Degrees, -180..=180.
        longitude: f64,
        /// The place's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Its address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
    /// A photo already in the media store.
    Image {
        /// Its media id.
        id: String,
        /// `image/jpeg`, `image/png`.
        mime_type: String,
        /// SHA-256 of the bytes, hex.
        sha256: String,
        /// The caption.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
}

impl CustomerInput {
    fn content(&self) -> Result<InboundContent, EngineError> {
        fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, EngineError> {
            serde_json::from_value(v).map_err(|e| EngineError::BadRequest(e.to_string()))
        }
        let bad = |m: &str| EngineError::BadRequest(m.to_owned());
        Ok(match self {
            CustomerInput::Text { body } => {
                if body.trim().is_empty() {
                    return Err(bad("a text message needs text"));
                }
                InboundContent::Text(typed(json!({ "body": body }))?)
            }
            CustomerInput::Location {
                latitude,
                longitude,
                name,
                address,
            } => {
                if !(-90.0..=90.0).contains(latitude) || !(-180.0..=180.0).contains(longitude) {
                    return Err(bad(
                        "latitude is -90 to 90 and longitude -180 to 180 degrees",
                    ));
                }
                let mut v = json!({ "latitude": latitude, "longitude": longitude });
                if let Some(n) = name {
                    v["name"] = json!(n);
                }
                if let Some(a) = address {
                    v["address"] = json!(a);
                }
                InboundContent::Location(typed(v)?)
            }
            CustomerInput::Image {
                id,
                mime_type,
                sha256,
                caption,
            } => {
                let mut v = json!({ "id": id, "mime_type": mime_type, "sha256": sha256 });
                if let Some(c) = caption {
                    v["caption"] = json!(c);
                }
                InboundContent::Image(typed(v)?)
            }
        })
    }
}

/// A message of the customer's thread referred to by a new one: where it is and what it was.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Referred {
    key: ThreadKey,
    entry: Entry,
}

/// The referred message, from memory or (looked up before the command) history; it must be in
/// a thread of `wa_id` (and of `number`, when given).
fn referred(
    state: &State,
    wa_id: &WaId,
    number: Option<&PhoneNumberId>,
    id: &MessageId,
    from_history: Option<&Referred>,
) -> Result<Referred, EngineError> {
    let found = match state.messages.get(id) {
        Some((key, pos)) => state
            .threads
            .get(key)
            .and_then(|t| t.get(*pos))
            .map(|entry| Referred {
                key: key.clone(),
                entry: entry.clone(),
            }),
        None => from_history.cloned(),
    };
    found
        .filter(|r| r.key.1 == *wa_id && number.is_none_or(|n| r.key.0 == *n))
        .ok_or_else(|| EngineError::UnknownMessage(id.clone()))
}

/// `context` of an inbound message that refers to `r`: who sent it and its id.
fn context_of(state: &State, r: &Referred) -> MessageContext {
    let from = match &r.entry {
        Entry::Out(_) => state.number_identity(&r.key.0).1,
        Entry::In(_) => r.key.1.as_str().to_owned(),
    };
    MessageContext::from_message(from, r.entry.id().clone())
}

/// The customer sends a text, location or image, optionally quoting a message of the thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CustomerSend {
    wa_id: WaId,
    number: PhoneNumberId,
    input: CustomerInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_to: Option<MessageId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referred: Option<Referred>,
}

impl Op for CustomerSend {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        state.number(&self.number)?;
        let content = self.input.content()?;
        let context = match &self.reply_to {
            Some(id) => {
                let r = referred(
                    state,
                    &self.wa_id,
                    Some(&self.number),
                    id,
                    self.referred.as_ref(),
                )?;
                Some(context_of(state, &r))
            }
            None => None,
        };
        Ok(state.inbound(at, &self.wa_id, &self.number, content, context))
    }
}

/// The customer taps a reply button or a list row of a business message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tap {
    wa_id: WaId,
    message_id: MessageId,
    choice: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referred: Option<Referred>,
}

impl Op for Tap {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        let r = referred(
            state,
            &self.wa_id,
            None,
            &self.message_id,
            self.referred.as_ref(),
        )?;
        let Entry::Out(o) = &r.entry else {
            return Err(EngineError::Conflict(
                "only a business message has buttons or rows to tap".into(),
            ));
        };
        // A template's quick-reply button comes back as a `button` message.
        if let Some(t) = &o.template {
            let content = super::templates::tap(t, &self.choice)?;
            let context = context_of(state, &r);
            return Ok(state.inbound(at, &self.wa_id, &r.key.0, content, Some(context)));
        }
        let Content::Interactive(Interactive::Other(interactive)) = &o.message.content else {
            return Err(EngineError::Conflict(format!(
                "message {} has no reply buttons or list rows",
                self.message_id
            )));
        };
        let (kind, choice) = choice_in(interactive, &self.choice).ok_or_else(|| {
            EngineError::Conflict(format!(
                "message {} has no button or row with id {:?}",
                self.message_id, self.choice
            ))
        })?;
        let reply = json!({ "type": kind, kind: choice });
        let content = InboundContent::Interactive(
            serde_json::from_value(reply).map_err(|e| EngineError::BadRequest(e.to_string()))?,
        );
        let context = context_of(state, &r);
        Ok(state.inbound(at, &self.wa_id, &r.key.0, content, Some(context)))
    }
}

/// The button (`button_reply`) or list row (`list_reply`) with this id, as the webhook names
/// it: `{id, title}` (and a row's `description`).
fn choice_in(
    interactive: &serde_json::Map<String, Value>,
    id: &str,
) -> Option<(&'static str, Value)> {
    let action = interactive.get("action")?;
    match interactive.get("type").and_then(Value::as_str)? {
        "button" => action
            .get("buttons")?
            .as_array()?
            .iter()
            .filter_map(|b| b.get("reply"))
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
            .map(|r| {
                let title = r.get("title").cloned().unwrap_or(Value::Null);
                ("button_reply", json!({ "id": id, "title": title }))
            }),
        "list" => action
            .get("sections")?
            .as_array()?
            .iter()
            .filter_map(|s| s.get("rows").and_then(Value::as_array))
            .flatten()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
            .map(|r| {
                let mut row =
                    json!({ "id": id, "title": r.get("title").cloned().unwrap_or(Value::Null) });
                if let Some(d) = r.get("description") {
                    row["description"] = d.clone();
                }
                ("list_reply", row)
            }),
        _ => None,
    }
}

/// The customer reacts to a business message of their thread (of the last 30 days) with an
/// emoji (an empty one removes it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct React {
    wa_id: WaId,
    message_id: MessageId,
    emoji: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referred: Option<Referred>,
}

impl Op for React {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        let r = referred(
            state,
            &self.wa_id,
            None,
            &self.message_id,
            self.referred.as_ref(),
        )?;
        // Meta sends a reaction webhook for a reaction to a business message of the last 30 days.
        match &r.entry {
            Entry::Out(o) if at.saturating_sub(o.at) <= 30 * crate::clock::DAY => {}
            Entry::Out(_) => {
                return Err(EngineError::Conflict(
                    "a message older than 30 days cannot be reacted to".into(),
                ));
            }
            Entry::In(_) => {
                return Err(EngineError::Conflict(
                    "the business hears of reactions to its own messages only".into(),
                ));
            }
        }
        // One emoji: a few code points at most (skin tones and joiners included), no letters.
        let chars = self.emoji.chars().count();
        if chars > 10
            || self
                .emoji
                .chars()
                .any(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
        {
            return Err(EngineError::BadRequest(
                "a reaction is one emoji (or empty, to remove it)".into(),
            ));
        }
        let mut reaction = json!({ "message_id": self.message_id });
        if !self.emoji.is_empty() {
            reaction["emoji"] = json!(self.emoji);
        }
        let content = InboundContent::Reaction(
            serde_json::from_value(reaction).map_err(|e| EngineError::BadRequest(e.to_string()))?,
        );
        Ok(state.inbound(at, &self.wa_id, &r.key.0, content, None))
    }
}

impl Sandbox {
    /// A message of the customer's threads no longer in memory, from history.
    fn referred_from_history(&self, id: &MessageId) -> Result<Option<Referred>, EngineError> {
        if self.state.messages.contains_key(id) {
            return Ok(None);
        }
        Ok(self
            .history_entry_at(id)?
            .map(|(key, _, entry)| Referred { key, entry }))
    }

    /// The customer sends a text, location or image to the business, optionally quoting a
    /// message of the thread (`reply_to`): opens the window, produces the inbound webhook.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`]; [`EngineError::UnknownMessage`] when `reply_to` is not
    /// in this thread; [`EngineError::BadRequest`] for empty text or a location off the globe.
    pub fn customer_send(
        &mut self,
        wa_id: &WaId,
        number: &PhoneNumberId,
        input: CustomerInput,
        reply_to: Option<&MessageId>,
    ) -> Result<Ack<MessageId>, EngineError> {
        let referred = match reply_to {
            Some(id) => self.referred_from_history(id)?,
            None => None,
        };
        self.run(CustomerSend {
            wa_id: wa_id.clone(),
            number: number.clone(),
            input,
            reply_to: reply_to.cloned(),
            referred,
        })
    }

    /// The customer taps the reply button or list row `choice` of a business message.
    ///
    /// # Errors
    /// [`EngineError::UnknownMessage`] when the message is not in the customer's threads;
    /// [`EngineError::Conflict`] when it has no such button or row.
    pub fn tap(
        &mut self,
        wa_id: &WaId,
        message_id: &MessageId,
        choice: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        let referred = self.referred_from_history(message_id)?;
        self.run(Tap {
            wa_id: wa_id.clone(),
            message_id: message_id.clone(),
            choice: choice.to_owned(),
            referred,
        })
    }

    /// The customer reacts to a message of their thread (an empty emoji removes the reaction).
    ///
    /// # Errors
    /// [`EngineError::UnknownMessage`] when the message is not in the customer's threads;
    /// [`EngineError::BadRequest`] when `emoji` is not one emoji.
    pub fn react(
        &mut self,
        wa_id: &WaId,
        message_id: &MessageId,
        emoji: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        let referred = self.referred_from_history(message_id)?;
        self.run(React {
            wa_id: wa_id.clone(),
            message_id: message_id.clone(),
            emoji: emoji.to_owned(),
            referred,
        })
    }
}
