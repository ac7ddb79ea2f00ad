//! The types of a cart: whose it is, its items, and how the customer sees it.

use std::fmt;

use wacart_schema::{CatalogId, MessageId, PhoneNumberId, RetailerId, WaId};

use super::wire::CartWire;
use crate::error::details;
use crate::money::Currency;
use crate::product::Product;

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
    pub(super) key: CartKey,
    /// The catalog of the items, meaningful while there are items.
    pub(super) catalog_id: Option<CatalogId>,
    pub(super) lines: Vec<CartLine>,
    pub(super) notice: bool,
    pub(super) context: Option<MessageId>,
}

impl Cart {
    pub(super) fn new(key: CartKey) -> Self {
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

    pub(super) fn position(&self, retailer_id: &RetailerId) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.retailer_id == *retailer_id)
    }

    /// Empties the cart. The catalog id stays (it means nothing without lines) so that
    /// emptying, which a product change may do to thousands of carts, frees nothing.
    pub(super) fn clear(&mut self) {
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
