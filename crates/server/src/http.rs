//! The HTTP/1 accept loop: hyper's connection builder with a header timeout (which also closes
//! idle keep-alive connections), a body deadline per request, a cap on open connections, and a
//! graceful shutdown with a deadline. `axum::serve` has none of these knobs.

use std::error::Error as StdError;
use std::future::Future;
use std::io::ErrorKind;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::time::{Instant, Sleep};

/// How the server treats connections. Build it with struct update syntax from
/// `HttpConfig::default()`.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// How long a request's headers may take to arrive, counted from when the connection is
    /// ready for a request: a new connection, or a keep-alive one after its last answer (so this
    /// is also the idle timeout). Past it the connection is closed.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive in full, counted from its headers. Past it
    /// the request is answered 408 and the connection closed.
    pub body_timeout: Duration,
    /// Most connections open at once. Over it, a new connection is answered 503 and closed.
    pub max_connections: usize,
    /// On shutdown, how long requests in flight have to finish before their connections are
    /// dropped.
    pub shutdown_timeout: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            // Well below the usual 1,024 file descriptors, leaving room for the store, the
            // webhook worker's sockets and the listener.
            max_connections: 768,
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

/// The body did not arrive within [`HttpConfig::body_timeout`].
#[derive(Debug)]
pub(crate) struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl StdError for BodyTimedOut {}

/// A request body that fails with [`BodyTimedOut`] once its deadline passes.
struct TimedBody {
    inner: Incoming,
    deadline: Instant,
    /// Armed the first time the body is waited for.
    timer: Option<Pin<Box<Sleep>>>,
}

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn StdError + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
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

/// hyper answers requests it cannot parse (bad request line or headers 400, a URI over 64 KiB
/// 414, too many or too large headers 431) itself, with an empty body and no hook to change it
/// (`Http1Transaction::on_error` in hyper's `proto::h1::role`). This wrapper sees that answer
/// go out and writes it with a Graph error body instead. Only heads with `content-length: 0`
/// and one of those statuses are touched: every answer of the app has a JSON body.
struct RefusalBodies<T> {
    inner: T,
    /// A rewritten answer being written, and how much of it is out.
    rewrite: Option<(Vec<u8>, usize)>,
}

/// The JSON answer that replaces `head`, when `head` is one of hyper's automatic refusals.
fn rewrite_refusal(head: &[u8]) -> Option<Vec<u8>> {
    let details = match head.get(..13)? {
        b"HTTP/1.1 400 " | b"HTTP/1.0 400 " => "the request is malformed (request line or headers)",
        b"HTTP/1.1 414 " | b"HTTP/1.0 414 " => "the request URI is too long",
        b"HTTP/1.1 431 " | b"HTTP/1.0 431 " => "the request headers are too many or too large",
        _ => return None,
    };
    if !head.ends_with(b"\r\n\r\n")
        || !head
            .windows(21)
            .any(|w| w.eq_ignore_ascii_case(b"\r\ncontent-length: 0\r\n"))
        || head.windows(4).filter(|w| *w == b"\r\n\r\n").count() != 1
    {
        return None;
    }
    let status = axum::http::StatusCode::from_bytes(&head[9..12]).ok()?;
    let (_, body) = crate::errors::graph_bytes(wacart_schema::codes::INVALID_PARAMETER, details);
    Some(answer(status, &body))
}

/// A whole HTTP/1.1 answer that closes the connection.
fn answer(status: axum::http::StatusCode, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for RefusalBodies<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for RefusalBodies<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        if this.rewrite.is_none()
            && let Some(replacement) = rewrite_refusal(buf)
        {
            this.rewrite = Some((replacement, 0));
        }
        let Some((replacement, written)) = &mut this.rewrite else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        // hyper writes its refusal and closes: the whole `buf` counts as written once the
        // replacement is out.
        while *written < replacement.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &replacement[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                other => return other,
            }
        }
        this.rewrite = None;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The answer to a connection over the cap, in Graph's shape.
fn busy_answer() -> Vec<u8> {
    let (status, body) = crate::errors::graph_bytes(
        wacart_schema::codes::SERVICE_UNAVAILABLE,
        "too many open connections; retry later",
    );
    answer(status, &body)
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish
/// for at most `config.shutdown_timeout` and drops what is left.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    config: &HttpConfig,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    let busy = busy_answer();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let body_timeout = config.body_timeout;
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors or a connection reset before it was accepted:
                    // never a reason to stop serving. A short pause lets descriptors free up.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Over the cap: say so and close. The socket is fresh, so the short answer fits in
            // its send buffer; if it does not, the close alone tells the client.
            let _ = stream.try_write(&busy);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let deadline = Instant::now() + body_timeout;
            let req = req.map(|inner| {
                Body::new(TimedBody {
                    inner,
                    deadline,
                    timer: None,
                })
            });
            hyper::service::Service::call(&TowerToHyperService::new(app.clone()), req)
        });
        let io = RefusalBodies {
            inner: stream,
            rewrite: None,
        };
        let connection = http.serve_connection(TokioIo::new(io), service);
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            let result = tokio::select! {
                r = connection.as_mut() => r,
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(config.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    if !drained {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline passed; dropping the connections still open"
        );
        connections.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite_refusal;

    #[test]
    fn only_hypers_empty_refusals_are_rewritten() {
        let hypers = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite_refusal(hypers).unwrap()).unwrap();
        assert!(
            out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{out}"
        );
        assert!(out.contains("content-type: application/json\r\n"), "{out}");
        assert!(out.contains(r#""fbtrace_id""#), "{out}");
        // The app's own refusals have bodies, and other statuses are never touched.
        let app = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(rewrite_refusal(app).is_none());
        let head_of_app = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 20\r\n\r\n";
        assert!(rewrite_refusal(head_of_app).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(rewrite_refusal(ok).is_none());
        let two = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert!(rewrite_refusal(two).is_none());
    }
}
