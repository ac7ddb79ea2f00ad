//! Kaleyra accounts as their customers meet them (docs/providers.md §1–2): callback profiles,
//! the account's billing and API access, each number's default profile and API version, and
//! sends through Kaleyra's door that carry `ref`, `ref1`, `ref2`, `wa_source` and
//! `callback_profile_id` to the status and incoming-message callbacks.
//!
//! An account is keyed by its SID. Every change is a command, so replay rebuilds it; the
//! callbacks are webhooks of the same outbox, each with its own target (method, URL, headers)
//! instead of the WABA app's callback.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wacart_schema::{
    InboundContent, InboundMessage, MessageId, OutboundMessage, PhoneNumberId, Price, StatusKind,
    WaId,
};

use super::messages::{SendMessage, Sent};
use super::op::Op;
use super::state::{Entry, Person, State};
use super::{Ack, Door, EngineError, Sandbox};
use crate::callbacks::{CallbackEvent, CallbackProfile, Vars};

/// Decimals kept for balances and prices (Kaleyra prices to four places, `0.7875`).
const MONEY_DECIMALS: u8 = 4;

/// The API version a number is on when nothing says otherwise.
pub const KALEYRA_API_VERSION: &str = "v2";

/// What a Kaleyra send carries to its callbacks (kept on the message).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KaleyraMeta {
    /// The account's SID.
    pub sid: String,
    /// `extra_info.ref`.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `extra_info.ref1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref1: Option<String>,
    /// `extra_info.ref2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref2: Option<String>,
    /// `extra_info.wa_source` (normalized: unknown sources read `api`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_source: Option<String>,
    /// The profile named on the send (else the number's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_profile_id: Option<String>,
}

impl KaleyraMeta {
    /// The meta of a send on the account `sid`.
    pub fn new(sid: impl Into<String>) -> Self {
        KaleyraMeta {
            sid: sid.into(),
            ..KaleyraMeta::default()
        }
    }

    /// With `extra_info`'s refs and source.
    #[must_use]
    pub fn extra_info(mut self, info: Option<&wacart_schema::KaleyraExtraInfo>) -> Self {
        if let Some(i) = info {
            self.reference.clone_from(&i.reference);
            self.ref1.clone_from(&i.ref1);
            self.ref2.clone_from(&i.ref2);
            self.wa_source.clone_from(&i.wa_source);
        }
        self
    }

    /// With this callback profile.
    #[must_use]
    pub fn callback_profile_id(mut self, id: Option<String>) -> Self {
        self.callback_profile_id = id;
        self
    }
}

/// How a Kaleyra account pays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Billing {
    /// Billed later: never refused for balance (the default).
    #[default]
    Postpaid,
    /// Pays ahead: a send that the balance cannot pay is refused with `E110`.
    Prepaid,
}

/// An account's settings, as a tenant sets them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AccountSettings {
    /// Prepaid or postpaid.
    #[serde(default)]
    pub billing: Billing,
    /// The prepaid balance (ignored when postpaid).
    #[serde(default = "zero")]
    pub balance: Price,
    /// What each accepted message costs (shown as `price` on `delivered` callbacks).
    #[serde(default = "zero")]
    pub price: Price,
    /// Whether the account type has API access (`false`: every send is `WA-401`).
    #[serde(default = "yes")]
    pub api_access: bool,
}

fn zero() -> Price {
    Price::ZERO
}

fn yes() -> bool {
    true
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            billing: Billing::Postpaid,
            balance: Price::ZERO,
            price: Price::ZERO,
            api_access: true,
        }
    }
}

/// A number's Kaleyra settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NumberSettings {
    /// The profile for incoming messages, and for statuses of sends that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_profile_id: Option<String>,
    /// The API version the number is registered on (`v2` when absent); another one is `WA-401`
    /// on this door.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// A Kaleyra account: its profiles, settings, numbers, and what is left of its balance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Account {
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, CallbackProfile>,
    #[serde(default)]
    pub(crate) settings: AccountSettings,
    #[serde(default)]
    pub(crate) numbers: BTreeMap<String, NumberSettings>,
}

/// An account as the sandbox API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountView {
    /// The SID.
    pub sid: String,
    /// Settings (the balance as it is now).
    #[serde(flatten)]
    pub settings: AccountSettings,
    /// Its callback profiles.
    pub callback_profiles: Vec<CallbackProfile>,
    /// Settings of its numbers, by phone number id.
    pub numbers: BTreeMap<String, NumberSettings>,
}

