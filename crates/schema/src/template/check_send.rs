//! The rules of a template send that hold whatever the template (docs/templates.md §3.1): the
//! shape of `template`, its components and parameters. What depends on the template itself
//! (which parameters, how many, how long the filled text gets) is checked against the registry:
//! see [`super::matching`].

use serde_json::{Map, Value};

use super::limits;
use crate::codes;
use crate::validate::raw::{missing, object, raw_sections, string, unknown_keys, wrong_type};
use crate::validate::report::{Path, Report};
use crate::validate::rules::{chars_over, rule_catalog_id, rule_retailer_id};

const COMPONENT_TYPES: &[&str] = &["header", "body", "button", "carousel"];
const SUB_TYPES: &[&str] = &[
    "quick_reply",
    "url",
    "catalog",
    "mpm",
    "spm",
    "copy_code",
    "flow",
    "order_details",
    "voice_call",
];
const PARAMETER_TYPES: &[&str] = &[
    "text",
    "currency",
    "date_time",
    "image",
    "video",
    "document",
    "location",
    "product",
    "payload",
    "action",
    "coupon_code",
];

/// A template name: 1 to 512 lower-case letters, digits and underscores.
pub(crate) fn rule_template_name(r: &mut Report, path: &Path<'_>, name: &str, code: u32) {
    if name.is_empty() {
        r.push(path, code, "must not be empty");
    } else if let Some(n) = chars_over(name, limits::NAME_MAX) {
        r.push(
            path,
            code,
            format!(
                "is {n} characters long; at most {} are allowed",
                limits::NAME_MAX
            ),
        );
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        r.push(
            path,
            code,
            format!("{name:?}: only lower-case letters, digits and underscores are allowed"),
        );
    }
}

/// A language code: `en`, `en_US`, `zh_CN`, `es_LA`, `fil` (2 or 3 letters, and an optional
/// region of 2 to 4 letters).
pub(crate) fn is_language(code: &str) -> bool {
    let (lang, region) = match code.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (code, None),
    };
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| {
            (2..=4).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphabetic())
        })
}

pub(crate) fn rule_language(r: &mut Report, path: &Path<'_>, code: &str, err: u32) {
    if !is_language(code) {
        r.push(
            path,
            err,
            format!("{code:?} is not a language and locale code (en, en_US, pt_BR)"),
        );
    }
}

/// `template` of a message of `type: "template"`.
pub(crate) fn raw_send(r: &mut Report, p: &Path<'_>, v: Option<&Value>) {
    let Some(v) = v else {
        return missing(r, p);
    };
    let Some(t) = object(r, p, v) else { return };
    unknown_keys(r, p, t, &["name", "language", "components"]);
    let pn = p.key("name");
    if let Some(name) = string(r, &pn, t, "name", true) {
        rule_template_name(r, &pn, name, codes::PARAMETER_VALUE_INVALID);
    }
    let pl = p.key("language");
    match t.get("language") {
        Some(l) => {
            if let Some(l) = object(r, &pl, l) {
                unknown_keys(r, &pl, l, &["code", "policy"]);
                let pc = pl.key("code");
                if let Some(code) = string(r, &pc, l, "code", true) {
                    rule_language(r, &pc, code, codes::PARAMETER_VALUE_INVALID);
                }
                let pp = pl.key("policy");
                if let Some(policy) = string(r, &pp, l, "policy", false)
                    && policy != "deterministic"
                {
                    r.push(
                        &pp,
                        codes::PARAMETER_VALUE_INVALID,
                        format!("must be \"deterministic\", not {policy:?}"),
                    );
                }
            }
        }
        None => missing(r, &pl),
    }
    let pc = p.key("components");
    match t.get("components") {
        None => {}
        Some(Value::Array(components)) => raw_components(r, &pc, components, false),
        Some(other) => wrong_type(r, &pc, "an array", other),
    }
}

