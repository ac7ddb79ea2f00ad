//! The product type: its fields in compact form, how it is built and patched, and its
//! accessors.

use std::fmt;

use wacart_schema::RetailerId;

use super::fields::{check_retailer_id, field};
use super::kinds::{Availability, Condition, Status};
use super::patch::{Changed, ProductPatch};
use crate::error::CatalogError;
use crate::money::Money;

/// Texts of a product in one allocation: title, description, link, image link, brand, item
/// group (empty = none). One buffer instead of six strings keeps a million products small.
#[derive(Clone, PartialEq, Eq)]
struct Texts {
    buf: Box<str>,
    ends: [u32; 6],
}

const TITLE: usize = 0;
const DESCRIPTION: usize = 1;
const LINK: usize = 2;
const IMAGE_LINK: usize = 3;
const BRAND: usize = 4;
const ITEM_GROUP: usize = 5;

impl Texts {
    fn new(parts: [&str; 6]) -> Texts {
        let mut buf = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0u32; 6];
        for (end, part) in ends.iter_mut().zip(parts) {
            buf.push_str(part);
            // Field limits keep a product's texts far below 4 GiB.
            *end = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        }
        Texts {
            buf: buf.into_boxed_str(),
            ends,
        }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(i).copied().unwrap_or(0);
        self.buf.get(start as usize..end as usize).unwrap_or("")
    }
}

/// A product of a catalog. Read it through its accessors; change it through
/// [`crate::Catalog::update`] or a batch, which report what changed.
///
/// Serde: an object of its fields (`retailer_id`, `title`, `description`, `availability`,
/// `condition`, `price`, `sale_price`, `link`, `image_link`, `brand`, `status`,
/// `item_group_id`, `quantity_to_sell`; absent optional fields are `null`). Deserializing
/// checks every rule [`Product::new`] checks.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "super::wire::ProductWire")]
pub struct Product {
    pub(super) retailer_id: RetailerId,
    texts: Texts,
    pub(super) price: Money,
    pub(super) sale_minor: Option<u64>,
    pub(super) availability: Availability,
    pub(super) condition: Condition,
    pub(super) status: Status,
    pub(super) quantity_to_sell: Option<u32>,
}

/// Every field of a product, borrowed, before it is assembled.
pub(super) struct Full<'a> {
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) availability: Availability,
    pub(super) condition: Condition,
    pub(super) price: Money,
    pub(super) sale_price: Option<Money>,
    pub(super) link: &'a str,
    pub(super) image_link: &'a str,
    pub(super) brand: &'a str,
    pub(super) status: Status,
    pub(super) item_group_id: &'a str,
    pub(super) quantity_to_sell: Option<u32>,
}

impl Product {
    /// A new product from a patch that gives every required field (title, description,
    /// availability, condition, price, link, image link).
    ///
    /// # Errors
    /// [`CatalogError::InvalidField`] for a missing required field, a field that breaks its
    /// rule, a bad retailer id, or a sale price that is not lower than the price or in another
    /// currency.
    pub fn new(retailer_id: RetailerId, patch: &ProductPatch) -> Result<Product, CatalogError> {
        check_retailer_id(retailer_id.as_str()).map_err(|r| CatalogError::field(field::ID, r))?;
        patch.check()?;
        let missing = |f: &str| CatalogError::field(f, "required");
        let full = Full {
            title: patch
                .title
                .as_deref()
                .ok_or_else(|| missing(field::TITLE))?,
            description: patch
                .description
                .as_deref()
                .ok_or_else(|| missing(field::DESCRIPTION))?,
            availability: patch
                .availability
                .clone()
                .ok_or_else(|| missing(field::AVAILABILITY))?,
            condition: patch.condition.ok_or_else(|| missing(field::CONDITION))?,
            price: patch.price.ok_or_else(|| missing(field::PRICE))?,
            sale_price: patch.sale_price.flatten(),
            link: patch.link.as_deref().ok_or_else(|| missing(field::LINK))?,
            image_link: patch
                .image_link
                .as_deref()
                .ok_or_else(|| missing(field::IMAGE_LINK))?,
            brand: patch
                .brand
                .as_ref()
                .and_then(|b| b.as_deref())
                .unwrap_or(""),
            status: patch.status.unwrap_or_default(),
            item_group_id: patch
                .item_group_id
                .as_ref()
                .and_then(|b| b.as_deref())
                .unwrap_or(""),
            quantity_to_sell: patch.quantity_to_sell.flatten(),
        };
        Product::assemble(retailer_id, full)
    }

