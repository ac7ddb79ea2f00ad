//! Messages both ways: the business's sends (validation, catalog resolution, the window,
//! throughput limits, statuses), the customer's texts and forwards.

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_catalog::{Resolved, resolve};
use wacart_schema::{
    Addressee, Content, GraphError, InboundContent, InboundText, Interactive, MessageId, Options,
    OutboundMessage, PhoneNumberId, RetailerId, StatusKind, UserId, WaId, WebhookError, codes,
};

use super::op::Op;
use super::state::{Entry, Outbound, State, ThreadKey};
use super::{Ack, Door, EngineError, Sandbox, WINDOW};
use crate::model::WindowMode;

/// An accepted send: its id and the customer's WhatsApp id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// `wamid.…`.
    pub id: MessageId,
    /// The customer.
    pub wa_id: WaId,
    /// The BSUID the message was sent to, when it went to one (`recipient` without `to`).
    pub user_id: Option<UserId>,
}

/// A message from a business number, through one of the doors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SendMessage {
    number: PhoneNumberId,
    message: OutboundMessage,
    door: Door,
    /// Through Kaleyra's door: refs and callback profile (see `kaleyra.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kaleyra: Option<Box<super::kaleyra_book::KaleyraMeta>>,
}

impl SendMessage {
    /// A send whose callbacks carry Kaleyra's `meta`.
    pub(crate) fn through_kaleyra(
        number: PhoneNumberId,
        message: OutboundMessage,
        door: Door,
        meta: super::kaleyra_book::KaleyraMeta,
    ) -> Self {
        SendMessage {
            number,
            message,
            door,
            kaleyra: Some(Box::new(meta)),
        }
    }

    pub(crate) fn number(&self) -> &PhoneNumberId {
        &self.number
    }

    pub(crate) fn kaleyra(&self) -> Option<&super::kaleyra_book::KaleyraMeta> {
        self.kaleyra.as_deref()
    }
}

impl Op for SendMessage {
    type Output = Sent;

    fn exec(&self, state: &mut State, at: u64) -> Result<Sent, EngineError> {
        let (number_id, message) = (&self.number, &self.message);
        let opts =
            Options::default().strict_catalog_thumbnail(state.config.strict_catalog_thumbnail);
        // A template send logged before templates were checked replays as it ran then.
        let replaying = state.replaying || state.rebuild.is_some();
        let old_template = replaying && message.content.kind() == "template";
        if let Err(v) = message.validate_with(&opts)
            && !old_template
        {
            return Err(EngineError::Graph(Box::new(GraphError::from_violation(
                v.first(),
                "wacart-sandbox",
            ))));
        }
        let number = state.number(number_id)?;
        let (wa_id, user_id) = addressee(state, &number.waba_id, message)?;
        let key: ThreadKey = (number_id.clone(), wa_id.clone());
        let dropped = resolve_products(state, number_id, message)?;
        let last_inbound = state.threads.get(&key).and_then(|t| t.last_inbound_at);
        let window_open = last_inbound.is_some_and(|t| at.saturating_sub(t) <= WINDOW);
        // A template is checked against the registry, and delivered outside the window too.
        let by_user = user_id.is_some();
        let checked = match super::templates::check_send(
            state,
            number_id,
            &number.waba_id,
            message,
            &wa_id,
            by_user,
            window_open,
        ) {
            // Only a template send logged before templates were kept fails this in replay: it
            // replays as it ran then, a message like any other.
            Err(_) if replaying => None,
            checked => checked?,
        };
        let dropped = checked.as_ref().map_or(dropped, |c| c.dropped.clone());
        let window_open = window_open || checked.is_some();
        if !window_open && state.config.window == WindowMode::Refuse {
            return Err(EngineError::graph(
                codes::REENGAGEMENT_MESSAGE,
                crate::webhooks::failure_details(codes::REENGAGEMENT_MESSAGE),
            ));
        }
        let new_rate_tat = number_rate(state, number.rate_tat, at)?;
        let new_pair_tat = pair_rate(state, &key, at)?;
        super::media::check_send(state, number_id, message)?;
        // Accepted: from here on, state changes.
        if let Some(t) = new_rate_tat
            && let Some(n) = state.numbers.get_mut(number_id)
        {
            n.rate_tat = t;
        }
        if let Some(t) = new_pair_tat {
            state.pair_tat.insert(key.clone(), t);
        }
        state.customer_entry(&wa_id, None);
        let id = state.new_message_id();
        let interactive_kind = match &message.content {
            Content::Interactive(i) => i.kind().to_owned(),
            _ => String::new(),
        };
        let can_show = state
            .customers
            .get(&wa_id)
            .is_some_and(|c| c.devices.values().any(|d| d.can_show(&interactive_kind)));
        let entry = Entry::Out(Box::new(Outbound {
            id: id.clone(),
            at,
            message: message.clone(),
            dropped: dropped.clone(),
            status: StatusKind::Sent,
            failure: None,
            forwarded_from: None,
            door: Some(self.door),
            scheduled: false,
            kaleyra: self.kaleyra.clone(),
            template: checked.map(|c| c.sent),
        }));
        state.push_entry(&key, entry);
        if let Some(thread) = state.threads.get_mut(&key) {
            // The business answered: "typing…" ends. Sent to the number: Meta shares it with
            // this business number for 30 days.
            thread.typing_until = None;
            if user_id.is_none() {
                thread.phone_reached_at = Some(at);
            }
        }
        if !window_open {
            let code = codes::REENGAGEMENT_MESSAGE;
            state.set_status(&id, StatusKind::Failed, at, Some(code));
        } else if !can_show {
            let code = codes::MESSAGE_UNDELIVERABLE;
            state.set_status(&id, StatusKind::Failed, at, Some(code));
        } else {
            state.set_status(&id, StatusKind::Sent, at, None);
            let due = at.saturating_add(state.config.delivered_after);
            state.schedule_status(&id, StatusKind::Delivered, due);
        }
        if !dropped.is_empty() {
            report_dropped(state, number_id, &dropped, at)?;
        }
        Ok(Sent { id, wa_id, user_id })
    }
}

