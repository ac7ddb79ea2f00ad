//! The crate's one error type, and how it maps to Meta's Graph error.

use std::fmt;

use wacart_schema::{CatalogId, GraphError, RetailerId, codes};

use crate::money::Currency;

/// `error_data.details` texts of the Graph errors this crate produces. Every commerce failure is
/// code 131009 (spec §2); these texts tell them apart.
pub mod details {
    /// A product id of the message is not in the catalog (spec §1.1, §1.2, §1.3).
    pub const PRODUCTS_NOT_FOUND: &str = "Products not found in FB Catalog";
    /// The message names a catalog other than the one linked to the sending number.
    pub const CATALOG_NOT_LINKED: &str = "Catalog is not linked to this phone number";
    /// A catalog message was sent while the number's catalog is hidden (spec §1.3, §5).
    pub const CATALOG_NOT_VISIBLE: &str = "Catalog is not visible for this phone number";
    /// The number's commerce settings have the cart turned off (spec §5).
    pub const CART_DISABLED: &str = "Cart is disabled for this phone number";
    /// What a customer sees on a catalog button or `wa.me/c/` link while the catalog is hidden.
    pub const INVALID_CATALOG_LINK: &str = "Invalid catalog link";
    /// The notice a cart shows after a product in it became unavailable (spec §5).
    pub const CART_UPDATED_NOTICE: &str = "One or more items in your cart have been updated";
}

/// Everything that can go wrong in this crate. Each variant says what was wrong and where;
/// [`CatalogError::to_graph_error`] gives the Graph error a server answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A product field has a value that breaks a rule (`title: longer than 200 characters`).
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field (feed column) name.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A text is not an amount of money in the feed's format (`9.99 USD`).
    #[error("`{text}` is not a price: {reason}")]
    InvalidMoney {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Not an ISO 4217 code this crate knows.
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
    /// A price is in another currency than the catalog's (one currency per catalog and feed).
    #[error("price in {found}, but the catalog's currency is {expected}")]
    CurrencyMismatch {
        /// The catalog's currency.
        expected: Currency,
        /// The price's currency.
        found: Currency,
    },
    /// A create request for a retailer id the catalog already has.
    #[error("product `{0}` already exists")]
    ProductExists(RetailerId),
    /// Products that are not in the catalog (an update, delete, cart change or message names
    /// them). Graph details: `Products not found in FB Catalog`.
    #[error("products not found in the catalog: {}", list(.0))]
    ProductsNotFound(Vec<RetailerId>),
    /// A batch request whose `method` is not `CREATE`, `UPDATE` or `DELETE`.
    #[error("unknown batch method `{0}` (CREATE, UPDATE or DELETE)")]
    UnknownMethod(String),
    /// The catalog holds as many products as it can index.
    #[error("the catalog is full")]
    CatalogFull,
    /// The feed could not be read at all (I/O error).
    #[error("unreadable feed: {0}")]
    UnreadableFeed(String),
    /// The feed has no header row this crate can use (empty, a required column missing, a
    /// column twice).
    #[error("unusable feed header: {0}")]
    BadFeedHeader(String),
    /// The message names a catalog that is not the one linked to the sending number (or no
    /// catalog is linked).
    #[error("{}", not_linked(.0.as_ref()))]
    CatalogNotLinked(Option<CatalogId>),
    /// A catalog message while the number's catalog is hidden.
    #[error("the catalog is not visible for this phone number")]
    CatalogNotVisible,
    /// Resolution was asked for a message that is not a product, product list or catalog
    /// message.
    #[error("`{0}` is not a product, product_list or catalog_message message")]
    NotCommerceMessage(String),
    /// Adding to (or sending) a cart while the number has the cart turned off.
    #[error("the cart is disabled for this phone number")]
    CartDisabled,
    /// The product exists but cannot be bought now (availability or status).
    #[error("product `{0}` cannot be bought now")]
    NotPurchasable(RetailerId),
    /// A cart quantity outside `0..=99`.
    #[error("quantity {0} is out of range: at most 99 units of an item (0 removes it)")]
    QuantityOutOfRange(u32),
    /// The cart already holds products of another catalog.
    #[error("the cart holds products of catalog {cart}, not of catalog {catalog}")]
    CatalogMismatch {
        /// The catalog of the cart's items.
        cart: CatalogId,
        /// The catalog of the new item.
        catalog: CatalogId,
    },
    /// Sending an empty cart.
    #[error("the cart is empty")]
    EmptyCart,
}

