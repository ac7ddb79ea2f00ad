//! Message templates (docs/templates.md): the registry of each WABA's templates (create, list,
//! read, edit, delete), their review on the sandbox's clock with a `message_template_status_update`
//! webhook at every change of status, and what a template send needs: the approved template
//! in that language (132001, 132015, 132016), parameters that fit it (132000, 132005, 132012),
//! products of the linked catalog, the BSUID and India rules, and the pricing its statuses
//! carry. The customer's side: the thread's view of a template message and a tap on its
//! quick-reply buttons (a `button` webhook).

use serde::{Deserialize, Serialize};
use serde_json::json;
use wacart_catalog::{Catalog, Resolved, resolve};
use wacart_schema::{
    ButtonType, CatalogId, Category, Content, DefComponent, FilledHeader, FilledTemplate,
    GraphError, InboundContent, OutboundMessage, PhoneNumberId, RetailerId, TemplateDefinition,
    TemplateKind, TemplateStatus, WaId, WabaId, codes,
};

use super::op::Op;
use super::state::State;
pub use super::template_book::TEMPLATE_STATUS_FIELD;
use super::template_book::{ID_BASE, Template, set_status, status_webhook};
pub(crate) use super::template_book::{Pricing, TemplateSent};
use super::threads::{ProductView, SectionView, product_view};
use super::{Ack, EngineError, Sandbox};

/// What a caller learns of a template.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TemplateInfo {
    /// Its id.
    pub id: String,
    /// Its WABA.
    pub waba_id: WabaId,
    /// The definition, as created or last edited.
    pub definition: TemplateDefinition,
    /// Which commerce template it is.
    pub kind: TemplateKind,
    /// Its status.
    pub status: TemplateStatus,
    /// Why it was rejected, paused or disabled.
    pub reason: Option<String>,
    /// Created (ms).
    pub created_at: u64,
    /// Last changed (ms).
    pub updated_at: u64,
}

impl From<&Template> for TemplateInfo {
    fn from(t: &Template) -> Self {
        TemplateInfo {
            id: t.id.clone(),
            waba_id: t.waba_id.clone(),
            definition: t.definition.clone(),
            kind: t.definition.kind(),
            status: t.status.clone(),
            reason: t.reason.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Which templates a list shows: each filter given must hold. `name` and `content` match a
/// part of the name or of the body text, ignoring case; `category` and `status` may list
/// several values, comma-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateFilter {
    /// A part of the name.
    pub name: Option<String>,
    /// A part of the body text.
    pub content: Option<String>,
    /// A language code.
    pub language: Option<String>,
    /// Categories, comma-separated.
    pub category: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
}

impl TemplateFilter {
    fn matches(&self, t: &Template) -> bool {
        let has = |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
        let one_of =
            |list: &str, v: &str| list.split(',').any(|x| x.trim().eq_ignore_ascii_case(v));
        let d = &t.definition;
        self.name.as_deref().is_none_or(|n| has(&d.name, n))
            && self.content.as_deref().is_none_or(|c| {
                d.body()
                    .and_then(|b| b.text.as_deref())
                    .is_some_and(|text| has(text, c))
            })
            && self.language.as_deref().is_none_or(|l| d.language == l)
            && self
                .category
                .as_deref()
                .is_none_or(|c| one_of(c, d.category.as_str()))
            && self
                .status
                .as_deref()
                .is_none_or(|s| one_of(s, t.status.as_str()))
    }
}

fn graph_100(details: impl Into<String>) -> EngineError {
    EngineError::graph(codes::INVALID_PARAMETER, details)
}

/// When a template submitted at `at` is reviewed, as configured.
fn review_at(state: &State, at: u64) -> Option<u64> {
    state
        .config
        .template_review_after
        .map(|after| at.saturating_add(after))
}

/// A business creates a template in its WABA.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CreateTemplate {
    waba_id: WabaId,
    definition: TemplateDefinition,
}

impl Op for CreateTemplate {
    type Output = TemplateInfo;