/// Why Kaleyra's door refuses a send the message itself does not explain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KaleyraRefusal {
    /// `E110`: a prepaid balance below the message's price.
    #[error("E110: the prepaid balance is too low")]
    LowBalance,
    /// `WA-401`: the account type has no API access.
    #[error("WA-401: the account type has no API access")]
    NoApiAccess,
    /// `WA-401`: the number is registered on another API version.
    #[error("WA-401: the number is on API version {0}")]
    OtherApiVersion(String),
    /// `callback_profile_id` names no profile of the account.
    #[error("callback_profile_id {0:?} is not a callback profile of this account")]
    UnknownProfile(String),
}

fn minor(p: Price) -> Result<u64, EngineError> {
    p.to_minor(MONEY_DECIMALS).ok_or_else(|| {
        EngineError::BadRequest(format!(
            "{p} has more than {MONEY_DECIMALS} decimals or is too large"
        ))
    })
}

/// The account checks before a send: API access, then the number's API version.
fn gate(account: &Account, number: &PhoneNumberId) -> Result<(), KaleyraRefusal> {
    if !account.settings.api_access {
        return Err(KaleyraRefusal::NoApiAccess);
    }
    let version = account
        .numbers
        .get(number.as_str())
        .and_then(|n| n.api_version.as_deref())
        .unwrap_or(KALEYRA_API_VERSION);
    if version != KALEYRA_API_VERSION {
        return Err(KaleyraRefusal::OtherApiVersion(version.to_owned()));
    }
    Ok(())
}

/// The SID a number is reachable through, if any.
fn sid_of(state: &State, number: &PhoneNumberId) -> Option<String> {
    state
        .numbers
        .get(number)
        .and_then(|n| n.spec.kaleyra.as_ref())
        .map(|(sid, _)| sid.clone())
}

fn known_sid(state: &State, sid: &str) -> Result<(), EngineError> {
    let known = state
        .numbers
        .values()
        .any(|n| n.spec.kaleyra.as_ref().is_some_and(|(s, _)| s == sid));
    if known {
        Ok(())
    } else {
        Err(EngineError::BadRequest(format!(
            "no number is reachable through the Kaleyra SID {sid:?}"
        )))
    }
}

/// Creates or replaces a callback profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PutProfile {
    sid: String,
    profile: CallbackProfile,
}

impl Op for PutProfile {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        known_sid(state, &self.sid)?;
        self.profile.check().map_err(EngineError::BadRequest)?;
        state
            .kaleyra_accounts
            .entry(self.sid.clone())
            .or_default()
            .profiles
            .insert(self.profile.id.clone(), self.profile.clone());
        Ok(())
    }
}

/// Deletes a callback profile (numbers that named it as their default keep no default).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DropProfile {
    sid: String,
    id: String,
}

impl Op for DropProfile {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let account = state
            .kaleyra_accounts
            .get_mut(&self.sid)
            .filter(|a| a.profiles.contains_key(&self.id))
            .ok_or_else(|| EngineError::BadRequest(format!("no callback profile {:?}", self.id)))?;
        account.profiles.remove(&self.id);
        for n in account.numbers.values_mut() {
            if n.callback_profile_id.as_deref() == Some(self.id.as_str()) {
                n.callback_profile_id = None;
            }
        }
        Ok(())
    }
}

/// Sets an account's billing, balance, price and API access.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetAccount {
    sid: String,
    settings: AccountSettings,
}

impl Op for SetAccount {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        known_sid(state, &self.sid)?;
        minor(self.settings.balance)?;
        minor(self.settings.price)?;
        state
            .kaleyra_accounts
            .entry(self.sid.clone())
            .or_default()
            .settings = self.settings.clone();
        Ok(())
    }
}

/// Sets a number's default callback profile and API version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetNumber {
    sid: String,
    number: PhoneNumberId,
    settings: NumberSettings,
}

impl Op for SetNumber {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        if sid_of(state, &self.number).as_deref() != Some(self.sid.as_str()) {
            return Err(EngineError::BadRequest(format!(
                "number {} is not reachable through the Kaleyra SID {:?}",
                self.number, self.sid
            )));
        }
        let account = state.kaleyra_accounts.entry(self.sid.clone()).or_default();
        if let Some(p) = &self.settings.callback_profile_id
            && !account.profiles.contains_key(p)
        {
            return Err(EngineError::BadRequest(format!(
                "no callback profile {p:?} on this account"
            )));
        }
        account
            .numbers
            .insert(self.number.as_str().to_owned(), self.settings.clone());
        Ok(())
    }
}