/// The components of a send (`in_card`: of a carousel card, where carousels are not allowed).
fn raw_components(r: &mut Report, pc: &Path<'_>, components: &[Value], in_card: bool) {
    let mut seen: Vec<String> = Vec::new();
    let mut indices: Vec<u64> = Vec::new();
    for (i, c) in components.iter().enumerate() {
        let p = pc.index(i);
        let Some(c) = object(r, &p, c) else { continue };
        let pt = p.key("type");
        let Some(kind) = string(r, &pt, c, "type", true) else {
            continue;
        };
        let kind = kind.to_ascii_lowercase();
        if !COMPONENT_TYPES.contains(&kind.as_str()) || (in_card && kind == "carousel") {
            r.push(
                &pt,
                codes::PARAMETER_VALUE_INVALID,
                format!(
                    "{kind:?} is not a component of a template send{}: header, body, button{}",
                    if in_card { " card" } else { "" },
                    if in_card { "" } else { ", carousel" }
                ),
            );
            continue;
        }
        if kind != "button" {
            if seen.contains(&kind) {
                r.push(
                    &pt,
                    codes::PARAMETER_VALUE_INVALID,
                    format!("a send has at most one {kind} component"),
                );
            }
            seen.push(kind.clone());
        }
        match kind.as_str() {
            "header" | "body" => {
                unknown_keys(r, &p, c, &["type", "parameters"]);
                let pp = p.key("parameters");
                match c.get("parameters") {
                    Some(Value::Array(params)) => {
                        for (j, param) in params.iter().enumerate() {
                            raw_parameter(r, &pp.index(j), param, &kind);
                        }
                    }
                    Some(other) => wrong_type(r, &pp, "an array", other),
                    None => missing(r, &pp),
                }
            }
            "button" => {
                if let Some(index) = raw_button(r, &p, c) {
                    if indices.contains(&index) {
                        r.push(
                            &p.key("index"),
                            codes::PARAMETER_VALUE_INVALID,
                            format!("button {index} is given twice"),
                        );
                    }
                    indices.push(index);
                }
            }
            _ => raw_carousel(r, &p, c),
        }
    }
}

/// A button component; answers its index when readable.
fn raw_button(r: &mut Report, p: &Path<'_>, c: &Map<String, Value>) -> Option<u64> {
    unknown_keys(r, p, c, &["type", "sub_type", "index", "parameters"]);
    let ps = p.key("sub_type");
    let sub = string(r, &ps, c, "sub_type", true).map(str::to_ascii_lowercase);
    if let Some(s) = &sub
        && !SUB_TYPES.contains(&s.as_str())
    {
        r.push(
            &ps,
            codes::PARAMETER_VALUE_INVALID,
            format!("{s:?} is not a button sub_type: {}", SUB_TYPES.join(", ")),
        );
    }
    let pi = p.key("index");
    let index = match c.get("index") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse::<u64>().ok(),
        Some(other) => {
            wrong_type(r, &pi, "a number", other);
            return None;
        }
        None => {
            missing(r, &pi);
            return None;
        }
    };
    let index = match index {
        Some(i) if i < limits::BUTTONS_MAX as u64 => Some(i),
        _ => {
            r.push(
                &pi,
                codes::PARAMETER_VALUE_INVALID,
                format!(
                    "must be a button position, 0 to {}",
                    limits::BUTTONS_MAX - 1
                ),
            );
            None
        }
    };
    let pp = p.key("parameters");
    let params = match c.get("parameters") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            wrong_type(r, &pp, "an array", other);
            return index;
        }
        None => {
            // A single-product template's "View" button takes nothing.
            if sub.as_deref() != Some("spm") {
                missing(r, &pp);
            }
            return index;
        }
    };
    let Some(sub) = sub.filter(|s| SUB_TYPES.contains(&s.as_str())) else {
        return index;
    };
    let (allowed, what): (&[&str], &str) = match sub.as_str() {
        "quick_reply" => (&["payload", "text"], "a payload"),
        "url" => (&["text"], "the URL's suffix, a text"),
        "copy_code" => (&["coupon_code"], "a coupon_code"),
        "spm" | "voice_call" => (&[], "nothing"),
        _ => (&["action"], "an action"),
    };
    if params.len() > 1 || (params.is_empty() && !allowed.is_empty()) {
        r.push(
            &pp,
            codes::PARAMETER_VALUE_INVALID,
            format!("a {sub} button takes one parameter: {what}"),
        );
    }
    for (j, param) in params.iter().enumerate() {
        let pj = pp.index(j);
        let t = param.get("type").and_then(Value::as_str);
        match t {
            Some(t) if !allowed.is_empty() && !allowed.contains(&t) => r.push(
                &pj.key("type"),
                codes::PARAMETER_VALUE_INVALID,
                format!("a {sub} button takes {what}, not {t:?}"),
            ),
            _ => {}
        }
        raw_parameter(r, &pj, param, "button");
        if let Some(action) = param.get("action").and_then(Value::as_object) {
            rule_action(r, &pj.key("action"), action, &sub);
        }
    }
    index
}

/// What the action of each button kind must hold.
fn rule_action(r: &mut Report, p: &Path<'_>, action: &Map<String, Value>, sub: &str) {
    let pt = p.key("thumbnail_product_retailer_id");
    match sub {
        "mpm" => {
            if !action.contains_key("thumbnail_product_retailer_id") {
                missing(r, &pt);
            }
            if !action.contains_key("sections") {
                missing(r, &p.key("sections"));
            }
        }
        "catalog" if action.contains_key("sections") => r.push(
            &p.key("sections"),
            codes::PARAMETER_VALUE_INVALID,
            "a catalog button has no sections",
        ),
        "order_details" if !action.contains_key("order_details") => {
            missing(r, &p.key("order_details"));
        }
        _ => {}
    }
}