    /// This product with the patch's fields changed, and what changed.
    ///
    /// # Errors
    /// As [`Product::new`], for the fields given.
    pub fn patched(&self, patch: &ProductPatch) -> Result<(Product, Changed), CatalogError> {
        patch.check()?;
        let full = Full {
            title: patch.title.as_deref().unwrap_or(self.title()),
            description: patch.description.as_deref().unwrap_or(self.description()),
            availability: patch
                .availability
                .clone()
                .unwrap_or_else(|| self.availability.clone()),
            condition: patch.condition.unwrap_or(self.condition),
            price: patch.price.unwrap_or(self.price),
            sale_price: match patch.sale_price {
                Some(s) => s,
                None => self.sale_price(),
            },
            link: patch.link.as_deref().unwrap_or(self.link()),
            image_link: patch.image_link.as_deref().unwrap_or(self.image_link()),
            brand: match &patch.brand {
                Some(b) => b.as_deref().unwrap_or(""),
                None => self.texts.get(BRAND),
            },
            status: patch.status.unwrap_or(self.status),
            item_group_id: match &patch.item_group_id {
                Some(b) => b.as_deref().unwrap_or(""),
                None => self.texts.get(ITEM_GROUP),
            },
            quantity_to_sell: match patch.quantity_to_sell {
                Some(q) => q,
                None => self.quantity_to_sell,
            },
        };
        let new = Product::assemble(self.retailer_id.clone(), full)?;
        let changed = Changed::between(self, &new);
        Ok((new, changed))
    }

    /// What changed from `self` to `other`.
    pub(crate) fn changes_to(&self, other: &Product) -> Changed {
        Changed::between(self, other)
    }

    pub(super) fn assemble(retailer_id: RetailerId, f: Full<'_>) -> Result<Product, CatalogError> {
        let sale_minor = match f.sale_price {
            Some(sale) if sale.currency() != f.price.currency() => {
                return Err(CatalogError::field(
                    field::SALE_PRICE,
                    format!(
                        "in {}, but the price is in {}",
                        sale.currency(),
                        f.price.currency()
                    ),
                ));
            }
            Some(sale) if sale.minor() >= f.price.minor() => {
                return Err(CatalogError::field(
                    field::SALE_PRICE,
                    format!("{sale} is not lower than the price {}", f.price),
                ));
            }
            Some(sale) => Some(sale.minor()),
            None => None,
        };
        Ok(Product {
            retailer_id,
            texts: Texts::new([
                f.title,
                f.description,
                f.link,
                f.image_link,
                f.brand,
                f.item_group_id,
            ]),
            price: f.price,
            sale_minor,
            availability: f.availability,
            condition: f.condition,
            status: f.status,
            quantity_to_sell: f.quantity_to_sell,
        })
    }

    /// The retailer id (`id` in the feed).
    pub fn retailer_id(&self) -> &RetailerId {
        &self.retailer_id
    }

    /// The title.
    pub fn title(&self) -> &str {
        self.texts.get(TITLE)
    }

    /// The description.
    pub fn description(&self) -> &str {
        self.texts.get(DESCRIPTION)
    }

    /// The availability.
    pub fn availability(&self) -> &Availability {
        &self.availability
    }

