//! Builders for template definitions and template sends. Each commerce template has its own
//! constructor holding what it cannot go without (a catalog template's `CATALOG` button, a
//! multi-product template's text header, a product carousel's `PRODUCT` card headers), and
//! parameters are typed, so a builder cannot make a wrong shape; `build` then checks the limits.

use serde_json::{Map, Value, json};

use super::definition::{
    ButtonType, Category, DefBody, DefButton, DefButtons, DefCard, DefCarousel, DefComponent,
    DefFooter, DefHeader, HeaderFormat, TemplateDefinition,
};
use super::send::{
    ButtonAction, ButtonSubType, CarouselCard, CarouselComponent, Parameter, SendComponent,
    TemplateMessage,
};
use crate::builder::{MessageBuilder, envelope};
use crate::ids::{CatalogId, RetailerId};
use crate::outbound::{Addressee, Content, OutboundMessage, ProductItem, Section};
use crate::validate::Violations;

/// Marker: a template message.
#[derive(Clone, Copy, Debug)]
pub enum TemplateKindMarker {}

impl OutboundMessage {
    /// A template message: the template's name and language; add its parameters next.
    ///
    /// ```
    /// use wacart_schema::{OutboundMessage, Parameter};
    /// let m = OutboundMessage::template("16505551234", "abandoned_cart", "en_US")
    ///     .header(Parameter::text("Pablo"))
    ///     .body([Parameter::text("10OFF")])
    ///     .mpm_button(0, "pear-1kg", [("Fruit", vec!["pear-1kg", "apple-1kg"])])
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(m.content.kind(), "template");
    /// ```
    pub fn template(
        to: impl Into<Addressee>,
        name: impl Into<String>,
        language: impl Into<String>,
    ) -> MessageBuilder<TemplateKindMarker> {
        let content = Content::Template(Box::new(TemplateMessage::new(name, language)));
        MessageBuilder::new(envelope(to, content))
    }
}

impl MessageBuilder<TemplateKindMarker> {
    fn template(&mut self) -> &mut TemplateMessage {
        match &mut self.message.content {
            Content::Template(t) => t,
            // Only `OutboundMessage::template` makes template builders.
            _ => unreachable!("builder kind and content agree"),
        }
    }

    /// Replaces the component of this kind (header, body), or adds it.
    fn set(&mut self, component: SendComponent) {
        let kind = component.kind().to_owned();
        let components = &mut self.template().components;
        match components.iter_mut().find(|c| c.kind() == kind) {
            Some(c) => *c = component,
            None => components.push(component),
        }
    }

    fn button(mut self, sub: ButtonSubType, index: u32, parameters: Vec<Parameter>) -> Self {
        self.template()
            .components
            .push(SendComponent::button(sub, index, parameters));
        self
    }

    /// The header's parameter: text, a media, a location, or a product.
    pub fn header(mut self, parameter: Parameter) -> Self {
        self.set(SendComponent::header(parameter));
        self
    }

    /// A single-product template's product (its `PRODUCT` header).
    pub fn product(
        self,
        catalog_id: impl Into<CatalogId>,
        retailer_id: impl Into<RetailerId>,
    ) -> Self {
        self.header(Parameter::product(catalog_id, retailer_id))
    }

    /// The body's parameters, in the order of its variables (none: no body component).
    pub fn body(mut self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        let parameters: Vec<Parameter> = parameters.into_iter().collect();
        if parameters.is_empty() {
            self.template().components.retain(|c| c.kind() != "body");
        } else {
            self.set(SendComponent::body(parameters));
        }
        self
    }

    /// The payload a quick-reply button at `index` sends back when tapped.
    pub fn quick_reply(self, index: u32, payload: impl Into<String>) -> Self {
        self.button(
            ButtonSubType::QuickReply,
            index,
            vec![Parameter::payload(payload)],
        )
    }

    /// The suffix of the URL button at `index`.
    pub fn url_suffix(self, index: u32, suffix: impl Into<String>) -> Self {
        self.button(ButtonSubType::Url, index, vec![Parameter::text(suffix)])
    }

    /// A catalog template's "View catalog" button, with its thumbnail product (else the
    /// catalog's first).
    pub fn catalog_button(self, index: u32, thumbnail: Option<RetailerId>) -> Self {
        let action = ButtonAction {
            thumbnail_product_retailer_id: thumbnail,
            ..ButtonAction::new()
        };
        self.button(
            ButtonSubType::Catalog,
            index,
            vec![Parameter::action(action)],
        )
    }

