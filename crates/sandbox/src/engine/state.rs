//! The engine's state and the helpers every command family shares: customers, numbers, ids,
//! time, statuses, inbound messages.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use wacart_catalog::{CartKey, Carts, Catalog, CatalogError, SettingsBook};
use wacart_schema::{
    CatalogId, InboundContent, InboundMessage, MessageContext, MessageId, OutboundMessage,
    PhoneNumberId, RetailerId, StatusKind, Timestamp, UserId, WaId, WabaId,
};

use super::{Door, EngineError};
use crate::model::{CURRENT_APP_VERSION, Config, Device, NumberSpec, Platform, TenantSpec};
use crate::store::{Effect, EntryRow};
use crate::webhooks::{ContactSpec, Delivery, NewWebhook, Schedule, StatusSpec, WebhookBody};

/// Messages each thread keeps in memory; older ones live in the store's history (with a small
/// [`Waiting`] record while a scheduled status has yet to reach them).
pub(crate) const HOT_ENTRIES: usize = 64;

/// A message that left memory with a status still scheduled: what that status needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Waiting {
    pub(crate) key: ThreadKey,
    pub(crate) pos: u64,
    pub(crate) status: StatusKind,
    pub(crate) biz_opaque_callback_data: Option<String>,
    pub(crate) scheduled: bool,
    /// Sent to the customer's BSUID (`recipient`), not their phone number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) by_user: bool,
    /// Sent through Kaleyra's door: what its callbacks carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) kaleyra: Option<Box<super::kaleyra_book::KaleyraMeta>>,
    /// A template message's pricing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pricing: Option<super::template_book::Pricing>,
}

/// A business number as the engine keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Number {
    pub(crate) spec: NumberSpec,
    pub(crate) waba_id: WabaId,
    /// GCRA state of the throughput limit (µs).
    pub(crate) rate_tat: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Customer {
    pub(crate) name: String,
    pub(crate) devices: BTreeMap<String, Device>,
    /// A username hides the phone number from businesses that have not reached it lately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
}

/// A message in a thread.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "direction", rename_all = "snake_case")]
pub(crate) enum Entry {
    #[serde(rename = "outbound")]
    Out(Box<Outbound>),
    #[serde(rename = "inbound")]
    In(Box<Inbound>),
}

impl Entry {
    pub(crate) fn id(&self) -> &MessageId {
        match self {
            Entry::Out(o) => &o.id,
            Entry::In(i) => &i.message.id,
        }
    }

    pub(crate) fn at(&self) -> u64 {
        match self {
            Entry::Out(o) => o.at,
            Entry::In(i) => i.at,
        }
    }
}

/// A message from the customer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Inbound {
    pub(crate) at: u64,
    pub(crate) message: InboundMessage,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Outbound {
    pub(crate) id: MessageId,
    pub(crate) at: u64,
    pub(crate) message: OutboundMessage,
    // Every message leaves memory into the store's history once, so what a message does not
    // carry is left out of its stored form (and of snapshots); older forms still read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) dropped: Vec<RetailerId>,
    pub(crate) status: StatusKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) forwarded_from: Option<MessageId>,
    pub(crate) door: Option<Door>,
    /// A scheduled status (delivered, read) waits on it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) scheduled: bool,
    /// Sent through Kaleyra's door: its refs and callback profile, for its callbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) kaleyra: Option<Box<super::kaleyra_book::KaleyraMeta>>,
    /// A template message: its template, what the customer sees, its pricing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) template: Option<Box<super::template_book::TemplateSent>>,
}

impl Outbound {
    /// Sent or delivered, not yet read, not failed.
    pub(crate) fn unread(&self) -> bool {
        self.failure.is_none() && self.status != StatusKind::Read
    }
}

/// A thread's recent messages; `base` is the position of the first one kept in memory.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Thread {
    pub(crate) entries: VecDeque<Entry>,
    pub(crate) base: u64,
    pub(crate) last_inbound_at: Option<u64>,
    /// When the business last sent to the customer's phone number (`to`): for 30 days after,
    /// Meta shares the number even if the customer uses a username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) phone_reached_at: Option<u64>,
    /// The last inbound message the business marked read (and every one before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) read_upto: Option<u64>,
    /// Until when the customer sees "typing…" (ms); the business's next message ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) typing_until: Option<u64>,
}