/// The customer a message goes to: its `to` (which wins), or the customer whose BSUID for this
/// WABA is its `recipient`.
fn addressee(
    state: &State,
    waba: &wacart_schema::WabaId,
    message: &OutboundMessage,
) -> Result<(WaId, Option<UserId>), EngineError> {
    match message.addressee() {
        Some(Addressee::Phone(to)) => Ok((WaId::normalized(to.as_str()), None)),
        Some(Addressee::User(user)) => crate::bsuid::customer(waba, &user)
            .filter(|w| state.customers.contains_key(w))
            .map(|w| (w, Some(user)))
            .ok_or_else(|| {
                EngineError::graph(
                    codes::PARAMETER_VALUE_INVALID,
                    "recipient is not the business-scoped user id of a WhatsApp user of this business portfolio",
                )
            }),
        None => Err(EngineError::graph(
            codes::REQUIRED_PARAMETER_MISSING,
            "to or recipient is required",
        )),
    }
}

/// Resolves a commerce message against the number's linked catalog: the product-list items the
/// catalog lacks (dropped, not refused), or what Meta answers.
fn resolve_products(
    state: &State,
    number: &PhoneNumberId,
    message: &OutboundMessage,
) -> Result<Vec<RetailerId>, EngineError> {
    let Content::Interactive(
        Interactive::Product(_) | Interactive::ProductList(_) | Interactive::CatalogMessage(_),
    ) = &message.content
    else {
        return Ok(Vec::new());
    };
    let settings = state.settings.settings(number);
    let catalog = state.linked_catalog(number).ok();
    match resolve(message, catalog, settings) {
        Ok(Resolved::ProductList { dropped, .. }) => Ok(dropped.into_iter().cloned().collect()),
        Ok(_) => Ok(Vec::new()),
        Err(e) => Err(EngineError::from_catalog(&e)),
    }
}

/// The number's throughput limit (off by default): its next GCRA state, or 130429.
fn number_rate(state: &State, tat: u64, at: u64) -> Result<Option<u64>, EngineError> {
    let Some(rate) = state.config.number_rate else {
        return Ok(None);
    };
    // In microseconds, so 80/s is 12_500 µs and rates above 1000/s still pace.
    let now_us = at.saturating_mul(1_000);
    let interval = 1_000_000 / u64::from(rate.max(1));
    let tat = tat.max(now_us);
    if tat > now_us.saturating_add(1_000_000 - interval) {
        return Err(EngineError::graph(
            codes::RATE_LIMIT_HIT,
            "Cloud API message throughput has been reached.",
        ));
    }
    Ok(Some(tat.saturating_add(interval)))
}

/// The pair limit (off by default): the pair's next GCRA state, or 131056.
fn pair_rate(state: &State, key: &ThreadKey, at: u64) -> Result<Option<u64>, EngineError> {
    let Some((interval, burst)) = state.config.pair_limit else {
        return Ok(None);
    };
    let tat = state.pair_tat.get(key).copied().unwrap_or(at).max(at);
    if tat > at.saturating_add(interval.saturating_mul(u64::from(burst.max(1) - 1))) {
        return Err(EngineError::graph(
            codes::PAIR_RATE_LIMIT_HIT,
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
        ));
    }
    Ok(Some(tat.saturating_add(interval)))
}

