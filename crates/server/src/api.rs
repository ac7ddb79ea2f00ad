//! The customer-simulation API (`/sandbox/...`): everything the engine's customers can do, and
//! the webhook deliveries. JSON in, JSON out, errors in Graph's shape.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use wacart_sandbox::{
    Ack, CustomerInput, DeliveryState, Device, EngineError, Platform, Sandbox, THREAD_PAGE,
};
use wacart_schema::{MessageId, PhoneNumberId, RetailerId, WaId, codes};

use crate::AppState;
use crate::body::{json_object, read_body};
use crate::errors::{self, Refusal, Sandboxed, Shape};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/customers/{wa_id}", get(profile).put(set_profile))
        .route(
            "/sandbox/customers/{wa_id}/messages",
            post(customer_message),
        )
        .route("/sandbox/customers/{wa_id}/messages/{wamid}/tap", post(tap))
        .route(
            "/sandbox/customers/{wa_id}/messages/{wamid}/react",
            post(react),
        )
        .route("/sandbox/customers/{wa_id}/threads/{number}", get(thread))
        .route("/sandbox/customers/{wa_id}/devices/{device}", put(device))
        .route(
            "/sandbox/customers/{wa_id}/devices/{device}/carts/{number}",
            get(cart),
        )
        .route(
            "/sandbox/customers/{wa_id}/devices/{device}/carts/{number}/items/{retailer_id}",
            put(set_item).delete(remove_item),
        )
        .route(
            "/sandbox/customers/{wa_id}/devices/{device}/carts/{number}/send",
            post(send_cart),
        )
        .route(
            "/sandbox/customers/{wa_id}/messages/{wamid}/forward",
            post(forward),
        )
        .route("/sandbox/webhooks/deliveries", get(deliveries))
        .route(
            "/sandbox/webhooks/deliveries/{id}/redeliver",
            post(redeliver),
        )
}

/// A JSON object of type `T` (an empty body reads as `{}`).
pub(crate) async fn body<T: DeserializeOwned>(body: Body) -> Result<T, Refusal> {
    let bytes = read_body(body, crate::MAX_BODY)
        .await
        .map_err(|e| e.refusal(Shape::Graph, crate::MAX_BODY))?;
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &bytes
    };
    json_object(bytes)
        .map_err(|e| Refusal::graph(codes::INVALID_PARAMETER, format!("bad request body: {e}")))
}

/// A customer in a path: a phone number of up to 15 digits, with or without its `+`.
pub(crate) fn wa_id(raw: &str) -> Result<WaId, Refusal> {
    WaId::parse(raw)
        .ok()
        .filter(|id| id.as_str().len() <= 15)
        .ok_or_else(|| {
            Refusal::graph(
                codes::PARAMETER_VALUE_INVALID,
                "a customer is a phone number: up to 15 digits",
            )
        })
}

/// What the customer sends: exactly one of `text`, `location`, `image`; `reply_to` quotes a
/// message of the thread.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerMessage {
    phone_number_id: PhoneNumberId,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    location: Option<LocationBody>,
    #[serde(default)]
    image: Option<ImageBody>,
    #[serde(default)]
    reply_to: Option<MessageId>,
}

/// A photo from the sandbox's fixture (a small PNG), with an optional caption: it becomes a
/// media the business fetches with `GET /{version}/{media_id}`, as from WhatsApp.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageBody {
    #[serde(default)]
    caption: Option<String>,
}

