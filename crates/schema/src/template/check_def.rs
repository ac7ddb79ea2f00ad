//! The rules of a template definition (docs/templates.md §2): every broken one, each with its
//! path. Meta's template API answers every one of them with Graph code 100 (`Invalid
//! parameter`), told apart by its message, so every violation here has code 100.

use serde_json::{Map, Value};

use super::check_send::{rule_language, rule_template_name};
use super::definition::{ButtonType, Category, HeaderFormat, ParameterFormat};
use super::limits;
use super::vars::{self, Var};
use crate::codes::INVALID_PARAMETER as E;
use crate::validate::raw::{json_kind, object};
use crate::validate::report::{Path, Report};
use crate::validate::rules::chars_over;

const TOP_KEYS: &[&str] = &[
    "name",
    "language",
    "category",
    "components",
    "parameter_format",
    "allow_category_change",
    "message_send_ttl_seconds",
];

/// Where a list of components sits: it decides which components and formats are allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    Card,
}

fn wrong(r: &mut Report, p: &Path<'_>, expected: &str, found: &Value) {
    r.push(
        p,
        E,
        format!("expected {expected}, found {}", json_kind(found)),
    );
}

fn str_field<'v>(
    r: &mut Report,
    p: &Path<'_>,
    m: &'v Map<String, Value>,
    key: &str,
    required: bool,
) -> Option<&'v str> {
    match m.get(key) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            wrong(r, p, "a string", other);
            None
        }
        None => {
            if required {
                r.push(p, E, format!("The parameter {key} is required"));
            }
            None
        }
    }
}

fn unknown(r: &mut Report, p: &Path<'_>, m: &Map<String, Value>, allowed: &[&str]) {
    for key in m.keys() {
        if !allowed.contains(&key.as_str()) {
            r.push(&p.key(key), E, "unknown field");
        }
    }
}

fn text_max(r: &mut Report, p: &Path<'_>, s: &str, max: usize, required: bool) {
    if s.trim().is_empty() {
        if required {
            r.push(p, E, "must not be empty");
        }
    } else if let Some(n) = chars_over(s, max) {
        r.push(
            p,
            E,
            format!("is {n} characters long; at most {max} are allowed"),
        );
    }
}

/// What the walk learned of the top-level components, for the rules across them.
#[derive(Default)]
struct Seen {
    header: Option<HeaderFormat>,
    body: bool,
    footer: bool,
    buttons: Vec<ButtonType>,
    carousel: bool,
}

/// Checks a definition as raw JSON.
pub(crate) fn raw_definition(r: &mut Report, v: &Value) {
    let root = Path::Root;
    let Some(m) = object(r, &root, v) else { return };
    unknown(r, &root, m, TOP_KEYS);
    let pn = root.key("name");
    if let Some(name) = str_field(r, &pn, m, "name", true) {
        rule_template_name(r, &pn, name, E);
    }
    let pl = root.key("language");
    if let Some(code) = str_field(r, &pl, m, "language", true) {
        rule_language(r, &pl, code, E);
    }
    let pc = root.key("category");
    let category = str_field(r, &pc, m, "category", true).map(Category::from);
    if let Some(Category::Unknown(c)) = &category {
        r.push(
            &pc,
            E,
            format!("{c:?} is not a category: {}", Category::KNOWN.join(", ")),
        );
    }
    let pf = root.key("parameter_format");
    let format = str_field(r, &pf, m, "parameter_format", false).map(ParameterFormat::from);
    if let Some(ParameterFormat::Unknown(f)) = &format {
        r.push(&pf, E, format!("{f:?} is not POSITIONAL or NAMED"));
    }
    if let Some(v) = m.get("allow_category_change")
        && !v.is_boolean()
    {
        wrong(r, &root.key("allow_category_change"), "a boolean", v);
    }
    let named = format == Some(ParameterFormat::Named);
    let category = category.unwrap_or(Category::Unknown(String::new()));
    let pcs = root.key("components");
    let components = match m.get("components") {
        Some(Value::Array(a)) => a,
        Some(other) => return wrong(r, &pcs, "an array", other),
        None => return r.push(&pcs, E, "The parameter components is required"),
    };
    let seen = raw_components(r, &pcs, components, Place::Top, named, &category);
    rules_across(r, &pcs, components, &seen, &category);
}

