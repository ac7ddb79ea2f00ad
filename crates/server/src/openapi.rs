//! The HTTP surface as an OpenAPI 3.1 document. `cargo xtask codegen` writes it to
//! `docs/openapi.json` (through `wacart openapi`), and `--check` keeps it fresh.

use serde_json::{Value, json};

/// (method, path, tag, summary, request body kind)
const ROUTES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "post",
        "/{version}/{phone_number_id}/messages",
        "Meta Cloud API",
        "Send a message (bearer token)",
        "message",
    ),
    (
        "post",
        "/{version}/{catalog_id}/items_batch",
        "Meta Graph catalog",
        "Create, update or delete products in a batch",
        "items_batch",
    ),
    (
        "get",
        "/{version}/{catalog_id}/products",
        "Meta Graph catalog",
        "List a catalog's products",
        "",
    ),
    (
        "get",
        "/{version}/{phone_number_id}/whatsapp_commerce_settings",
        "Meta Graph catalog",
        "A number's commerce settings",
        "",
    ),
    (
        "post",
        "/{version}/{phone_number_id}/whatsapp_commerce_settings",
        "Meta Graph catalog",
        "Change commerce settings (query: is_cart_enabled, is_catalog_visible)",
        "",
    ),
    (
        "post",
        "/messages",
        "360dialog",
        "Send a message (D360-API-KEY header)",
        "message",
    ),
    (
        "post",
        "/v2/{sid}/whatsapp/{business_number}/messages",
        "Kaleyra",
        "Send a message (api-key header); answers 202 WA202",
        "kaleyra",
    ),
    (
        "post",
        "/sandbox/catalogs/{catalog_id}/feed",
        "Sandbox",
        "Import a CSV or TSV feed",
        "feed",
    ),
    (
        "post",
        "/sandbox/customers/{wa_id}/messages",
        "Sandbox customers",
        "The customer writes to the business",
        "customer_message",
    ),
    (
        "get",
        "/sandbox/customers/{wa_id}/threads/{phone_number_id}",
        "Sandbox customers",
        "The thread, product messages with current details (marks them read)",
        "",
    ),
    (
        "put",
        "/sandbox/customers/{wa_id}/devices/{device}",
        "Sandbox customers",
        "Add or change a device",
        "device",
    ),
    (
        "get",
        "/sandbox/customers/{wa_id}/devices/{device}/carts/{phone_number_id}",
        "Sandbox customers",
        "The device's cart, with its notice",
        "",
    ),
    (
        "put",
        "/sandbox/customers/{wa_id}/devices/{device}/carts/{phone_number_id}/items/{retailer_id}",
        "Sandbox customers",
        "Set an item's quantity (0 removes)",
        "item",
    ),
    (
        "delete",
        "/sandbox/customers/{wa_id}/devices/{device}/carts/{phone_number_id}/items/{retailer_id}",
        "Sandbox customers",
        "Remove an item",
        "",
    ),
    (
        "post",
        "/sandbox/customers/{wa_id}/devices/{device}/carts/{phone_number_id}/send",
        "Sandbox customers",
        "Send the cart: the order webhook",
        "send_cart",
    ),
    (
        "post",
        "/sandbox/customers/{wa_id}/messages/{wamid}/forward",
        "Sandbox customers",
        "Forward a business message to another customer",
        "forward",
    ),
    (
        "get",
        "/sandbox/webhooks/deliveries",
        "Sandbox webhooks",
        "Every webhook with its attempts",
        "",
    ),
    (
        "post",
        "/sandbox/webhooks/deliveries/{id}/redeliver",
        "Sandbox webhooks",
        "Queue a webhook again",
        "",
    ),
];

fn body_schema(kind: &str) -> Option<Value> {
    let object = |props: Value, required: Value| json!({"type": "object", "properties": props, "required": required});
    Some(match kind {
        "message" => {
            json!({"type": "object", "description": "Meta's message body (see wacart-schema's OutboundMessage)"})
        }
        "kaleyra" => object(
            json!({"messaging_object": {"type": "object"}, "extra_info": {"type": "object"}}),
            json!(["messaging_object"]),
        ),
        "items_batch" => object(
            json!({"item_type": {"const": "PRODUCT_ITEM"}, "requests": {"type": "array"}}),
            json!(["item_type", "requests"]),
        ),
        "feed" => {
            return Some(
                json!({"content": {"text/csv": {"schema": {"type": "string"}}, "text/tab-separated-values": {"schema": {"type": "string"}}}}),
            );
        }
        "customer_message" => object(
            json!({"phone_number_id": {"type": "string"}, "text": {"type": "string"}}),
            json!(["phone_number_id", "text"]),
        ),
        "device" => object(
            json!({"app_version": {"type": "string"}, "platform": {"enum": ["android", "ios", "web"]}}),
            json!(["app_version"]),
        ),
        "item" => object(
            json!({"quantity": {"type": "integer", "minimum": 0, "maximum": 99}, "from_message": {"type": "string"}}),
            json!(["quantity"]),
        ),
        "send_cart" => object(json!({"text": {"type": "string"}}), json!([])),
        "forward" => object(json!({"to": {"type": "string"}}), json!(["to"])),
        _ => return None,
    })
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, body) in ROUTES {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "tags": [tag], "summary": summary, "parameters": params,
            "responses": {
                "200": {"description": "Success (Kaleyra's door: 202)"},
                "4XX": {"description": "Refused, in the door's error shape", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraphError"}}}}
            }
        });
        if let Some(schema) = body_schema(body) {
            op["requestBody"] = if schema.get("content").is_some() {
                schema
            } else {
                json!({"required": true, "content": {"application/json": {"schema": schema}}})
            };
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "wacart sandbox", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The local WhatsApp commerce sandbox: Meta's Cloud API, 360dialog and Kaleyra doors, the Graph catalog endpoints, and the customer-simulation API. Generated by `cargo xtask codegen`."},
        "paths": paths,
        "components": {"schemas": {"GraphError": {"type": "object", "properties": {"error": {"type": "object",
            "properties": {"message": {"type": "string"}, "type": {"type": "string"}, "code": {"type": "integer"},
                           "error_data": {"type": "object"}, "fbtrace_id": {"type": "string"}}}}}}}
    })
}
