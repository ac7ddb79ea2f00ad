//! Partial updates of a product, and what an update changed.

use super::fields::{Draft, Field, check_link, check_text, field, limits};
use super::item::Product;
use super::kinds::{Availability, Condition, Status};
use crate::error::CatalogError;
use crate::money::Money;

/// Which fields an update changed. Price, sale price, title, description and image are the
/// *details* a customer sees wherever the product appears.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Changed {
    /// `price`.
    pub price: bool,
    /// `sale_price` (set, changed or cleared).
    pub sale_price: bool,
    /// `title`.
    pub title: bool,
    /// `description`.
    pub description: bool,
    /// `image_link`.
    pub image: bool,
    /// `availability`.
    pub availability: bool,
    /// `status`.
    pub status: bool,
    /// Anything else: link, brand, condition, item group, quantity to sell.
    pub other: bool,
}

impl Changed {
    /// Whether a detail a customer sees changed: price, sale price, title, description or image.
    pub fn details(&self) -> bool {
        self.price || self.sale_price || self.title || self.description || self.image
    }

    /// Whether anything changed.
    pub fn any(&self) -> bool {
        self.details() || self.availability || self.status || self.other
    }

    pub(super) fn between(a: &Product, b: &Product) -> Changed {
        Changed {
            price: a.price != b.price,
            sale_price: a.sale_minor != b.sale_minor,
            title: a.title() != b.title(),
            description: a.description() != b.description(),
            image: a.image_link() != b.image_link(),
            availability: a.availability != b.availability,
            status: a.status != b.status,
            other: a.link() != b.link()
                || a.brand() != b.brand()
                || a.condition != b.condition
                || a.item_group_id() != b.item_group_id()
                || a.quantity_to_sell != b.quantity_to_sell,
        }
    }
}

/// Some fields of a product: what a create request gives (all the required ones) or an update
/// changes (only the fields given; `None` leaves a field as it is). Optional fields are
/// `Option<Option<_>>`: `Some(None)` clears them.
///
/// ```
/// use wacart_catalog::{Availability, ProductPatch};
/// let patch = ProductPatch::new()
///     .price("8.49 USD".parse().unwrap())
///     .availability(Availability::OutOfStock);
/// assert!(patch.title.is_none());
/// let mut from_fields = ProductPatch::new();
/// from_fields.set_field("sale_price", "").unwrap(); // clears the sale price
/// assert_eq!(from_fields.sale_price, Some(None));
/// assert_eq!(from_fields.set_field("gtin", "0001").unwrap(), false); // not a field this crate reads
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProductPatch {
    /// 1..=200 characters.
    pub title: Option<String>,
    /// 1..=9999 characters.
    pub description: Option<String>,
    /// Any value; only three allow purchase.
    pub availability: Option<Availability>,
    /// New, refurbished or used.
    pub condition: Option<Condition>,
    /// The price, in the catalog's currency.
    pub price: Option<Money>,
    /// The sale price, lower than the price; `Some(None)` clears it.
    pub sale_price: Option<Option<Money>>,
    /// The product page, an http(s) URL.
    pub link: Option<String>,
    /// The main image, an http(s) URL.
    pub image_link: Option<String>,
    /// At most 100 characters; `Some(None)` clears it.
    pub brand: Option<Option<String>>,
    /// Active or archived.
    pub status: Option<Status>,
    /// At most 100 characters; `Some(None)` clears it.
    pub item_group_id: Option<Option<String>>,
    /// Units offered; `Some(None)` clears it.
    pub quantity_to_sell: Option<Option<u32>>,
}

impl ProductPatch {
    /// A patch that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the title.
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the availability.
    #[must_use]
    pub fn availability(mut self, availability: Availability) -> Self {
        self.availability = Some(availability);
        self
    }