    fn exec(&self, state: &mut State, at: u64) -> Result<TemplateInfo, EngineError> {
        if !state.tenants.contains_key(&self.waba_id) {
            return Err(EngineError::BadRequest(format!(
                "unknown WABA {}",
                self.waba_id
            )));
        }
        let d = &self.definition;
        if let Err(v) = d.validate() {
            return Err(EngineError::Graph(Box::new(GraphError::from_violation(
                v.first(),
                "wacart-sandbox",
            ))));
        }
        if state
            .templates
            .find(&self.waba_id, &d.name, &d.language)
            .is_some()
        {
            let mut e = GraphError::new(
                codes::INVALID_PARAMETER,
                format!(
                    "Content in this language already exists: {} has a {} translation",
                    d.name, d.language
                ),
                "wacart-sandbox",
            );
            e.error_subcode = Some(2_388_024);
            e.error_user_title = Some("Content in this language already exists".into());
            return Err(EngineError::Graph(Box::new(e)));
        }
        let id = (ID_BASE + state.next_id()).to_string();
        let t = Template {
            id,
            waba_id: self.waba_id.clone(),
            definition: d.clone(),
            status: TemplateStatus::Pending,
            reason: None,
            created_at: at,
            updated_at: at,
            review_due: review_at(state, at),
        };
        let info = TemplateInfo::from(&t);
        state.templates.insert(t);
        Ok(info)
    }
}

/// A business edits a template's components or category: it goes back to review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EditTemplate {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    components: Option<Vec<DefComponent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<Category>,
}

impl Op for EditTemplate {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        let t = state
            .templates
            .get(&self.id)
            .ok_or_else(|| EngineError::UnknownTemplate(self.id.clone()))?;
        if !matches!(
            t.status,
            TemplateStatus::Approved | TemplateStatus::Rejected | TemplateStatus::Paused
        ) {
            return Err(graph_100(format!(
                "Only templates with an APPROVED, REJECTED or PAUSED status can be edited; this one is {}",
                t.status.as_str()
            )));
        }
        if t.status == TemplateStatus::Approved
            && self
                .category
                .as_ref()
                .is_some_and(|c| *c != t.definition.category)
        {
            return Err(graph_100(
                "The category of an approved template cannot be edited",
            ));
        }
        let mut d = t.definition.clone();
        if let Some(c) = &self.components {
            d.components.clone_from(c);
        }
        if let Some(c) = &self.category {
            d.category = c.clone();
        }
        if let Err(v) = d.validate() {
            return Err(EngineError::Graph(Box::new(GraphError::from_violation(
                v.first(),
                "wacart-sandbox",
            ))));
        }
        let due = review_at(state, at);
        state.templates.update(&self.id, |t| {
            t.definition = d;
            t.status = TemplateStatus::Pending;
            t.reason = None;
            t.updated_at = at;
            t.review_due = due;
        });
        Ok(())
    }
}

/// A business deletes a template by name (every language) or by name and id (one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeleteTemplate {
    waba_id: WabaId,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hsm_id: Option<String>,
}

impl Op for DeleteTemplate {
    type Output = usize;

    fn exec(&self, state: &mut State, at: u64) -> Result<usize, EngineError> {
        let ids: Vec<String> = state
            .templates
            .of_waba(&self.waba_id)
            .filter(|t| t.definition.name == self.name)
            .filter(|t| self.hsm_id.as_deref().is_none_or(|h| t.id == h))
            .map(|t| t.id.clone())
            .collect();
        if ids.is_empty() {
            return Err(graph_100(match &self.hsm_id {
                Some(h) => format!(
                    "Message template \"{}\" with id {h} was not found",
                    self.name
                ),
                None => format!("Message template \"{}\" was not found", self.name),
            }));
        }
        for id in &ids {
            if let Some(mut t) = state.templates.remove(id) {
                t.reason = None;
                status_webhook(state, &t, &TemplateStatus::PendingDeletion, at);
            }
        }
        Ok(ids.len())
    }
}