/// The photo a simulated customer sends.
const CUSTOMER_PHOTO: &[u8] = include_bytes!("../assets/customer-photo.png");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationBody {
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

async fn customer_message(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let raw = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let m: CustomerMessage = body(b).await?;
    let input = match (m.text, m.location, m.image) {
        (Some(body), None, None) => CustomerInput::Text { body },
        (None, Some(l), None) => CustomerInput::Location {
            latitude: l.latitude,
            longitude: l.longitude,
            name: l.name,
            address: l.address,
        },
        (None, None, Some(image)) => {
            let known = st
                .sandbox
                .read(|sb| sb.number_spec(&m.phone_number_id).is_some());
            errors::ensure(known, || {
                Refusal::sandbox(EngineError::UnknownNumber(m.phone_number_id.clone()))
            })?;
            let (id, sha256) = crate::media::store_media(
                &st,
                &m.phone_number_id,
                axum::body::Bytes::from_static(CUSTOMER_PHOTO),
                "image/png".to_owned(),
                None,
            )
            .await?;
            CustomerInput::Image {
                id,
                mime_type: "image/png".to_owned(),
                sha256,
                caption: image.caption,
            }
        }
        _ => {
            return Err(Refusal::graph(
                codes::INVALID_PARAMETER,
                "a customer message has exactly one of text, location or image",
            ));
        }
    };
    let id = st
        .sandbox
        .run(|sb| sb.customer_send(&who, &m.phone_number_id, input, m.reply_to.as_ref()))
        .await
        .sandboxed()?;
    st.outbox.notify_one();
    Ok(errors::ok(&json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TapBody {
    id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReactBody {
    emoji: String,
}

/// The customer taps a reply button or list row (by the id the business gave it).
async fn tap(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    on_message(st, path, b, |sb, who, wamid, t: TapBody| {
        sb.tap(who, wamid, &t.id)
    })
    .await
}

/// The customer reacts to a message (an empty emoji removes the reaction).
async fn react(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    on_message(st, path, b, |sb, who, wamid, r: ReactBody| {
        sb.react(who, wamid, &r.emoji)
    })
    .await
}

/// The customer acts on a message of their thread (`/sandbox/customers/{wa_id}/messages/{wamid}/…`)
/// with a body `B`: the new inbound message's id, its webhook on its way.
async fn on_message<B: DeserializeOwned>(
    st: AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
    act: impl FnOnce(&mut Sandbox, &WaId, &MessageId, B) -> Result<Ack<MessageId>, EngineError> + Send,
) -> Result<Response, Refusal> {
    let (raw, wamid) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let request: B = body(b).await?;
    let wamid = MessageId::new(wamid);
    let id = st
        .sandbox
        .run(|sb| act(sb, &who, &wamid, request))
        .await
        .sandboxed()?;
    st.outbox.notify_one();
    Ok(errors::ok(&json!({"id": id})))
}

/// A profile change: `name`, `username` (`null` removes it). Absent fields stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, with = "present")]
    username: Option<Option<String>>,
}

/// `Some(None)` for a field present as `null`, `None` for an absent one.
mod present {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

async fn profile(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Refusal> {
    let raw = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let view = st.sandbox.read(|sb| {
        sb.profile(&who).map(|(name, username)| {
            let devices = sb.devices(&who).cloned().unwrap_or_default();
            json!({"wa_id": who, "name": name, "username": username, "devices": devices})
        })
    });
    view.map(|v| errors::ok(&v))
        .ok_or_else(|| Refusal::sandbox(EngineError::UnknownCustomer))
}

async fn set_profile(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let raw = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let p: ProfileBody = body(b).await?;
    st.sandbox
        .run(|sb| sb.set_profile(&who, p.name, p.username))
        .await
        .sandboxed()?;
    profile(State(st), Ok(Path(raw))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreadPage {
    before: Option<u64>,
    limit: Option<usize>,
    /// The device looking: messages its app version cannot show are marked `unsupported`.
    device: Option<String>,
}

/// Opening a thread reads it and shows its latest messages (100, or `limit` up to 1000);
/// `?before=POSITION` pages back through history; `paging.before` continues.
async fn thread(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<ThreadPage>, QueryRejection>,
) -> Result<Response, Refusal> {
    let (raw, number) = errors::path(Shape::Graph, path)?;
    let Query(page) = query
        .map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "before and limit are numbers"))?;
    let who = wa_id(&raw)?;
    let number = PhoneNumberId::new(number);
    // Opening the thread reads it; then a page is shown: the latest by default.
    st.sandbox
        .run(|sb| sb.read_thread(&who, &number))
        .await
        .sandboxed()?;
    st.outbox.notify_one();
    let limit = page.limit.unwrap_or(THREAD_PAGE).clamp(1, 1000);
    // Messages past the ones in memory are history: let every write so far land before reading
    // them, without holding the engine.
    let store = st.sandbox.read(|sb| sb.store());
    if let Ok(flushed) = tokio::task::spawn_blocking(move || store.flush()).await {
        flushed.map_err(EngineError::from).sandboxed()?;
    }
    let mut messages = st
        .sandbox
        .read(|sb| sb.thread_page(&who, &number, page.before, limit))
        .sandboxed()?;
    if let Some(name) = &page.device {
        let device = st
            .sandbox
            .read(|sb| sb.devices(&who).and_then(|d| d.get(name)).cloned())
            .ok_or_else(|| Refusal::sandbox(EngineError::UnknownDevice(name.clone())))?;
        for m in messages.iter_mut().filter(|m| m.direction == "outbound") {
            m.unsupported = !device.can_show(&m.kind);
        }
    }
    let before = messages.first().map(|m| m.position).filter(|p| *p > 0);
    let status = st.sandbox.read(|sb| sb.thread_status(&who, &number));
    Ok(errors::ok(
        &json!({"typing": status.typing, "read_upto": status.read_upto,
                "messages": messages, "paging": {"before": before}}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceBody {
    app_version: String,
    #[serde(default)]
    platform: Platform,
}

async fn device(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (raw, device) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    // Lengths are in characters, not bytes.
    errors::ensure(!device.is_empty() && device.chars().count() <= 64, || {
        Refusal::graph(
            codes::PARAMETER_VALUE_INVALID,
            "a device name has 1 to 64 characters",
        )
    })?;
    let d: DeviceBody = body(b).await?;
    errors::ensure(
        !d.app_version.is_empty() && d.app_version.chars().count() <= 32,
        || {
            Refusal::graph(
                codes::PARAMETER_VALUE_INVALID,
                "app_version has 1 to 32 characters",
            )
        },
    )?;
    st.sandbox
        .run(|sb| sb.set_device(&who, &device, Device::new(d.platform, d.app_version)))
        .await
        .sandboxed()?;
    Ok(errors::ok(&json!({"success": true})))
}

async fn cart(
    State(st): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Response, Refusal> {
    let (raw, device, number) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let number = PhoneNumberId::new(number);
    let cart = st
        .sandbox
        .run(|sb| sb.view_cart(&who, &device, &number))
        .await
        .sandboxed()?;
    Ok(errors::ok(&cart))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemBody {
    #[serde(deserialize_with = "whole_number")]
    quantity: u32,
    #[serde(default)]
    from_message: Option<MessageId>,
}

/// A count written as a JSON number: `7` or `7.0` (JSON Schema's integers include both), never
/// a fraction, a negative number or a string.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let n = serde_json::Number::deserialize(d)?;
    let whole = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => u32::try_from(u).ok(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            // Whole and in range: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(f as u32)
        }
        _ => None,
    };
    whole.ok_or_else(|| D::Error::custom(format!("expected a whole number of units, found {n}")))
}

async fn set_item(
    State(st): State<AppState>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (raw, device, number, item) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let i: ItemBody = body(b).await?;
    let (number, item) = (PhoneNumberId::new(number), RetailerId::new(item));
    st.sandbox
        .run(|sb| sb.set_cart_item(&who, &device, &number, &item, i.quantity, i.from_message))
        .await
        .sandboxed()?;
    Ok(errors::ok(
        &json!({"success": true, "quantity": i.quantity}),
    ))
}

async fn remove_item(
    State(st): State<AppState>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
) -> Result<Response, Refusal> {
    let (raw, device, number, item) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let (number, item) = (PhoneNumberId::new(number), RetailerId::new(item));
    st.sandbox
        .run(|sb| sb.set_cart_item(&who, &device, &number, &item, 0, None))
        .await
        .sandboxed()?;
    Ok(errors::ok(&json!({"success": true, "quantity": 0})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    #[serde(default)]
    text: String,
}

async fn send_cart(
    State(st): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (raw, device, number) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let s: SendBody = body(b).await?;
    let number = PhoneNumberId::new(number);
    let id = st
        .sandbox
        .run(|sb| sb.send_cart(&who, &device, &number, &s.text))
        .await
        .sandboxed()?;
    st.outbox.notify_one();
    Ok(errors::ok(&json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForwardBody {
    to: String,
}

async fn forward(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (raw, wamid) = errors::path(Shape::Graph, path)?;
    let who = wa_id(&raw)?;
    let f: ForwardBody = body(b).await?;
    let to = wa_id(&f.to)?;
    let id = st
        .sandbox
        .run(|sb| sb.forward(&who, &MessageId::new(wamid), &to))
        .await
        .sandboxed()?;
    Ok(errors::ok(&json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    after: u64,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    state: Option<DeliveryState>,
}

/// Webhooks with their attempts, a page at a time: `?after=ID&limit=N&state=pending|delivered|dropped`
/// (100 by default, at most 1000); `paging.after` continues.
async fn deliveries(
    State(st): State<AppState>,
    query: Result<Query<Page>, QueryRejection>,
) -> Result<Response, Refusal> {
    let Query(page) = query.map_err(|_| {
        Refusal::graph(
            codes::INVALID_PARAMETER,
            "after and limit are numbers; state is pending, delivered or dropped",
        )
    })?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    // History is read from the store, off the engine's lock and the async threads.
    let store = st.sandbox.read(|sb| sb.store());
    let list = tokio::task::spawn_blocking(move || store.deliveries(page.after, limit, page.state))
        .await
        .map_err(|_| Refusal::graph(codes::SOMETHING_WENT_WRONG, "the read was interrupted"))?
        .map_err(EngineError::from)
        .sandboxed()?;
    let next = (list.len() == limit)
        .then(|| list.last().map(|d| d.id))
        .flatten();
    // Each with the signature header its POST carries, so a receiver's check can be compared.
    let data: Vec<serde_json::Value> = st.sandbox.read(|sb| {
        list.iter()
            .map(|d| {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                if let Some(t) = sb.tenants().find(|t| t.waba_id == d.waba_id) {
                    v["signature"] = json!(wacart_transport::sign(
                        t.app.app_secret.expose().as_bytes(),
                        &d.body
                    ));
                }
                v
            })
            .collect()
    });
    Ok(errors::ok(
        &json!({"data": data, "paging": {"after": next}}),
    ))
}

async fn redeliver(
    State(st): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Result<Response, Refusal> {
    let Path(id) =
        path.map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "a delivery id is a number"))?;
    st.sandbox.run(|sb| sb.redeliver(id)).await.sandboxed()?;
    st.outbox.notify_one();
    Ok(errors::ok(&json!({"success": true})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantity_is_a_whole_number_written_either_way() {
        let q = |body: &str| serde_json::from_str::<ItemBody>(body).map(|b| b.quantity);
        assert_eq!(q(r#"{"quantity": 7}"#).unwrap(), 7);
        assert_eq!(q(r#"{"quantity": 7.0}"#).unwrap(), 7);
        for bad in [
            r#"{"quantity": 7.5}"#,
            r#"{"quantity": -1}"#,
            r#"{"quantity": "7"}"#,
            r#"{"quantity": 1e20}"#,
        ] {
            assert!(q(bad).is_err(), "{bad}");
        }
    }
}
