//! A catalog: products by retailer id, changed one at a time or in `items_batch` batches, each
//! change reported as a [`CatalogEvent`].

mod batch;
mod event;
mod store;
mod wire;

#[cfg(test)]
mod tests;

pub use batch::{BatchRequest, Method};
pub use event::{CatalogEvent, Change};
pub use store::Catalog;