fn raw_components(
    r: &mut Report,
    pcs: &Path<'_>,
    components: &[Value],
    place: Place,
    named: bool,
    category: &Category,
) -> Seen {
    let mut seen = Seen::default();
    let mut counts: Vec<String> = Vec::new();
    for (i, c) in components.iter().enumerate() {
        let p = pcs.index(i);
        let Some(c) = object(r, &p, c) else { continue };
        let pt = p.key("type");
        let Some(kind) = str_field(r, &pt, c, "type", true) else {
            continue;
        };
        let kind = kind.to_ascii_uppercase();
        let allowed: &[&str] = match place {
            Place::Top => &["HEADER", "BODY", "FOOTER", "BUTTONS", "CAROUSEL"],
            Place::Card => &["HEADER", "BODY", "BUTTONS"],
        };
        if !allowed.contains(&kind.as_str()) {
            r.push(
                &pt,
                E,
                format!(
                    "{kind:?} is not a component {}: {}",
                    if place == Place::Card {
                        "of a carousel card"
                    } else {
                        "of a template"
                    },
                    allowed.join(", ")
                ),
            );
            continue;
        }
        if counts.contains(&kind) {
            r.push(
                &pt,
                E,
                format!("a template has at most one {kind} component"),
            );
        }
        counts.push(kind.clone());
        match kind.as_str() {
            "HEADER" => seen.header = raw_header(r, &p, c, place, named),
            "BODY" => {
                seen.body = true;
                raw_body(r, &p, c, place, named, category);
            }
            "FOOTER" => {
                seen.footer = true;
                raw_footer(r, &p, c, category);
            }
            "BUTTONS" => seen.buttons = raw_buttons(r, &p, c, place),
            _ => {
                seen.carousel = true;
                raw_carousel(r, &p, c, named, category);
            }
        }
    }
    seen
}

fn raw_header(
    r: &mut Report,
    p: &Path<'_>,
    c: &Map<String, Value>,
    place: Place,
    named: bool,
) -> Option<HeaderFormat> {
    unknown(r, p, c, &["type", "format", "text", "example"]);
    let pf = p.key("format");
    let format = HeaderFormat::from(str_field(r, &pf, c, "format", true)?);
    let allowed: &[HeaderFormat] = match place {
        Place::Top => &[
            HeaderFormat::Text,
            HeaderFormat::Image,
            HeaderFormat::Video,
            HeaderFormat::Document,
            HeaderFormat::Location,
            HeaderFormat::Product,
        ],
        Place::Card => &[
            HeaderFormat::Image,
            HeaderFormat::Video,
            HeaderFormat::Product,
        ],
    };
    if !allowed.contains(&format) {
        let names: Vec<&str> = allowed.iter().map(HeaderFormat::as_str).collect();
        r.push(
            &pf,
            E,
            format!(
                "{:?} is not a header format{}: {}",
                format.as_str(),
                if place == Place::Card {
                    " of a card"
                } else {
                    ""
                },
                names.join(", ")
            ),
        );
        return None;
    }
    let pe = p.key("example");
    let example = c.get("example");
    match format {
        HeaderFormat::Text => {
            let px = p.key("text");
            let text = str_field(r, &px, c, "text", true);
            if let Some(text) = text {
                text_max(r, &px, text, limits::HEADER_TEXT_MAX, true);
                let n = rule_variables(r, &px, text, named);
                if n > 1 {
                    r.push(&px, E, format!("has {n} variables; a header has at most 1"));
                }
                let key = if named {
                    "header_text_named_params"
                } else {
                    "header_text"
                };
                rule_example(r, &pe, example, key, n, named.then(|| vars::names(text)));
            }
        }
        HeaderFormat::Image | HeaderFormat::Video | HeaderFormat::Document => {
            if c.contains_key("text") {
                r.push(&p.key("text"), E, "a media header has no text");
            }
            rule_example(r, &pe, example, "header_handle", 1, None);
        }
        _ => {
            if c.contains_key("text") {
                r.push(
                    &p.key("text"),
                    E,
                    format!("a {} header has no text", format.as_str()),
                );
            }
        }
    }
    Some(format)
}

