//! A template message as a business sends it: the `template` object of `type: "template"`
//! (docs/templates.md §3). Components are tagged by `type`, parameters by theirs; every object
//! keeps the fields this version does not know, and a component or parameter whose shape is
//! not one of Meta's is kept whole in an `Other` variant rather than refused (validation reports
//! it), so parsing never loses a byte of what came.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{CatalogId, RetailerId};
use crate::outbound::Section;
use crate::wire::wire_struct;

wire_struct! {
    /// `template` of a template message.
    pub struct TemplateMessage {
        /// The template's name, as created (`[a-z0-9_]`, at most 512 characters).
        name: req String = "name",
        /// The translation to send.
        language: req TemplateLanguage = "language",
        /// The values of the template's variables, buttons and cards.
        components: vec SendComponent = "components",
    }
}

wire_struct! {
    /// `template.language`.
    pub struct TemplateLanguage {
        /// A language and locale code the template was created in (`en_US`, `pt_BR`, `en`).
        code: req String = "code",
        /// `deterministic`, the only policy left; optional.
        policy: opt String = "policy",
    }
}

/// One component of a template send, chosen by its `type` (read without regard to case).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SendComponent {
    /// `header`: the header's one parameter (text, media, location or product).
    Header(ComponentParameters),
    /// `body`: the body's parameters, in the order of its variables.
    Body(ComponentParameters),
    /// `button`: the parameter of the button at `index`.
    Button(ButtonComponent),
    /// `carousel`: one entry per card.
    Carousel(CarouselComponent),
    /// Any other component, or one whose shape could not be read, kept as it came (`type`
    /// included).
    Other(Map<String, Value>),
}

wire_struct! {
    /// The parameters of a header or body component.
    pub struct ComponentParameters {
        /// In the order of the variables.
        parameters: vec Parameter = "parameters",
    }
}

wire_struct! {
    /// A `button` component: which button (`index`), its kind (`sub_type`) and its parameter.
    pub struct ButtonComponent {
        /// `quick_reply`, `url`, `catalog`, `mpm`, `copy_code`, `flow`, `order_details`, ... as
        /// written (Meta's own examples write `CATALOG`); see [`ButtonComponent::kind`].
        sub_type: req String = "sub_type",
        /// The button's position in the template's buttons, from 0.
        index: req ButtonIndex = "index",
        /// Its parameter (one).
        parameters: vec Parameter = "parameters",
    }
}

wire_struct! {
    /// A `carousel` component.
    pub struct CarouselComponent {
        /// One per card of the template, each naming its `card_index`.
        cards: vec CarouselCard = "cards",
    }
}

wire_struct! {
    /// One card of a carousel send.
    pub struct CarouselCard {
        /// The card's position, from 0.
        card_index: req u32 = "card_index",
        /// The card's header, body and button parameters.
        components: vec SendComponent = "components",
    }
}

/// A button's `index`: Meta's examples write it as a number (`0`) or a string (`"0"`); it is
/// written back as it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ButtonIndex {
    /// The position.
    pub value: u32,
    /// Written as a string.
    pub quoted: bool,
}

impl ButtonIndex {
    /// A numeric index.
    pub fn new(value: u32) -> Self {
        ButtonIndex {
            value,
            quoted: false,
        }
    }
}

impl Serialize for ButtonIndex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            serializer.collect_str(&self.value)
        } else {
            serializer.serialize_u32(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for ButtonIndex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(ButtonIndex::new)
                .ok_or_else(|| D::Error::custom("a button index is a small whole number")),
            Value::String(s) => s
                .parse()
                .map(|value| ButtonIndex {
                    value,
                    quoted: true,
                })
                .map_err(|_| D::Error::custom("a button index is a small whole number")),
            _ => Err(D::Error::custom("a button index is a number")),
        }
    }
}