/// The sandbox decides a template's status: approve, reject, pause, disable (with a reason).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReviewTemplate {
    id: String,
    status: TemplateStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Op for ReviewTemplate {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        use TemplateStatus as S;
        let t = state
            .templates
            .get(&self.id)
            .ok_or_else(|| EngineError::UnknownTemplate(self.id.clone()))?;
        let allowed = matches!(
            (&t.status, &self.status),
            (S::Pending, S::Approved | S::Rejected)
                | (S::Approved, S::Paused | S::Disabled | S::Rejected)
                | (S::Paused, S::Approved | S::Disabled)
                | (S::Rejected, S::Approved)
        );
        if !allowed {
            return Err(EngineError::Conflict(format!(
                "a {} template cannot become {}",
                t.status.as_str(),
                self.status.as_str()
            )));
        }
        let reason = match (&self.status, &self.reason) {
            (S::Approved, _) => None,
            (_, Some(r)) => Some(r.clone()),
            (S::Rejected, None) => Some("INVALID_FORMAT".to_owned()),
            (_, None) => None,
        };
        set_status(state, &self.id, self.status.clone(), reason, at);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Sending a template.

/// A template send checked against the registry and the linked catalog: what to keep with the
/// message, and the MPM items the catalog lacks (dropped, as a product list's are).
pub(crate) struct Checked {
    pub(crate) sent: Box<TemplateSent>,
    pub(crate) dropped: Vec<RetailerId>,
}

fn template_error(code: u32, details: String) -> EngineError {
    EngineError::graph(code, details)
}

/// Whether `wa_id` is an Indian number (country code 91).
fn is_india(wa_id: &WaId) -> bool {
    wa_id.as_str().starts_with("91")
}

/// Checks a `type: "template"` send by `number` (of `waba`) to `wa_id` (`by_user`: to its
/// BSUID), with the customer's window open or not; `None` for any other message.
pub(crate) fn check_send(
    state: &State,
    number: &PhoneNumberId,
    waba: &WabaId,
    message: &OutboundMessage,
    wa_id: &WaId,
    by_user: bool,
    window_open: bool,
) -> Result<Option<Checked>, EngineError> {
    let Content::Template(send) = &message.content else {
        return Ok(None);
    };
    let (name, language) = (&send.name, &send.language.code);
    let t = state
        .templates
        .find(waba, name, language)
        .filter(|t| !matches!(t.status, TemplateStatus::Pending | TemplateStatus::Rejected))
        .ok_or_else(|| {
            template_error(
                codes::TEMPLATE_NOT_FOUND,
                format!("template name ({name}) does not exist in {language}"),
            )
        })?;
    match t.status {
        TemplateStatus::Paused => {
            return Err(template_error(
                codes::TEMPLATE_PAUSED,
                "Template is paused due to low quality so it cannot be sent in a template message."
                    .into(),
            ));
        }
        TemplateStatus::Disabled => {
            return Err(template_error(
                codes::TEMPLATE_DISABLED,
                "Template has been paused too many times due to low quality and is now permanently disabled."
                    .into(),
            ));
        }
        _ => {}
    }
    let filled = wacart_schema::fill_template(&t.definition, send)
        .map_err(|e| template_error(e.code, e.details))?;
    let kind = filled.kind;
    // BSUIDs cannot receive one-time passcodes (Meta's BSUID page).
    if by_user && kind == TemplateKind::Authentication {
        return Err(EngineError::graph(
            codes::BSUID_NOT_SUPPORTED,
            "Authentication templates cannot be sent to a business-scoped user id: send it to the phone number (to)",
        ));
    }
    if kind == TemplateKind::Checkout && !is_india(wa_id) {
        return Err(EngineError::graph(
            codes::PARAMETER_VALUE_INVALID,
            "Checkout button templates can be sent to WhatsApp users with an India (+91) phone number only",
        ));
    }
    check_media(state, number, &filled)?;
    let dropped = check_products(state, number, &filled)?;
    let pricing = match (&t.definition.category, window_open) {
        (Category::Utility, true) => Pricing::UtilityInWindow,
        (Category::Utility, false) => Pricing::Utility,
        (Category::Authentication, _) => Pricing::Authentication,
        _ => Pricing::Marketing,
    };
    Ok(Some(Checked {
        sent: Box::new(TemplateSent {
            template_id: t.id.clone(),
            pricing,
            filled,
        }),
        dropped,
    }))
}

/// A media header (of the message or a card) sent by `id` names a live media of the sending
/// number, as a media message's must (docs/media.md).
fn check_media(
    state: &State,
    number: &PhoneNumberId,
    filled: &FilledTemplate,
) -> Result<(), EngineError> {
    let headers = std::iter::once(&filled.header).chain(filled.cards.iter().map(|c| &c.header));
    for h in headers {
        if let Some(FilledHeader::Media {
            media,
            id: Some(id),
            ..
        }) = h
        {
            let live = state
                .media
                .get(id)
                .is_some_and(|m| m.number == *number && m.expires_at() > state.now);
            if !live {
                return Err(super::media::invalid_media_id(media));
            }
        }
    }
    Ok(())
}

/// Every product of a template send against the catalog linked to the number, with the errors
/// (and the dropping of unknown MPM items) of the interactive messages: each is checked as the
/// single-product, multi-product or catalog message it stands for.
fn check_products(
    state: &State,
    number: &PhoneNumberId,
    filled: &FilledTemplate,
) -> Result<Vec<RetailerId>, EngineError> {
    let products = filled.products();
    let catalog_button = filled.button(&ButtonType::Catalog);
    if products.is_empty() && catalog_button.is_none() {
        return Ok(Vec::new());
    }
    let settings = state.settings.settings(number);
    let catalog = state.linked_catalog(number).ok();
    let linked: Option<CatalogId> = state.settings.linked_catalog(number).cloned();
    let to = "1";
    let run = |m: OutboundMessage| {
        resolve(&m, catalog, settings)
            .map(|r| match r {
                Resolved::ProductList { dropped, .. } => dropped.into_iter().cloned().collect(),
                _ => Vec::new(),
            })
            .map_err(|e| EngineError::from_catalog(&e))
    };
    // Product parameters (an SPM header, product cards) name their catalog.
    for (catalog_id, id) in &products {
        if let Some(c) = catalog_id {
            run(OutboundMessage::product(to, (*c).clone(), (*id).clone()).build_unchecked())?;
        }
    }
    let mut dropped = Vec::new();
    if let Some(mpm) = filled.button(&ButtonType::Mpm) {
        let Some(linked) = &linked else {
            return Err(EngineError::from_catalog(
                &wacart_catalog::CatalogError::CatalogNotLinked(None),
            ));
        };
        let mut b = OutboundMessage::product_list(to, linked.clone(), "-", "-");
        for s in &mpm.sections {
            let ids = s
                .product_items
                .iter()
                .map(|i| i.product_retailer_id.clone());
            b = match &s.title {
                Some(title) => b.section(title.clone(), ids),
                None => b.untitled_section(ids),
            };
        }
        dropped = run(b.build_unchecked())?;
        if let Some(thumb) = &mpm.thumbnail_product_retailer_id {
            run(OutboundMessage::product(to, linked.clone(), thumb.clone()).build_unchecked())?;
        }
    }
    if let Some(c) = catalog_button {
        let mut b = OutboundMessage::catalog(to, "-");
        if let Some(thumb) = &c.thumbnail_product_retailer_id {
            b = b.thumbnail(thumb.clone());
        }
        run(b.build_unchecked())?;
    }
    Ok(dropped)
}

// ---------------------------------------------------------------------------------------------
// The customer's side.

/// A template message as the customer's thread shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TemplateView {
    /// The template's name.
    pub name: String,
    /// Which commerce template it is.
    pub kind: TemplateKind,
    /// A text header, filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// A media header's link or id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
    /// The footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// The buttons' labels and types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<ButtonView>,
    /// A carousel's cards.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<CardView>,
}

