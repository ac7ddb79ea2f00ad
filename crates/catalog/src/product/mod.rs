//! Products with the fields of Meta's catalog feed (spec §5), and partial updates of them.
//!
//! - [`kinds`]: the availability, condition and status values;
//! - [`fields`]: feed column names, limits, and reading and checking field text;
//! - [`patch`]: partial updates ([`ProductPatch`]) and what they changed ([`Changed`]);
//! - [`item`]: the [`Product`] type and its accessors;
//! - [`wire`]: how a product is serialized.

mod fields;
mod item;
mod kinds;
mod patch;
mod wire;

pub(crate) use fields::{Draft, Field, check_retailer_id, quote};
pub use fields::{field, limits};
pub use item::Product;
pub use kinds::{Availability, Condition, Status};
pub use patch::{Changed, ProductPatch};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::money::Money;

    pub(crate) fn usd(text: &str) -> Money {
        format!("{text} USD").parse().unwrap()
    }

    pub(crate) fn full_patch(title: &str, price: &str) -> ProductPatch {
        ProductPatch::new()
            .title(title)
            .description("A fine thing")
            .availability(Availability::InStock)
            .condition(Condition::New)
            .price(usd(price))
            .link("https://shop.example/p")
            .image_link("https://cdn.example/p.jpg")
    }
}
