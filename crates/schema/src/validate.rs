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

use std::fmt;

use serde_json::{Map, Value};

use crate::codes;
use crate::outbound::{Content, Interactive, OutboundMessage};

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

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// Where, dotted with indices in brackets: `interactive.action.sections[1].title`.
    pub path: String,
    /// The Graph error code Meta would answer: 100, 131008, 131009 or 131051.
    pub code: u32,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.code, self.message)
    }
}

/// Every broken rule of one message (never empty), in a stable order: the typed walker follows
/// the struct, the raw walker takes an object's keys alphabetically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// The violations.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// The first violation: what a Graph error response reports.
    pub fn first(&self) -> &Violation {
        &self.0[0]
    }

    /// The violations, owned.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Why raw input is not a valid message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The bytes are not JSON at all (or not UTF-8).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but it breaks rules.
    #[error("{0}")]
    Invalid(Violations),
}

/// Which door's variant of the message is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// Meta's Cloud API (and 360dialog, which takes the same body).
    #[default]
    Meta,
    /// Kaleyra's `messaging_object`: `messaging_product` may be left out, and `to` may list
    /// several recipients separated by commas.
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

// ---------------------------------------------------------------------------------------------
// Paths, built on the stack and rendered only when a rule breaks.

#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }
    fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
    fn render(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.render(out);
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
}

#[derive(Default)]
struct Report(Vec<Violation>);

impl Report {
    fn push(&mut self, path: &Path<'_>, code: u32, message: impl Into<String>) {
        let mut rendered = String::new();
        path.render(&mut rendered);
        if rendered.is_empty() {
            rendered.push('$');
        }
        self.0.push(Violation {
            path: rendered,
            code,
            message: message.into(),
        });
    }

    fn finish(self) -> Result<(), Violations> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.0))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The rules: one function each, shared by both walkers.

/// Character count, without walking the string when its byte length already proves the bound.
fn chars_over(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

fn rule_text(r: &mut Report, path: &Path<'_>, s: &str, max: usize) {
    if s.is_empty() {
        r.push(path, codes::PARAMETER_VALUE_INVALID, "must not be empty");
    } else if let Some(n) = chars_over(s, max) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("is {n} characters long; at most {max} are allowed"),
        );
    }
}

fn rule_optional_text(r: &mut Report, path: &Path<'_>, s: &str, max: usize) {
    if let Some(n) = chars_over(s, max) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("is {n} characters long; at most {max} are allowed"),
        );
    }
}

fn rule_messaging_product(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "whatsapp" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"whatsapp\", not {s:?}"),
        );
    }
}

fn rule_recipient_type(r: &mut Report, path: &Path<'_>, s: &str) -> bool {
    match s {
        "individual" => false,
        "group" => true,
        other => {
            r.push(
                path,
                codes::PARAMETER_VALUE_INVALID,
                format!("must be \"individual\" or \"group\", not {other:?}"),
            );
            false
        }
    }
}

fn is_phone(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    !digits.is_empty()
        && digits.len() <= limits::PHONE_DIGITS_MAX
        && digits.bytes().all(|b| b.is_ascii_digit())
}

fn rule_to(r: &mut Report, path: &Path<'_>, s: &str, group: bool, dialect: Dialect) {
    if group {
        if s.trim().is_empty() {
            r.push(path, codes::PARAMETER_VALUE_INVALID, "must name the group");
        }
        return;
    }
    let ok = match dialect {
        Dialect::Meta => is_phone(s),
        Dialect::Kaleyra => s.split(',').all(|one| is_phone(one.trim())),
    };
    if !ok {
        let what = match dialect {
            Dialect::Meta => "a phone number",
            Dialect::Kaleyra => "phone numbers separated by commas",
        };
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be {what}: up to 15 digits, with an optional leading '+'"),
        );
    }
}

fn rule_catalog_id(r: &mut Report, path: &Path<'_>, s: &str) {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must be a catalog id: a string of digits",
        );
    }
}

fn rule_retailer_id(r: &mut Report, path: &Path<'_>, s: &str) {
    if s.is_empty() {
        r.push(path, codes::PARAMETER_VALUE_INVALID, "must not be empty");
    } else if let Some(n) = chars_over(s, limits::RETAILER_ID_MAX) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!(
                "is {n} characters long; a retailer id has at most {}",
                limits::RETAILER_ID_MAX
            ),
        );
    }
}

