//! The customer's thread view: every message as the customer sees it now (product messages
//! with the latest details), and opening a thread, which reads it.

use serde::{Deserialize, Serialize};
use wacart_catalog::Catalog;
use wacart_schema::{
    Content, InboundContent, Interactive, MessageId, PhoneNumberId, RetailerId, StatusKind, WaId,
    codes,
};

use super::op::Op;
use super::state::{Entry, State, ThreadKey};
use super::{Ack, Door, EngineError, Sandbox};
use crate::store::StoreError;

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
    /// Position in the thread, from 0 (page with `before`).
    pub position: u64,
    /// Message id.
    pub id: MessageId,
    /// `outbound` (business to customer) or `inbound`.
    pub direction: &'static str,
    /// When (Unix seconds).
    pub timestamp: u64,
    /// `text`, `product`, `product_list`, `catalog_message`, `order`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Latest status: of an outbound message; of an inbound one, `read` once the business marked
    /// it (or a later one) read, `delivered` before.
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
    /// The message this one quotes, or whose button or row it tapped; for a reaction, the
    /// message reacted to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageId>,
    /// The door an outbound message came through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub door: Option<Door>,
    /// A template message's header, footer, buttons and cards (its body is `text`, its
    /// products `sections`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<super::templates::TemplateView>,
    /// A text with a preview of a catalog link (`https://wa.me/c/<number>`): the number it
    /// names. Open it to see the catalog, or "Invalid catalog link".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_link: Option<String>,
    /// An outbound message as the business sent it (what the customer's app draws its
    /// buttons, list, image, header and footer from).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
    /// The device the view was asked for cannot show this message (an app older than the
    /// message type needs): WhatsApp shows "update your app" in its place. Set by the caller.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unsupported: bool,
}

/// A customer's chat with one business number, as the chat list shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ChatView {
    /// The business number.
    pub phone_number_id: PhoneNumberId,
    /// Business messages not read yet (of those in memory: the latest of the thread).
    pub unread: usize,
    /// The latest message, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<MessageView>,
    /// Messages in the thread.
    pub messages: u64,
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

/// How long a typing indicator shows at most.
pub const TYPING_FOR: u64 = 25 * crate::clock::SECOND;

/// What the customer sees of a thread besides its messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ThreadStatus {
    /// The business shows "typing…".
    pub typing: bool,
    /// The position of the last inbound message the business read (and every one before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_upto: Option<u64>,
}

/// The business marks an inbound message read (and every earlier one of its thread), and may
/// show the customer "typing…" for up to 25 seconds. A message no longer in memory is looked
/// up in history before the command is made, and its place travels in it (`found`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MarkRead {
    number: PhoneNumberId,
    message_id: MessageId,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    typing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    found: Option<(ThreadKey, u64)>,
}

impl Op for MarkRead {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        state.number(&self.number)?;
        let place = match state.messages.get(&self.message_id) {
            Some((key, pos)) => {
                let entry = state.threads.get(key).and_then(|t| t.get(*pos));
                matches!(entry, Some(Entry::In(_))).then(|| (key.clone(), *pos))
            }
            None => self.found.clone(),
        };
        let Some((key, pos)) = place.filter(|(key, _)| key.0 == self.number) else {
            // Meta: "If you mark a message as read with an invalid message ID, the API returns
            // error code 131009".
            return Err(EngineError::graph(
                codes::PARAMETER_VALUE_INVALID,
                format!(
                    "message_id {} is not a message this number received",
                    self.message_id
                ),
            ));
        };
        let thread = state.threads.entry(key).or_default();
        thread.read_upto = thread.read_upto.max(Some(pos));
        if self.typing {
            thread.typing_until = Some(at.saturating_add(TYPING_FOR));
        }
        Ok(())
    }
}

/// The customer opens the thread: every unread message becomes read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ViewThread {
    wa_id: WaId,
    number: PhoneNumberId,
}

