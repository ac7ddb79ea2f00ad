//! A template send checked against the template it names (docs/templates.md §3.2): the
//! parameters each component expects, in number (132000) and format (132012), and the length of
//! the text once filled (132005). The answer is the message as the customer sees it: every
//! variable filled, every button with its label and payload.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::definition::{
    ButtonType, Category, DefBody, DefButton, DefHeader, HeaderFormat, TemplateDefinition,
    TemplateKind,
};
use super::limits;
use super::send::{
    ButtonComponent, ButtonSubType, CarouselCard, Parameter, SendComponent, TemplateMessage,
};
use super::vars;
use crate::codes;
use crate::ids::{CatalogId, RetailerId};
use crate::outbound::Section;

/// Why a send does not fit its template: a Graph code (132000, 132005, 132012) and the details
/// Meta's answer carries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("({code}) {details}")]
#[non_exhaustive]
pub struct TemplateError {
    /// The Graph code.
    pub code: u32,
    /// What does not fit, naming the component.
    pub details: String,
}

impl TemplateError {
    fn new(code: u32, details: impl Into<String>) -> Self {
        TemplateError {
            code,
            details: details.into(),
        }
    }

    fn count(what: &str, got: usize, expected: usize) -> Self {
        Self::new(
            codes::TEMPLATE_PARAM_COUNT_MISMATCH,
            format!(
                "{what}: number of localizable_params ({got}) does not match the expected number of params ({expected})"
            ),
        )
    }

    fn format(what: &str, expected: &str, got: &str) -> Self {
        Self::new(
            codes::TEMPLATE_PARAM_FORMAT_MISMATCH,
            format!("{what}: Format mismatch, expected {expected}, received {got}"),
        )
    }

    fn too_long(what: &str, n: usize, max: usize) -> Self {
        Self::new(
            codes::TEMPLATE_TEXT_TOO_LONG,
            format!("{what}: the text filled in is {n} characters long; at most {max} are allowed"),
        )
    }
}

/// A template message as the customer sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilledTemplate {
    /// The template's name.
    pub name: String,
    /// The language sent.
    pub language: String,
    /// Its category when sent (what the message is priced as).
    pub category: Category,
    /// Which commerce template it is.
    pub kind: TemplateKind,
    /// The header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<FilledHeader>,
    /// The body, variables filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// The buttons, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<FilledButton>,
    /// A carousel's cards, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<FilledCard>,
}

/// A header as sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FilledHeader {
    /// Text, variable filled.
    Text {
        /// The text.
        text: String,
    },
    /// An image, a video or a document.
    Media {
        /// `image`, `video` or `document`.
        media: String,
        /// Its link, when sent by link.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
        /// Its media id, when sent by id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A location.
    Location {
        /// Degrees.
        latitude: f64,
        /// Degrees.
        longitude: f64,
        /// The place's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// A catalog product.
    Product {
        /// The catalog.
        catalog_id: CatalogId,
        /// The product.
        product_retailer_id: RetailerId,
    },
}

/// A button as sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilledButton {
    /// `QUICK_REPLY`, `URL`, `CATALOG`, `MPM`, `SPM`, ...
    #[serde(rename = "type")]
    pub kind: ButtonType,
    /// Its label.
    pub text: String,
    /// A quick reply's payload, as the send gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// A URL button's URL, suffix filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A catalog or MPM button's thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_product_retailer_id: Option<RetailerId>,
    /// An MPM button's sections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// A checkout button's order details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_details: Option<Value>,
}

/// A carousel card as sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilledCard {
    /// The card's header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<FilledHeader>,
    /// Its body, variables filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Its buttons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<FilledButton>,
}

impl FilledTemplate {
    /// Every product the message names, with the catalog a product parameter gave (`None` for
    /// thumbnails and MPM items, which name none): header, cards, buttons.
    pub fn products(&self) -> Vec<(Option<&CatalogId>, &RetailerId)> {
        let mut out = Vec::new();
        for h in std::iter::once(&self.header).chain(self.cards.iter().map(|c| &c.header)) {
            if let Some(FilledHeader::Product {
                catalog_id,
                product_retailer_id,
            }) = h
            {
                out.push((Some(catalog_id), product_retailer_id));
            }
        }
        for b in &self.buttons {
            if let Some(t) = &b.thumbnail_product_retailer_id {
                out.push((None, t));
            }
            for s in &b.sections {
                for i in &s.product_items {
                    out.push((None, &i.product_retailer_id));
                }
            }
        }
        out
    }

