//! Products with the fields of Meta's catalog feed (spec §5), and partial updates of them.

use std::fmt;

use wacart_schema::RetailerId;

use crate::error::CatalogError;
use crate::money::{Money, parse_money};

/// Limits on product fields, counted in characters (Unicode scalar values, `chars()`), and on
/// carts.
pub mod limits {
    /// Longest retailer id (`id`).
    pub const RETAILER_ID_MAX: usize = 100;
    /// Longest `title`.
    pub const TITLE_MAX: usize = 200;
    /// Longest `description`.
    pub const DESCRIPTION_MAX: usize = 9999;
    /// Longest `brand`.
    pub const BRAND_MAX: usize = 100;
    /// Longest `item_group_id`.
    pub const ITEM_GROUP_ID_MAX: usize = 100;
    /// Longest `link` or `image_link`.
    pub const LINK_MAX: usize = 2048;
    /// Most units of one item in a cart.
    pub const CART_QUANTITY_MAX: u32 = 99;
}

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

/// Feed column names (also the `data` keys of a batch request).
pub mod field {
    /// The retailer id.
    pub const ID: &str = "id";
    /// Title, required.
    pub const TITLE: &str = "title";
    /// Description, required.
    pub const DESCRIPTION: &str = "description";
    /// Availability, required.
    pub const AVAILABILITY: &str = "availability";
    /// Condition, required.
    pub const CONDITION: &str = "condition";
    /// Price (`9.99 USD`), required.
    pub const PRICE: &str = "price";
    /// Sale price, optional, lower than the price.
    pub const SALE_PRICE: &str = "sale_price";
    /// Product page, required.
    pub const LINK: &str = "link";
    /// Main image, required.
    pub const IMAGE_LINK: &str = "image_link";
    /// Brand, optional.
    pub const BRAND: &str = "brand";
    /// `active` or `archived`, optional (active).
    pub const STATUS: &str = "status";
    /// Variant group, optional.
    pub const ITEM_GROUP_ID: &str = "item_group_id";
    /// Quantity to sell, optional.
    pub const QUANTITY_TO_SELL: &str = "quantity_to_sell_on_facebook";

    /// Columns a feed's header must have.
    pub const REQUIRED: &[&str] = &[
        ID,
        TITLE,
        DESCRIPTION,
        AVAILABILITY,
        CONDITION,
        PRICE,
        LINK,
        IMAGE_LINK,
    ];
}

/// The fields this crate reads, by column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Title,
    Description,
    Availability,
    Condition,
    Price,
    SalePrice,
    Link,
    ImageLink,
    Brand,
    Status,
    ItemGroupId,
    QuantityToSell,
}

impl Field {
    pub(crate) const ALL: [Field; 13] = [
        Field::Id,
        Field::Title,
        Field::Description,
        Field::Availability,
        Field::Condition,
        Field::Price,
        Field::SalePrice,
        Field::Link,
        Field::ImageLink,
        Field::Brand,
        Field::Status,
        Field::ItemGroupId,
        Field::QuantityToSell,
    ];

    /// The field of a column name (trimmed, case-insensitive), if it is one this crate reads.
    pub(crate) fn from_name(name: &str) -> Option<Field> {
        let name = name.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Id => field::ID,
            Field::Title => field::TITLE,
            Field::Description => field::DESCRIPTION,
            Field::Availability => field::AVAILABILITY,
            Field::Condition => field::CONDITION,
            Field::Price => field::PRICE,
            Field::SalePrice => field::SALE_PRICE,
            Field::Link => field::LINK,
            Field::ImageLink => field::IMAGE_LINK,
            Field::Brand => field::BRAND,
            Field::Status => field::STATUS,
            Field::ItemGroupId => field::ITEM_GROUP_ID,
            Field::QuantityToSell => field::QUANTITY_TO_SELL,
        }
    }
}

/// A value as a reason quotes it: in backticks, control characters escaped, at most 40
/// characters, so a report stays one line per problem.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in value.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// `str::trim`, without decoding characters when both ends are plain ASCII (the usual case).
fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// Whether `value` is the feed word `word` (lower case), ignoring ASCII case and taking `_`
/// for a space (`In_Stock` is `in stock`). No allocation: this runs for every feed row.
fn is_word(value: &str, word: &str) -> bool {
    value.len() == word.len()
        && value
            .bytes()
            .zip(word.bytes())
            .all(|(a, b)| a.to_ascii_lowercase() == b || (a == b'_' && b == b' '))
}

