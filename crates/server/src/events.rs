//! The live event stream the web simulator listens to: `GET /sandbox/events`, server-sent
//! events. Each event only says that something changed (`data: {"change": N}`, N growing); the
//! page then fetches again what it shows. The sandbox tells of its changes through
//! [`wacart_sandbox::SharedSandbox::watch`] (commands once durable, history written, time
//! moving a status); the server adds its own (the log of requests to the sending doors).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::AppState;

/// A comment line sent when nothing happened for this long, so proxies and the browser keep
/// the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Changes closer together than this are told as one.
const COALESCE: Duration = Duration::from_millis(25);
/// How long the browser waits before it reconnects a stream that closed.
const RETRY_MS: u64 = 1000;

/// The change counter and the stop signal the streams end on.
#[derive(Clone)]
pub(crate) struct Events(Arc<Inner>);

struct Inner {
    changes: watch::Sender<u64>,
    closed: watch::Sender<bool>,
}

impl Events {
    pub(crate) fn new() -> Self {
        Events(Arc::new(Inner {
            changes: watch::Sender::new(0),
            closed: watch::Sender::new(false),
        }))
    }

    /// Something a viewer could see changed.
    pub(crate) fn bump(&self) {
        self.0.changes.send_modify(|n| *n += 1);
    }

    /// Ends every stream (the server is shutting down): a stream left open would hold its
    /// connection until the shutdown deadline.
    pub(crate) fn close(&self) {
        self.0.closed.send_replace(true);
    }
}

fn frame(change: u64, first: bool) -> Bytes {
    let retry = if first {
        format!("retry: {RETRY_MS}\n")
    } else {
        String::new()
    };
    Bytes::from(format!("{retry}data: {{\"change\":{change}}}\n\n"))
}

/// `GET /sandbox/events`: one event at once (the current count), then one per change.
pub(crate) async fn stream(State(st): State<AppState>) -> Response {
    let mut changes = st.events.0.changes.subscribe();
    let closed = st.events.0.closed.subscribe();
    let first = *changes.borrow_and_update();
    let state = (changes, closed, Some(first));
    let body =
        futures_util::stream::unfold(state, |(mut changes, mut closed, pending)| async move {
            if let Some(n) = pending {
                return Some((Ok::<_, Infallible>(frame(n, true)), (changes, closed, None)));
            }
            if *closed.borrow_and_update() {
                return None;
            }
            tokio::select! {
                changed = changes.changed() => {
                    changed.ok()?;
                    tokio::time::sleep(COALESCE).await;
                    let n = *changes.borrow_and_update();
                    Some((Ok(frame(n, false)), (changes, closed, None)))
                }
                _ = closed.changed() => None,
                () = tokio::time::sleep(KEEP_ALIVE) => {
                    Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (changes, closed, None)))
                }
            }
        });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_server_sent_events() {
        assert_eq!(
            &frame(3, true)[..],
            b"retry: 1000\ndata: {\"change\":3}\n\n"
        );
        assert_eq!(&frame(4, false)[..], b"data: {\"change\":4}\n\n");
    }
}
