//! Validation of outbound messages: every broken rule at once, each with its JSON path and the
//! Graph error code Meta would answer.
//!
//! There are two entry points and one set of rules:
//! - [`OutboundMessage::validate`] checks a typed message (the types already rule out wrong JSON
//!   types and missing parts, so only value rules remain);
//! - [`validate_json`] / [`validate_value`] check raw JSON as a server receives it: unknown fields
//!   and wrong JSON types (100), missing required fields (131008), and the same value rules.
//!
//! Each rule is one small function below, called by both walkers. Lengths count Unicode scalar
//! values (`str::chars`), which is what a person sees for nearly all text, emoji included.
//!
//! The parts: `report` (the violation types, paths and the report the walkers fill), `rules`
//! (one function per rule), `typed` (the walker over [`OutboundMessage`]) and `raw` (the walker
//! over raw JSON, with the public entry points).

pub(crate) mod raw;
pub(crate) mod report;
pub(crate) mod rules;
mod typed;

pub use raw::{validate_json, validate_kaleyra_value, validate_messages_json, validate_value};
pub use report::{InputError, Violation, Violations};

#[cfg(doc)]
use crate::outbound::OutboundMessage;

/// The limits of spec §1, as constants.
pub mod limits {
    /// `interactive.body.text`, in characters.
    pub const BODY_TEXT_MAX: usize = 1024;
    /// `interactive.footer.text`, in characters.
    pub const FOOTER_TEXT_MAX: usize = 60;
    /// `interactive.header.text` of a product list, in characters.
    pub const HEADER_TEXT_MAX: usize = 60;
    /// A section's `title`, in characters.
    pub const SECTION_TITLE_MAX: usize = 24;
    /// Sections in a product list.
    pub const SECTIONS_MAX: usize = 10;
    /// Product items in a product list, across all its sections.
    pub const PRODUCT_ITEMS_MAX: usize = 30;
    /// A retailer id, in characters.
    pub const RETAILER_ID_MAX: usize = 100;
    /// `text.body` of a text message, in characters.
    pub const TEXT_BODY_MAX: usize = 4096;
    /// `biz_opaque_callback_data`, in characters.
    pub const BIZ_OPAQUE_MAX: usize = 512;
    /// Digits in a phone number (E.164).
    pub const PHONE_DIGITS_MAX: usize = 15;
}

/// Which door's variant of the message is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// Meta's Cloud API (and 360dialog, which takes the same body).
    #[default]
    Meta,
    /// Kaleyra's `messaging_object`: `messaging_product` is mandatory, `recipient_type` may only
    /// be `individual`, no `recipient` (BSUID), and `to` may list several recipients separated
    /// by commas (docs/providers.md §2).
    Kaleyra,
}

/// Choices where the sources disagree (spec §1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Which door's variant to check.
    pub dialect: Dialect,
    /// Require `thumbnail_product_retailer_id` on catalog messages (Meta's OpenAPI does;
    /// the docs do not). Off by default.
    pub strict_catalog_thumbnail: bool,
}

impl Options {
    /// The defaults for a dialect.
    pub fn for_dialect(dialect: Dialect) -> Self {
        Options {
            dialect,
            ..Options::default()
        }
    }

    /// With this dialect.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// With strict catalog thumbnails on or off.
    pub fn strict_catalog_thumbnail(mut self, on: bool) -> Self {
        self.strict_catalog_thumbnail = on;
        self
    }
}