    /// The button of this kind, if any.
    pub fn button(&self, kind: &ButtonType) -> Option<&FilledButton> {
        self.buttons.iter().find(|b| b.kind == *kind)
    }
}

/// Checks a send against the template it names, and fills it.
///
/// # Errors
/// [`TemplateError`] with 132000 (parameters in number), 132012 (in format) or 132005 (text
/// too long once filled).
pub fn fill(
    def: &TemplateDefinition,
    send: &TemplateMessage,
) -> Result<FilledTemplate, TemplateError> {
    let named = def.named();
    let header = fill_header(
        "header",
        def.header(),
        send.parameters_of("header"),
        named,
        limits::HEADER_TEXT_MAX,
    )?;
    // An authentication template's body and footer are WhatsApp's fixed texts.
    let auth = def.category == Category::Authentication;
    let auth_body = auth.then(|| authentication_body(def));
    let body = match &auth_body {
        Some(b) => fill_body(
            "body",
            Some(b),
            send.parameters_of("body"),
            false,
            limits::BODY_TEXT_MAX,
        )?,
        None => fill_body(
            "body",
            def.body(),
            send.parameters_of("body"),
            named,
            limits::BODY_TEXT_MAX,
        )?,
    };
    let footer = match def.footer() {
        Some(f) if auth => f
            .code_expiration_minutes
            .map(|m| format!("This code expires in {m} minutes.")),
        Some(f) => f.text.clone(),
        None => None,
    };
    let buttons = fill_buttons("buttons", def.buttons(), send.buttons())?;
    let cards = fill_cards(def, send.cards(), named)?;
    Ok(FilledTemplate {
        name: def.name.clone(),
        language: def.language.clone(),
        category: def.category.clone(),
        kind: def.kind(),
        header,
        body,
        footer,
        buttons,
        cards,
    })
}

/// The body WhatsApp shows for an authentication template: the code, and the security advice
/// when asked for.
fn authentication_body(def: &TemplateDefinition) -> DefBody {
    let advice = def
        .body()
        .and_then(|b| b.add_security_recommendation)
        .unwrap_or(false);
    let mut text = "*{{1}}* is your verification code.".to_owned();
    if advice {
        text.push_str(" For your security, do not share this code.");
    }
    DefBody {
        text: Some(text),
        example: None,
        add_security_recommendation: None,
        extra: serde_json::Map::new(),
    }
}

fn fill_header(
    what: &str,
    def: Option<&DefHeader>,
    params: Option<&[Parameter]>,
    named: bool,
    max: usize,
) -> Result<Option<FilledHeader>, TemplateError> {
    let params = params.unwrap_or(&[]);
    let Some(def) = def else {
        if !params.is_empty() {
            return Err(TemplateError::count(what, params.len(), 0));
        }
        return Ok(None);
    };
    fn one<'p>(what: &str, params: &'p [Parameter]) -> Result<&'p Parameter, TemplateError> {
        if params.len() == 1 {
            Ok(&params[0])
        } else {
            Err(TemplateError::count(what, params.len(), 1))
        }
    }
    let mismatch =
        |p: &Parameter| TemplateError::format(what, def.format.as_str(), p.kind().format_name());
    Ok(Some(match &def.format {
        HeaderFormat::Text => {
            let text = def.text.as_deref().unwrap_or("");
            let filled = fill_text(what, text, params, named, max)?;
            FilledHeader::Text { text: filled }
        }
        HeaderFormat::Image | HeaderFormat::Video | HeaderFormat::Document => {
            let p = one(what, params)?;
            let (media, object) = match (p, &def.format) {
                (Parameter::Image(i), HeaderFormat::Image) => ("image", &i.image),
                (Parameter::Video(v), HeaderFormat::Video) => ("video", &v.video),
                (Parameter::Document(d), HeaderFormat::Document) => ("document", &d.document),
                _ => return Err(mismatch(p)),
            };
            FilledHeader::Media {
                media: media.to_owned(),
                link: object.link.clone(),
                id: object.id.clone(),
            }
        }
        HeaderFormat::Location => match one(what, params)? {
            Parameter::Location(l) => FilledHeader::Location {
                latitude: l.location.latitude,
                longitude: l.location.longitude,
                name: l.location.name.clone(),
            },
            p => return Err(mismatch(p)),
        },
        HeaderFormat::Product => match one(what, params)? {
            Parameter::Product(p) => FilledHeader::Product {
                catalog_id: p.product.catalog_id.clone(),
                product_retailer_id: p.product.product_retailer_id.clone(),
            },
            p => return Err(mismatch(p)),
        },
        HeaderFormat::Unknown(f) => {
            return Err(TemplateError::format(what, f, "UNKNOWN"));
        }
    }))
}

