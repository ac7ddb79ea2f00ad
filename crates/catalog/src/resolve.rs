//! Resolution of an outbound commerce message against the sending number's catalog (spec §1.1
//! to §1.3): which products it shows, which it drops, or the 131009 error that refuses it.

use wacart_schema::{CatalogId, Content, Interactive, OutboundMessage, RetailerId};

use crate::catalog::Catalog;
use crate::error::{CatalogError, details};
use crate::product::Product;
use crate::settings::CommerceSettings;

/// What a commerce message shows, product by product. Products are borrowed from the catalog:
/// read them again later for the latest details.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Resolved<'a> {
    /// A single-product message's product (check [`Product::is_purchasable`]: an unavailable
    /// product is still shown, marked unavailable).
    Product(&'a Product),
    /// A multi-product message's sections, without the unknown products and without the
    /// sections that left empty.
    ProductList {
        /// The sections the customer sees, in order.
        sections: Vec<ResolvedSection<'a>>,
        /// The ids not in the catalog, in message order: sent anyway, reported to the business
        /// in a `value.errors` webhook (see [`Resolved::dropped_details`]).
        dropped: Vec<&'a RetailerId>,
    },
    /// A catalog message's thumbnail: the product named by `thumbnail_product_retailer_id`, or
    /// the catalog's first product when none is named (`None` for an empty catalog).
    Catalog {
        /// The thumbnail's product.
        thumbnail: Option<&'a Product>,
    },
}

/// A section of a multi-product message after resolution.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResolvedSection<'a> {
    /// The section's title, as sent.
    pub title: Option<&'a str>,
    /// Its products found in the catalog, in message order.
    pub products: Vec<&'a Product>,
}

impl Resolved<'_> {
    /// For a product list that dropped ids: the details text of the 131009 `value.errors`
    /// webhook the sandbox sends, naming them
    /// (`Products not found in FB Catalog: sku-9, sku-12`).
    pub fn dropped_details(&self) -> Option<String> {
        let Resolved::ProductList { dropped, .. } = self else {
            return None;
        };
        if dropped.is_empty() {
            return None;
        }
        let ids: Vec<&str> = dropped.iter().map(|id| id.as_str()).collect();
        Some(format!(
            "{}: {}",
            details::PRODUCTS_NOT_FOUND,
            ids.join(", ")
        ))
    }
}

