//! The rest of Meta's Cloud API surface an SDK touches around a send: media upload
//! (`POST /{v}/{phone_number_id}/media`, multipart), the media node (`GET` and `DELETE
//! /{v}/{media_id}`), the download URL it hands out (`GET /whatsapp_business/attachments/`,
//! bearer token required), and the phone number node (`GET /{v}/{phone_number_id}`). One path
//! pattern serves both nodes: the handler looks at what the id is. Facts, limits and error
//! wordings, with their sources: docs/media.md.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use wacart_sandbox::{Clock, MediaInfo, NewMedia};
use wacart_schema::{PhoneNumberId, WabaId, codes};

use crate::AppState;
use crate::blobs::{BlobError, MediaStore, SWEEP_AGE};
use crate::body::{BodyError, read_body};
use crate::doors::{bearer_number, graph_auth};
use crate::errors::{self, Refusal, Shape, unsupported_request};
use crate::multipart::{self, Part};

const MB: u64 = 1024 * 1024;

/// Every MIME type the upload takes, in the order Meta's refusal lists them, with the message
/// type it belongs to and its size limit in bytes (docs/media.md, "Supported media types").
pub(crate) const TYPES: &[(&str, &str, u64)] = &[
    ("audio/aac", "audio", 16 * MB),
    ("audio/mp4", "audio", 16 * MB),
    ("audio/mpeg", "audio", 16 * MB),
    ("audio/amr", "audio", 16 * MB),
    ("audio/ogg", "audio", 16 * MB),
    ("audio/opus", "audio", 16 * MB),
    ("application/vnd.ms-powerpoint", "document", 100 * MB),
    ("application/msword", "document", 100 * MB),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "document",
        100 * MB,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "document",
        100 * MB,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "document",
        100 * MB,
    ),
    ("application/pdf", "document", 100 * MB),
    ("text/plain", "document", 100 * MB),
    ("application/vnd.ms-excel", "document", 100 * MB),
    ("image/jpeg", "image", 5 * MB),
    ("image/png", "image", 5 * MB),
    // A sticker: 500 KB animated, 100 KB static; the sandbox does not look inside, so the
    // larger limit holds.
    ("image/webp", "sticker", 500 * 1024),
    ("video/mp4", "video", 16 * MB),
    ("video/3gpp", "video", 16 * MB),
];

/// Largest upload body: the largest file (a 100 MB document) and the form around it. A body
/// declared larger is refused before a byte of it is read.
pub const MAX_UPLOAD: usize = 100 * 1024 * 1024 + 64 * 1024;

/// Uploads read at once; more are refused (503) rather than held in memory.
const CONCURRENT_UPLOADS: usize = 8;

/// How long a download URL works (Meta: "The URL is only valid for 5 minutes").
const URL_LIFETIME_SECS: u64 = 5 * 60;

/// How often the sweeper looks for bytes no media owns any more.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// What the media routes share: the blob store, the next media id, the upload slots.
pub(crate) struct MediaState {
    pub(crate) store: MediaStore,
    next_id: AtomicU64,
    uploads: tokio::sync::Semaphore,
}

impl MediaState {
    pub(crate) fn new(store: MediaStore) -> Self {
        // Media ids are numbers of Meta's length (16 digits): the wall clock in ms times 1000,
        // counted up from there, so a restarted server does not hand out an id again (and the
        // engine refuses a taken one if it ever did).
        let seed = crate::SystemClock.now_millis().saturating_mul(1000);
        MediaState {
            store,
            next_id: AtomicU64::new(seed),
            uploads: tokio::sync::Semaphore::new(CONCURRENT_UPLOADS),
        }
    }

    fn new_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/{version}/{node}/media", post(upload))
        .route("/{version}/{node}", get(get_node).delete(delete_node))
        .route("/whatsapp_business/attachments/", get(download))
        .route("/whatsapp_business/attachments", get(download))
}

/// Removes, every few minutes, the bytes of media the engine no longer knows (expired after 30
/// days, or an upload whose command never ran). Runs until the task is aborted.
pub(crate) async fn sweeper(state: AppState) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let s = state.clone();
        let swept = tokio::task::spawn_blocking(move || sweep(&s, SWEEP_AGE)).await;
        if let Ok(n) = swept
            && n > 0
        {
            tracing::info!(blobs = n, "media bytes no media owns any more were removed");
        }
    }
}

