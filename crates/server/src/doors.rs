//! The three doors (Meta's Cloud API, 360dialog, Kaleyra), the Graph catalog and settings
//! endpoints, and the feed upload.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use wacart_sandbox::{Door, EngineError};
use wacart_schema::{
    CatalogId, CommerceSettingsResponse, InputError, ItemsBatchRequest, KaleyraResponse,
    MessagesRequest, OutboundMessage, PhoneNumberId, Recipient, SendResponse, SuccessResponse,
    WaId, codes, validate_kaleyra_value, validate_messages_json,
};

use crate::AppState;
use crate::body::{is_json, json_object, read_body};
use crate::errors::{self, InShape, Refusal, Shape};

/// Most recipients one Kaleyra request may list.
const MAX_KALEYRA_RECIPIENTS: usize = 50;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/{version}/{node}/messages", post(meta_send))
        .route("/{version}/{node}/items_batch", post(items_batch))
        .route("/{version}/{node}/products", get(products))
        .route(
            "/{version}/{node}/whatsapp_commerce_settings",
            get(get_settings).post(post_settings),
        )
        .route("/messages", post(d360_send))
        .route("/v2/{sid}/whatsapp/{number}/messages", post(kaleyra_send))
        .route("/sandbox/catalogs/{catalog_id}/feed", post(feed))
}

/// `vN.M`: any Graph version.
pub(crate) fn graph_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The Graph door's checks: version, bearer token, and the node it may touch.
pub(crate) fn graph_auth(
    state: &AppState,
    headers: &HeaderMap,
    version: &str,
) -> Result<PhoneNumberId, Refusal> {
    errors::ensure(graph_version(version), || {
        Refusal::graph(
            codes::INVALID_PARAMETER,
            format!("Unknown path components: /{version}: not a Graph version (vN.M)"),
        )
    })?;
    bearer_number(state, headers)
}

/// The number a request's bearer token reaches (Graph's 190 refusals otherwise).
pub(crate) fn bearer_number(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<PhoneNumberId, Refusal> {
    let auth = header(headers, "authorization").ok_or_else(|| {
        Refusal::unauthorized(
            Shape::Graph,
            "An access token is required to request this resource.",
        )
    })?;
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .unwrap_or("")
        .trim();
    // An empty token is never a sandbox's.
    (!token.is_empty())
        .then(|| state.sandbox.read(|sb| sb.number_for_token(token).cloned()))
        .flatten()
        .ok_or_else(|| {
            Refusal::unauthorized(
                Shape::Graph,
                "Invalid OAuth access token - Cannot parse access token",
            )
        })
}

/// What a Graph node route may touch.
#[derive(Clone, Copy)]
enum Node {
    /// The token's own phone number.
    Number,
    /// A catalog of the token's WABA.
    Catalog,
}

/// The Graph door's preamble: a well-formed path, a valid token, and a node it may touch.
/// Answers the number the token reaches and the node.
fn graph_node(
    state: &AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
    kind: Node,
) -> Result<(PhoneNumberId, String), Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(state, headers, &version)?;
    let allowed = match kind {
        Node::Number => number.as_str() == node,
        Node::Catalog => owns_catalog(state, &number, &node),
    };
    errors::ensure(allowed, || no_such_node(&node))?;
    Ok((number, node))
}