fn raw_carousel(r: &mut Report, p: &Path<'_>, c: &Map<String, Value>) {
    unknown_keys(r, p, c, &["type", "cards"]);
    let pc = p.key("cards");
    let cards = match c.get("cards") {
        Some(Value::Array(a)) => a,
        Some(other) => return wrong_type(r, &pc, "an array", other),
        None => return missing(r, &pc),
    };
    if cards.is_empty() || cards.len() > limits::CARDS_MAX {
        r.push(
            &pc,
            codes::PARAMETER_VALUE_INVALID,
            format!(
                "has {} cards; a carousel has 1 to {}",
                cards.len(),
                limits::CARDS_MAX
            ),
        );
    }
    let mut indices: Vec<u64> = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let pk = pc.index(i);
        let Some(card) = object(r, &pk, card) else {
            continue;
        };
        unknown_keys(r, &pk, card, &["card_index", "components"]);
        let pi = pk.key("card_index");
        match card.get("card_index") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(idx) if idx < limits::CARDS_MAX as u64 => {
                    if indices.contains(&idx) {
                        r.push(
                            &pi,
                            codes::PARAMETER_VALUE_INVALID,
                            format!("card {idx} is given twice"),
                        );
                    }
                    indices.push(idx);
                }
                _ => r.push(
                    &pi,
                    codes::PARAMETER_VALUE_INVALID,
                    format!("must be a card position, 0 to {}", limits::CARDS_MAX - 1),
                ),
            },
            Some(other) => wrong_type(r, &pi, "a number", other),
            None => missing(r, &pi),
        }
        let pcs = pk.key("components");
        match card.get("components") {
            Some(Value::Array(components)) => raw_components(r, &pcs, components, true),
            Some(other) => wrong_type(r, &pcs, "an array", other),
            None => missing(r, &pcs),
        }
    }
}