    /// A multi-product template's button: the thumbnail and the sections, each `(title, ids)`.
    pub fn mpm_button<T, I, R>(
        self,
        index: u32,
        thumbnail: impl Into<RetailerId>,
        sections: impl IntoIterator<Item = (T, I)>,
    ) -> Self
    where
        T: Into<String>,
        I: IntoIterator<Item = R>,
        R: Into<RetailerId>,
    {
        let sections = sections
            .into_iter()
            .map(|(title, ids)| Section {
                title: Some(title.into()),
                product_items: ids.into_iter().map(ProductItem::new).collect(),
            })
            .collect();
        let action = ButtonAction {
            thumbnail_product_retailer_id: Some(thumbnail.into()),
            sections,
            ..ButtonAction::new()
        };
        self.button(ButtonSubType::Mpm, index, vec![Parameter::action(action)])
    }

    /// A copy-code button's coupon code.
    pub fn coupon_code(self, index: u32, code: impl Into<String>) -> Self {
        self.button(
            ButtonSubType::CopyCode,
            index,
            vec![Parameter::coupon_code(code)],
        )
    }

    /// A checkout button's order (India): Meta's `order_details` object.
    pub fn order_details(self, index: u32, order_details: Value) -> Self {
        let action = ButtonAction {
            order_details: Some(order_details),
            ..ButtonAction::new()
        };
        self.button(
            ButtonSubType::OrderDetails,
            index,
            vec![Parameter::action(action)],
        )
    }

    /// A carousel's cards, in order (`card_index` is each card's position).
    pub fn carousel(mut self, cards: impl IntoIterator<Item = CardBuilder>) -> Self {
        let cards = cards
            .into_iter()
            .enumerate()
            .map(|(i, c)| CarouselCard {
                card_index: u32::try_from(i).unwrap_or(u32::MAX),
                components: c.components,
                extra: Map::new(),
            })
            .collect();
        self.set(SendComponent::Carousel(CarouselComponent {
            cards,
            extra: Map::new(),
        }));
        self
    }
}

/// One card of a carousel send.
#[derive(Clone, Debug)]
#[must_use]
pub struct CardBuilder {
    components: Vec<SendComponent>,
}

impl CardBuilder {
    /// A product card: its product.
    pub fn product(catalog_id: impl Into<CatalogId>, retailer_id: impl Into<RetailerId>) -> Self {
        CardBuilder {
            components: vec![SendComponent::header(Parameter::product(
                catalog_id,
                retailer_id,
            ))],
        }
    }

    /// A media card: its image or video header.
    pub fn media(header: Parameter) -> Self {
        CardBuilder {
            components: vec![SendComponent::header(header)],
        }
    }

    /// The card's body parameters (none: no body component).
    pub fn body(mut self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        let parameters: Vec<Parameter> = parameters.into_iter().collect();
        if !parameters.is_empty() {
            self.components.push(SendComponent::body(parameters));
        }
        self
    }

    /// The payload of the card's quick-reply button at `index`.
    pub fn quick_reply(mut self, index: u32, payload: impl Into<String>) -> Self {
        self.components.push(SendComponent::button(
            ButtonSubType::QuickReply,
            index,
            vec![Parameter::payload(payload)],
        ));
        self
    }

    /// The suffix of the card's URL button at `index`.
    pub fn url_suffix(mut self, index: u32, suffix: impl Into<String>) -> Self {
        self.components.push(SendComponent::button(
            ButtonSubType::Url,
            index,
            vec![Parameter::text(suffix)],
        ));
        self
    }
}

/// A template definition under construction: made by [`TemplateDefinition::builder`] or one of
/// the commerce constructors.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct DefinitionBuilder {
    def: TemplateDefinition,
}

fn button(kind: ButtonType, text: &str) -> DefButton {
    DefButton {
        kind,
        text: Some(text.to_owned()),
        url: None,
        phone_number: None,
        example: None,
        otp_type: None,
        extra: Map::new(),
    }
}

