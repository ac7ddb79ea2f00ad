//! Builders for the messages a commerce conversation needs. Required parts are constructor
//! arguments, so a builder can only make a well-formed shape; `build` then checks the limits.

use crate::ids::{CatalogId, MessageId, RetailerId};
use crate::outbound::{
    Addressee, CatalogAction, CatalogMessage, CatalogParameters, Content, Header, HeaderType,
    Interactive, OutboundMessage, ProductAction, ProductItem, ProductListAction,
    ProductListMessage, ProductMessage, RecipientType, ReplyTo, Section, Text, TextBody,
};
use crate::validate::Violations;
use serde_json::{Value, json};

/// A message under construction. Made by [`OutboundMessage::text`], [`OutboundMessage::product`],
/// [`OutboundMessage::product_list`] and [`OutboundMessage::catalog`].
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct MessageBuilder<K> {
    pub(crate) message: OutboundMessage,
    _kind: std::marker::PhantomData<K>,
}

/// Marker: a text message.
#[derive(Clone, Copy, Debug)]
pub enum TextKind {}
/// Marker: a single-product message.
#[derive(Clone, Copy, Debug)]
pub enum ProductKind {}
/// Marker: a multi-product message.
#[derive(Clone, Copy, Debug)]
pub enum ProductListKind {}
/// Marker: a catalog message.
#[derive(Clone, Copy, Debug)]
pub enum CatalogKind {}
/// Marker: a message with reply buttons.
#[derive(Clone, Copy, Debug)]
pub enum ButtonsKind {}
/// Marker: a list message.
#[derive(Clone, Copy, Debug)]
pub enum ListKind {}

pub(crate) fn envelope(to: impl Into<Addressee>, content: Content) -> OutboundMessage {
    let (to, recipient) = match to.into() {
        Addressee::Phone(p) => (Some(p), None),
        Addressee::User(u) => (None, Some(u)),
    };
    OutboundMessage {
        recipient_type: Some(RecipientType::Individual),
        to,
        recipient,
        context: None,
        biz_opaque_callback_data: None,
        content,
    }
}

impl OutboundMessage {
    /// A text message.
    ///
    /// ```
    /// use wacart_schema::OutboundMessage;
    /// let m = OutboundMessage::text("16505551234", "Our catalog: https://wa.me/c/15550001111")
    ///     .preview_url(true)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(m.content.kind(), "text");
    /// ```
    pub fn text(to: impl Into<Addressee>, body: impl Into<String>) -> MessageBuilder<TextKind> {
        let content = Content::Text(TextBody {
            body: body.into(),
            preview_url: None,
        });
        MessageBuilder::new(envelope(to, content))
    }

    /// A message with up to three reply buttons, each `(id, title)`: the customer's tap comes
    /// back as an `interactive.button_reply` webhook with that id.
    ///
    /// ```
    /// use wacart_schema::OutboundMessage;
    /// let m = OutboundMessage::buttons("16505551234", "What would you like?",
    ///     [("fruit", "Fruit"), ("greens", "Greens")]).build().unwrap();
    /// assert_eq!(m.content.kind(), "interactive");
    /// ```
    pub fn buttons<I, A, B>(
        to: impl Into<Addressee>,
        body: impl Into<String>,
        buttons: I,
    ) -> MessageBuilder<ButtonsKind>
    where
        I: IntoIterator<Item = (A, B)>,
        A: Into<String>,
        B: Into<String>,
    {
        let buttons: Vec<Value> = buttons
            .into_iter()
            .map(|(id, title)| {
                json!({"type": "reply", "reply": {"id": id.into(), "title": title.into()}})
            })
            .collect();
        let interactive = json!({"type": "button", "body": {"text": body.into()},
            "action": {"buttons": buttons}});
        MessageBuilder::new(envelope(to, other_interactive(interactive)))
    }

    /// A list message: `button` opens it; add sections of rows next. A chosen row comes back
    /// as an `interactive.list_reply` webhook with its id.
    pub fn list(
        to: impl Into<Addressee>,
        body: impl Into<String>,
        button: impl Into<String>,
    ) -> MessageBuilder<ListKind> {
        let interactive = json!({"type": "list", "body": {"text": body.into()},
            "action": {"button": button.into(), "sections": []}});
        MessageBuilder::new(envelope(to, other_interactive(interactive)))
    }

    /// A single-product message.
    pub fn product(
        to: impl Into<Addressee>,
        catalog_id: impl Into<CatalogId>,
        retailer_id: impl Into<RetailerId>,
    ) -> MessageBuilder<ProductKind> {
        let content = Content::Interactive(Interactive::Product(ProductMessage {
            body: None,
            footer: None,
            action: ProductAction {
                catalog_id: catalog_id.into(),
                product_retailer_id: retailer_id.into(),
            },
        }));
        MessageBuilder::new(envelope(to, content))
    }

    /// A multi-product message with its text header and body; add sections next.
    ///
    /// ```
    /// use wacart_schema::OutboundMessage;
    /// let m = OutboundMessage::product_list("16505551234", "194836987003835", "Fresh today", "Pick yours")
    ///     .section("Fruit", ["apple-1kg", "pear-1kg"])
    ///     .section("Vegetables", ["kale"])
    ///     .build()
    ///     .unwrap();
    /// let err = OutboundMessage::product_list("16505551234", "194836987003835", "Fresh", "Pick")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "interactive.action.sections: 131009: must hold at least one section");
    /// ```
    pub fn product_list(
        to: impl Into<Addressee>,
        catalog_id: impl Into<CatalogId>,
        header: impl Into<String>,
        body: impl Into<String>,
    ) -> MessageBuilder<ProductListKind> {
        let content = Content::Interactive(Interactive::ProductList(ProductListMessage {
            header: Header {
                kind: HeaderType::Text,
                text: header.into(),
            },
            body: Text::new(body),
            footer: None,
            action: ProductListAction {
                catalog_id: catalog_id.into(),
                sections: Vec::new(),
            },
        }));
        MessageBuilder::new(envelope(to, content))
    }