/// One parameter of a header, body or button.
fn raw_parameter(r: &mut Report, p: &Path<'_>, v: &Value, of: &str) {
    let Some(m) = object(r, p, v) else { return };
    let pt = p.key("type");
    let Some(kind) = string(r, &pt, m, "type", true) else {
        return;
    };
    if !PARAMETER_TYPES.contains(&kind) {
        r.push(
            &pt,
            codes::PARAMETER_VALUE_INVALID,
            format!("{kind:?} is not a parameter type"),
        );
        return;
    }
    let po = p.key(kind);
    match kind {
        "text" => {
            unknown_keys(r, p, m, &["type", "text", "parameter_name"]);
            match m.get("text") {
                Some(Value::String(s)) if s.trim().is_empty() => r.push(
                    &po,
                    codes::REQUIRED_PARAMETER_MISSING,
                    format!("{of}: Parameter of type text is missing text value"),
                ),
                Some(Value::String(s)) => {
                    if let Some(n) = chars_over(s, limits::TEXT_PARAMETER_MAX) {
                        r.push(
                            &po,
                            codes::PARAMETER_VALUE_INVALID,
                            format!(
                                "is {n} characters long; a parameter has at most {}",
                                limits::TEXT_PARAMETER_MAX
                            ),
                        );
                    }
                }
                Some(other) => wrong_type(r, &po, "a string", other),
                None => missing(r, &po),
            }
            string(r, &p.key("parameter_name"), m, "parameter_name", false);
        }
        "currency" => {
            unknown_keys(r, p, m, &["type", "currency", "parameter_name"]);
            let Some(c) = required_object(r, &po, m.get("currency")) else {
                return;
            };
            unknown_keys(r, &po, c, &["fallback_value", "code", "amount_1000"]);
            string(r, &po.key("fallback_value"), c, "fallback_value", true);
            let pcode = po.key("code");
            if let Some(code) = string(r, &pcode, c, "code", true)
                && !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
            {
                r.push(
                    &pcode,
                    codes::PARAMETER_VALUE_INVALID,
                    format!("{code:?} is not an ISO 4217 currency code"),
                );
            }
            let pa = po.key("amount_1000");
            match c.get("amount_1000") {
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {}
                Some(other) => wrong_type(r, &pa, "a whole number", other),
                None => missing(r, &pa),
            }
        }
        "date_time" => {
            unknown_keys(r, p, m, &["type", "date_time", "parameter_name"]);
            if let Some(d) = required_object(r, &po, m.get("date_time")) {
                string(r, &po.key("fallback_value"), d, "fallback_value", true);
            }
        }
        "image" | "video" | "document" => {
            unknown_keys(r, p, m, &["type", kind]);
            let Some(media) = required_object(r, &po, m.get(kind)) else {
                return;
            };
            let allowed: &[&str] = if kind == "document" {
                &["id", "link", "filename"]
            } else {
                &["id", "link"]
            };
            unknown_keys(r, &po, media, allowed);
            let id = string(r, &po.key("id"), media, "id", false);
            let link = string(r, &po.key("link"), media, "link", false);
            match (id, link) {
                (None, None) if !media.contains_key("id") && !media.contains_key("link") => {
                    r.push(
                        &po.key("link"),
                        codes::REQUIRED_PARAMETER_MISSING,
                        "required: an uploaded media's id, or a link",
                    );
                }
                (Some(_), Some(_)) => r.push(
                    &po,
                    codes::PARAMETER_VALUE_INVALID,
                    "give an id or a link, not both",
                ),
                (_, Some(l)) if !(l.starts_with("https://") || l.starts_with("http://")) => r.push(
                    &po.key("link"),
                    codes::PARAMETER_VALUE_INVALID,
                    format!("{l:?} is not an http(s) URL"),
                ),
                _ => {}
            }
        }
        "location" => {
            unknown_keys(r, p, m, &["type", "location"]);
            let Some(l) = required_object(r, &po, m.get("location")) else {
                return;
            };
            unknown_keys(r, &po, l, &["latitude", "longitude", "name", "address"]);
            for (key, max) in [("latitude", 90.0), ("longitude", 180.0)] {
                let pk = po.key(key);
                match l.get(key) {
                    Some(Value::Number(n)) => {
                        if n.as_f64().is_none_or(|x| !(-max..=max).contains(&x)) {
                            r.push(
                                &pk,
                                codes::PARAMETER_VALUE_INVALID,
                                format!("must be between -{max} and {max} degrees"),
                            );
                        }
                    }
                    Some(other) => wrong_type(r, &pk, "a number", other),
                    None => missing(r, &pk),
                }
            }
            string(r, &po.key("name"), l, "name", false);
            string(r, &po.key("address"), l, "address", false);
        }
        "product" => {
            unknown_keys(r, p, m, &["type", "product"]);
            let Some(prod) = required_object(r, &po, m.get("product")) else {
                return;
            };
            unknown_keys(r, &po, prod, &["product_retailer_id", "catalog_id"]);
            let pr = po.key("product_retailer_id");
            if let Some(id) = string(r, &pr, prod, "product_retailer_id", true) {
                rule_retailer_id(r, &pr, id);
            }
            let pc = po.key("catalog_id");
            if let Some(id) = string(r, &pc, prod, "catalog_id", true) {
                rule_catalog_id(r, &pc, id);
            }
        }
        "payload" => {
            unknown_keys(r, p, m, &["type", "payload"]);
            if let Some(s) = string(r, &po, m, "payload", true)
                && s.is_empty()
            {
                r.push(&po, codes::PARAMETER_VALUE_INVALID, "must not be empty");
            }
        }
        "coupon_code" => {
            unknown_keys(r, p, m, &["type", "coupon_code"]);
            if let Some(s) = string(r, &po, m, "coupon_code", true) {
                if s.is_empty() {
                    r.push(&po, codes::PARAMETER_VALUE_INVALID, "must not be empty");
                } else if let Some(n) = chars_over(s, limits::COUPON_CODE_MAX) {
                    r.push(
                        &po,
                        codes::PARAMETER_VALUE_INVALID,
                        format!(
                            "is {n} characters long; a coupon code has at most {}",
                            limits::COUPON_CODE_MAX
                        ),
                    );
                }
            }
        }
        _ => {
            unknown_keys(r, p, m, &["type", "action"]);
            let Some(a) = required_object(r, &po, m.get("action")) else {
                return;
            };
            unknown_keys(
                r,
                &po,
                a,
                &[
                    "thumbnail_product_retailer_id",
                    "sections",
                    "order_details",
                    "flow_token",
                    "flow_action_data",
                ],
            );
            let pt = po.key("thumbnail_product_retailer_id");
            if let Some(id) = string(r, &pt, a, "thumbnail_product_retailer_id", false) {
                rule_retailer_id(r, &pt, id);
            }
            if let Some(s) = a.get("sections") {
                raw_sections(r, &po.key("sections"), Some(s));
            }
            if let Some(o) = a.get("order_details")
                && !o.is_object()
            {
                wrong_type(r, &po.key("order_details"), "an object", o);
            }
            string(r, &po.key("flow_token"), a, "flow_token", false);
        }
    }
}

fn required_object<'v>(
    r: &mut Report,
    p: &Path<'_>,
    v: Option<&'v Value>,
) -> Option<&'v Map<String, Value>> {
    match v {
        Some(v) => object(r, p, v),
        None => {
            missing(r, p);
            None
        }
    }
}
