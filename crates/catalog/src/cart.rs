//! Carts (spec §5): one per (business number, customer, device), at most 99 units of an item,
//! only purchasable products, emptied into an order when sent.
//!
//! A product change that makes a product non-purchasable reaches exactly the carts that hold
//! it, through an index from product to carts: its cost does not grow with the carts that do
//! not hold it.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use wacart_schema::{
    CatalogId, MaskedPhone, MessageId, Order, OrderItem, PhoneNumberId, RetailerId, WaId,
};

use crate::catalog::{Catalog, CatalogEvent};
use crate::error::{CatalogError, details};
use crate::money::Currency;
use crate::product::{Product, limits};
use crate::settings::CommerceSettings;

/// One of a customer's devices (phone, web, desktop): each has its own cart. Serde: the id
/// as a string.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct DeviceId(String);

impl DeviceId {
    /// Wraps a device name or id.
    pub fn new(value: impl Into<String>) -> Self {
        DeviceId(value.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeviceId").field(&self.0).finish()
    }
}

impl From<&str> for DeviceId {
    fn from(value: &str) -> Self {
        DeviceId(value.to_owned())
    }
}

impl From<String> for DeviceId {
    fn from(value: String) -> Self {
        DeviceId(value)
    }
}

/// Whose cart: the business number, the customer, the device. `Debug` masks the customer's
/// number (it is [`WaId`]'s `Debug`). Serde: `{"number": ..., "customer": ..., "device": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CartKey {
    /// The business number the cart is with.
    pub number: PhoneNumberId,
    /// The customer.
    pub customer: WaId,
    /// The customer's device.
    pub device: DeviceId,
}

impl CartKey {
    /// The cart of `customer` on `device`, with business number `number`.
    pub fn new(
        number: impl Into<PhoneNumberId>,
        customer: impl Into<WaId>,
        device: impl Into<DeviceId>,
    ) -> Self {
        CartKey {
            number: number.into(),
            customer: customer.into(),
            device: device.into(),
        }
    }
}

/// One item of a cart. Serde: `{"retailer_id": ..., "quantity": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CartLine {
    /// The product.
    pub retailer_id: RetailerId,
    /// Units, 1..=99.
    pub quantity: u32,
}

/// A cart as stored: product ids and quantities (details are read from the catalog when the
/// cart is viewed or sent).
///
/// Serde: `{"key": ..., "catalog_id": ..., "lines": [...], "notice": false, "context": ...}`.
/// Deserializing refuses quantities outside 1..=99, a product twice, items without a catalog,
/// and a context without items.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "CartWire")]
pub struct Cart {
    key: CartKey,
    /// The catalog of the items, meaningful while there are items.
    catalog_id: Option<CatalogId>,
    lines: Vec<CartLine>,
    notice: bool,
    context: Option<MessageId>,
}

/// What a [`Cart`] deserializes from: its fields, checked before they make a cart.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CartWire {
    key: CartKey,
    catalog_id: Option<CatalogId>,
    lines: Vec<CartLine>,
    notice: bool,
    context: Option<MessageId>,
}

impl TryFrom<CartWire> for Cart {
    type Error = String;

    fn try_from(w: CartWire) -> Result<Self, Self::Error> {
        let whose = || {
            format!(
                "cart of customer {} on device `{}` with number {}",
                MaskedPhone(w.key.customer.as_str()),
                w.key.device,
                w.key.number
            )
        };
        if !w.lines.is_empty() && w.catalog_id.is_none() {
            return Err(format!("{}: items but no catalog", whose()));
        }
        if w.lines.is_empty() && w.context.is_some() {
            return Err(format!("{}: a context but no items", whose()));
        }
        for (i, line) in w.lines.iter().enumerate() {
            if !(1..=limits::CART_QUANTITY_MAX).contains(&line.quantity) {
                return Err(format!(
                    "{}: quantity {} of `{}` is outside 1..={}",
                    whose(),
                    line.quantity,
                    line.retailer_id,
                    limits::CART_QUANTITY_MAX
                ));
            }
            if w.lines
                .iter()
                .take(i)
                .any(|l| l.retailer_id == line.retailer_id)
            {
                return Err(format!("{}: `{}` twice", whose(), line.retailer_id));
            }
        }
        Ok(Cart {
            key: w.key,
            catalog_id: w.catalog_id,
            lines: w.lines,
            notice: w.notice,
            context: w.context,
        })
    }
}

