//! Helpers for the end-to-end tests: a sandbox server and a webhook receiver, both on
//! 127.0.0.1:0; a headless browser for the web simulator ([`browser`]).

pub mod browser;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use wacart_sandbox::{Config, MemoryStore, Sandbox, SharedSandbox};
use wacart_schema::WebhookPayload;
use wacart_server::{AppState, SystemClock, WorkerConfig, demo};

/// A running sandbox server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its state, for direct inspection.
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts the sandbox with the demo business, webhooks to `callback`.
pub async fn start_server(config: Config, callback: Option<&str>) -> Server {
    start_server_with_clock(config, callback, Arc::new(SystemClock)).await
}

/// Like [`start_server`], on `clock` (a `ManualClock` lets a test move the sandbox's time).
pub async fn start_server_with_clock(
    config: Config,
    callback: Option<&str>,
    clock: Arc<dyn wacart_sandbox::Clock>,
) -> Server {
    let sandbox =
        Sandbox::open(Arc::new(MemoryStore::new()), clock, config).expect("a new sandbox opens");
    let shared = Arc::new(SharedSandbox::new(sandbox));
    demo::create(&shared).expect("the demo business");
    if let Some(url) = callback {
        shared
            .run_blocking(|sb| sb.set_callback(&demo::WABA_ID.into(), Some(url.to_owned())))
            .expect("callback set");
    }
    let worker = WorkerConfig {
        poll: Duration::from_millis(20),
        ..WorkerConfig::default()
    };
    serve(AppState::new(shared), worker).await
}

/// Serves `state` on 127.0.0.1:0 until the [`Server`] is dropped.
pub async fn serve(state: AppState, worker: WorkerConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = state.clone();
    tokio::spawn(async move {
        let _ = wacart_server::run(listener, s, worker, async move {
            let _ = rx.await;
        })
        .await;
    });
    Server {
        base,
        state,
        stop: Some(tx),
    }
}

/// What the receiver got.
#[derive(Default)]
pub struct Received {
    /// Verified, parsed payloads, in arrival order.
    pub payloads: Vec<WebhookPayload>,
    /// Raw bodies, in arrival order.
    pub bodies: Vec<Bytes>,
    /// POSTs whose signature did not verify.
    pub bad_signatures: usize,
    /// Handshakes answered.
    pub handshakes: usize,
    /// POSTs refused while down.
    pub refused: usize,
}

/// A webhook receiver that verifies every signature with `wacart-transport` and parses every
/// payload with `wacart-schema`.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    /// What arrived.
    pub got: Arc<Mutex<Received>>,
    down: Arc<std::sync::atomic::AtomicBool>,
}

async fn hook_get(State(r): State<Receiver>, RawQuery(q): RawQuery) -> (StatusCode, String) {
    match wacart_transport::handshake(q.as_deref().unwrap_or(""), demo::VERIFY_TOKEN) {
        Ok(challenge) => {
            r.lock().handshakes += 1;
            (StatusCode::OK, challenge)
        }
        Err(_) => (StatusCode::FORBIDDEN, String::new()),
    }
}

async fn hook_post(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if r.down.load(std::sync::atomic::Ordering::SeqCst) {
        r.lock().refused += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    match wacart_transport::verify_and_parse(demo::APP_SECRET.as_bytes(), signature, &body) {
        Ok(payload) => {
            let mut g = r.lock();
            g.payloads.push(payload);
            g.bodies.push(body);
            StatusCode::OK
        }
        Err(_) => {
            r.lock().bad_signatures += 1;
            StatusCode::FORBIDDEN
        }
    }
}

impl Receiver {
    /// Starts a receiver.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let r = Receiver {
            url,
            got: Arc::default(),
            down: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::get(hook_get).post(hook_post))
            .with_state(r.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Received> {
        self.got.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses (503) every POST while `down`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits (up to 10 s) until `pred` holds for what arrived.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Received) -> bool) {
        for _ in 0..1000 {
            if pred(&self.lock()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let g = self.lock();
        panic!(
            "timed out waiting for {what}: {} payloads, {} refused",
            g.payloads.len(),
            g.refused
        );
    }

    /// Runs `f` on what arrived.
    pub fn with<T>(&self, f: impl FnOnce(&Received) -> T) -> T {
        f(&self.lock())
    }
}