fn parse_availability(value: &str) -> Result<Availability, String> {
    if value.is_empty() {
        return Err("required".to_owned());
    }
    Ok(Availability::parse(value))
}

fn parse_condition(value: &str) -> Result<Condition, String> {
    let value = value.trim();
    for c in [Condition::New, Condition::Refurbished, Condition::Used] {
        if is_word(value, c.as_str()) {
            return Ok(c);
        }
    }
    if value.is_empty() {
        return Err("required".to_owned());
    }
    Err(format!(
        "{} is not a condition (new, refurbished, used)",
        quote(value)
    ))
}

fn parse_status(value: &str) -> Result<Status, String> {
    let value = value.trim();
    if value.is_empty() || is_word(value, "active") {
        Ok(Status::Active)
    } else if is_word(value, "archived") {
        Ok(Status::Archived)
    } else {
        Err(format!(
            "{} is not a status (active, archived)",
            quote(value)
        ))
    }
}

fn parse_price(value: &str) -> Result<Money, String> {
    if value.is_empty() {
        return Err("required".to_owned());
    }
    parse_money(value).map_err(|r| format!("{}: {r}", quote(value)))
}

fn parse_sale_price(value: &str) -> Result<Option<Money>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    parse_price(value).map(Some)
}

fn parse_quantity(value: &str) -> Result<Option<u32>, String> {
    if value.is_empty() {
        Ok(None)
    } else if value.bytes().all(|b| b.is_ascii_digit()) {
        value
            .parse::<u32>()
            .map(Some)
            .map_err(|_| format!("{} is too large", quote(value)))
    } else {
        Err(format!(
            "{} is not a quantity (a whole number)",
            quote(value)
        ))
    }
}

fn check_text(value: &str, max: usize, required: bool) -> Result<(), String> {
    if required && value.is_empty() {
        return Err("required".to_owned());
    }
    // Counted in Unicode scalar values, as a person sees characters (spec §1.4). A text of at
    // most `max` bytes has at most `max` characters: only longer ones need counting.
    if value.len() > max {
        let n = value.chars().count();
        if n > max {
            return Err(format!("longer than {max} characters ({n})"));
        }
    }
    Ok(())
}

fn check_link(value: &str) -> Result<(), String> {
    check_text(value, limits::LINK_MAX, true)?;
    let bad = || format!("{} is not an http(s) URL", quote(value));
    let scheme = if value
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        8
    } else if value
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    {
        7
    } else {
        return Err(bad());
    };
    // One pass over the bytes; characters are decoded only for a non-ASCII link.
    let spaced = match value
        .bytes()
        .position(|b| !b.is_ascii() || b.is_ascii_whitespace())
    {
        None => false,
        Some(i) if value.as_bytes().get(i).is_some_and(u8::is_ascii) => true,
        Some(_) => value.chars().any(char::is_whitespace),
    };
    if value.len() == scheme || spaced {
        return Err(bad());
    }
    Ok(())
}

/// Checks a retailer id: 1..=100 characters.
pub(crate) fn check_retailer_id(id: &str) -> Result<(), String> {
    check_text(id, limits::RETAILER_ID_MAX, true)
}

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

    fn between(a: &Product, b: &Product) -> Changed {
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

/// A product being read from feed text, borrowing the text: each field checked as it is set
/// (the feed's rules, shared with [`ProductPatch::set_field`]), no copy until the product is
/// built.
#[derive(Default)]
pub(crate) struct Draft<'a> {
    title: Option<&'a str>,
    description: Option<&'a str>,
    availability: Option<Availability>,
    condition: Option<Condition>,
    price: Option<Money>,
    sale_price: Option<Money>,
    link: Option<&'a str>,
    image_link: Option<&'a str>,
    brand: &'a str,
    status: Status,
    item_group_id: &'a str,
    quantity_to_sell: Option<u32>,
}