/// A button as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ButtonView {
    /// `QUICK_REPLY`, `URL`, `CATALOG`, `MPM`, `SPM`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its label.
    pub text: String,
    /// A URL button's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A quick reply's payload, as the send gave it (a tap names the button by it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

/// A carousel card as shown.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CardView {
    /// A product card's product, with its current details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductView>,
    /// A media card's link or id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
    /// The card's body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The card's buttons.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<ButtonView>,
}

fn media_of(h: Option<&FilledHeader>) -> Option<String> {
    match h? {
        FilledHeader::Media { link, id, .. } => link.clone().or_else(|| id.clone()),
        _ => None,
    }
}

fn buttons_view(buttons: &[wacart_schema::FilledButton]) -> Vec<ButtonView> {
    buttons
        .iter()
        .map(|b| ButtonView {
            kind: b.kind.as_str().to_owned(),
            text: b.text.clone(),
            url: b.url.clone(),
            payload: b.payload.clone(),
        })
        .collect()
}

/// A template message's text, sections (its products with current details) and view.
pub(crate) fn view(
    sent: &TemplateSent,
    dropped: &[RetailerId],
    catalog: Option<&Catalog>,
) -> (Option<String>, Vec<SectionView>, TemplateView) {
    let f = &sent.filled;
    let product = |id: &RetailerId| product_view(catalog, id);
    let mut sections = Vec::new();
    if let Some(FilledHeader::Product {
        product_retailer_id,
        ..
    }) = &f.header
    {
        sections.push(SectionView {
            title: None,
            products: vec![product(product_retailer_id)],
        });
    }
    if let Some(mpm) = f.button(&ButtonType::Mpm) {
        sections.extend(mpm.sections.iter().filter_map(|s| {
            let products: Vec<ProductView> = s
                .product_items
                .iter()
                .filter(|i| !dropped.contains(&i.product_retailer_id))
                .map(|i| product(&i.product_retailer_id))
                .collect();
            (!products.is_empty()).then(|| SectionView {
                title: s.title.clone(),
                products,
            })
        }));
    }
    if let Some(c) = f.button(&ButtonType::Catalog) {
        let thumb = c.thumbnail_product_retailer_id.clone().or_else(|| {
            catalog
                .and_then(|c| c.first())
                .map(|p| p.retailer_id().clone())
        });
        if let Some(t) = thumb {
            sections.push(SectionView {
                title: None,
                products: vec![product(&t)],
            });
        }
    }
    let cards = f
        .cards
        .iter()
        .map(|c| CardView {
            product: match &c.header {
                Some(FilledHeader::Product {
                    product_retailer_id,
                    ..
                }) => Some(product(product_retailer_id)),
                _ => None,
            },
            media: media_of(c.header.as_ref()),
            body: c.body.clone(),
            buttons: buttons_view(&c.buttons),
        })
        .collect();
    let header = match &f.header {
        Some(FilledHeader::Text { text }) => Some(text.clone()),
        _ => None,
    };
    let view = TemplateView {
        name: f.name.clone(),
        kind: f.kind,
        header,
        media: media_of(f.header.as_ref()),
        footer: f.footer.clone(),
        buttons: buttons_view(&f.buttons),
        cards,
    };
    (f.body.clone(), sections, view)
}