/// A send through Kaleyra's door: the account's checks and charge around the send itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KaleyraSend {
    sid: String,
    send: SendMessage,
}

impl Op for KaleyraSend {
    type Output = Sent;

    fn exec(&self, state: &mut State, at: u64) -> Result<Sent, EngineError> {
        let account = state
            .kaleyra_accounts
            .get(&self.sid)
            .cloned()
            .unwrap_or_default();
        gate(&account, self.send.number()).map_err(EngineError::Kaleyra)?;
        if let Some(p) = self
            .send
            .kaleyra()
            .and_then(|k| k.callback_profile_id.as_ref())
            && !account.profiles.contains_key(p)
        {
            return Err(EngineError::Kaleyra(KaleyraRefusal::UnknownProfile(
                p.clone(),
            )));
        }
        let price = minor(account.settings.price)?;
        let balance = minor(account.settings.balance)?;
        let prepaid = account.settings.billing == Billing::Prepaid;
        if prepaid && balance < price.max(1) {
            return Err(EngineError::Kaleyra(KaleyraRefusal::LowBalance));
        }
        let sent = self.send.exec(state, at)?;
        if prepaid && let Some(a) = state.kaleyra_accounts.get_mut(&self.sid) {
            // `price.max(1)` above keeps a zero price from sending for free forever; the
            // balance pays the price itself.
            let left = balance.saturating_sub(price);
            a.settings.balance = Price::from_minor(left, MONEY_DECIMALS).unwrap_or(Price::ZERO);
        }
        Ok(sent)
    }
}

/// A recipient of a multi-recipient request that Kaleyra did not pass on (refused after others
/// were accepted): its `not-sent` status callback. The id is new; no message exists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NotSent {
    number: PhoneNumberId,
    to: WaId,
    meta: KaleyraMeta,
    code: String,
    error: String,
}

impl Op for NotSent {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        state.number(&self.number)?;
        let id = state.new_message_id();
        on_status(
            state,
            &StatusEvent {
                meta: &self.meta,
                number: &self.number,
                wa_id: &self.to,
                id: &id,
                status: "not-sent",
                failure: Some((&self.code, &self.error)),
                at,
            },
        );
        Ok(id)
    }
}

/// The profile a callback of `event` for `number` goes to: the one the send named, else the
/// number's default; when it listens to the event.
fn profile_for<'a>(
    state: &'a State,
    sid: &str,
    number: &PhoneNumberId,
    named: Option<&str>,
    event: CallbackEvent,
) -> Option<&'a CallbackProfile> {
    let account = state.kaleyra_accounts.get(sid)?;
    let id = named.or_else(|| {
        account
            .numbers
            .get(number.as_str())
            .and_then(|n| n.callback_profile_id.as_deref())
    })?;
    account.profiles.get(id).filter(|p| p.wants(event))
}

fn refs(vars: &mut Vars, meta: Option<&KaleyraMeta>) {
    let get =
        |f: fn(&KaleyraMeta) -> Option<&String>| meta.and_then(f).cloned().unwrap_or_default();
    vars.insert("ref", get(|m| m.reference.as_ref()));
    vars.insert("ref1", get(|m| m.ref1.as_ref()));
    vars.insert("ref2", get(|m| m.ref2.as_ref()));
    vars.insert("wa_source", get(|m| m.wa_source.as_ref()));
}

/// A status of a message sent through Kaleyra's door, as its callback.
pub(crate) struct StatusEvent<'a> {
    pub(crate) meta: &'a KaleyraMeta,
    pub(crate) number: &'a PhoneNumberId,
    pub(crate) wa_id: &'a WaId,
    pub(crate) id: &'a MessageId,
    /// `sent`, `delivered`, `read`, `failed`, `not-sent`.
    pub(crate) status: &'a str,
    /// Meta's code (or Kaleyra's, for `not-sent`) and the details.
    pub(crate) failure: Option<(&'a str, &'a str)>,
    pub(crate) at: u64,
}

