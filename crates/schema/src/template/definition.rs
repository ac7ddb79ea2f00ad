//! A template as a business creates it: the body of `POST /{waba_id}/message_templates`
//! (docs/templates.md §2). Meta's documentation writes component types, formats, categories and
//! button types in either case (`HEADER` and `header`, `MARKETING` and `marketing`); they are
//! read without regard to case and written in upper case, as Meta's own answers write them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::wire_struct;

/// A string enum read without regard to case and written in upper case; unknown values are
/// kept as they came.
macro_rules! ci_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of wacart does not know, kept as it came.
            Unknown(String),
        }

        impl $name {
            /// The value in upper case (an unknown one as it came).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(s) => s,
                }
            }

            /// Every known value.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $( if s.eq_ignore_ascii_case($wire) { return $name::$variant; } )*
                $name::Unknown(s.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let key = crate::wire::Key::deserialize(deserializer)?;
                Ok($name::from(key.as_str()))
            }
        }
    };
}

ci_enum! {
    /// A template's category: what it is for, and how it is priced.
    pub enum Category {
        /// Promotions, offers, re-engagement: every commerce template.
        Marketing = "MARKETING",
        /// Updates on an order or account the customer asked for.
        Utility = "UTILITY",
        /// One-time passcodes.
        Authentication = "AUTHENTICATION",
    }
}

ci_enum! {
    /// How variables are written: `{{1}}` (positional, the default) or `{{name}}` (named).
    pub enum ParameterFormat {
        /// `{{1}}`, `{{2}}`, ...
        Positional = "POSITIONAL",
        /// `{{first_name}}`, ...
        Named = "NAMED",
    }
}

ci_enum! {
    /// A header's `format`.
    pub enum HeaderFormat {
        /// Text, at most 60 characters, at most one variable.
        Text = "TEXT",
        /// An image.
        Image = "IMAGE",
        /// A video.
        Video = "VIDEO",
        /// A document (PDF).
        Document = "DOCUMENT",
        /// A location.
        Location = "LOCATION",
        /// A catalog product (single-product templates and product cards).
        Product = "PRODUCT",
    }
}

ci_enum! {
    /// A button's `type`.
    pub enum ButtonType {
        /// Sends its text (or the send's payload) back as a `button` webhook.
        QuickReply = "QUICK_REPLY",
        /// Opens a URL (a variable may end it).
        Url = "URL",
        /// Calls a phone number.
        PhoneNumber = "PHONE_NUMBER",
        /// "View catalog": a catalog template's only button.
        Catalog = "CATALOG",
        /// "View items": a multi-product template's only button.
        Mpm = "MPM",
        /// "View": a single-product template's, or a product card's, button.
        Spm = "SPM",
        /// Copies a coupon code.
        CopyCode = "COPY_CODE",
        /// A one-time passcode (authentication templates only).
        Otp = "OTP",
        /// Opens a flow.
        Flow = "FLOW",
        /// "Buy now": a checkout button template's (India).
        OrderDetails = "ORDER_DETAILS",
    }
}

wire_struct! {
    /// A template definition: what `POST /{waba_id}/message_templates` takes.
    pub struct TemplateDefinition {
        /// Lower-case letters, digits and underscores, at most 512 characters.
        name: req String = "name",
        /// Language and locale code (`en_US`).
        language: req String = "language",
        /// Marketing, utility or authentication.
        category: req Category = "category",
        /// Positional (default) or named variables.
        parameter_format: opt ParameterFormat = "parameter_format",
        /// Lets Meta change the category on review.
        allow_category_change: opt bool = "allow_category_change",
        /// Header, body, footer, buttons, carousel.
        components: vec DefComponent = "components",
    }
}

/// One component of a definition, chosen by its `type` (read without regard to case).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DefComponent {
    /// `HEADER`.
    Header(DefHeader),
    /// `BODY`.
    Body(DefBody),
    /// `FOOTER`.
    Footer(DefFooter),
    /// `BUTTONS`.
    Buttons(DefButtons),
    /// `CAROUSEL`.
    Carousel(DefCarousel),
    /// Any other component, or one that could not be read, kept as it came.
    Other(Map<String, Value>),
}