fn raw_body(
    r: &mut Report,
    p: &Path<'_>,
    c: &Map<String, Value>,
    place: Place,
    named: bool,
    category: &Category,
) {
    unknown(
        r,
        p,
        c,
        &["type", "text", "example", "add_security_recommendation"],
    );
    let auth = *category == Category::Authentication;
    let px = p.key("text");
    let max = match place {
        Place::Top => limits::BODY_TEXT_MAX,
        Place::Card => limits::CARD_BODY_MAX,
    };
    if let Some(text) = str_field(r, &px, c, "text", !auth) {
        text_max(r, &px, text, max, true);
        let n = rule_variables(r, &px, text, named);
        let key = if named {
            "body_text_named_params"
        } else {
            "body_text"
        };
        rule_example(
            r,
            &p.key("example"),
            c.get("example"),
            key,
            n,
            named.then(|| vars::names(text)),
        );
    }
    if let Some(v) = c.get("add_security_recommendation")
        && !v.is_boolean()
    {
        wrong(r, &p.key("add_security_recommendation"), "a boolean", v);
    }
}

fn raw_footer(r: &mut Report, p: &Path<'_>, c: &Map<String, Value>, category: &Category) {
    unknown(r, p, c, &["type", "text", "code_expiration_minutes"]);
    let auth = *category == Category::Authentication;
    let px = p.key("text");
    if let Some(text) = str_field(r, &px, c, "text", !auth) {
        text_max(r, &px, text, limits::FOOTER_TEXT_MAX, true);
        if !vars::variables(text).is_empty() {
            r.push(&px, E, "a footer has no variables");
        }
    }
    if let Some(v) = c.get("code_expiration_minutes")
        && !v.as_u64().is_some_and(|n| (1..=90).contains(&n))
    {
        r.push(
            &p.key("code_expiration_minutes"),
            E,
            "must be a whole number of minutes, 1 to 90",
        );
    }
}

const BUTTON_KEYS: &[&str] = &[
    "type",
    "text",
    "url",
    "phone_number",
    "example",
    "otp_type",
    "autofill_text",
    "package_name",
    "signature_hash",
    "zero_tap_terms_accepted",
    "supported_apps",
    "flow_id",
    "flow_name",
    "flow_json",
    "flow_action",
    "navigate_screen",
];

