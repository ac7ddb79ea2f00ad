//! The wacart sandbox server: the doors of Meta's Cloud API, 360dialog and Kaleyra, the catalog
//! and settings endpoints, the customer-simulation API, and the webhook delivery worker, all over
//! one [`wacart_sandbox::SharedSandbox`].
//!
//! `main.rs` only wires configuration and signals; tests use [`app`] and [`run`] directly.

// Handlers return `Result<_, Response>` to answer early in the door's shape: an error is a
// response already built, not a value that travels far, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use wacart_sandbox::{Clock, SharedSandbox};

mod api;
mod blobs;
mod body;
mod clock;
mod d360;
pub mod demo;
mod doors;
mod errors;
mod events;
mod http;
pub mod kaleyra;
mod media;
mod multipart;
pub mod openapi;
mod templates;
mod web;
mod worker;

pub use blobs::{MEMORY_CAP, MediaStore};
pub use clock::{MAX_ADVANCE, SkewClock};
pub use http::HttpConfig;
pub use media::MAX_UPLOAD;
pub use worker::WorkerConfig;

/// The wall clock: the only place the sandbox's time comes from in production.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub(crate) sandbox: Arc<SharedSandbox>,
    /// Wakes the delivery worker when a command may have queued webhooks.
    pub(crate) outbox: Arc<tokio::sync::Notify>,
    /// The sandbox's strict catalog-message rule (fixed while it runs).
    pub(crate) strict_catalog_thumbnail: bool,
    /// Media bytes, ids and upload slots.
    pub(crate) media: Arc<media::MediaState>,
    /// The live event stream's change counter (`GET /sandbox/events`).
    pub(crate) events: events::Events,
    /// The latest requests to the sending doors, with their answers.
    pub(crate) outbound: Arc<web::OutboundLog>,
    /// The clock the sandbox runs on, when it can be moved forward.
    pub(crate) clock: Option<Arc<SkewClock>>,
}

impl AppState {
    /// State over a shared sandbox.
    pub fn new(sandbox: Arc<SharedSandbox>) -> Self {
        let strict_catalog_thumbnail = sandbox.read(|sb| sb.config().strict_catalog_thumbnail);
        let outbox = Arc::new(tokio::sync::Notify::new());
        let events = events::Events::new();
        let told = events.clone();
        sandbox.watch(move |_| told.bump());
        AppState {
            sandbox,
            outbox,
            strict_catalog_thumbnail,
            media: Arc::new(media::MediaState::new(MediaStore::memory(MEMORY_CAP))),
            events,
            outbound: Arc::default(),
            clock: None,
        }
    }

    /// The clock the sandbox was opened with, which `POST /sandbox/clock` moves forward.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<SkewClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Keeps media bytes in `store` (in memory, capped at [`MEMORY_CAP`], by default).
    #[must_use]
    pub fn with_media_store(mut self, store: MediaStore) -> Self {
        self.media = Arc::new(media::MediaState::new(store));
        self
    }

    /// Removes media bytes older than `age` that no live media owns (expired, deleted, or an
    /// upload that never became a command); answers how many. Blocking: run it before serving,
    /// or on a blocking thread.
    pub fn sweep_media(&self, age: std::time::Duration) -> usize {
        media::sweep(self, age)
    }

    /// The sandbox.
    pub fn sandbox(&self) -> &Arc<SharedSandbox> {
        &self.sandbox
    }
}

/// Largest body of a send or API call (bytes): larger is 413.
pub const MAX_BODY: usize = 256 * 1024;
/// Largest feed upload (bytes).
pub const MAX_FEED: usize = 32 * 1024 * 1024;

/// GET routes whose handler runs a command that writes (viewing a thread marks it read, viewing
/// a cart settles its notice). HEAD on them is refused rather than routed to the GET handler.
const WRITING_GETS: &[&str] = &[
    "/sandbox/customers/{wa_id}/threads/{number}",
    "/sandbox/customers/{wa_id}/devices/{device}/carts/{number}",
];

/// HEAD never writes: axum answers HEAD with the GET handler, so on a GET that writes it is
/// refused (405, `Allow: GET`) before the handler runs.
async fn head_never_writes(
    matched: Option<axum::extract::MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.method() == axum::http::Method::HEAD
        && matched.is_some_and(|m| WRITING_GETS.contains(&m.as_str()))
    {
        let mut refusal = axum::response::IntoResponse::into_response(
            errors::method_not_allowed(request.method().clone(), request.uri().clone()).await,
        );
        refusal.headers_mut().insert(
            axum::http::header::ALLOW,
            axum::http::HeaderValue::from_static("GET"),
        );
        return refusal;
    }
    next.run(request).await
}

/// Every route.
pub fn app(state: AppState) -> axum::Router {
    doors::routes()
        .merge(api::routes())
        .merge(media::routes())
        .merge(kaleyra::routes())
        .merge(d360::routes())
        .merge(templates::routes())
        .merge(web::routes())
        .route_layer(axum::middleware::from_fn(head_never_writes))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::record_outbound,
        ))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .with_state(state)
}

/// [`run_with`] with the default [`HttpConfig`].
///
/// # Errors
/// None today; kept for callers that handle one.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    worker: WorkerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(listener, state, worker, HttpConfig::default(), shutdown).await
}

/// Serves `app` on `listener` with the delivery worker until `shutdown` resolves; then lets
/// requests and webhook deliveries in flight finish for at most `http.shutdown_timeout`, and
/// drops the rest (what was acknowledged is already durable).
///
/// # Errors
/// None today: accept errors are logged and serving goes on.
pub async fn run_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    worker: WorkerConfig,
    http: HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut worker = tokio::spawn(worker::run(state.clone(), worker, stop_rx));
    let sweeper = tokio::spawn(media::sweeper(state.clone()));
    // The connections and the worker stop together, under one deadline.
    let begun = Arc::new(std::sync::OnceLock::new());
    let mark = begun.clone();
    let events = state.events.clone();
    http::serve(listener, app(state), &http, async move {
        shutdown.await;
        let _ = mark.set(tokio::time::Instant::now());
        let _ = stop_tx.send(true);
        // Event streams never end on their own: they end now, so their connections drain.
        events.close();
    })
    .await;
    sweeper.abort();
    let deadline = *begun.get_or_init(tokio::time::Instant::now) + http.shutdown_timeout;
    if tokio::time::timeout_at(deadline, &mut worker)
        .await
        .is_err()
    {
        tracing::warn!("shutdown deadline passed; dropping webhook deliveries in flight");
        worker.abort();
    }
    Ok(())
}