wire_struct! {
    /// A header.
    pub struct DefHeader {
        /// Text, a media, a location or a product.
        format: req HeaderFormat = "format",
        /// A text header's text.
        text: opt String = "text",
        /// Sample values: `header_text`, `header_text_named_params` or `header_handle`.
        example: opt Value = "example",
    }
}

wire_struct! {
    /// The body.
    pub struct DefBody {
        /// At most 1024 characters (160 on a carousel card).
        text: opt String = "text",
        /// Sample values: `body_text` or `body_text_named_params`.
        example: opt Value = "example",
        /// Authentication templates: the security disclaimer.
        add_security_recommendation: opt bool = "add_security_recommendation",
    }
}

wire_struct! {
    /// The footer.
    pub struct DefFooter {
        /// At most 60 characters, no variables.
        text: opt String = "text",
        /// Authentication templates: the code's expiry.
        code_expiration_minutes: opt u32 = "code_expiration_minutes",
    }
}

wire_struct! {
    /// The buttons.
    pub struct DefButtons {
        /// 1 to 10.
        buttons: vec DefButton = "buttons",
    }
}

wire_struct! {
    /// One button.
    pub struct DefButton {
        /// What it does.
        kind: req ButtonType = "type",
        /// Its label, at most 25 characters.
        text: opt String = "text",
        /// A URL button's URL.
        url: opt String = "url",
        /// A phone number button's number.
        phone_number: opt String = "phone_number",
        /// A URL button's sample suffix, or a copy-code button's sample code.
        example: opt Value = "example",
        /// An OTP button's kind (`COPY_CODE`, `ONE_TAP`, `ZERO_TAP`).
        otp_type: opt String = "otp_type",
    }
}

wire_struct! {
    /// A carousel: its cards.
    pub struct DefCarousel {
        /// 2 to 10 cards, all of the same structure.
        cards: vec DefCard = "cards",
    }
}

wire_struct! {
    /// One carousel card.
    pub struct DefCard {
        /// The card's header, optional body, and buttons.
        components: vec DefComponent = "components",
    }
}

/// Which commerce template a definition is, from its shape (docs/templates.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TemplateKind {
    /// A catalog template: body, optional footer, a `CATALOG` button.
    Catalog,
    /// A multi-product template: text header, body, optional footer, an `MPM` button.
    MultiProduct,
    /// A single-product template: `PRODUCT` header, body, optional footer, an `SPM` button.
    SingleProduct,
    /// A product card carousel: body, and cards with a `PRODUCT` header.
    ProductCarousel,
    /// A media card carousel: body, and cards with an image or video header.
    MediaCarousel,
    /// A checkout button template (India): an `ORDER_DETAILS` button.
    Checkout,
    /// An authentication template (one-time passcodes).
    Authentication,
    /// Any other template (text, media, quick replies, URLs).
    Standard,
}

impl TemplateKind {
    /// Its wire name (`catalog`, `multi_product`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::Catalog => "catalog",
            TemplateKind::MultiProduct => "multi_product",
            TemplateKind::SingleProduct => "single_product",
            TemplateKind::ProductCarousel => "product_carousel",
            TemplateKind::MediaCarousel => "media_carousel",
            TemplateKind::Checkout => "checkout",
            TemplateKind::Authentication => "authentication",
            TemplateKind::Standard => "standard",
        }
    }
}

impl TemplateDefinition {
    /// The header, when there is one.
    pub fn header(&self) -> Option<&DefHeader> {
        self.components.iter().find_map(|c| match c {
            DefComponent::Header(h) => Some(h),
            _ => None,
        })
    }

    /// The body, when there is one.
    pub fn body(&self) -> Option<&DefBody> {
        self.components.iter().find_map(|c| match c {
            DefComponent::Body(b) => Some(b),
            _ => None,
        })
    }

    /// The footer, when there is one.
    pub fn footer(&self) -> Option<&DefFooter> {
        self.components.iter().find_map(|c| match c {
            DefComponent::Footer(f) => Some(f),
            _ => None,
        })
    }

