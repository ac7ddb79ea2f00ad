//! The engine's state and the helpers every command family shares: customers, numbers, ids,
//! time, statuses, inbound messages.

use std::collections::{BTreeMap, HashMap};

use wacart_catalog::{CartKey, Carts, Catalog, CatalogError, SettingsBook};
use wacart_schema::{
    CatalogId, InboundContent, InboundMessage, MessageContext, MessageId, OutboundMessage,
    PhoneNumberId, RetailerId, StatusKind, Timestamp, WaId, WabaId, codes,
};

use super::{Door, EngineError};
use crate::model::{CURRENT_APP_VERSION, Config, Device, NumberSpec, Platform, TenantSpec};
use crate::webhooks::{Outbox, Schedule};

/// A business number as the engine keeps it.
pub(crate) struct Number {
    pub(crate) spec: NumberSpec,
    pub(crate) waba_id: WabaId,
    /// GCRA state of the throughput limit (µs).
    pub(crate) rate_tat: u64,
}

pub(crate) struct Customer {
    pub(crate) name: String,
    pub(crate) devices: BTreeMap<String, Device>,
}

/// A message in a thread.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    Out(Box<Outbound>),
    In {
        id: MessageId,
        at: u64,
        content: InboundContent,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Outbound {
    pub(crate) id: MessageId,
    pub(crate) at: u64,
    pub(crate) message: OutboundMessage,
    pub(crate) dropped: Vec<RetailerId>,
    pub(crate) status: StatusKind,
    pub(crate) failure: Option<u32>,
    pub(crate) forwarded_from: Option<MessageId>,
    pub(crate) door: Option<Door>,
}

impl Outbound {
    /// Sent or delivered, not yet read, not failed.
    pub(crate) fn unread(&self) -> bool {
        self.failure.is_none() && self.status != StatusKind::Read
    }
}

#[derive(Default)]
pub(crate) struct Thread {
    pub(crate) entries: Vec<Entry>,
    pub(crate) last_inbound_at: Option<u64>,
}

pub(crate) type ThreadKey = (PhoneNumberId, WaId);

/// Everything the commands change.
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
    pub(crate) messages: HashMap<MessageId, (ThreadKey, usize)>,
    pub(crate) carts: Carts,
    pub(crate) pair_tat: HashMap<ThreadKey, u64>,
    /// Statuses due later: (due, sequence) -> (message, status).
    pub(crate) scheduled: BTreeMap<(u64, u64), (MessageId, StatusKind)>,
    pub(crate) outbox: Outbox,
    pub(crate) counter: u64,
    /// Time already advanced to.
    pub(crate) now: u64,
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
            carts: Carts::new(),
            pair_tat: HashMap::new(),
            scheduled: BTreeMap::new(),
            outbox: Outbox::default(),
            counter: 0,
            now: 0,
        }
    }

    /// Moves time to `at`: scheduled statuses due by then happen, in due order, at their due
    /// time.
    pub(crate) fn advance_to(&mut self, at: u64) {
        if at <= self.now {
            return;
        }
        while let Some((&(due, seq), _)) = self.scheduled.first_key_value() {
            if due > at {
                break;
            }
            let Some((id, status)) = self.scheduled.remove(&(due, seq)) else {
                break;
            };
            self.set_status(&id, status, due, None);
        }
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
            }
        })
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
            return Err(EngineError::BadRequest(format!(
                "the customer has no device named {device:?}"
            )));
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
        let Some(((number, wa_id), index)) = self.messages.get(id).cloned() else {
            return;
        };
        let rank = |s: &StatusKind| match s {
            StatusKind::Sent => 1,
            StatusKind::Delivered => 2,
            StatusKind::Read => 3,
            _ => 4,
        };
        let Some(Entry::Out(out)) = self
            .threads
            .get_mut(&(number.clone(), wa_id.clone()))
            .and_then(|t| t.entries.get_mut(index))
        else {
            return;
        };
        if out.failure.is_some()
            || (rank(&status) <= rank(&out.status) && !(status == StatusKind::Sent && out.at == at))
        {
            return;
        }
        out.status = status.clone();
        out.failure = error;
        if out.forwarded_from.is_some() {
            return; // Forwards are the customer's doing: the business hears nothing.
        }
        let biz = out.message.biz_opaque_callback_data.clone();
        let failure = error.map(|code| {
            let details = match code {
                codes::REENGAGEMENT_MESSAGE => {
                    "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                }
                _ => "Message failed to send because the recipient's WhatsApp version cannot display it.",
            };
            (code, details)
        });
        let (waba, display) = self.number_identity(&number);
        let body = crate::webhooks::status_body(
            &waba,
            &display,
            &number,
            &crate::webhooks::StatusOut {
                id,
                status: status.as_str(),
                timestamp: at / 1000,
                recipient_id: &wa_id,
                biz_opaque_callback_data: biz.as_deref(),
                failure,
            },
        );
        self.outbox.push(&waba, "statuses", body, at);
        if status == StatusKind::Delivered
            && let Some(after) = self.config.read_after
        {
            let seq = self.next_id();
            self.scheduled.insert(
                (at.saturating_add(after), seq),
                (id.clone(), StatusKind::Read),
            );
        }
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
        let name = self.customer_entry(wa_id, None).name.clone();
        let id = self.new_message_id();
        let thread = self
            .threads
            .entry((number.clone(), wa_id.clone()))
            .or_default();
        thread.entries.push(Entry::In {
            id: id.clone(),
            at,
            content: content.clone(),
        });
        thread.last_inbound_at = Some(at);
        let mut message =
            InboundMessage::new(wa_id.clone(), id.clone(), Timestamp(at / 1000), content);
        message.context = context;
        let (waba, display) = self.number_identity(number);
        let body = crate::webhooks::message_body(&waba, &display, number, &name, wa_id, &message);
        self.outbox.push(&waba, "messages", body, at);
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