fn raw_buttons(
    r: &mut Report,
    p: &Path<'_>,
    c: &Map<String, Value>,
    place: Place,
) -> Vec<ButtonType> {
    unknown(r, p, c, &["type", "buttons"]);
    let pb = p.key("buttons");
    let buttons = match c.get("buttons") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            wrong(r, &pb, "an array", other);
            return Vec::new();
        }
        None => {
            r.push(&pb, E, "The parameter buttons is required");
            return Vec::new();
        }
    };
    let max = match place {
        Place::Top => limits::BUTTONS_MAX,
        Place::Card => limits::CARD_BUTTONS_MAX,
    };
    if buttons.is_empty() || buttons.len() > max {
        r.push(
            &pb,
            E,
            format!("has {} buttons; 1 to {max} are allowed", buttons.len()),
        );
    }
    let mut kinds = Vec::new();
    for (i, b) in buttons.iter().enumerate() {
        let pi = pb.index(i);
        let Some(b) = object(r, &pi, b) else { continue };
        unknown(r, &pi, b, BUTTON_KEYS);
        let pt = pi.key("type");
        let Some(kind) = str_field(r, &pt, b, "type", true).map(ButtonType::from) else {
            continue;
        };
        if let ButtonType::Unknown(k) = &kind {
            r.push(
                &pt,
                E,
                format!(
                    "{k:?} is not a button type: {}",
                    ButtonType::KNOWN.join(", ")
                ),
            );
            continue;
        }
        let px = pi.key("text");
        if let Some(text) = str_field(r, &px, b, "text", kind != ButtonType::Otp) {
            text_max(r, &px, text, limits::BUTTON_TEXT_MAX, true);
            if !vars::variables(text).is_empty() {
                r.push(&px, E, "a button's text has no variables");
            }
        }
        match kind {
            ButtonType::Url => {
                let pu = pi.key("url");
                if let Some(url) = str_field(r, &pu, b, "url", true) {
                    rule_url(r, &pu, url);
                    let n = vars::variables(url).len();
                    if n == 1 {
                        let pe = pi.key("example");
                        match b.get("example") {
                            Some(Value::Array(a))
                                if a.len() == 1 && a[0].as_str().is_some_and(|s| !s.is_empty()) => {
                            }
                            Some(Value::Array(_)) => {
                                r.push(&pe, E, "must hold one sample value for the URL's variable");
                            }
                            Some(other) => wrong(r, &pe, "an array", other),
                            None => {
                                r.push(&pe, E, "a sample value is required for the URL's variable")
                            }
                        }
                    }
                }
            }
            ButtonType::PhoneNumber => {
                let pn = pi.key("phone_number");
                if let Some(n) = str_field(r, &pn, b, "phone_number", true) {
                    let digits = n.trim_start_matches('+');
                    if digits.is_empty()
                        || n.chars().count() > limits::PHONE_MAX
                        || !digits.bytes().all(|b| b.is_ascii_digit())
                    {
                        r.push(
                            &pn,
                            E,
                            format!(
                                "{n:?} is not a phone number: digits, at most {} characters",
                                limits::PHONE_MAX
                            ),
                        );
                    }
                }
            }
            ButtonType::CopyCode => {
                let pe = pi.key("example");
                match b.get("example") {
                    Some(Value::String(s)) if !s.is_empty() => {
                        if let Some(n) = chars_over(s, limits::COUPON_CODE_MAX) {
                            r.push(
                                &pe,
                                E,
                                format!(
                                    "is {n} characters long; a coupon code has at most {}",
                                    limits::COUPON_CODE_MAX
                                ),
                            );
                        }
                    }
                    Some(other) => wrong(r, &pe, "a sample code", other),
                    None => r.push(&pe, E, "a sample coupon code is required"),
                }
            }
            ButtonType::Otp => {
                let po = pi.key("otp_type");
                if let Some(t) = str_field(r, &po, b, "otp_type", true)
                    && !["COPY_CODE", "ONE_TAP", "ZERO_TAP"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(t))
                {
                    r.push(
                        &po,
                        E,
                        format!("{t:?} is not COPY_CODE, ONE_TAP or ZERO_TAP"),
                    );
                }
            }
            _ => {}
        }
        kinds.push(kind);
    }
    let count = |t: ButtonType| kinds.iter().filter(|k| **k == t).count();
    for (t, max) in [
        (ButtonType::QuickReply, limits::QUICK_REPLIES_MAX),
        (ButtonType::Url, limits::URL_BUTTONS_MAX),
        (ButtonType::PhoneNumber, limits::PHONE_BUTTONS_MAX),
        (ButtonType::CopyCode, 1),
        (ButtonType::OrderDetails, 1),
        (ButtonType::Otp, 1),
    ] {
        let n = count(t.clone());
        if n > max {
            r.push(
                &pb,
                E,
                format!("has {n} {} buttons; at most {max} are allowed", t.as_str()),
            );
        }
    }
    // Quick replies and the other buttons form two groups, never interleaved.
    let groups = kinds
        .windows(2)
        .filter(|w| (w[0] == ButtonType::QuickReply) != (w[1] == ButtonType::QuickReply))
        .count();
    if groups > 1 {
        r.push(
            &pb,
            E,
            "quick reply buttons and the other buttons must each be grouped together",
        );
    }
    for only in [ButtonType::Catalog, ButtonType::Mpm, ButtonType::Spm] {
        if kinds.contains(&only) && kinds.len() > 1 {
            r.push(
                &pb,
                E,
                format!("a {} button is the template's only button", only.as_str()),
            );
        }
    }
    if kinds.contains(&ButtonType::OrderDetails)
        && kinds
            .iter()
            .any(|k| !matches!(k, ButtonType::OrderDetails | ButtonType::QuickReply))
    {
        r.push(
            &pb,
            E,
            "a checkout button goes with quick reply buttons only",
        );
    }
    kinds
}

fn rule_url(r: &mut Report, p: &Path<'_>, url: &str) {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        r.push(p, E, format!("{url:?} is not an http(s) URL"));
    } else if let Some(n) = chars_over(url, limits::URL_MAX) {
        r.push(
            p,
            E,
            format!(
                "is {n} characters long; at most {} are allowed",
                limits::URL_MAX
            ),
        );
    }
    let vars = vars::variables(url);
    if vars.len() > 1 {
        r.push(p, E, "a URL has at most one variable");
    } else if vars.len() == 1 && !(url.ends_with("{{1}}") && vars[0] == Var::Positional(1)) {
        r.push(p, E, "a URL's variable is {{1}}, at its end");
    }
}