/// How long Meta keeps sharing the phone number of a customer with a username after the
/// business reached it (per business number).
pub(crate) const PHONE_LOOKBACK: u64 = 30 * crate::clock::DAY;

/// The customer as one business number sees them now: see [`crate::webhooks::Who`].
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) name: String,
    pub(crate) username: Option<String>,
    /// The phone number, when Meta shares it.
    pub(crate) phone: Option<WaId>,
    pub(crate) user_id: Option<UserId>,
}

impl Person {
    pub(crate) fn who(&self, with_username: bool) -> crate::webhooks::Who<'_> {
        crate::webhooks::Who {
            name: &self.name,
            username: self.username.as_deref().filter(|_| with_username),
            wa_id: self.phone.as_ref(),
            user_id: self.user_id.as_ref(),
        }
    }
}

impl Thread {
    /// The position the next message takes.
    pub(crate) fn end(&self) -> u64 {
        self.base + self.entries.len() as u64
    }

    pub(crate) fn get(&self, pos: u64) -> Option<&Entry> {
        self.entries
            .get(usize::try_from(pos.checked_sub(self.base)?).ok()?)
    }

    pub(crate) fn get_mut(&mut self, pos: u64) -> Option<&mut Entry> {
        self.entries
            .get_mut(usize::try_from(pos.checked_sub(self.base)?).ok()?)
    }
}

/// The webhook outbox as the state sees it: ids, and which WABAs have no callback. The
/// webhooks themselves are history, in the store.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Outbox {
    pub(crate) next_id: u64,
    #[serde(skip)]
    pub(crate) parked: HashSet<WabaId>,
}

pub(crate) type ThreadKey = (PhoneNumberId, WaId);

/// Everything the commands change.
#[derive(Clone)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) tenants: HashMap<WabaId, TenantSpec>,
    pub(crate) numbers: HashMap<PhoneNumberId, Number>,
    pub(crate) tokens: HashMap<String, PhoneNumberId>,
    pub(crate) d360_keys: HashMap<String, PhoneNumberId>,
    pub(crate) kaleyra: HashMap<(String, String), PhoneNumberId>,
    pub(crate) catalogs: HashMap<CatalogId, Catalog>,
    pub(crate) settings: SettingsBook,
    pub(crate) customers: HashMap<WaId, Customer>,
    pub(crate) threads: HashMap<ThreadKey, Thread>,
    /// The messages kept in memory: their thread and position.
    pub(crate) messages: HashMap<MessageId, (ThreadKey, u64)>,
    /// Messages out of memory that a scheduled status has yet to reach. A persistent map, as
    /// `scheduled`: both hold every status in flight (a second's sends, when statuses follow a
    /// second later), and a snapshot shares them instead of copying them under the lock.
    pub(crate) waiting: imbl::HashMap<MessageId, Waiting>,
    pub(crate) carts: Carts,
    pub(crate) pair_tat: HashMap<ThreadKey, u64>,
    /// Statuses due later: (due, sequence) -> (message, status).
    pub(crate) scheduled: imbl::OrdMap<(u64, u64), (MessageId, StatusKind)>,
    pub(crate) outbox: Outbox,
    /// Uploaded media (their bytes live in the server's blob store).
    pub(crate) media: super::media_book::MediaBook,
    /// Kaleyra accounts by SID: callback profiles, billing, numbers' settings.
    pub(crate) kaleyra_accounts: BTreeMap<String, super::kaleyra_book::Account>,
    /// Message templates, of every WABA.
    pub(crate) templates: super::template_book::TemplateBook,
    pub(crate) counter: u64,
    /// Time already advanced to.
    pub(crate) now: u64,
    /// History made since the last collection: messages leaving memory, new webhooks,
    /// parking changes.
    pub(crate) effects: Vec<Effect>,
    /// Replaying the log: the history it makes is in the store already, so it is not built.
    pub(crate) replaying: bool,
    /// While history is rebuilt from a log written before history was kept: every webhook,
    /// so the old log's attempts can be applied to it.
    pub(crate) rebuild: Option<HashMap<u64, Delivery>>,
}