/// Queues the status callback of a Kaleyra send, when a profile takes it.
pub(crate) fn on_status(state: &mut State, e: &StatusEvent<'_>) {
    let Some(profile) = profile_for(
        state,
        &e.meta.sid,
        e.number,
        e.meta.callback_profile_id.as_deref(),
        CallbackEvent::MessageStatus,
    ) else {
        return;
    };
    let profile = profile.clone();
    let (waba, display) = state.number_identity(e.number);
    let price = state
        .kaleyra_accounts
        .get(&e.meta.sid)
        .map(|a| a.settings.price)
        .filter(|p| *p != Price::ZERO && e.status == StatusKind::Delivered.as_str());
    let render = || {
        let mut v = Vars::new();
        let status = e.status;
        let (error, code) = e
            .failure
            .map(|(c, d)| (d.to_owned(), c.to_owned()))
            .unwrap_or_default();
        let mut message = json!({"id": e.id, "status": status, "timestamp": (e.at / 1000).to_string(), "recipient_id": e.wa_id});
        if let Some((c, d)) = e.failure {
            // Meta's codes are numbers with a title; Kaleyra's (`not-sent`) are text.
            let (code, title) = match c.parse::<u32>() {
                Ok(n) => (json!(n), wacart_schema::codes::title(n)),
                Err(_) => (json!(c), d),
            };
            message["errors"] = json!([{"code": code, "title": title, "message": d}]);
        }
        v.insert("id", e.id.to_string());
        v.insert("custom_response", String::new());
        v.insert("timestamp", (e.at / 1000).to_string());
        v.insert("mobile", e.wa_id.to_string());
        v.insert("message", message.to_string());
        v.insert("status", status.to_owned());
        v.insert("phone_number", display.clone());
        v.insert("error", error);
        v.insert("error_code", code);
        v.insert("price", price.map(|p| p.to_string()).unwrap_or_default());
        v.insert("callback_profile_id", profile.id.clone());
        refs(&mut v, Some(e.meta));
        profile.render(&v)
    };
    state.push_callback(&waba, "statuses", render, e.at);
}