fn list(ids: &[RetailerId]) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(id.as_str());
        out.push('`');
    }
    out
}

fn not_linked(id: Option<&CatalogId>) -> String {
    match id {
        Some(id) => format!("catalog {id} is not linked to this phone number"),
        None => "no catalog is linked to this phone number".to_owned(),
    }
}

impl CatalogError {
    /// The Graph code: 131009 (Parameter value is not valid) for every error of this crate.
    pub fn code(&self) -> u32 {
        codes::PARAMETER_VALUE_INVALID
    }

    /// The `error_data.details` text: a fixed text from [`details`] for the commerce failures
    /// (products not found, catalog not linked or not visible, cart disabled), this error's
    /// message otherwise.
    pub fn details(&self) -> String {
        match self {
            CatalogError::ProductsNotFound(_) => details::PRODUCTS_NOT_FOUND.to_owned(),
            CatalogError::CatalogNotLinked(_) => details::CATALOG_NOT_LINKED.to_owned(),
            CatalogError::CatalogNotVisible => details::CATALOG_NOT_VISIBLE.to_owned(),
            CatalogError::CartDisabled => details::CART_DISABLED.to_owned(),
            other => other.to_string(),
        }
    }

    /// The Graph error a server answers with: code 131009, [`CatalogError::details`] in
    /// `error_data.details`.
    ///
    /// ```
    /// use wacart_catalog::CatalogError;
    /// use wacart_schema::RetailerId;
    /// let err = CatalogError::ProductsNotFound(vec![RetailerId::new("nope")]);
    /// let graph = err.to_graph_error("trace-1");
    /// assert_eq!(graph.code, 131009);
    /// assert_eq!(graph.details(), Some("Products not found in FB Catalog"));
    /// assert_eq!(graph.message, "(#131009) Parameter value is not valid");
    /// ```
    pub fn to_graph_error(&self, fbtrace_id: impl Into<String>) -> GraphError {
        GraphError::new(self.code(), self.details(), fbtrace_id)
    }

    pub(crate) fn field(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        CatalogError::InvalidField {
            field: field.into(),
            reason: reason.to_string(),
        }
    }
}

/// What [`crate::check_feed`] fails with: [`CatalogError::UnreadableFeed`] or
/// [`CatalogError::BadFeedHeader`]. The crate has one error type; this name says which part of
/// it a feed check returns.
pub type FeedError = CatalogError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commerce_failures_map_to_131009_with_fixed_details() {
        let cases = [
            (
                CatalogError::ProductsNotFound(vec![RetailerId::new("a"), RetailerId::new("b")]),
                "Products not found in FB Catalog",
                "products not found in the catalog: `a`, `b`",
            ),
            (
                CatalogError::CatalogNotLinked(Some(CatalogId::new("42"))),
                "Catalog is not linked to this phone number",
                "catalog 42 is not linked to this phone number",
            ),
            (
                CatalogError::CatalogNotLinked(None),
                "Catalog is not linked to this phone number",
                "no catalog is linked to this phone number",
            ),
            (
                CatalogError::CatalogNotVisible,
                "Catalog is not visible for this phone number",
                "the catalog is not visible for this phone number",
            ),
            (
                CatalogError::CartDisabled,
                "Cart is disabled for this phone number",
                "the cart is disabled for this phone number",
            ),
        ];
        for (err, details, shown) in cases {
            let graph = err.to_graph_error("t");
            assert_eq!(graph.code, 131_009);
            assert_eq!(graph.details(), Some(details));
            assert_eq!(graph.fbtrace_id.as_deref(), Some("t"));
            assert_eq!(graph.http_status(), 400);
            assert_eq!(err.to_string(), shown);
        }
    }

    #[test]
    fn other_errors_carry_their_message_as_details() {
        let err = CatalogError::field("title", "longer than 200 characters (201)");
        assert_eq!(err.to_string(), "title: longer than 200 characters (201)");
        assert_eq!(
            err.to_graph_error("t").details(),
            Some("title: longer than 200 characters (201)")
        );
        assert_eq!(
            CatalogError::QuantityOutOfRange(100).details(),
            "quantity 100 is out of range: at most 99 units of an item (0 removes it)"
        );
    }
}