fn raw_carousel(
    r: &mut Report,
    p: &Path<'_>,
    c: &Map<String, Value>,
    named: bool,
    category: &Category,
) {
    unknown(r, p, c, &["type", "cards"]);
    let pc = p.key("cards");
    let cards = match c.get("cards") {
        Some(Value::Array(a)) => a,
        Some(other) => return wrong(r, &pc, "an array", other),
        None => return r.push(&pc, E, "The parameter cards is required"),
    };
    if cards.len() < limits::CARDS_MIN || cards.len() > limits::CARDS_MAX {
        r.push(
            &pc,
            E,
            format!(
                "has {} cards; a carousel has {} to {}",
                cards.len(),
                limits::CARDS_MIN,
                limits::CARDS_MAX
            ),
        );
    }
    // Every card has the structure of the first: header format, body or not, button types.
    let mut first: Option<(Option<HeaderFormat>, bool, Vec<ButtonType>)> = None;
    for (i, card) in cards.iter().enumerate() {
        let pk = pc.index(i);
        let Some(card) = object(r, &pk, card) else {
            continue;
        };
        unknown(r, &pk, card, &["components"]);
        let pcs = pk.key("components");
        let components = match card.get("components") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                wrong(r, &pcs, "an array", other);
                continue;
            }
            None => {
                r.push(&pcs, E, "The parameter components is required");
                continue;
            }
        };
        let seen = raw_components(r, &pcs, components, Place::Card, named, category);
        if seen.header.is_none() {
            r.push(
                &pcs,
                E,
                "a card needs a header: an image, a video or a product",
            );
        }
        if seen.buttons.is_empty() {
            r.push(&pcs, E, "a card needs at least one button");
        }
        let product_ok = |b: &ButtonType| matches!(b, ButtonType::Spm | ButtonType::Url);
        let media_ok = |b: &ButtonType| {
            matches!(
                b,
                ButtonType::QuickReply | ButtonType::Url | ButtonType::PhoneNumber
            )
        };
        match seen.header {
            Some(HeaderFormat::Product)
                if seen.buttons.len() > 1 || !seen.buttons.iter().all(product_ok) =>
            {
                r.push(&pcs, E, "a product card has one button: SPM (View) or URL");
            }
            Some(HeaderFormat::Image | HeaderFormat::Video)
                if !seen.buttons.iter().all(media_ok) =>
            {
                r.push(
                    &pcs,
                    E,
                    "a media card's buttons are quick reply, URL or phone number buttons",
                );
            }
            _ => {}
        }
        let shape = (seen.header.clone(), seen.body, seen.buttons.clone());
        match &first {
            None => first = Some(shape),
            Some(f) if *f != shape => r.push(
                &pk,
                E,
                "every card of a carousel has the same components as the first: header format, body, buttons",
            ),
            Some(_) => {}
        }
    }
}

/// The variables of `text` must be all positional (`{{1}}` to `{{n}}`, none missing) or all
/// named, as `parameter_format` says; answers how many distinct ones there are.
fn rule_variables(r: &mut Report, p: &Path<'_>, text: &str, named: bool) -> usize {
    let vars = vars::variables(text);
    let mut positional: Vec<u32> = Vec::new();
    for v in &vars {
        match v {
            Var::Positional(n) => {
                if named {
                    r.push(
                        p,
                        E,
                        format!("{{{{{n}}}}} is positional; parameter_format is NAMED"),
                    );
                    return 0;
                }
                if !positional.contains(n) {
                    positional.push(*n);
                }
            }
            Var::Named(name) => {
                if !named {
                    r.push(
                        p,
                        E,
                        format!(
                            "{{{{{name}}}}} is a named variable; set parameter_format to NAMED"
                        ),
                    );
                    return 0;
                }
            }
            Var::Malformed(m) => {
                r.push(
                    p,
                    E,
                    format!("{{{{{m}}}}} is not a variable: {{{{1}}}} or {{{{lower_case_name}}}}"),
                );
                return 0;
            }
        }
    }
    if named {
        return vars::names(text).len();
    }
    positional.sort_unstable();
    let n = positional.len();
    if positional
        .iter()
        .enumerate()
        .any(|(i, v)| *v as usize != i + 1)
    {
        r.push(
            p,
            E,
            "variables are numbered {{1}}, {{2}}, ... in sequence, with none missing",
        );
    }
    n
}

