//! The engine: a state machine over an injected clock. Every change is a [`Command`]; a command
//! that succeeds is appended to the store, and opening a store replays its commands, so state
//! after a restart is exactly state before it.
//!
//! Determinism is what makes replay exact: a command carries its time, ids come from counters in
//! the state, and scheduled statuses are produced by [`Sandbox::advance`] at their due time, in
//! due order, whenever time moves — so it does not matter whether a tick or the next command
//! moved it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_catalog::{
    CartKey, Carts, Catalog, CatalogError, CommerceSettings, Resolved, SettingsBook,
    SettingsUpdate, resolve,
};
use wacart_schema::{
    CatalogId, Content, GraphError, InboundContent, InboundMessage, InboundText, Interactive,
    ItemsBatchRequest, MessageContext, MessageId, Options, OutboundMessage, PhoneNumberId,
    RetailerId, StatusKind, Timestamp, WaId, WabaId, WebhookError, codes,
};

use crate::clock::{Clock, HOUR};
use crate::model::{
    AppSpec, CURRENT_APP_VERSION, Config, CustomerSpec, Device, NumberSpec, Platform, TenantSpec,
    WindowMode,
};
use crate::store::{Store, StoreError};
use crate::webhooks::{Attempt, Delivery, Outbox, Schedule};

/// The customer-service window.
pub const WINDOW: u64 = 24 * HOUR;

/// Why a command was refused. Nothing changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// What Meta's Graph API would answer (131009, 131047, 130429, 131056, ...).
    #[error("({code}) {details}", code = .0.code, details = .0.details().unwrap_or(""))]
    Graph(Box<GraphError>),
    /// No such business number.
    #[error("unknown phone number id {0}")]
    UnknownNumber(PhoneNumberId),
    /// No such customer.
    #[error("unknown customer")]
    UnknownCustomer,
    /// No such message in the customer's threads.
    #[error("unknown message {0}")]
    UnknownMessage(MessageId),
    /// No such catalog.
    #[error("unknown catalog {0}")]
    UnknownCatalog(CatalogId),
    /// No such webhook delivery.
    #[error("unknown delivery {0}")]
    UnknownDelivery(u64),
    /// A tenant, number or customer with this id exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// A cart rule refused the change (quantity, purchasability, cart disabled, empty cart).
    #[error(transparent)]
    Cart(CatalogError),
    /// The request is malformed in a way the door-level checks did not catch.
    #[error("{0}")]
    BadRequest(String),
    /// The store failed; the command was not accepted.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    fn graph(code: u32, details: impl Into<String>) -> Self {
        EngineError::Graph(Box::new(GraphError::new(code, details, "wacart-sandbox")))
    }

    fn from_catalog(e: &CatalogError) -> Self {
        EngineError::Graph(Box::new(e.to_graph_error("wacart-sandbox")))
    }
}

/// An accepted command's answer and the log position to wait on before telling anyone.
#[derive(Debug)]
#[must_use = "wait for `seq` to be durable before acknowledging"]
pub struct Ack<T> {
    /// The answer.
    pub value: T,
    /// The command's position in the store (`None` when nothing changed).
    pub seq: Option<u64>,
}

/// Which door a send came through (kept with the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Door {
    /// Meta's Cloud API.
    Meta,
    /// 360dialog.
    #[serde(rename = "360dialog")]
    Dialog360,
    /// Kaleyra.
    Kaleyra,
}

/// What the engine logs: a command and its time.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    at: u64,
    #[serde(flatten)]
    command: Command,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Command {
    Configure {
        config: Box<Config>,
    },
    CreateTenant {
        tenant: TenantSpec,
    },
    SetCallback {
        waba_id: WabaId,
        url: Option<String>,
    },
    AddCustomer {
        customer: CustomerSpec,
    },
    SetDevice {
        wa_id: WaId,
        device: String,
        device_spec: Device,
    },
    Send {
        number: PhoneNumberId,
        message: OutboundMessage,
        door: Door,
    },
    CustomerText {
        wa_id: WaId,
        number: PhoneNumberId,
        text: String,
    },
    ViewThread {
        wa_id: WaId,
        number: PhoneNumberId,
    },
    SetCartItem {
        wa_id: WaId,
        device: String,
        number: PhoneNumberId,
        retailer_id: RetailerId,
        quantity: u32,
        from: Option<MessageId>,
    },
    AddCartItem {
        wa_id: WaId,
        device: String,
        number: PhoneNumberId,
        retailer_id: RetailerId,
        delta: u32,
    },
    ViewCart {
        wa_id: WaId,
        device: String,
        number: PhoneNumberId,
    },
    SendCart {
        wa_id: WaId,
        device: String,
        number: PhoneNumberId,
        text: String,
    },
    Forward {
        wa_id: WaId,
        message_id: MessageId,
        to: WaId,
    },
    CatalogBatch {
        catalog_id: CatalogId,
        batch: ItemsBatchRequest,
    },
    ImportFeed {
        catalog_id: CatalogId,
        feed: String,
    },
    UpdateSettings {
        number: PhoneNumberId,
        cart_enabled: Option<bool>,
        catalog_visible: Option<bool>,
    },
    Attempt {
        delivery: u64,
        attempt: Attempt,
    },
    Attempts {
        attempts: Vec<(u64, Attempt)>,
    },
    Redeliver {
        delivery: u64,
    },
}

/// A business number as the engine keeps it.
struct Number {
    spec: NumberSpec,
    waba_id: WabaId,
    /// GCRA state of the throughput limit (µs).
    rate_tat: u64,
}

struct Customer {
    name: String,
    devices: BTreeMap<String, Device>,
}

/// A message in a thread.
#[derive(Clone, Debug)]
enum Entry {
    Out(Box<Outbound>),
    In {
        id: MessageId,
        at: u64,
        content: InboundContent,
    },
}

#[derive(Clone, Debug)]
struct Outbound {
    id: MessageId,
    at: u64,
    message: OutboundMessage,
    dropped: Vec<RetailerId>,
    status: StatusKind,
    failure: Option<u32>,
    forwarded_from: Option<MessageId>,
    door: Option<Door>,
}

#[derive(Default)]
struct Thread {
    entries: Vec<Entry>,
    last_inbound_at: Option<u64>,
}

type ThreadKey = (PhoneNumberId, WaId);

