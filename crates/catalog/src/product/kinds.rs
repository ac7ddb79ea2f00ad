//! The values of `availability`, `condition` and `status`.

use std::fmt;

use super::fields::{field, is_word, parse_condition, parse_status};
use crate::error::CatalogError;

/// `availability` of a product: the five feed values, and any other value kept as it came.
///
/// Serde: `"in_stock"`, `"out_of_stock"`, `"preorder"`, `"available_for_order"`,
/// `"discontinued"`, or `{"unknown": "<value as it came>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Availability {
    /// `in stock`: purchasable.
    InStock,
    /// `out of stock`.
    OutOfStock,
    /// `preorder`: purchasable.
    Preorder,
    /// `available for order`: purchasable.
    AvailableForOrder,
    /// `discontinued`.
    Discontinued,
    /// Any other value, kept as written (not purchasable).
    Unknown(String),
}

impl Availability {
    /// Reads a feed value: case-insensitive, `_` taken as a space (`in_stock`, `In Stock`).
    /// Values outside the five are kept in [`Availability::Unknown`].
    pub fn parse(value: &str) -> Availability {
        let value = value.trim();
        [
            Availability::InStock,
            Availability::OutOfStock,
            Availability::Preorder,
            Availability::AvailableForOrder,
            Availability::Discontinued,
        ]
        .into_iter()
        .find(|a| is_word(value, a.as_str()))
        .unwrap_or_else(|| Availability::Unknown(value.to_owned()))
    }

    /// The feed value (`in stock`, ...), or the unknown value as it came.
    pub fn as_str(&self) -> &str {
        match self {
            Availability::InStock => "in stock",
            Availability::OutOfStock => "out of stock",
            Availability::Preorder => "preorder",
            Availability::AvailableForOrder => "available for order",
            Availability::Discontinued => "discontinued",
            Availability::Unknown(v) => v,
        }
    }

    /// `in stock`, `available for order` and `preorder` can be bought.
    pub fn allows_purchase(&self) -> bool {
        matches!(
            self,
            Availability::InStock | Availability::AvailableForOrder | Availability::Preorder
        )
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `condition` of a product. Serde: its feed value (`"new"`, `"refurbished"`, `"used"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Condition {
    /// `new`.
    New,
    /// `refurbished`.
    Refurbished,
    /// `used`.
    Used,
}

impl Condition {
    /// Reads a feed value (case-insensitive).
    ///
    /// # Errors
    /// [`CatalogError::InvalidField`] for any other value.
    pub fn parse(value: &str) -> Result<Condition, CatalogError> {
        parse_condition(value).map_err(|reason| CatalogError::field(field::CONDITION, reason))
    }

    /// The feed value.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::New => "new",
            Condition::Refurbished => "refurbished",
            Condition::Used => "used",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `status` of a product: only active products can be bought. Serde: its feed value
/// (`"active"`, `"archived"`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    /// `active` (the default).
    #[default]
    Active,
    /// `archived`: kept, not sold.
    Archived,
}

impl Status {
    /// Reads a feed value (case-insensitive; empty means `active`).
    ///
    /// # Errors
    /// [`CatalogError::InvalidField`] for any other value.
    pub fn parse(value: &str) -> Result<Status, CatalogError> {
        parse_status(value).map_err(|reason| CatalogError::field(field::STATUS, reason))
    }

    /// The feed value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Archived => "archived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_keeps_unknown_values_and_reads_variants() {
        assert_eq!(Availability::parse("in stock"), Availability::InStock);
        assert_eq!(Availability::parse(" In_Stock "), Availability::InStock);
        assert_eq!(
            Availability::parse("AVAILABLE FOR ORDER"),
            Availability::AvailableForOrder
        );
        assert_eq!(Availability::parse("preorder"), Availability::Preorder);
        assert_eq!(
            Availability::parse("out of stock"),
            Availability::OutOfStock
        );
        assert_eq!(
            Availability::parse("discontinued"),
            Availability::Discontinued
        );
        let odd = Availability::parse("limited edition");
        assert_eq!(odd, Availability::Unknown("limited edition".to_owned()));
        assert_eq!(odd.as_str(), "limited edition");
        assert!(!odd.allows_purchase());
    }
}