fn body(text: impl Into<String>) -> DefComponent {
    DefComponent::Body(DefBody {
        text: Some(text.into()),
        example: None,
        add_security_recommendation: None,
        extra: Map::new(),
    })
}

fn header(format: HeaderFormat, text: Option<String>, example: Option<Value>) -> DefComponent {
    DefComponent::Header(DefHeader {
        format,
        text,
        example,
        extra: Map::new(),
    })
}

fn buttons(buttons: Vec<DefButton>) -> DefComponent {
    DefComponent::Buttons(DefButtons {
        buttons,
        extra: Map::new(),
    })
}

impl TemplateDefinition {
    /// A template with its body; add a header, footer and buttons next.
    ///
    /// ```
    /// use wacart_schema::{Category, TemplateDefinition};
    /// let t = TemplateDefinition::builder("order_shipped", "en_US", Category::Utility, "Hi {{1}}, it shipped!")
    ///     .body_examples(["Pablo"])
    ///     .quick_reply("Track it")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(t.buttons().len(), 1);
    /// ```
    pub fn builder(
        name: impl Into<String>,
        language: impl Into<String>,
        category: Category,
        body_text: impl Into<String>,
    ) -> DefinitionBuilder {
        DefinitionBuilder {
            def: TemplateDefinition {
                name: name.into(),
                language: language.into(),
                category,
                parameter_format: None,
                allow_category_change: None,
                components: vec![body(body_text)],
                extra: Map::new(),
            },
        }
    }

    /// A catalog template: its body and the "View catalog" button.
    pub fn catalog(
        name: impl Into<String>,
        language: impl Into<String>,
        body_text: impl Into<String>,
    ) -> DefinitionBuilder {
        Self::builder(name, language, Category::Marketing, body_text)
            .button(button(ButtonType::Catalog, "View catalog"))
    }

    /// A multi-product template: its text header, body, and the "View items" button.
    pub fn multi_product(
        name: impl Into<String>,
        language: impl Into<String>,
        header_text: impl Into<String>,
        body_text: impl Into<String>,
    ) -> DefinitionBuilder {
        Self::builder(name, language, Category::Marketing, body_text)
            .header_text(header_text)
            .button(button(ButtonType::Mpm, "View items"))
    }

    /// A single-product template: the product header, its body, and the "View" button.
    pub fn single_product(
        name: impl Into<String>,
        language: impl Into<String>,
        body_text: impl Into<String>,
    ) -> DefinitionBuilder {
        let mut b = Self::builder(name, language, Category::Marketing, body_text)
            .button(button(ButtonType::Spm, "View"));
        b.def
            .components
            .insert(0, header(HeaderFormat::Product, None, None));
        b
    }

    /// A product card carousel: the message body and `cards` product cards, each with a
    /// "View" button.
    pub fn product_carousel(
        name: impl Into<String>,
        language: impl Into<String>,
        body_text: impl Into<String>,
        cards: usize,
    ) -> DefinitionBuilder {
        let card = DefCard {
            components: vec![
                header(HeaderFormat::Product, None, None),
                buttons(vec![button(ButtonType::Spm, "View")]),
            ],
            extra: Map::new(),
        };
        Self::builder(name, language, Category::Marketing, body_text).carousel(vec![card; cards])
    }

    /// A media card carousel: the message body and the cards, each an image card: its sample
    /// handle, body, the body's sample values, and its quick-reply buttons' labels.
    pub fn media_carousel(
        name: impl Into<String>,
        language: impl Into<String>,
        body_text: impl Into<String>,
        cards: impl IntoIterator<Item = (String, String, Vec<String>, Vec<String>)>,
    ) -> DefinitionBuilder {
        let cards = cards
            .into_iter()
            .map(|(handle, card_body, card_examples, replies)| DefCard {
                components: vec![
                    header(
                        HeaderFormat::Image,
                        None,
                        Some(json!({"header_handle": [handle]})),
                    ),
                    DefComponent::Body(DefBody {
                        text: Some(card_body),
                        example: (!card_examples.is_empty())
                            .then(|| json!({"body_text": [card_examples]})),
                        add_security_recommendation: None,
                        extra: Map::new(),
                    }),
                    buttons(
                        replies
                            .iter()
                            .map(|t| button(ButtonType::QuickReply, t))
                            .collect(),
                    ),
                ],
                extra: Map::new(),
            })
            .collect();
        Self::builder(name, language, Category::Marketing, body_text).carousel(cards)
    }