fn fill_body(
    what: &str,
    def: Option<&DefBody>,
    params: Option<&[Parameter]>,
    named: bool,
    max: usize,
) -> Result<Option<String>, TemplateError> {
    let params = params.unwrap_or(&[]);
    match def.and_then(|b| b.text.as_deref()) {
        Some(text) => fill_text(what, text, params, named, max).map(Some),
        None if params.is_empty() => Ok(None),
        None => Err(TemplateError::count(what, params.len(), 0)),
    }
}

/// A text with its variables filled by `params`: as many as it has, each textual, named ones
/// by name; at most `max` characters once filled.
fn fill_text(
    what: &str,
    text: &str,
    params: &[Parameter],
    named: bool,
    max: usize,
) -> Result<String, TemplateError> {
    let expected = vars::count(text);
    if params.len() != expected {
        return Err(TemplateError::count(what, params.len(), expected));
    }
    if let Some(p) = params.iter().find(|p| !p.kind().is_textual()) {
        return Err(TemplateError::format(what, "TEXT", p.kind().format_name()));
    }
    let values: Vec<&str> = params.iter().filter_map(Parameter::display_text).collect();
    let filled = if named {
        let names = vars::names(text);
        let mut pairs = Vec::with_capacity(params.len());
        for p in params {
            match p.parameter_name() {
                Some(name) if names.contains(&name) => {
                    pairs.push((name, p.display_text().unwrap_or("")));
                }
                other => {
                    return Err(TemplateError::new(
                        codes::TEMPLATE_PARAM_COUNT_MISMATCH,
                        format!(
                            "{what}: parameter_name {:?} is not one of the template's variables {names:?}",
                            other.unwrap_or("")
                        ),
                    ));
                }
            }
        }
        vars::fill(text, &[], &pairs)
    } else {
        vars::fill(text, &values, &[])
    };
    let n = filled.chars().count();
    if n > max {
        return Err(TemplateError::too_long(what, n, max));
    }
    Ok(filled)
}

/// The sub type a template button is sent with, and whether the send must give its parameter.
fn expected_sub_type(b: &DefButton) -> (Option<ButtonSubType>, bool) {
    match &b.kind {
        ButtonType::QuickReply => (Some(ButtonSubType::QuickReply), false),
        ButtonType::Url => {
            let has_var = b.url.as_deref().is_some_and(|u| vars::count(u) > 0);
            (has_var.then_some(ButtonSubType::Url), has_var)
        }
        ButtonType::Catalog => (Some(ButtonSubType::Catalog), false),
        ButtonType::Mpm => (Some(ButtonSubType::Mpm), true),
        ButtonType::Spm => (Some(ButtonSubType::Spm), false),
        ButtonType::CopyCode => (Some(ButtonSubType::CopyCode), true),
        ButtonType::Otp => (Some(ButtonSubType::Url), true),
        ButtonType::Flow => (Some(ButtonSubType::Flow), false),
        ButtonType::OrderDetails => (Some(ButtonSubType::OrderDetails), true),
        _ => (None, false),
    }
}

