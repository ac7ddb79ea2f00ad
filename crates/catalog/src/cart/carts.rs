//! Every cart ([`Carts`]), with its index by key and from product to carts.

use std::collections::{BTreeSet, HashMap};

use wacart_schema::{CatalogId, MessageId, RetailerId};

use super::wire::CartsWire;
use super::{Cart, CartKey, CartLine, CartView, ViewLine};
use crate::catalog::{Catalog, CatalogEvent};
use crate::error::{CatalogError, details};
use crate::product::{Product, limits};
use crate::settings::CommerceSettings;

/// The carts holding each product, by catalog and retailer id, in cart order.
pub(super) type Holders = HashMap<CatalogId, HashMap<RetailerId, BTreeSet<usize>>>;

/// A cart's number in a [`Carts`] store: stable (carts are never removed), cheap to copy.
/// [`Carts::key`] gives its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CartId(usize);

/// Every cart, with an index from product to the carts that hold it.
///
/// ```
/// use wacart_catalog::{CartKey, Carts, Catalog, CommerceSettings, ProductPatch, Availability};
/// let mut catalog = Catalog::new("194836987003835".into());
/// catalog.import_feed(&b"id,title,description,availability,condition,price,link,image_link\n\
///     kale,Kale,Fresh,in stock,new,2.50 USD,https://s.example/kale,https://c.example/kale.jpg\n"[..]).unwrap();
/// let mut carts = Carts::new();
/// let phone = CartKey::new("106540352242922", "16505551234", "phone");
/// let web = CartKey::new("106540352242922", "16505551234", "web");
/// let on = CommerceSettings::default();
/// carts.set_quantity(&phone, &catalog, on, &"kale".into(), 3, None).unwrap();
/// carts.set_quantity(&web, &catalog, on, &"kale".into(), 1, None).unwrap();
///
/// // Kale sells out: it leaves both carts, which show the notice once.
/// let event = catalog
///     .update(&"kale".into(), &ProductPatch::new().availability(Availability::OutOfStock))
///     .unwrap()
///     .unwrap();
/// assert_eq!(carts.apply_event(&event).len(), 2);
/// let view = carts.view(&phone, &catalog);
/// assert!(view.lines.is_empty());
/// assert_eq!(view.notice, Some("One or more items in your cart have been updated"));
/// assert_eq!(carts.view(&phone, &catalog).notice, None);
/// ```
///
/// Serde: `{"carts": [...]}`, every cart (see [`Cart`]) in the order they were made, so
/// [`CartId`]s stay valid. The indexes (by key, and from product to carts) are not written;
/// they are rebuilt when read. Deserializing refuses a key twice.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "CartsWire")]
pub struct Carts {
    #[serde(skip)]
    pub(super) ids: HashMap<CartKey, usize>,
    pub(super) carts: Vec<Cart>,
    #[serde(skip)]
    pub(super) holders: Holders,
}

impl Carts {
    /// No carts.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many carts exist (a cart exists once something was put in it).
    pub fn len(&self) -> usize {
        self.carts.len()
    }

    /// Whether no cart exists.
    pub fn is_empty(&self) -> bool {
        self.carts.is_empty()
    }

    /// The number of the cart with this key, if it exists.
    pub fn id(&self, key: &CartKey) -> Option<CartId> {
        self.ids.get(key).copied().map(CartId)
    }

    /// The key of a cart.
    pub fn key(&self, id: CartId) -> Option<&CartKey> {
        self.carts.get(id.0).map(|c| &c.key)
    }

    /// The cart, without viewing it (the notice stays).
    pub fn cart(&self, key: &CartKey) -> Option<&Cart> {
        self.carts.get(*self.ids.get(key)?)
    }

    /// How many carts hold this product.
    pub fn holders(&self, catalog_id: &CatalogId, retailer_id: &RetailerId) -> usize {
        self.holders
            .get(catalog_id)
            .and_then(|m| m.get(retailer_id))
            .map_or(0, BTreeSet::len)
    }

    /// Sets the quantity of a product in the cart: 1..=99 units, 0 removes it. `from_message`
    /// is the product message the customer added it from, kept when it is the cart's first
    /// item.
    ///
    /// # Errors
    /// [`CatalogError::QuantityOutOfRange`] above 99; for a quantity above 0:
    /// [`CatalogError::CartDisabled`], [`CatalogError::ProductsNotFound`],
    /// [`CatalogError::NotPurchasable`], [`CatalogError::CatalogMismatch`] when the cart holds
    /// products of another catalog. Nothing changes on error.
    pub fn set_quantity(
        &mut self,
        key: &CartKey,
        catalog: &Catalog,
        settings: CommerceSettings,
        retailer_id: &RetailerId,
        quantity: u32,
        from_message: Option<&MessageId>,
    ) -> Result<(), CatalogError> {
        if quantity > limits::CART_QUANTITY_MAX {
            return Err(CatalogError::QuantityOutOfRange(quantity));
        }
        if quantity == 0 {
            self.remove(key, retailer_id);
            return Ok(());
        }
        if !settings.is_cart_enabled {
            return Err(CatalogError::CartDisabled);
        }
        let product = catalog
            .get(retailer_id)
            .ok_or_else(|| CatalogError::ProductsNotFound(vec![retailer_id.clone()]))?;
        if !product.is_purchasable() {
            return Err(CatalogError::NotPurchasable(retailer_id.clone()));
        }
        let index = match self.ids.get(key) {
            Some(&i) => i,
            None => {
                let i = self.carts.len();
                self.carts.push(Cart::new(key.clone()));
                self.ids.insert(key.clone(), i);
                i
            }
        };
        let Some(cart) = self.carts.get_mut(index) else {
            return Ok(());
        };
        if cart.lines.is_empty() {
            if cart.catalog_id.as_ref() != Some(catalog.id()) {
                cart.catalog_id = Some(catalog.id().clone());
            }
            cart.context = from_message.cloned();
        } else if let Some(c) = &cart.catalog_id
            && c != catalog.id()
        {
            return Err(CatalogError::CatalogMismatch {
                cart: c.clone(),
                catalog: catalog.id().clone(),
            });
        }
        match cart.position(retailer_id) {
            Some(p) => {
                if let Some(line) = cart.lines.get_mut(p) {
                    line.quantity = quantity;
                }
            }
            None => {
                cart.lines.push(CartLine {
                    retailer_id: retailer_id.clone(),
                    quantity,
                });
                self.holders
                    .entry(catalog.id().clone())
                    .or_default()
                    .entry(retailer_id.clone())
                    .or_default()
                    .insert(index);
            }
        }
        Ok(())
    }