fn rule_section_count(r: &mut Report, path: &Path<'_>, n: usize) {
    if n == 0 {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must hold at least one section",
        );
    } else if n > limits::SECTIONS_MAX {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!(
                "has {n} sections; at most {} are allowed",
                limits::SECTIONS_MAX
            ),
        );
    }
}

fn rule_section_title(r: &mut Report, path: &Path<'_>, title: Option<&str>, sections: usize) {
    match title {
        None | Some("") if sections > 1 => r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "required when there is more than one section",
        ),
        None => {}
        Some(t) => rule_optional_text(r, path, t, limits::SECTION_TITLE_MAX),
    }
}

fn rule_items_nonempty(r: &mut Report, path: &Path<'_>, n: usize) {
    if n == 0 {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must hold at least one product item",
        );
    }
}

/// Called with the running total before each item; reports the first item past the limit once.
fn rule_item_total(r: &mut Report, path: &Path<'_>, seen_before: usize, total: usize) {
    if seen_before == limits::PRODUCT_ITEMS_MAX {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!(
                "is product item {} of {total}; at most {} are allowed across all sections",
                seen_before + 1,
                limits::PRODUCT_ITEMS_MAX
            ),
        );
    }
}

fn rule_action_name(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "catalog_message" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"catalog_message\", not {s:?}"),
        );
    }
}

fn rule_no_header(r: &mut Report, path: &Path<'_>, kind: &str) {
    r.push(
        path,
        codes::PARAMETER_VALUE_INVALID,
        format!("a header is not allowed on {kind} messages"),
    );
}

fn rule_header_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "text" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"text\" for product_list messages, not {s:?}"),
        );
    }
}

fn rule_missing_thumbnail(r: &mut Report, path: &Path<'_>) {
    r.push(
        path,
        codes::REQUIRED_PARAMETER_MISSING,
        "required (strict catalog messages)",
    );
}

/// WhatsApp's message types; `type` outside this list is 131051.
const MESSAGE_TYPES: &[&str] = &[
    "audio",
    "contacts",
    "document",
    "image",
    "interactive",
    "location",
    "reaction",
    "sticker",
    "template",
    "text",
    "video",
];

/// Interactive types other than the three commerce ones: accepted, not checked further.
const OTHER_INTERACTIVE_TYPES: &[&str] = &[
    "button",
    "list",
    "cta_url",
    "flow",
    "location_request_message",
    "address_message",
    "order_details",
    "order_status",
    "voice_call",
    "call_permission_request",
];

fn rule_message_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if !MESSAGE_TYPES.contains(&s) {
        r.push(
            path,
            codes::UNSUPPORTED_MESSAGE_TYPE,
            format!("{s:?} is not a message type"),
        );
    }
}

