//! Kaleyra's callback profiles: where a Kaleyra account hears of message statuses and incoming
//! messages, and how each callback is rendered from the profile's template and its dynamic
//! variables (docs/providers.md §1).
//!
//! A profile is an endpoint and a method. With `GET`, the template is the endpoint's query
//! (`https://host/hook?id=<id>&status=<status>`); with `POST`, it is a JSON body
//! (`{"id": "<id>", "status": "<status>"}`). Every `<name>` of a known variable is replaced by
//! its value: percent-encoded in a query, as JSON string content in a body. Pure functions: the
//! engine renders, the server's worker sends.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a callback reaches its endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CallbackMethod {
    /// The variables in the endpoint's query string; no body.
    #[serde(rename = "GET")]
    Get,
    /// The variables in a JSON body (`Content-Type: application/json`).
    #[serde(rename = "POST")]
    Post,
}

/// The events a WhatsApp callback profile can be chosen for (of those Kaleyra lists, the two
/// the sandbox produces).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallbackEvent {
    /// Outgoing message status: `not-sent`, `sent`, `delivered`, `read`, `failed`.
    MessageStatus,
    /// A message from the customer: text, interactive reply, order, media, location, reaction.
    IncomingMessage,
}

/// The dynamic variables of the message status event (Kaleyra's list, then wacart's additions:
/// `wa_source`, `callback_profile_id`).
pub const STATUS_VARIABLES: &[&str] = &[
    "id",
    "custom_response",
    "timestamp",
    "mobile",
    "message",
    "status",
    "phone_number",
    "error",
    "error_code",
    "ref",
    "ref1",
    "ref2",
    "price",
    "wa_source",
    "callback_profile_id",
];

/// The dynamic variables of the incoming message event (Kaleyra's list, then wacart's
/// additions: the id, and the refs of the business message the customer answered).
pub const INCOMING_VARIABLES: &[&str] = &[
    "body",
    "mime_type",
    "media_url",
    "from",
    "name",
    "type",
    "created_at",
    "reply_to",
    "wanumber",
    "mobile",
    "custom_response",
    "message",
    "contacts",
    "location",
    "id",
    "ref",
    "ref1",
    "ref2",
    "wa_source",
    "callback_profile_id",
];

/// A callback profile of a Kaleyra account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackProfile {
    /// The callback profile id (what `callback_profile_id` names).
    pub id: String,
    /// `GET` or `POST`.
    pub method: CallbackMethod,
    /// The endpoint; with `GET`, its query is the template.
    pub url: String,
    /// With `POST`: the JSON body template (any JSON value; `<name>` in its strings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The events it is chosen for (both when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<CallbackEvent>,
    /// Extra HTTP headers sent with every callback (for the receiver's own checks).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

impl CallbackProfile {
    /// A `POST` profile to `url` whose body holds every variable of both events, each under its
    /// own name (the demo's default).
    pub fn post_all(id: impl Into<String>, url: impl Into<String>) -> Self {
        let mut names: Vec<&str> = STATUS_VARIABLES.to_vec();
        names.extend(INCOMING_VARIABLES);
        names.sort_unstable();
        names.dedup();
        let body: serde_json::Map<String, Value> = names
            .into_iter()
            .map(|n| (n.to_owned(), Value::String(format!("<{n}>"))))
            .collect();
        CallbackProfile {
            id: id.into(),
            method: CallbackMethod::Post,
            url: url.into(),
            body: Some(Value::Object(body)),
            events: Vec::new(),
            headers: BTreeMap::new(),
        }
    }

    /// Whether it is chosen for `event`.
    pub fn wants(&self, event: CallbackEvent) -> bool {
        self.events.is_empty() || self.events.contains(&event)
    }

    /// What is wrong with it, if anything: the id, the URL, the method's template, the headers.
    ///
    /// # Errors
    /// The first problem, in words.
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty()
            || self.id.chars().count() > 64
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("a callback profile id has 1 to 64 letters, digits, '-' or '_'".to_owned());
        }
        if !url_ok(&self.url) {
            return Err(
                "the endpoint is an http:// or https:// URL: a host name or IPv4 address, an optional port, no spaces"
                    .to_owned(),
            );
        }
        // Text that is not one of the variables (`<b>`, `<nope>`) stays as it is.
        match (self.method, &self.body) {
            (CallbackMethod::Get, Some(_)) => {
                return Err(
                    "a GET profile has no body: its variables are in the endpoint's query"
                        .to_owned(),
                );
            }
            (CallbackMethod::Post, None) => {
                return Err("a POST profile needs a body template".to_owned());
            }
            _ => {}
        }
        for (k, v) in &self.headers {
            if !header_name(k) || !header_value(v) {
                return Err(format!(
                    "header {k:?} is not a valid HTTP header: a name of letters, digits, '-' and '_', a value of visible ASCII"
                ));
            }
        }
        Ok(())
    }

    /// The request for one event: its target (method, URL, headers) and body.
    pub(crate) fn render(&self, vars: &Vars) -> (Target, Vec<u8>) {
        // A variable of the other event (a profile may take both) renders empty.
        let mut all = vars.clone();
        for name in STATUS_VARIABLES.iter().chain(INCOMING_VARIABLES) {
            all.entry(name).or_default();
        }
        let vars = &all;
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        match (self.method, &self.body) {
            (CallbackMethod::Post, Some(template)) => {
                let body = fill_json(template, vars);
                let target = Target {
                    method: "POST".to_owned(),
                    url: self.url.clone(),
                    headers,
                };
                // Strings and maps: serialization cannot fail.
                (target, serde_json::to_vec(&body).unwrap_or_default())
            }
            _ => {
                let url = match self.url.split_once('?') {
                    Some((base, query)) => format!("{base}?{}", fill(query, vars, percent)),
                    None => self.url.clone(),
                };
                let target = Target {
                    method: "GET".to_owned(),
                    url,
                    headers,
                };
                (target, Vec::new())
            }
        }
    }
}