impl<'a> Draft<'a> {
    /// Reads one field from its text (trimmed); the error is the reason alone.
    pub(crate) fn set(&mut self, field: Field, value: &'a str) -> Result<(), String> {
        let value = trim(value);
        match field {
            Field::Id => {}
            Field::Title => {
                check_text(value, limits::TITLE_MAX, true)?;
                self.title = Some(value);
            }
            Field::Description => {
                check_text(value, limits::DESCRIPTION_MAX, true)?;
                self.description = Some(value);
            }
            Field::Availability => self.availability = Some(parse_availability(value)?),
            Field::Condition => self.condition = Some(parse_condition(value)?),
            Field::Price => self.price = Some(parse_price(value)?),
            Field::SalePrice => self.sale_price = parse_sale_price(value)?,
            Field::Link => {
                check_link(value)?;
                self.link = Some(value);
            }
            Field::ImageLink => {
                check_link(value)?;
                self.image_link = Some(value);
            }
            Field::Brand => {
                check_text(value, limits::BRAND_MAX, false)?;
                self.brand = value;
            }
            Field::Status => self.status = parse_status(value)?,
            Field::ItemGroupId => {
                check_text(value, limits::ITEM_GROUP_ID_MAX, false)?;
                self.item_group_id = value;
            }
            Field::QuantityToSell => self.quantity_to_sell = parse_quantity(value)?,
        }
        Ok(())
    }

    /// The product, once every required field is set; `(field, reason)` otherwise, or when the
    /// sale price is not lower than the price.
    pub(crate) fn build(self, retailer_id: RetailerId) -> Result<Product, (Field, String)> {
        let missing = |f: Field| (f, "required".to_owned());
        let full = Full {
            title: self.title.ok_or_else(|| missing(Field::Title))?,
            description: self
                .description
                .ok_or_else(|| missing(Field::Description))?,
            availability: self
                .availability
                .ok_or_else(|| missing(Field::Availability))?,
            condition: self.condition.ok_or_else(|| missing(Field::Condition))?,
            price: self.price.ok_or_else(|| missing(Field::Price))?,
            sale_price: self.sale_price,
            link: self.link.ok_or_else(|| missing(Field::Link))?,
            image_link: self.image_link.ok_or_else(|| missing(Field::ImageLink))?,
            brand: self.brand,
            status: self.status,
            item_group_id: self.item_group_id,
            quantity_to_sell: self.quantity_to_sell,
        };
        Product::assemble(retailer_id, full).map_err(|e| match e {
            CatalogError::InvalidField { reason, .. } => (Field::SalePrice, reason),
            other => (Field::SalePrice, other.to_string()),
        })
    }
}

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
#[serde(try_from = "ProductWire")]
pub struct Product {
    retailer_id: RetailerId,
    texts: Texts,
    price: Money,
    sale_minor: Option<u64>,
    availability: Availability,
    condition: Condition,
    status: Status,
    quantity_to_sell: Option<u32>,
}

/// Every field of a product, borrowed, before it is assembled.
struct Full<'a> {
    title: &'a str,
    description: &'a str,
    availability: Availability,
    condition: Condition,
    price: Money,
    sale_price: Option<Money>,
    link: &'a str,
    image_link: &'a str,
    brand: &'a str,
    status: Status,
    item_group_id: &'a str,
    quantity_to_sell: Option<u32>,
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

    fn assemble(retailer_id: RetailerId, f: Full<'_>) -> Result<Product, CatalogError> {
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

/// A product as it is serialized, borrowed from it.
#[derive(serde::Serialize)]
struct ProductRef<'a> {
    retailer_id: &'a RetailerId,
    title: &'a str,
    description: &'a str,
    availability: &'a Availability,
    condition: Condition,
    price: Money,
    sale_price: Option<Money>,
    link: &'a str,
    image_link: &'a str,
    brand: Option<&'a str>,
    status: Status,
    item_group_id: Option<&'a str>,
    quantity_to_sell: Option<u32>,
}

impl serde::Serialize for Product {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ProductRef {
            retailer_id: &self.retailer_id,
            title: self.title(),
            description: self.description(),
            availability: &self.availability,
            condition: self.condition,
            price: self.price,
            sale_price: self.sale_price(),
            link: self.link(),
            image_link: self.image_link(),
            brand: self.brand(),
            status: self.status,
            item_group_id: self.item_group_id(),
            quantity_to_sell: self.quantity_to_sell,
        }
        .serialize(serializer)
    }
}

/// What a [`Product`] deserializes from: the fields of [`ProductRef`], owned.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductWire {
    retailer_id: RetailerId,
    title: String,
    description: String,
    availability: Availability,
    condition: Condition,
    price: Money,
    #[serde(default)]
    sale_price: Option<Money>,
    link: String,
    image_link: String,
    #[serde(default)]
    brand: Option<String>,
    status: Status,
    #[serde(default)]
    item_group_id: Option<String>,
    #[serde(default)]
    quantity_to_sell: Option<u32>,
}