fn rule_interactive_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if !OTHER_INTERACTIVE_TYPES.contains(&s) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("{s:?} is not an interactive type"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The typed walker.

impl OutboundMessage {
    /// Checks every rule of spec §1 with the default [`Options`].
    ///
    /// # Errors
    /// [`Violations`] with every broken rule, each with its path and Graph code.
    pub fn validate(&self) -> Result<(), Violations> {
        self.validate_with(&Options::default())
    }

    /// Checks every rule of spec §1 with the given options.
    ///
    /// # Errors
    /// [`Violations`] with every broken rule, each with its path and Graph code.
    pub fn validate_with(&self, opts: &Options) -> Result<(), Violations> {
        let mut r = Report::default();
        let root = Path::Root;
        let group = match &self.recipient_type {
            Some(rt) => rule_recipient_type(&mut r, &root.key("recipient_type"), rt.as_str()),
            None => false,
        };
        rule_to(
            &mut r,
            &root.key("to"),
            self.to.as_str(),
            group,
            opts.dialect,
        );
        if let Some(b) = &self.biz_opaque_callback_data {
            rule_optional_text(
                &mut r,
                &root.key("biz_opaque_callback_data"),
                b,
                limits::BIZ_OPAQUE_MAX,
            );
        }
        match &self.content {
            Content::Text(t) => {
                rule_text(
                    &mut r,
                    &root.key("text").key("body"),
                    &t.body,
                    limits::TEXT_BODY_MAX,
                );
            }
            Content::Interactive(i) => typed_interactive(&mut r, &root.key("interactive"), i, opts),
            Content::Other { kind, .. } => rule_message_type(&mut r, &root.key("type"), kind),
        }
        r.finish()
    }
}

fn typed_interactive(r: &mut Report, p: &Path<'_>, i: &Interactive, opts: &Options) {
    let body = p.key("body");
    let body_text = body.key("text");
    let footer = p.key("footer");
    let footer_text = footer.key("text");
    let action = p.key("action");
    match i {
        Interactive::Product(m) => {
            if let Some(b) = &m.body {
                rule_text(r, &body_text, &b.text, limits::BODY_TEXT_MAX);
            }
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_catalog_id(r, &action.key("catalog_id"), m.action.catalog_id.as_str());
            rule_retailer_id(
                r,
                &action.key("product_retailer_id"),
                m.action.product_retailer_id.as_str(),
            );
        }
        Interactive::ProductList(m) => {
            let header = p.key("header");
            rule_header_type(r, &header.key("type"), m.header.kind.as_str());
            rule_text(
                r,
                &header.key("text"),
                &m.header.text,
                limits::HEADER_TEXT_MAX,
            );
            rule_text(r, &body_text, &m.body.text, limits::BODY_TEXT_MAX);
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_catalog_id(r, &action.key("catalog_id"), m.action.catalog_id.as_str());
            let sections = action.key("sections");
            let n = m.action.sections.len();
            rule_section_count(r, &sections, n);
            let total = m
                .action
                .sections
                .iter()
                .map(|s| s.product_items.len())
                .sum();
            let mut seen = 0;
            for (si, s) in m.action.sections.iter().enumerate() {
                let sp = sections.index(si);
                rule_section_title(r, &sp.key("title"), s.title.as_deref(), n);
                let items = sp.key("product_items");
                rule_items_nonempty(r, &items, s.product_items.len());
                for (ii, item) in s.product_items.iter().enumerate() {
                    let ip = items.index(ii);
                    rule_item_total(r, &ip, seen, total);
                    seen += 1;
                    rule_retailer_id(
                        r,
                        &ip.key("product_retailer_id"),
                        item.product_retailer_id.as_str(),
                    );
                }
            }
        }
        Interactive::CatalogMessage(m) => {
            rule_text(r, &body_text, &m.body.text, limits::BODY_TEXT_MAX);
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_action_name(r, &action.key("name"), &m.action.name);
            let params = action.key("parameters");
            let thumb = params.key("thumbnail_product_retailer_id");
            match m
                .action
                .parameters
                .as_ref()
                .and_then(|p| p.thumbnail_product_retailer_id.as_ref())
            {
                Some(id) => rule_retailer_id(r, &thumb, id.as_str()),
                None if opts.strict_catalog_thumbnail => rule_missing_thumbnail(r, &thumb),
                None => {}
            }
        }
        Interactive::Other(map) => match map.get("type").and_then(Value::as_str) {
            Some(kind) => rule_interactive_type(r, &p.key("type"), kind),
            None => r.push(
                &p.key("type"),
                codes::REQUIRED_PARAMETER_MISSING,
                "required",
            ),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The raw walker.

/// Checks a message as raw JSON bytes: unknown fields, wrong JSON types, missing fields and
/// every value rule, all reported at once. On success, the typed message.
///
/// ```
/// use wacart_schema::{validate_json, Options};
/// let body = br#"{"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
///   "interactive":{"type":"product","action":{"catalog_id":"1","product_retailer_id":"x"},
///   "header":{"type":"text","text":"no"},"colour":"red"}}"#;
/// let err = validate_json(body, &Options::default()).unwrap_err();
/// assert_eq!(err.to_string(), "interactive.colour: 100: unknown field\n\
///     interactive.header: 131009: a header is not allowed on product messages");
/// ```
///
/// # Errors
/// [`InputError::NotJson`] when the bytes are not JSON; [`InputError::Invalid`] with every
/// violation otherwise.
pub fn validate_json(bytes: &[u8], opts: &Options) -> Result<OutboundMessage, InputError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| InputError::NotJson(e.to_string()))?;
    validate_value(&value, opts).map_err(InputError::Invalid)
}

/// Like [`validate_json`], for an already parsed value.
///
/// # Errors
/// [`Violations`] with every broken rule.
pub fn validate_value(value: &Value, opts: &Options) -> Result<OutboundMessage, Violations> {
    let mut r = Report::default();
    raw_message(&mut r, &Path::Root, value, opts);
    r.finish()?;
    into_typed(value, &Path::Root)
}

/// Converts a value that passed the raw walk; a disagreement between walker and types is
/// reported as a violation rather than a panic.
fn into_typed<T: serde::de::DeserializeOwned>(
    value: &Value,
    path: &Path<'_>,
) -> Result<T, Violations> {
    T::deserialize(value).map_err(|e| {
        let mut r = Report::default();
        r.push(path, codes::INVALID_PARAMETER, e.to_string());
        Violations(r.0)
    })
}

/// Checks a Kaleyra request envelope (`messaging_object` and `extra_info`); paths start with
/// `messaging_object.`. Refs longer than 255 characters are not violations: Kaleyra truncates
/// them (see [`crate::KaleyraRequest::normalize`]).
///
/// # Errors
/// [`Violations`] with every broken rule.
pub fn validate_kaleyra_value(
    value: &Value,
    opts: &Options,
) -> Result<crate::KaleyraRequest, Violations> {
    let opts = Options {
        dialect: Dialect::Kaleyra,
        ..*opts
    };
    let mut r = Report::default();
    let root = Path::Root;
    if let Some(map) = object(&mut r, &root, value) {
        unknown_keys(&mut r, &root, map, &["messaging_object", "extra_info"]);
        match map.get("messaging_object") {
            Some(m) => raw_message(&mut r, &root.key("messaging_object"), m, &opts),
            None => missing(&mut r, &root.key("messaging_object")),
        }
        if let Some(extra) = map.get("extra_info") {
            let p = root.key("extra_info");
            if let Some(e) = object(&mut r, &p, extra) {
                unknown_keys(&mut r, &p, e, &["ref", "ref1", "ref2", "wa_source"]);
                for k in ["ref", "ref1", "ref2", "wa_source"] {
                    string(&mut r, &p.key(k), e, k, false);
                }
            }
        }
    }
    r.finish()?;
    into_typed(value, &root)
}

fn object<'v>(r: &mut Report, path: &Path<'_>, v: &'v Value) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            wrong_type(r, path, "an object", other);
            None
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(r: &mut Report, path: &Path<'_>, expected: &str, found: &Value) {
    r.push(
        path,
        codes::INVALID_PARAMETER,
        format!("expected {expected}, found {}", json_kind(found)),
    );
}

fn missing(r: &mut Report, path: &Path<'_>) {
    r.push(path, codes::REQUIRED_PARAMETER_MISSING, "required");
}

fn unknown_keys(r: &mut Report, path: &Path<'_>, map: &Map<String, Value>, allowed: &[&str]) {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            r.push(&path.key(key), codes::INVALID_PARAMETER, "unknown field");
        }
    }
}

