//! Carts: the customer's taps on a device (set, add, view), and sending the cart as an order.

use serde::{Deserialize, Serialize};
use wacart_catalog::{CartKey, Product};
use wacart_schema::{InboundContent, MessageContext, MessageId, PhoneNumberId, RetailerId, WaId};

use super::op::Op;
use super::state::{State, linked_catalog};
use super::{Ack, EngineError, Sandbox};

/// A cart as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CartSnapshot {
    /// Lines with current details.
    pub items: Vec<CartItemView>,
    /// Sum of the lines (`12.99`), in `currency`.
    pub total: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// "One or more items in your cart have been updated", shown once.
    pub notice: Option<&'static str>,
}

/// A cart line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CartItemView {
    /// Retailer id.
    pub retailer_id: RetailerId,
    /// Title now.
    pub title: String,
    /// Units.
    pub quantity: u32,
    /// Unit price now (sale price when set).
    pub unit_price: String,
}

/// Sets a cart line's quantity (0 removes it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetCartItem {
    wa_id: WaId,
    device: String,
    number: PhoneNumberId,
    retailer_id: RetailerId,
    quantity: u32,
    from: Option<MessageId>,
    /// `from` is no longer in memory and was found in this thread's history.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    from_history: bool,
}

impl Op for SetCartItem {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let key = state.cart_key(&self.wa_id, &self.device, &self.number)?;
        // The product message it was added from must be in this customer's thread with this
        // number: in memory, or found in history when the command was made.
        if let Some(m) = &self.from {
            let in_thread = self.from_history
                || state
                    .messages
                    .get(m)
                    .is_some_and(|(k, _)| k.0 == self.number && k.1 == self.wa_id);
            if !in_thread {
                return Err(EngineError::UnknownMessage(m.clone()));
            }
        }
        set_quantity(
            state,
            &key,
            &self.number,
            &self.retailer_id,
            self.quantity,
            self.from.as_ref(),
        )
    }
}

/// Sets the quantity of a line of the cart `key` (of `number`), under the cart rules.
fn set_quantity(
    state: &mut State,
    key: &CartKey,
    number: &PhoneNumberId,
    retailer_id: &RetailerId,
    quantity: u32,
    from: Option<&MessageId>,
) -> Result<(), EngineError> {
    let settings = state.settings.settings(number);
    let catalog = linked_catalog(&state.settings, &state.catalogs, number)?;
    state
        .carts
        .set_quantity(key, catalog, settings, retailer_id, quantity, from)
        .map_err(EngineError::Cart)
}

/// Adds units to a cart line, atomically (taps on "+").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AddCartItem {
    wa_id: WaId,
    device: String,
    number: PhoneNumberId,
    retailer_id: RetailerId,
    delta: u32,
}

impl Op for AddCartItem {
    type Output = u32;

    fn exec(&self, state: &mut State, _at: u64) -> Result<u32, EngineError> {
        let key = state.cart_key(&self.wa_id, &self.device, &self.number)?;
        let current = state
            .carts
            .cart(&key)
            .map_or(0, |c| c.quantity_of(&self.retailer_id));
        let quantity = current.saturating_add(self.delta);
        set_quantity(state, &key, &self.number, &self.retailer_id, quantity, None)?;
        Ok(quantity)
    }
}

/// The customer looks at the cart, which clears its notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ViewCart {
    wa_id: WaId,
    device: String,
    number: PhoneNumberId,
}

impl Op for ViewCart {
    type Output = CartSnapshot;

    fn exec(&self, state: &mut State, _at: u64) -> Result<CartSnapshot, EngineError> {
        let key = state.cart_key(&self.wa_id, &self.device, &self.number)?;
        let catalog = linked_catalog(&state.settings, &state.catalogs, &self.number)?;
        let view = state.carts.view(&key, catalog);
        Ok(snapshot(
            view.lines.iter().map(|l| (l.product, l.quantity)),
            view.notice,
        ))
    }
}

/// A cart as the customer sees it, from its lines with their products now.
fn snapshot<'p>(
    lines: impl Iterator<Item = (&'p Product, u32)>,
    notice: Option<&'static str>,
) -> CartSnapshot {
    let mut currency = None;
    let mut minor: u128 = 0;
    let items = lines
        .map(|(product, quantity)| {
            currency.get_or_insert(product.price().currency());
            minor += u128::from(product.unit_price().minor()) * u128::from(quantity);
            CartItemView {
                retailer_id: product.retailer_id().clone(),
                title: product.title().to_owned(),
                quantity,
                unit_price: product.unit_price().to_price().to_string(),
            }
        })
        .collect();
    CartSnapshot {
        items,
        total: currency.and_then(|c| {
            Some(
                wacart_schema::Price::from_minor(u64::try_from(minor).ok()?, c.exponent())
                    .ok()?
                    .to_string(),
            )
        }),
        currency: currency.map(|c| c.code().to_owned()),
        notice,
    }
}

