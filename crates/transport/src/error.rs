//! Typed errors: what went wrong, whether the message may have reached the customer, and
//! whether sending it again is safe.

use std::time::Duration;

use wacart_schema::{GraphError, Violations, codes};

use crate::door::DoorKind;

/// Why a call failed.
///
/// Two questions decide what to do next: [`Error::may_have_been_sent`] (could the customer get
/// this message?) and [`Error::is_retryable`] (is sending it again safe and worth it?). A
/// retryable error was never processed, so a retry cannot make a duplicate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message breaks rules; nothing was sent.
    #[error("invalid message:\n{0}")]
    Invalid(Violations),
    /// Meta (or 360dialog passing Meta's answer through) refused with a Graph error.
    #[error("{door} refused the request (HTTP {status}): Graph error {code}{details}", code = error.code, details = details_suffix(error.details()))]
    Graph {
        /// Which door answered.
        door: DoorKind,
        /// HTTP status.
        status: u16,
        /// The Graph error (boxed: it is large, and errors travel in every `Result`).
        error: Box<GraphError>,
        /// `Retry-After`, when the door gave one.
        retry_after: Option<Duration>,
    },
    /// Kaleyra refused with its own code (`RBC001`, `WA401`, `WA400`, `E110`, `WA500`, ...).
    #[error("kaleyra refused the request (HTTP {status}): {code}: {message}")]
    Kaleyra {
        /// HTTP status.
        status: u16,
        /// Kaleyra's code.
        code: String,
        /// Kaleyra's message.
        message: String,
        /// `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
    /// 360dialog refused with its own envelope.
    #[error("360dialog refused the request (HTTP {status}): {message}")]
    Dialog360 {
        /// HTTP status.
        status: u16,
        /// `developer_message`.
        message: String,
        /// `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
    /// An error status whose body is none of the known shapes.
    #[error("{door} answered HTTP {status}: {snippet}")]
    Http {
        /// Which door answered.
        door: DoorKind,
        /// HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
        /// `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: the request was certainly not sent.
    #[error("could not connect to {door}: {message}")]
    Connect {
        /// Which door.
        door: DoorKind,
        /// What failed.
        message: String,
    },
    /// No answer in time after the request left: it may have been processed.
    #[error("{door} did not answer in time; the message may have been sent")]
    Timeout {
        /// Which door.
        door: DoorKind,
    },
    /// The connection broke after the request left: it may have been processed.
    #[error(
        "the connection to {door} failed after sending; the message may have been sent: {message}"
    )]
    Interrupted {
        /// Which door.
        door: DoorKind,
        /// What failed.
        message: String,
    },
    /// The door accepted the request but its answer could not be read.
    #[error("{door} accepted the request but its answer could not be read: {message}")]
    Decode {
        /// Which door.
        door: DoorKind,
        /// What was wrong with the answer.
        message: String,
    },
    /// The call does not exist on this door (catalog and settings calls are Meta's).
    #[error("{what} is only available on Meta's door")]
    Unsupported {
        /// The call.
        what: &'static str,
    },
    /// The client could not be built (e.g. the TLS backend failed to start).
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

fn details_suffix(details: Option<&str>) -> String {
    details.map(|d| format!(" ({d})")).unwrap_or_default()
}

impl Error {
    /// Whether the customer may receive the message despite the error.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. } | Error::Interrupted { .. } | Error::Decode { .. }
        )
    }

    /// Whether sending again is safe and may succeed: the request was certainly not processed
    /// (no connection), refused for throughput (130429, 131056, HTTP 429), or declared
    /// temporary (131000, 131016, `is_transient`, HTTP 5xx).
    pub fn is_retryable(&self) -> bool {
        let status_retryable = |s: u16| s == 429 || (500..600).contains(&s);
        match self {
            Error::Graph { status, error, .. } => {
                codes::is_retryable(error.code)
                    || error.is_transient == Some(true)
                    || status_retryable(*status)
            }
            Error::Kaleyra { status, .. }
            | Error::Dialog360 { status, .. }
            | Error::Http { status, .. } => status_retryable(*status),
            Error::Connect { .. } => true,
            _ => false,
        }
    }

    /// The wait the door asked for (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Graph { retry_after, .. }
            | Error::Kaleyra { retry_after, .. }
            | Error::Dialog360 { retry_after, .. }
            | Error::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The code the door answered: Graph code, Kaleyra code, or HTTP status.
    pub fn code(&self) -> Option<String> {
        match self {
            Error::Graph { error, .. } => Some(error.code.to_string()),
            Error::Kaleyra { code, .. } => Some(code.clone()),
            Error::Dialog360 { status, .. } | Error::Http { status, .. } => {
                Some(status.to_string())
            }
            _ => None,
        }
    }

    /// Kaleyra's documented refusal, when Kaleyra answered one (`E110`, `WA-401`, ...).
    pub fn kaleyra_error(&self) -> Option<wacart_schema::KaleyraError> {
        match self {
            Error::Kaleyra { code, message, .. } => {
                wacart_schema::KaleyraError::from_answer(code, message)
            }
            _ => None,
        }
    }

    /// The HTTP status, when the door answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Graph { status, .. }
            | Error::Kaleyra { status, .. }
            | Error::Dialog360 { status, .. }
            | Error::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(code: u32, status: u16) -> Error {
        Error::Graph {
            door: DoorKind::Meta,
            status,
            error: Box::new(GraphError::new(code, "d", "t")),
            retry_after: None,
        }
    }

    #[test]
    fn retryable_means_not_processed_or_throughput_or_transient() {
        assert!(graph(130_429, 429).is_retryable());
        assert!(graph(131_056, 429).is_retryable());
        assert!(graph(131_000, 500).is_retryable());
        assert!(graph(131_016, 503).is_retryable());
        for code in [100, 131_008, 131_009, 190, 131_047, 131_026] {
            assert!(
                !graph(code, codes::http_status(code)).is_retryable(),
                "{code}"
            );
        }
        assert!(
            Error::Connect {
                door: DoorKind::Meta,
                message: "refused".into()
            }
            .is_retryable()
        );
        let timeout = Error::Timeout {
            door: DoorKind::Meta,
        };
        assert!(!timeout.is_retryable() && timeout.may_have_been_sent());
    }

    #[test]
    fn kaleyra_refusals_are_recognised_by_code_and_message() {
        let e = |code: &str, message: &str| Error::Kaleyra {
            status: 401,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        };
        use wacart_schema::KaleyraError as K;
        for k in K::ALL {
            assert_eq!(e(k.code(), k.message()).kaleyra_error(), Some(k));
        }
        assert_eq!(
            e("WA-401", "something else").kaleyra_error(),
            Some(K::AccountType)
        );
        assert_eq!(e("XX1", "?").kaleyra_error(), None);
        assert!(!e("E110", K::LowBalance.message()).is_retryable());
    }

    #[test]
    fn display_names_the_code_and_details_but_no_secret() {
        let e = graph(131_009, 400);
        assert_eq!(
            e.to_string(),
            "meta refused the request (HTTP 400): Graph error 131009 (d)"
        );
        assert_eq!(e.code().as_deref(), Some("131009"));
    }
}