impl Op for ViewThread {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        state.number(&self.number)?;
        if !state.customers.contains_key(&self.wa_id) {
            return Err(EngineError::UnknownCustomer);
        }
        let unread: Vec<MessageId> = state
            .threads
            .get(&(self.number.clone(), self.wa_id.clone()))
            .map(|t| {
                t.entries
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Out(o) if o.unread() => Some(o.id.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A message read before its `delivered` was due was delivered first: the business
        // hears both, in order, as from WhatsApp.
        for id in unread {
            state.set_status(&id, StatusKind::Delivered, at, None);
            state.set_status(&id, StatusKind::Read, at, None);
        }
        Ok(())
    }
}

impl Sandbox {
    /// The business marks an inbound message read (and every earlier one of its thread);
    /// `typing` shows the customer "typing…" until its next message, 25 seconds at most.
    ///
    /// # Errors
    /// [`EngineError::Graph`] 131009 when the message is not one this number received.
    pub fn mark_read(
        &mut self,
        number: &PhoneNumberId,
        message_id: &MessageId,
        typing: bool,
    ) -> Result<Ack<()>, EngineError> {
        let found = if self.state.messages.contains_key(message_id) {
            None
        } else {
            self.history_entry_at(message_id)?
                .filter(|(_, _, entry)| matches!(entry, Entry::In(_)))
                .map(|(key, pos, _)| (key, pos))
        };
        self.run(MarkRead {
            number: number.clone(),
            message_id: message_id.clone(),
            typing,
            found,
        })
    }

    /// What the customer sees of a thread now besides its messages: "typing…", and how far the
    /// business has read.
    pub fn thread_status(&self, wa_id: &WaId, number: &PhoneNumberId) -> ThreadStatus {
        let now = self.clock_now();
        self.state
            .threads
            .get(&(number.clone(), wa_id.clone()))
            .map(|t| ThreadStatus {
                typing: t.typing_until.is_some_and(|until| now < until),
                read_upto: t.read_upto,
            })
            .unwrap_or_default()
    }

    /// The customer opens the thread: every message shows its latest details and becomes read.
    /// Answers the latest [`THREAD_PAGE`] messages; older ones are paged with
    /// [`Sandbox::thread_page`].
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`], [`EngineError::UnknownCustomer`].
    pub fn view_thread(
        &mut self,
        wa_id: &WaId,
        number: &PhoneNumberId,
    ) -> Result<Ack<Vec<MessageView>>, EngineError> {
        let seq = self.read_thread(wa_id, number)?.seq;
        Ok(Ack {
            value: self.thread_page(wa_id, number, None, THREAD_PAGE)?,
            seq,
        })
    }

    /// The customer opens the thread without looking at a page of it: its unread messages
    /// become read (nothing is logged when none is unread).
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`], [`EngineError::UnknownCustomer`].
    pub fn read_thread(
        &mut self,
        wa_id: &WaId,
        number: &PhoneNumberId,
    ) -> Result<Ack<()>, EngineError> {
        self.tick();
        let unread = self
            .state
            .threads
            .get(&(number.clone(), wa_id.clone()))
            .is_some_and(|t| {
                t.entries
                    .iter()
                    .any(|e| matches!(e, Entry::Out(o) if o.unread()))
            });
        let known =
            self.state.numbers.contains_key(number) && self.state.customers.contains_key(wa_id);
        if unread || !known {
            self.run(ViewThread {
                wa_id: wa_id.clone(),
                number: number.clone(),
            })
        } else {
            Ok(Ack::unlogged(()))
        }
    }

    /// Up to `limit` messages of a thread before position `before` (the latest when `None`),
    /// oldest first, as the customer sees them now, without reading them. Recent messages come
    /// from memory, older ones from the store's history (what is durable of it).
    ///
    /// # Errors
    /// [`EngineError::Store`] when history cannot be read.
    pub fn thread_page(
        &self,
        wa_id: &WaId,
        number: &PhoneNumberId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<MessageView>, EngineError> {
        let key = (number.clone(), wa_id.clone());
        let catalog = self.state.linked_catalog(number).ok();
        let read_upto = self.state.threads.get(&key).and_then(|t| t.read_upto);
        let (base, end) = self
            .state
            .threads
            .get(&key)
            .map_or((0, 0), |t| (t.base, t.end()));
        let end = before.map_or(end, |b| b.min(end));
        let start = end.saturating_sub(limit as u64);
        let history_end = base.min(end);
        let mut views = Vec::new();
        if start < history_end {
            let wanted = usize::try_from(history_end - start).unwrap_or(usize::MAX);
            for row in self.store.thread(number, wa_id, history_end, wanted)? {
                let entry: Entry = serde_json::from_slice(&row.body)
                    .map_err(|e| StoreError::Database(format!("thread message {}: {e}", row.id)))?;
                views.push(render(row.pos, &entry, catalog, read_upto));
            }
        }
        if let Some(thread) = self.state.threads.get(&key) {
            views.extend(
                (start.max(base)..end)
                    .filter_map(|pos| thread.get(pos).map(|e| render(pos, e, catalog, read_upto))),
            );
        }
        Ok(views)
    }

    /// The customer's chats: one per business number, with its unread count and latest
    /// message, in the order of the numbers' ids.
    pub fn chats(&self, wa_id: &WaId) -> Vec<ChatView> {
        let mut numbers: Vec<&PhoneNumberId> = self.state.numbers.keys().collect();
        numbers.sort();
        numbers
            .into_iter()
            .map(|number| {
                let key = (number.clone(), wa_id.clone());
                let thread = self.state.threads.get(&key);
                let catalog = self.state.linked_catalog(number).ok();
                let read_upto = thread.and_then(|t| t.read_upto);
                ChatView {
                    phone_number_id: number.clone(),
                    unread: thread.map_or(0, |t| {
                        t.entries
                            .iter()
                            .filter(|e| matches!(e, Entry::Out(o) if o.unread()))
                            .count()
                    }),
                    last: thread.and_then(|t| {
                        let pos = t.end().checked_sub(1)?;
                        t.get(pos).map(|e| render(pos, e, catalog, read_upto))
                    }),
                    messages: thread.map_or(0, |t| t.end()),
                }
            })
            .collect()
    }

    /// The whole thread as the customer sees it now, without reading it (history included,
    /// once every write so far is durable).
    pub fn thread_view(&self, wa_id: &WaId, number: &PhoneNumberId) -> Vec<MessageView> {
        let _ = self.store.flush();
        self.thread_page(wa_id, number, None, usize::MAX)
            .unwrap_or_default()
    }
}

/// How many messages opening a thread shows.
pub const THREAD_PAGE: usize = 100;

pub(crate) fn render(
    position: u64,
    entry: &Entry,
    catalog: Option<&Catalog>,
    read_upto: Option<u64>,
) -> MessageView {
    let product = |id: &RetailerId| product_view(catalog, id);
    match entry {
        Entry::In(inbound) => {
            let (id, at, content) = (&inbound.message.id, &inbound.at, &inbound.message.content);
            let (text, order) = match content {
                InboundContent::Text(t) => (Some(t.body.clone()), None),
                InboundContent::Order(o) => (o.text.clone(), serde_json::to_value(o).ok()),
                InboundContent::Interactive(i) => (
                    i.button_reply
                        .as_ref()
                        .or(i.list_reply.as_ref())
                        .map(|c| c.title.clone()),
                    None,
                ),
                InboundContent::Reaction(r) => (Some(r.emoji.clone().unwrap_or_default()), None),
                InboundContent::Image(i) => (i.caption.clone(), None),
                // A template's quick-reply button: its label.
                InboundContent::Other { kind, body } if kind == "button" => (
                    body.get("text")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                    None,
                ),
                InboundContent::Location(l) => (
                    Some(
                        l.name
                            .clone()
                            .unwrap_or_else(|| format!("{}, {}", l.latitude, l.longitude)),
                    ),
                    None,
                ),
                _ => (None, None),
            };
            MessageView {
                position,
                id: id.clone(),
                direction: "inbound",
                timestamp: at / 1000,
                kind: content.kind().to_owned(),
                status: Some(
                    if read_upto.is_some_and(|r| position <= r) {
                        "read"
                    } else {
                        "delivered"
                    }
                    .to_owned(),
                ),
                error_code: None,
                text,
                sections: Vec::new(),
                dropped: Vec::new(),
                order,
                forwarded_from: None,
                reply_to: match content {
                    InboundContent::Reaction(r) => Some(r.message_id.clone()),
                    _ => inbound.message.context.as_ref().and_then(|c| c.id.clone()),
                },
                door: None,
                template: None,
                catalog_link: None,
                payload: None,
                unsupported: false,
            }
        }
        Entry::Out(o) => {
            let mut template = None;
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
                Content::Template(_) => {
                    let (text, sections) = match &o.template {
                        Some(t) => {
                            let (text, sections, view) =
                                super::templates::view(t, &o.dropped, catalog);
                            template = Some(view);
                            (text, sections)
                        }
                        None => (None, Vec::new()),
                    };
                    ("template".to_owned(), text, sections)
                }
                other => (other.kind().to_owned(), None, Vec::new()),
            };
            MessageView {
                position,
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
                reply_to: o.message.context.as_ref().map(|c| c.message_id.clone()),
                door: o.door,
                template,
                catalog_link: match &o.message.content {
                    Content::Text(t) => super::links::catalog_link(t),
                    _ => None,
                },
                payload: serde_json::to_value(&o.message).ok(),
                unsupported: false,
            }
        }
    }
}

pub(crate) fn product_view(catalog: Option<&Catalog>, id: &RetailerId) -> ProductView {
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
