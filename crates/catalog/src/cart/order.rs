//! Sending a cart: the order it becomes.

use wacart_schema::{MessageId, Order, OrderItem};

use super::carts::unindex;
use super::{CartKey, Carts};
use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::money::Currency;
use crate::settings::CommerceSettings;

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

impl Carts {
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
}