pub(crate) fn no_such_node(node: &str) -> Refusal {
    Refusal::graph(
        codes::INVALID_PARAMETER,
        format!(
            "Unsupported request: object with ID '{node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        ),
    )
}

/// Reads and validates a JSON message body; every failure in `shape`.
pub(crate) async fn message_body(
    shape: Shape,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, Refusal> {
    errors::ensure(is_json(headers), || {
        Refusal::new(
            shape,
            codes::INVALID_PARAMETER,
            "Content-Type must be application/json",
            "WA400",
        )
    })?;
    read_body(body, crate::MAX_BODY)
        .await
        .map_err(|e| e.refusal(shape, crate::MAX_BODY))
}

fn validation_options(state: &AppState) -> wacart_schema::Options {
    wacart_schema::Options::default().strict_catalog_thumbnail(state.strict_catalog_thumbnail)
}

pub(crate) fn invalid(shape: Shape, e: &InputError) -> Refusal {
    match e {
        InputError::NotJson(m) => Refusal::new(
            shape,
            codes::INVALID_PARAMETER,
            format!("the body is not valid JSON: {m}"),
            "WA400",
        ),
        InputError::Invalid(v) => {
            let first = v.first();
            let all: Vec<String> = v.as_slice().iter().map(ToString::to_string).collect();
            Refusal::new(shape, first.code, all.join("; "), "WA400")
        }
        _ => Refusal::new(shape, codes::INVALID_PARAMETER, e.to_string(), "WA400"),
    }
}

async fn accept(
    state: &AppState,
    shape: Shape,
    number: &PhoneNumberId,
    message: OutboundMessage,
    door: Door,
) -> Result<SendResponse, Refusal> {
    let input = message.input().to_owned();
    let sent = state
        .sandbox
        .run(|sb| sb.send(number, message, door))
        .await
        .in_shape(shape)?;
    state.outbox.notify_one();
    Ok(match sent.user_id {
        Some(user) => SendResponse::for_user(input, user, sent.id),
        None => SendResponse::new(input, sent.wa_id, sent.id),
    })
}

/// The body of `…/messages` on Meta's and 360dialog's doors: a message to send, or a read
/// receipt (with or without the typing indicator), answered `{"success": true}`.
async fn messages(
    state: &AppState,
    shape: Shape,
    number: &PhoneNumberId,
    bytes: &[u8],
    door: Door,
) -> Result<Response, Refusal> {
    let request = validate_messages_json(bytes, &validation_options(state))
        .map_err(|e| invalid(shape, &e))?;
    match request {
        MessagesRequest::Send(message) => {
            let sent = accept(state, shape, number, *message, door).await?;
            Ok(errors::ok(&sent))
        }
        MessagesRequest::Read(read) => {
            state
                .sandbox
                .run(|sb| sb.mark_read(number, &read.message_id, read.typing_indicator))
                .await
                .in_shape(shape)?;
            Ok(errors::ok(&SuccessResponse::ok()))
        }
    }
}

async fn meta_send(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (number, _) = graph_node(&state, path, &headers, Node::Number)?;
    let bytes = message_body(Shape::Graph, &headers, body).await?;
    messages(&state, Shape::Graph, &number, &bytes, Door::Meta).await
}

async fn d360_send(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let number = crate::d360::number(&state, &headers)?;
    let bytes = message_body(Shape::D360, &headers, body).await?;
    messages(&state, Shape::D360, &number, &bytes, Door::Dialog360).await
}

async fn kaleyra_send(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (sid, business_number) = errors::path(Shape::Kaleyra, path)?;
    let key = header(&headers, "api-key").unwrap_or("").trim();
    errors::ensure(!key.is_empty(), || {
        Refusal::unauthorized(Shape::Kaleyra, "no API key")
    })?;
    let number = state
        .sandbox
        .read(|sb| sb.number_for_kaleyra(&sid, key).cloned())
        .ok_or_else(|| Refusal::unauthorized(Shape::Kaleyra, "wrong SID or API key"))?;
    let display = state
        .sandbox
        .read(|sb| sb.number_spec(&number).map(|n| n.display_number.clone()))
        .unwrap_or_default();
    errors::ensure(
        WaId::normalized(&business_number) == WaId::normalized(&display),
        Refusal::kaleyra_not_on_account,
    )?;
    // The account's type, then the number's API version (WA-401 both).
    state
        .sandbox
        .read(|sb| sb.kaleyra_gate(&sid, &number))
        .map_err(|k| Refusal::from(EngineError::Kaleyra(k)))?;
    let bytes = message_body(Shape::Kaleyra, &headers, body).await?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(Shape::Kaleyra, &InputError::NotJson(e.to_string())))?;
    let mut request = validate_kaleyra_value(&value, &validation_options(&state))
        .map_err(|v| invalid(Shape::Kaleyra, &InputError::Invalid(v)))?;
    request.normalize();
    // The refs and the profile travel with every message of the request to its callbacks.
    let meta = wacart_sandbox::KaleyraMeta::new(sid.clone())
        .extra_info(request.extra_info.as_ref())
        .callback_profile_id(request.callback_profile_id.clone());
    // One message per recipient of a comma-separated `to` (each once, at most 50).
    let mut recipients: Vec<String> = Vec::new();
    for r in request
        .messaging_object
        .input()
        .split(',')
        .map(|r| WaId::normalized(r.trim()))
    {
        if !recipients.iter().any(|x| *x == r.as_str()) {
            recipients.push(r.as_str().to_owned());
        }
    }
    errors::ensure(recipients.len() <= MAX_KALEYRA_RECIPIENTS, || {
        Refusal::new(
            Shape::Kaleyra,
            codes::PARAMETER_VALUE_INVALID,
            format!("at most {MAX_KALEYRA_RECIPIENTS} recipients per request"),
            "WA400",
        )
    })?;
    let mut ids = Vec::new();
    let mut failed = Vec::new();
    for r in recipients {
        let mut message = request.messaging_object.clone();
        message.to = Some(Recipient::new(r.clone()));
        let sent = state
            .sandbox
            .run(|sb| sb.kaleyra_send(&number, message, meta.clone()))
            .await
            .in_shape(Shape::Kaleyra);
        state.outbox.notify_one();
        match sent.map(|s| s.id) {
            Ok(id) => ids.push(id),
            // The first refusal with nothing accepted yet is the answer; after that, the
            // accepted ones must not be retried, so the answer is 202 with the failures listed.
            Err(refusal) if ids.is_empty() => return Err(refusal),
            Err(refusal) => {
                // Kaleyra did not pass this one on: its `not-sent` callback, with the code and
                // message the refusal would have answered.
                let answer: Option<KaleyraResponse> = serde_json::from_slice(refusal.body()).ok();
                let (code, message) = answer.map(|a| (a.code, a.message)).unwrap_or_default();
                let to = WaId::new(r.clone());
                let not_sent = state
                    .sandbox
                    .run(|sb| sb.kaleyra_not_sent(&number, &to, meta.clone(), &code, &message))
                    .await
                    .ok();
                state.outbox.notify_one();
                let mut entry = json!({"to": r, "status": refusal.status().as_u16(), "code": code});
                if let Some(id) = not_sent {
                    entry["message_id"] = json!(id);
                }
                failed.push(entry);
            }
        }
    }
    let first = ids.first().ok_or_else(|| {
        Refusal::new(
            Shape::Kaleyra,
            codes::INVALID_PARAMETER,
            "malformed path",
            "WA400",
        )
    })?;
    let mut answer = KaleyraResponse::accepted(first);
    if ids.len() > 1
        && let Some(Value::Object(data)) = &mut answer.data
    {
        data.insert("message_ids".into(), json!(ids));
    }
    if !failed.is_empty() {
        answer.error = Some(json!({"failed": failed}));
    }
    Ok(errors::with_status(StatusCode::ACCEPTED, &answer))
}

/// The catalogs a number's WABA owns.
fn owns_catalog(state: &AppState, number: &PhoneNumberId, catalog: &str) -> bool {
    state.sandbox.read(|sb| {
        sb.tenants().any(|t| {
            t.numbers.iter().any(|n| n.phone_number_id == *number)
                && t.catalogs.iter().any(|c| c.as_str() == catalog)
        })
    })
}

async fn items_batch(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (_, node) = graph_node(&state, path, &headers, Node::Catalog)?;
    let bytes = message_body(Shape::Graph, &headers, body).await?;
    let batch: ItemsBatchRequest = json_object(&bytes).map_err(|e| {
        Refusal::graph(codes::INVALID_PARAMETER, format!("not an items batch: {e}"))
    })?;
    errors::ensure(batch.item_type == "PRODUCT_ITEM", || {
        Refusal::graph(codes::INVALID_PARAMETER, "item_type must be PRODUCT_ITEM")
    })?;
    if let Some((i, r)) = batch
        .requests
        .iter()
        .enumerate()
        .find(|(_, r)| matches!(r.method, wacart_schema::BatchMethod::Unknown(_)))
    {
        return Err(Refusal::graph(
            codes::INVALID_PARAMETER,
            format!(
                "requests[{i}].method must be CREATE, UPDATE or DELETE, not {:?}",
                r.method.as_str()
            ),
        ));
    }
    let ids: Vec<String> = batch
        .requests
        .iter()
        .map(|r| {
            r.data
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let catalog = CatalogId::new(node);
    let outcome = state
        .sandbox
        .run(|sb| sb.items_batch(&catalog, batch))
        .await?;
    state.outbox.notify_one();
    let problems: Vec<Value> = outcome
        .iter()
        .zip(&ids)
        .filter_map(|(o, id)| {
            o.as_ref()
                .map(|m| json!({"retailer_id": id, "errors": [{"message": m}]}))
        })
        .collect();
    Ok(errors::ok(
        &json!({"handles": [format!("wacart-batch-{}", ids.len())], "validation_status": problems}),
    ))
}

async fn products(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let (_, node) = graph_node(&state, path, &headers, Node::Catalog)?;
    // A page at a time: `?limit=N` (25 by default, at most 1000) and `?after=` the cursor
    // `paging.cursors.after` gave.
    let (mut limit, mut after) = (25usize, 0usize);
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match k {
            "limit" => &mut limit,
            "after" => &mut after,
            _ => continue,
        };
        *slot = v.parse().map_err(|_| {
            Refusal::graph(codes::INVALID_PARAMETER, format!("{k} must be a number"))
        })?;
    }
    let limit = limit.clamp(1, 1000);
    let data = state.sandbox.read(|sb| {
        sb.catalog(&CatalogId::new(node.clone()))
            .map(|c| {
                c.products()
                    .skip(after)
                    .take(limit)
                    .map(|p| {
                        json!({"retailer_id": p.retailer_id(), "name": p.title(), "description": p.description(),
                            "availability": p.availability().as_str(), "condition": p.condition().as_str(),
                            "price": format!("{} {}", p.price().to_price(), p.price().currency().code()),
                            "sale_price": p.sale_price().map(|s| format!("{} {}", s.to_price(), s.currency().code())),
                            "url": p.link(), "image_url": p.image_link(), "brand": p.brand(),
                            "visibility": p.status().as_str()})
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let next = (data.len() == limit).then(|| (after + limit).to_string());
    Ok(errors::ok(
        &json!({"data": data, "paging": {"cursors": {"after": next}}}),
    ))
}

fn settings_response(
    number: &PhoneNumberId,
    s: wacart_catalog::CommerceSettings,
) -> CommerceSettingsResponse {
    CommerceSettingsResponse::new(wacart_schema::CommerceSettings::new(
        s.is_cart_enabled,
        s.is_catalog_visible,
        Some(format!("{number}-commerce")),
    ))
}

async fn get_settings(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let (number, node) = graph_node(&state, path, &headers, Node::Number)?;
    let settings = state
        .sandbox
        .read(|sb| sb.settings(&number))
        .ok_or_else(|| no_such_node(&node))?;
    Ok(errors::ok(&settings_response(&number, settings)))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

async fn post_settings(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let (number, _) = graph_node(&state, path, &headers, Node::Number)?;
    let (mut cart, mut visible) = (None, None);
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match k {
            "is_cart_enabled" => Some(&mut cart),
            "is_catalog_visible" => Some(&mut visible),
            _ => None,
        }
        .ok_or_else(|| {
            Refusal::graph(codes::INVALID_PARAMETER, format!("unknown parameter {k:?}"))
        })?;
        *slot = Some(parse_bool(v).ok_or_else(|| {
            Refusal::graph(
                codes::INVALID_PARAMETER,
                format!("{k} must be true or false"),
            )
        })?);
    }
    // Nothing to change is a change of nothing, as a Graph POST with no fields is.
    if cart.is_none() && visible.is_none() {
        return Ok(errors::ok(&SuccessResponse::ok()));
    }
    state
        .sandbox
        .run(|sb| sb.update_settings(&number, cart, visible))
        .await?;
    Ok(errors::ok(&SuccessResponse::ok()))
}

async fn feed(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, Refusal> {
    let catalog = CatalogId::new(errors::path(Shape::Graph, path)?);
    // An unknown catalog is refused before its body is read.
    let known = state.sandbox.read(|sb| sb.catalog(&catalog).is_some());
    errors::ensure(known, || {
        EngineError::UnknownCatalog(catalog.clone()).into()
    })?;
    let bytes = read_body(body, crate::MAX_FEED)
        .await
        .map_err(|e| e.refusal(Shape::Graph, crate::MAX_FEED))?;
    let text = String::from_utf8(Vec::from(bytes))
        .map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "the feed is not UTF-8"))?;
    // Parsing is the slow part of an import: it runs on a blocking thread, and only applying
    // the parsed rows happens under the engine's lock.
    let (text, parsed) = tokio::task::spawn_blocking(move || {
        let parsed = wacart_catalog::parse_feed(text.as_bytes());
        (text, parsed)
    })
    .await
    .map_err(|_| Refusal::graph(codes::SOMETHING_WENT_WRONG, "the feed could not be read"))?;
    let parsed = parsed.map_err(|e| Refusal::graph(codes::INVALID_PARAMETER, e.to_string()))?;
    let report = state
        .sandbox
        .run(|sb| sb.import_parsed_feed(&catalog, text, parsed))
        .await
        .map_err(|e| match e {
            EngineError::BadRequest(m) => Refusal::graph(codes::INVALID_PARAMETER, m),
            e => e.into(),
        })?;
    state.outbox.notify_one();
    // The first 1000 rejected rows; the count says how many there were.
    let rejected: Vec<Value> = report
        .rejected
        .iter()
        .take(1000)
        .map(|r| json!({"line": r.line, "column": r.column, "reason": r.reason}))
        .collect();
    Ok(errors::ok(
        &json!({"loaded": report.loaded, "created": report.created, "updated": report.updated,
                "rejected_count": report.rejected.len(), "rejected": rejected}),
    ))
}