    /// The condition.
    pub fn condition(&self) -> Condition {
        self.condition
    }

    /// The price.
    pub fn price(&self) -> Money {
        self.price
    }

    /// The sale price, when there is one (always lower than the price, same currency).
    pub fn sale_price(&self) -> Option<Money> {
        // Same currency as the price and lower than it, so always in range.
        self.sale_minor
            .and_then(|m| Money::from_minor(m, self.price.currency()).ok())
    }

    /// What one unit costs now: the sale price when set, else the price.
    pub fn unit_price(&self) -> Money {
        self.sale_price().unwrap_or(self.price)
    }

    /// The product page.
    pub fn link(&self) -> &str {
        self.texts.get(LINK)
    }

    /// The main image.
    pub fn image_link(&self) -> &str {
        self.texts.get(IMAGE_LINK)
    }

    /// The brand, when given.
    pub fn brand(&self) -> Option<&str> {
        Some(self.texts.get(BRAND)).filter(|b| !b.is_empty())
    }

    /// Active or archived.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The variant group, when given.
    pub fn item_group_id(&self) -> Option<&str> {
        Some(self.texts.get(ITEM_GROUP)).filter(|b| !b.is_empty())
    }

    /// Units offered (`quantity_to_sell_on_facebook`), when given. Informative: carts are
    /// capped at 99 units per item, not by this.
    pub fn quantity_to_sell(&self) -> Option<u32> {
        self.quantity_to_sell
    }

    /// Whether a customer can put it in a cart: `in stock`, `available for order` or
    /// `preorder`, and active.
    pub fn is_purchasable(&self) -> bool {
        self.availability.allows_purchase() && self.status == Status::Active
    }
}