/// A callback URL the sandbox takes: `http://` or `https://`, a host of letters, digits, `.`
/// and `-`, an optional port, then a path, query or fragment without spaces.
pub fn url_ok(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        && !tail
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\u{feff}')
}

/// A header name the sandbox sends: letters, digits, `-` and `_`.
pub fn header_name(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 256
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
}

/// A header value the sandbox sends: visible ASCII, spaces and tabs.
pub fn header_value(v: &str) -> bool {
    v.len() <= 8192 && v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// Where a callback goes: kept with its delivery, so a redelivery sends the same request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Target {
    /// `GET` or `POST`.
    pub method: String,
    /// The full URL (a `GET`'s query rendered).
    pub url: String,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// Variable values of one event.
pub(crate) type Vars = BTreeMap<&'static str, String>;

/// `text` with every `<name>` of a variable replaced by `encode(value)`; other text as it is.
fn fill(text: &str, vars: &Vars, encode: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let replaced = after.find('>').and_then(|end| {
            let name = &after[..end];
            vars.get(name).map(|v| (end, encode(v)))
        });
        match replaced {
            Some((end, value)) => {
                out.push_str(&value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn fill_json(v: &Value, vars: &Vars) -> Value {
    match v {
        Value::String(s) => Value::String(fill(s, vars, str::to_owned)),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill_json(x, vars)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (fill(k, vars, str::to_owned), fill_json(x, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
fn percent(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("id", "wamid.X".to_owned());
        v.insert("status", "delivered".to_owned());
        v.insert("ref", "order #7 & co".to_owned());
        v
    }

    #[test]
    fn a_get_profile_renders_its_query_percent_encoded() {
        let p = CallbackProfile {
            id: "get-1".into(),
            method: CallbackMethod::Get,
            url: "http://127.0.0.1:9/k?id=<id>&status=<status>&ref=<ref>&keep=<b>".into(),
            body: None,
            events: vec![],
            headers: BTreeMap::new(),
        };
        let (target, body) = p.render(&vars());
        assert_eq!(target.method, "GET");
        assert_eq!(
            target.url,
            "http://127.0.0.1:9/k?id=wamid.X&status=delivered&ref=order%20%237%20%26%20co&keep=<b>"
        );
        let mut p = p;
        p.url = "http://127.0.0.1:9/k?body=<body>&id=<id>".into();
        assert_eq!(
            p.render(&vars()).0.url,
            "http://127.0.0.1:9/k?body=&id=wamid.X",
            "another event's variable is empty"
        );
        assert!(body.is_empty());
    }

    #[test]
    fn a_post_profile_renders_json_escaping_values() {
        let mut p = CallbackProfile::post_all("p", "https://example.com/h");
        p.body = Some(serde_json::json!({"id": "<id>", "note": "ref: \"<ref>\"", "n": 1}));
        let (target, body) = p.render(&vars());
        assert_eq!(target.method, "POST");
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"id":"wamid.X","n":1,"note":"ref: \"order #7 & co\""}"#
        );
    }

    #[test]
    fn profiles_are_checked() {
        let good = CallbackProfile::post_all("p-1", "http://127.0.0.1:8080/hook");
        assert_eq!(good.check(), Ok(()));
        let mut odd = good.clone();
        odd.body = Some(serde_json::json!({"x": "<nope>"}));
        assert_eq!(
            odd.check(),
            Ok(()),
            "text that is no variable stays as it is"
        );
        let mut bad = good.clone();
        bad.headers.insert("X-Ok".into(), "caf\u{e9}".into());
        assert!(bad.check().is_err(), "a header value that is not ASCII");
        for url in [
            "ftp://x",
            "http://",
            "http://[::1]/",
            "http://h:123456/",
            "http://a b/",
            "http:///x",
        ] {
            let mut bad = good.clone();
            bad.url = url.into();
            assert!(bad.check().is_err(), "{url}");
        }
        for url in [
            "http://127.0.0.1:9000/hook?id=<id>",
            "https://shop.example",
            "http://h#x",
        ] {
            assert!(url_ok(url), "{url}");
        }
        let mut bad = good.clone();
        bad.method = CallbackMethod::Get;
        assert!(bad.check().is_err(), "GET with a body");
        let mut bad = good;
        bad.id = "a b".into();
        assert!(bad.check().is_err());
    }
}
