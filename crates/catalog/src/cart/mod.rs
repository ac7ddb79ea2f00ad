//! Carts (spec §5): one per (business number, customer, device), at most 99 units of an item,
//! only purchasable products, emptied into an order when sent.
//!
//! A product change that makes a product non-purchasable reaches exactly the carts that hold
//! it, through an index from product to carts: its cost does not grow with the carts that do
//! not hold it.

mod carts;
mod order;
mod types;
mod wire;

#[cfg(test)]
mod tests;

pub use carts::{CartId, Carts};
pub use order::SentOrder;
pub use types::{Cart, CartKey, CartLine, CartView, DeviceId, ViewLine};
