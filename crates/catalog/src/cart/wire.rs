//! Serde: the wire forms of [`Cart`] and [`Carts`], checked when read; the indexes of
//! [`Carts`] are rebuilt from the carts.

use std::collections::HashMap;

use wacart_schema::{CatalogId, MaskedPhone, MessageId};

use super::carts::Holders;
use super::{Cart, CartKey, CartLine, Carts};
use crate::product::limits;

/// What a [`Cart`] deserializes from: its fields, checked before they make a cart.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CartWire {
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

/// What [`Carts`] deserializes from.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CartsWire {
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