/// Removes the blobs older than `age` whose media is not live; answers how many. Blocking.
pub(crate) fn sweep(state: &AppState, age: std::time::Duration) -> usize {
    // `media` judges expiry by the clock: time need not move first.
    state
        .media
        .store
        .sweep(age, |id| state.sandbox.read(|sb| sb.media(id).is_some()))
}

/// Query pairs, percent-decoded (`+` is a space).
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub(crate) fn param<'q>(pairs: &'q [(String, String)], name: &str) -> Option<&'q str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Graph's own wording for a missing parameter (code 100).
fn required(name: &str) -> Refusal {
    let mut error = wacart_schema::GraphError::new(
        codes::INVALID_PARAMETER,
        format!("The parameter {name} is required"),
        "wacart",
    );
    error.message = format!("(#100) The parameter {name} is required");
    Refusal::graph_error(error)
}

/// A Graph error whose `message` carries the details, as Meta words parameter errors.
fn param_error(status: StatusCode, details: String) -> Refusal {
    let mut error =
        wacart_schema::GraphError::new(codes::INVALID_PARAMETER, details.clone(), "wacart");
    error.message = format!("(#100) {details}");
    if status == StatusCode::BAD_REQUEST {
        Refusal::graph_error(error)
    } else {
        Refusal::graph_error_with_status(status, error)
    }
}

fn the_types() -> String {
    TYPES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
}

/// The bare, lowercase MIME type of a header value (`image/jpeg; x=y` → `image/jpeg`).
fn bare_mime(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The file's MIME type: its part's `Content-Type` when it names one, else the `type` field.
fn upload_mime(file: &Part, type_field: Option<&str>) -> Option<String> {
    file.content_type
        .as_deref()
        .map(bare_mime)
        .filter(|m| !m.is_empty() && m != "application/octet-stream")
        .or_else(|| type_field.map(bare_mime).filter(|m| !m.is_empty()))
}

/// The form's fields: the file part and the text ones.
struct Form {
    file: Part,
    mime: String,
}

/// The form's parts; `messaging_product` may also come in the query string (whatsapp-api-js
/// sends it there).
fn check_form(parts: Vec<Part>, query: Option<&str>) -> Result<Form, Refusal> {
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(&p.data).trim().to_owned())
    };
    let in_query = query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "messaging_product")
            .map(|(_, v)| v.to_owned())
    });
    let product = text("messaging_product")
        .or(in_query)
        .ok_or_else(|| required("messaging_product"))?;
    errors::ensure(product == "whatsapp", || {
        param_error(
            StatusCode::BAD_REQUEST,
            format!("Param messaging_product must be one of {{WHATSAPP}} - got \"{product}\""),
        )
    })?;
    let type_field = text("type");
    // `type` names the file's MIME type: when given, it must be one Meta takes.
    if let Some(t) = type_field.as_deref()
        && !TYPES.iter().any(|known| known.0 == bare_mime(t))
    {
        return Err(param_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Param file must be a file with one of the following types: {}. Received file of type '{}'.",
                the_types(),
                bare_mime(t)
            ),
        ));
    }
    let file = parts
        .into_iter()
        .find(|p| p.name == "file")
        .ok_or_else(|| required("file"))?;
    let received = upload_mime(&file, type_field.as_deref());
    let Some((mime, _, limit)) = received
        .as_deref()
        .and_then(|m| TYPES.iter().find(|t| t.0 == m))
    else {
        return Err(param_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Param file must be a file with one of the following types: {}. Received file of type '{}'.",
                the_types(),
                received.as_deref().unwrap_or("application/octet-stream")
            ),
        ));
    };
    let size = file.data.len() as u64;
    errors::ensure(size > 0, || {
        param_error(
            StatusCode::BAD_REQUEST,
            "Param file must not be empty".to_owned(),
        )
    })?;
    errors::ensure(size <= *limit, || {
        param_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Param file is too large: {size} bytes, and a file of type {mime} may have at most {limit} bytes"
            ),
        )
    })?;
    Ok(Form {
        file,
        mime: (*mime).to_owned(),
    })
}

