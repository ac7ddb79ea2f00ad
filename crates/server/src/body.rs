//! Reading request bodies: size limits told apart from framing errors and from the body
//! deadline, the JSON media type, and JSON bodies that must be objects.

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use wacart_schema::codes;

use crate::errors::{Refusal, Shape};
use crate::http::BodyTimedOut;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Longer than the route's limit (declared or sent).
    TooLarge,
    /// Not all there before the body deadline.
    TimedOut,
    /// Bad framing (a malformed chunk), or the connection closed before the end.
    Malformed,
}

impl BodyError {
    /// The refusal in `shape`; `limit` is the route's limit.
    pub(crate) fn refusal(self, shape: Shape, limit: usize) -> Refusal {
        match self {
            BodyError::TooLarge => Refusal::too_large(shape, limit),
            BodyError::TimedOut => Refusal::with_status(
                shape,
                StatusCode::REQUEST_TIMEOUT,
                codes::INVALID_PARAMETER,
                "the request body did not arrive in time",
            ),
            BodyError::Malformed => Refusal::with_status(
                shape,
                StatusCode::BAD_REQUEST,
                codes::INVALID_PARAMETER,
                "the request body is malformed: bad chunked framing, or shorter than declared",
            ),
        }
    }
}

/// Reads the body, at most `limit` bytes. A declared length over the limit is refused before
/// anything is read.
pub(crate) async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let declared = body.size_hint().lower();
    if declared > limit64 {
        return Err(BodyError::TooLarge);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(usize::try_from(declared).unwrap_or(limit));
    let mut single: Option<Bytes> = None;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| {
            if e.into_inner().downcast_ref::<BodyTimedOut>().is_some() {
                BodyError::TimedOut
            } else {
                BodyError::Malformed
            }
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let held = single.as_ref().map_or(buf.len(), Bytes::len);
        if held + data.len() > limit {
            return Err(BodyError::TooLarge);
        }
        // One chunk (the usual case) is kept as it came; more are copied together.
        match single.take() {
            None if buf.is_empty() => single = Some(data),
            None => buf.extend_from_slice(&data),
            Some(first) => {
                buf.extend_from_slice(&first);
                buf.extend_from_slice(&data);
            }
        }
    }
    Ok(single.unwrap_or_else(|| Bytes::from(buf)))
}

/// Whether the body is declared JSON: `application/json`, with optional parameters
/// (`; charset=utf-8`). Neither `application/jsonx` nor a `+json` suffix is JSON here: Meta's
/// clients send `application/json`, and the sandbox is strict where the API is.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
}

/// Parses a JSON object into `T`. serde reads a struct from an array too (`[7]` as
/// `{"quantity": 7}`); a body that is not an object is refused first.
pub(crate) fn json_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
        _ => Err("the body must be a JSON object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_means_application_json_with_parameters_only() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("content-type", v.parse().unwrap());
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with(" application/json ;charset=UTF-8"));
        assert!(!with("application/jsonx"));
        assert!(!with("application/json-patch"));
        assert!(!with("application/problem+json"));
        assert!(!with("text/json"));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[derive(serde::Deserialize, Debug)]
    struct Item {
        #[allow(dead_code)]
        quantity: u32,
    }

    #[test]
    fn only_objects_are_json_bodies() {
        assert!(json_object::<Item>(b" {\"quantity\": 7}").is_ok());
        for bad in [&b"[7]"[..], b"  [7]", b"7", b"\"x\"", b"null", b""] {
            assert_eq!(
                json_object::<Item>(bad).unwrap_err(),
                "the body must be a JSON object",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
