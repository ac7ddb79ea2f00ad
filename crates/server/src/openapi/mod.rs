//! The HTTP surface as an OpenAPI 3.1 document. `cargo xtask codegen` writes it to
//! `docs/openapi.json` (through `wacart openapi`), and `--check` keeps it fresh.

use serde_json::{Value, json};

mod routes;

use routes::ROUTES;

/// Graph versions the door takes (`doors::graph_version`).
const VERSION_PATTERN: &str = r"^v[0-9]{1,4}\.[0-9]{1,4}$";
/// A customer: one optional leading `+`, then 1 to 15 digits (`api::wa_id`).
const WA_ID_PATTERN: &str = r"^\+?[0-9]{1,15}$";
/// Kaleyra's `to`: up to 50 numbers separated by commas.
const KALEYRA_TO_PATTERN: &str = r"^\+?[0-9]{1,15}(,\+?[0-9]{1,15}){0,49}$";

/// A feed's header row in its canonical column order, then anything.
fn feed_header(separator: char) -> String {
    let columns = [
        "id",
        "title",
        "description",
        "availability",
        "condition",
        "price",
        "link",
        "image_link",
    ];
    let sep = if separator == '\t' {
        "\\t".to_owned()
    } else {
        separator.to_string()
    };
    format!(r"^{}(\r?\n[\s\S]*)?$", columns.join(&sep))
}

/// A callback or webhook URL: http(s), a host, no spaces.
const URL_PATTERN: &str =
    r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$";
/// An amount of a Kaleyra account: at most 4 decimals.
const AMOUNT_PATTERN: &str = r"^[0-9]{1,11}(\.[0-9]{1,4})?$";

/// Extra headers: names of letters, digits, `-` and `_`; values of visible ASCII.
fn headers_schema() -> Value {
    json!({"type": "object", "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,256}$"},
           "additionalProperties": {"type": "string", "pattern": "^[\\t\\x20-\\x7e]*$", "maxLength": 8192}})
}

/// A `u64` in a path or query (`u64::MAX`): larger numbers are refused.
const U64_MAX: u64 = u64::MAX;

/// Realistic values from the demo business (README): the document's examples.
fn param_example(name: &str) -> Option<&'static str> {
    Some(match name {
        "version" => "v23.0",
        "phone_number_id" => "100000000000001",
        "catalog_id" => "300000000000001",
        "wa_id" => "15551230001",
        "device" => "phone",
        "retailer_id" => "pear-1kg",
        "sid" => "HXDEMO0000000IN",
        "business_number" => "15550001111",
        "wamid" => "wamid.HBgL000000000001V2FjYXJ0U2FuZGJveA",
        "id" => "1",
        "node_id" => "100000000000001",
        "profile_id" => "demo-default",
        "media_id" => "1750000000000000",
        "waba_id" => "200000000000001",
        _ => return None,
    })
}

/// A message body Meta's door and 360dialog's take: a text message, described exactly
/// (`wacart_schema::validate_json`), or an interactive product, product list or catalog
/// message (checked by the same validator; see Meta's reference for its fields).
fn message_schema() -> Value {
    let text = json!({"type": "object", "additionalProperties": false,
        "required": ["body"],
        "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 4096},
                       "preview_url": {"type": "boolean"}}});
    let context = json!({"type": "object", "additionalProperties": false, "required": ["message_id"],
        "properties": {"message_id": {"type": "string", "minLength": 1}}});
    let envelope = |recipient: Value, to: Value, required: Value| {
        json!({"type": "object", "additionalProperties": false, "required": required,
            "properties": {"messaging_product": {"const": "whatsapp"}, "recipient_type": recipient,
                "to": to, "type": {"const": "text"}, "text": text,
                "context": context, "biz_opaque_callback_data": {"type": "string", "maxLength": 512}}})
    };
    let read = json!({"type": "object", "additionalProperties": false,
        "required": ["messaging_product", "status", "message_id"],
        "description": "Mark an inbound message read (and every earlier one); 131009 when the number did not receive it",
        "properties": {"messaging_product": {"const": "whatsapp"}, "status": {"const": "read"},
            "message_id": {"type": "string", "minLength": 1},
            "typing_indicator": {"type": "object", "additionalProperties": false, "required": ["type"],
                "properties": {"type": {"const": "text"}}}}});
    json!({"description": "`type` defaults to text. Interactive product, product_list and catalog_message messages, and template messages (docs/templates.md), are also taken (wacart-schema's OutboundMessage), and `recipient` (a BSUID, `US.1349…`) in place of `to`; this schema describes text messages to a phone number, and read receipts.",
    "oneOf": [
        envelope(json!({"const": "individual"}), json!({"type": "string", "pattern": WA_ID_PATTERN}), json!(["messaging_product", "to", "text"])),
        envelope(json!({"const": "group"}), json!({"type": "string", "pattern": r"\S"}), json!(["messaging_product", "recipient_type", "to", "text"])),
        read,
    ]})
}