impl Cart {
    fn new(key: CartKey) -> Self {
        Cart {
            key,
            catalog_id: None,
            lines: Vec::new(),
            notice: false,
            context: None,
        }
    }

    /// Whose cart it is.
    pub fn key(&self) -> &CartKey {
        &self.key
    }

    /// The catalog its items come from (`None` when empty).
    pub fn catalog_id(&self) -> Option<&CatalogId> {
        self.catalog_id.as_ref().filter(|_| !self.lines.is_empty())
    }

    /// The items, in the order they were first added.
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// Units of a product in the cart (0 when absent).
    pub fn quantity_of(&self, retailer_id: &RetailerId) -> u32 {
        self.lines
            .iter()
            .find(|l| l.retailer_id == *retailer_id)
            .map_or(0, |l| l.quantity)
    }

    /// Whether it holds no item.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// "One or more items in your cart have been updated", while a product left the cart and
    /// the customer has not viewed it since.
    pub fn notice(&self) -> Option<&'static str> {
        self.notice.then_some(details::CART_UPDATED_NOTICE)
    }

    /// The product message the cart started from, when known.
    pub fn context(&self) -> Option<&MessageId> {
        self.context.as_ref()
    }

    fn position(&self, retailer_id: &RetailerId) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.retailer_id == *retailer_id)
    }

    /// Empties the cart. The catalog id stays (it means nothing without lines) so that
    /// emptying, which a product change may do to thousands of carts, frees nothing.
    fn clear(&mut self) {
        self.lines.clear();
        self.context = None;
    }
}

/// A cart as the customer sees it: the latest product details, and the notice if an item left.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CartView<'c> {
    /// The items with their products as they are now.
    pub lines: Vec<ViewLine<'c>>,
    /// "One or more items in your cart have been updated", shown once.
    pub notice: Option<&'static str>,
}

impl CartView<'_> {
    /// The sum of the lines at their unit prices (sale price when set), in minor units, and
    /// the currency (`None` for an empty cart). Exact: no rounding, no overflow.
    pub fn total(&self) -> Option<(Currency, u128)> {
        let currency = self.lines.first()?.product.price().currency();
        Some((
            currency,
            self.lines.iter().map(ViewLine::subtotal_minor).sum(),
        ))
    }
}

/// One item of a [`CartView`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ViewLine<'c> {
    /// The product, as it is now.
    pub product: &'c Product,
    /// Units.
    pub quantity: u32,
}

impl ViewLine<'_> {
    /// Units times the unit price, in minor units.
    pub fn subtotal_minor(&self) -> u128 {
        u128::from(self.product.unit_price().minor()) * u128::from(self.quantity)
    }
}

/// A sent cart: the order in exactly the shape of the order webhook, the product message it
/// came from when known, and its exact total. It cannot be changed: it has no setters.
#[derive(Clone, Debug, PartialEq)]
pub struct SentOrder {
    key: CartKey,
    order: Order,
    context: Option<MessageId>,
    currency: Currency,
    total_minor: u128,
}

impl SentOrder {
    /// Whose cart it was.
    pub fn key(&self) -> &CartKey {
        &self.key
    }

    /// The webhook's `order` object: catalog id, text, items with unit price and currency.
    pub fn order(&self) -> &Order {
        &self.order
    }

    /// The product message the cart started from, for the webhook's `context`.
    pub fn context(&self) -> Option<&MessageId> {
        self.context.as_ref()
    }

    /// The currency of every item.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The sum of quantity × unit price over the items, in minor units.
    pub fn total_minor(&self) -> u128 {
        self.total_minor
    }

    /// The order, for the webhook.
    pub fn into_order(self) -> Order {
        self.order
    }
}

/// The carts holding each product, by catalog and retailer id, in cart order.
type Holders = HashMap<CatalogId, HashMap<RetailerId, BTreeSet<usize>>>;

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
    ids: HashMap<CartKey, usize>,
    carts: Vec<Cart>,
    #[serde(skip)]
    holders: Holders,
}

