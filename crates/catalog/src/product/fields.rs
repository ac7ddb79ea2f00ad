//! Feed column names and limits, and reading and checking a field's text: the feed's rules,
//! shared by feed import, batch requests and typed patches.

use wacart_schema::RetailerId;

use super::item::{Full, Product};
use super::kinds::{Availability, Condition, Status};
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
pub(super) fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// Whether `value` is the feed word `word` (lower case), ignoring ASCII case and taking `_`
/// for a space (`In_Stock` is `in stock`). No allocation: this runs for every feed row.
pub(super) fn is_word(value: &str, word: &str) -> bool {
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

pub(super) fn parse_condition(value: &str) -> Result<Condition, String> {
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

pub(super) fn parse_status(value: &str) -> Result<Status, String> {
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

pub(super) fn check_text(value: &str, max: usize, required: bool) -> Result<(), String> {
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

pub(super) fn check_link(value: &str) -> Result<(), String> {
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

/// A product being read from feed text, borrowing the text: each field checked as it is set
/// (the feed's rules, shared with [`ProductPatch::set_field`]), no copy until the product is
/// built.
#[derive(Default)]
pub(crate) struct Draft<'a> {
    pub(super) title: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) availability: Option<Availability>,
    pub(super) condition: Option<Condition>,
    pub(super) price: Option<Money>,
    pub(super) sale_price: Option<Money>,
    pub(super) link: Option<&'a str>,
    pub(super) image_link: Option<&'a str>,
    pub(super) brand: &'a str,
    pub(super) status: Status,
    pub(super) item_group_id: &'a str,
    pub(super) quantity_to_sell: Option<u32>,
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