/// What a button component is for, read from `sub_type` without regard to case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ButtonSubType {
    /// A quick-reply button: its `payload` comes back when tapped.
    QuickReply,
    /// A URL button with a variable suffix.
    Url,
    /// A catalog template's "View catalog" button: an `action` with an optional thumbnail.
    Catalog,
    /// A multi-product template's button: an `action` with the thumbnail and the sections.
    Mpm,
    /// A single-product template's "View" button (no parameter; the product is the header's).
    Spm,
    /// A coupon code to copy.
    CopyCode,
    /// A flow button.
    Flow,
    /// A checkout button (India): an `action` with `order_details`.
    OrderDetails,
    /// Anything else.
    Other,
}

impl ButtonSubType {
    /// The sub type a `sub_type` names (case does not matter).
    pub fn parse(s: &str) -> Self {
        const ALL: [(&str, ButtonSubType); 8] = [
            ("quick_reply", ButtonSubType::QuickReply),
            ("url", ButtonSubType::Url),
            ("catalog", ButtonSubType::Catalog),
            ("mpm", ButtonSubType::Mpm),
            ("spm", ButtonSubType::Spm),
            ("copy_code", ButtonSubType::CopyCode),
            ("flow", ButtonSubType::Flow),
            ("order_details", ButtonSubType::OrderDetails),
        ];
        ALL.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map_or(ButtonSubType::Other, |(_, k)| *k)
    }

    /// Its wire name, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            ButtonSubType::QuickReply => "quick_reply",
            ButtonSubType::Url => "url",
            ButtonSubType::Catalog => "catalog",
            ButtonSubType::Mpm => "mpm",
            ButtonSubType::Spm => "spm",
            ButtonSubType::CopyCode => "copy_code",
            ButtonSubType::Flow => "flow",
            ButtonSubType::OrderDetails => "order_details",
            ButtonSubType::Other => "other",
        }
    }
}

impl ButtonComponent {
    /// What the button is for.
    pub fn kind(&self) -> ButtonSubType {
        ButtonSubType::parse(&self.sub_type)
    }
}

/// One parameter, chosen by its `type`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Parameter {
    /// `text`.
    Text(TextParameter),
    /// `currency`: shown as its `fallback_value`.
    Currency(CurrencyParameter),
    /// `date_time`: shown as its `fallback_value`.
    DateTime(DateTimeParameter),
    /// `image` (a header's).
    Image(ImageParameter),
    /// `video`.
    Video(VideoParameter),
    /// `document`.
    Document(DocumentParameter),
    /// `location`.
    Location(LocationParameter),
    /// `product`: a single-product template's (or a product card's) header.
    Product(ProductParameter),
    /// `payload`: a quick-reply button's.
    Payload(PayloadParameter),
    /// `action`: a catalog, multi-product, flow or checkout button's.
    Action(ActionParameter),
    /// `coupon_code`: a copy-code button's.
    CouponCode(CouponCodeParameter),
    /// Any other parameter, or one whose shape could not be read, kept as it came (`type`
    /// included).
    Other(Map<String, Value>),
}

/// The kind of a parameter, for comparing with what a template expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterKind {
    /// `text`.
    Text,
    /// `currency`.
    Currency,
    /// `date_time`.
    DateTime,
    /// `image`.
    Image,
    /// `video`.
    Video,
    /// `document`.
    Document,
    /// `location`.
    Location,
    /// `product`.
    Product,
    /// `payload`.
    Payload,
    /// `action`.
    Action,
    /// `coupon_code`.
    CouponCode,
    /// Unknown or unreadable.
    Unknown,
}

