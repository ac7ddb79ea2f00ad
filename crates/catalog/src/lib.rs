#![doc = include_str!("../README.md")]

mod cart;
mod catalog;
mod error;
mod feed;
mod money;
mod product;
mod resolve;
mod settings;

pub use cart::{Cart, CartId, CartKey, CartLine, CartView, Carts, DeviceId, SentOrder, ViewLine};
pub use catalog::{BatchRequest, Catalog, CatalogEvent, Change, Method};
pub use error::{CatalogError, FeedError, details};
pub use feed::{
    FeedFormat, FeedImport, FeedReport, ParsedFeed, RejectedRow, check_feed, parse_feed,
};
pub use money::{Currency, Money};
pub use product::{Availability, Changed, Condition, Product, ProductPatch, Status, field, limits};
pub use resolve::{Resolved, ResolvedSection, resolve};
pub use settings::{CommerceSettings, SettingsBook, SettingsUpdate};
