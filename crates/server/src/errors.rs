//! Every failure in the shape its door uses: Meta's Graph error object (also on 360dialog for
//! Meta's own errors and on the sandbox API), 360dialog's `meta` envelope for its own auth
//! errors, Kaleyra's `code`/`message` envelope. Never a bare 500.
//!
//! A handler answers `Result<Response, Refusal>` and refuses with `?`: an [`EngineError`]
//! becomes a [`Refusal`] in Graph's shape by `From`, in another door's shape by
//! [`InShape::in_shape`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use wacart_sandbox::EngineError;
use wacart_sandbox::KaleyraRefusal;
use wacart_schema::{
    D360ErrorResponse, GraphError, GraphErrorResponse, KaleyraError, KaleyraResponse, codes,
};

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

/// A refusal, already in its door's shape: a status and a JSON body. Its trace id is taken
/// when it is made, so it reads the same whenever it is answered.
#[derive(Debug)]
#[must_use]
pub(crate) struct Refusal {
    status: StatusCode,
    body: Vec<u8>,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            [("content-type", "application/json")],
            self.body,
        )
            .into_response()
    }
}

/// An engine refusal in Graph's shape; [`InShape::in_shape`] gives the other doors'.
impl From<EngineError> for Refusal {
    fn from(e: EngineError) -> Self {
        Refusal::engine(Shape::Graph, &e)
    }
}

/// Engine results refused as the sandbox API answers them (see [`Refusal::sandbox`]).
pub(crate) trait Sandboxed<T> {
    /// The error as the sandbox API's refusal.
    fn sandboxed(self) -> Result<T, Refusal>;
}

impl<T> Sandboxed<T> for Result<T, EngineError> {
    fn sandboxed(self) -> Result<T, Refusal> {
        self.map_err(Refusal::sandbox)
    }
}

/// Engine results refused in a door's shape.
pub(crate) trait InShape<T> {
    /// The error as a [`Refusal`] in `shape`.
    fn in_shape(self, shape: Shape) -> Result<T, Refusal>;
}

impl<T> InShape<T> for Result<T, EngineError> {
    fn in_shape(self, shape: Shape) -> Result<T, Refusal> {
        self.map_err(|e| Refusal::engine(shape, &e))
    }
}

fn trace_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("Wacart{:012}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn json_bytes(body: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec())
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json_bytes(body),
    )
        .into_response()
}

impl Refusal {
    /// The HTTP status it answers with.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON body it answers with.
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// `body` as JSON with `status`.
    fn json(status: StatusCode, body: &impl serde::Serialize) -> Self {
        Refusal {
            status,
            body: json_bytes(body),
        }
    }

    /// A Graph error with the HTTP status its code implies.
    pub(crate) fn graph(code: u32, details: impl Into<String>) -> Self {
        Self::graph_error(GraphError::new(code, details, trace_id()))
    }

    /// A Graph error object as it is (its code gives the HTTP status).
    pub(crate) fn graph_error(error: GraphError) -> Self {
        let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::json(status, &GraphErrorResponse::from(error))
    }

    /// A Graph error object with a status of its own (not the one its code implies).
    pub(crate) fn graph_error_with_status(status: StatusCode, error: GraphError) -> Self {
        Self::json(status, &GraphErrorResponse::from(error))
    }

    /// A Graph error with a status of its own (not the one the code implies).
    fn graph_with_status(status: StatusCode, code: u32, details: impl Into<String>) -> Self {
        let error = GraphError::new(code, details, trace_id());
        Self::json(status, &GraphErrorResponse::from(error))
    }

    /// A refusal in the door's shape. `kaleyra_code` is Kaleyra's code for it.
    pub(crate) fn new(
        shape: Shape,
        code: u32,
        details: impl Into<String>,
        kaleyra_code: &str,
    ) -> Self {
        let details = details.into();
        match shape {
            Shape::Graph | Shape::D360 => Self::graph(code, details),
            Shape::Kaleyra => {
                let details = serde_json::json!({"code": code, "details": details});
                match kaleyra_code {
                    "WA400" => Self::kaleyra_with_status(
                        StatusCode::from_u16(codes::http_status(code))
                            .ok()
                            .filter(|s| s.is_client_error())
                            .unwrap_or(StatusCode::BAD_REQUEST),
                        KaleyraError::IncorrectPayload,
                        Some(details),
                    ),
                    "WA401" => Self::kaleyra(KaleyraError::PhoneNumber, Some(details)),
                    _ => Self::kaleyra(KaleyraError::Internal, Some(details)),
                }
            }
        }
    }

