//! A catalog: products by retailer id, changed one at a time or in `items_batch` batches, each
//! change reported as a [`CatalogEvent`].

use std::collections::HashMap;

use wacart_schema::{CatalogId, RetailerId};

use crate::error::CatalogError;
use crate::money::Currency;
use crate::product::{Changed, Field, Product, ProductPatch, field};

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

/// The method of one `items_batch` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `CREATE`: a new product; every required field given.
    Create,
    /// `UPDATE`: only the fields given change.
    Update,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// Reads `CREATE`, `UPDATE` or `DELETE` (case-insensitive).
    ///
    /// # Errors
    /// [`CatalogError::UnknownMethod`] otherwise.
    pub fn parse(method: &str) -> Result<Method, CatalogError> {
        match method.trim().to_ascii_uppercase().as_str() {
            "CREATE" => Ok(Method::Create),
            "UPDATE" => Ok(Method::Update),
            "DELETE" => Ok(Method::Delete),
            _ => Err(CatalogError::UnknownMethod(method.to_owned())),
        }
    }
}

/// One request of a batch (Meta's `items_batch`: `{"method": ..., "data": {"id": ..., ...}}`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchRequest {
    /// What to do.
    pub method: Method,
    /// The product.
    pub retailer_id: RetailerId,
    /// The fields given (ignored by `DELETE`).
    pub patch: ProductPatch,
}

impl BatchRequest {
    /// Create a product with these fields.
    pub fn create(retailer_id: impl Into<RetailerId>, patch: ProductPatch) -> Self {
        BatchRequest {
            method: Method::Create,
            retailer_id: retailer_id.into(),
            patch,
        }
    }

    /// Change these fields of a product.
    pub fn update(retailer_id: impl Into<RetailerId>, patch: ProductPatch) -> Self {
        BatchRequest {
            method: Method::Update,
            retailer_id: retailer_id.into(),
            patch,
        }
    }

    /// Delete a product.
    pub fn delete(retailer_id: impl Into<RetailerId>) -> Self {
        BatchRequest {
            method: Method::Delete,
            retailer_id: retailer_id.into(),
            patch: ProductPatch::default(),
        }
    }

    /// A request from its wire form: the method and the `data` object's fields as feed text
    /// (`"price": "9.99 USD"`). `id` is required; fields this crate does not read are ignored.
    ///
    /// ```
    /// use wacart_catalog::{BatchRequest, Method};
    /// let req = BatchRequest::from_fields("UPDATE", [("id", "sku-1"), ("price", "8.99 USD")]).unwrap();
    /// assert_eq!(req.method, Method::Update);
    /// assert_eq!(req.retailer_id, "sku-1");
    /// ```
    ///
    /// # Errors
    /// [`CatalogError::UnknownMethod`], or [`CatalogError::InvalidField`] for a missing `id` or
    /// a field that breaks its rule.
    pub fn from_fields<'a, I>(method: &str, fields: I) -> Result<BatchRequest, CatalogError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let method = Method::parse(method)?;
        let mut id = None;
        let mut patch = ProductPatch::default();
        for (name, value) in fields {
            if Field::from_name(name) == Some(Field::Id) {
                id = Some(RetailerId::new(value));
            } else {
                patch.set_field(name, value)?;
            }
        }
        let retailer_id = id.ok_or_else(|| CatalogError::field(field::ID, "required"))?;
        Ok(BatchRequest {
            method,
            retailer_id,
            patch,
        })
    }
}

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
    pinned: Option<Currency>,
    /// Products in insertion order; `None` where one was deleted (compacted from time to time).
    pub(crate) slots: Vec<Option<Product>>,
    /// Slot of each retailer id.
    pub(crate) index: HashMap<Box<str>, u32>,
}

/// Every product of a catalog, serialized in order as one sequence, without copying them.
struct ProductsRef<'a>(&'a [Option<Product>]);

impl serde::Serialize for ProductsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flatten())
    }
}

/// A catalog as it is serialized, borrowed from it.
#[derive(serde::Serialize)]
struct CatalogRef<'a> {
    id: &'a CatalogId,
    pinned_currency: Option<Currency>,
    products: ProductsRef<'a>,
}