    /// A checkout button template (India): an image header with its sample handle, the body,
    /// and the "Buy now" button.
    pub fn checkout(
        name: impl Into<String>,
        language: impl Into<String>,
        header_handle: impl Into<String>,
        body_text: impl Into<String>,
    ) -> DefinitionBuilder {
        Self::builder(name, language, Category::Marketing, body_text)
            .header_media(HeaderFormat::Image, header_handle)
            .button(button(ButtonType::OrderDetails, "Buy now"))
    }
}

impl DefinitionBuilder {
    fn component_mut(&mut self, kind: &str) -> Option<&mut DefComponent> {
        self.def.components.iter_mut().find(|c| c.kind() == kind)
    }

    /// Puts a component in Meta's order: header, body, footer, buttons, carousel.
    fn put(&mut self, component: DefComponent) {
        let rank = |c: &DefComponent| match c.kind() {
            "HEADER" => 0,
            "BODY" => 1,
            "FOOTER" => 2,
            "BUTTONS" => 3,
            _ => 4,
        };
        let kind = component.kind().to_owned();
        if let Some(c) = self.component_mut(&kind) {
            *c = component;
            return;
        }
        let at = self
            .def
            .components
            .iter()
            .position(|c| rank(c) > rank(&component))
            .unwrap_or(self.def.components.len());
        self.def.components.insert(at, component);
    }

    fn button(mut self, b: DefButton) -> Self {
        match self.component_mut("BUTTONS") {
            Some(DefComponent::Buttons(bs)) => bs.buttons.push(b),
            _ => self.put(buttons(vec![b])),
        }
        self
    }

    fn carousel(mut self, cards: Vec<DefCard>) -> Self {
        self.put(DefComponent::Carousel(DefCarousel {
            cards,
            extra: Map::new(),
        }));
        self
    }

    /// A text header (at most one variable).
    pub fn header_text(mut self, text: impl Into<String>) -> Self {
        self.put(header(HeaderFormat::Text, Some(text.into()), None));
        self
    }

    /// The sample value of the text header's variable.
    pub fn header_example(mut self, value: impl Into<String>) -> Self {
        if let Some(DefComponent::Header(h)) = self.component_mut("HEADER") {
            h.example = Some(json!({"header_text": [value.into()]}));
        }
        self
    }

    /// An image, video or document header with its sample media handle.
    pub fn header_media(mut self, format: HeaderFormat, handle: impl Into<String>) -> Self {
        self.put(header(
            format,
            None,
            Some(json!({"header_handle": [handle.into()]})),
        ));
        self
    }

    /// The sample values of the body's variables, in order.
    pub fn body_examples<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        if let Some(DefComponent::Body(b)) = self.component_mut("BODY") {
            b.example = Some(json!({"body_text": [values]}));
        }
        self
    }

    /// The footer.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.put(DefComponent::Footer(DefFooter {
            text: Some(text.into()),
            code_expiration_minutes: None,
            extra: Map::new(),
        }));
        self
    }

    /// A quick-reply button.
    pub fn quick_reply(self, text: impl Into<String>) -> Self {
        self.button(button(ButtonType::QuickReply, &text.into()))
    }

    /// A URL button; a URL ending in `{{1}}` needs the sample suffix `example`.
    pub fn url_button(
        self,
        text: impl Into<String>,
        url: impl Into<String>,
        example: Option<String>,
    ) -> Self {
        let mut b = button(ButtonType::Url, &text.into());
        b.url = Some(url.into());
        b.example = example.map(|e| json!([e]));
        self.button(b)
    }

    /// A phone number button.
    pub fn phone_button(self, text: impl Into<String>, phone_number: impl Into<String>) -> Self {
        let mut b = button(ButtonType::PhoneNumber, &text.into());
        b.phone_number = Some(phone_number.into());
        self.button(b)
    }

    /// The definition without checking it (for tests of the checks themselves).
    pub fn build_unchecked(self) -> TemplateDefinition {
        self.def
    }

    /// Checks every rule and returns the definition.
    ///
    /// # Errors
    /// [`Violations`] with every broken rule.
    pub fn build(self) -> Result<TemplateDefinition, Violations> {
        self.def.validate()?;
        Ok(self.def)
    }
}
