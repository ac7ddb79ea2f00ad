//! What a change did to a product: [`CatalogEvent`] and [`Change`].

use wacart_schema::{CatalogId, RetailerId};

use crate::product::Changed;

/// What a change did to one product. Carts act on [`CatalogEvent::removes_from_carts`]; views
/// read the latest product anyway, so a details change needs nothing from them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// The product was created.
    Created {
        /// Whether it can be bought.
        purchasable: bool,
    },
    /// Fields of the product changed.
    Updated {
        /// Which fields.
        changed: Changed,
        /// Whether it could be bought before.
        was_purchasable: bool,
        /// Whether it can be bought now.
        purchasable: bool,
    },
    /// The product was deleted.
    Deleted {
        /// Whether it could be bought before.
        was_purchasable: bool,
    },
}

/// One product change of one catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CatalogEvent {
    /// The catalog.
    pub catalog_id: CatalogId,
    /// The product.
    pub retailer_id: RetailerId,
    /// What happened to it.
    pub change: Change,
}

impl CatalogEvent {
    /// An event, as a catalog reports it (public so other stores can replay changes).
    pub fn new(catalog_id: CatalogId, retailer_id: RetailerId, change: Change) -> Self {
        CatalogEvent {
            catalog_id,
            retailer_id,
            change,
        }
    }

    /// Whether a detail a customer sees changed: price, sale price, title, description, image.
    pub fn details_changed(&self) -> bool {
        matches!(&self.change, Change::Updated { changed, .. } if changed.details())
    }

    /// `Some(now)` when the change turned purchasability on or off (creation and deletion
    /// count: a product that did not exist could not be bought).
    pub fn purchasability_changed(&self) -> Option<bool> {
        match self.change {
            Change::Created { purchasable } => purchasable.then_some(true),
            Change::Updated {
                was_purchasable,
                purchasable,
                ..
            } => (was_purchasable != purchasable).then_some(purchasable),
            Change::Deleted { was_purchasable } => was_purchasable.then_some(false),
        }
    }

    /// Whether the product must leave every cart: it was deleted or cannot be bought now.
    pub fn removes_from_carts(&self) -> bool {
        match self.change {
            Change::Created { .. } => false,
            Change::Updated { purchasable, .. } => !purchasable,
            Change::Deleted { .. } => true,
        }
    }
}
