//! Kaleyra accounts as their customers meet them (docs/providers.md §1–2): callback profiles,
//! the account's billing and API access, each number's default profile and API version, and
//! sends through Kaleyra's door that carry `ref`, `ref1`, `ref2`, `wa_source` and
//! `callback_profile_id` to the status and incoming-message callbacks.
//!
//! An account is keyed by its SID. Every change is a command, so replay rebuilds it; the
//! callbacks are webhooks of the same outbox, each with its own target (method, URL, headers)
//! instead of the WABA app's callback. The data and the callbacks' rendering are in
//! `kaleyra_book.rs`, which the state uses without depending on these commands.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wacart_schema::{MessageId, OutboundMessage, PhoneNumberId, Price, WaId};

use super::kaleyra_book::{
    AccountSettings, Billing, KaleyraMeta, KaleyraRefusal, MONEY_DECIMALS, NumberSettings,
    StatusEvent, gate, price_on, profile_for, render_status,
};
use super::messages::{SendMessage, Sent};
use super::op::Op;
use super::state::State;
use super::{Ack, Door, EngineError, Sandbox};
use crate::callbacks::{CallbackEvent, CallbackProfile};

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

/// An amount in ten-thousandths: at most 4 decimals, below 100,000,000,000.
fn minor(p: Price) -> Result<u64, EngineError> {
    p.to_minor(MONEY_DECIMALS)
        .filter(|m| *m < 1_000_000_000_000_000)
        .ok_or_else(|| {
            EngineError::BadRequest(format!(
                "{p} has more than {MONEY_DECIMALS} decimals or is not below 100000000000"
            ))
        })
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
            return Err(EngineError::Conflict(format!(
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
        let profile = profile_for(
            &state.kaleyra_accounts,
            &self.meta.sid,
            &self.number,
            self.meta.callback_profile_id.as_deref(),
            CallbackEvent::MessageStatus,
        )
        .cloned();
        if let Some(profile) = profile {
            let (waba, display) = state.number_identity(&self.number);
            let event = StatusEvent {
                meta: &self.meta,
                display: &display,
                wa_id: &self.to,
                id: &id,
                status: "not-sent",
                failure: Some((&self.code, &self.error)),
                price: price_on(&state.kaleyra_accounts, &self.meta.sid, "not-sent"),
                at,
            };
            state.push_callback(&waba, "statuses", || render_status(&profile, &event), at);
        }
        Ok(id)
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