impl serde::Serialize for Catalog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CatalogRef {
            id: &self.id,
            pinned_currency: self.pinned,
            products: ProductsRef(&self.slots),
        }
        .serialize(serializer)
    }
}

/// What a [`Catalog`] deserializes from: the fields of [`CatalogRef`], owned.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogWire {
    id: CatalogId,
    pinned_currency: Option<Currency>,
    products: Vec<Product>,
}

impl TryFrom<CatalogWire> for Catalog {
    type Error = String;

    /// The catalog with these products in this order, its index rebuilt; its currency is the
    /// pinned one, else the products'.
    fn try_from(wire: CatalogWire) -> Result<Self, Self::Error> {
        let mut catalog = match wire.pinned_currency {
            Some(currency) => Catalog::with_currency(wire.id, currency),
            None => Catalog::new(wire.id),
        };
        catalog.slots.reserve_exact(wire.products.len());
        catalog.index.reserve(wire.products.len());
        for product in wire.products {
            if catalog.contains(product.retailer_id()) {
                return Err(format!(
                    "catalog {}: retailer id `{}` twice",
                    catalog.id,
                    product.retailer_id()
                ));
            }
            catalog.check_currency(&product).map_err(|e| {
                format!(
                    "catalog {}: product `{}`: {e}",
                    catalog.id,
                    product.retailer_id()
                )
            })?;
            catalog
                .insert(product)
                .map_err(|e| format!("catalog {}: {e}", catalog.id))?;
        }
        Ok(catalog)
    }
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

    fn check_currency(&self, product: &Product) -> Result<(), CatalogError> {
        let found = product.price().currency();
        match self.currency {
            Some(expected) if expected != found => {
                Err(CatalogError::CurrencyMismatch { expected, found })
            }
            _ => Ok(()),
        }
    }

    /// Adds a product whose id is not in the catalog yet; returns its slot.
    fn insert(&mut self, product: Product) -> Result<usize, CatalogError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::{full_patch, usd};
    use crate::product::{Availability, Status};

    fn catalog() -> Catalog {
        Catalog::new(CatalogId::new("1"))
    }