/// What [`Carts`] deserializes from.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CartsWire {
    carts: Vec<Cart>,
}

impl TryFrom<CartsWire> for Carts {
    type Error = String;

    /// The carts, with both indexes rebuilt from them.
    fn try_from(wire: CartsWire) -> Result<Self, Self::Error> {
        let mut ids = HashMap::with_capacity(wire.carts.len());
        let mut holders = Holders::new();
        for (index, cart) in wire.carts.iter().enumerate() {
            if ids.insert(cart.key.clone(), index).is_some() {
                return Err(format!(
                    "two carts of customer {} on device `{}` with number {}",
                    MaskedPhone(cart.key.customer.as_str()),
                    cart.key.device,
                    cart.key.number
                ));
            }
            // A cart with items has a catalog (checked when the cart was read).
            let Some(catalog_id) = &cart.catalog_id else {
                continue;
            };
            for line in &cart.lines {
                holders
                    .entry(catalog_id.clone())
                    .or_default()
                    .entry(line.retailer_id.clone())
                    .or_default()
                    .insert(index);
            }
        }
        Ok(Carts {
            ids,
            carts: wire.carts,
            holders,
        })
    }
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

    /// Sends the cart: the order (unit price = sale price when set, else price), and an empty
    /// cart. Items that cannot be bought any more are left out (and the notice raised).
    ///
    /// # Errors
    /// [`CatalogError::CartDisabled`], or [`CatalogError::EmptyCart`] when nothing can be sent.
    pub fn send(
        &mut self,
        key: &CartKey,
        catalog: &Catalog,
        settings: CommerceSettings,
        text: &str,
    ) -> Result<SentOrder, CatalogError> {
        if !settings.is_cart_enabled {
            return Err(CatalogError::CartDisabled);
        }
        let index = *self.ids.get(key).ok_or(CatalogError::EmptyCart)?;
        self.reconcile(index, catalog);
        let cart = self.carts.get_mut(index).ok_or(CatalogError::EmptyCart)?;
        let mut items = Vec::with_capacity(cart.lines.len());
        let mut total_minor: u128 = 0;
        let mut currency = None;
        for line in &cart.lines {
            let Some(product) = catalog.get(&line.retailer_id) else {
                continue;
            };
            let unit = product.unit_price();
            currency.get_or_insert(unit.currency());
            total_minor += u128::from(unit.minor()) * u128::from(line.quantity);
            items.push(OrderItem::new(
                line.retailer_id.clone(),
                line.quantity,
                unit.to_price(),
                unit.currency().code(),
            ));
        }
        let Some(currency) = currency else {
            return Err(CatalogError::EmptyCart);
        };
        let order = Order::new(catalog.id().clone(), text, items);
        let context = cart.context.take();
        for line in std::mem::take(&mut cart.lines) {
            unindex(&mut self.holders, catalog.id(), &line.retailer_id, index);
        }
        cart.clear();
        Ok(SentOrder {
            key: cart.key.clone(),
            order,
            context,
            currency,
            total_minor,
        })
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
    fn reconcile(&mut self, index: usize, catalog: &Catalog) {
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

fn unindex(holders: &mut Holders, catalog_id: &CatalogId, retailer_id: &RetailerId, index: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::{full_patch, usd};
    use crate::product::{Availability, ProductPatch, Status};

    const CAT: &str = "194836987003835";

    fn catalog() -> Catalog {
        let mut c = Catalog::new(CAT.into());
        c.create("a".into(), &full_patch("A", "10.00")).unwrap();
        c.create(
            "b".into(),
            &full_patch("B", "2.50").sale_price(Some(usd("1.99"))),
        )
        .unwrap();
        c.create(
            "c".into(),
            &full_patch("C", "1").availability(Availability::OutOfStock),
        )
        .unwrap();
        c
    }

    fn key(device: &str) -> CartKey {
        CartKey::new("106540352242922", "16505551234", device)
    }

    fn on() -> CommerceSettings {
        CommerceSettings::default()
    }

    #[test]
    fn set_quantity_bounds_and_removal() {
        let c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 99, None)
            .unwrap();
        assert_eq!(carts.cart(&k).unwrap().quantity_of(&"a".into()), 99);
        let err = carts
            .set_quantity(&k, &c, on(), &"a".into(), 100, None)
            .unwrap_err();
        assert_eq!(err, CatalogError::QuantityOutOfRange(100));
        assert_eq!(
            carts.cart(&k).unwrap().quantity_of(&"a".into()),
            99,
            "unchanged on error"
        );
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 1, None)
            .unwrap();
        assert_eq!(carts.cart(&k).unwrap().quantity_of(&"a".into()), 1);
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 0, None)
            .unwrap();
        assert!(carts.cart(&k).unwrap().is_empty());
        assert_eq!(carts.cart(&k).unwrap().catalog_id(), None);
        assert_eq!(carts.holders(&CAT.into(), &"a".into()), 0);
    }