    /// A catalog message with its body.
    pub fn catalog(
        to: impl Into<Addressee>,
        body: impl Into<String>,
    ) -> MessageBuilder<CatalogKind> {
        let content = Content::Interactive(Interactive::CatalogMessage(CatalogMessage {
            body: Text::new(body),
            footer: None,
            action: CatalogAction {
                name: "catalog_message".to_owned(),
                parameters: None,
            },
        }));
        MessageBuilder::new(envelope(to, content))
    }
}

impl<K> MessageBuilder<K> {
    pub(crate) fn new(message: OutboundMessage) -> Self {
        MessageBuilder {
            message,
            _kind: std::marker::PhantomData,
        }
    }

    /// Makes the message a reply to `message_id`.
    pub fn reply_to(mut self, message_id: impl Into<MessageId>) -> Self {
        self.message.context = Some(ReplyTo {
            message_id: message_id.into(),
        });
        self
    }

    /// Data echoed on this message's status webhooks (at most 512 characters).
    pub fn biz_opaque_callback_data(mut self, data: impl Into<String>) -> Self {
        self.message.biz_opaque_callback_data = Some(data.into());
        self
    }

    /// Checks every rule and returns the message.
    ///
    /// # Errors
    /// [`Violations`] when a text is too long or empty, an id is malformed, or a list breaks
    /// a count.
    pub fn build(self) -> Result<OutboundMessage, Violations> {
        self.message.validate()?;
        Ok(self.message)
    }

    /// The message without checking it (for tests of the checks themselves).
    pub fn build_unchecked(self) -> OutboundMessage {
        self.message
    }

    fn interactive(&mut self) -> &mut Interactive {
        match &mut self.message.content {
            Content::Interactive(i) => i,
            // Only the interactive constructors make interactive builders.
            _ => unreachable!("builder kind and content agree"),
        }
    }
}

impl MessageBuilder<TextKind> {
    /// Whether WhatsApp draws a preview of the first link.
    pub fn preview_url(mut self, on: bool) -> Self {
        if let Content::Text(t) = &mut self.message.content {
            t.preview_url = Some(on);
        }
        self
    }
}

impl MessageBuilder<ProductKind> {
    fn product(&mut self) -> &mut ProductMessage {
        match self.interactive() {
            Interactive::Product(p) => p,
            _ => unreachable!("builder kind and content agree"),
        }
    }

    /// Body text, at most 1024 characters.
    pub fn body(mut self, text: impl Into<String>) -> Self {
        self.product().body = Some(Text::new(text));
        self
    }

    /// Footer text, at most 60 characters.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.product().footer = Some(Text::new(text));
        self
    }
}

impl MessageBuilder<ProductListKind> {
    fn list(&mut self) -> &mut ProductListMessage {
        match self.interactive() {
            Interactive::ProductList(p) => p,
            _ => unreachable!("builder kind and content agree"),
        }
    }

    /// Footer text, at most 60 characters.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.list().footer = Some(Text::new(text));
        self
    }

    /// Adds a titled section (titles are required once there are two sections).
    pub fn section<I>(mut self, title: impl Into<String>, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<RetailerId>,
    {
        let product_items = items.into_iter().map(ProductItem::new).collect();
        self.list().action.sections.push(Section {
            title: Some(title.into()),
            product_items,
        });
        self
    }

    /// Adds a section without a title (fine when it is the only one).
    pub fn untitled_section<I>(mut self, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<RetailerId>,
    {
        let product_items = items.into_iter().map(ProductItem::new).collect();
        self.list().action.sections.push(Section {
            title: None,
            product_items,
        });
        self
    }
}

impl MessageBuilder<CatalogKind> {
    fn catalog(&mut self) -> &mut CatalogMessage {
        match self.interactive() {
            Interactive::CatalogMessage(c) => c,
            _ => unreachable!("builder kind and content agree"),
        }
    }

    /// Footer text, at most 60 characters.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.catalog().footer = Some(Text::new(text));
        self
    }

    /// The product whose image is the thumbnail.
    pub fn thumbnail(mut self, retailer_id: impl Into<RetailerId>) -> Self {
        self.catalog().action.parameters = Some(CatalogParameters {
            thumbnail_product_retailer_id: Some(retailer_id.into()),
        });
        self
    }
}

fn other_interactive(v: Value) -> Content {
    match v {
        Value::Object(map) => Content::Interactive(Interactive::Other(map)),
        _ => unreachable!("built from an object literal"),
    }
}

impl MessageBuilder<ListKind> {
    /// A section of rows, each `(id, title, description)` (an empty description is left out).
    pub fn section<I, A, B, C>(mut self, title: impl Into<String>, rows: I) -> Self
    where
        I: IntoIterator<Item = (A, B, C)>,
        A: Into<String>,
        B: Into<String>,
        C: Into<String>,
    {
        let rows: Vec<Value> = rows
            .into_iter()
            .map(|(id, t, d)| {
                let d: String = d.into();
                let mut row = json!({"id": id.into(), "title": t.into()});
                if !d.is_empty() {
                    row["description"] = Value::String(d);
                }
                row
            })
            .collect();
        let section = json!({"title": title.into(), "rows": rows});
        if let Interactive::Other(map) = self.interactive()
            && let Some(Value::Array(sections)) =
                map.get_mut("action").and_then(|a| a.get_mut("sections"))
        {
            sections.push(section);
        }
        self
    }
}