/// `POST /{version}/{phone_number_id}/media`: multipart `file`, `type`, `messaging_product`.
async fn upload(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(&state, &headers, &version)?;
    errors::ensure(number.as_str() == node, || {
        Refusal::graph_error(unsupported_request("post", &node))
    })?;
    upload_for(&state, &number, query.as_deref(), &headers, body).await
}

/// An upload for `number` (its credentials checked): the form read, the bytes stored.
pub(crate) async fn upload_for(
    state: &AppState,
    number: &PhoneNumberId,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
        .ok_or_else(|| {
            param_error(
                StatusCode::BAD_REQUEST,
                "An upload is multipart/form-data with a boundary (parts file, type and messaging_product)".to_owned(),
            )
        })?;
    let _slot = state.media.uploads.try_acquire().map_err(|_| {
        Refusal::graph(
            codes::SERVICE_UNAVAILABLE,
            format!("{CONCURRENT_UPLOADS} uploads are being read already; retry shortly"),
        )
    })?;
    let bytes = read_body(body, MAX_UPLOAD).await.map_err(|e| match e {
        BodyError::TooLarge => param_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The upload is larger than {MAX_UPLOAD} bytes. Meta takes files up to 100 MB (documents), 16 MB (audio, video), 5 MB (images) and 500 KB (stickers)"
            ),
        ),
        e => e.refusal(Shape::Graph, MAX_UPLOAD),
    })?;
    let parts = multipart::parse(&bytes, &boundary).map_err(|why| {
        param_error(
            StatusCode::BAD_REQUEST,
            format!("The body is not a well-formed multipart/form-data: {why}"),
        )
    })?;
    let form = check_form(parts, query)?;
    let file_name = form.file.filename.clone().filter(|f| !f.is_empty());
    let (id, _) = store_media(state, number, form.file.data, form.mime, file_name).await?;
    Ok(errors::ok(&json!({"id": id})))
}

/// Stores a media's bytes, then records it for `number`: its id and hex SHA-256.
pub(crate) async fn store_media(
    state: &AppState,
    number: &PhoneNumberId,
    data: axum::body::Bytes,
    mime: String,
    file_name: Option<String>,
) -> Result<(String, String), Refusal> {
    let bytes = data.clone();
    let sha256 = tokio::task::spawn_blocking(move || hex(&Sha256::digest(&bytes)))
        .await
        .map_err(|_| Refusal::graph(codes::SOMETHING_WENT_WRONG, "the upload could not be read"))?;
    let file_size = data.len() as u64;
    // The bytes are durable before the command that names them is logged; a taken id (a clock
    // that went back) moves on to the next.
    for _ in 0..3 {
        let id = state.media.new_id();
        state
            .media
            .store
            .put(&id, data.clone())
            .await
            .map_err(|e| match e {
                BlobError::Full { .. } => Refusal::graph_error_with_status(
                    StatusCode::INSUFFICIENT_STORAGE,
                    wacart_schema::GraphError::new(
                        codes::INVALID_PARAMETER,
                        format!("{e}; delete media, or run the sandbox on a database"),
                        "wacart",
                    ),
                ),
                BlobError::Io(io) => {
                    tracing::error!(error = %io, "cannot store media bytes");
                    Refusal::graph(
                        codes::SERVICE_UNAVAILABLE,
                        "the sandbox could not store the media; retry later",
                    )
                }
            })?;
        let media = NewMedia::new(
            id.clone(),
            mime.clone(),
            sha256.clone(),
            file_size,
            file_name.clone(),
        );
        match state.sandbox.run(|sb| sb.upload_media(number, media)).await {
            Ok(()) => return Ok((id, sha256)),
            Err(e) => {
                let _ = state.media.store.remove(&id);
                if !matches!(e, wacart_sandbox::EngineError::Exists(_)) {
                    return Err(e.into());
                }
            }
        }
    }
    Err(Refusal::graph(
        codes::SOMETHING_WENT_WRONG,
        "no free media id; retry",
    ))
}

/// The WABA a number belongs to.
fn waba_of(state: &AppState, number: &PhoneNumberId) -> Option<WabaId> {
    state.sandbox.read(|sb| {
        sb.tenants()
            .find(|t| t.numbers.iter().any(|n| n.phone_number_id == *number))
            .map(|t| t.waba_id.clone())
    })
}

