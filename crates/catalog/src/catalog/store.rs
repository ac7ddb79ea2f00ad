//! The [`Catalog`] and its changes.

use std::collections::HashMap;

use wacart_schema::{CatalogId, RetailerId};

use super::wire::CatalogWire;
use super::{BatchRequest, CatalogEvent, Change, Method};
use crate::error::CatalogError;
use crate::money::Currency;
use crate::product::{Changed, Product, ProductPatch};

/// A catalog: products by retailer id, in the order they were added, all in one currency.
///
/// ```
/// use wacart_catalog::{Availability, BatchRequest, Catalog, Change, Condition, ProductPatch};
/// let mut catalog = Catalog::new("194836987003835".into());
/// let shirt = ProductPatch::new()
///     .title("Shirt")
///     .description("Cotton")
///     .availability(Availability::InStock)
///     .condition(Condition::New)
///     .price("19.99 USD".parse().unwrap())
///     .link("https://shop.example/shirt")
///     .image_link("https://cdn.example/shirt.jpg");
/// let results = catalog.apply_batch([
///     BatchRequest::create("shirt", shirt),
///     BatchRequest::update("no-such-id", ProductPatch::new().title("x")),
///     BatchRequest::update("shirt", ProductPatch::new().availability(Availability::OutOfStock)),
/// ]);
/// assert!(results[0].is_ok());
/// assert!(results[1].is_err()); // one bad request does not sink the batch
/// let event = results[2].as_ref().unwrap().as_ref().unwrap();
/// assert!(event.removes_from_carts());
/// assert!(matches!(event.change, Change::Updated { was_purchasable: true, purchasable: false, .. }));
/// ```
///
/// Serde: `{"id": ..., "pinned_currency": "USD" or null, "products": [...]}`, the products in
/// catalog order (see [`Product`]). Only this primary data is written: the lookup index and
/// the holes deletions left are not, and the index is rebuilt when read. Deserializing refuses
/// a retailer id twice, products in two currencies or in another currency than the pinned one,
/// and any product [`Product::new`] would refuse.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(try_from = "CatalogWire")]
pub struct Catalog {
    pub(crate) id: CatalogId,
    pub(crate) currency: Option<Currency>,
    /// The currency given by [`Catalog::with_currency`], kept when the catalog empties.
    pub(super) pinned: Option<Currency>,
    /// Products in insertion order; `None` where one was deleted (compacted from time to time).
    pub(crate) slots: Vec<Option<Product>>,
    /// Slot of each retailer id.
    pub(crate) index: HashMap<Box<str>, u32>,
}