/// The customer taps a quick-reply button of a template message (or of one of its cards),
/// named by its payload or its label: the `button` message Meta sends, `{payload, text}`,
/// the payload being the send's, or the label when the send gave none.
pub(crate) fn tap(sent: &TemplateSent, choice: &str) -> Result<InboundContent, EngineError> {
    let f = &sent.filled;
    let button = f
        .buttons
        .iter()
        .chain(f.cards.iter().flat_map(|c| c.buttons.iter()))
        .filter(|b| b.kind == ButtonType::QuickReply)
        .find(|b| b.payload.as_deref() == Some(choice) || b.text == choice)
        .ok_or_else(|| {
            EngineError::Conflict(format!(
                "the template message has no quick-reply button {choice:?}"
            ))
        })?;
    Ok(InboundContent::Other {
        kind: "button".to_owned(),
        body: json!({
            "payload": button.payload.clone().unwrap_or_else(|| button.text.clone()),
            "text": button.text,
        }),
    })
}

// ---------------------------------------------------------------------------------------------
// The engine's API.

impl Sandbox {
    /// Creates a template in a WABA: pending, reviewed after `Config::template_review_after`.
    ///
    /// # Errors
    /// [`EngineError::Graph`] 100 for a broken definition or a name taken in that language.
    pub fn create_template(
        &mut self,
        waba_id: &WabaId,
        definition: TemplateDefinition,
    ) -> Result<Ack<TemplateInfo>, EngineError> {
        self.run(CreateTemplate {
            waba_id: waba_id.clone(),
            definition,
        })
    }

