//! The web simulator: the customer's phone in a browser, served at `/` by the same binary.
//! The page is plain HTML, CSS and JavaScript (`crates/server/web/`), embedded here with
//! `include_str!`: no build step, nothing fetched from elsewhere.
//!
//! Besides the page, this module adds what the page reads that the customer API had no route
//! for: the customers and their chats, the customer's view of a business's catalog, an
//! overview of the sandbox, the requests the sending doors received (with the answer each got:
//! its validation result), and the clock control. Every change reaches the page through
//! `GET /sandbox/events` (`events.rs`).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::{Frame, SizeHint};
use serde::Deserialize;
use serde_json::{Value, json};
use wacart_sandbox::{Clock, EngineError};
use wacart_schema::{PhoneNumberId, codes};

use crate::errors::{self, Refusal, Sandboxed, Shape};
use crate::{AppState, SystemClock};

const INDEX: &str = include_str!("../web/index.html");
const APP_JS: &str = include_str!("../web/app.js");
const APP_CSS: &str = include_str!("../web/app.css");

/// What the page may load and run: only this server's own files, and no inline script, so no
/// text the page shows could ever run.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(app_js))
        .route("/assets/app.css", get(app_css))
        .route("/sandbox/events", get(crate::events::stream))
        .route("/sandbox/overview", get(overview))
        .route("/sandbox/customers", get(customers))
        .route("/sandbox/customers/{wa_id}/threads", get(chats))
        .route("/sandbox/numbers/{phone_number_id}/catalog", get(catalog))
        .route("/sandbox/outbound", get(outbound))
        .route("/sandbox/clock", post(move_clock))
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    let mut r = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    r
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX)
}

async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// The time the sandbox's clock reads now (ms).
fn clock_now(st: &AppState) -> u64 {
    st.clock
        .as_ref()
        .map_or_else(|| SystemClock.now_millis(), |c| c.now_millis())
}

/// `GET /sandbox/overview`: the business numbers, the clock, where the webhook and request
/// logs end.
async fn overview(State(st): State<AppState>) -> Response {
    let (numbers, now, last_delivery) = st.sandbox.read(|sb| {
        let mut numbers = Vec::new();
        for t in sb.tenants() {
            for n in &t.numbers {
                let settings = sb.settings(&n.phone_number_id).unwrap_or_default();
                numbers.push(json!({
                    "phone_number_id": n.phone_number_id,
                    "display_number": n.display_number,
                    "verified_name": n.verified_name.clone().unwrap_or_else(|| "Wacart Sandbox".to_owned()),
                    "waba_id": t.waba_id,
                    "catalog_id": n.catalog_id,
                    "cart_enabled": settings.is_cart_enabled,
                    "catalog_visible": settings.is_catalog_visible,
                }));
            }
        }
        (numbers, sb.now(), sb.last_delivery_id())
    });
    errors::ok(&json!({
        "now": now.max(clock_now(&st)),
        "clock": {"movable": st.clock.is_some(), "skew": st.clock.as_ref().map_or(0, |c| c.skew())},
        "numbers": numbers,
        "webhooks": {"last_id": last_delivery},
        "outbound": {"last_id": st.outbound.last_id()},
    }))
}

/// `GET /sandbox/customers`: every customer with their devices.
async fn customers(State(st): State<AppState>) -> Response {
    let data: Vec<Value> = st.sandbox.read(|sb| {
        sb.customer_ids()
            .into_iter()
            .map(|id| {
                let (name, username) = sb.profile(id).unwrap_or(("", None));
                json!({"wa_id": id, "name": name, "username": username, "devices": sb.devices(id)})
            })
            .collect()
    });
    errors::ok(&json!({ "data": data }))
}