/// A path parameter's schema: the checks the server makes on it.
fn param_schema(name: &str) -> Value {
    match name {
        "version" => json!({"type": "string", "pattern": VERSION_PATTERN}),
        "wa_id" => json!({"type": "string", "pattern": WA_ID_PATTERN}),
        "device" => json!({"type": "string", "minLength": 1, "maxLength": 64}),
        "id" => json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
        "node_id" => {
            json!({"type": "string", "description": "A phone number id, a media id or a template id"})
        }
        "profile_id" => json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}),
        _ => json!({"type": "string"}),
    }
}

fn body_schema(kind: &str) -> Option<Value> {
    // The sandbox API's bodies refuse unknown fields and anything but an object.
    let object = |props: Value, required: Value| json!({"type": "object", "properties": props, "required": required, "additionalProperties": false});
    Some(match kind {
        "message" => message_schema(),
        "template_definition" => {
            json!({"type": "object", "required": ["name", "language", "category", "components"],
            "description": "A template definition, checked by wacart_schema::validate_template_json (every rule: docs/templates.md); types and categories in either case",
            "properties": {"name": {"type": "string", "pattern": "^[a-z0-9_]{1,512}$"},
                "language": {"type": "string", "example": "en_US"},
                "category": {"type": "string", "enum": ["MARKETING", "UTILITY", "AUTHENTICATION", "marketing", "utility", "authentication"]},
                "parameter_format": {"type": "string", "enum": ["POSITIONAL", "NAMED"]},
                "allow_category_change": {"type": "boolean"},
                "components": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["type"]}}}})
        }
        "template_edit" => json!({"type": "object", "additionalProperties": false,
            "description": "components and/or category; name and language may be given unchanged",
            "properties": {"components": {"type": "array", "items": {"type": "object", "required": ["type"]}},
                "category": {"type": "string", "enum": ["MARKETING", "UTILITY", "AUTHENTICATION"]},
                "name": {"type": "string"}, "language": {"type": "string"}}}),
        "template_review" => object(
            json!({"status": {"enum": ["APPROVED", "REJECTED", "PAUSED", "DISABLED"]},
                   "reason": {"type": ["string", "null"], "description": "e.g. INCORRECT_CATEGORY, LOW_QUALITY"}}),
            json!(["status"]),
        ),
        "kaleyra" => {
            let text = json!({"type": "object", "additionalProperties": false, "required": ["body"],
                "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 4096},
                               "preview_url": {"type": "boolean"}}});
            let refs = json!({"type": "string"});
            json!({"type": "object", "additionalProperties": false, "required": ["messaging_object"],
                "description": "`messaging_object` takes the messages Meta's door takes; this schema describes text messages",
                "properties": {
                    "messaging_object": {"type": "object", "additionalProperties": false, "required": ["messaging_product", "to", "text"],
                        "properties": {"messaging_product": {"const": "whatsapp"}, "recipient_type": {"const": "individual"},
                            "to": {"type": "string", "pattern": KALEYRA_TO_PATTERN}, "type": {"const": "text"}, "text": text}},
                    "extra_info": {"type": "object", "additionalProperties": false,
                        "properties": {"ref": refs, "ref1": refs, "ref2": refs, "wa_source": {"type": "string",
                            "description": format!("One of {}; another value is recorded as api", wacart_schema::KALEYRA_WA_SOURCES.join(", "))}}},
                    "callback_profile_id": {"type": "string", "minLength": 1, "pattern": r"\S",
                        "description": "The callback profile that hears of the statuses (the number's default when absent)"}}})
        }
        "d360_webhook" => {
            return Some(json!({"required": false,
                "description": "Without a body, the configuration is answered as it is",
                "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["url"],
                    "properties": {"url": {"type": "string", "pattern": URL_PATTERN},
                                   "headers": headers_schema()}}}}}));
        }
        "kaleyra_account" => {
            let amount = json!({"oneOf": [
                {"type": "string", "pattern": AMOUNT_PATTERN},
                {"type": "integer", "minimum": 0, "maximum": 99_999_999_999_u64}],
                "description": "Exact decimal, at most 4 places"});
            object(
                json!({"billing": {"enum": ["postpaid", "prepaid"]},
                       "balance": amount,
                       "price": {"description": "Per message; shown on delivered callbacks", "allOf": [amount]},
                       "api_access": {"type": "boolean", "default": true}}),
                json!([]),
            )
        }
        "callback_profile" => {
            let list = |v: &[&str]| v.join(", ");
            let vars = format!(
                "Variables: message_status {}; incoming_message {}",
                list(wacart_sandbox::callbacks::STATUS_VARIABLES),
                list(wacart_sandbox::callbacks::INCOMING_VARIABLES)
            );
            let events = json!({"type": "array", "items": {"enum": ["message_status", "incoming_message"]}, "description": "Both when empty"});
            json!({"description": format!("GET: the variables in the endpoint's query (?id=<id>&status=<status>); POST: a JSON body template, <name> in its strings replaced by the variable's value. {vars}"),
            "oneOf": [
                object(json!({"method": {"const": "GET"}, "url": {"type": "string", "pattern": URL_PATTERN},
                              "events": events, "headers": headers_schema()}),
                       json!(["method", "url"])),
                object(json!({"method": {"const": "POST"}, "url": {"type": "string", "pattern": URL_PATTERN},
                              "body": {"type": ["object", "array", "string", "number", "boolean"], "examples": [{"id": "<id>", "status": "<status>", "ref": "<ref>"}]},
                              "events": events, "headers": headers_schema()}),
                       json!(["method", "url", "body"])),
            ]})
        }
        "kaleyra_number" => object(
            json!({"callback_profile_id": {"type": ["string", "null"], "minLength": 1,
                       "description": "A profile of the account (409 when it has no such profile); null: none"},
                   "api_version": {"type": ["string", "null"], "default": "v2", "description": "Not v2: sends are WA-401"}}),
            json!([]),
        ),
        "items_batch" => json!({"type": "object",
            "properties": {"item_type": {"const": "PRODUCT_ITEM"}, "requests": {"type": "array", "items": {
                "type": "object", "properties": {"method": {"enum": ["CREATE", "UPDATE", "DELETE"]}, "data": {"type": "object",
                    "description": "Feed fields; `id` names the product. A request whose data breaks a rule (no id included) is reported in validation_status, and the others are applied"}},
                "required": ["method", "data"]}}},
            "required": ["item_type"]}),
        "feed" => {
            return Some(
                json!({"required": true, "description": "A header row naming at least the eight required columns (any order; the schema shows the canonical one), then one product per row; rows that break a rule are reported, not refused",
                    "content": {"text/csv": {"schema": {"type": "string", "maxLength": crate::MAX_FEED, "pattern": feed_header(',')}},
                                "text/tab-separated-values": {"schema": {"type": "string", "maxLength": crate::MAX_FEED, "pattern": feed_header('\t')}}}}),
            );
        }
        "media_upload" => {
            let types: Vec<&str> = crate::media::TYPES.iter().map(|t| t.0).collect();
            return Some(json!({"required": true,
                "description": format!("At most {} bytes in all; each type has its own file size limit (docs/media.md)", crate::MAX_UPLOAD),
                "content": {"multipart/form-data": {"schema": {"type": "object",
                    "required": ["file", "messaging_product"],
                    "properties": {"file": {"type": "string", "format": "binary"},
                                   "type": {"enum": types},
                                   "messaging_product": {"const": "whatsapp"}}},
                    // Without `type`, the file part's own Content-Type says what it is.
                    "encoding": {"file": {"contentType": types.join(", ")}}}}}));
        }
        "customer_message" => {
            let phone = json!({"type": "string", "example": "100000000000001"});
            let reply_to = json!({"type": ["string", "null"], "description": "A message of the thread to quote"});
            let location = json!({"type": "object", "additionalProperties": false, "required": ["latitude", "longitude"],
                "properties": {"latitude": {"type": "number", "minimum": -90, "maximum": 90},
                    "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                    "name": {"type": ["string", "null"]}, "address": {"type": ["string", "null"]}}});
            json!({"description": "Exactly one of text, location or image", "oneOf": [
                object(json!({"phone_number_id": phone, "text": {"type": "string", "minLength": 1, "pattern": r"\S"}, "reply_to": reply_to}),
                       json!(["phone_number_id", "text"])),
                object(json!({"phone_number_id": phone, "location": location, "reply_to": reply_to}),
                       json!(["phone_number_id", "location"])),
                object(json!({"phone_number_id": phone, "reply_to": reply_to,
                              "image": {"type": "object", "additionalProperties": false,
                                        "description": "The sandbox's fixture photo (PNG), with a caption",
                                        "properties": {"caption": {"type": ["string", "null"]}}}}),
                       json!(["phone_number_id", "image"])),
            ]})
        }
        "profile" => object(
            json!({"name": {"type": ["string", "null"], "minLength": 1, "maxLength": 128, "pattern": r"\S",
                            "description": "null or absent: unchanged"},
                   "username": {"type": ["string", "null"], "pattern": r"^(?!www)(?![._])(?!.*\.\.)(?!.*[.]$)(?=.*[a-z])[a-z0-9._]{3,35}$",
                       "description": "Meta's username rules; not ending in a domain (.com, .org, ...)"}}),
            json!([]),
        ),
        "tap" => object(json!({"id": {"type": "string"}}), json!(["id"])),
        "react" => object(
            json!({"emoji": {"type": "string", "maxLength": 10}}),
            json!(["emoji"]),
        ),
        "device" => object(
            json!({"app_version": {"type": "string", "minLength": 1, "maxLength": 32}, "platform": {"enum": ["android", "ios", "web"]}}),
            json!(["app_version"]),
        ),
        "item" => object(
            json!({"quantity": {"type": "integer", "minimum": 0, "maximum": 99}, "from_message": {"type": ["string", "null"]}}),
            json!(["quantity"]),
        ),
        "send_cart" => object(json!({"text": {"type": "string"}}), json!([])),
        "clock" => object(
            json!({"advance": {"type": "integer", "minimum": 1, "maximum": crate::MAX_ADVANCE / 1000,
                               "description": "Seconds to move forward"}}),
            json!(["advance"]),
        ),
        "forward" => object(
            json!({"to": {"type": "string", "pattern": WA_ID_PATTERN}}),
            json!(["to"]),
        ),
        _ => return None,
    })
}