fn fill_buttons<'a>(
    what: &str,
    defs: &[DefButton],
    sent: impl Iterator<Item = &'a ButtonComponent>,
) -> Result<Vec<FilledButton>, TemplateError> {
    let mut given: Vec<Option<&ButtonComponent>> = vec![None; defs.len()];
    for b in sent {
        let i = b.index.value as usize;
        let Some(def) = defs.get(i) else {
            return Err(TemplateError::new(
                codes::TEMPLATE_PARAM_COUNT_MISMATCH,
                format!(
                    "{what}: a parameter is given for button {i}; the template has {} button(s)",
                    defs.len()
                ),
            ));
        };
        let (expected, _) = expected_sub_type(def);
        let got = b.kind();
        // A quick reply's payload may come as a text parameter too.
        let fits = expected == Some(got);
        if !fits {
            return Err(TemplateError::format(
                &format!("button {i}"),
                def.kind.as_str(),
                &got.as_str().to_ascii_uppercase(),
            ));
        }
        given[i] = Some(b);
    }
    let mut out = Vec::with_capacity(defs.len());
    for (i, (def, b)) in defs.iter().zip(given).enumerate() {
        let (_, required) = expected_sub_type(def);
        let param = b.and_then(|b| b.parameters.first());
        if required && param.is_none() {
            return Err(TemplateError::new(
                codes::TEMPLATE_PARAM_COUNT_MISMATCH,
                format!(
                    "button {i}: number of localizable_params (0) does not match the expected number of params (1) for its {} button",
                    def.kind.as_str()
                ),
            ));
        }
        let mut filled = FilledButton {
            kind: def.kind.clone(),
            text: def.text.clone().unwrap_or_default(),
            payload: None,
            url: def.url.clone(),
            thumbnail_product_retailer_id: None,
            sections: Vec::new(),
            order_details: None,
        };
        match param {
            Some(Parameter::Payload(p)) => filled.payload = Some(p.payload.clone()),
            Some(Parameter::Text(t)) if def.kind == ButtonType::QuickReply => {
                filled.payload = Some(t.text.clone());
            }
            Some(Parameter::Text(t)) => {
                filled.url = def
                    .url
                    .as_deref()
                    .map(|u| vars::fill(u, &[t.text.as_str()], &[]));
            }
            Some(Parameter::Action(a)) => {
                filled
                    .thumbnail_product_retailer_id
                    .clone_from(&a.action.thumbnail_product_retailer_id);
                filled.sections.clone_from(&a.action.sections);
                filled.order_details.clone_from(&a.action.order_details);
            }
            Some(Parameter::CouponCode(c)) => filled.payload = Some(c.coupon_code.clone()),
            Some(p) => {
                return Err(TemplateError::format(
                    &format!("button {i}"),
                    def.kind.as_str(),
                    p.kind().format_name(),
                ));
            }
            None => {}
        }
        out.push(filled);
    }
    Ok(out)
}

fn fill_cards(
    def: &TemplateDefinition,
    sent: Option<&[CarouselCard]>,
    named: bool,
) -> Result<Vec<FilledCard>, TemplateError> {
    let defs = def.cards();
    let sent = sent.unwrap_or(&[]);
    if sent.len() != defs.len() {
        return Err(TemplateError::new(
            codes::TEMPLATE_PARAM_COUNT_MISMATCH,
            format!(
                "carousel: number of cards ({}) does not match the template's ({})",
                sent.len(),
                defs.len()
            ),
        ));
    }
    let mut out: Vec<Option<FilledCard>> = vec![None; defs.len()];
    for card in sent {
        let i = card.card_index as usize;
        let Some(d) = defs.get(i) else {
            return Err(TemplateError::new(
                codes::TEMPLATE_PARAM_COUNT_MISMATCH,
                format!(
                    "carousel: card_index {i} is past the template's {} cards",
                    defs.len()
                ),
            ));
        };
        let of = |kind: &str| {
            card.components.iter().find_map(|c| match (c, kind) {
                (SendComponent::Header(p), "header") | (SendComponent::Body(p), "body") => {
                    Some(p.parameters.as_slice())
                }
                _ => None,
            })
        };
        let buttons = card.components.iter().filter_map(|c| match c {
            SendComponent::Button(b) => Some(b),
            _ => None,
        });
        let what = format!("cards[{i}]");
        out[i] = Some(FilledCard {
            header: fill_header(
                &format!("{what}.header"),
                d.header(),
                of("header"),
                named,
                limits::HEADER_TEXT_MAX,
            )?,
            body: fill_body(
                &format!("{what}.body"),
                d.body(),
                of("body"),
                named,
                limits::CARD_BODY_MAX,
            )?,
            buttons: fill_buttons(&format!("{what}.buttons"), d.buttons(), buttons)?,
        });
    }
    // As many cards as the template's, each index below their number: a card given twice
    // leaves another missing.
    out.into_iter()
        .enumerate()
        .map(|(i, c)| {
            c.ok_or_else(|| {
                TemplateError::new(
                    codes::TEMPLATE_PARAM_COUNT_MISMATCH,
                    format!("carousel: card {i} is missing"),
                )
            })
        })
        .collect()
}