/// `GET /sandbox/customers/{wa_id}/threads`: the customer's chats, latest first.
async fn chats(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Refusal> {
    let raw = errors::path(Shape::Graph, path)?;
    let who = crate::api::wa_id(&raw)?;
    let mut data: Vec<(u64, Value)> = st
        .sandbox
        .read(|sb| {
            if !sb.has_customer(&who) {
                return Err(EngineError::UnknownCustomer);
            }
            Ok(sb
                .chats(&who)
                .into_iter()
                .map(|chat| {
                    let spec = sb.number_spec(&chat.phone_number_id);
                    let mut v = serde_json::to_value(&chat).unwrap_or_default();
                    v["display_number"] = json!(spec.map(|s| s.display_number.clone()));
                    v["verified_name"] = json!(spec.and_then(|s| s.verified_name.clone()));
                    // Latest message first; chats without one last.
                    let at = chat.last.as_ref().map_or(0, |m| m.timestamp + 1);
                    (at, v)
                })
                .collect())
        })
        .sandboxed()?;
    data.sort_by_key(|d| std::cmp::Reverse(d.0));
    let data: Vec<Value> = data.into_iter().map(|(_, v)| v).collect();
    Ok(errors::ok(&json!({ "data": data })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    after: usize,
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /sandbox/numbers/{phone_number_id}/catalog?q=&after=&limit=`: the catalog linked to a
/// business number as its customers browse it (active products; nothing while the catalog is
/// hidden), searched by title, description and id.
async fn catalog(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<CatalogQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let number = PhoneNumberId::new(errors::path(Shape::Graph, path)?);
    let Query(q) = query.map_err(|_| {
        Refusal::graph(
            codes::INVALID_PARAMETER,
            "q is text; after and limit are numbers",
        )
    })?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let needle = q.q.unwrap_or_default().trim().to_lowercase();
    let answer = st
        .sandbox
        .read(|sb| {
            let spec = sb
                .number_spec(&number)
                .ok_or_else(|| EngineError::UnknownNumber(number.clone()))?;
            let settings = sb.settings(&number).unwrap_or_default();
            let catalog_id = spec.catalog_id.clone();
            let catalog = catalog_id.as_ref().and_then(|c| sb.catalog(c));
            let mut data = Vec::new();
            let mut more = false;
            if let Some(c) = catalog.filter(|_| settings.is_catalog_visible) {
                let mut matching = c.products().filter(|p| {
                    p.status() == wacart_catalog::Status::Active
                        && (needle.is_empty()
                            || p.title().to_lowercase().contains(&needle)
                            || p.description().to_lowercase().contains(&needle)
                            || p.retailer_id().as_str().to_lowercase().contains(&needle))
                });
                data = matching
                    .by_ref()
                    .skip(q.after)
                    .take(limit)
                    .map(product_json)
                    .collect();
                more = matching.next().is_some();
            }
            let next = more.then(|| q.after + data.len());
            Ok::<_, EngineError>(json!({
                "catalog_id": catalog_id,
                "visible": settings.is_catalog_visible,
                "cart_enabled": settings.is_cart_enabled,
                "data": data,
                "paging": {"after": next},
            }))
        })
        .sandboxed()?;
    Ok(errors::ok(&answer))
}

fn product_json(p: &wacart_catalog::Product) -> Value {
    json!({
        "retailer_id": p.retailer_id(),
        "title": p.title(),
        "description": p.description(),
        "price": p.price().to_price().to_string(),
        "sale_price": p.sale_price().map(|s| s.to_price().to_string()),
        "currency": p.price().currency().code(),
        "availability": p.availability().as_str(),
        "purchasable": p.is_purchasable(),
        "brand": p.brand(),
        "link": p.link(),
        "image_link": p.image_link(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    /// Seconds to move forward (a JSON integer, `7` or `7.0`).
    #[serde(deserialize_with = "crate::api::whole_number")]
    advance: u32,
}

/// `POST /sandbox/clock` `{"advance": SECONDS}`: moves the sandbox's time forward (statuses
/// fall due, the 24-hour window lapses); 409 when the sandbox runs on a clock it cannot move.
async fn move_clock(State(st): State<AppState>, b: Body) -> Result<Response, Refusal> {
    let body: ClockBody = crate::api::body(b).await?;
    let clock = st.clock.clone().ok_or_else(|| {
        Refusal::sandbox(EngineError::Conflict(
            "this sandbox runs on a clock that cannot be moved".into(),
        ))
    })?;
    let max = crate::clock::MAX_ADVANCE / 1000;
    errors::ensure((1..=max).contains(&u64::from(body.advance)), || {
        Refusal::graph(
            codes::PARAMETER_VALUE_INVALID,
            format!("advance is 1 to {max} seconds"),
        )
    })?;
    let skew = clock.advance(u64::from(body.advance) * 1000);
    let now = st.sandbox.read(|sb| {
        sb.advance();
        sb.now()
    });
    st.outbox.notify_one();
    st.events.bump();
    Ok(errors::ok(&json!({"now": now, "skew": skew})))
}

// ---- The requests the sending doors received ----

/// How many requests the log keeps.
const OUTBOUND_KEPT: usize = 200;

/// The latest requests to the sending doors, with the answer each got, in memory.
#[derive(Default)]
pub(crate) struct OutboundLog {
    inner: Mutex<(u64, VecDeque<OutboundEntry>)>,
}

/// One request to a sending door, kept as bytes: it is read as JSON only when the log is
/// looked at, so a send pays for a copy, not a parse.
struct OutboundEntry {
    id: u64,
    at: u64,
    door: &'static str,
    path: String,
    status: u16,
    request: Bytes,
    response: Bytes,
}

impl OutboundEntry {
    fn view(&self) -> Value {
        let as_json = |bytes: &[u8]| {
            serde_json::from_slice::<Value>(bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
        };
        json!({
            "at": self.at,
            "door": self.door,
            "path": self.path,
            "status": self.status,
            "request": as_json(&self.request),
            "response": as_json(&self.response),
            "id": self.id,
        })
    }
}

impl OutboundLog {
    fn push(&self, mut entry: OutboundEntry) {
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.0 += 1;
        entry.id = g.0;
        g.1.push_back(entry);
        while g.1.len() > OUTBOUND_KEPT {
            g.1.pop_front();
        }
    }

    fn last_id(&self) -> u64 {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    /// Newest first: up to `limit` entries with an id below `before`.
    fn page(&self, before: Option<u64>, limit: usize) -> Vec<Value> {
        let g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        g.1.iter()
            .rev()
            .filter(|e| before.is_none_or(|b| e.id < b))
            .take(limit)
            .map(OutboundEntry::view)
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboundQuery {
    #[serde(default)]
    before: Option<u64>,
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /sandbox/outbound?before=ID&limit=N`: the latest requests to the sending doors (Meta,
/// 360dialog, Kaleyra), newest first, each with the body as received and the answer it got.
async fn outbound(
    State(st): State<AppState>,
    query: Result<Query<OutboundQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let Query(q) = query
        .map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "before and limit are numbers"))?;
    let limit = q.limit.unwrap_or(50).clamp(1, OUTBOUND_KEPT);
    let data = st.outbound.page(q.before, limit);
    let next = (data.len() == limit)
        .then(|| data.last().and_then(|e| e["id"].as_u64()))
        .flatten();
    Ok(errors::ok(
        &json!({"data": data, "paging": {"before": next}}),
    ))
}

/// The routes a business sends through, and their door.
const SENDING: &[(&str, &str)] = &[
    ("/{version}/{node}/messages", "meta"),
    ("/messages", "360dialog"),
    ("/v2/{sid}/whatsapp/{number}/messages", "kaleyra"),
];

/// The largest answer kept in the log.
const MAX_ANSWER: usize = 1 << 20;

/// Records each request to a sending door: the body as the handler read it and the answer.
pub(crate) async fn record_outbound(
    State(st): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let door = matched
        .as_ref()
        .and_then(|m| SENDING.iter().find(|(p, _)| *p == m.as_str()))
        .map(|(_, door)| *door);
    let (Some(door), true) = (door, request.method() == Method::POST) else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let copy = Arc::new(Mutex::new(Vec::new()));
    let request = request.map(|inner| {
        Body::new(Tee {
            inner,
            copy: copy.clone(),
        })
    });
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let answer = axum::body::to_bytes(body, MAX_ANSWER)
        .await
        .unwrap_or_default();
    let sent = std::mem::take(&mut *copy.lock().unwrap_or_else(PoisonError::into_inner));
    st.outbound.push(OutboundEntry {
        id: 0,
        at: clock_now(&st),
        door,
        path,
        status: parts.status.as_u16(),
        request: Bytes::from(sent),
        response: answer.clone(),
    });
    st.events.bump();
    Response::from_parts(parts, Body::from(answer))
}

/// A request body that keeps a copy of what is read of it (up to [`crate::MAX_BODY`]).
struct Tee {
    inner: Body,
    copy: Arc<Mutex<Vec<u8>>>,
}

impl HttpBody for Tee {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let mut copy = this.copy.lock().unwrap_or_else(PoisonError::into_inner);
                    if copy.len() + data.len() <= crate::MAX_BODY {
                        copy.extend_from_slice(data);
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            // The error as it came (the body deadline's is told apart by its type).
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into_inner()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_keeps_the_latest_newest_first() {
        let log = OutboundLog::default();
        for i in 0..(OUTBOUND_KEPT + 5) {
            log.push(OutboundEntry {
                id: 0,
                at: i as u64,
                door: "meta",
                path: "/v23.0/1/messages".to_owned(),
                status: 200,
                request: Bytes::from(format!("{{\"n\":{i}}}")),
                response: Bytes::from_static(b"not json"),
            });
        }
        assert_eq!(log.last_id(), (OUTBOUND_KEPT + 5) as u64);
        let page = log.page(None, 3);
        assert_eq!(page[0]["id"], json!(OUTBOUND_KEPT + 5));
        assert_eq!(page[2]["id"], json!(OUTBOUND_KEPT + 3));
        let older = log.page(Some(10), 100);
        assert_eq!(older.len(), 4, "ids 6..=9 are kept, 1..=5 dropped");
        // Bodies are read as JSON when the log is looked at; what is not JSON stays text.
        assert_eq!(older[0]["request"], json!({"n": 8}));
        assert_eq!(older[0]["response"], json!("not json"));
    }

    #[test]
    fn the_page_runs_no_inline_script() {
        assert!(CSP.contains("script-src 'self'") && !CSP.contains("unsafe-inline"));
        assert!(!INDEX.contains("<script>") && INDEX.contains("/assets/app.js"));
        // Data reaches the page as text only.
        assert!(!APP_JS.contains("innerHTML") && !APP_JS.contains("insertAdjacentHTML"));
        assert!(!APP_JS.contains("document.write") && !APP_JS.contains("eval("));
    }
}