    /// Takes a product out of the cart; whether it was there.
    pub fn remove(&mut self, key: &CartKey, retailer_id: &RetailerId) -> bool {
        let Some(&index) = self.ids.get(key) else {
            return false;
        };
        self.remove_line(index, retailer_id)
    }

    fn remove_line(&mut self, index: usize, retailer_id: &RetailerId) -> bool {
        let Some(cart) = self.carts.get_mut(index) else {
            return false;
        };
        let Some(p) = cart.position(retailer_id) else {
            return false;
        };
        cart.lines.remove(p);
        if let Some(catalog_id) = &cart.catalog_id {
            unindex(&mut self.holders, catalog_id, retailer_id, index);
        }
        if cart.lines.is_empty() {
            cart.clear();
        }
        true
    }

    /// The cart as the customer sees it, with the latest product details; clears the notice.
    /// Items whose product left the catalog or cannot be bought (a change not applied through
    /// [`Carts::apply_event`]) are taken out here, with the notice.
    pub fn view<'c>(&mut self, key: &CartKey, catalog: &'c Catalog) -> CartView<'c> {
        let Some(&index) = self.ids.get(key) else {
            return CartView {
                lines: Vec::new(),
                notice: None,
            };
        };
        self.reconcile(index, catalog);
        let Some(cart) = self.carts.get_mut(index) else {
            return CartView {
                lines: Vec::new(),
                notice: None,
            };
        };
        let notice = std::mem::take(&mut cart.notice).then_some(details::CART_UPDATED_NOTICE);
        let lines = cart
            .lines
            .iter()
            .filter_map(|l| {
                catalog.get(&l.retailer_id).map(|product| ViewLine {
                    product,
                    quantity: l.quantity,
                })
            })
            .collect();
        CartView { lines, notice }
    }

    /// Applies a catalog change: a product deleted or no longer purchasable leaves every cart
    /// holding it, and each such cart gets the notice. Details changes need nothing (views read
    /// the catalog). Returns the carts changed, oldest cart first ([`Carts::key`] gives their
    /// keys). The cost follows the carts holding the product, not the number of carts.
    pub fn apply_event(&mut self, event: &CatalogEvent) -> Vec<CartId> {
        if !event.removes_from_carts() {
            return Vec::new();
        }
        let Some(by_product) = self.holders.get_mut(&event.catalog_id) else {
            return Vec::new();
        };
        let Some(holding) = by_product.remove(&event.retailer_id) else {
            return Vec::new();
        };
        if by_product.is_empty() {
            self.holders.remove(&event.catalog_id);
        }
        let mut changed = Vec::with_capacity(holding.len());
        for index in holding {
            let Some(cart) = self.carts.get_mut(index) else {
                continue;
            };
            if let Some(p) = cart.position(&event.retailer_id) {
                cart.lines.remove(p);
                cart.notice = true;
                if cart.lines.is_empty() {
                    cart.clear();
                }
                changed.push(CartId(index));
            }
        }
        changed
    }

    /// Takes out the items the catalog no longer has or sells (raising the notice).
    pub(super) fn reconcile(&mut self, index: usize, catalog: &Catalog) {
        let Some(cart) = self.carts.get(index) else {
            return;
        };
        let same_catalog = cart.catalog_id.as_ref() == Some(catalog.id());
        let stale: Vec<RetailerId> = cart
            .lines
            .iter()
            .filter(|l| {
                !same_catalog
                    || !catalog
                        .get(&l.retailer_id)
                        .is_some_and(Product::is_purchasable)
            })
            .map(|l| l.retailer_id.clone())
            .collect();
        if stale.is_empty() {
            return;
        }
        for id in &stale {
            self.remove_line(index, id);
        }
        if let Some(cart) = self.carts.get_mut(index) {
            cart.notice = true;
        }
    }
}

pub(super) fn unindex(
    holders: &mut Holders,
    catalog_id: &CatalogId,
    retailer_id: &RetailerId,
    index: usize,
) {
    let Some(by_product) = holders.get_mut(catalog_id) else {
        return;
    };
    if let Some(set) = by_product.get_mut(retailer_id) {
        set.remove(&index);
        if set.is_empty() {
            by_product.remove(retailer_id);
        }
    }
    if by_product.is_empty() {
        holders.remove(catalog_id);
    }
}