    /// The buttons (none when there is no buttons component).
    pub fn buttons(&self) -> &[DefButton] {
        self.components
            .iter()
            .find_map(|c| match c {
                DefComponent::Buttons(b) => Some(b.buttons.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The carousel's cards (none when there is no carousel).
    pub fn cards(&self) -> &[DefCard] {
        self.components
            .iter()
            .find_map(|c| match c {
                DefComponent::Carousel(k) => Some(k.cards.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// Whether its variables are named (`{{name}}`) rather than positional.
    pub fn named(&self) -> bool {
        self.parameter_format == Some(ParameterFormat::Named)
    }

    /// Which commerce template it is.
    pub fn kind(&self) -> TemplateKind {
        if self.category == Category::Authentication {
            return TemplateKind::Authentication;
        }
        let has = |t: ButtonType| self.buttons().iter().any(|b| b.kind == t);
        if let Some(card) = self.cards().first() {
            let product = card
                .components
                .iter()
                .any(|c| matches!(c, DefComponent::Header(h) if h.format == HeaderFormat::Product));
            return if product {
                TemplateKind::ProductCarousel
            } else {
                TemplateKind::MediaCarousel
            };
        }
        if has(ButtonType::Catalog) {
            TemplateKind::Catalog
        } else if has(ButtonType::Mpm) {
            TemplateKind::MultiProduct
        } else if has(ButtonType::Spm)
            || self
                .header()
                .is_some_and(|h| h.format == HeaderFormat::Product)
        {
            TemplateKind::SingleProduct
        } else if has(ButtonType::OrderDetails) {
            TemplateKind::Checkout
        } else {
            TemplateKind::Standard
        }
    }
}

impl DefCard {
    /// The card's header.
    pub fn header(&self) -> Option<&DefHeader> {
        self.components.iter().find_map(|c| match c {
            DefComponent::Header(h) => Some(h),
            _ => None,
        })
    }

    /// The card's body.
    pub fn body(&self) -> Option<&DefBody> {
        self.components.iter().find_map(|c| match c {
            DefComponent::Body(b) => Some(b),
            _ => None,
        })
    }

    /// The card's buttons.
    pub fn buttons(&self) -> &[DefButton] {
        self.components
            .iter()
            .find_map(|c| match c {
                DefComponent::Buttons(b) => Some(b.buttons.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}

impl DefComponent {
    /// The component's `type`, in upper case.
    pub fn kind(&self) -> &str {
        match self {
            DefComponent::Header(_) => "HEADER",
            DefComponent::Body(_) => "BODY",
            DefComponent::Footer(_) => "FOOTER",
            DefComponent::Buttons(_) => "BUTTONS",
            DefComponent::Carousel(_) => "CAROUSEL",
            DefComponent::Other(map) => map.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    inner: &'a T,
}

impl Serialize for DefComponent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            DefComponent::Header(h) => Tagged {
                kind: "HEADER",
                inner: h,
            }
            .serialize(serializer),
            DefComponent::Body(b) => Tagged {
                kind: "BODY",
                inner: b,
            }
            .serialize(serializer),
            DefComponent::Footer(f) => Tagged {
                kind: "FOOTER",
                inner: f,
            }
            .serialize(serializer),
            DefComponent::Buttons(b) => Tagged {
                kind: "BUTTONS",
                inner: b,
            }
            .serialize(serializer),
            DefComponent::Carousel(c) => Tagged {
                kind: "CAROUSEL",
                inner: c,
            }
            .serialize(serializer),
            DefComponent::Other(map) => map.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DefComponent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase();
        let mut rest = map.clone();
        rest.remove("type");
        let rest = Value::Object(rest);
        let typed = match kind.as_str() {
            "HEADER" => serde_json::from_value(rest).map(DefComponent::Header),
            "BODY" => serde_json::from_value(rest).map(DefComponent::Body),
            "FOOTER" => serde_json::from_value(rest).map(DefComponent::Footer),
            "BUTTONS" => serde_json::from_value(rest).map(DefComponent::Buttons),
            "CAROUSEL" => serde_json::from_value(rest).map(DefComponent::Carousel),
            _ => return Ok(DefComponent::Other(map)),
        };
        Ok(typed.unwrap_or(DefComponent::Other(map)))
    }
}