/// Query parameters a route reads.
fn query_params(path: &str, method: &str) -> Vec<Value> {
    let q = |name: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "schema": schema});
    match (method, path) {
        ("get", "/sandbox/webhooks/deliveries") => vec![
            q(
                "after",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX, "default": 100,
                       "description": "Clamped to 1..=1000"}),
            ),
            q(
                "state",
                json!({"enum": ["pending", "delivered", "dropped"]}),
            ),
        ],
        ("get", "/sandbox/customers/{wa_id}/threads/{phone_number_id}") => vec![
            q(
                "before",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX, "default": 100,
                       "description": "Clamped to 1..=1000"}),
            ),
            q(
                "device",
                json!({"type": "string", "description": "A device of the customer: messages its app version cannot show are marked unsupported (404 for an unknown device)"}),
            ),
        ],
        ("get", "/sandbox/numbers/{phone_number_id}/catalog") => vec![
            q("q", json!({"type": "string"})),
            q(
                "after",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX, "default": 50,
                       "description": "Clamped to 1..=500"}),
            ),
        ],
        ("get", "/sandbox/outbound") => vec![
            q(
                "before",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
            ),
            q(
                "limit",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX, "default": 50,
                       "description": "Clamped to 1..=200"}),
            ),
        ],
        ("get", "/{version}/{catalog_id}/products") => vec![
            q(
                "limit",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX, "default": 25,
                       "description": "Clamped to 1..=1000"}),
            ),
            q(
                "after",
                json!({"type": "integer", "minimum": 0, "maximum": U64_MAX}),
            ),
        ],
        ("get", "/{version}/{node_id}") => vec![
            q("fields", {
                let one = crate::media::PHONE_FIELDS.join("|");
                json!({"type": "string", "pattern": format!("^(({one})(,({one}))*)?$"),
                       "description": "The phone number node's fields, comma-separated (empty: the default ones)"})
            }),
            q("phone_number_id", json!({"type": "string"})),
        ],
        ("delete", "/{version}/{node_id}") => vec![q("phone_number_id", json!({"type": "string"}))],
        ("get", "/{version}/{waba_id}/message_templates") => vec![
            q("fields", json!({"type": "string", "description": "name, parameter_format, components, language, status, category, id, rejected_reason"})),
            q("limit", json!({"type": "integer", "minimum": 0, "default": 25, "description": "Clamped to 1..=1000"})),
            q("after", json!({"type": "string", "description": "paging.cursors.after of the page before"})),
            q("name", json!({"type": "string", "description": "A part of the name, any case"})),
            q("content", json!({"type": "string", "description": "A part of the body text, any case"})),
            q("language", json!({"type": "string"})),
            q("category", json!({"type": "string", "description": "Comma-separated"})),
            q("status", json!({"type": "string", "description": "Comma-separated"})),
        ],
        ("delete", "/{version}/{waba_id}/message_templates") => vec![
            json!({"name": "name", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1}}),
            q("hsm_id", json!({"type": "string", "description": "The template id: delete this language only"})),
        ],
        ("get", "/sandbox/customers/{wa_id}/messages/{wamid}/open") => vec![q(
            "card_index",
            json!({"type": "integer", "minimum": 0, "maximum": 9}),
        )],
        ("get", "/v1/configs/templates") => vec![
            q("limit", json!({"type": "integer", "minimum": 0, "default": 1000})),
            q("offset", json!({"type": "integer", "minimum": 0, "default": 0})),
        ],
        ("get", "/whatsapp_business/attachments/") => ["mid", "ext", "hash"]
            .iter()
            .map(|name| json!({"name": name, "in": "query", "required": true, "schema": {"type": "string"}}))
            .collect(),
        ("post", "/{version}/{phone_number_id}/whatsapp_commerce_settings") => vec![
            q(
                "is_cart_enabled",
                json!({"enum": ["true", "false", "1", "0"]}),
            ),
            q(
                "is_catalog_visible",
                json!({"enum": ["true", "false", "1", "0"]}),
            ),
        ],
        _ => Vec::new(),
    }
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, body) in ROUTES {
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let mut p = json!({"name": name, "in": "path", "required": true, "schema": param_schema(name)});
                if let Some(example) = param_example(name) {
                    p["example"] = if name == "id" { json!(1) } else { json!(example) };
                }
                p
            })
            .collect();
        params.extend(query_params(path, method));
        let mut op = json!({
            "tags": [tag], "summary": summary, "parameters": params,
            "responses": {
                "200": {"description": "Success (Kaleyra's door: 202)"},
                "4XX": {"description": "Refused, in the door's error shape: 400 invalid, 401 credentials, 404 unknown, 405 method (also HEAD on a GET that writes), 408 body not in time, 413 body over the limit (declared or sent; 262144 bytes, feeds 33554432, media uploads 104923136)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraphError"}}}},
                "503": {"description": "Too many open connections, or the store failed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraphError"}}}}
            }
        });
        if path.starts_with("/v2/") {
            // Kaleyra accepts with 202.
            let ok = op["responses"]["200"].take();
            if let Some(r) = op["responses"].as_object_mut() {
                r.remove("200");
                r.insert("202".into(), ok);
            }
        }
        if let Some(schema) = body_schema(body) {
            op["requestBody"] = if schema.get("content").is_some() {
                schema
            } else {
                // A body whose every field is optional may be left out: it reads as `{}`.
                let optional = schema.get("required").is_some_and(|r| r == &json!([]));
                json!({"required": !optional, "description": "Content-Type application/json (parameters such as charset allowed); at most 262144 bytes", "content": {"application/json": {"schema": schema}}})
            };
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "wacart sandbox", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The local WhatsApp commerce sandbox: Meta's Cloud API (messages, media, the phone number node), 360dialog and Kaleyra doors, the Graph catalog endpoints, and the customer-simulation API. Not described here, as they are not JSON: the web simulator at `/` (with `/assets/app.js` and `/assets/app.css`), and `GET /sandbox/events`, a server-sent event stream that never ends by itself (`data: {\"change\": N}` whenever something visible changed). Generated by `cargo xtask codegen`."},
        "paths": paths,
        "components": {"schemas": {"GraphError": {"type": "object", "properties": {"error": {"type": "object",
            "properties": {"message": {"type": "string"}, "type": {"type": "string"}, "code": {"type": "integer"},
                           "error_data": {"type": "object"}, "fbtrace_id": {"type": "string"}}}}}}}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param<'d>(doc: &'d Value, path: &str, method: &str, name: &str) -> &'d Value {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"))
    }

    #[test]
    fn the_document_states_the_constraints_the_server_enforces() {
        let doc = document();
        let send = "/{version}/{phone_number_id}/messages";
        assert_eq!(
            param(&doc, send, "post", "version")["schema"]["pattern"],
            VERSION_PATTERN
        );
        let device = "/sandbox/customers/{wa_id}/devices/{device}";
        assert_eq!(
            param(&doc, device, "put", "wa_id")["schema"]["pattern"],
            WA_ID_PATTERN
        );
        assert_eq!(
            param(&doc, device, "put", "device")["schema"]["maxLength"],
            64
        );
        let body =
            &doc["paths"][device]["put"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["app_version"]["maxLength"], 32);
        assert_eq!(body["required"], json!(["app_version"]));
        assert_eq!(body["additionalProperties"], false);
        let deliveries = "/sandbox/webhooks/deliveries";
        // The server clamps `limit` to 1..=1000 rather than refusing it: any u64 is taken.
        assert_eq!(
            param(&doc, deliveries, "get", "limit")["schema"]["maximum"],
            u64::MAX
        );
        assert_eq!(
            param(&doc, deliveries, "get", "limit")["schema"]["minimum"],
            0
        );
        let redeliver = "/sandbox/webhooks/deliveries/{id}/redeliver";
        assert_eq!(
            param(&doc, redeliver, "post", "id")["schema"]["maximum"],
            u64::MAX
        );
        let send = &doc["paths"]["/messages"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["oneOf"][0];
        assert_eq!(send["required"], json!(["messaging_product", "to", "text"]));
        assert_eq!(
            param(&doc, redeliver, "post", "id")["schema"]["type"],
            "integer"
        );
    }

    #[test]
    fn the_media_routes_and_their_form_are_described() {
        let doc = document();
        let upload = &doc["paths"]["/{version}/{phone_number_id}/media"]["post"];
        let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(form["required"], json!(["file", "messaging_product"]));
        assert_eq!(form["properties"]["type"]["enum"][0], "audio/aac");
        let node = &doc["paths"]["/{version}/{node_id}"];
        assert!(node["get"].is_object() && node["delete"].is_object());
        assert_eq!(
            param(&doc, "/{version}/{node_id}", "get", "fields")["in"],
            "query"
        );
        assert_eq!(
            param(&doc, "/whatsapp_business/attachments/", "get", "mid")["required"],
            true
        );
    }

    /// The patterns say what the handlers check: samples that the patterns match and do not
    /// match, through the handlers' own checks.
    #[test]
    fn the_patterns_agree_with_the_checks() {
        assert_eq!(VERSION_PATTERN, r"^v[0-9]{1,4}\.[0-9]{1,4}$");
        for (v, matches) in [
            ("v23.0", true),
            ("v1.2", true),
            ("v1234.5678", true),
            ("v12345.0", false),
            ("v1.", false),
            ("v1", false),
            ("latest", false),
            ("23.0", false),
        ] {
            assert_eq!(crate::doors::graph_version(v), matches, "{v}");
        }
        assert_eq!(WA_ID_PATTERN, r"^\+?[0-9]{1,15}$");
        for (w, matches) in [
            ("15551230001", true),
            ("+15551230001", true),
            ("1", true),
            ("123456789012345", true),
            ("1234567890123456", false),
            ("", false),
            ("+", false),
            ("++1", false),
            ("+123456789012345", true),
            ("alice", false),
            ("1555-123", false),
        ] {
            assert_eq!(crate::api::wa_id(w).is_ok(), matches, "{w}");
        }
    }
}