impl ParameterKind {
    /// As Meta names the format in its 132012 details (`IMAGE`, `TEXT`, ... `UNKNOWN`).
    pub fn format_name(self) -> &'static str {
        match self {
            ParameterKind::Text => "TEXT",
            ParameterKind::Currency => "CURRENCY",
            ParameterKind::DateTime => "DATE_TIME",
            ParameterKind::Image => "IMAGE",
            ParameterKind::Video => "VIDEO",
            ParameterKind::Document => "DOCUMENT",
            ParameterKind::Location => "LOCATION",
            ParameterKind::Product => "PRODUCT",
            ParameterKind::Payload => "PAYLOAD",
            ParameterKind::Action => "ACTION",
            ParameterKind::CouponCode => "COUPON_CODE",
            ParameterKind::Unknown => "UNKNOWN",
        }
    }

    /// Whether it can fill a text variable of a header or body (text, currency, date_time).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            ParameterKind::Text | ParameterKind::Currency | ParameterKind::DateTime
        )
    }
}

wire_struct! {
    /// A `text` parameter.
    pub struct TextParameter {
        /// The value.
        text: req String = "text",
        /// The variable it fills, for templates with named parameters.
        parameter_name: opt String = "parameter_name",
    }
}

wire_struct! {
    /// A `currency` parameter.
    pub struct CurrencyParameter {
        /// The amount.
        currency: req Currency = "currency",
        /// The variable it fills, for templates with named parameters.
        parameter_name: opt String = "parameter_name",
    }
}

wire_struct! {
    /// `currency` of a currency parameter.
    pub struct Currency {
        /// What the customer sees.
        fallback_value: req String = "fallback_value",
        /// ISO 4217.
        code: req String = "code",
        /// The amount times 1000.
        amount_1000: req i64 = "amount_1000",
    }
}

wire_struct! {
    /// A `date_time` parameter.
    pub struct DateTimeParameter {
        /// The date.
        date_time: req DateTime = "date_time",
        /// The variable it fills, for templates with named parameters.
        parameter_name: opt String = "parameter_name",
    }
}

wire_struct! {
    /// `date_time` of a date-time parameter (its other fields are kept in `extra`).
    pub struct DateTime {
        /// What the customer sees.
        fallback_value: req String = "fallback_value",
    }
}

wire_struct! {
    /// A media object of a header parameter: an uploaded media's `id` or a `link`.
    pub struct MediaObject {
        /// An uploaded media.
        id: opt String = "id",
        /// A URL.
        link: opt String = "link",
        /// A document's file name.
        filename: opt String = "filename",
    }
}

wire_struct! {
    /// An `image` parameter.
    pub struct ImageParameter {
        /// The image.
        image: req MediaObject = "image",
    }
}

wire_struct! {
    /// A `video` parameter.
    pub struct VideoParameter {
        /// The video.
        video: req MediaObject = "video",
    }
}

wire_struct! {
    /// A `document` parameter.
    pub struct DocumentParameter {
        /// The document.
        document: req MediaObject = "document",
    }
}

wire_struct! {
    /// A `location` parameter.
    pub struct LocationParameter {
        /// The place.
        location: req LocationObject = "location",
    }
}

wire_struct! {
    /// `location` of a location parameter.
    pub struct LocationObject {
        /// Degrees.
        latitude: req f64 = "latitude",
        /// Degrees.
        longitude: req f64 = "longitude",
        /// The place's name.
        name: opt String = "name",
        /// Its address.
        address: opt String = "address",
    }
}

wire_struct! {
    /// A `product` parameter.
    pub struct ProductParameter {
        /// The product.
        product: req ProductRef = "product",
    }
}

wire_struct! {
    /// `product` of a product parameter.
    pub struct ProductRef {
        /// The product, by retailer id.
        product_retailer_id: req RetailerId = "product_retailer_id",
        /// The catalog linked to the sending number.
        catalog_id: req CatalogId = "catalog_id",
    }
}

wire_struct! {
    /// A `payload` parameter of a quick-reply button.
    pub struct PayloadParameter {
        /// What comes back in the `button` webhook when the customer taps it.
        payload: req String = "payload",
    }
}

wire_struct! {
    /// An `action` parameter.
    pub struct ActionParameter {
        /// The action.
        action: req ButtonAction = "action",
    }
}