    /// One of Kaleyra's documented refusals, word for word (`details` in `error`).
    pub(crate) fn kaleyra(e: KaleyraError, details: Option<serde_json::Value>) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        Self::kaleyra_with_status(status, e, details)
    }

    fn kaleyra_with_status(
        status: StatusCode,
        e: KaleyraError,
        details: Option<serde_json::Value>,
    ) -> Self {
        Self::json(status, &KaleyraResponse::refusal(e, details))
    }

    /// 360dialog's own error envelope: `meta` with `success`, `http_code`,
    /// `developer_message` (and `details` when there are some).
    pub(crate) fn d360(status: StatusCode, message: &str, details: &[String]) -> Self {
        let mut body = D360ErrorResponse::new(status.as_u16(), message);
        if !details.is_empty() {
            body.meta
                .extra
                .insert("details".to_owned(), serde_json::json!(details));
        }
        Self::json(status, &body)
    }

    /// Wrong or missing credentials.
    pub(crate) fn unauthorized(shape: Shape, details: &str) -> Self {
        match shape {
            Shape::Graph => Self::graph(codes::ACCESS_TOKEN_EXPIRED, details.to_owned()),
            Shape::D360 => Self::json(
                StatusCode::UNAUTHORIZED,
                &D360ErrorResponse::new(401, details),
            ),
            Shape::Kaleyra => Self::kaleyra(KaleyraError::Unauthorized, None),
        }
    }

    /// Kaleyra: the business number in the path is not the account's.
    pub(crate) fn kaleyra_not_on_account() -> Self {
        Self::kaleyra(KaleyraError::PhoneNumber, None)
    }

    /// A refusal in the door's shape with a status of its own (not the one the code implies).
    pub(crate) fn with_status(
        shape: Shape,
        status: StatusCode,
        code: u32,
        details: impl Into<String>,
    ) -> Self {
        let details = details.into();
        match shape {
            Shape::Kaleyra => Self::kaleyra_with_status(
                status,
                KaleyraError::IncorrectPayload,
                Some(serde_json::json!({"code": code, "details": details})),
            ),
            Shape::Graph | Shape::D360 => Self::graph_with_status(status, code, details),
        }
    }

    /// A body over the size limit.
    pub(crate) fn too_large(shape: Shape, limit: usize) -> Self {
        Self::with_status(
            shape,
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::INVALID_PARAMETER,
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// An engine refusal on the sandbox's own API (`/sandbox/...`), in Graph's shape: an object
    /// that does not exist (number, customer, device, message) is 404 like any unknown
    /// resource, and a well-formed request the state refuses (an empty cart, an item out of
    /// stock, a tap on a message without that button) is 409. Meta's doors keep Meta's
    /// statuses ([`Refusal::engine`]).
    pub(crate) fn sandbox(e: EngineError) -> Self {
        use wacart_catalog::CatalogError as C;
        let status = match &e {
            EngineError::UnknownNumber(_)
            | EngineError::UnknownDevice(_)
            | EngineError::UnknownTemplate(_) => StatusCode::NOT_FOUND,
            EngineError::Conflict(_) => StatusCode::CONFLICT,
            EngineError::Cart(
                C::EmptyCart
                | C::NotPurchasable(_)
                | C::CartDisabled
                | C::CatalogNotLinked(_)
                | C::CatalogNotVisible
                | C::ProductsNotFound(_)
                | C::CatalogMismatch { .. },
            ) => StatusCode::CONFLICT,
            _ => return Self::engine(Shape::Graph, &e),
        };
        let code = match &e {
            EngineError::Cart(c) => {
                return Self::graph_with_status(
                    status,
                    codes::PARAMETER_VALUE_INVALID,
                    c.details(),
                );
            }
            EngineError::Conflict(_) => codes::PARAMETER_VALUE_INVALID,
            _ => codes::INVALID_PARAMETER,
        };
        Self::graph_with_status(status, code, e.to_string())
    }

    /// An engine refusal.
    pub(crate) fn engine(shape: Shape, e: &EngineError) -> Self {
        match e {
            EngineError::Graph(g) => match shape {
                Shape::Kaleyra => {
                    Self::new(shape, g.code, g.details().unwrap_or_default(), "WA400")
                }
                // Kept whole (a message Meta words its own way stays so); only the trace id is
                // the answer's own.
                _ => {
                    let mut error = (**g).clone();
                    error.fbtrace_id = Some(trace_id());
                    Self::graph_error(error)
                }
            },
            EngineError::UnknownNumber(_) if shape == Shape::Kaleyra => {
                Self::kaleyra_not_on_account()
            }
            EngineError::Kaleyra(k) => match k {
                KaleyraRefusal::LowBalance => Self::kaleyra(KaleyraError::LowBalance, None),
                KaleyraRefusal::NoApiAccess => Self::kaleyra(KaleyraError::AccountType, None),
                KaleyraRefusal::OtherApiVersion(_) => {
                    Self::kaleyra(KaleyraError::PhoneNumberVersion, None)
                }
                other => Self::kaleyra(
                    KaleyraError::IncorrectPayload,
                    Some(
                        serde_json::json!({"code": codes::PARAMETER_VALUE_INVALID, "details": other.to_string()}),
                    ),
                ),
            },
            EngineError::UnknownNumber(id) => Self::new(
                shape,
                codes::INVALID_PARAMETER,
                format!(
                    "Unsupported request: object with ID '{id}' does not exist or cannot be loaded"
                ),
                "WA401",
            ),
            EngineError::Store(err) => {
                tracing::error!(error = %err, "the store failed");
                Self::new(
                    shape,
                    codes::SERVICE_UNAVAILABLE,
                    "the sandbox's store failed; retry later",
                    "WA500",
                )
            }
            EngineError::Cart(c) => {
                Self::new(shape, codes::PARAMETER_VALUE_INVALID, c.details(), "WA400")
            }
            EngineError::UnknownMedia(id) => Self::graph_error(unsupported_request("get", id)),
            EngineError::UnknownTemplate(id) => Self::graph_error(unsupported_request("post", id)),
            EngineError::UnknownCustomer
            | EngineError::UnknownMessage(_)
            | EngineError::UnknownCatalog(_)
            | EngineError::UnknownDelivery(_) => Self::graph_with_status(
                StatusCode::NOT_FOUND,
                codes::INVALID_PARAMETER,
                e.to_string(),
            ),
            other => Self::new(shape, codes::INVALID_PARAMETER, other.to_string(), "WA400"),
        }
    }
}

/// Graph's answer for a node that does not exist or that the token may not see (code 100,
/// subcode 33, `GraphMethodException`), for `method` (`get`, `post`, `delete`).
pub(crate) fn unsupported_request(method: &str, id: &str) -> GraphError {
    let mut error = GraphError::new(
        codes::INVALID_PARAMETER,
        format!(
            "Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
        ),
        trace_id(),
    );
    error.message = format!(
        "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
    );
    error.kind = Some("GraphMethodException".to_owned());
    error.error_subcode = Some(33);
    error
}

/// `Ok` if `holds`, else the refusal `otherwise` makes.
pub(crate) fn ensure(holds: bool, otherwise: impl FnOnce() -> Refusal) -> Result<(), Refusal> {
    if holds { Ok(()) } else { Err(otherwise()) }
}

/// The path's parameters; a malformed path is refused in `shape`.
pub(crate) fn path<T>(
    shape: Shape,
    path: Result<axum::extract::Path<T>, axum::extract::rejection::PathRejection>,
) -> Result<T, Refusal> {
    path.map(|axum::extract::Path(p)| p)
        .map_err(|_| Refusal::new(shape, codes::INVALID_PARAMETER, "malformed path", "WA400"))
}

/// A Graph error's status and JSON body, for answers written outside axum.
pub(crate) fn graph_bytes(code: u32, details: impl Into<String>) -> (StatusCode, Vec<u8>) {
    let Refusal { status, body } = Refusal::graph(code, details);
    (status, body)
}

/// Unknown routes, in Graph's shape.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Refusal {
    Refusal::graph_with_status(
        StatusCode::NOT_FOUND,
        codes::INVALID_PARAMETER,
        format!("Unknown path components: {}", uri.path()),
    )
}

/// A known path with a method it does not take, in Graph's shape.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Refusal {
    let details = format!(
        "Unsupported {} request on {}",
        method.as_str().to_ascii_lowercase(),
        uri.path()
    );
    Refusal::graph_with_status(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::INVALID_PARAMETER,
        details,
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