/// The live media `id` as the token's number may see it: of its WABA, and of the number given
/// as `?phone_number_id=` when one is.
fn visible_media(
    state: &AppState,
    number: &PhoneNumberId,
    id: &str,
    only_number: Option<&str>,
    method: &str,
) -> Result<MediaInfo, Refusal> {
    let waba = waba_of(state, number);
    let media = state
        .sandbox
        .read(|sb| sb.media(id))
        .filter(|m| Some(&m.waba_id) == waba.as_ref())
        .ok_or_else(|| Refusal::graph_error(unsupported_request(method, id)))?;
    // The wording Meta was seen to answer a `phone_number_id` the media was not uploaded on
    // with (docs/media.md).
    errors::ensure(
        only_number.is_none_or(|n| media.phone_number_id.as_str() == n),
        || {
            param_error(
                StatusCode::BAD_REQUEST,
                "Param phone_number_id is not a valid whatsapp business phone number id ID"
                    .to_owned(),
            )
        },
    )?;
    Ok(media)
}

/// The host the client reached this server by, for URLs that point back at it.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The check value of a download URL (binds the id, its expiry and the bytes' digest).
fn url_hash(media: &MediaInfo, ext: u64) -> String {
    hex(&Sha256::digest(format!("{}:{ext}:{}", media.id, media.sha256).as_bytes())[..16])
}

/// `GET /{version}/{id}`: the phone number node, or a media's URL and details.
async fn get_node(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(&state, &headers, &version)?;
    let pairs = query_pairs(query.as_deref());
    if node == number.as_str() {
        return phone_number_node(&state, &number, param(&pairs, "fields"));
    }
    if let Some(template) = crate::templates::get_node(&state, &number, &node, &pairs)? {
        return Ok(template);
    }
    media_node(&state, &number, &node, query.as_deref(), &headers)
}

/// A media's URL and details, as `number` (its credentials checked) may see it.
pub(crate) fn media_node(
    state: &AppState,
    number: &PhoneNumberId,
    node: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let pairs = query_pairs(query);
    let media = visible_media(state, number, node, param(&pairs, "phone_number_id"), "get")?;
    let ext = state.sandbox.read(|sb| sb.media_now()) / 1000 + URL_LIFETIME_SECS;
    let url = format!(
        "{}/whatsapp_business/attachments/?mid={}&ext={ext}&hash={}",
        origin(headers),
        media.id,
        url_hash(&media, ext)
    );
    Ok(errors::ok(&json!({
        "messaging_product": "whatsapp",
        "url": url,
        "mime_type": media.mime_type,
        "sha256": media.sha256,
        "file_size": media.file_size,
        "id": media.id,
    })))
}

/// `DELETE /{version}/{media_id}`: `{"success": true}`; the media is unknown from then on.
async fn delete_node(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(&state, &headers, &version)?;
    delete_media_for(&state, &number, &node, query.as_deref()).await
}

/// Deletes a media `number` (its credentials checked) may see.
pub(crate) async fn delete_media_for(
    state: &AppState,
    number: &PhoneNumberId,
    node: &str,
    query: Option<&str>,
) -> Result<Response, Refusal> {
    let pairs = query_pairs(query);
    let media = visible_media(
        state,
        number,
        node,
        param(&pairs, "phone_number_id"),
        "delete",
    )?;
    state
        .sandbox
        .run(|sb| sb.delete_media(&media.id))
        .await
        .map_err(|e| match e {
            wacart_sandbox::EngineError::UnknownMedia(id) => {
                Refusal::graph_error(unsupported_request("delete", &id))
            }
            e => e.into(),
        })?;
    // The delete is durable: the bytes can go (a failure here leaves them to the sweeper).
    if let Err(e) = state.media.store.remove(&media.id) {
        tracing::warn!(error = %e, media = %media.id, "cannot remove deleted media bytes");
    }
    Ok(errors::ok(&json!({"success": true})))
}