impl TryFrom<ProductWire> for Product {
    type Error = String;

    /// The product [`Product::new`] makes of these fields, with its checks.
    fn try_from(w: ProductWire) -> Result<Self, Self::Error> {
        let patch = ProductPatch {
            title: Some(w.title),
            description: Some(w.description),
            availability: Some(w.availability),
            condition: Some(w.condition),
            price: Some(w.price),
            sale_price: Some(w.sale_price),
            link: Some(w.link),
            image_link: Some(w.image_link),
            brand: Some(w.brand),
            status: Some(w.status),
            item_group_id: Some(w.item_group_id),
            quantity_to_sell: Some(w.quantity_to_sell),
        };
        Product::new(w.retailer_id.clone(), &patch)
            .map_err(|e| format!("product {}: {e}", quote(w.retailer_id.as_str())))
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
pub(crate) mod tests {
    use super::*;

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
    fn serde_writes_every_field_and_reads_it_back() {
        let patch = full_patch("Shirt", "19.99")
            .sale_price(Some(usd("14.99")))
            .brand(Some("Acme".into()))
            .item_group_id(Some("shirts".into()))
            .quantity_to_sell(Some(7))
            .condition(Condition::Refurbished)
            .status(Status::Archived)
            .availability(Availability::Unknown("in stock".into()));
        let p = Product::new(RetailerId::new("sku-1"), &patch).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"retailer_id":"sku-1","title":"Shirt","description":"A fine thing","availability":{"unknown":"in stock"},"condition":"refurbished","price":{"minor":1999,"currency":"USD"},"sale_price":{"minor":1499,"currency":"USD"},"link":"https://shop.example/p","image_link":"https://cdn.example/p.jpg","brand":"Acme","status":"archived","item_group_id":"shirts","quantity_to_sell":7}"#
        );
        let back: Product = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(
            !back.availability().allows_purchase(),
            "an unknown value stays unknown, even one that reads like a feed value"
        );
        let plain = Product::new(RetailerId::new("b"), &full_patch("Hat", "5")).unwrap();
        let json = serde_json::to_string(&plain).unwrap();
        assert!(
            json.contains(r#""availability":"in_stock","condition":"new""#),
            "{json}"
        );
        assert!(json.contains(r#""brand":null,"status":"active","item_group_id":null"#));
        assert_eq!(serde_json::from_str::<Product>(&json).unwrap(), plain);
        for (which, text) in [
            (Availability::OutOfStock, r#""out_of_stock""#),
            (Availability::Preorder, r#""preorder""#),
            (Availability::AvailableForOrder, r#""available_for_order""#),
            (Availability::Discontinued, r#""discontinued""#),
        ] {
            assert_eq!(serde_json::to_string(&which).unwrap(), text);
            assert_eq!(serde_json::from_str::<Availability>(text).unwrap(), which);
        }
    }

    #[test]
    fn serde_refuses_a_product_that_breaks_a_rule() {
        let good = Product::new(RetailerId::new("a"), &full_patch("A", "10")).unwrap();
        let json = serde_json::to_value(&good).unwrap();
        let with = |key: &str, value: serde_json::Value| {
            let mut v = json.clone();
            v[key] = value;
            serde_json::from_value::<Product>(v)
        };
        let sale = serde_json::json!({"minor": 1000, "currency": "USD"});
        for (bad, shown) in [
            (
                with("sale_price", sale),
                "product `a`: sale_price: 10.00 USD is not lower than the price 10.00 USD",
            ),
            (
                with(
                    "sale_price",
                    serde_json::json!({"minor": 1, "currency": "EUR"}),
                ),
                "product `a`: sale_price: in EUR, but the price is in USD",
            ),
            (with("title", "".into()), "product `a`: title: required"),
            (
                with("link", "ftp://x".into()),
                "product `a`: link: `ftp://x` is not an http(s) URL",
            ),
            (with("retailer_id", "".into()), "product ``: id: required"),
            (
                with("availability", serde_json::json!({"unknown": " "})),
                "product `a`: availability: required",
            ),
        ] {
            assert_eq!(bad.unwrap_err().to_string(), shown);
        }
        assert!(with("availability", "in stock".into()).is_err());
        assert!(
            with("extra", 1.into()).is_err(),
            "unknown fields are refused"
        );
        let mut v = json.clone();
        v.as_object_mut().unwrap().remove("title");
        assert!(serde_json::from_value::<Product>(v).is_err());
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