/// Product-list items the catalog lacks are reported in a `value.errors` webhook.
fn report_dropped(
    state: &mut State,
    number: &PhoneNumberId,
    dropped: &[RetailerId],
    at: u64,
) -> Result<(), EngineError> {
    let ids: Vec<&str> = dropped.iter().map(RetailerId::as_str).collect();
    let details = format!(
        "{}: {}",
        wacart_catalog::details::PRODUCTS_NOT_FOUND,
        ids.join(", ")
    );
    let code = codes::PARAMETER_VALUE_INVALID;
    let error: WebhookError = serde_json::from_value(json!({
        "code": code, "title": codes::title(code), "message": codes::title(code),
        "error_data": {"details": details}, "href": crate::webhooks::ERROR_CODES_HREF}))
    .map_err(|e| EngineError::BadRequest(e.to_string()))?;
    let (waba, display) = state.number_identity(number);
    let body = || crate::webhooks::errors_body(&waba, &display, number, &error);
    let waba_id = waba.clone();
    state.push_delivery(&waba_id, "errors", body, at);
    Ok(())
}

/// The customer writes to the business.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CustomerText {
    wa_id: WaId,
    number: PhoneNumberId,
    text: String,
}

impl Op for CustomerText {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        state.number(&self.number)?;
        if self.text.is_empty() {
            return Err(EngineError::BadRequest("a text message needs text".into()));
        }
        let content = InboundContent::Text(
            serde_json::from_value::<InboundText>(json!({"body": self.text}))
                .map_err(|e| EngineError::BadRequest(e.to_string()))?,
        );
        Ok(state.inbound(at, &self.wa_id, &self.number, content, None))
    }
}

/// The customer forwards a business message to another customer. A message no longer in
/// memory is looked up in history before the command is made, and travels in it (`original`),
/// so replay never reads history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Forward {
    wa_id: WaId,
    message_id: MessageId,
    to: WaId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original: Option<(PhoneNumberId, Box<Outbound>)>,
}

impl Op for Forward {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        let unknown = || EngineError::UnknownMessage(self.message_id.clone());
        let (number, original) = match (&self.original, state.messages.get(&self.message_id)) {
            (_, Some((key, pos))) => {
                if key.1 != self.wa_id {
                    return Err(unknown());
                }
                let entry = state.threads.get(key).and_then(|t| t.get(*pos));
                let Some(Entry::Out(o)) = entry else {
                    return Err(EngineError::BadRequest(
                        "only messages from the business can be forwarded".into(),
                    ));
                };
                (key.0.clone(), o.clone())
            }
            (Some((number, o)), None) => (number.clone(), o.clone()),
            (None, None) => return Err(unknown()),
        };
        state.customer_entry(&self.to, None);
        let id = state.new_message_id();
        let entry = Entry::Out(Box::new(Outbound {
            id: id.clone(),
            at,
            status: StatusKind::Delivered,
            failure: None,
            forwarded_from: Some(self.message_id.clone()),
            door: None,
            scheduled: false,
            kaleyra: None,
            ..*original
        }));
        state.push_entry(&(number, self.to.clone()), entry);
        Ok(id)
    }
}

impl Sandbox {
    /// Accepts a message from a business number.
    ///
    /// # Errors
    /// [`EngineError::Graph`] with what Meta would answer; [`EngineError::UnknownNumber`].
    pub fn send(
        &mut self,
        number: &PhoneNumberId,
        message: OutboundMessage,
        door: Door,
    ) -> Result<Ack<Sent>, EngineError> {
        self.run(SendMessage {
            number: number.clone(),
            message,
            door,
            kaleyra: None,
        })
    }

    /// The customer writes to the business: opens the window, produces the inbound webhook.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`]; [`EngineError::BadRequest`] for empty text.
    pub fn customer_text(
        &mut self,
        wa_id: &WaId,
        number: &PhoneNumberId,
        text: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        self.run(CustomerText {
            wa_id: wa_id.clone(),
            number: number.clone(),
            text: text.to_owned(),
        })
    }

    /// The customer forwards a business message to another customer.
    ///
    /// # Errors
    /// [`EngineError::UnknownMessage`] when the message is not in the customer's threads.
    pub fn forward(
        &mut self,
        wa_id: &WaId,
        message_id: &MessageId,
        to: &WaId,
    ) -> Result<Ack<MessageId>, EngineError> {
        let original = if self.state.messages.contains_key(message_id) {
            None
        } else {
            self.history_entry(message_id)?
                .and_then(|(key, entry)| match entry {
                    Entry::Out(o) if key.1 == *wa_id => Some((key.0, o)),
                    _ => None,
                })
        };
        self.run(Forward {
            wa_id: wa_id.clone(),
            message_id: message_id.clone(),
            to: to.clone(),
            original,
        })
    }
}