/// The string at `map[key]`: reports a wrong type, and a missing key when `required`.
fn string<'v>(
    r: &mut Report,
    path: &Path<'_>,
    map: &'v Map<String, Value>,
    key: &str,
    required: bool,
) -> Option<&'v str> {
    match map.get(key) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            wrong_type(r, path, "a string", other);
            None
        }
        None => {
            if required {
                missing(r, path);
            }
            None
        }
    }
}

fn raw_message(r: &mut Report, root: &Path<'_>, value: &Value, opts: &Options) {
    let Some(map) = object(r, root, value) else {
        return;
    };
    let kaleyra = opts.dialect == Dialect::Kaleyra;
    let p_mp = root.key("messaging_product");
    if let Some(mp) = string(r, &p_mp, map, "messaging_product", !kaleyra) {
        rule_messaging_product(r, &p_mp, mp);
    }
    let p_rt = root.key("recipient_type");
    let group = match string(r, &p_rt, map, "recipient_type", false) {
        Some(rt) => rule_recipient_type(r, &p_rt, rt),
        None => false,
    };
    let p_to = root.key("to");
    if let Some(to) = string(r, &p_to, map, "to", true) {
        rule_to(r, &p_to, to, group, opts.dialect);
    }
    let p_biz = root.key("biz_opaque_callback_data");
    if let Some(b) = string(r, &p_biz, map, "biz_opaque_callback_data", false) {
        rule_optional_text(r, &p_biz, b, limits::BIZ_OPAQUE_MAX);
    }
    if let Some(ctx) = map.get("context") {
        let p = root.key("context");
        if let Some(c) = object(r, &p, ctx) {
            unknown_keys(r, &p, c, &["message_id"]);
            if let Some(id) = string(r, &p.key("message_id"), c, "message_id", true)
                && id.is_empty()
            {
                r.push(
                    &p.key("message_id"),
                    codes::PARAMETER_VALUE_INVALID,
                    "must not be empty",
                );
            }
        }
    }
    let p_type = root.key("type");
    // `type` defaults to `text` on every door (Meta's docs; its own preview-URL example omits it).
    let kind = match string(r, &p_type, map, "type", false) {
        Some(k) => Some(k),
        None if !map.contains_key("type") => Some("text"),
        None => None,
    };
    const ENVELOPE: &[&str] = &[
        "messaging_product",
        "recipient_type",
        "to",
        "type",
        "context",
        "biz_opaque_callback_data",
    ];
    let known_kind = kind.filter(|k| MESSAGE_TYPES.contains(k));
    for key in map.keys() {
        let key = key.as_str();
        if ENVELOPE.contains(&key) || Some(key) == kind {
            continue;
        }
        if MESSAGE_TYPES.contains(&key) {
            // Another type's content: wrong only once `type` is known to be something else.
            if let Some(k) = known_kind {
                r.push(
                    &root.key(key),
                    codes::INVALID_PARAMETER,
                    format!("not allowed with type {k:?}"),
                );
            }
        } else {
            r.push(&root.key(key), codes::INVALID_PARAMETER, "unknown field");
        }
    }
    let Some(kind) = kind else { return };
    match kind {
        "text" => {
            let p = root.key("text");
            match map.get("text") {
                Some(t) => {
                    if let Some(t) = object(r, &p, t) {
                        unknown_keys(r, &p, t, &["body", "preview_url"]);
                        let pb = p.key("body");
                        if let Some(body) = string(r, &pb, t, "body", true) {
                            rule_text(r, &pb, body, limits::TEXT_BODY_MAX);
                        }
                        if let Some(v) = t.get("preview_url")
                            && !v.is_boolean()
                        {
                            wrong_type(r, &p.key("preview_url"), "a boolean", v);
                        }
                    }
                }
                None => missing(r, &p),
            }
        }
        "interactive" => {
            let p = root.key("interactive");
            match map.get("interactive") {
                Some(i) => raw_interactive(r, &p, i, opts),
                None => missing(r, &p),
            }
        }
        other => rule_message_type(r, &p_type, other),
    }
}