/// `GET /whatsapp_business/attachments/?mid=&ext=&hash=`: the bytes, with the bearer token
/// (or, as 360dialog serves the same path on its host, the `D360-API-KEY`).
async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let number = match crate::d360::key_number(&state, &headers) {
        Some(n) => n,
        None => bearer_number(&state, &headers)?,
    };
    let pairs = query_pairs(query.as_deref());
    let gone = || {
        let error = wacart_schema::GraphError::new(
            codes::INVALID_PARAMETER,
            "The media URL is unknown or expired (it works for 5 minutes): retrieve a new one with GET /{version}/{media_id}",
            "wacart",
        );
        Refusal::graph_error_with_status(StatusCode::NOT_FOUND, error)
    };
    let (Some(mid), Some(ext), Some(hash)) = (
        param(&pairs, "mid"),
        param(&pairs, "ext").and_then(|e| e.parse::<u64>().ok()),
        param(&pairs, "hash"),
    ) else {
        return Err(gone());
    };
    let media = visible_media(&state, &number, mid, None, "get").map_err(|_| gone())?;
    let now = state.sandbox.read(|sb| sb.media_now()) / 1000;
    errors::ensure(now <= ext && url_hash(&media, ext) == hash, gone)?;
    let bytes = match state.media.store.get(&media.id).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            tracing::warn!(media = %media.id, "a live media has no bytes in the store");
            return Err(gone());
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read media bytes");
            return Err(Refusal::graph(
                codes::SERVICE_UNAVAILABLE,
                "the sandbox could not read the media; retry later",
            ));
        }
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media.mime_type.clone())],
        bytes,
    )
        .into_response();
    if let Some(name) = media
        .file_name
        .as_deref()
        .filter(|n| n.chars().all(|c| c.is_ascii_graphic() || c == ' ') && !n.contains('"'))
        && let Ok(v) = format!("attachment; filename=\"{name}\"").parse()
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The fields a Graph WhatsAppBusinessPhoneNumber node has (docs/media.md). The sandbox answers
/// the ones it has a value for and leaves the others out, as Graph leaves out empty fields; a
/// name not on this list is refused as Graph refuses it.
pub(crate) const PHONE_FIELDS: &[&str] = &[
    "id",
    "verified_name",
    "display_phone_number",
    "quality_rating",
    "code_verification_status",
    "platform_type",
    "throughput",
    "name_status",
    "new_name_status",
    "status",
    "account_mode",
    "is_official_business_account",
    "is_pin_enabled",
    "is_preverified_number",
    "is_on_biz_app",
    "messaging_limit_tier",
    "webhook_configuration",
    "conversational_automation",
    "quality_score",
    "search_visibility",
    "eligibility_for_api_business_global_search",
    "health_status",
    "certificate",
    "new_certificate",
    "last_onboarded_time",
    "country_code",
    "country_dial_code",
    "unified_cert_status",
    "host_platform",
    "username",
    "whatsapp_business_manager_messaging_limit",
];

/// What `GET /{phone_number_id}` answers without `fields`: the fields of Meta's example of the
/// node's metadata (`webhook_configuration` only when the app has a callback).
const DEFAULT_PHONE_FIELDS: &[&str] = &[
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "webhook_configuration",
    "id",
];

/// `+1 555-000-1111` for a North American number, `+<digits>` otherwise.
fn display_format(digits: &str) -> String {
    let d: String = digits.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 11 && d.starts_with('1') {
        format!("+1 {}-{}-{}", &d[1..4], &d[4..7], &d[7..])
    } else {
        format!("+{d}")
    }
}

