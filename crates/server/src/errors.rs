//! Every failure in the shape its door uses: Meta's Graph error object (also on 360dialog for
//! Meta's own errors and on the sandbox API), 360dialog's `meta` envelope for its own auth
//! errors, Kaleyra's `code`/`message` envelope. Never a bare 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use wacart_sandbox::EngineError;
use wacart_schema::{D360ErrorResponse, GraphError, GraphErrorResponse, KaleyraResponse, codes};

/// The door that answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Meta's Graph error object (Meta's door, catalog and settings, the sandbox API).
    Graph,
    /// 360dialog: its own envelope for its auth errors, Meta's object for the rest.
    D360,
    /// Kaleyra's envelope.
    Kaleyra,
}

fn trace_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("Wacart{:012}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    (status, [("content-type", "application/json")], bytes).into_response()
}

/// A Graph error with its HTTP status.
pub(crate) fn graph(code: u32, details: impl Into<String>) -> Response {
    graph_error(GraphError::new(code, details, trace_id()))
}

pub(crate) fn graph_error(error: GraphError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    json(status, &GraphErrorResponse::from(error))
}

/// A refusal in the door's shape. `kaleyra_code` is Kaleyra's code for it.
pub(crate) fn refuse(
    shape: Shape,
    code: u32,
    details: impl Into<String>,
    kaleyra_code: &str,
) -> Response {
    let details = details.into();
    match shape {
        Shape::Graph | Shape::D360 => graph(code, details),
        Shape::Kaleyra => {
            let status =
                StatusCode::from_u16(codes::http_status(code)).unwrap_or(StatusCode::BAD_REQUEST);
            let error = serde_json::json!({"code": code, "details": details});
            json(
                status,
                &KaleyraResponse::error(kaleyra_code, format!("(#{code}) {details}"), error),
            )
        }
    }
}

/// Wrong or missing credentials.
pub(crate) fn unauthorized(shape: Shape, details: &str) -> Response {
    match shape {
        Shape::Graph => graph(codes::ACCESS_TOKEN_EXPIRED, details.to_owned()),
        Shape::D360 => json(
            StatusCode::UNAUTHORIZED,
            &D360ErrorResponse::new(401, details),
        ),
        Shape::Kaleyra => json(
            StatusCode::UNAUTHORIZED,
            &KaleyraResponse::error(
                "RBC001",
                "Incorrect SID or API key.",
                serde_json::json!({"details": details}),
            ),
        ),
    }
}

/// A refusal in the door's shape with a status of its own (not the one the code implies).
pub(crate) fn in_shape(
    shape: Shape,
    status: StatusCode,
    code: u32,
    details: impl Into<String>,
) -> Response {
    let details = details.into();
    match shape {
        Shape::Kaleyra => json(
            status,
            &KaleyraResponse::error(
                "WA400",
                details.clone(),
                serde_json::json!({"details": details}),
            ),
        ),
        Shape::Graph | Shape::D360 => json(
            status,
            &GraphErrorResponse::from(GraphError::new(code, details, trace_id())),
        ),
    }
}

/// A Graph error's status and JSON body, for answers written outside axum.
pub(crate) fn graph_bytes(code: u32, details: impl Into<String>) -> (StatusCode, Vec<u8>) {
    let error = GraphError::new(code, details, trace_id());
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let bytes = serde_json::to_vec(&GraphErrorResponse::from(error)).unwrap_or_default();
    (status, bytes)
}

/// A body over the size limit.
pub(crate) fn too_large(shape: Shape, limit: usize) -> Response {
    in_shape(
        shape,
        StatusCode::PAYLOAD_TOO_LARGE,
        codes::INVALID_PARAMETER,
        format!("the request body is larger than {limit} bytes"),
    )
}

/// An engine refusal.
pub(crate) fn engine(shape: Shape, e: &EngineError) -> Response {
    match e {
        EngineError::Graph(g) => match shape {
            Shape::Kaleyra => refuse(shape, g.code, g.details().unwrap_or_default(), "WA400"),
            _ => graph_error(GraphError::new(
                g.code,
                g.details().unwrap_or_default(),
                trace_id(),
            )),
        },
        EngineError::UnknownNumber(_) if shape == Shape::Kaleyra => json(
            StatusCode::UNAUTHORIZED,
            &KaleyraResponse::error(
                "WA401",
                "The WhatsApp number is not on this account.",
                serde_json::json!({}),
            ),
        ),
        EngineError::UnknownNumber(id) => refuse(
            shape,
            codes::INVALID_PARAMETER,
            format!(
                "Unsupported request: object with ID '{id}' does not exist or cannot be loaded"
            ),
            "WA401",
        ),
        EngineError::Store(err) => {
            tracing::error!(error = %err, "the store failed");
            refuse(
                shape,
                codes::SERVICE_UNAVAILABLE,
                "the sandbox's store failed; retry later",
                "WA500",
            )
        }
        EngineError::Cart(c) => refuse(shape, codes::PARAMETER_VALUE_INVALID, c.details(), "WA400"),
        EngineError::UnknownCustomer
        | EngineError::UnknownMessage(_)
        | EngineError::UnknownCatalog(_)
        | EngineError::UnknownDelivery(_) => {
            let error = GraphError::new(codes::INVALID_PARAMETER, e.to_string(), trace_id());
            json(StatusCode::NOT_FOUND, &GraphErrorResponse::from(error))
        }
        other => refuse(shape, codes::INVALID_PARAMETER, other.to_string(), "WA400"),
    }
}

/// Unknown routes, in Graph's shape.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    let error = GraphError::new(
        codes::INVALID_PARAMETER,
        format!("Unknown path components: {}", uri.path()),
        trace_id(),
    );
    json(StatusCode::NOT_FOUND, &GraphErrorResponse::from(error))
}

/// A known path with a method it does not take, in Graph's shape.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    let details = format!(
        "Unsupported {} request on {}",
        method.as_str().to_ascii_lowercase(),
        uri.path()
    );
    let error = GraphError::new(codes::INVALID_PARAMETER, details, trace_id());
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        &GraphErrorResponse::from(error),
    )
}

/// JSON `value` with status 200.
pub(crate) fn ok(value: &impl serde::Serialize) -> Response {
    json(StatusCode::OK, value)
}

/// JSON `value` with a status.
pub(crate) fn with_status(status: StatusCode, value: &impl serde::Serialize) -> Response {
    json(status, value)
}