impl Catalog {
    /// An empty catalog. Its currency is set by the first product added.
    pub fn new(id: CatalogId) -> Self {
        Catalog {
            id,
            currency: None,
            pinned: None,
            slots: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// An empty catalog whose products must be priced in `currency`.
    pub fn with_currency(id: CatalogId, currency: Currency) -> Self {
        Catalog {
            currency: Some(currency),
            pinned: Some(currency),
            ..Catalog::new(id)
        }
    }

    /// The catalog id.
    pub fn id(&self) -> &CatalogId {
        &self.id
    }

    /// The currency of every price in the catalog: the one given to [`Catalog::with_currency`],
    /// else the first product's (`None` while there is none; an emptied catalog takes a new
    /// one).
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// How many products it holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether it holds no product.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The product with this retailer id (case-sensitive).
    pub fn get(&self, retailer_id: &RetailerId) -> Option<&Product> {
        self.get_str(retailer_id.as_str())
    }

    /// The product with this retailer id, given as text.
    pub fn get_str(&self, retailer_id: &str) -> Option<&Product> {
        let slot = *self.index.get(retailer_id)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Whether the catalog has this product.
    pub fn contains(&self, retailer_id: &RetailerId) -> bool {
        self.index.contains_key(retailer_id.as_str())
    }

    /// The products, in the order they were added.
    pub fn products(&self) -> impl Iterator<Item = &Product> + '_ {
        self.slots.iter().flatten()
    }

    /// The first product (the catalog message's default thumbnail).
    pub fn first(&self) -> Option<&Product> {
        self.products().next()
    }

    /// Creates a product.
    ///
    /// # Errors
    /// [`CatalogError::ProductExists`], [`CatalogError::CurrencyMismatch`], or what
    /// [`Product::new`] refuses.
    pub fn create(
        &mut self,
        retailer_id: RetailerId,
        patch: &ProductPatch,
    ) -> Result<CatalogEvent, CatalogError> {
        if self.contains(&retailer_id) {
            return Err(CatalogError::ProductExists(retailer_id));
        }
        let product = Product::new(retailer_id, patch)?;
        self.check_currency(&product)?;
        let purchasable = product.is_purchasable();
        let retailer_id = product.retailer_id().clone();
        self.insert(product)?;
        Ok(self.event(retailer_id, Change::Created { purchasable }))
    }

    /// Changes the fields the patch gives. `Ok(None)` when nothing changed.
    ///
    /// # Errors
    /// [`CatalogError::ProductsNotFound`], [`CatalogError::CurrencyMismatch`], or what
    /// [`Product::patched`] refuses.
    pub fn update(
        &mut self,
        retailer_id: &RetailerId,
        patch: &ProductPatch,
    ) -> Result<Option<CatalogEvent>, CatalogError> {
        let slot = self.slot_of(retailer_id)?;
        let old = self.slots.get(slot).and_then(Option::as_ref);
        let old = old.ok_or_else(|| CatalogError::ProductsNotFound(vec![retailer_id.clone()]))?;
        let (new, changed) = old.patched(patch)?;
        self.check_currency(&new)?;
        Ok(self.replace(slot, new, changed))
    }

    /// Deletes a product.
    ///
    /// # Errors
    /// [`CatalogError::ProductsNotFound`] when there is no such product.
    pub fn delete(&mut self, retailer_id: &RetailerId) -> Result<CatalogEvent, CatalogError> {
        let slot = self.slot_of(retailer_id)?;
        self.index.remove(retailer_id.as_str());
        let old = self.slots.get_mut(slot).and_then(Option::take);
        let was_purchasable = old.is_some_and(|p| p.is_purchasable());
        self.maybe_compact();
        Ok(self.event(retailer_id.clone(), Change::Deleted { was_purchasable }))
    }

    /// Applies a batch with `items_batch` semantics: each request on its own, in order, with
    /// its own result; a bad request does not sink the others. A successful request gives its
    /// event (`None` for an update that changed nothing).
    pub fn apply_batch<I>(&mut self, requests: I) -> Vec<Result<Option<CatalogEvent>, CatalogError>>
    where
        I: IntoIterator<Item = BatchRequest>,
    {
        requests
            .into_iter()
            .map(|req| match req.method {
                Method::Create => self.create(req.retailer_id, &req.patch).map(Some),
                Method::Update => self.update(&req.retailer_id, &req.patch),
                Method::Delete => self.delete(&req.retailer_id).map(Some),
            })
            .collect()
    }

    fn slot_of(&self, retailer_id: &RetailerId) -> Result<usize, CatalogError> {
        self.index
            .get(retailer_id.as_str())
            .map(|s| *s as usize)
            .ok_or_else(|| CatalogError::ProductsNotFound(vec![retailer_id.clone()]))
    }

    #[cfg(test)]
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    pub(super) fn check_currency(&self, product: &Product) -> Result<(), CatalogError> {
        let found = product.price().currency();
        match self.currency {
            Some(expected) if expected != found => {
                Err(CatalogError::CurrencyMismatch { expected, found })
            }
            _ => Ok(()),
        }
    }

    /// Adds a product whose id is not in the catalog yet; returns its slot.
    pub(super) fn insert(&mut self, product: Product) -> Result<usize, CatalogError> {
        let slot = self.slots.len();
        let slot32 = u32::try_from(slot).map_err(|_| CatalogError::CatalogFull)?;
        if self.currency.is_none() {
            self.currency = Some(product.price().currency());
        }
        self.index
            .insert(product.retailer_id().as_str().into(), slot32);
        self.slots.push(Some(product));
        Ok(slot)
    }

    /// Puts `new` in `slot` (which holds a product with the same id); the event, if anything
    /// changed.
    fn replace(&mut self, slot: usize, new: Product, changed: Changed) -> Option<CatalogEvent> {
        if !changed.any() {
            return None;
        }
        let purchasable = new.is_purchasable();
        let retailer_id = new.retailer_id().clone();
        let old = self.slots.get_mut(slot)?.replace(new);
        let was_purchasable = old.is_some_and(|p| p.is_purchasable());
        Some(self.event(
            retailer_id,
            Change::Updated {
                changed,
                was_purchasable,
                purchasable,
            },
        ))
    }

    fn event(&self, retailer_id: RetailerId, change: Change) -> CatalogEvent {
        CatalogEvent::new(self.id.clone(), retailer_id, change)
    }

    /// Drops the holes deletions left once they outnumber the products, keeping the order.
    fn maybe_compact(&mut self) {
        let holes = self.slots.len() - self.index.len();
        if self.index.is_empty() {
            self.slots.clear();
            self.currency = self.pinned;
            return;
        }
        if holes < 1024 || holes < self.index.len() {
            return;
        }
        self.slots.retain(Option::is_some);
        for (i, p) in self.slots.iter().enumerate() {
            if let (Some(p), Ok(i)) = (p, u32::try_from(i))
                && let Some(s) = self.index.get_mut(p.retailer_id().as_str())
            {
                *s = i;
            }
        }
    }
}
