//! Message templates: the definitions a business creates and Meta reviews, and the template
//! messages it sends with them, reaching customers outside the 24-hour window
//! (docs/templates.md).
//!
//! - [`TemplateDefinition`]: the body of `POST /{waba_id}/message_templates`, checked by
//!   [`validate_template_json`] / [`TemplateDefinition::validate`] (every rule, path, code 100);
//!   [`TemplateKind`] says which commerce template it is.
//! - [`TemplateMessage`]: the `template` of a `type: "template"` send, checked with the rest of
//!   the message by [`crate::validate_json`].
//! - [`fill`]: a send against the template it names (132000, 132005, 132012), giving the
//!   [`FilledTemplate`] the customer sees.
//! - [`TemplateStatusUpdate`]: the `message_template_status_update` webhook's value.

mod builder;
mod check_def;
pub(crate) mod check_send;
mod definition;
mod matching;
mod send;
mod vars;
mod webhook;

pub use builder::{CardBuilder, DefinitionBuilder, TemplateKindMarker};
pub use definition::{
    ButtonType, Category, DefBody, DefButton, DefButtons, DefCard, DefCarousel, DefComponent,
    DefFooter, DefHeader, HeaderFormat, ParameterFormat, TemplateDefinition, TemplateKind,
};
pub use matching::{FilledButton, FilledCard, FilledHeader, FilledTemplate, TemplateError, fill};
pub use send::{
    ActionParameter, ButtonAction, ButtonComponent, ButtonIndex, ButtonSubType, CarouselCard,
    CarouselComponent, ComponentParameters, CouponCodeParameter, Currency, CurrencyParameter,
    DateTime, DateTimeParameter, DocumentParameter, ImageParameter, LocationObject,
    LocationParameter, MediaObject, Parameter, ParameterKind, PayloadParameter, ProductParameter,
    ProductRef, SendComponent, TemplateLanguage, TemplateMessage, TextParameter, VideoParameter,
};
pub use vars::{Var, count as variable_count, fill as fill_variables, variables};
pub use webhook::{TemplateStatus, TemplateStatusUpdate};

use serde_json::Value;

use crate::validate::raw::into_typed;
use crate::validate::report::{Path, Report};
use crate::validate::{InputError, Violations};

/// The limits of templates (docs/templates.md), as constants.
pub mod limits {
    /// A template's name, in characters.
    pub const NAME_MAX: usize = 512;
    /// A text header, in characters (filled in).
    pub const HEADER_TEXT_MAX: usize = 60;
    /// The body, in characters (filled in).
    pub const BODY_TEXT_MAX: usize = 1024;
    /// The footer, in characters.
    pub const FOOTER_TEXT_MAX: usize = 60;
    /// A button's label, in characters.
    pub const BUTTON_TEXT_MAX: usize = 25;
    /// Buttons of a template.
    pub const BUTTONS_MAX: usize = 10;
    /// Quick-reply buttons of a template.
    pub const QUICK_REPLIES_MAX: usize = 10;
    /// URL buttons of a template.
    pub const URL_BUTTONS_MAX: usize = 2;
    /// Phone number buttons of a template.
    pub const PHONE_BUTTONS_MAX: usize = 1;
    /// A URL button's URL, in characters.
    pub const URL_MAX: usize = 2000;
    /// A phone number button's number, in characters.
    pub const PHONE_MAX: usize = 20;
    /// A coupon code, in characters.
    pub const COUPON_CODE_MAX: usize = 15;
    /// Cards of a carousel, at least.
    pub const CARDS_MIN: usize = 2;
    /// Cards of a carousel, at most.
    pub const CARDS_MAX: usize = 10;
    /// A card's body, in characters (filled in).
    pub const CARD_BODY_MAX: usize = 160;
    /// A card's buttons.
    pub const CARD_BUTTONS_MAX: usize = 2;
    /// A text parameter, in characters (Meta's OpenAPI `TextParameter`).
    pub const TEXT_PARAMETER_MAX: usize = 32_768;
}

/// Checks a template definition as raw JSON bytes: every broken rule at once, each with its
/// path and code 100. On success, the typed definition.
///
/// ```
/// use wacart_schema::validate_template_json;
/// let body = br#"{"name":"Spring Sale","language":"en_US","category":"MARKETING",
///   "components":[{"type":"BODY","text":"Hi {{1}}!"},
///                 {"type":"BUTTONS","buttons":[{"type":"CATALOG","text":"View catalog"}]}]}"#;
/// let err = validate_template_json(body).unwrap_err();
/// assert_eq!(err.to_string(), "name: 100: \"Spring Sale\": only lower-case letters, digits and underscores are allowed\n\
///     components[0].example: 100: sample values are required: body_text with 1 value(s)");
/// ```
///
/// # Errors
/// [`InputError::NotJson`] when the bytes are not JSON; [`InputError::Invalid`] with every
/// violation otherwise.
pub fn validate_template_json(bytes: &[u8]) -> Result<TemplateDefinition, InputError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| InputError::NotJson(e.to_string()))?;
    validate_template_value(&value).map_err(InputError::Invalid)
}

/// Like [`validate_template_json`], for an already parsed value.
///
/// # Errors
/// [`Violations`] with every broken rule.
pub fn validate_template_value(value: &Value) -> Result<TemplateDefinition, Violations> {
    let mut r = Report::default();
    check_def::raw_definition(&mut r, value);
    r.finish()?;
    into_typed(value, &Path::Root)
}

impl TemplateDefinition {
    /// Checks every rule of a definition.
    ///
    /// # Errors
    /// [`Violations`] with every broken rule.
    pub fn validate(&self) -> Result<(), Violations> {
        let value = serde_json::to_value(self).map_err(|e| {
            let mut r = Report::default();
            r.push(&Path::Root, crate::codes::INVALID_PARAMETER, e.to_string());
            Violations(r.0)
        })?;
        validate_template_value(&value).map(drop)
    }
}

/// The typed walker's check of a template send: the raw rules over its JSON, so both walkers
/// agree by construction.
pub(crate) fn validate_typed_send(r: &mut Report, p: &Path<'_>, t: &TemplateMessage) {
    match serde_json::to_value(t) {
        Ok(v) => check_send::raw_send(r, p, Some(&v)),
        Err(e) => r.push(p, crate::codes::INVALID_PARAMETER, e.to_string()),
    }
}