wire_struct! {
    /// `action` of a catalog, multi-product, flow or checkout button.
    pub struct ButtonAction {
        /// The product whose image heads the message (catalog: optional; MPM: required).
        thumbnail_product_retailer_id: opt RetailerId = "thumbnail_product_retailer_id",
        /// An MPM's sections: 1 to 10, at most 30 products in all.
        sections: vec Section = "sections",
        /// A checkout button's order (India), kept as JSON.
        order_details: opt Value = "order_details",
    }
}

wire_struct! {
    /// A `coupon_code` parameter of a copy-code button.
    pub struct CouponCodeParameter {
        /// The code, at most 15 characters.
        coupon_code: req String = "coupon_code",
    }
}

impl Parameter {
    /// Its kind.
    pub fn kind(&self) -> ParameterKind {
        match self {
            Parameter::Text(_) => ParameterKind::Text,
            Parameter::Currency(_) => ParameterKind::Currency,
            Parameter::DateTime(_) => ParameterKind::DateTime,
            Parameter::Image(_) => ParameterKind::Image,
            Parameter::Video(_) => ParameterKind::Video,
            Parameter::Document(_) => ParameterKind::Document,
            Parameter::Location(_) => ParameterKind::Location,
            Parameter::Product(_) => ParameterKind::Product,
            Parameter::Payload(_) => ParameterKind::Payload,
            Parameter::Action(_) => ParameterKind::Action,
            Parameter::CouponCode(_) => ParameterKind::CouponCode,
            Parameter::Other(_) => ParameterKind::Unknown,
        }
    }

    /// What the customer reads where a text variable stands: the text, or a currency's or
    /// date's `fallback_value`.
    pub fn display_text(&self) -> Option<&str> {
        match self {
            Parameter::Text(t) => Some(&t.text),
            Parameter::Currency(c) => Some(&c.currency.fallback_value),
            Parameter::DateTime(d) => Some(&d.date_time.fallback_value),
            _ => None,
        }
    }

    /// The variable a named parameter fills.
    pub fn parameter_name(&self) -> Option<&str> {
        match self {
            Parameter::Text(t) => t.parameter_name.as_deref(),
            Parameter::Currency(c) => c.parameter_name.as_deref(),
            Parameter::DateTime(d) => d.parameter_name.as_deref(),
            _ => None,
        }
    }

    /// A text parameter.
    pub fn text(text: impl Into<String>) -> Self {
        Parameter::Text(TextParameter {
            text: text.into(),
            parameter_name: None,
            extra: Map::new(),
        })
    }

    /// A text parameter for the named variable `name`.
    pub fn named_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Parameter::Text(TextParameter {
            text: text.into(),
            parameter_name: Some(name.into()),
            extra: Map::new(),
        })
    }

    /// A currency parameter: `amount_1000` is the amount times 1000 (`12990` for 12.99).
    pub fn currency(
        fallback_value: impl Into<String>,
        code: impl Into<String>,
        amount_1000: i64,
    ) -> Self {
        Parameter::Currency(CurrencyParameter {
            currency: Currency {
                fallback_value: fallback_value.into(),
                code: code.into(),
                amount_1000,
                extra: Map::new(),
            },
            parameter_name: None,
            extra: Map::new(),
        })
    }

    /// A date-time parameter shown as `fallback_value`.
    pub fn date_time(fallback_value: impl Into<String>) -> Self {
        Parameter::DateTime(DateTimeParameter {
            date_time: DateTime {
                fallback_value: fallback_value.into(),
                extra: Map::new(),
            },
            parameter_name: None,
            extra: Map::new(),
        })
    }

    /// An image by link.
    pub fn image_link(link: impl Into<String>) -> Self {
        Parameter::Image(ImageParameter {
            image: MediaObject::link(link),
            extra: Map::new(),
        })
    }

    /// An image by uploaded media id.
    pub fn image_id(id: impl Into<String>) -> Self {
        Parameter::Image(ImageParameter {
            image: MediaObject::id(id),
            extra: Map::new(),
        })
    }

    /// A video by link.
    pub fn video_link(link: impl Into<String>) -> Self {
        Parameter::Video(VideoParameter {
            video: MediaObject::link(link),
            extra: Map::new(),
        })
    }

    /// A product of the catalog linked to the sending number.
    pub fn product(catalog_id: impl Into<CatalogId>, retailer_id: impl Into<RetailerId>) -> Self {
        Parameter::Product(ProductParameter {
            product: ProductRef {
                product_retailer_id: retailer_id.into(),
                catalog_id: catalog_id.into(),
                extra: Map::new(),
            },
            extra: Map::new(),
        })
    }

    /// A quick-reply button's payload.
    pub fn payload(payload: impl Into<String>) -> Self {
        Parameter::Payload(PayloadParameter {
            payload: payload.into(),
            extra: Map::new(),
        })
    }

    /// A button's action.
    pub fn action(action: ButtonAction) -> Self {
        Parameter::Action(ActionParameter {
            action,
            extra: Map::new(),
        })
    }

    /// A copy-code button's coupon code.
    pub fn coupon_code(code: impl Into<String>) -> Self {
        Parameter::CouponCode(CouponCodeParameter {
            coupon_code: code.into(),
            extra: Map::new(),
        })
    }
}