    #[test]
    fn create_get_and_order() {
        let mut c = catalog();
        for id in ["b", "a", "c"] {
            let ev = c.create(RetailerId::new(id), &full_patch(id, "1")).unwrap();
            assert_eq!(ev.change, Change::Created { purchasable: true });
            assert_eq!(ev.catalog_id, "1");
            assert_eq!(ev.purchasability_changed(), Some(true));
            assert!(!ev.removes_from_carts());
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&"a".into()).unwrap().title(), "a");
        assert!(
            c.get(&"A".into()).is_none(),
            "retailer ids are case-sensitive"
        );
        let order: Vec<_> = c.products().map(|p| p.retailer_id().as_str()).collect();
        assert_eq!(order, ["b", "a", "c"]);
        assert_eq!(c.first().unwrap().retailer_id(), "b");
        assert_eq!(c.currency(), Currency::from_code("USD"));
        let err = c
            .create(RetailerId::new("a"), &full_patch("a", "1"))
            .unwrap_err();
        assert_eq!(err, CatalogError::ProductExists("a".into()));
    }

    #[test]
    fn one_currency_per_catalog() {
        let mut c = catalog();
        c.create("a".into(), &full_patch("a", "1")).unwrap();
        let eur = full_patch("b", "1").price("1 EUR".parse().unwrap());
        let err = c.create("b".into(), &eur).unwrap_err();
        assert_eq!(
            err.to_string(),
            "price in EUR, but the catalog's currency is USD"
        );
        let err = c.update(
            &"a".into(),
            &ProductPatch::new().price("1 EUR".parse().unwrap()),
        );
        assert!(matches!(err, Err(CatalogError::CurrencyMismatch { .. })));
        let jpy = Currency::from_code("JPY").unwrap();
        let mut pinned = Catalog::with_currency("2".into(), jpy);
        assert!(pinned.create("a".into(), &full_patch("a", "1")).is_err());
        let yen = full_patch("b", "1").price("1500 JPY".parse().unwrap());
        pinned.create("b".into(), &yen).unwrap();
        pinned.delete(&"b".into()).unwrap();
        assert_eq!(
            pinned.currency(),
            Some(jpy),
            "a pinned currency stays when emptied"
        );
    }

    #[test]
    fn updates_are_partial_and_report_what_changed() {
        let mut c = catalog();
        c.create("a".into(), &full_patch("a", "10")).unwrap();
        let ev = c
            .update(&"a".into(), &ProductPatch::new().price(usd("9")))
            .unwrap()
            .unwrap();
        assert!(ev.details_changed());
        assert_eq!(ev.purchasability_changed(), None);
        assert!(!ev.removes_from_carts());
        let Change::Updated { changed, .. } = ev.change else {
            panic!()
        };
        assert_eq!(
            changed,
            Changed {
                price: true,
                ..Changed::default()
            }
        );
        assert_eq!(c.get(&"a".into()).unwrap().title(), "a");
        assert_eq!(
            c.update(&"a".into(), &ProductPatch::new().price(usd("9"))),
            Ok(None)
        );

        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().availability(Availability::OutOfStock),
            )
            .unwrap()
            .unwrap();
        assert!(!ev.details_changed());
        assert_eq!(ev.purchasability_changed(), Some(false));
        assert!(ev.removes_from_carts());
        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().availability(Availability::Preorder),
            )
            .unwrap()
            .unwrap();
        assert_eq!(ev.purchasability_changed(), Some(true));
        let ev = c
            .update(&"a".into(), &ProductPatch::new().status(Status::Archived))
            .unwrap()
            .unwrap();
        assert_eq!(ev.purchasability_changed(), Some(false));
        let err = c
            .update(&"zz".into(), &ProductPatch::new().title("x"))
            .unwrap_err();
        assert_eq!(err, CatalogError::ProductsNotFound(vec!["zz".into()]));
    }

    #[test]
    fn delete_and_recreate() {
        let mut c = catalog();
        c.create("a".into(), &full_patch("a", "10")).unwrap();
        c.create("b".into(), &full_patch("b", "10")).unwrap();
        let ev = c.delete(&"a".into()).unwrap();
        assert_eq!(
            ev.change,
            Change::Deleted {
                was_purchasable: true
            }
        );
        assert!(ev.removes_from_carts());
        assert_eq!(ev.purchasability_changed(), Some(false));
        assert!(c.get(&"a".into()).is_none());
        assert_eq!(
            c.delete(&"a".into()),
            Err(CatalogError::ProductsNotFound(vec!["a".into()]))
        );
        c.create("a".into(), &full_patch("a2", "10")).unwrap();
        let order: Vec<_> = c.products().map(|p| p.title()).collect();
        assert_eq!(order, ["b", "a2"]);
    }

    #[test]
    fn deleting_many_compacts_and_keeps_order_and_lookups() {
        let mut c = catalog();
        for i in 0..5000 {
            c.create(format!("p{i}").into(), &full_patch("t", "1"))
                .unwrap();
        }
        for i in (0..5000).filter(|i| i % 5 != 0) {
            c.delete(&format!("p{i}").into()).unwrap();
        }
        assert!(c.slot_count() < 5000, "compacted");
        assert_eq!(c.len(), 1000);
        let ids: Vec<_> = c.products().map(|p| p.retailer_id().to_string()).collect();
        let expected: Vec<_> = (0..5000)
            .filter(|i| i % 5 == 0)
            .map(|i| format!("p{i}"))
            .collect();
        assert_eq!(ids, expected);
        for id in &expected {
            assert_eq!(c.get_str(id).unwrap().retailer_id(), id.as_str());
        }
        for id in expected {
            c.delete(&id.into()).unwrap();
        }
        assert!(c.is_empty());
        assert_eq!(
            c.currency(),
            None,
            "an emptied catalog takes a new currency"
        );
    }

    #[test]
    fn a_bad_request_does_not_sink_the_batch() {
        let mut c = catalog();
        let results = c.apply_batch([
            BatchRequest::create("a", full_patch("a", "1")),
            BatchRequest::create("b", full_patch("", "1")),
            BatchRequest::create("a", full_patch("a", "1")),
            BatchRequest::update("a", ProductPatch::new().title("A")),
            BatchRequest::delete("nope"),
            BatchRequest::create("c", full_patch("c", "2")),
            BatchRequest::delete("c"),
        ]);
        assert_eq!(results.len(), 7);
        assert!(
            matches!(&results[0], Ok(Some(e)) if e.change == Change::Created { purchasable: true })
        );
        assert_eq!(results[1], Err(CatalogError::field("title", "required")));
        assert_eq!(results[2], Err(CatalogError::ProductExists("a".into())));
        assert!(matches!(&results[3], Ok(Some(e)) if e.details_changed()));
        assert_eq!(
            results[4],
            Err(CatalogError::ProductsNotFound(vec!["nope".into()]))
        );
        assert!(results[5].is_ok() && results[6].is_ok());
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(&"a".into()).unwrap().title(), "A");
    }

    fn round_trip(c: &Catalog) -> Catalog {
        serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap()
    }

    fn ids(c: &Catalog) -> Vec<String> {
        c.products().map(|p| p.retailer_id().to_string()).collect()
    }

    #[test]
    fn serde_round_trip_keeps_products_order_and_lookups() {
        let mut c = catalog();
        let availabilities = [
            Availability::InStock,
            Availability::OutOfStock,
            Availability::Preorder,
            Availability::AvailableForOrder,
            Availability::Discontinued,
            Availability::Unknown("back in May".into()),
        ];
        for (i, a) in availabilities.iter().enumerate() {
            let id = format!("p{i}");
            let patch = full_patch(&id, "10").availability(a.clone());
            c.create(id.into(), &patch).unwrap();
        }
        c.create("gone".into(), &full_patch("gone", "1")).unwrap();
        let on_sale = full_patch("s", "10")
            .sale_price(Some(usd("7.5")))
            .brand(Some("Acme".into()))
            .item_group_id(Some("g".into()))
            .quantity_to_sell(Some(3))
            .status(Status::Archived);
        c.create("sale".into(), &on_sale).unwrap();
        c.delete(&"gone".into()).unwrap();
        c.delete(&"p2".into()).unwrap();
        assert!(c.slot_count() > c.len(), "the catalog has holes");

        let json = serde_json::to_string(&c).unwrap();
        let written = serde_json::to_value(&c).unwrap()["products"].clone();
        assert_eq!(
            written.as_array().map(Vec::len),
            Some(6),
            "holes are not written: {json}"
        );
        let mut back = round_trip(&c);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.id(), c.id());
        assert_eq!(back.len(), c.len());
        assert_eq!(back.currency(), c.currency());
        assert_eq!(ids(&back), ids(&c));
        assert_eq!(ids(&back), ["p0", "p1", "p3", "p4", "p5", "sale"]);
        for p in c.products() {
            assert_eq!(back.get(p.retailer_id()), Some(p));
        }
        assert_eq!(
            back.get(&"sale".into()).unwrap().sale_price(),
            Some(usd("7.5"))
        );
        assert!(back.get(&"gone".into()).is_none());
        assert_eq!(
            back.get(&"p5".into()).unwrap().availability(),
            &Availability::Unknown("back in May".into())
        );

        // The two go on alike.
        let patch = ProductPatch::new().availability(Availability::OutOfStock);
        assert_eq!(
            back.update(&"p0".into(), &patch),
            c.update(&"p0".into(), &patch)
        );
        assert_eq!(back.delete(&"p3".into()), c.delete(&"p3".into()));
        assert_eq!(back.delete(&"gone".into()), c.delete(&"gone".into()));
        let err = back.create("p1".into(), &full_patch("x", "1")).unwrap_err();
        assert_eq!(err, CatalogError::ProductExists("p1".into()));
        let eur = full_patch("e", "1").price("1 EUR".parse().unwrap());
        assert_eq!(back.create("e".into(), &eur), c.create("e".into(), &eur));
        assert_eq!(
            back.create("p2".into(), &full_patch("x", "1")),
            c.create("p2".into(), &full_patch("x", "1"))
        );
        assert_eq!(ids(&back), ids(&c));
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
    }

    #[test]
    fn serde_writes_the_primary_data_only() {
        let mut c = catalog();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"id":"1","pinned_currency":null,"products":[]}"#
        );
        c.create("a".into(), &full_patch("A", "2")).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["products"][0]["retailer_id"], "a");
        assert_eq!(json.as_object().unwrap().len(), 3);
        // An emptied unpinned catalog takes a new currency after the round trip too.
        c.delete(&"a".into()).unwrap();
        let mut back = round_trip(&c);
        assert_eq!(back.currency(), None);
        let eur = full_patch("e", "1").price("1 EUR".parse().unwrap());
        back.create("e".into(), &eur).unwrap();
        assert_eq!(back.currency(), Currency::from_code("EUR"));
    }

    #[test]
    fn serde_keeps_a_pinned_currency() {
        let jpy = Currency::from_code("JPY").unwrap();
        let mut c = Catalog::with_currency("2".into(), jpy);
        let back = round_trip(&c);
        assert_eq!(back.currency(), Some(jpy));
        let yen = full_patch("y", "1").price("1500 JPY".parse().unwrap());
        c.create("y".into(), &yen).unwrap();
        let mut back = round_trip(&c);
        assert_eq!(
            serde_json::to_value(&back).unwrap()["pinned_currency"],
            "JPY"
        );
        assert!(back.create("u".into(), &full_patch("u", "1")).is_err());
        back.delete(&"y".into()).unwrap();
        assert_eq!(back.currency(), Some(jpy), "still pinned once emptied");
    }

    #[test]
    fn serde_refuses_an_inconsistent_catalog() {
        let mut c = catalog();
        c.create("a".into(), &full_patch("A", "2")).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        let product = json["products"][0].clone();
        let mut eur = product.clone();
        eur["retailer_id"] = "b".into();
        eur["price"]["currency"] = "EUR".into();
        for (products, pinned, shown) in [
            (
                vec![product.clone(), product.clone()],
                serde_json::Value::Null,
                "catalog 1: retailer id `a` twice",
            ),
            (
                vec![product.clone(), eur],
                serde_json::Value::Null,
                "catalog 1: product `b`: price in EUR, but the catalog's currency is USD",
            ),
            (
                vec![product.clone()],
                "JPY".into(),
                "catalog 1: product `a`: price in USD, but the catalog's currency is JPY",
            ),
        ] {
            let v = serde_json::json!({"id": "1", "pinned_currency": pinned, "products": products});
            let err = serde_json::from_value::<Catalog>(v).unwrap_err();
            assert_eq!(err.to_string(), shown);
        }
        let v =
            serde_json::json!({"id": "1", "pinned_currency": null, "products": [], "index": {}});
        assert!(
            serde_json::from_value::<Catalog>(v).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn batch_requests_from_wire_fields() {
        let req = BatchRequest::from_fields(
            "create",
            [
                ("id", "sku"),
                ("title", "T"),
                ("description", "D"),
                ("availability", "in stock"),
                ("condition", "new"),
                ("price", "3.50 USD"),
                ("link", "https://a/b"),
                ("image_link", "https://a/b.png"),
                ("gtin", "123"),
            ],
        )
        .unwrap();
        let mut c = catalog();
        assert!(c.apply_batch([req])[0].is_ok());
        assert_eq!(c.get(&"sku".into()).unwrap().price(), usd("3.50"));
        let err = BatchRequest::from_fields("PATCH", [("id", "x")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown batch method `PATCH` (CREATE, UPDATE or DELETE)"
        );
        let err = BatchRequest::from_fields("DELETE", [("title", "x")]).unwrap_err();
        assert_eq!(err.to_string(), "id: required");
        let err = BatchRequest::from_fields("UPDATE", [("id", "x"), ("price", "1")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "price: `1`: expected an amount and an ISO 4217 code, like `9.99 USD`"
        );
    }
}