/// The sandbox: tenants, customers, threads, carts, the outbox.
pub struct Sandbox {
    clock: Arc<dyn Clock>,
    store: Arc<dyn Store>,
    config: Config,
    tenants: HashMap<WabaId, TenantSpec>,
    numbers: HashMap<PhoneNumberId, Number>,
    tokens: HashMap<String, PhoneNumberId>,
    d360_keys: HashMap<String, PhoneNumberId>,
    kaleyra: HashMap<(String, String), PhoneNumberId>,
    catalogs: HashMap<CatalogId, Catalog>,
    settings: SettingsBook,
    customers: HashMap<WaId, Customer>,
    threads: HashMap<ThreadKey, Thread>,
    messages: HashMap<MessageId, (ThreadKey, usize)>,
    carts: Carts,
    pair_tat: HashMap<ThreadKey, u64>,
    /// Statuses due later: (due, sequence) -> (message, status).
    scheduled: BTreeMap<(u64, u64), (MessageId, StatusKind)>,
    outbox: Outbox,
    counter: u64,
    /// Time already advanced to.
    now: u64,
    /// The last command appended to the store.
    last_seq: u64,
    /// Set when the store failed: no command is taken after that.
    failed: Option<StoreError>,
}

/// What the customer sees of a product, now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProductView {
    /// Retailer id.
    pub retailer_id: RetailerId,
    /// Whether it is in the catalog at all.
    pub found: bool,
    /// Title.
    pub title: Option<String>,
    /// Price, `12.99`.
    pub price: Option<String>,
    /// Sale price, when set.
    pub sale_price: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// Feed availability.
    pub availability: Option<String>,
    /// Whether it can be added to a cart now.
    pub purchasable: bool,
}

/// A message as the customer's thread shows it now.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MessageView {
    /// Message id.
    pub id: MessageId,
    /// `outbound` (business to customer) or `inbound`.
    pub direction: &'static str,
    /// When (Unix seconds).
    pub timestamp: u64,
    /// `text`, `product`, `product_list`, `catalog_message`, `order`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Latest status of an outbound message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The failure code, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// Text of a text message, body of an interactive one, order text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Sections with their products, current details (a single product is one untitled section).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionView>,
    /// Product ids dropped from a product list because the catalog lacks them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<RetailerId>,
    /// The order of an inbound order message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<serde_json::Value>,
    /// The message this one is a forward of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<MessageId>,
    /// The door an outbound message came through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door: Option<Door>,
}

/// A section of a product message, as shown now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SectionView {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Products, current details.
    pub products: Vec<ProductView>,
}

/// A cart as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CartSnapshot {
    /// Lines with current details.
    pub items: Vec<CartItemView>,
    /// Sum of the lines (`12.99`), in `currency`.
    pub total: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// "One or more items in your cart have been updated", shown once.
    pub notice: Option<&'static str>,
}

/// A cart line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CartItemView {
    /// Retailer id.
    pub retailer_id: RetailerId,
    /// Title now.
    pub title: String,
    /// Units.
    pub quantity: u32,
    /// Unit price now (sale price when set).
    pub unit_price: String,
}

/// A sent send: its id and the customer's WhatsApp id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// `wamid.…`.
    pub id: MessageId,
    /// The customer.
    pub wa_id: WaId,
}

/// The result of an items batch: one entry per request, `None` for success.
pub type BatchOutcome = Vec<Option<String>>;

enum Output {
    None,
    Quantity(u32),
    Sent(Sent),
    Id(MessageId),
    Cart(CartSnapshot),
    Thread(Vec<MessageView>),
    Batch(BatchOutcome),
    Feed(wacart_catalog::FeedReport),
    Settings(CommerceSettings),
}

