//! Kaleyra's data as the state holds it — accounts (profiles, billing, numbers' settings) and
//! the refs a Kaleyra send keeps on its message — and the rendering of the status and
//! incoming-message callbacks from a profile (docs/providers.md §1). Pure: the state calls
//! these when a status or an incoming message happens and queues what they render; the
//! commands that change accounts are in `kaleyra.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wacart_schema::{
    InboundContent, InboundMessage, MessageId, PhoneNumberId, Price, StatusKind, UserId, WaId,
};

use crate::callbacks::{CallbackEvent, CallbackProfile, Target, Vars};

/// Decimals kept for balances and prices (Kaleyra prices to four places, `0.7875`).
pub(crate) const MONEY_DECIMALS: u8 = 4;

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

/// The account checks before a send: API access, then the number's API version.
pub(crate) fn gate(account: &Account, number: &PhoneNumberId) -> Result<(), KaleyraRefusal> {
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

/// The profile a callback of `event` for `number` of the account `sid` goes to: the one the
/// send named, else the number's default; when it listens to the event.
pub(crate) fn profile_for<'a>(
    accounts: &'a BTreeMap<String, Account>,
    sid: &str,
    number: &PhoneNumberId,
    named: Option<&str>,
    event: CallbackEvent,
) -> Option<&'a CallbackProfile> {
    let account = accounts.get(sid)?;
    let id = named.or_else(|| {
        account
            .numbers
            .get(number.as_str())
            .and_then(|n| n.callback_profile_id.as_deref())
    })?;
    account.profiles.get(id).filter(|p| p.wants(event))
}

/// The price a `delivered` callback shows: the account's per-message price, when it has one.
pub(crate) fn price_on(
    accounts: &BTreeMap<String, Account>,
    sid: &str,
    status: &str,
) -> Option<Price> {
    accounts
        .get(sid)
        .map(|a| a.settings.price)
        .filter(|p| *p != Price::ZERO && status == StatusKind::Delivered.as_str())
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
    /// The business number, digits.
    pub(crate) display: &'a str,
    pub(crate) wa_id: &'a WaId,
    pub(crate) id: &'a MessageId,
    /// `sent`, `delivered`, `read`, `failed`, `not-sent`.
    pub(crate) status: &'a str,
    /// Meta's code (or Kaleyra's, for `not-sent`) and the details.
    pub(crate) failure: Option<(&'a str, &'a str)>,
    pub(crate) price: Option<Price>,
    pub(crate) at: u64,
}

/// The status callback of `profile`.
pub(crate) fn render_status(profile: &CallbackProfile, e: &StatusEvent<'_>) -> (Target, Vec<u8>) {
    let mut v = Vars::new();
    let (error, code) = e
        .failure
        .map(|(c, d)| (d.to_owned(), c.to_owned()))
        .unwrap_or_default();
    let mut message = json!({"id": e.id, "status": e.status, "timestamp": (e.at / 1000).to_string(), "recipient_id": e.wa_id});
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
    v.insert("status", e.status.to_owned());
    v.insert("phone_number", e.display.to_owned());
    v.insert("error", error);
    v.insert("error_code", code);
    v.insert("price", e.price.map(|p| p.to_string()).unwrap_or_default());
    v.insert("callback_profile_id", profile.id.clone());
    refs(&mut v, Some(e.meta));
    profile.render(&v)
}

/// An incoming message, as its callback.
pub(crate) struct IncomingEvent<'a> {
    /// The customer's profile name.
    pub(crate) name: &'a str,
    /// Their number, when Meta shares it.
    pub(crate) phone: Option<&'a WaId>,
    /// Their BSUID.
    pub(crate) user_id: Option<&'a UserId>,
    pub(crate) message: &'a InboundMessage,
    /// The business number, digits.
    pub(crate) display: &'a str,
    /// The refs of the business message it answers, when that went through Kaleyra's door.
    pub(crate) answered: Option<&'a KaleyraMeta>,
    pub(crate) at: u64,
}

/// The incoming-message callback of `profile`.
pub(crate) fn render_incoming(
    profile: &CallbackProfile,
    e: &IncomingEvent<'_>,
) -> (Target, Vec<u8>) {
    let message = e.message;
    let mut v = Vars::new();
    let whole = serde_json::to_value(message).unwrap_or(Value::Null);
    let from = message
        .from
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| message.from_user_id.as_ref().map(ToString::to_string))
        .unwrap_or_default();
    let (body, custom) = content_text(&message.content, &whole);
    let mut contact = json!({"profile": {"name": e.name}});
    if let Some(p) = e.phone {
        contact["wa_id"] = json!(p);
    }
    if let Some(u) = e.user_id {
        contact["user_id"] = json!(u);
    }
    let kind = message.content.kind().to_owned();
    let location = match &message.content {
        InboundContent::Location(_) => whole.get("location").map(Value::to_string),
        _ => None,
    };
    let text = |p: &str| {
        whole
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    v.insert("body", body);
    v.insert("mime_type", text(&format!("/{kind}/mime_type")));
    v.insert("media_url", String::new());
    v.insert("from", from.clone());
    v.insert("name", e.name.to_owned());
    v.insert("type", kind);
    v.insert("created_at", (e.at / 1000).to_string());
    v.insert("reply_to", text("/context/id"));
    v.insert("wanumber", e.display.to_owned());
    v.insert("mobile", from);
    v.insert("custom_response", custom);
    v.insert("message", whole.to_string());
    v.insert("contacts", json!([contact]).to_string());
    v.insert("location", location.unwrap_or_default());
    v.insert("id", message.id.to_string());
    v.insert("callback_profile_id", profile.id.clone());
    refs(&mut v, e.answered);
    profile.render(&v)
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