/// `{"text": "..."}` objects: body, footer.
fn raw_text_object(r: &mut Report, path: &Path<'_>, v: &Value, max: usize, nonempty: bool) {
    let Some(map) = object(r, path, v) else {
        return;
    };
    unknown_keys(r, path, map, &["text"]);
    let p = path.key("text");
    if let Some(s) = string(r, &p, map, "text", true) {
        if nonempty {
            rule_text(r, &p, s, max);
        } else {
            rule_optional_text(r, &p, s, max);
        }
    }
}

fn raw_interactive(r: &mut Report, p: &Path<'_>, v: &Value, opts: &Options) {
    let Some(map) = object(r, p, v) else { return };
    let p_type = p.key("type");
    let Some(kind) = string(r, &p_type, map, "type", true) else {
        return;
    };
    let (allowed, body_required): (&[&str], bool) = match kind {
        "product" => (&["type", "body", "footer", "action"], false),
        "product_list" => (&["type", "header", "body", "footer", "action"], true),
        "catalog_message" => (&["type", "body", "footer", "action"], true),
        other => {
            rule_interactive_type(r, &p_type, other);
            return;
        }
    };
    for key in map.keys() {
        if key == "header" && kind != "product_list" {
            rule_no_header(r, &p.key("header"), kind);
        } else if !allowed.contains(&key.as_str()) {
            r.push(&p.key(key), codes::INVALID_PARAMETER, "unknown field");
        }
    }
    if kind == "product_list" {
        let ph = p.key("header");
        match map.get("header") {
            Some(h) => {
                if let Some(h) = object(r, &ph, h) {
                    unknown_keys(r, &ph, h, &["type", "text"]);
                    let pt = ph.key("type");
                    if let Some(t) = string(r, &pt, h, "type", true) {
                        rule_header_type(r, &pt, t);
                    }
                    let px = ph.key("text");
                    if let Some(t) = string(r, &px, h, "text", true) {
                        rule_text(r, &px, t, limits::HEADER_TEXT_MAX);
                    }
                }
            }
            None => missing(r, &ph),
        }
    }
    let pb = p.key("body");
    match map.get("body") {
        Some(b) => raw_text_object(r, &pb, b, limits::BODY_TEXT_MAX, true),
        None if body_required => missing(r, &pb),
        None => {}
    }
    if let Some(f) = map.get("footer") {
        raw_text_object(r, &p.key("footer"), f, limits::FOOTER_TEXT_MAX, false);
    }
    let pa = p.key("action");
    let Some(action) = map.get("action") else {
        missing(r, &pa);
        return;
    };
    let Some(action) = object(r, &pa, action) else {
        return;
    };
    match kind {
        "product" => {
            unknown_keys(r, &pa, action, &["catalog_id", "product_retailer_id"]);
            raw_catalog_id(r, &pa, action);
            let pr = pa.key("product_retailer_id");
            if let Some(id) = string(r, &pr, action, "product_retailer_id", true) {
                rule_retailer_id(r, &pr, id);
            }
        }
        "product_list" => {
            unknown_keys(r, &pa, action, &["catalog_id", "sections"]);
            raw_catalog_id(r, &pa, action);
            raw_sections(r, &pa.key("sections"), action.get("sections"));
        }
        _ => {
            unknown_keys(r, &pa, action, &["name", "parameters"]);
            let pn = pa.key("name");
            if let Some(name) = string(r, &pn, action, "name", true) {
                rule_action_name(r, &pn, name);
            }
            let pp = pa.key("parameters");
            let pt = pp.key("thumbnail_product_retailer_id");
            match action.get("parameters") {
                Some(params) => {
                    if let Some(params) = object(r, &pp, params) {
                        unknown_keys(r, &pp, params, &["thumbnail_product_retailer_id"]);
                        let strict = opts.strict_catalog_thumbnail;
                        if let Some(id) =
                            string(r, &pt, params, "thumbnail_product_retailer_id", strict)
                        {
                            rule_retailer_id(r, &pt, id);
                        }
                    }
                }
                None if opts.strict_catalog_thumbnail => rule_missing_thumbnail(r, &pt),
                None => {}
            }
        }
    }
}