impl Sandbox {
    /// Opens the sandbox on a store, replaying every command it holds.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the store cannot be read or a record is unreadable.
    pub fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Self, EngineError> {
        let mut sb = Sandbox {
            clock,
            store: store.clone(),
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
            last_seq: 0,
            failed: None,
        };
        for (seq, bytes) in store.load()? {
            let record: Record =
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                    seq,
                    reason: e.to_string(),
                })?;
            // A logged command succeeded once; on the same state and configuration it succeeds
            // again. If it does not, the log and this code disagree: refuse to guess.
            if let Err(e) = sb.exec(record.at, &record.command) {
                return Err(EngineError::Store(StoreError::Corrupt {
                    seq,
                    reason: format!("the command does not replay: {e}"),
                }));
            }
            sb.last_seq = seq;
        }
        sb.outbox.tag_new(sb.last_seq);
        // The configuration is part of the log: replay used the logged one; a different one
        // from now on is a logged change.
        if sb.config != config {
            let _ = sb.run(Command::Configure {
                config: Box::new(config),
            })?;
        }
        Ok(sb)
    }

    /// The store it writes to.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn tick(&mut self) -> u64 {
        let now = self.clock.now_millis().max(self.now);
        self.advance_to(now);
        // Statuses that fell due follow from commands already appended.
        self.outbox.tag_new(self.last_seq);
        now
    }

    /// Runs a command: executes it, and when it succeeds, appends it to the store.
    ///
    /// Once an append fails, the live state holds a change the log does not: the sandbox stops
    /// taking commands (every one answers the store error) until it is reopened from the log.
    fn run(&mut self, command: Command) -> Result<Ack<Output>, EngineError> {
        if let Some(e) = &self.failed {
            return Err(EngineError::Store(e.clone()));
        }
        let at = self.tick();
        let value = self.exec(at, &command)?;
        let appended = serde_json::to_vec(&Record { at, command })
            .map_err(|e| StoreError::Database(format!("cannot encode a command: {e}")))
            .and_then(|record| self.store.append(record));
        match appended {
            Ok(seq) => {
                self.last_seq = seq;
                // Webhooks this command made go out only once it is durable.
                self.outbox.tag_new(seq);
                Ok(Ack {
                    value,
                    seq: Some(seq),
                })
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(EngineError::Store(e))
            }
        }
    }

    /// Marks the sandbox failed after a durability failure seen outside [`Sandbox::run`].
    pub fn fail(&mut self, error: StoreError) {
        self.failed = Some(error);
    }

    /// Moves time to the clock's now: scheduled statuses fall due and become webhooks.
    pub fn advance(&mut self) {
        self.tick();
    }

    fn advance_to(&mut self, at: u64) {
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

    fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn new_message_id(&mut self) -> MessageId {
        let n = self.next_id();
        MessageId::new(format!("wamid.HBgL{n:012}V2FjYXJ0U2FuZGJveA"))
    }

    fn exec(&mut self, at: u64, command: &Command) -> Result<Output, EngineError> {
        self.advance_to(at);
        match command {
            Command::Configure { config } => {
                self.config = (**config).clone();
                Ok(Output::None)
            }
            Command::CreateTenant { tenant } => self.create_tenant(tenant),
            Command::SetCallback { waba_id, url } => {
                let t = self
                    .tenants
                    .get_mut(waba_id)
                    .ok_or_else(|| EngineError::BadRequest(format!("unknown WABA {waba_id}")))?;
                t.app.callback_url.clone_from(url);
                self.outbox.set_parked(waba_id, url.is_none());
                Ok(Output::None)
            }
            Command::AddCustomer { customer } => {
                if self.customers.contains_key(&customer.wa_id) {
                    return Err(EngineError::Exists(format!(
                        "customer {}",
                        wacart_schema::MaskedPhone(customer.wa_id.as_str())
                    )));
                }
                self.customer_entry(&customer.wa_id, Some(&customer.name));
                Ok(Output::None)
            }
            Command::SetDevice {
                wa_id,
                device,
                device_spec,
            } => {
                let c = self.customer_entry(wa_id, None);
                c.devices.insert(device.clone(), device_spec.clone());
                Ok(Output::None)
            }
            Command::Send {
                number,
                message,
                door,
            } => self.exec_send(at, number, message, *door).map(Output::Sent),
            Command::CustomerText {
                wa_id,
                number,
                text,
            } => self
                .exec_customer_text(at, wa_id, number, text)
                .map(Output::Id),
            Command::ViewThread { wa_id, number } => {
                self.exec_view_thread(at, wa_id, number).map(Output::Thread)
            }
            Command::SetCartItem {
                wa_id,
                device,
                number,
                retailer_id,
                quantity,
                from,
            } => {
                self.exec_set_cart(wa_id, device, number, retailer_id, *quantity, from.as_ref())?;
                Ok(Output::None)
            }
            Command::AddCartItem {
                wa_id,
                device,
                number,
                retailer_id,
                delta,
            } => {
                let key = self.cart_key(wa_id, device, number)?;
                let current = self
                    .carts
                    .cart(&key)
                    .map_or(0, |c| c.quantity_of(retailer_id));
                let quantity = current.saturating_add(*delta);
                self.exec_set_cart(wa_id, device, number, retailer_id, quantity, None)?;
                Ok(Output::Quantity(quantity))
            }
            Command::ViewCart {
                wa_id,
                device,
                number,
            } => Ok(Output::Cart(self.exec_view_cart(wa_id, device, number)?)),
            Command::SendCart {
                wa_id,
                device,
                number,
                text,
            } => self
                .exec_send_cart(at, wa_id, device, number, text)
                .map(Output::Id),
            Command::Forward {
                wa_id,
                message_id,
                to,
            } => self.exec_forward(at, wa_id, message_id, to).map(Output::Id),
            Command::CatalogBatch { catalog_id, batch } => {
                self.exec_batch(catalog_id, batch).map(Output::Batch)
            }
            Command::ImportFeed { catalog_id, feed } => {
                self.exec_feed(catalog_id, feed).map(Output::Feed)
            }
            Command::UpdateSettings {
                number,
                cart_enabled,
                catalog_visible,
            } => {
                if !self.numbers.contains_key(number) {
                    return Err(EngineError::UnknownNumber(number.clone()));
                }
                let mut update = SettingsUpdate::new();
                if let Some(v) = cart_enabled {
                    update = update.cart_enabled(*v);
                }
                if let Some(v) = catalog_visible {
                    update = update.catalog_visible(*v);
                }
                Ok(Output::Settings(self.settings.update(number, update)))
            }
            Command::Attempt { delivery, attempt } => {
                if !self.outbox.contains(*delivery) {
                    return Err(EngineError::UnknownDelivery(*delivery));
                }
                let schedule = self.schedule();
                self.outbox.record(*delivery, attempt.clone(), schedule);
                Ok(Output::None)
            }
            Command::Attempts { attempts } => {
                if let Some((id, _)) = attempts.iter().find(|(id, _)| !self.outbox.contains(*id)) {
                    return Err(EngineError::UnknownDelivery(*id));
                }
                let schedule = self.schedule();
                for (id, attempt) in attempts {
                    self.outbox.record(*id, attempt.clone(), schedule);
                }
                Ok(Output::None)
            }
            Command::Redeliver { delivery } => {
                if !self.outbox.contains(*delivery) {
                    return Err(EngineError::UnknownDelivery(*delivery));
                }
                self.outbox.redeliver(*delivery, at);
                Ok(Output::None)
            }
        }
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            base: self.config.retry_base,
            max_interval: self.config.retry_max_interval,
            horizon: self.config.retry_horizon,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Tenants

    fn create_tenant(&mut self, t: &TenantSpec) -> Result<Output, EngineError> {
        if self.tenants.contains_key(&t.waba_id) {
            return Err(EngineError::Exists(format!("WABA {}", t.waba_id)));
        }
        for n in &t.numbers {
            if self.numbers.contains_key(&n.phone_number_id) {
                return Err(EngineError::Exists(format!(
                    "phone number id {}",
                    n.phone_number_id
                )));
            }
        }
        // Credentials pick the number: each must be non-empty and reach one number only.
        let mut seen = std::collections::HashSet::new();
        for n in &t.numbers {
            let mut creds: Vec<String> = n
                .tokens
                .iter()
                .map(|c| format!("token:{}", c.expose()))
                .collect();
            creds.extend(n.d360_key.iter().map(|k| format!("d360:{}", k.expose())));
            creds.extend(
                n.kaleyra
                    .iter()
                    .map(|(sid, k)| format!("kaleyra:{sid}:{}", k.expose())),
            );
            for c in creds {
                let value = c.rsplit(':').next().unwrap_or_default();
                if value.is_empty() {
                    return Err(EngineError::BadRequest(format!(
                        "number {} has an empty credential",
                        n.phone_number_id
                    )));
                }
                let taken = match c.split_once(':') {
                    Some(("token", v)) => self.tokens.contains_key(v),
                    Some(("d360", v)) => self.d360_keys.contains_key(v),
                    _ => n.kaleyra.as_ref().is_some_and(|(sid, k)| {
                        self.kaleyra
                            .contains_key(&(sid.clone(), k.expose().to_owned()))
                    }),
                };
                if taken || !seen.insert(c) {
                    return Err(EngineError::Exists(format!(
                        "a credential of number {}",
                        n.phone_number_id
                    )));
                }
            }
        }
        for c in &t.catalogs {
            if self.catalogs.contains_key(c) {
                return Err(EngineError::Exists(format!("catalog {c}")));
            }
        }
        for c in &t.catalogs {
            self.catalogs.insert(c.clone(), Catalog::new(c.clone()));
        }
        for n in &t.numbers {
            let id = &n.phone_number_id;
            for token in &n.tokens {
                self.tokens.insert(token.expose().to_owned(), id.clone());
            }
            if let Some(k) = &n.d360_key {
                self.d360_keys.insert(k.expose().to_owned(), id.clone());
            }
            if let Some((sid, key)) = &n.kaleyra {
                self.kaleyra
                    .insert((sid.clone(), key.expose().to_owned()), id.clone());
            }
            self.settings.link_catalog(id, n.catalog_id.clone());
            let update = SettingsUpdate::new()
                .cart_enabled(n.cart_enabled)
                .catalog_visible(n.catalog_visible);
            self.settings.update(id, update);
            self.numbers.insert(
                id.clone(),
                Number {
                    spec: n.clone(),
                    waba_id: t.waba_id.clone(),
                    rate_tat: 0,
                },
            );
        }
        self.outbox
            .set_parked(&t.waba_id, t.app.callback_url.is_none());
        self.tenants.insert(t.waba_id.clone(), t.clone());
        Ok(Output::None)
    }

    fn customer_entry(&mut self, wa_id: &WaId, name: Option<&str>) -> &mut Customer {
        self.customers.entry(wa_id.clone()).or_insert_with(|| {
            let mut devices = BTreeMap::new();
            devices.insert(
                "phone".to_owned(),
                Device::new(Platform::Android, CURRENT_APP_VERSION),
            );
            let tail: String = wa_id
                .as_str()
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Customer {
                name: name.map_or_else(|| format!("Customer {tail}"), str::to_owned),
                devices,
            }
        })
    }

    fn number(&self, id: &PhoneNumberId) -> Result<&Number, EngineError> {
        self.numbers
            .get(id)
            .ok_or_else(|| EngineError::UnknownNumber(id.clone()))
    }

    // -----------------------------------------------------------------------------------------
    // Sends

    fn exec_send(
        &mut self,
        at: u64,
        number_id: &PhoneNumberId,
        message: &OutboundMessage,
        door: Door,
    ) -> Result<Sent, EngineError> {
        let opts =
            Options::default().strict_catalog_thumbnail(self.config.strict_catalog_thumbnail);
        if let Err(v) = message.validate_with(&opts) {
            let first = v.first();
            return Err(EngineError::Graph(Box::new(GraphError::from_violation(
                first,
                "wacart-sandbox",
            ))));
        }
        let number = self.number(number_id)?;
        let wa_id = WaId::new(message.to.as_str().trim_start_matches('+'));
        let key: ThreadKey = (number_id.clone(), wa_id.clone());
        // Resolution against the linked catalog (commerce messages only).
        let settings = self.settings.settings(number_id);
        let mut dropped = Vec::new();
        if let Content::Interactive(i) = &message.content
            && matches!(
                i,
                Interactive::Product(_)
                    | Interactive::ProductList(_)
                    | Interactive::CatalogMessage(_)
            )
        {
            let catalog = self
                .settings
                .linked_catalog(number_id)
                .and_then(|c| self.catalogs.get(c));
            match resolve(message, catalog, settings) {
                Ok(Resolved::ProductList { dropped: d, .. }) => {
                    dropped = d.into_iter().cloned().collect()
                }
                Ok(_) => {}
                Err(e) => return Err(EngineError::from_catalog(&e)),
            }
        }
        let last_inbound = self.threads.get(&key).and_then(|t| t.last_inbound_at);
        let window_open = last_inbound.is_some_and(|t| at.saturating_sub(t) <= WINDOW);
        if !window_open && self.config.window == WindowMode::Refuse {
            return Err(EngineError::graph(
                codes::REENGAGEMENT_MESSAGE,
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ));
        }
        // Optional throughput limits (off by default).
        let mut new_rate_tat = None;
        if let Some(rate) = self.config.number_rate {
            // In microseconds, so 80/s is 12_500 µs and rates above 1000/s still pace.
            let now_us = at.saturating_mul(1_000);
            let interval = 1_000_000 / u64::from(rate.max(1));
            let tat = number.rate_tat.max(now_us);
            if tat > now_us.saturating_add(1_000_000 - interval) {
                return Err(EngineError::graph(
                    codes::RATE_LIMIT_HIT,
                    "Cloud API message throughput has been reached.",
                ));
            }
            new_rate_tat = Some(tat.saturating_add(interval));
        }
        let mut new_pair_tat = None;
        if let Some((interval, burst)) = self.config.pair_limit {
            let tat = self.pair_tat.get(&key).copied().unwrap_or(at).max(at);
            if tat > at.saturating_add(interval.saturating_mul(u64::from(burst.max(1) - 1))) {
                return Err(EngineError::graph(
                    codes::PAIR_RATE_LIMIT_HIT,
                    "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
                ));
            }
            new_pair_tat = Some(tat.saturating_add(interval));
        }
        // Accepted: from here on, state changes.
        if let Some(t) = new_rate_tat
            && let Some(n) = self.numbers.get_mut(number_id)
        {
            n.rate_tat = t;
        }
        if let Some(t) = new_pair_tat {
            self.pair_tat.insert(key.clone(), t);
        }
        self.customer_entry(&wa_id, None);
        let id = self.new_message_id();
        let interactive_kind = match &message.content {
            Content::Interactive(i) => i.kind().to_owned(),
            _ => String::new(),
        };
        let can_show = self
            .customers
            .get(&wa_id)
            .is_some_and(|c| c.devices.values().any(|d| d.can_show(&interactive_kind)));
        let thread = self.threads.entry(key.clone()).or_default();
        let index = thread.entries.len();
        thread.entries.push(Entry::Out(Box::new(Outbound {
            id: id.clone(),
            at,
            message: message.clone(),
            dropped: dropped.clone(),
            status: StatusKind::Sent,
            failure: None,
            forwarded_from: None,
            door: Some(door),
        })));
        self.messages.insert(id.clone(), (key, index));
        if !window_open {
            self.set_status(
                &id,
                StatusKind::Failed,
                at,
                Some(codes::REENGAGEMENT_MESSAGE),
            );
        } else if !can_show {
            self.set_status(
                &id,
                StatusKind::Failed,
                at,
                Some(codes::MESSAGE_UNDELIVERABLE),
            );
        } else {
            self.set_status(&id, StatusKind::Sent, at, None);
            let seq = self.next_id();
            self.scheduled.insert(
                (at.saturating_add(self.config.delivered_after), seq),
                (id.clone(), StatusKind::Delivered),
            );
        }
        if !dropped.is_empty() {
            let ids: Vec<&str> = dropped.iter().map(RetailerId::as_str).collect();
            let details = format!(
                "{}: {}",
                wacart_catalog::details::PRODUCTS_NOT_FOUND,
                ids.join(", ")
            );
            let error: WebhookError = serde_json::from_value(json!({
                "code": codes::PARAMETER_VALUE_INVALID, "title": codes::title(codes::PARAMETER_VALUE_INVALID),
                "message": codes::title(codes::PARAMETER_VALUE_INVALID), "error_data": {"details": details}}))
            .map_err(|e| EngineError::BadRequest(e.to_string()))?;
            let (waba, display) = self.number_identity(number_id);
            let body = crate::webhooks::errors_body(&waba, &display, number_id, &error);
            self.outbox.push(&waba, "errors", body, at);
        }
        Ok(Sent { id, wa_id })
    }

    fn number_identity(&self, number: &PhoneNumberId) -> (WabaId, String) {
        self.numbers
            .get(number)
            .map(|n| (n.waba_id.clone(), n.spec.display_number.clone()))
            .unwrap_or_default()
    }

    /// Moves an outbound message's status forward (never back) and queues its webhook.
    fn set_status(&mut self, id: &MessageId, status: StatusKind, at: u64, error: Option<u32>) {
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

    // -----------------------------------------------------------------------------------------
    // Customers

    fn exec_customer_text(
        &mut self,
        at: u64,
        wa_id: &WaId,
        number: &PhoneNumberId,
        text: &str,
    ) -> Result<MessageId, EngineError> {
        self.number(number)?;
        if text.is_empty() {
            return Err(EngineError::BadRequest("a text message needs text".into()));
        }
        let content = InboundContent::Text(
            serde_json::from_value::<InboundText>(json!({"body": text}))
                .map_err(|e| EngineError::BadRequest(e.to_string()))?,
        );
        Ok(self.inbound(at, wa_id, number, content, None))
    }

    /// Records an inbound message (opens the window) and queues its webhook.
    fn inbound(
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

    fn exec_view_thread(
        &mut self,
        at: u64,
        wa_id: &WaId,
        number: &PhoneNumberId,
    ) -> Result<Vec<MessageView>, EngineError> {
        self.number(number)?;
        if !self.customers.contains_key(wa_id) {
            return Err(EngineError::UnknownCustomer);
        }
        // Opening the thread reads every delivered or sent message.
        let unread: Vec<MessageId> = self
            .threads
            .get(&(number.clone(), wa_id.clone()))
            .map(|t| {
                t.entries
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Out(o) if o.failure.is_none() && o.status != StatusKind::Read => {
                            Some(o.id.clone())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for id in unread {
            self.set_status(&id, StatusKind::Read, at, None);
        }
        Ok(self.thread_view(wa_id, number))
    }

    /// The thread as the customer sees it now, without reading it.
    pub fn thread_view(&self, wa_id: &WaId, number: &PhoneNumberId) -> Vec<MessageView> {
        let Some(thread) = self.threads.get(&(number.clone(), wa_id.clone())) else {
            return Vec::new();
        };
        let catalog = self
            .settings
            .linked_catalog(number)
            .and_then(|c| self.catalogs.get(c));
        thread
            .entries
            .iter()
            .map(|e| self.render(e, catalog))
            .collect()
    }

    fn render(&self, entry: &Entry, catalog: Option<&Catalog>) -> MessageView {
        let product = |id: &RetailerId| product_view(catalog, id);
        match entry {
            Entry::In { id, at, content } => {
                let (text, order) = match content {
                    InboundContent::Text(t) => (Some(t.body.clone()), None),
                    InboundContent::Order(o) => (o.text.clone(), serde_json::to_value(o).ok()),
                    _ => (None, None),
                };
                MessageView {
                    id: id.clone(),
                    direction: "inbound",
                    timestamp: at / 1000,
                    kind: content.kind().to_owned(),
                    status: None,
                    error_code: None,
                    text,
                    sections: Vec::new(),
                    dropped: Vec::new(),
                    order,
                    forwarded_from: None,
                    door: None,
                }
            }
            Entry::Out(o) => {
                let (kind, text, sections) = match &o.message.content {
                    Content::Text(t) => ("text".to_owned(), Some(t.body.clone()), Vec::new()),
                    Content::Interactive(Interactive::Product(p)) => (
                        "product".to_owned(),
                        p.body.as_ref().map(|b| b.text.clone()),
                        vec![SectionView {
                            title: None,
                            products: vec![product(&p.action.product_retailer_id)],
                        }],
                    ),
                    Content::Interactive(Interactive::ProductList(p)) => (
                        "product_list".to_owned(),
                        Some(p.body.text.clone()),
                        p.action
                            .sections
                            .iter()
                            .map(|s| SectionView {
                                title: s.title.clone(),
                                products: s
                                    .product_items
                                    .iter()
                                    .filter(|i| !o.dropped.contains(&i.product_retailer_id))
                                    .map(|i| product(&i.product_retailer_id))
                                    .collect(),
                            })
                            .filter(|s| !s.products.is_empty())
                            .collect(),
                    ),
                    Content::Interactive(Interactive::CatalogMessage(c)) => {
                        let thumb = c
                            .action
                            .parameters
                            .as_ref()
                            .and_then(|p| p.thumbnail_product_retailer_id.clone())
                            .or_else(|| {
                                catalog
                                    .and_then(|c| c.first())
                                    .map(|p| p.retailer_id().clone())
                            });
                        let sections = thumb
                            .map(|t| {
                                vec![SectionView {
                                    title: None,
                                    products: vec![product(&t)],
                                }]
                            })
                            .unwrap_or_default();
                        (
                            "catalog_message".to_owned(),
                            Some(c.body.text.clone()),
                            sections,
                        )
                    }
                    other => (other.kind().to_owned(), None, Vec::new()),
                };
                MessageView {
                    id: o.id.clone(),
                    direction: "outbound",
                    timestamp: o.at / 1000,
                    kind,
                    status: Some(o.status.as_str().to_owned()),
                    error_code: o.failure,
                    text,
                    sections,
                    dropped: o.dropped.clone(),
                    order: None,
                    forwarded_from: o.forwarded_from.clone(),
                    door: o.door,
                }
            }
        }
    }

    fn cart_key(
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

    fn exec_set_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        retailer_id: &RetailerId,
        quantity: u32,
        from: Option<&MessageId>,
    ) -> Result<(), EngineError> {
        let key = self.cart_key(wa_id, device, number)?;
        if let Some(m) = from
            && !self
                .messages
                .get(m)
                .is_some_and(|(k, _)| k.0 == *number && k.1 == *wa_id)
        {
            return Err(EngineError::UnknownMessage(m.clone()));
        }
        let settings = self.settings.settings(number);
        let catalog = linked_catalog(&self.settings, &self.catalogs, number)?;
        self.carts
            .set_quantity(&key, catalog, settings, retailer_id, quantity, from)
            .map_err(EngineError::Cart)
    }

    fn exec_view_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> Result<CartSnapshot, EngineError> {
        let key = self.cart_key(wa_id, device, number)?;
        let catalog = linked_catalog(&self.settings, &self.catalogs, number)?;
        let view = self.carts.view(&key, catalog);
        let total = view.total();
        Ok(CartSnapshot {
            items: view
                .lines
                .iter()
                .map(|l| CartItemView {
                    retailer_id: l.product.retailer_id().clone(),
                    title: l.product.title().to_owned(),
                    quantity: l.quantity,
                    unit_price: l.product.unit_price().to_price().to_string(),
                })
                .collect(),
            total: total.and_then(|(c, minor)| {
                Some(
                    wacart_schema::Price::from_minor(u64::try_from(minor).ok()?, c.exponent())
                        .ok()?
                        .to_string(),
                )
            }),
            currency: total.map(|(c, _)| c.code().to_owned()),
            notice: view.notice,
        })
    }

    fn exec_send_cart(
        &mut self,
        at: u64,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        text: &str,
    ) -> Result<MessageId, EngineError> {
        let key = self.cart_key(wa_id, device, number)?;
        let settings = self.settings.settings(number);
        let catalog = linked_catalog(&self.settings, &self.catalogs, number)?;
        let sent = self
            .carts
            .send(&key, catalog, settings, text)
            .map_err(EngineError::Cart)?;
        let display = self.number_identity(number).1;
        let context = sent
            .context()
            .map(|id| MessageContext::from_message(display, id.clone()));
        Ok(self.inbound(
            at,
            wa_id,
            number,
            InboundContent::Order(sent.into_order()),
            context,
        ))
    }

    fn exec_forward(
        &mut self,
        at: u64,
        wa_id: &WaId,
        message_id: &MessageId,
        to: &WaId,
    ) -> Result<MessageId, EngineError> {
        let (key, index) = self
            .messages
            .get(message_id)
            .cloned()
            .ok_or_else(|| EngineError::UnknownMessage(message_id.clone()))?;
        if key.1 != *wa_id {
            return Err(EngineError::UnknownMessage(message_id.clone()));
        }
        let Some(Entry::Out(original)) = self
            .threads
            .get(&key)
            .and_then(|t| t.entries.get(index))
            .cloned()
        else {
            return Err(EngineError::BadRequest(
                "only messages from the business can be forwarded".into(),
            ));
        };
        self.customer_entry(to, None);
        let id = self.new_message_id();
        let to_key = (key.0.clone(), to.clone());
        let thread = self.threads.entry(to_key.clone()).or_default();
        let index = thread.entries.len();
        thread.entries.push(Entry::Out(Box::new(Outbound {
            id: id.clone(),
            at,
            status: StatusKind::Delivered,
            failure: None,
            forwarded_from: Some(message_id.clone()),
            door: None,
            ..*original
        })));
        self.messages.insert(id.clone(), (to_key, index));
        Ok(id)
    }

    // -----------------------------------------------------------------------------------------
    // Catalogs

    fn exec_batch(
        &mut self,
        catalog_id: &CatalogId,
        batch: &ItemsBatchRequest,
    ) -> Result<BatchOutcome, EngineError> {
        let catalog = self
            .catalogs
            .get_mut(catalog_id)
            .ok_or_else(|| EngineError::UnknownCatalog(catalog_id.clone()))?;
        let mut outcome = Vec::with_capacity(batch.requests.len());
        let mut events = Vec::new();
        for req in &batch.requests {
            let fields = req.data.iter().map(|(k, v)| {
                (
                    k.as_str(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            });
            let fields: Vec<(&str, String)> = fields.collect();
            let parsed = wacart_catalog::BatchRequest::from_fields(
                req.method.as_str(),
                fields.iter().map(|(k, v)| (*k, v.as_str())),
            );
            let result = parsed.and_then(|r| catalog.apply_batch([r]).pop().unwrap_or(Ok(None)));
            match result {
                Ok(event) => {
                    outcome.push(None);
                    events.extend(event);
                }
                Err(e) => outcome.push(Some(e.to_string())),
            }
        }
        for e in &events {
            self.carts.apply_event(e);
        }
        Ok(outcome)
    }

    fn exec_feed(
        &mut self,
        catalog_id: &CatalogId,
        feed: &str,
    ) -> Result<wacart_catalog::FeedReport, EngineError> {
        let catalog = self
            .catalogs
            .get_mut(catalog_id)
            .ok_or_else(|| EngineError::UnknownCatalog(catalog_id.clone()))?;
        let import = catalog
            .import_feed(feed.as_bytes())
            .map_err(|e| EngineError::BadRequest(e.to_string()))?;
        for e in &import.events {
            self.carts.apply_event(e);
        }
        Ok(import.report)
    }
}

/// The catalog linked to `number` (borrowing only the fields it reads, so the carts stay free
/// to borrow mutably beside it).
fn linked_catalog<'a>(
    settings: &SettingsBook,
    catalogs: &'a HashMap<CatalogId, Catalog>,
    number: &PhoneNumberId,
) -> Result<&'a Catalog, EngineError> {
    settings
        .linked_catalog(number)
        .and_then(|c| catalogs.get(c))
        .ok_or_else(|| EngineError::from_catalog(&CatalogError::CatalogNotLinked(None)))
}

fn product_view(catalog: Option<&Catalog>, id: &RetailerId) -> ProductView {
    match catalog.and_then(|c| c.get(id)) {
        Some(p) => ProductView {
            retailer_id: id.clone(),
            found: true,
            title: Some(p.title().to_owned()),
            price: Some(p.price().to_price().to_string()),
            sale_price: p.sale_price().map(|s| s.to_price().to_string()),
            currency: Some(p.price().currency().code().to_owned()),
            availability: Some(p.availability().as_str().to_owned()),
            purchasable: p.is_purchasable(),
        },
        None => ProductView {
            retailer_id: id.clone(),
            found: false,
            title: None,
            price: None,
            sale_price: None,
            currency: None,
            availability: None,
            purchasable: false,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The public operations: each builds a command and runs it.

impl Sandbox {
    /// Adds a tenant (WABA, app, numbers, empty catalogs).
    ///
    /// # Errors
    /// [`EngineError::Exists`] when its WABA, a number or a catalog exists already.
    pub fn create_tenant_cmd(&mut self, tenant: TenantSpec) -> Result<Ack<()>, EngineError> {
        self.run(Command::CreateTenant { tenant }).map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    /// Sets (or clears) a WABA app's webhook callback.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for an unknown WABA.
    pub fn set_callback(
        &mut self,
        waba_id: &WabaId,
        url: Option<String>,
    ) -> Result<Ack<()>, EngineError> {
        self.run(Command::SetCallback {
            waba_id: waba_id.clone(),
            url,
        })
        .map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    /// Adds a customer with one current device, `phone`.
    ///
    /// # Errors
    /// [`EngineError::Exists`] when known already.
    pub fn add_customer(&mut self, customer: CustomerSpec) -> Result<Ack<()>, EngineError> {
        self.run(Command::AddCustomer { customer }).map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    /// Adds or changes a customer's device (the customer is created when new).
    ///
    /// # Errors
    /// [`EngineError::Store`] only.
    pub fn set_device(
        &mut self,
        wa_id: &WaId,
        device: &str,
        spec: Device,
    ) -> Result<Ack<()>, EngineError> {
        if device.is_empty() || device.len() > 64 {
            return Err(EngineError::BadRequest(
                "a device name has 1 to 64 characters".into(),
            ));
        }
        self.run(Command::SetDevice {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            device_spec: spec,
        })
        .map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

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
        let ack = self.run(Command::Send {
            number: number.clone(),
            message,
            door,
        })?;
        pick(ack, |o| match o {
            Output::Sent(v) => Some(v),
            _ => None,
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
        let ack = self.run(Command::CustomerText {
            wa_id: wa_id.clone(),
            number: number.clone(),
            text: text.to_owned(),
        })?;
        id_of(ack)
    }

    /// The customer opens the thread: every message shows its latest details and becomes read.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`], [`EngineError::UnknownCustomer`].
    pub fn view_thread(
        &mut self,
        wa_id: &WaId,
        number: &PhoneNumberId,
    ) -> Result<Ack<Vec<MessageView>>, EngineError> {
        // Nothing unread: a plain read, nothing to log.
        self.tick();
        let unread = self.threads.get(&(number.clone(), wa_id.clone())).is_some_and(|t| {
            t.entries.iter().any(|e| matches!(e, Entry::Out(o) if o.failure.is_none() && o.status != StatusKind::Read))
        });
        if !unread && self.numbers.contains_key(number) && self.customers.contains_key(wa_id) {
            return Ok(Ack {
                value: self.thread_view(wa_id, number),
                seq: None,
            });
        }
        let ack = self.run(Command::ViewThread {
            wa_id: wa_id.clone(),
            number: number.clone(),
        })?;
        pick(ack, |o| match o {
            Output::Thread(v) => Some(v),
            _ => None,
        })
    }

    /// Sets a cart item's quantity on a device (0 removes it). `from` is the product message
    /// it was added from.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for the cart rules; unknown number, customer or device.
    pub fn set_cart_item(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        retailer_id: &RetailerId,
        quantity: u32,
        from: Option<MessageId>,
    ) -> Result<Ack<()>, EngineError> {
        let cmd = Command::SetCartItem {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            retailer_id: retailer_id.clone(),
            quantity,
            from,
        };
        self.run(cmd).map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    /// Adds `delta` units of a product to a device's cart, atomically (taps on "+"); answers the
    /// new quantity. Above 99 units it is refused, so concurrent adds never lose one nor pass
    /// the cap.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for the cart rules (99 cap included).
    pub fn add_cart_item(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        retailer_id: &RetailerId,
        delta: u32,
    ) -> Result<Ack<u32>, EngineError> {
        let cmd = Command::AddCartItem {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            retailer_id: retailer_id.clone(),
            delta,
        };
        let ack = self.run(cmd)?;
        pick(ack, |o| match o {
            Output::Quantity(v) => Some(v),
            _ => None,
        })
    }

    /// The cart as the customer sees it; viewing clears its notice.
    ///
    /// # Errors
    /// Unknown number, customer or device; no linked catalog.
    pub fn view_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> Result<Ack<CartSnapshot>, EngineError> {
        let ack = self.run(Command::ViewCart {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
        })?;
        pick(ack, |o| match o {
            Output::Cart(v) => Some(v),
            _ => None,
        })
    }

    /// Sends the device's cart as an order, with a text; answers the order's message id.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for an empty cart or a disabled cart.
    pub fn send_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        text: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        let ack = self.run(Command::SendCart {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            text: text.to_owned(),
        })?;
        id_of(ack)
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
        let ack = self.run(Command::Forward {
            wa_id: wa_id.clone(),
            message_id: message_id.clone(),
            to: to.clone(),
        })?;
        id_of(ack)
    }

    /// Applies an items batch: one result per request (`None` for success); a bad request does
    /// not sink the batch.
    ///
    /// # Errors
    /// [`EngineError::UnknownCatalog`].
    pub fn items_batch(
        &mut self,
        catalog_id: &CatalogId,
        batch: ItemsBatchRequest,
    ) -> Result<Ack<BatchOutcome>, EngineError> {
        let ack = self.run(Command::CatalogBatch {
            catalog_id: catalog_id.clone(),
            batch,
        })?;
        pick(ack, |o| match o {
            Output::Batch(v) => Some(v),
            _ => None,
        })
    }

    /// Imports a CSV or TSV feed into a catalog.
    ///
    /// # Errors
    /// [`EngineError::UnknownCatalog`]; [`EngineError::BadRequest`] for an unusable feed.
    pub fn import_feed(
        &mut self,
        catalog_id: &CatalogId,
        feed: String,
    ) -> Result<Ack<wacart_catalog::FeedReport>, EngineError> {
        let ack = self.run(Command::ImportFeed {
            catalog_id: catalog_id.clone(),
            feed,
        })?;
        pick(ack, |o| match o {
            Output::Feed(v) => Some(v),
            _ => None,
        })
    }

    /// Changes a number's commerce settings.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`].
    pub fn update_settings(
        &mut self,
        number: &PhoneNumberId,
        cart_enabled: Option<bool>,
        catalog_visible: Option<bool>,
    ) -> Result<Ack<CommerceSettings>, EngineError> {
        let ack = self.run(Command::UpdateSettings {
            number: number.clone(),
            cart_enabled,
            catalog_visible,
        })?;
        pick(ack, |o| match o {
            Output::Settings(v) => Some(v),
            _ => None,
        })
    }

    /// Records a delivery attempt.
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`].
    pub fn record_attempt(
        &mut self,
        delivery: u64,
        attempt: Attempt,
    ) -> Result<Ack<()>, EngineError> {
        self.run(Command::Attempt { delivery, attempt })
            .map(|a| Ack {
                value: (),
                seq: a.seq,
            })
    }

    /// Records many delivery attempts as one command (the delivery worker's batches).
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`] when one of them is unknown (then none is recorded).
    pub fn record_attempts(
        &mut self,
        attempts: Vec<(u64, Attempt)>,
    ) -> Result<Ack<()>, EngineError> {
        if attempts.is_empty() {
            return Ok(Ack {
                value: (),
                seq: None,
            });
        }
        self.run(Command::Attempts { attempts }).map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    /// Queues a webhook again at once.
    ///
    /// # Errors
    /// [`EngineError::UnknownDelivery`].
    pub fn redeliver(&mut self, delivery: u64) -> Result<Ack<()>, EngineError> {
        self.run(Command::Redeliver { delivery }).map(|a| Ack {
            value: (),
            seq: a.seq,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Reads

    /// Webhooks due now whose app has a callback, oldest first, with that app (callback,
    /// secret). Webhooks of apps without a callback wait, kept, until one is set.
    pub fn due_deliveries(&mut self, limit: usize) -> Vec<(Delivery, Option<AppSpec>)> {
        let now = self.tick();
        let durable = self.store.durable_seq();
        let tenants = &self.tenants;
        let with_callback = |d: &&Delivery| {
            tenants
                .get(&d.waba_id)
                .is_some_and(|t| t.app.callback_url.is_some())
        };
        self.outbox
            .due(now)
            .filter(|d| d.seq <= durable)
            .filter(with_callback)
            .take(limit)
            .map(|d| (d.clone(), tenants.get(&d.waba_id).map(|t| t.app.clone())))
            .collect()
    }

    /// Every webhook, oldest first.
    pub fn deliveries(&self) -> Vec<&Delivery> {
        self.outbox
            .order
            .iter()
            .filter_map(|id| self.outbox.deliveries.get(id))
            .collect()
    }

    /// A page of webhooks, oldest first: those with an id above `after`, in `state` if given.
    pub fn deliveries_page(
        &self,
        after: u64,
        limit: usize,
        state: Option<crate::webhooks::DeliveryState>,
    ) -> Vec<Delivery> {
        let start = self.outbox.order.partition_point(|id| *id <= after);
        self.outbox.order[start..]
            .iter()
            .filter_map(|id| self.outbox.deliveries.get(id))
            .filter(|d| state.is_none_or(|s| d.state == s))
            .take(limit)
            .cloned()
            .collect()
    }

    /// One webhook.
    pub fn delivery(&self, id: u64) -> Option<&Delivery> {
        self.outbox.deliveries.get(&id)
    }

    /// The tenants.
    pub fn tenants(&self) -> impl Iterator<Item = &TenantSpec> {
        self.tenants.values()
    }

    /// The number a Meta access token reaches.
    pub fn number_for_token(&self, token: &str) -> Option<&PhoneNumberId> {
        self.tokens.get(token)
    }

    /// The number a 360dialog key selects.
    pub fn number_for_d360_key(&self, key: &str) -> Option<&PhoneNumberId> {
        self.d360_keys.get(key)
    }

    /// The number a Kaleyra SID and key reach.
    pub fn number_for_kaleyra(&self, sid: &str, key: &str) -> Option<&PhoneNumberId> {
        self.kaleyra.get(&(sid.to_owned(), key.to_owned()))
    }

    /// A number's spec.
    pub fn number_spec(&self, id: &PhoneNumberId) -> Option<&NumberSpec> {
        self.numbers.get(id).map(|n| &n.spec)
    }

    /// A number's commerce settings.
    pub fn settings(&self, id: &PhoneNumberId) -> Option<CommerceSettings> {
        self.numbers
            .contains_key(id)
            .then(|| self.settings.settings(id))
    }

    /// A catalog.
    pub fn catalog(&self, id: &CatalogId) -> Option<&Catalog> {
        self.catalogs.get(id)
    }

    /// Whether the customer is known.
    pub fn has_customer(&self, wa_id: &WaId) -> bool {
        self.customers.contains_key(wa_id)
    }

    /// A device's cart lines (retailer id, quantity) and whether it shows the notice, without
    /// viewing it (the notice stays).
    pub fn cart_lines(
        &self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> (Vec<(RetailerId, u32)>, bool) {
        let key = CartKey::new(
            number.clone(),
            wa_id.clone(),
            wacart_catalog::DeviceId::new(device),
        );
        self.carts.cart(&key).map_or((Vec::new(), false), |c| {
            (
                c.lines()
                    .iter()
                    .map(|l| (l.retailer_id.clone(), l.quantity))
                    .collect(),
                c.notice().is_some(),
            )
        })
    }

    /// The customer's devices.
    pub fn devices(&self, wa_id: &WaId) -> Option<&BTreeMap<String, Device>> {
        self.customers.get(wa_id).map(|c| &c.devices)
    }
}

fn id_of(ack: Ack<Output>) -> Result<Ack<MessageId>, EngineError> {
    pick(ack, |o| match o {
        Output::Id(v) => Some(v),
        _ => None,
    })
}

/// The answer of the kind a command gives. Each public operation runs one command kind, so a
/// mismatch is a bug here; it is reported as an error rather than a panic.
fn pick<T>(ack: Ack<Output>, f: impl FnOnce(Output) -> Option<T>) -> Result<Ack<T>, EngineError> {
    let seq = ack.seq;
    f(ack.value).map(|value| Ack { value, seq }).ok_or_else(|| {
        EngineError::BadRequest("internal: a command answered another kind of value".into())
    })
}