/// Resolves a validated message sent by a number whose linked catalog is `catalog` (`None`
/// when it has none) and whose settings are `settings`.
///
/// - Single product: the product, or 131009 `Products not found in FB Catalog`.
/// - Product list: kept and dropped items, sections left empty omitted; 131009 when no item
///   matches.
/// - Catalog message: needs the catalog visible; the thumbnail product must exist when named.
/// - Any of them naming a catalog other than the linked one: 131009, catalog not linked.
///
/// ```
/// use wacart_catalog::{check_feed, resolve, Catalog, CommerceSettings, Resolved};
/// use wacart_schema::OutboundMessage;
/// let mut catalog = Catalog::new("194836987003835".into());
/// catalog.import_feed(&b"id,title,description,availability,condition,price,link,image_link\n\
///     kale,Kale,Fresh,in stock,new,2.50 USD,https://s.example/kale,https://c.example/kale.jpg\n"[..]).unwrap();
/// let msg = OutboundMessage::product_list("16505551234", "194836987003835", "Picks", "Fresh today")
///     .section("Greens", ["kale", "gone"])
///     .section("Fruit", ["also-gone"])
///     .build()
///     .unwrap();
/// let resolved = resolve(&msg, Some(&catalog), CommerceSettings::default()).unwrap();
/// let Resolved::ProductList { sections, dropped } = &resolved else { panic!() };
/// assert_eq!(sections.len(), 1); // "Fruit" left empty and disappeared
/// assert_eq!(dropped.len(), 2);
/// assert_eq!(resolved.dropped_details().unwrap(), "Products not found in FB Catalog: gone, also-gone");
/// ```
///
/// # Errors
/// [`CatalogError::ProductsNotFound`], [`CatalogError::CatalogNotLinked`],
/// [`CatalogError::CatalogNotVisible`] (all Graph 131009, see
/// [`CatalogError::to_graph_error`]), and [`CatalogError::NotCommerceMessage`] for other
/// message types.
pub fn resolve<'a>(
    message: &'a OutboundMessage,
    catalog: Option<&'a Catalog>,
    settings: CommerceSettings,
) -> Result<Resolved<'a>, CatalogError> {
    let Content::Interactive(interactive) = &message.content else {
        return Err(CatalogError::NotCommerceMessage(
            message.content.kind().to_owned(),
        ));
    };
    match interactive {
        Interactive::Product(m) => {
            let catalog = linked(catalog, &m.action.catalog_id)?;
            let id = &m.action.product_retailer_id;
            catalog
                .get(id)
                .map(Resolved::Product)
                .ok_or_else(|| CatalogError::ProductsNotFound(vec![id.clone()]))
        }
        Interactive::ProductList(m) => {
            let catalog = linked(catalog, &m.action.catalog_id)?;
            let mut sections = Vec::with_capacity(m.action.sections.len());
            let mut dropped = Vec::new();
            for section in &m.action.sections {
                let mut products = Vec::with_capacity(section.product_items.len());
                for item in &section.product_items {
                    match catalog.get(&item.product_retailer_id) {
                        Some(p) => products.push(p),
                        None => dropped.push(&item.product_retailer_id),
                    }
                }
                if !products.is_empty() {
                    sections.push(ResolvedSection {
                        title: section.title.as_deref(),
                        products,
                    });
                }
            }
            if sections.is_empty() {
                return Err(CatalogError::ProductsNotFound(
                    dropped.into_iter().cloned().collect(),
                ));
            }
            Ok(Resolved::ProductList { sections, dropped })
        }
        Interactive::CatalogMessage(m) => {
            if !settings.is_catalog_visible {
                return Err(CatalogError::CatalogNotVisible);
            }
            let catalog = catalog.ok_or(CatalogError::CatalogNotLinked(None))?;
            let named = m
                .action
                .parameters
                .as_ref()
                .and_then(|p| p.thumbnail_product_retailer_id.as_ref());
            let thumbnail = match named {
                Some(id) => Some(
                    catalog
                        .get(id)
                        .ok_or_else(|| CatalogError::ProductsNotFound(vec![id.clone()]))?,
                ),
                None => catalog.first(),
            };
            Ok(Resolved::Catalog { thumbnail })
        }
        other => Err(CatalogError::NotCommerceMessage(format!(
            "interactive {}",
            other.kind()
        ))),
    }
}