/// The `example` of a header or body: `n` sample values under `key` (`header_text`: a list;
/// `body_text`: a list of one list; `*_named_params`: `{param_name, example}` objects naming
/// `names`; `header_handle`: one media handle).
fn rule_example(
    r: &mut Report,
    p: &Path<'_>,
    example: Option<&Value>,
    key: &str,
    n: usize,
    names: Option<Vec<&str>>,
) {
    if n == 0 {
        return;
    }
    let Some(example) = example else {
        return r.push(
            p,
            E,
            format!("sample values are required: {key} with {n} value(s)"),
        );
    };
    let Some(ex) = object(r, p, example) else {
        return;
    };
    let pk = p.key(key);
    let Some(values) = ex.get(key) else {
        return r.push(&pk, E, format!("required, with {n} value(s)"));
    };
    let list = match (key, values) {
        ("body_text", Value::Array(outer)) => match outer.first() {
            Some(Value::Array(inner)) if outer.len() == 1 => inner,
            _ => return r.push(&pk, E, "must be a list holding one list of values"),
        },
        (_, Value::Array(a)) => a,
        (_, other) => return wrong(r, &pk, "an array", other),
    };
    if list.len() != n {
        return r.push(
            &pk,
            E,
            format!("has {} value(s); the text has {n} variable(s)", list.len()),
        );
    }
    match names {
        Some(names) => {
            for (i, item) in list.iter().enumerate() {
                let pi = pk.index(i);
                let name = item.get("param_name").and_then(Value::as_str);
                let ok = name.is_some_and(|nm| names.contains(&nm))
                    && item.get("example").and_then(Value::as_str).is_some();
                if !ok {
                    r.push(
                        &pi,
                        E,
                        format!("must be {{\"param_name\", \"example\"}} for one of {names:?}"),
                    );
                }
            }
        }
        None => {
            for (i, item) in list.iter().enumerate() {
                if item.as_str().is_none_or(str::is_empty) {
                    r.push(&pk.index(i), E, "must be a non-empty string");
                }
            }
        }
    }
}

/// The rules across components: what each commerce template is made of, and what each
/// category allows.
fn rules_across(
    r: &mut Report,
    pcs: &Path<'_>,
    components: &[Value],
    seen: &Seen,
    category: &Category,
) {
    if components.is_empty() {
        return r.push(pcs, E, "a template has at least a BODY component");
    }
    if !seen.body {
        r.push(pcs, E, "a template needs a BODY component");
    }
    let has = |t: ButtonType| seen.buttons.contains(&t);
    let marketing_only = [
        ButtonType::Catalog,
        ButtonType::Mpm,
        ButtonType::Spm,
        ButtonType::OrderDetails,
        ButtonType::CopyCode,
    ];
    for t in marketing_only {
        if has(t.clone()) && *category != Category::Marketing {
            r.push(
                pcs,
                E,
                format!(
                    "a {} button is allowed in MARKETING templates only",
                    t.as_str()
                ),
            );
        }
    }
    if *category == Category::Authentication {
        if seen.buttons != [ButtonType::Otp] {
            r.push(
                pcs,
                E,
                "an AUTHENTICATION template has one button, of type OTP",
            );
        }
        if seen.header.is_some() || seen.carousel {
            r.push(
                pcs,
                E,
                "an AUTHENTICATION template has no header or carousel",
            );
        }
    } else if has(ButtonType::Otp) {
        r.push(pcs, E, "OTP buttons belong to AUTHENTICATION templates");
    }
    if seen.carousel {
        if seen.header.is_some() || seen.footer || !seen.buttons.is_empty() {
            r.push(
                pcs,
                E,
                "a carousel template has a BODY and a CAROUSEL only: no HEADER, FOOTER or BUTTONS",
            );
        }
        return;
    }
    if has(ButtonType::Catalog) && seen.header.is_some() {
        r.push(
            pcs,
            E,
            "a catalog template has no HEADER: WhatsApp draws it from the catalog",
        );
    }
    if has(ButtonType::Mpm) && seen.header != Some(HeaderFormat::Text) {
        r.push(pcs, E, "a multi-product template needs a TEXT HEADER");
    }
    let product_header = seen.header == Some(HeaderFormat::Product);
    if has(ButtonType::Spm) != product_header {
        r.push(
            pcs,
            E,
            "a single-product template has a PRODUCT header and an SPM (View) button, one with the other",
        );
    }
    if has(ButtonType::OrderDetails)
        && !matches!(seen.header, Some(HeaderFormat::Image | HeaderFormat::Video))
    {
        r.push(
            pcs,
            E,
            "a checkout button template needs an IMAGE or VIDEO header",
        );
    }
}