impl fmt::Debug for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Product")
            .field("retailer_id", &self.retailer_id)
            .field("title", &self.title())
            .field("description", &self.description())
            .field("availability", &self.availability)
            .field("condition", &self.condition)
            .field("price", &self.price)
            .field("sale_price", &self.sale_price())
            .field("link", &self.link())
            .field("image_link", &self.image_link())
            .field("brand", &self.brand())
            .field("status", &self.status)
            .field("item_group_id", &self.item_group_id())
            .field("quantity_to_sell", &self.quantity_to_sell)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::{full_patch, usd};

    #[test]
    fn purchasable_means_three_availabilities_and_active() {
        let base = Product::new(RetailerId::new("a"), &full_patch("A", "1")).unwrap();
        for (availability, status, purchasable) in [
            (Availability::InStock, Status::Active, true),
            (Availability::AvailableForOrder, Status::Active, true),
            (Availability::Preorder, Status::Active, true),
            (Availability::OutOfStock, Status::Active, false),
            (Availability::Discontinued, Status::Active, false),
            (Availability::Unknown("soon".into()), Status::Active, false),
            (Availability::InStock, Status::Archived, false),
        ] {
            let patch = ProductPatch::new()
                .availability(availability.clone())
                .status(status);
            let (p, _) = base.patched(&patch).unwrap();
            assert_eq!(p.is_purchasable(), purchasable, "{availability} {status}");
        }
    }

    #[test]
    fn accessors_give_back_every_field() {
        let patch = full_patch("Shirt", "19.99")
            .sale_price(Some(usd("14.99")))
            .brand(Some("Acme".into()))
            .item_group_id(Some("shirts".into()))
            .quantity_to_sell(Some(7))
            .condition(Condition::Used);
        let p = Product::new(RetailerId::new("sku-1"), &patch).unwrap();
        assert_eq!(p.retailer_id(), "sku-1");
        assert_eq!(p.title(), "Shirt");
        assert_eq!(p.description(), "A fine thing");
        assert_eq!(p.price(), usd("19.99"));
        assert_eq!(p.sale_price(), Some(usd("14.99")));
        assert_eq!(p.unit_price(), usd("14.99"));
        assert_eq!(p.link(), "https://shop.example/p");
        assert_eq!(p.image_link(), "https://cdn.example/p.jpg");
        assert_eq!(p.brand(), Some("Acme"));
        assert_eq!(p.item_group_id(), Some("shirts"));
        assert_eq!(p.quantity_to_sell(), Some(7));
        assert_eq!(p.condition(), Condition::Used);
        assert_eq!(p.status(), Status::Active);
        assert!(format!("{p:?}").contains("title: \"Shirt\""));
        let plain = Product::new(RetailerId::new("sku-2"), &full_patch("Hat", "5")).unwrap();
        assert_eq!(plain.brand(), None);
        assert_eq!(plain.item_group_id(), None);
        assert_eq!(plain.unit_price(), usd("5"));
    }

    #[test]
    fn creation_requires_the_feed_required_fields() {
        for f in [
            "title",
            "description",
            "availability",
            "condition",
            "price",
            "link",
            "image_link",
        ] {
            let mut patch = full_patch("A", "1");
            match f {
                "title" => patch.title = None,
                "description" => patch.description = None,
                "availability" => patch.availability = None,
                "condition" => patch.condition = None,
                "price" => patch.price = None,
                "link" => patch.link = None,
                _ => patch.image_link = None,
            }
            let err = Product::new(RetailerId::new("a"), &patch).unwrap_err();
            assert_eq!(err.to_string(), format!("{f}: required"));
        }
        let err = Product::new(RetailerId::new(""), &full_patch("A", "1")).unwrap_err();
        assert_eq!(err.to_string(), "id: required");
        let err =
            Product::new(RetailerId::new("x".repeat(101)), &full_patch("A", "1")).unwrap_err();
        assert_eq!(err.to_string(), "id: longer than 100 characters (101)");
    }

    #[test]
    fn field_rules_are_enforced_for_typed_patches_too() {
        let long = full_patch(&"é".repeat(201), "1");
        let err = Product::new(RetailerId::new("a"), &long).unwrap_err();
        assert_eq!(err.to_string(), "title: longer than 200 characters (201)");
        // 200 two-byte characters are fine: characters, not bytes, are counted.
        assert!(Product::new(RetailerId::new("a"), &full_patch(&"é".repeat(200), "1")).is_ok());
        let err =
            Product::new(RetailerId::new("a"), &full_patch("A", "1").link("ftp://x")).unwrap_err();
        assert_eq!(err.to_string(), "link: `ftp://x` is not an http(s) URL");
        let err = Product::new(
            RetailerId::new("a"),
            &full_patch("A", "1").image_link("https://a b"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "image_link: `https://a b` is not an http(s) URL"
        );
        let err = Product::new(RetailerId::new("a"), &full_patch("", "1")).unwrap_err();
        assert_eq!(err.to_string(), "title: required");
    }

    #[test]
    fn sale_price_must_be_lower_and_in_the_same_currency() {
        let err = Product::new(
            RetailerId::new("a"),
            &full_patch("A", "10").sale_price(Some(usd("10"))),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sale_price: 10.00 USD is not lower than the price 10.00 USD"
        );
        let eur: Money = "5 EUR".parse().unwrap();
        let err = Product::new(
            RetailerId::new("a"),
            &full_patch("A", "10").sale_price(Some(eur)),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "sale_price: in EUR, but the price is in USD"
        );
        // Lowering the price under an existing sale price is refused as well.
        let p = Product::new(
            RetailerId::new("a"),
            &full_patch("A", "10").sale_price(Some(usd("8"))),
        )
        .unwrap();
        assert!(p.patched(&ProductPatch::new().price(usd("7"))).is_err());
        let (q, changed) = p.patched(&ProductPatch::new().sale_price(None)).unwrap();
        assert_eq!(q.sale_price(), None);
        assert!(changed.sale_price && changed.details());
    }
}