fn raw_catalog_id(r: &mut Report, pa: &Path<'_>, action: &Map<String, Value>) {
    let pc = pa.key("catalog_id");
    if let Some(id) = string(r, &pc, action, "catalog_id", true) {
        rule_catalog_id(r, &pc, id);
    }
}

fn raw_sections(r: &mut Report, ps: &Path<'_>, sections: Option<&Value>) {
    let sections = match sections {
        Some(Value::Array(a)) => a,
        Some(other) => return wrong_type(r, ps, "an array", other),
        None => return missing(r, ps),
    };
    rule_section_count(r, ps, sections.len());
    let items_of = |s: &Value| {
        s.get("product_items")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let total = sections.iter().map(items_of).sum();
    let mut seen = 0;
    for (si, s) in sections.iter().enumerate() {
        let sp = ps.index(si);
        let Some(s) = object(r, &sp, s) else { continue };
        unknown_keys(r, &sp, s, &["title", "product_items"]);
        let pt = sp.key("title");
        match s.get("title") {
            Some(Value::String(t)) => rule_section_title(r, &pt, Some(t), sections.len()),
            Some(other) => wrong_type(r, &pt, "a string", other),
            None => rule_section_title(r, &pt, None, sections.len()),
        }
        let pi = sp.key("product_items");
        let items = match s.get("product_items") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                wrong_type(r, &pi, "an array", other);
                continue;
            }
            None => {
                missing(r, &pi);
                continue;
            }
        };
        rule_items_nonempty(r, &pi, items.len());
        for (ii, item) in items.iter().enumerate() {
            let ip = pi.index(ii);
            rule_item_total(r, &ip, seen, total);
            seen += 1;
            let Some(item) = object(r, &ip, item) else {
                continue;
            };
            unknown_keys(r, &ip, item, &["product_retailer_id"]);
            let pr = ip.key("product_retailer_id");
            if let Some(id) = string(r, &pr, item, "product_retailer_id", true) {
                rule_retailer_id(r, &pr, id);
            }
        }
    }
}