/// The customer sends the cart: the business gets an order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SendCart {
    wa_id: WaId,
    device: String,
    number: PhoneNumberId,
    text: String,
}

impl Op for SendCart {
    type Output = MessageId;

    fn exec(&self, state: &mut State, at: u64) -> Result<MessageId, EngineError> {
        let key = state.cart_key(&self.wa_id, &self.device, &self.number)?;
        let settings = state.settings.settings(&self.number);
        let catalog = linked_catalog(&state.settings, &state.catalogs, &self.number)?;
        let sent = state
            .carts
            .send(&key, catalog, settings, &self.text)
            .map_err(EngineError::Cart)?;
        let display = state.number_identity(&self.number).1;
        let context = sent
            .context()
            .map(|id| MessageContext::from_message(display, id.clone()));
        let order = InboundContent::Order(sent.into_order());
        Ok(state.inbound(at, &self.wa_id, &self.number, order, context))
    }
}

impl Sandbox {
    /// Sets a cart item's quantity on a device (0 removes it). `from` is the product message
    /// it was added from.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for the cart rules; unknown number, customer or device.
    pub fn set_cart_item(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        retailer_id: &RetailerId,
        quantity: u32,
        from: Option<MessageId>,
    ) -> Result<Ack<()>, EngineError> {
        let from_history = match &from {
            Some(m) if !self.state.messages.contains_key(m) => self
                .history_entry(m)?
                .is_some_and(|(key, _)| key.0 == *number && key.1 == *wa_id),
            _ => false,
        };
        self.run(SetCartItem {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            retailer_id: retailer_id.clone(),
            quantity,
            from,
            from_history,
        })
    }

    /// Adds `delta` units of a product to a device's cart, atomically (taps on "+"); answers the
    /// new quantity. Above 99 units it is refused, so concurrent adds never lose one nor pass
    /// the cap.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for the cart rules (99 cap included).
    pub fn add_cart_item(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        retailer_id: &RetailerId,
        delta: u32,
    ) -> Result<Ack<u32>, EngineError> {
        self.run(AddCartItem {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            retailer_id: retailer_id.clone(),
            delta,
        })
    }

    /// The cart as the customer sees it; viewing clears its notice.
    ///
    /// # Errors
    /// Unknown number, customer or device; no linked catalog.
    pub fn view_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> Result<Ack<CartSnapshot>, EngineError> {
        // A view that would change nothing (no notice to clear, no line to take out) is
        // answered without a command, as opening a thread with nothing unread is.
        let key = self.state.cart_key(wa_id, device, number)?;
        let catalog = linked_catalog(&self.state.settings, &self.state.catalogs, number)?;
        let quiet = self.state.carts.cart(&key).is_none_or(|cart| {
            cart.notice().is_none()
                && cart.lines().iter().all(|l| {
                    cart.catalog_id() == Some(catalog.id())
                        && catalog
                            .get(&l.retailer_id)
                            .is_some_and(Product::is_purchasable)
                })
        });
        if quiet {
            let lines = self.state.carts.cart(&key).map_or(&[][..], |c| c.lines());
            return Ok(Ack::unlogged(snapshot(
                lines
                    .iter()
                    .filter_map(|l| catalog.get(&l.retailer_id).map(|p| (p, l.quantity))),
                None,
            )));
        }
        self.run(ViewCart {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
        })
    }

    /// Sends the device's cart as an order, with a text; answers the order's message id.
    ///
    /// # Errors
    /// [`EngineError::Cart`] for an empty cart or a disabled cart.
    pub fn send_cart(
        &mut self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
        text: &str,
    ) -> Result<Ack<MessageId>, EngineError> {
        self.run(SendCart {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            number: number.clone(),
            text: text.to_owned(),
        })
    }

    /// A device's cart lines (retailer id, quantity) and whether it shows the notice, without
    /// viewing it (the notice stays).
    pub fn cart_lines(
        &self,
        wa_id: &WaId,
        device: &str,
        number: &PhoneNumberId,
    ) -> (Vec<(RetailerId, u32)>, bool) {
        let key = CartKey::new(
            number.clone(),
            wa_id.clone(),
            wacart_catalog::DeviceId::new(device),
        );
        self.state
            .carts
            .cart(&key)
            .map_or((Vec::new(), false), |c| {
                (
                    c.lines()
                        .iter()
                        .map(|l| (l.retailer_id.clone(), l.quantity))
                        .collect(),
                    c.notice().is_some(),
                )
            })
    }
}