impl State {
    pub(crate) fn new() -> Self {
        State {
            config: Config::default(),
            tenants: HashMap::new(),
            numbers: HashMap::new(),
            tokens: HashMap::new(),
            d360_keys: HashMap::new(),
            kaleyra: HashMap::new(),
            catalogs: HashMap::new(),
            settings: SettingsBook::new(),
            customers: HashMap::new(),
            threads: HashMap::new(),
            messages: HashMap::new(),
            waiting: imbl::HashMap::new(),
            carts: Carts::new(),
            pair_tat: HashMap::new(),
            scheduled: imbl::OrdMap::new(),
            outbox: Outbox::default(),
            media: super::media_book::MediaBook::default(),
            kaleyra_accounts: BTreeMap::new(),
            templates: super::template_book::TemplateBook::default(),
            counter: 0,
            now: 0,
            effects: Vec::new(),
            replaying: false,
            rebuild: None,
        }
    }

    /// The history made since the last call, in the order it happened.
    pub(crate) fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Adds a message to a thread, and lets the oldest ones (beyond [`HOT_ENTRIES`], not
    /// waiting on a status) leave memory: each is written to history once, as it is when it
    /// leaves. A message in memory is in the snapshot and the log, so it needs no other copy.
    pub(crate) fn push_entry(&mut self, key: &ThreadKey, entry: Entry) -> u64 {
        let thread = self.threads.entry(key.clone()).or_default();
        let pos = thread.end();
        let id = entry.id().clone();
        thread.entries.push_back(entry);
        while thread.entries.len() > HOT_ENTRIES {
            let Some(old) = thread.entries.pop_front() else {
                break;
            };
            let old_pos = thread.base;
            thread.base += 1;
            self.messages.remove(old.id());
            if let Entry::Out(o) = &old
                && o.scheduled
            {
                let waiting = Waiting {
                    key: key.clone(),
                    pos: old_pos,
                    status: o.status.clone(),
                    biz_opaque_callback_data: o.message.biz_opaque_callback_data.clone(),
                    scheduled: true,
                    by_user: o.message.to.is_none(),
                    kaleyra: o.kaleyra.clone(),
                    pricing: o.template.as_ref().map(|t| t.pricing),
                };
                self.waiting.insert(o.id.clone(), waiting);
            }
            if self.replaying {
                continue;
            }
            // Entries are plain data: encoding cannot fail.
            let body = serde_json::to_vec(&old).unwrap_or_default();
            self.effects.push(Effect::Entry(EntryRow {
                number: key.0.clone(),
                wa_id: key.1.clone(),
                pos: old_pos,
                id: old.id().clone(),
                at: old.at(),
                body,
            }));
        }
        self.messages.insert(id, (key.clone(), pos));
        pos
    }

    /// Queues a webhook for the WABA's app.
    pub(crate) fn push_delivery(
        &mut self,
        waba_id: &WabaId,
        kind: &'static str,
        body: impl FnOnce() -> Vec<u8>,
        at: u64,
    ) {
        self.push_outbox(
            waba_id,
            kind,
            || (None, WebhookBody::Bytes(body().into())),
            at,
        );
    }

    /// Queues a status webhook for the WABA's app, kept unrendered (see [`StatusSpec`]).
    pub(crate) fn push_status(
        &mut self,
        waba_id: &WabaId,
        spec: impl FnOnce() -> StatusSpec,
        at: u64,
    ) {
        self.push_outbox(
            waba_id,
            "statuses",
            || (None, WebhookBody::Status(Box::new(spec()))),
            at,
        );
    }

    /// Queues a provider's callback (a Kaleyra callback profile's request): the same outbox,
    /// its own target, never parked.
    pub(crate) fn push_callback(
        &mut self,
        waba_id: &WabaId,
        kind: &'static str,
        render: impl FnOnce() -> (crate::callbacks::Target, Vec<u8>),
        at: u64,
    ) {
        self.push_outbox(
            waba_id,
            kind,
            || {
                let (target, body) = render();
                (Some(target), WebhookBody::Bytes(body.into()))
            },
            at,
        );
    }

    fn push_outbox(
        &mut self,
        waba_id: &WabaId,
        kind: &'static str,
        make: impl FnOnce() -> (Option<crate::callbacks::Target>, WebhookBody),
        at: u64,
    ) {
        self.outbox.next_id += 1;
        if self.replaying {
            return;
        }
        let (target, body) = make();
        let webhook = NewWebhook {
            id: self.outbox.next_id,
            waba_id: waba_id.clone(),
            kind,
            created_at: at,
            target,
            body,
        };
        let parked = webhook.target.is_none() && self.outbox.parked.contains(waba_id);
        if let Some(rebuild) = &mut self.rebuild {
            rebuild.insert(webhook.id, webhook.delivery());
        }
        self.effects.push(Effect::NewDelivery { webhook, parked });
    }

    /// Holds a WABA's webhooks (no callback) or releases them (a callback was set).
    pub(crate) fn set_parked(&mut self, waba_id: &WabaId, parked: bool) {
        let changed = if parked {
            self.outbox.parked.insert(waba_id.clone())
        } else {
            self.outbox.parked.remove(waba_id)
        };
        if changed {
            self.effects.push(Effect::Park {
                waba_id: waba_id.clone(),
                parked,
            });
        }
    }

    /// Schedules a status for an outbound message kept in memory.
    pub(crate) fn schedule_status(&mut self, id: &MessageId, status: StatusKind, due: u64) {
        if let Some((key, pos)) = self.messages.get(id).cloned() {
            if let Some(Entry::Out(o)) = self.threads.get_mut(&key).and_then(|t| t.get_mut(pos)) {
                o.scheduled = true;
            }
        } else if let Some(w) = self.waiting.get_mut(id) {
            w.scheduled = true;
        } else {
            return;
        }
        let seq = self.next_id();
        self.scheduled.insert((due, seq), (id.clone(), status));
    }

    /// Moves time to `at`: scheduled statuses due by then happen, in due order, at their due
    /// time.
    pub(crate) fn advance_to(&mut self, at: u64) {
        if at <= self.now {
            return;
        }
        while let Some(&((due, seq), _)) = self.scheduled.get_min() {
            if due > at {
                break;
            }
            let Some((id, status)) = self.scheduled.remove(&(due, seq)) else {
                break;
            };
            if let Some((key, pos)) = self.messages.get(&id).cloned()
                && let Some(Entry::Out(o)) = self.threads.get_mut(&key).and_then(|t| t.get_mut(pos))
            {
                o.scheduled = false;
            }
            if let Some(w) = self.waiting.get_mut(&id) {
                w.scheduled = false;
            }
            self.set_status(&id, status, due, None);
            // Out of memory and nothing more scheduled: nothing will reach it again.
            if self.waiting.get(&id).is_some_and(|w| !w.scheduled) {
                self.waiting.remove(&id);
            }
        }
        self.media.expire(at);
        super::template_book::review_due(self, at);
        self.now = at;
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn new_message_id(&mut self) -> MessageId {
        let n = self.next_id();
        MessageId::new(format!("wamid.HBgL{n:012}V2FjYXJ0U2FuZGJveA"))
    }

    pub(crate) fn schedule(&self) -> Schedule {
        Schedule {
            base: self.config.retry_base,
            max_interval: self.config.retry_max_interval,
            horizon: self.config.retry_horizon,
        }
    }

    /// The customer, created (with one current Android device, `phone`) when new.
    pub(crate) fn customer_entry(&mut self, wa_id: &WaId, name: Option<&str>) -> &mut Customer {
        self.customers.entry(wa_id.clone()).or_insert_with(|| {
            let mut devices = BTreeMap::new();
            devices.insert(
                "phone".to_owned(),
                Device::new(Platform::Android, CURRENT_APP_VERSION),
            );
            let chars: Vec<char> = wa_id.as_str().chars().collect();
            let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
            Customer {
                name: name.map_or_else(|| format!("Customer {tail}"), str::to_owned),
                devices,
                username: None,
            }
        })
    }

    /// The customer of a thread as its business number sees them at `at`.
    pub(crate) fn person(&self, key: &ThreadKey, at: u64) -> Person {
        let (number, wa_id) = key;
        let customer = self.customers.get(wa_id);
        let username = customer.and_then(|c| c.username.clone());
        let reached = self
            .threads
            .get(key)
            .and_then(|t| t.phone_reached_at)
            .is_some_and(|t| at.saturating_sub(t) <= PHONE_LOOKBACK);
        let waba = self.numbers.get(number).map(|n| &n.waba_id);
        Person {
            name: customer.map(|c| c.name.clone()).unwrap_or_default(),
            phone: (username.is_none() || reached).then(|| wa_id.clone()),
            username,
            user_id: waba.and_then(|w| crate::bsuid::bsuid(w, wa_id)),
        }
    }

    pub(crate) fn number(&self, id: &PhoneNumberId) -> Result<&Number, EngineError> {
        self.numbers
            .get(id)
            .ok_or_else(|| EngineError::UnknownNumber(id.clone()))
    }

    /// The number's WABA and display number.
    pub(crate) fn number_identity(&self, number: &PhoneNumberId) -> (WabaId, String) {
        self.numbers
            .get(number)
            .map(|n| (n.waba_id.clone(), n.spec.display_number.clone()))
            .unwrap_or_default()
    }

    /// The catalog linked to `number`.
    pub(crate) fn linked_catalog(&self, number: &PhoneNumberId) -> Result<&Catalog, EngineError> {
        linked_catalog(&self.settings, &self.catalogs, number)
    }

    /// The cart of a customer's device with a business number, once all three are known.
    pub(crate) fn cart_key(
        &self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> Result<CartKey, EngineError> {
        self.number(number)?;
        let customer = self
            .customers
            .get(wa_id)
            .ok_or(EngineError::UnknownCustomer)?;
        if !customer.devices.contains_key(device) {
            return Err(EngineError::UnknownDevice(device.to_owned()));
        }
        Ok(CartKey::new(
            number.clone(),
            wa_id.clone(),
            wacart_catalog::DeviceId::new(device),
        ))
    }

    /// Moves an outbound message's status forward (never back) and queues its webhook.
    pub(crate) fn set_status(
        &mut self,
        id: &MessageId,
        status: StatusKind,
        at: u64,
        error: Option<u32>,
    ) {
        let rank = |s: &StatusKind| match s {
            StatusKind::Sent => 1,
            StatusKind::Delivered => 2,
            StatusKind::Read => 3,
            _ => 4,
        };
        let moves = |current: &StatusKind, sent_at: Option<u64>| {
            rank(&status) > rank(current)
                || (status == StatusKind::Sent && sent_at == Some(at) && *current == status)
        };
        // In memory, or out of it with a status still scheduled (then history is updated).
        let ((number, wa_id), biz, by_user, kaleyra, pricing) =
            if let Some((key, pos)) = self.messages.get(id).cloned() {
                let Some(Entry::Out(out)) = self.threads.get_mut(&key).and_then(|t| t.get_mut(pos))
                else {
                    return;
                };
                if out.failure.is_some() || !moves(&out.status, Some(out.at)) {
                    return;
                }
                out.status = status.clone();
                out.failure = error;
                if out.forwarded_from.is_some() {
                    return; // Forwards are the customer's doing: the business hears nothing.
                }
                let by_user = out.message.to.is_none();
                let kaleyra = out.kaleyra.clone();
                let pricing = out.template.as_ref().map(|t| t.pricing);
                (
                    key,
                    out.message.biz_opaque_callback_data.clone(),
                    by_user,
                    kaleyra,
                    pricing,
                )
            } else if let Some(w) = self.waiting.get_mut(id) {
                if !moves(&w.status, None) {
                    return;
                }
                w.status = status.clone();
                let (key, pos) = (w.key.clone(), w.pos);
                let biz = w.biz_opaque_callback_data.clone();
                let (by_user, pricing) = (w.by_user, w.pricing);
                let kaleyra = w.kaleyra.clone();
                if !self.replaying {
                    self.effects.push(Effect::EntryStatus {
                        number: key.0.clone(),
                        wa_id: key.1.clone(),
                        pos,
                        status: status.as_str().to_owned(),
                    });
                }
                (key, biz, by_user, kaleyra, pricing)
            } else {
                return;
            };
        let failure = error.map(|code| (code, crate::webhooks::failure_details(code)));
        let (waba, display) = self.number_identity(&number);
        let key = (number, wa_id);
        let person = self.person(&key, at);
        let failed = failure.is_some();
        // Meta's rules: the number when the message went to it (or is shared); the BSUID always,
        // but on a failed status of a message sent to a number; no contact on a failed status;
        // the username on delivered and read only.
        let recipient_id = if by_user {
            person.phone.as_ref()
        } else {
            Some(&key.1)
        };
        let contact = (!failed).then(|| person.who(status != StatusKind::Sent));
        let recipient_user_id = person.user_id.as_ref().filter(|_| by_user || !failed);
        let spec = || {
            StatusSpec {
                waba_id: waba.clone(),
                display: display.clone(),
                number: key.0.clone(),
                contact: contact.map(ContactSpec::from),
                id: id.clone(),
                status: status.as_str().to_owned(),
                timestamp: at / 1000,
                recipient_id: None,
                recipient_user_id: None,
                recipient_is_contact: false,
                biz_opaque_callback_data: biz.clone(),
                failure: error,
                pricing: pricing.map(|p| {
                    let (billable, kind, category) = p.parts();
                    (billable, kind.to_owned(), category.to_owned())
                }),
            }
            .with_recipient(recipient_id.cloned(), recipient_user_id.cloned())
        };
        let waba_id = waba.clone();
        self.push_status(&waba_id, spec, at);
        // Sent through Kaleyra's door: the status callback of the profile the send named (or the
        // number's default), with the send's refs.
        if let Some(meta) = &kaleyra
            && let Some(profile) = super::kaleyra_book::profile_for(
                &self.kaleyra_accounts,
                &meta.sid,
                &key.0,
                meta.callback_profile_id.as_deref(),
                crate::callbacks::CallbackEvent::MessageStatus,
            )
            .cloned()
        {
            let code = failure.map(|(c, _)| c.to_string()).unwrap_or_default();
            let event = super::kaleyra_book::StatusEvent {
                meta,
                display: &display,
                wa_id: &key.1,
                id,
                status: status.as_str(),
                failure: failure.map(|(_, d)| (code.as_str(), d)),
                price: super::kaleyra_book::price_on(
                    &self.kaleyra_accounts,
                    &meta.sid,
                    status.as_str(),
                ),
                at,
            };
            let render = || super::kaleyra_book::render_status(&profile, &event);
            self.push_callback(&waba_id, "statuses", render, at);
        }
        if status == StatusKind::Delivered
            && let Some(after) = self.config.read_after
        {
            self.schedule_status(id, StatusKind::Read, at.saturating_add(after));
        }
    }

    /// Queues the incoming-message callback of the number's Kaleyra profile, if it has one,
    /// with the refs of the business message the customer answered (its `context`, when that
    /// went through Kaleyra's door and is still in memory).
    fn kaleyra_incoming(
        &mut self,
        number: &PhoneNumberId,
        person: &Person,
        message: &InboundMessage,
        display: &str,
        at: u64,
    ) {
        let Some((sid, _)) = self
            .numbers
            .get(number)
            .and_then(|n| n.spec.kaleyra.as_ref())
        else {
            return;
        };
        let Some(profile) = super::kaleyra_book::profile_for(
            &self.kaleyra_accounts,
            sid,
            number,
            None,
            crate::callbacks::CallbackEvent::IncomingMessage,
        )
        .cloned() else {
            return;
        };
        let answered = message
            .context
            .as_ref()
            .and_then(|c| c.id.as_ref())
            .and_then(|id| self.messages.get(id))
            .and_then(|(key, pos)| self.threads.get(key).and_then(|t| t.get(*pos)))
            .and_then(|e| match e {
                Entry::Out(o) => o.kaleyra.as_deref().cloned(),
                Entry::In(_) => None,
            });
        let waba = self
            .numbers
            .get(number)
            .map(|n| n.waba_id.clone())
            .unwrap_or_default();
        let event = super::kaleyra_book::IncomingEvent {
            name: &person.name,
            phone: person.phone.as_ref(),
            user_id: person.user_id.as_ref(),
            message,
            display,
            answered: answered.as_ref(),
            at,
        };
        let render = || super::kaleyra_book::render_incoming(&profile, &event);
        self.push_callback(&waba, "messages", render, at);
    }

    /// Records an inbound message (opens the window) and queues its webhook.
    pub(crate) fn inbound(
        &mut self,
        at: u64,
        wa_id: &WaId,
        number: &PhoneNumberId,
        content: InboundContent,
        context: Option<MessageContext>,
    ) -> MessageId {
        self.customer_entry(wa_id, None);
        let key = (number.clone(), wa_id.clone());
        let person = self.person(&key, at);
        let id = self.new_message_id();
        let mut message =
            InboundMessage::new(wa_id.clone(), id.clone(), Timestamp(at / 1000), content);
        message.from.clone_from(&person.phone);
        message.from_user_id.clone_from(&person.user_id);
        message.context = context;
        let (waba, display) = self.number_identity(number);
        let body =
            || crate::webhooks::message_body(&waba, &display, number, person.who(true), &message);
        let waba_id = waba.clone();
        self.push_delivery(&waba_id, "messages", body, at);
        self.kaleyra_incoming(number, &person, &message, &display, at);
        self.push_entry(&key, Entry::In(Box::new(Inbound { at, message })));
        if let Some(t) = self.threads.get_mut(&key) {
            t.last_inbound_at = Some(at);
        }
        id
    }
}

/// The catalog linked to `number` (borrowing only the fields it reads, so the carts stay free
/// to borrow mutably beside it).
pub(crate) fn linked_catalog<'a>(
    settings: &SettingsBook,
    catalogs: &'a HashMap<CatalogId, Catalog>,
    number: &PhoneNumberId,
) -> Result<&'a Catalog, EngineError> {
    settings
        .linked_catalog(number)
        .and_then(|c| catalogs.get(c))
        .ok_or_else(|| EngineError::from_catalog(&CatalogError::CatalogNotLinked(None)))
}

#[cfg(test)]
mod tests {
    use super::Entry;

