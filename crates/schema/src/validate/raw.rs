//! The raw walker: unknown fields, wrong JSON types, missing fields, and the same value rules,
//! over JSON as a server receives it.

use serde_json::{Map, Value};

use super::report::{InputError, Path, Report, Violations};
use super::rules::*;
use super::{Dialect, Options, limits};
use crate::codes;
use crate::outbound::OutboundMessage;
use crate::read::MessagesRequest;

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

/// Reads the body of `POST /{version}/{phone_number_id}/messages`: a message (checked like
/// [`validate_json`]) or, when it has a `status` key, a read receipt.
///
/// ```
/// use wacart_schema::{validate_messages_json, MessagesRequest, Options};
/// let body = br#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X",
///   "typing_indicator":{"type":"text"}}"#;
/// let Ok(MessagesRequest::Read(read)) = validate_messages_json(body, &Options::default()) else {
///     panic!("a read receipt")
/// };
/// assert!(read.typing_indicator);
/// ```
///
/// # Errors
/// [`InputError::NotJson`] when the bytes are not JSON; [`InputError::Invalid`] with every
/// violation otherwise.
pub fn validate_messages_json(bytes: &[u8], opts: &Options) -> Result<MessagesRequest, InputError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| InputError::NotJson(e.to_string()))?;
    if value.get("status").is_some() {
        let mut r = Report::default();
        raw_read(&mut r, &Path::Root, &value);
        r.finish().map_err(InputError::Invalid)?;
        into_typed(&value, &Path::Root)
            .map(MessagesRequest::Read)
            .map_err(InputError::Invalid)
    } else {
        validate_value(&value, opts)
            .map(|m| MessagesRequest::Send(Box::new(m)))
            .map_err(InputError::Invalid)
    }
}

/// A read receipt: `messaging_product`, `status: "read"`, `message_id`, and optionally
/// `typing_indicator: {"type": "text"}`.
fn raw_read(r: &mut Report, root: &Path<'_>, value: &Value) {
    let Some(map) = object(r, root, value) else {
        return;
    };
    unknown_keys(
        r,
        root,
        map,
        &[
            "messaging_product",
            "status",
            "message_id",
            "typing_indicator",
        ],
    );
    let p_mp = root.key("messaging_product");
    if let Some(mp) = string(r, &p_mp, map, "messaging_product", true) {
        rule_messaging_product(r, &p_mp, mp);
    }
    let p_status = root.key("status");
    if let Some(s) = string(r, &p_status, map, "status", true)
        && s != "read"
    {
        r.push(
            &p_status,
            codes::INVALID_PARAMETER,
            format!("{s:?} is not a status a business can set: only \"read\""),
        );
    }
    let p_id = root.key("message_id");
    if let Some(id) = string(r, &p_id, map, "message_id", true)
        && id.is_empty()
    {
        r.push(&p_id, codes::PARAMETER_VALUE_INVALID, "must not be empty");
    }
    if let Some(t) = map.get("typing_indicator") {
        let p = root.key("typing_indicator");
        if let Some(t) = object(r, &p, t) {
            unknown_keys(r, &p, t, &["type"]);
            let pt = p.key("type");
            if let Some(kind) = string(r, &pt, t, "type", true)
                && kind != "text"
            {
                r.push(
                    &pt,
                    codes::PARAMETER_VALUE_INVALID,
                    format!("{kind:?} is not a typing indicator: only \"text\""),
                );
            }
        }
    }
}

/// Converts a value that passed the raw walk; a disagreement between walker and types is
/// reported as a violation rather than a panic.
pub(crate) fn into_typed<T: serde::de::DeserializeOwned>(
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
        unknown_keys(
            &mut r,
            &root,
            map,
            &["messaging_object", "extra_info", "callback_profile_id"],
        );
        let p_cb = root.key("callback_profile_id");
        if let Some(id) = string(&mut r, &p_cb, map, "callback_profile_id", false)
            && id.trim().is_empty()
        {
            r.push(&p_cb, codes::PARAMETER_VALUE_INVALID, "must not be empty");
        }
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

pub(crate) fn object<'v>(
    r: &mut Report,
    path: &Path<'_>,
    v: &'v Value,
) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            wrong_type(r, path, "an object", other);
            None
        }
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong_type(r: &mut Report, path: &Path<'_>, expected: &str, found: &Value) {
    r.push(
        path,
        codes::INVALID_PARAMETER,
        format!("expected {expected}, found {}", json_kind(found)),
    );
}

pub(crate) fn missing(r: &mut Report, path: &Path<'_>) {
    r.push(path, codes::REQUIRED_PARAMETER_MISSING, "required");
}

pub(crate) fn unknown_keys(
    r: &mut Report,
    path: &Path<'_>,
    map: &Map<String, Value>,
    allowed: &[&str],
) {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            r.push(&path.key(key), codes::INVALID_PARAMETER, "unknown field");
        }
    }
}

/// The string at `map[key]`: reports a wrong type, and a missing key when `required`.
pub(crate) fn string<'v>(
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
    if let Some(mp) = string(r, &p_mp, map, "messaging_product", true) {
        rule_messaging_product(r, &p_mp, mp);
    }
    let p_rt = root.key("recipient_type");
    let group = match string(r, &p_rt, map, "recipient_type", false) {
        // Kaleyra's page allows individual recipients only.
        Some(rt) if kaleyra && rt != "individual" => {
            r.push(
                &p_rt,
                codes::PARAMETER_VALUE_INVALID,
                format!("must be \"individual\" on Kaleyra's door, not {rt:?}"),
            );
            false
        }
        Some(rt) => rule_recipient_type(r, &p_rt, rt),
        None => false,
    };
    let p_to = root.key("to");
    // `recipient` (a BSUID) may stand in for `to` on Meta's body; `to` wins when both are there.
    let by_user = !kaleyra && map.contains_key("recipient");
    if let Some(to) = string(r, &p_to, map, "to", !by_user) {
        rule_to(r, &p_to, to, group, opts.dialect);
    }
    if by_user {
        let p_user = root.key("recipient");
        if let Some(user) = string(r, &p_user, map, "recipient", false) {
            rule_user_id(r, &p_user, user);
        }
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
        "recipient",
        "type",
        "context",
        "biz_opaque_callback_data",
    ];
    let known_kind = kind.filter(|k| MESSAGE_TYPES.contains(k));
    for key in map.keys() {
        let key = key.as_str();
        if (ENVELOPE.contains(&key) && !(kaleyra && key == "recipient")) || Some(key) == kind {
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
        "template" => {
            crate::template::check_send::raw_send(r, &root.key("template"), map.get("template"))
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

/// A multi-product message's sections (also an MPM template button's): counts, titles, items.
pub(crate) fn raw_sections(r: &mut Report, ps: &Path<'_>, sections: Option<&Value>) {
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
