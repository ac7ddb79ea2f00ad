//! The rules: one function each, shared by both walkers.

use super::Dialect;
use super::limits;
use super::report::{Path, Report};
use crate::codes;
use crate::ids::wa_id_digits;

/// Character count, without walking the string when its byte length already proves the bound.
pub(crate) fn chars_over(s: &str, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let n = s.chars().count();
    (n > max).then_some(n)
}

pub(crate) fn rule_text(r: &mut Report, path: &Path<'_>, s: &str, max: usize) {
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

pub(crate) fn rule_optional_text(r: &mut Report, path: &Path<'_>, s: &str, max: usize) {
    if let Some(n) = chars_over(s, max) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("is {n} characters long; at most {max} are allowed"),
        );
    }
}

pub(crate) fn rule_messaging_product(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "whatsapp" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"whatsapp\", not {s:?}"),
        );
    }
}

pub(crate) fn rule_recipient_type(r: &mut Report, path: &Path<'_>, s: &str) -> bool {
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

/// A phone number: what [`crate::WaId::parse`] takes, with at most 15 digits (E.164).
pub(crate) fn is_phone(s: &str) -> bool {
    wa_id_digits(s).is_ok_and(|digits| digits.len() <= limits::PHONE_DIGITS_MAX)
}

pub(crate) fn rule_to(r: &mut Report, path: &Path<'_>, s: &str, group: bool, dialect: Dialect) {
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

pub(crate) fn rule_user_id(r: &mut Report, path: &Path<'_>, s: &str) {
    if !crate::ids::UserId::is_valid(s) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must be a business-scoped user id: a country code, a period and up to 128 letters and digits (US.13491208655302741918)",
        );
    }
}

pub(crate) fn rule_catalog_id(r: &mut Report, path: &Path<'_>, s: &str) {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must be a catalog id: a string of digits",
        );
    }
}

pub(crate) fn rule_retailer_id(r: &mut Report, path: &Path<'_>, s: &str) {
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

pub(crate) fn rule_section_count(r: &mut Report, path: &Path<'_>, n: usize) {
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

pub(crate) fn rule_section_title(
    r: &mut Report,
    path: &Path<'_>,
    title: Option<&str>,
    sections: usize,
) {
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

pub(crate) fn rule_items_nonempty(r: &mut Report, path: &Path<'_>, n: usize) {
    if n == 0 {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            "must hold at least one product item",
        );
    }
}

/// Called with the running total before each item; reports the first item past the limit once.
pub(crate) fn rule_item_total(r: &mut Report, path: &Path<'_>, seen_before: usize, total: usize) {
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

pub(crate) fn rule_action_name(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "catalog_message" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"catalog_message\", not {s:?}"),
        );
    }
}

pub(crate) fn rule_no_header(r: &mut Report, path: &Path<'_>, kind: &str) {
    r.push(
        path,
        codes::PARAMETER_VALUE_INVALID,
        format!("a header is not allowed on {kind} messages"),
    );
}

pub(crate) fn rule_header_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if s != "text" {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("must be \"text\" for product_list messages, not {s:?}"),
        );
    }
}

pub(crate) fn rule_missing_thumbnail(r: &mut Report, path: &Path<'_>) {
    r.push(
        path,
        codes::REQUIRED_PARAMETER_MISSING,
        "required (strict catalog messages)",
    );
}

/// WhatsApp's message types; `type` outside this list is 131051.
pub(crate) const MESSAGE_TYPES: &[&str] = &[
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
pub(crate) const OTHER_INTERACTIVE_TYPES: &[&str] = &[
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

pub(crate) fn rule_message_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if !MESSAGE_TYPES.contains(&s) {
        r.push(
            path,
            codes::UNSUPPORTED_MESSAGE_TYPE,
            format!("{s:?} is not a message type"),
        );
    }
}

pub(crate) fn rule_interactive_type(r: &mut Report, path: &Path<'_>, s: &str) {
    if !OTHER_INTERACTIVE_TYPES.contains(&s) {
        r.push(
            path,
            codes::PARAMETER_VALUE_INVALID,
            format!("{s:?} is not an interactive type"),
        );
    }
}