    #[test]
    fn only_known_purchasable_products() {
        let mut c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        let err = carts
            .set_quantity(&k, &c, on(), &"zz".into(), 1, None)
            .unwrap_err();
        assert_eq!(err, CatalogError::ProductsNotFound(vec!["zz".into()]));
        let err = carts
            .set_quantity(&k, &c, on(), &"c".into(), 1, None)
            .unwrap_err();
        assert_eq!(err, CatalogError::NotPurchasable("c".into()));
        c.update(&"a".into(), &ProductPatch::new().status(Status::Archived))
            .unwrap();
        let err = carts
            .set_quantity(&k, &c, on(), &"a".into(), 1, None)
            .unwrap_err();
        assert_eq!(err, CatalogError::NotPurchasable("a".into()));
        c.update(
            &"c".into(),
            &ProductPatch::new().availability(Availability::Preorder),
        )
        .unwrap();
        carts
            .set_quantity(&k, &c, on(), &"c".into(), 1, None)
            .unwrap();
        assert!(carts.cart(&k).is_some());
    }

    #[test]
    fn disabled_cart_refuses_adding_and_sending_but_allows_removing() {
        let c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 2, None)
            .unwrap();
        let off = CommerceSettings::new(false, true);
        let err = carts
            .set_quantity(&k, &c, off, &"b".into(), 1, None)
            .unwrap_err();
        assert_eq!(err, CatalogError::CartDisabled);
        assert_eq!(
            err.to_graph_error("t").details(),
            Some("Cart is disabled for this phone number")
        );
        assert_eq!(carts.send(&k, &c, off, ""), Err(CatalogError::CartDisabled));
        carts
            .set_quantity(&k, &c, off, &"a".into(), 0, None)
            .unwrap();
        assert!(carts.cart(&k).unwrap().is_empty());
    }

    #[test]
    fn one_cart_per_number_customer_and_device() {
        let c = catalog();
        let mut carts = Carts::new();
        let phone = key("phone");
        let web = key("web");
        let other_customer = CartKey::new("106540352242922", "447700900123", "phone");
        let other_number = CartKey::new("999", "16505551234", "phone");
        carts
            .set_quantity(&phone, &c, on(), &"a".into(), 1, None)
            .unwrap();
        carts
            .set_quantity(&web, &c, on(), &"a".into(), 2, None)
            .unwrap();
        carts
            .set_quantity(&other_customer, &c, on(), &"a".into(), 3, None)
            .unwrap();
        carts
            .set_quantity(&other_number, &c, on(), &"a".into(), 4, None)
            .unwrap();
        assert_eq!(carts.len(), 4);
        for (k, q) in [
            (&phone, 1),
            (&web, 2),
            (&other_customer, 3),
            (&other_number, 4),
        ] {
            assert_eq!(carts.cart(k).unwrap().quantity_of(&"a".into()), q);
        }
        carts.send(&phone, &c, on(), "").unwrap();
        assert_eq!(carts.cart(&web).unwrap().quantity_of(&"a".into()), 2);
        assert_eq!(carts.holders(&CAT.into(), &"a".into()), 3);
    }

    #[test]
    fn sending_yields_the_order_webhook_shape_and_empties_the_cart() {
        let c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        let msg = MessageId::new("wamid.SPM1");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 2, Some(&msg))
            .unwrap();
        carts
            .set_quantity(
                &k,
                &c,
                on(),
                &"b".into(),
                3,
                Some(&MessageId::new("wamid.OTHER")),
            )
            .unwrap();
        let sent = carts
            .send(&k, &c, on(), "Please deliver after 6pm")
            .unwrap();
        assert_eq!(
            sent.context(),
            Some(&msg),
            "the message the cart started from"
        );
        assert_eq!(sent.key(), &k);
        let json = serde_json_like(sent.order());
        assert_eq!(
            json,
            "catalog_id=194836987003835 text=Please deliver after 6pm items=[a x2 @10 USD, b x3 @1.99 USD]"
        );
        assert_eq!(sent.total_minor(), 2 * 1000 + 3 * 199);
        assert_eq!(sent.currency().code(), "USD");
        assert!(carts.cart(&k).unwrap().is_empty());
        assert_eq!(carts.cart(&k).unwrap().context(), None);
        assert_eq!(carts.send(&k, &c, on(), ""), Err(CatalogError::EmptyCart));
        assert_eq!(
            carts.send(&key("never"), &c, on(), ""),
            Err(CatalogError::EmptyCart)
        );
        assert_eq!(carts.holders(&CAT.into(), &"a".into()), 0);
    }

    fn serde_json_like(order: &Order) -> String {
        let items: Vec<String> = order
            .product_items
            .iter()
            .map(|i| {
                format!(
                    "{} x{} @{} {}",
                    i.product_retailer_id, i.quantity, i.item_price, i.currency
                )
            })
            .collect();
        format!(
            "catalog_id={} text={} items=[{}]",
            order.catalog_id,
            order.text.as_deref().unwrap_or(""),
            items.join(", ")
        )
    }

    #[test]
    fn a_change_to_non_purchasable_leaves_every_cart_holding_it_with_a_notice() {
        let mut c = catalog();
        let mut carts = Carts::new();
        let (k1, k2, k3) = (key("phone"), key("web"), CartKey::new("1", "2", "3"));
        carts
            .set_quantity(&k1, &c, on(), &"a".into(), 1, None)
            .unwrap();
        carts
            .set_quantity(&k1, &c, on(), &"b".into(), 1, None)
            .unwrap();
        carts
            .set_quantity(&k2, &c, on(), &"a".into(), 5, None)
            .unwrap();
        carts
            .set_quantity(&k3, &c, on(), &"b".into(), 1, None)
            .unwrap();
        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().availability(Availability::Discontinued),
            )
            .unwrap()
            .unwrap();
        let changed = carts.apply_event(&ev);
        let keys: Vec<_> = changed
            .iter()
            .map(|id| carts.key(*id).unwrap().clone())
            .collect();
        assert_eq!(keys, vec![k1.clone(), k2.clone()]);
        assert_eq!(carts.id(&k1), Some(changed[0]));
        assert_eq!(carts.cart(&k1).unwrap().lines().len(), 1);
        assert!(carts.cart(&k2).unwrap().is_empty());
        assert_eq!(
            carts.cart(&k3).unwrap().notice(),
            None,
            "a cart without it is untouched"
        );
        assert_eq!(
            carts.cart(&k1).unwrap().notice(),
            Some(details::CART_UPDATED_NOTICE)
        );
        let view = carts.view(&k1, &c);
        assert_eq!(
            view.notice,
            Some("One or more items in your cart have been updated")
        );
        assert_eq!(view.lines.len(), 1);
        assert_eq!(carts.view(&k1, &c).notice, None, "cleared once viewed");
        assert_eq!(
            carts.cart(&k2).unwrap().notice(),
            Some(details::CART_UPDATED_NOTICE)
        );
        // Applying it again finds nobody.
        assert!(carts.apply_event(&ev).is_empty());
        // Deletion too.
        let ev = c.delete(&"b".into()).unwrap();
        let changed = carts.apply_event(&ev);
        let keys: Vec<_> = changed
            .iter()
            .map(|id| carts.key(*id).unwrap().clone())
            .collect();
        assert_eq!(keys, vec![k1.clone(), k3.clone()]);
    }

    #[test]
    fn details_changes_show_at_once() {
        let mut c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 2, None)
            .unwrap();
        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().title("A, now blue").price(usd("12")),
            )
            .unwrap()
            .unwrap();
        assert!(carts.apply_event(&ev).is_empty());
        let view = carts.view(&k, &c);
        assert_eq!(view.notice, None);
        assert_eq!(view.lines[0].product.title(), "A, now blue");
        assert_eq!(view.total(), Some((usd("1").currency(), 2400)));
        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().sale_price(Some(usd("11.5"))),
            )
            .unwrap();
        assert!(ev.is_some());
        let sent = carts.send(&k, &c, on(), "").unwrap();
        assert_eq!(sent.order().product_items[0].item_price.to_string(), "11.5");
        assert_eq!(sent.total_minor(), 2300);
    }

    #[test]
    fn stale_items_are_caught_even_without_the_event() {
        let mut c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 2, None)
            .unwrap();
        carts
            .set_quantity(&k, &c, on(), &"b".into(), 1, None)
            .unwrap();
        c.update(
            &"a".into(),
            &ProductPatch::new().availability(Availability::OutOfStock),
        )
        .unwrap();
        let sent = carts.send(&k, &c, on(), "").unwrap();
        assert_eq!(sent.order().product_items.len(), 1);
        assert_eq!(sent.order().product_items[0].product_retailer_id, "b");
        assert_eq!(
            carts.cart(&k).unwrap().notice(),
            Some(details::CART_UPDATED_NOTICE)
        );
        carts
            .set_quantity(&k, &c, on(), &"b".into(), 1, None)
            .unwrap();
        c.delete(&"b".into()).unwrap();
        assert_eq!(carts.send(&k, &c, on(), ""), Err(CatalogError::EmptyCart));
        assert_eq!(carts.holders(&CAT.into(), &"b".into()), 0);
    }

    #[test]
    fn a_cart_holds_one_catalog() {
        let c = catalog();
        let mut other = Catalog::new("777".into());
        other.create("a".into(), &full_patch("A", "1")).unwrap();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 1, None)
            .unwrap();
        let err = carts
            .set_quantity(&k, &other, on(), &"a".into(), 1, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the cart holds products of catalog 194836987003835, not of catalog 777"
        );
        // Viewed against another catalog (the number was relinked), its items are gone.
        let view = carts.view(&k, &other);
        assert!(view.lines.is_empty());
        assert!(view.notice.is_some());
        carts
            .set_quantity(&k, &other, on(), &"a".into(), 1, None)
            .unwrap();
        assert_eq!(carts.cart(&k).unwrap().catalog_id().unwrap(), "777");
    }

    #[test]
    fn context_is_kept_only_from_the_first_item() {
        let c = catalog();
        let mut carts = Carts::new();
        let k = key("phone");
        carts
            .set_quantity(&k, &c, on(), &"a".into(), 1, None)
            .unwrap();
        carts
            .set_quantity(&k, &c, on(), &"b".into(), 1, Some(&"wamid.X".into()))
            .unwrap();
        assert_eq!(carts.send(&k, &c, on(), "").unwrap().context(), None);
    }

    fn round_trip(carts: &Carts) -> Carts {
        serde_json::from_str(&serde_json::to_string(carts).unwrap()).unwrap()
    }

    /// Every observable of every cart, and how many carts hold each product.
    fn state(carts: &Carts, keys: &[CartKey]) -> Vec<(Option<CartId>, Option<Cart>, Vec<usize>)> {
        keys.iter()
            .map(|k| {
                let held = ["a", "b", "c"]
                    .iter()
                    .map(|p| carts.holders(&CAT.into(), &(*p).into()))
                    .collect();
                (carts.id(k), carts.cart(k).cloned(), held)
            })
            .collect()
    }

    #[test]
    fn serde_round_trip_rebuilds_both_indexes() {
        let mut c = catalog();
        let mut carts = Carts::new();
        let keys = [
            key("phone"),
            key("web"),
            CartKey::new("106540352242922", "447700900123", "phone"),
            CartKey::new("999", "16505551234", "phone"),
            key("desktop"),
        ];
        let msg = MessageId::new("wamid.SPM1");
        for (k, items) in keys.iter().zip([
            &[("a", 2), ("b", 1)][..],
            &[("b", 3)],
            &[("a", 1)],
            &[("b", 99), ("a", 4)],
            &[("a", 1)],
        ]) {
            for (p, q) in items {
                carts
                    .set_quantity(k, &c, on(), &(*p).into(), *q, Some(&msg))
                    .unwrap();
            }
        }
        // A sent (empty) cart, and one that got the notice.
        carts.send(&keys[4], &c, on(), "").unwrap();
        let ev = c.delete(&"b".into()).unwrap();
        assert_eq!(carts.apply_event(&ev).len(), 3);
        assert!(carts.cart(&keys[1]).unwrap().is_empty());
        assert!(carts.cart(&keys[0]).unwrap().notice().is_some());
        assert_eq!(carts.cart(&keys[0]).unwrap().context(), Some(&msg));
        let mut all = keys.to_vec();
        all.push(key("never"));

        let json = serde_json::to_string(&carts).unwrap();
        assert!(json.starts_with(r#"{"carts":[{"key":{"number":"106540352242922","customer":"16505551234","device":"phone"},"catalog_id":"194836987003835","lines":[{"retailer_id":"a","quantity":2}],"notice":true,"context":"wamid.SPM1"}"#), "{json}");
        let mut back = round_trip(&carts);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.len(), carts.len());
        assert_eq!(state(&back, &all), state(&carts, &all));

        // "a" sells out: the same carts empty, in the same order, as in the original.
        let ev = c
            .update(
                &"a".into(),
                &ProductPatch::new().availability(Availability::OutOfStock),
            )
            .unwrap()
            .unwrap();
        let changed = carts.apply_event(&ev);
        assert_eq!(changed.len(), 3);
        assert_eq!(back.apply_event(&ev), changed);
        assert_eq!(state(&back, &all), state(&carts, &all));
        for k in &all {
            assert_eq!(back.view(k, &c), carts.view(k, &c));
        }
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(&carts).unwrap()
        );
    }

    #[test]
    fn serde_refuses_inconsistent_carts() {
        let c = catalog();
        let mut carts = Carts::new();
        carts
            .set_quantity(
                &key("phone"),
                &c,
                on(),
                &"a".into(),
                2,
                Some(&"wamid.X".into()),
            )
            .unwrap();
        let json = serde_json::to_value(&carts).unwrap();
        let cart = json["carts"][0].clone();
        let broken = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut cart = cart.clone();
            change(&mut cart);
            let v = serde_json::json!({ "carts": [cart] });
            serde_json::from_value::<Carts>(v).unwrap_err().to_string()
        };
        let whose = "cart of customer *******1234 on device `phone` with number 106540352242922";
        assert_eq!(
            broken(&|c| c["lines"][0]["quantity"] = 0.into()),
            format!("{whose}: quantity 0 of `a` is outside 1..=99")
        );
        assert_eq!(
            broken(&|c| c["lines"][0]["quantity"] = 100.into()),
            format!("{whose}: quantity 100 of `a` is outside 1..=99")
        );
        assert_eq!(
            broken(&|c| {
                let line = c["lines"][0].clone();
                c["lines"].as_array_mut().unwrap().push(line);
            }),
            format!("{whose}: `a` twice")
        );
        assert_eq!(
            broken(&|c| c["catalog_id"] = serde_json::Value::Null),
            format!("{whose}: items but no catalog")
        );
        assert_eq!(
            broken(&|c| c["lines"] = serde_json::json!([])),
            format!("{whose}: a context but no items")
        );
        let v = serde_json::json!({ "carts": [cart.clone(), cart.clone()] });
        assert_eq!(
            serde_json::from_value::<Carts>(v).unwrap_err().to_string(),
            "two carts of customer *******1234 on device `phone` with number 106540352242922"
        );
        let v = serde_json::json!({ "carts": [cart], "holders": {} });
        assert!(serde_json::from_value::<Carts>(v).is_err());
    }

    #[test]
    fn cart_keys_mask_the_customer_in_debug() {
        let shown = format!("{:?}", key("phone"));
        assert!(!shown.contains("16505551234"), "{shown}");
        assert!(shown.contains("1234"));
    }
}