fn linked<'a>(catalog: Option<&'a Catalog>, id: &CatalogId) -> Result<&'a Catalog, CatalogError> {
    match catalog {
        Some(c) if c.id() == id => Ok(c),
        _ => Err(CatalogError::CatalogNotLinked(Some(id.clone()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::full_patch;
    use crate::product::{Availability, ProductPatch};

    const CAT: &str = "194836987003835";
    const TO: &str = "16505551234";

    fn catalog() -> Catalog {
        let mut c = Catalog::new(CAT.into());
        for id in ["a", "b", "c"] {
            c.create(id.into(), &full_patch(id, "1")).unwrap();
        }
        c.update(
            &"c".into(),
            &ProductPatch::new().availability(Availability::OutOfStock),
        )
        .unwrap();
        c
    }

    fn visible() -> CommerceSettings {
        CommerceSettings::new(true, true)
    }

    fn ids(products: &[&Product]) -> Vec<String> {
        products
            .iter()
            .map(|p| p.retailer_id().to_string())
            .collect()
    }

    #[test]
    fn single_product() {
        let c = catalog();
        let msg = OutboundMessage::product(TO, CAT, "c").build().unwrap();
        let Ok(Resolved::Product(p)) = resolve(&msg, Some(&c), visible()) else {
            panic!()
        };
        assert_eq!(p.retailer_id(), "c");
        assert!(!p.is_purchasable(), "shown, but unavailable");
        let msg = OutboundMessage::product(TO, CAT, "A").build().unwrap();
        let err = resolve(&msg, Some(&c), visible()).unwrap_err();
        assert_eq!(err, CatalogError::ProductsNotFound(vec!["A".into()]));
        assert_eq!(
            err.to_graph_error("t").details(),
            Some("Products not found in FB Catalog")
        );
    }

    #[test]
    fn product_list_keeps_matches_drops_the_rest_and_empty_sections() {
        let c = catalog();
        let msg = OutboundMessage::product_list(TO, CAT, "H", "B")
            .section("One", ["x", "a", "y"])
            .section("Two", ["z"])
            .section("Three", ["c", "b"])
            .build()
            .unwrap();
        let resolved = resolve(&msg, Some(&c), CommerceSettings::default()).unwrap();
        let Resolved::ProductList { sections, dropped } = &resolved else {
            panic!()
        };
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].title, Some("One"));
        assert_eq!(ids(&sections[0].products), ["a"]);
        assert_eq!(sections[1].title, Some("Three"));
        assert_eq!(ids(&sections[1].products), ["c", "b"]);
        let dropped: Vec<&str> = dropped.iter().map(|d| d.as_str()).collect();
        assert_eq!(dropped, ["x", "y", "z"]);
        assert_eq!(
            resolved.dropped_details().as_deref(),
            Some("Products not found in FB Catalog: x, y, z")
        );
        let all = OutboundMessage::product_list(TO, CAT, "H", "B")
            .untitled_section(["a"])
            .build()
            .unwrap();
        assert_eq!(
            resolve(&all, Some(&c), visible())
                .unwrap()
                .dropped_details(),
            None
        );
    }

    #[test]
    fn product_list_with_no_match_fails() {
        let c = catalog();
        let msg = OutboundMessage::product_list(TO, CAT, "H", "B")
            .section("One", ["x"])
            .section("Two", ["y"])
            .build()
            .unwrap();
        let err = resolve(&msg, Some(&c), visible()).unwrap_err();
        assert_eq!(
            err,
            CatalogError::ProductsNotFound(vec!["x".into(), "y".into()])
        );
        assert_eq!(err.to_graph_error("t").code, 131_009);
    }

    #[test]
    fn the_catalog_must_be_the_linked_one() {
        let c = catalog();
        let msg = OutboundMessage::product(TO, "999", "a").build().unwrap();
        let err = resolve(&msg, Some(&c), visible()).unwrap_err();
        assert_eq!(err, CatalogError::CatalogNotLinked(Some("999".into())));
        assert_eq!(err.details(), "Catalog is not linked to this phone number");
        let msg = OutboundMessage::product(TO, CAT, "a").build().unwrap();
        assert!(matches!(
            resolve(&msg, None, visible()),
            Err(CatalogError::CatalogNotLinked(_))
        ));
        let list = OutboundMessage::product_list(TO, "999", "H", "B")
            .untitled_section(["a"])
            .build()
            .unwrap();
        assert!(matches!(
            resolve(&list, Some(&c), visible()),
            Err(CatalogError::CatalogNotLinked(_))
        ));
    }

    #[test]
    fn catalog_message_needs_visibility_and_a_known_thumbnail() {
        let c = catalog();
        let msg = OutboundMessage::catalog(TO, "See all").build().unwrap();
        let err = resolve(&msg, Some(&c), CommerceSettings::default()).unwrap_err();
        assert_eq!(err, CatalogError::CatalogNotVisible);
        assert_eq!(
            err.to_graph_error("t").details(),
            Some("Catalog is not visible for this phone number")
        );
        let Ok(Resolved::Catalog { thumbnail: Some(p) }) = resolve(&msg, Some(&c), visible())
        else {
            panic!()
        };
        assert_eq!(p.retailer_id(), "a", "the first product by default");
        let named = OutboundMessage::catalog(TO, "See all")
            .thumbnail("b")
            .build()
            .unwrap();
        let Ok(Resolved::Catalog { thumbnail: Some(p) }) = resolve(&named, Some(&c), visible())
        else {
            panic!()
        };
        assert_eq!(p.retailer_id(), "b");
        let unknown = OutboundMessage::catalog(TO, "See all")
            .thumbnail("nope")
            .build()
            .unwrap();
        let err = resolve(&unknown, Some(&c), visible()).unwrap_err();
        assert_eq!(err, CatalogError::ProductsNotFound(vec!["nope".into()]));
        assert_eq!(
            resolve(&msg, None, visible()).unwrap_err(),
            CatalogError::CatalogNotLinked(None)
        );
        let empty = Catalog::new(CAT.into());
        assert_eq!(
            resolve(&msg, Some(&empty), visible()),
            Ok(Resolved::Catalog { thumbnail: None })
        );
    }

    #[test]
    fn other_messages_are_not_resolved() {
        let msg = OutboundMessage::text(TO, "hi").build().unwrap();
        let err = resolve(&msg, None, visible()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`text` is not a product, product_list or catalog_message message"
        );
    }
}
