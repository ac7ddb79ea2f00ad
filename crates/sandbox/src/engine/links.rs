//! What the customer sees when they tap to open a business message: a catalog link
//! (`https://wa.me/c/<business number>` in a text), a catalog message's or catalog template's
//! "View catalog", a multi-product message's or template's items, a single-product message's or
//! template's product, a product card's product. A hidden catalog, or a link naming another
//! number, shows "Invalid catalog link" (docs/templates.md §5). Looking changes nothing.

use serde::Serialize;
use wacart_catalog::Catalog;
use wacart_catalog::details::INVALID_CATALOG_LINK;
use wacart_schema::{
    ButtonType, Content, FilledHeader, Interactive, MessageId, RetailerId, TextBody, WaId,
};

use super::state::Entry;
use super::threads::{SectionView, product_view};
use super::{EngineError, Sandbox};

/// The prefix of a catalog link.
pub const CATALOG_LINK_PREFIX: &str = "https://wa.me/c/";

/// Most products an opened catalog lists.
const CATALOG_PAGE: usize = 100;

/// The number a text's catalog link names (its first `https://wa.me/c/<digits>`), when the text
/// asks for a preview: such a text renders as a catalog link.
pub(crate) fn catalog_link(text: &TextBody) -> Option<String> {
    if text.preview_url != Some(true) {
        return None;
    }
    linked_number(&text.body)
}

fn linked_number(body: &str) -> Option<String> {
    let at = body.find(CATALOG_LINK_PREFIX)?;
    let digits: String = body[at + CATALOG_LINK_PREFIX.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// What opening a message shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OpenedView {
    /// What WhatsApp shows instead, when it cannot open it ("Invalid catalog link").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<&'static str>,
    /// The products, by section, with their current details.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionView>,
}

fn invalid() -> OpenedView {
    OpenedView {
        notice: Some(INVALID_CATALOG_LINK),
        sections: Vec::new(),
    }
}

fn products(catalog: Option<&Catalog>, ids: &[&RetailerId], title: Option<String>) -> OpenedView {
    OpenedView {
        notice: None,
        sections: vec![SectionView {
            title,
            products: ids.iter().map(|id| product_view(catalog, id)).collect(),
        }],
    }
}

impl Sandbox {
    /// The customer taps to open a message of their thread (`card`: a carousel's card, from 0):
    /// what they see.
    ///
    /// # Errors
    /// [`EngineError::UnknownMessage`] when it is not a message of the customer's threads;
    /// [`EngineError::Conflict`] when it has nothing to open.
    pub fn open_message(
        &self,
        wa_id: &WaId,
        message_id: &MessageId,
        card: Option<usize>,
    ) -> Result<OpenedView, EngineError> {
        let unknown = || EngineError::UnknownMessage(message_id.clone());
        let (key, entry) = match self.state.messages.get(message_id) {
            Some((key, pos)) => {
                let entry = self.state.threads.get(key).and_then(|t| t.get(*pos));
                (key.clone(), entry.cloned().ok_or_else(unknown)?)
            }
            None => self.history_entry(message_id)?.ok_or_else(unknown)?,
        };
        if key.1 != *wa_id {
            return Err(unknown());
        }
        let Entry::Out(o) = &entry else {
            return Err(EngineError::Conflict(
                "only a business message opens a catalog or a product".into(),
            ));
        };
        let number = &key.0;
        let catalog = self.state.linked_catalog(number).ok();
        let visible = self.state.settings.settings(number).is_catalog_visible;
        let whole_catalog = || match catalog {
            Some(c) if visible => {
                let ids: Vec<&RetailerId> = c
                    .products()
                    .take(CATALOG_PAGE)
                    .map(|p| p.retailer_id())
                    .collect();
                products(catalog, &ids, None)
            }
            _ => invalid(),
        };
        let nothing = || EngineError::Conflict(format!("message {message_id} has nothing to open"));
        Ok(match (&o.message.content, &o.template) {
            (Content::Text(t), _) => {
                let own = self.state.number_identity(number).1;
                match linked_number(&t.body) {
                    Some(n) if n == own => whole_catalog(),
                    Some(_) => invalid(),
                    None => return Err(nothing()),
                }
            }
            (Content::Interactive(Interactive::CatalogMessage(_)), _) => whole_catalog(),
            (Content::Interactive(Interactive::Product(p)), _) => {
                products(catalog, &[&p.action.product_retailer_id], None)
            }
            (Content::Interactive(Interactive::ProductList(p)), _) => OpenedView {
                notice: None,
                sections: p
                    .action
                    .sections
                    .iter()
                    .map(|s| SectionView {
                        title: s.title.clone(),
                        products: s
                            .product_items
                            .iter()
                            .filter(|i| !o.dropped.contains(&i.product_retailer_id))
                            .map(|i| product_view(catalog, &i.product_retailer_id))
                            .collect(),
                    })
                    .filter(|s| !s.products.is_empty())
                    .collect(),
            },
            (Content::Template(_), Some(t)) => {
                let f = &t.filled;
                let header_product = |h: Option<&FilledHeader>| match h {
                    Some(FilledHeader::Product {
                        product_retailer_id,
                        ..
                    }) => Some(product_retailer_id.clone()),
                    _ => None,
                };
                if let Some(i) = card {
                    let c = f.cards.get(i).ok_or_else(nothing)?;
                    let id = header_product(c.header.as_ref()).ok_or_else(nothing)?;
                    products(catalog, &[&id], None)
                } else if f.button(&ButtonType::Catalog).is_some() {
                    whole_catalog()
                } else if let Some(id) = header_product(f.header.as_ref()) {
                    products(catalog, &[&id], None)
                } else {
                    let (_, sections, _) = super::templates::view(t, &o.dropped, catalog);
                    if sections.is_empty() {
                        return Err(nothing());
                    }
                    OpenedView {
                        notice: None,
                        sections,
                    }
                }
            }
            _ => return Err(nothing()),
        })
    }
}