impl MediaObject {
    /// A media by link.
    pub fn link(link: impl Into<String>) -> Self {
        MediaObject {
            id: None,
            link: Some(link.into()),
            filename: None,
            extra: Map::new(),
        }
    }

    /// An uploaded media by id.
    pub fn id(id: impl Into<String>) -> Self {
        MediaObject {
            id: Some(id.into()),
            link: None,
            filename: None,
            extra: Map::new(),
        }
    }
}

impl ButtonAction {
    /// An action with nothing set.
    pub fn new() -> Self {
        ButtonAction {
            thumbnail_product_retailer_id: None,
            sections: Vec::new(),
            order_details: None,
            extra: Map::new(),
        }
    }
}

impl Default for ButtonAction {
    fn default() -> Self {
        ButtonAction::new()
    }
}

impl SendComponent {
    /// The component's `type` as written on the wire (`header`, `body`, `button`, `carousel`).
    pub fn kind(&self) -> &str {
        match self {
            SendComponent::Header(_) => "header",
            SendComponent::Body(_) => "body",
            SendComponent::Button(_) => "button",
            SendComponent::Carousel(_) => "carousel",
            SendComponent::Other(map) => map.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// A header with one parameter.
    pub fn header(parameter: Parameter) -> Self {
        SendComponent::Header(ComponentParameters {
            parameters: vec![parameter],
            extra: Map::new(),
        })
    }

    /// A body with these parameters.
    pub fn body(parameters: Vec<Parameter>) -> Self {
        SendComponent::Body(ComponentParameters {
            parameters,
            extra: Map::new(),
        })
    }

    /// A button component.
    pub fn button(sub_type: ButtonSubType, index: u32, parameters: Vec<Parameter>) -> Self {
        SendComponent::Button(ButtonComponent {
            sub_type: sub_type.as_str().to_owned(),
            index: ButtonIndex::new(index),
            parameters,
            extra: Map::new(),
        })
    }
}

impl TemplateMessage {
    /// A template send with no components yet.
    pub fn new(name: impl Into<String>, language: impl Into<String>) -> Self {
        TemplateMessage {
            name: name.into(),
            language: TemplateLanguage {
                code: language.into(),
                policy: None,
                extra: Map::new(),
            },
            components: Vec::new(),
            extra: Map::new(),
        }
    }

    /// The parameters of the component of this kind (`header` or `body`), when present.
    pub fn parameters_of(&self, kind: &str) -> Option<&[Parameter]> {
        self.components.iter().find_map(|c| match (c, kind) {
            (SendComponent::Header(p), "header") | (SendComponent::Body(p), "body") => {
                Some(p.parameters.as_slice())
            }
            _ => None,
        })
    }

    /// The button components, in the order given.
    pub fn buttons(&self) -> impl Iterator<Item = &ButtonComponent> {
        self.components.iter().filter_map(|c| match c {
            SendComponent::Button(b) => Some(b),
            _ => None,
        })
    }

    /// The carousel's cards, when there is a carousel component.
    pub fn cards(&self) -> Option<&[CarouselCard]> {
        self.components.iter().find_map(|c| match c {
            SendComponent::Carousel(k) => Some(k.cards.as_slice()),
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// serde for the tagged parts: `type` selects the variant; an unknown tag, or a known one whose
// object does not read, keeps the object whole.

#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    inner: &'a T,
}

fn tagged<S: serde::Serializer, T: Serialize>(
    serializer: S,
    kind: &str,
    inner: &T,
) -> Result<S::Ok, S::Error> {
    Tagged { kind, inner }.serialize(serializer)
}

/// The object without its `type`, and the type in lower case.
fn untag(map: &Map<String, Value>) -> (String, Value) {
    let kind = map
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut rest = map.clone();
    rest.remove("type");
    (kind, Value::Object(rest))
}

impl Serialize for SendComponent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SendComponent::Header(p) => tagged(serializer, "header", p),
            SendComponent::Body(p) => tagged(serializer, "body", p),
            SendComponent::Button(b) => tagged(serializer, "button", b),
            SendComponent::Carousel(c) => tagged(serializer, "carousel", c),
            SendComponent::Other(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SendComponent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let (kind, rest) = untag(&map);
        let typed = match kind.as_str() {
            "header" => serde_json::from_value(rest).map(SendComponent::Header),
            "body" => serde_json::from_value(rest).map(SendComponent::Body),
            "button" => serde_json::from_value(rest).map(SendComponent::Button),
            "carousel" => serde_json::from_value(rest).map(SendComponent::Carousel),
            _ => return Ok(SendComponent::Other(map)),
        };
        Ok(typed.unwrap_or(SendComponent::Other(map)))
    }
}

impl Serialize for Parameter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Parameter::Text(p) => tagged(serializer, "text", p),
            Parameter::Currency(p) => tagged(serializer, "currency", p),
            Parameter::DateTime(p) => tagged(serializer, "date_time", p),
            Parameter::Image(p) => tagged(serializer, "image", p),
            Parameter::Video(p) => tagged(serializer, "video", p),
            Parameter::Document(p) => tagged(serializer, "document", p),
            Parameter::Location(p) => tagged(serializer, "location", p),
            Parameter::Product(p) => tagged(serializer, "product", p),
            Parameter::Payload(p) => tagged(serializer, "payload", p),
            Parameter::Action(p) => tagged(serializer, "action", p),
            Parameter::CouponCode(p) => tagged(serializer, "coupon_code", p),
            Parameter::Other(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Parameter {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let (kind, rest) = untag(&map);
        let typed = match kind.as_str() {
            "text" => serde_json::from_value(rest).map(Parameter::Text),
            "currency" => serde_json::from_value(rest).map(Parameter::Currency),
            "date_time" => serde_json::from_value(rest).map(Parameter::DateTime),
            "image" => serde_json::from_value(rest).map(Parameter::Image),
            "video" => serde_json::from_value(rest).map(Parameter::Video),
            "document" => serde_json::from_value(rest).map(Parameter::Document),
            "location" => serde_json::from_value(rest).map(Parameter::Location),
            "product" => serde_json::from_value(rest).map(Parameter::Product),
            "payload" => serde_json::from_value(rest).map(Parameter::Payload),
            "action" => serde_json::from_value(rest).map(Parameter::Action),
            "coupon_code" => serde_json::from_value(rest).map(Parameter::CouponCode),
            _ => return Ok(Parameter::Other(map)),
        };
        Ok(typed.unwrap_or(Parameter::Other(map)))
    }
}