    /// Sets the condition.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> Self {
        self.condition = Some(condition);
        self
    }

    /// Sets the price.
    #[must_use]
    pub fn price(mut self, price: Money) -> Self {
        self.price = Some(price);
        self
    }

    /// Sets (`Some`) or clears (`None`) the sale price.
    #[must_use]
    pub fn sale_price(mut self, sale_price: Option<Money>) -> Self {
        self.sale_price = Some(sale_price);
        self
    }

    /// Sets the product page.
    #[must_use]
    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// Sets the main image.
    #[must_use]
    pub fn image_link(mut self, image_link: impl Into<String>) -> Self {
        self.image_link = Some(image_link.into());
        self
    }

    /// Sets (`Some`) or clears (`None`) the brand.
    #[must_use]
    pub fn brand(mut self, brand: Option<String>) -> Self {
        self.brand = Some(brand);
        self
    }

    /// Sets the status.
    #[must_use]
    pub fn status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets (`Some`) or clears (`None`) the item group.
    #[must_use]
    pub fn item_group_id(mut self, item_group_id: Option<String>) -> Self {
        self.item_group_id = Some(item_group_id);
        self
    }

    /// Sets (`Some`) or clears (`None`) the quantity to sell.
    #[must_use]
    pub fn quantity_to_sell(mut self, quantity: Option<u32>) -> Self {
        self.quantity_to_sell = Some(quantity);
        self
    }

    /// Sets one field from its feed text, as a feed column or a batch request's `data` key
    /// names it (`price` = `9.99 USD`). Values are trimmed; an empty value clears an optional
    /// field. Returns `false`, changing nothing, for a name this crate does not read (such as
    /// `gtin`), which callers ignore as Meta does unknown columns.
    ///
    /// # Errors
    /// [`CatalogError::InvalidField`] naming the field when the value breaks its rule, and
    /// for `id`, which is not a field of a patch.
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<bool, CatalogError> {
        let Some(field) = Field::from_name(name) else {
            return Ok(false);
        };
        if field == Field::Id {
            return Err(CatalogError::field(
                field::ID,
                "the retailer id names the product and cannot be changed",
            ));
        }
        self.set(field, value)
            .map_err(|reason| CatalogError::field(name.trim(), reason))?;
        Ok(true)
    }

    /// Parses `value` into `field`; the error is the reason alone.
    pub(crate) fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        let mut draft = Draft::default();
        draft.set(field, value)?;
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        match field {
            Field::Id => {}
            Field::Title => self.title = draft.title.map(str::to_owned),
            Field::Description => self.description = draft.description.map(str::to_owned),
            Field::Availability => self.availability = draft.availability,
            Field::Condition => self.condition = draft.condition,
            Field::Price => self.price = draft.price,
            Field::SalePrice => self.sale_price = Some(draft.sale_price),
            Field::Link => self.link = draft.link.map(str::to_owned),
            Field::ImageLink => self.image_link = draft.image_link.map(str::to_owned),
            Field::Brand => self.brand = Some(opt(draft.brand)),
            Field::Status => self.status = Some(draft.status),
            Field::ItemGroupId => self.item_group_id = Some(opt(draft.item_group_id)),
            Field::QuantityToSell => self.quantity_to_sell = Some(draft.quantity_to_sell),
        }
        Ok(())
    }

    /// Checks every field that is given, as [`ProductPatch::set_field`] would have.
    pub(crate) fn check(&self) -> Result<(), CatalogError> {
        fn at(f: &'static str) -> impl Fn(String) -> CatalogError {
            move |reason| CatalogError::field(f, reason)
        }
        if let Some(v) = &self.title {
            check_text(v, limits::TITLE_MAX, true).map_err(at(field::TITLE))?;
        }
        if let Some(v) = &self.description {
            check_text(v, limits::DESCRIPTION_MAX, true).map_err(at(field::DESCRIPTION))?;
        }
        if let Some(v) = &self.link {
            check_link(v).map_err(at(field::LINK))?;
        }
        if let Some(v) = &self.image_link {
            check_link(v).map_err(at(field::IMAGE_LINK))?;
        }
        if let Some(Some(v)) = &self.brand {
            check_text(v, limits::BRAND_MAX, false).map_err(at(field::BRAND))?;
        }
        if let Some(Some(v)) = &self.item_group_id {
            check_text(v, limits::ITEM_GROUP_ID_MAX, false).map_err(at(field::ITEM_GROUP_ID))?;
        }
        if let Some(Availability::Unknown(v)) = &self.availability
            && v.trim().is_empty()
        {
            return Err(CatalogError::field(field::AVAILABILITY, "required"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::{full_patch, usd};
    use wacart_schema::RetailerId;

    #[test]
    fn patches_change_only_the_fields_given_and_say_which() {
        let p = Product::new(
            RetailerId::new("a"),
            &full_patch("A", "10").brand(Some("B".into())),
        )
        .unwrap();
        let (q, changed) = p.patched(&ProductPatch::new().title("A2")).unwrap();
        assert_eq!(q.title(), "A2");
        assert_eq!(q.description(), p.description());
        assert_eq!(q.brand(), Some("B"));
        assert_eq!(q.price(), p.price());
        assert_eq!(
            changed,
            Changed {
                title: true,
                ..Changed::default()
            }
        );
        let (_, changed) = p.patched(&ProductPatch::new().title("A")).unwrap();
        assert!(!changed.any());
        let (_, changed) = p
            .patched(&ProductPatch::new().image_link("https://cdn/x.png"))
            .unwrap();
        assert!(changed.image && changed.details());
        let (_, changed) = p.patched(&ProductPatch::new().brand(None)).unwrap();
        assert!(changed.other && !changed.details());
        let (_, changed) = p
            .patched(&ProductPatch::new().status(Status::Archived))
            .unwrap();
        assert!(changed.status && !changed.details());
    }

    #[test]
    fn set_field_reads_feed_text() {
        let mut patch = ProductPatch::new();
        assert!(patch.set_field("Price", " 12.50 USD ").unwrap());
        assert_eq!(patch.price, Some(usd("12.50")));
        assert!(patch.set_field("availability", "preorder").unwrap());
        assert!(patch.set_field("condition", "Refurbished").unwrap());
        assert!(patch.set_field("status", "archived").unwrap());
        assert!(
            patch
                .set_field("quantity_to_sell_on_facebook", "12")
                .unwrap()
        );
        assert!(patch.set_field("brand", "").unwrap());
        assert_eq!(patch.brand, Some(None));
        assert_eq!(patch.quantity_to_sell, Some(Some(12)));
        assert_eq!(patch.condition, Some(Condition::Refurbished));
        assert_eq!(patch.status, Some(Status::Archived));
        assert!(
            !patch
                .set_field("additional_image_link", "https://x")
                .unwrap()
        );
        for (name, value, shown) in [
            (
                "price",
                "12.5",
                "price: `12.5`: expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            ("price", "", "price: required"),
            (
                "condition",
                "mint",
                "condition: `mint` is not a condition (new, refurbished, used)",
            ),
            (
                "status",
                "staging",
                "status: `staging` is not a status (active, archived)",
            ),
            (
                "quantity_to_sell_on_facebook",
                "-1",
                "quantity_to_sell_on_facebook: `-1` is not a quantity (a whole number)",
            ),
            (
                "quantity_to_sell_on_facebook",
                "99999999999",
                "quantity_to_sell_on_facebook: `99999999999` is too large",
            ),
            ("availability", " ", "availability: required"),
            (
                "id",
                "x",
                "id: the retailer id names the product and cannot be changed",
            ),
        ] {
            let err = ProductPatch::new().set_field(name, value).unwrap_err();
            assert_eq!(err.to_string(), shown);
        }
    }
}
