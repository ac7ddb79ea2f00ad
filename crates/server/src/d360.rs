//! 360dialog's own calls beside the messages door (docs/providers.md §3): the webhook URL is
//! set with `POST /v1/configs/webhook` (header `D360-API-KEY`, body `{"url", "headers"}`) and
//! read back with `GET` (or a `POST` without a body, as 360dialog's page shows it); refusals in
//! 360dialog's `meta` envelope. And Meta's media calls on 360dialog's paths, the key selecting
//! the number: `POST /media`, `GET` and `DELETE /{media_id}` (the download path is shared with
//! Meta's door, `media.rs`); Meta's errors pass through unchanged.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use wacart_schema::PhoneNumberId;

use crate::AppState;
use crate::body::read_body;
use crate::errors::{self, Refusal, Shape};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/configs/webhook", get(read).post(configure))
        .route("/media", post(upload))
        .route("/{media_id}", get(media).delete(delete_media))
}

/// The webhook configuration, as 360dialog answers it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WebhookConfig {
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// The number a `D360-API-KEY` selects, if the request carries one that does.
pub(crate) fn key_number(state: &AppState, headers: &HeaderMap) -> Option<PhoneNumberId> {
    let key = crate::doors::header(headers, "d360-api-key")
        .unwrap_or("")
        .trim();
    (!key.is_empty())
        .then(|| {
            state
                .sandbox
                .read(|sb| sb.number_for_d360_key(key).cloned())
        })
        .flatten()
}

/// The number a `D360-API-KEY` selects (360dialog's 401 otherwise).
pub(crate) fn number(state: &AppState, headers: &HeaderMap) -> Result<PhoneNumberId, Refusal> {
    key_number(state, headers).ok_or_else(|| Refusal::unauthorized(Shape::D360, "Invalid api key"))
}

/// `POST /media`: Meta's multipart upload, for the key's number.
async fn upload(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let number = number(&st, &headers)?;
    crate::media::upload_for(&st, &number, query.as_deref(), &headers, body).await
}

/// `GET /{media_id}`: the media's URL (on this host) and details.
async fn media(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let number = number(&st, &headers)?;
    let id = errors::path(Shape::D360, path)?;
    crate::media::media_node(&st, &number, &id, query.as_deref(), &headers)
}

/// `DELETE /{media_id}`.
async fn delete_media(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let number = number(&st, &headers)?;
    let id = errors::path(Shape::D360, path)?;
    crate::media::delete_media_for(&st, &number, &id, query.as_deref()).await
}

fn current(state: &AppState, number: &PhoneNumberId) -> WebhookConfig {
    state.sandbox.read(|sb| {
        let waba = sb.number_waba(number);
        sb.tenants()
            .find(|t| Some(&t.waba_id) == waba.as_ref())
            .map(|t| WebhookConfig {
                url: t.app.callback_url.clone().unwrap_or_default(),
                headers: t.app.callback_headers.clone(),
            })
            .unwrap_or_default()
    })
}

async fn read(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, Refusal> {
    let number = number(&st, &headers)?;
    Ok(errors::ok(&current(&st, &number)))
}

fn bad(details: &str) -> Refusal {
    Refusal::d360(
        StatusCode::BAD_REQUEST,
        "Invalid webhook configuration",
        &[details.to_owned()],
    )
}

async fn configure(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let number = number(&st, &headers)?;
    let bytes = read_body(body, crate::MAX_BODY)
        .await
        .map_err(|e| e.refusal(Shape::D360, crate::MAX_BODY))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // No body: the configuration as it is.
        return Ok(errors::ok(&current(&st, &number)));
    }
    let config: WebhookConfig = serde_json::from_slice(&bytes).map_err(|e| {
        bad(&format!(
            "the body is {{\"url\": …, \"headers\": {{…}}}}: {e}"
        ))
    })?;
    errors::ensure(wacart_sandbox::callbacks::url_ok(&config.url), || {
        bad("url must be an http(s) URL: a host name or IPv4 address, an optional port, no spaces")
    })?;
    let waba = st
        .sandbox
        .read(|sb| sb.number_waba(&number))
        .ok_or_else(|| bad("the number has no WhatsApp Business Account"))?;
    st.sandbox
        .run(|sb| sb.set_callback_with_headers(&waba, config.url.clone(), config.headers.clone()))
        .await
        .map_err(|e| match e {
            wacart_sandbox::EngineError::BadRequest(m) => bad(&m),
            e => Refusal::engine(Shape::D360, &e),
        })?;
    st.outbox.notify_one();
    Ok(errors::ok(&config))
}