fn phone_number_node(
    state: &AppState,
    number: &PhoneNumberId,
    fields: Option<&str>,
) -> Result<Response, Refusal> {
    let requested: Vec<String> = match fields {
        Some(f) => f
            .split(',')
            .map(|f| {
                // `name{subfields}` and `name.modifier(...)` name the field `name`.
                f.trim().split(['{', '.']).next().unwrap_or("").to_owned()
            })
            .filter(|f| !f.is_empty())
            .collect(),
        None => DEFAULT_PHONE_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
    };
    if let Some(bad) = requested
        .iter()
        .find(|f| !PHONE_FIELDS.contains(&f.as_str()))
    {
        return Err(param_error(
            StatusCode::BAD_REQUEST,
            format!(
                "Tried accessing nonexisting field ({bad}) on node type (WhatsAppBusinessPhoneNumber)"
            ),
        ));
    }
    let (spec, callback, rate) = state.sandbox.read(|sb| {
        let spec = sb.number_spec(number).cloned();
        let callback = sb
            .tenants()
            .find(|t| t.numbers.iter().any(|n| n.phone_number_id == *number))
            .and_then(|t| t.app.callback_url.clone());
        (spec, callback, sb.config().number_rate)
    });
    let spec =
        spec.ok_or_else(|| Refusal::graph_error(unsupported_request("get", number.as_str())))?;
    let mut all = Map::new();
    all.insert("id".into(), json!(number.as_str()));
    all.insert(
        "verified_name".into(),
        json!(
            spec.verified_name
                .clone()
                .unwrap_or_else(|| "Wacart Sandbox".to_owned())
        ),
    );
    all.insert(
        "display_phone_number".into(),
        json!(display_format(&spec.display_number)),
    );
    all.insert("quality_rating".into(), json!("GREEN"));
    all.insert("code_verification_status".into(), json!("VERIFIED"));
    all.insert("platform_type".into(), json!("CLOUD_API"));
    // Cloud API's default is 80 messages/s (STANDARD); 1,000 is HIGH.
    let level = if rate.is_some_and(|r| r > 80) {
        "HIGH"
    } else {
        "STANDARD"
    };
    all.insert("throughput".into(), json!({"level": level}));
    all.insert("name_status".into(), json!("APPROVED"));
    all.insert("status".into(), json!("CONNECTED"));
    all.insert("account_mode".into(), json!("LIVE"));
    all.insert("is_official_business_account".into(), json!(false));
    all.insert("is_pin_enabled".into(), json!(false));
    all.insert("is_preverified_number".into(), json!(false));
    all.insert("is_on_biz_app".into(), json!(false));
    all.insert("host_platform".into(), json!("CLOUD_API"));
    if let Some(url) = callback {
        all.insert("webhook_configuration".into(), json!({"application": url}));
    }
    let mut out = Map::new();
    for f in requested.iter().chain(std::iter::once(&"id".to_owned())) {
        if let Some(v) = all.get(f) {
            out.insert(f.clone(), v.clone());
        }
    }
    Ok(errors::ok(&Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        let p = query_pairs(Some("fields=id%2Cverified_name&x=a+b&bad=%zz&end=%4"));
        assert_eq!(param(&p, "fields"), Some("id,verified_name"));
        assert_eq!(param(&p, "x"), Some("a b"));
        assert_eq!(param(&p, "bad"), Some("%zz"));
        assert_eq!(param(&p, "end"), Some("%4"));
        assert!(query_pairs(None).is_empty());
    }

    #[test]
    fn the_mime_type_is_the_parts_unless_it_says_nothing() {
        let part = |ct: Option<&str>| Part {
            name: "file".into(),
            filename: None,
            content_type: ct.map(str::to_owned),
            data: axum::body::Bytes::from_static(b"x"),
        };
        assert_eq!(
            upload_mime(&part(Some("Image/PNG; q=1")), Some("image/jpeg")).as_deref(),
            Some("image/png")
        );
        assert_eq!(
            upload_mime(&part(Some("application/octet-stream")), Some("image/jpeg")).as_deref(),
            Some("image/jpeg")
        );
        assert_eq!(upload_mime(&part(None), None), None);
    }

    #[test]
    fn limits_follow_the_type_and_the_largest_bounds_the_body() {
        let limit = |m: &str| TYPES.iter().find(|t| t.0 == m).map(|t| t.2);
        assert_eq!(limit("image/jpeg"), Some(5 * MB));
        assert_eq!(limit("video/3gpp"), Some(16 * MB));
        assert_eq!(limit("image/webp"), Some(500 * 1024));
        assert_eq!(limit("image/gif"), None);
        let largest = TYPES.iter().map(|t| t.2).max().unwrap();
        assert!(MAX_UPLOAD as u64 > largest);
    }

    #[test]
    fn display_numbers_read_as_metas() {
        assert_eq!(display_format("15550001111"), "+1 555-000-1111");
        assert_eq!(display_format("447700900123"), "+447700900123");
    }
}