    /// Edits a template's components and/or category; it is reviewed again.
    ///
    /// # Errors
    /// [`EngineError::UnknownTemplate`]; [`EngineError::Graph`] 100 when its status does not
    /// allow edits, an approved template's category would change, or the result breaks a rule.
    pub fn edit_template(
        &mut self,
        id: &str,
        components: Option<Vec<DefComponent>>,
        category: Option<Category>,
    ) -> Result<Ack<()>, EngineError> {
        self.run(EditTemplate {
            id: id.to_owned(),
            components,
            category,
        })
    }

    /// Deletes a WABA's template of this name, every language (or the one with id `hsm_id`);
    /// answers how many.
    ///
    /// # Errors
    /// [`EngineError::Graph`] 100 when there is none.
    pub fn delete_template(
        &mut self,
        waba_id: &WabaId,
        name: &str,
        hsm_id: Option<&str>,
    ) -> Result<Ack<usize>, EngineError> {
        self.run(DeleteTemplate {
            waba_id: waba_id.clone(),
            name: name.to_owned(),
            hsm_id: hsm_id.map(str::to_owned),
        })
    }

    /// The sandbox decides a template's status (approve, reject, pause, disable), with a reason.
    ///
    /// # Errors
    /// [`EngineError::UnknownTemplate`]; [`EngineError::Conflict`] for a change its status does
    /// not allow.
    pub fn review_template(
        &mut self,
        id: &str,
        status: TemplateStatus,
        reason: Option<String>,
    ) -> Result<Ack<()>, EngineError> {
        self.tick();
        self.run(ReviewTemplate {
            id: id.to_owned(),
            status,
            reason,
        })
    }

    /// A template, by id, with its status as of the clock's now.
    pub fn template(&mut self, id: &str) -> Option<TemplateInfo> {
        self.tick();
        self.state.templates.get(id).map(TemplateInfo::from)
    }

    /// A WABA's templates matching `filter`, by id, `limit` after the one with id `after`; and
    /// whether more follow.
    pub fn templates(
        &mut self,
        waba_id: &WabaId,
        filter: &TemplateFilter,
        after: Option<&str>,
        limit: usize,
    ) -> (Vec<TemplateInfo>, bool) {
        self.tick();
        let mut it = self
            .state
            .templates
            .of_waba(waba_id)
            .filter(|t| after.is_none_or(|a| t.id.as_str() > a))
            .filter(|t| filter.matches(t));
        let page: Vec<TemplateInfo> = it.by_ref().take(limit).map(TemplateInfo::from).collect();
        let more = it.next().is_some();
        (page, more)
    }

    /// Checks a message as a send would, without sending it: validation, the template
    /// registry and the linked catalog (what a template send costs before it is accepted).
    ///
    /// # Errors
    /// What the send would answer.
    pub fn check_send(
        &self,
        number: &PhoneNumberId,
        message: &OutboundMessage,
    ) -> Result<(), EngineError> {
        if let Err(v) = message.validate() {
            return Err(EngineError::Graph(Box::new(GraphError::from_violation(
                v.first(),
                "wacart-sandbox",
            ))));
        }
        let waba = self.state.number(number)?.waba_id.clone();
        let wa_id = match message.addressee() {
            Some(wacart_schema::Addressee::Phone(p)) => WaId::normalized(p.as_str()),
            _ => WaId::new(""),
        };
        check_send(&self.state, number, &waba, message, &wa_id, false, false).map(drop)
    }
}