/// Queues the incoming-message callback of a number's default profile, if it has one. The
/// refs are those of the business message the customer answered (its `context`), when that
/// went through Kaleyra's door and is still in memory.
pub(crate) fn on_inbound(
    state: &mut State,
    number: &PhoneNumberId,
    person: &Person,
    message: &InboundMessage,
    at: u64,
) {
    let Some(sid) = sid_of(state, number) else {
        return;
    };
    let Some(profile) = profile_for(state, &sid, number, None, CallbackEvent::IncomingMessage)
    else {
        return;
    };
    let profile = profile.clone();
    let answered: Option<KaleyraMeta> = message
        .context
        .as_ref()
        .and_then(|c| c.id.as_ref())
        .and_then(|id| state.messages.get(id))
        .and_then(|(key, pos)| state.threads.get(key).and_then(|t| t.get(*pos)))
        .and_then(|e| match e {
            Entry::Out(o) => o.kaleyra.as_deref().cloned(),
            Entry::In(_) => None,
        });
    let (waba, display) = state.number_identity(number);
    let render = || {
        let mut v = Vars::new();
        let whole = serde_json::to_value(message).unwrap_or(Value::Null);
        let from = message
            .from
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| message.from_user_id.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        let (body, custom) = content_text(&message.content, &whole);
        let mut contact = json!({"profile": {"name": person.name}});
        if let Some(p) = &person.phone {
            contact["wa_id"] = json!(p);
        }
        if let Some(u) = &person.user_id {
            contact["user_id"] = json!(u);
        }
        let kind = message.content.kind().to_owned();
        let location = match &message.content {
            InboundContent::Location(_) => whole.get("location").map(Value::to_string),
            _ => None,
        };
        v.insert("body", body);
        v.insert(
            "mime_type",
            whole
                .pointer(&format!("/{kind}/mime_type"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        );
        v.insert("media_url", String::new());
        v.insert("from", from.clone());
        v.insert("name", person.name.clone());
        v.insert("type", kind);
        v.insert("created_at", (at / 1000).to_string());
        v.insert(
            "reply_to",
            message
                .context
                .as_ref()
                .and_then(|c| c.id.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
        v.insert("wanumber", display.clone());
        v.insert("mobile", from);
        v.insert("custom_response", custom);
        v.insert("message", whole.to_string());
        v.insert("contacts", json!([contact]).to_string());
        v.insert("location", location.unwrap_or_default());
        v.insert("id", message.id.to_string());
        v.insert("callback_profile_id", profile.id.clone());
        refs(&mut v, answered.as_ref());
        profile.render(&v)
    };
    state.push_callback(&waba, "messages", render, at);
}

/// `body` and `custom_response` of an incoming message: the text a person reads, and the id of
/// the button or row tapped.
fn content_text(content: &InboundContent, whole: &Value) -> (String, String) {
    let s = |p: &str| {
        whole
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match content {
        InboundContent::Text(_) => (s("/text/body"), String::new()),
        InboundContent::Order(_) => (s("/order/text"), String::new()),
        InboundContent::Interactive(_) => {
            let kind = s("/interactive/type");
            (
                s(&format!("/interactive/{kind}/title")),
                s(&format!("/interactive/{kind}/id")),
            )
        }
        InboundContent::Image(_) => (s("/image/caption"), String::new()),
        InboundContent::Location(_) => (s("/location/name"), String::new()),
        InboundContent::Reaction(_) => (s("/reaction/emoji"), String::new()),
        _ => (String::new(), String::new()),
    }
}

impl Sandbox {
    /// Creates or replaces a callback profile of the Kaleyra account `sid`.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for an unknown SID or a profile [`CallbackProfile::check`]
    /// refuses.
    pub fn kaleyra_put_profile(
        &mut self,
        sid: &str,
        profile: CallbackProfile,
    ) -> Result<Ack<()>, EngineError> {
        self.run(PutProfile {
            sid: sid.to_owned(),
            profile,
        })
    }

    /// Deletes a callback profile.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] when there is no such profile.
    pub fn kaleyra_drop_profile(&mut self, sid: &str, id: &str) -> Result<Ack<()>, EngineError> {
        self.run(DropProfile {
            sid: sid.to_owned(),
            id: id.to_owned(),
        })
    }

    /// Sets a Kaleyra account's billing, balance, price and API access.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for an unknown SID or amounts with more than 4 decimals.
    pub fn kaleyra_set_account(
        &mut self,
        sid: &str,
        settings: AccountSettings,
    ) -> Result<Ack<()>, EngineError> {
        self.run(SetAccount {
            sid: sid.to_owned(),
            settings,
        })
    }

    /// Sets a number's default callback profile and API version.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] when the number is not the account's, or the profile unknown.
    pub fn kaleyra_set_number(
        &mut self,
        sid: &str,
        number: &PhoneNumberId,
        settings: NumberSettings,
    ) -> Result<Ack<()>, EngineError> {
        self.run(SetNumber {
            sid: sid.to_owned(),
            number: number.clone(),
            settings,
        })
    }

    /// Records that Kaleyra did not pass a message to `to` on (a recipient refused after others
    /// of the request were accepted): its `not-sent` callback, with Kaleyra's `code` and
    /// `error`. Answers the id the callback carries.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`].
    pub fn kaleyra_not_sent(
        &mut self,
        number: &PhoneNumberId,
        to: &WaId,
        meta: KaleyraMeta,
        code: &str,
        error: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        self.run(NotSent {
            number: number.clone(),
            to: to.clone(),
            meta,
            code: code.to_owned(),
            error: error.to_owned(),
        })
    }

    /// A Kaleyra account as it is now (`None` for an unknown SID).
    pub fn kaleyra_account(&self, sid: &str) -> Option<AccountView> {
        let reachable = self
            .state
            .numbers
            .values()
            .any(|n| n.spec.kaleyra.as_ref().is_some_and(|(s, _)| s == sid));
        if !reachable {
            return None;
        }
        let a = self
            .state
            .kaleyra_accounts
            .get(sid)
            .cloned()
            .unwrap_or_default();
        Some(AccountView {
            sid: sid.to_owned(),
            settings: a.settings,
            callback_profiles: a.profiles.into_values().collect(),
            numbers: a.numbers,
        })
    }

    /// The account checks a send through Kaleyra's door meets first: API access, the number's
    /// API version.
    ///
    /// # Errors
    /// The [`KaleyraRefusal`].
    pub fn kaleyra_gate(&self, sid: &str, number: &PhoneNumberId) -> Result<(), KaleyraRefusal> {
        match self.state.kaleyra_accounts.get(sid) {
            Some(a) => gate(a, number),
            None => Ok(()),
        }
    }

    /// Accepts a message through Kaleyra's door: the account's checks (API access, API version,
    /// the callback profile, the prepaid balance), then the send, then the charge. `meta`
    /// travels with the message to its callbacks.
    ///
    /// # Errors
    /// [`EngineError::Kaleyra`], or what [`Sandbox::send`] answers.
    pub fn kaleyra_send(
        &mut self,
        number: &PhoneNumberId,
        message: OutboundMessage,
        meta: KaleyraMeta,
    ) -> Result<Ack<Sent>, EngineError> {
        self.run(KaleyraSend {
            sid: meta.sid.clone(),
            send: SendMessage::through_kaleyra(number.clone(), message, Door::Kaleyra, meta),
        })
    }
}