    /// How a sent message was stored before its empty fields were left out.
    const WITH_EVERY_FIELD: &str = r#"{"direction":"outbound","id":"wamid.HBgL000000010000V2FjYXJ0U2FuZGJveA","at":1796648143837,"message":{"messaging_product":"whatsapp","to":"15551230001","type":"interactive","interactive":{"type":"product","body":{"text":"Today's pick"},"action":{"catalog_id":"300000000000001","product_retailer_id":"pear-1kg"}}},"dropped":[],"status":"delivered","failure":null,"forwarded_from":null,"door":"meta","scheduled":true}"#;

    #[test]
    fn a_stored_entry_leaves_out_what_the_message_does_not_carry_and_older_forms_still_read() {
        let old: Entry = serde_json::from_str(WITH_EVERY_FIELD).unwrap();
        let stored = serde_json::to_string(&old).unwrap();
        for key in ["dropped", "failure", "forwarded_from"] {
            assert!(!stored.contains(key), "{key} in {stored}");
        }
        assert!(stored.len() + 40 < WITH_EVERY_FIELD.len(), "{stored}");
        // Both forms read to the same entry.
        let again: Entry = serde_json::from_str(&stored).unwrap();
        assert_eq!(serde_json::to_string(&again).unwrap(), stored);
        // What a message does carry is kept.
        let failed = WITH_EVERY_FIELD
            .replace(r#""dropped":[]"#, r#""dropped":["kiwi-1"]"#)
            .replace(r#""failure":null"#, r#""failure":131047"#)
            .replace(r#""forwarded_from":null"#, r#""forwarded_from":"wamid.X""#);
        let entry: Entry = serde_json::from_str(&failed).unwrap();
        let Entry::Out(out) = entry else {
            panic!("an outbound entry")
        };
        assert_eq!(out.dropped.len(), 1);
        assert_eq!(out.failure, Some(131_047));
        assert_eq!(
            out.forwarded_from.as_ref().map(|m| m.as_str()),
            Some("wamid.X")
        );
    }
}
