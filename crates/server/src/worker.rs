//! The webhook delivery worker: drains the engine's outbox with signed POSTs, concurrently, with
//! timeouts; every attempt is recorded in the engine, which schedules the retries.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wacart_sandbox::callbacks::Target;
use wacart_sandbox::{AppSpec, Attempt, Clock, Delivery};

use crate::{AppState, SystemClock};

/// How the worker delivers. Build it with struct update syntax from `WorkerConfig::default()`.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How often the outbox is looked at when nothing wakes the worker.
    pub poll: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 64,
            timeout: Duration::from_secs(5),
            poll: Duration::from_millis(100),
        }
    }
}

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The subscription handshake against a callback: whether it answered the challenge.
async fn handshake(http: &reqwest::Client, url: &str, verify_token: &str) -> bool {
    // A random challenge, as Meta sends.
    let challenge = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(SystemClock.now_millis());
        h.finish().to_string()
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let full = format!(
        "{url}{sep}hub.mode=subscribe&hub.challenge={challenge}&hub.verify_token={}",
        encode(verify_token)
    );
    match http.get(&full).send().await {
        Ok(mut r) if r.status().as_u16() == 200 => {
            // At most 1 KiB of answer is read: a challenge is short.
            let mut body = Vec::new();
            while let Ok(Some(chunk)) = r.chunk().await {
                body.extend_from_slice(&chunk);
                if body.len() > 1024 {
                    return false;
                }
            }
            String::from_utf8_lossy(&body).trim() == challenge
        }
        _ => false,
    }
}

async fn deliver(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    headers: &std::collections::BTreeMap<String, String>,
    d: &Delivery,
) -> Attempt {
    let mut request = http.post(url);
    // The configured headers first; the body's type, length and signature are the sandbox's own.
    for (name, value) in headers.iter().filter(|(n, _)| !own_header(n)) {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            wacart_transport::sign(secret.as_bytes(), &d.body),
        )
        .body(d.body.to_vec());
    attempt(request).await
}

/// A provider's callback: its own method, URL and headers, unsigned (Kaleyra signs nothing;
/// a profile's headers are the receiver's own check).
async fn deliver_to(http: &reqwest::Client, target: &Target, d: &Delivery) -> Attempt {
    let mut request = if target.method == "GET" {
        http.get(&target.url)
    } else {
        http.post(&target.url)
            .header("content-type", "application/json")
            .body(d.body.to_vec())
    };
    for (name, value) in target.headers.iter().filter(|(n, _)| !own_header(n)) {
        request = request.header(name.as_str(), value.as_str());
    }
    attempt(request).await
}

/// Headers the sandbox writes itself, which a configured header does not repeat.
fn own_header(name: &str) -> bool {
    [
        "content-type",
        "content-length",
        "host",
        "transfer-encoding",
        "x-hub-signature-256",
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(name))
}

async fn attempt(request: reqwest::RequestBuilder) -> Attempt {
    let at = SystemClock.now_millis();
    let started = Instant::now();
    let result = request.send().await;
    let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(mut r) => {
            // Only the status counts. Up to 64 KiB of body is read so the connection can be
            // reused; past that it is dropped.
            let status = r.status().as_u16();
            let mut read = 0;
            while let Ok(Some(chunk)) = r.chunk().await {
                read += chunk.len();
                if read > 64 * 1024 {
                    break;
                }
            }
            let error = (status != 200).then(|| format!("HTTP {status}"));
            Attempt::new(at, Some(status), latency, error)
        }
        Err(e) => {
            let what = if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "connection failed".to_owned()
            } else {
                "request failed".to_owned()
            };
            Attempt::new(at, None, latency, Some(what))
        }
    }
}

pub(crate) async fn run(
    state: AppState,
    config: WorkerConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // No redirects: a 3xx is a failed attempt (a redirected POST would arrive as a GET).
    let http = match reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the delivery worker cannot start");
            return;
        }
    };
    let limit = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    let in_flight: Arc<Mutex<HashSet<u64>>> = Arc::default();
    let mut verified: HashSet<(String, String)> = HashSet::new();
    // Finished attempts come back here and are recorded in batches: one logged command for
    // many webhooks, not one each.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(Delivery, Attempt)>();
    let mut stopping = false;
    loop {
        if !stopping {
            tokio::select! {
                _ = stop.changed() => stopping = true,
                () = state.outbox.notified() => {
                    // Let a burst of commands settle into one scan.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                () = tokio::time::sleep(config.poll) => {}
                Some(first) = done_rx.recv() => {
                    record(&state, &in_flight, first, &mut done_rx).await;
                }
            }
        }
        if stopping {
            break;
        }
        if let Ok(first) = done_rx.try_recv() {
            record(&state, &in_flight, first, &mut done_rx).await;
        }
        // Time moves (statuses fall due); the due webhooks are read from the store off the
        // engine's lock and the async threads.
        let (now, store) = state.sandbox.read(|sb| {
            sb.advance();
            (sb.now(), sb.store())
        });
        let want = 4 * config.concurrency.max(1);
        let due = match tokio::task::spawn_blocking(move || store.due(now, want)).await {
            Ok(Ok(due)) => due,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot read the due webhooks");
                continue;
            }
            Err(_) => continue,
        };
        let apps: Vec<Option<AppSpec>> = state
            .sandbox
            .read(|sb| due.iter().map(|d| sb.app(&d.waba_id).cloned()).collect());
        for (delivery, app) in due.into_iter().zip(apps) {
            if let Some(target) = delivery.target.clone() {
                if !in_flight
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(delivery.id)
                {
                    continue;
                }
                let Ok(permit) = limit.clone().acquire_owned().await else {
                    break;
                };
                let (http, done) = (http.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let attempt = deliver_to(&http, &target, &delivery).await;
                    let _ = done.send((delivery, attempt));
                    drop(permit);
                });
                continue;
            }
            let Some(app) = app else { continue };
            let Some(url) = app.callback_url.clone() else {
                continue;
            };
            if !in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(delivery.id)
            {
                continue;
            }
            let key = (delivery.waba_id.to_string(), url.clone());
            if verified.insert(key) {
                // The handshake runs beside the deliveries: a callback that hangs on it holds
                // up nothing (Meta delivers to a subscribed callback either way).
                let (http, url, token) = (http.clone(), url.clone(), app.verify_token.clone());
                tokio::spawn(async move {
                    if handshake(&http, &url, token.expose()).await {
                        tracing::info!(callback = %url, "webhook callback verified");
                    } else {
                        tracing::warn!(callback = %url, "the callback did not answer the verification handshake; delivering anyway");
                    }
                });
            }
            let Ok(permit) = limit.clone().acquire_owned().await else {
                break;
            };
            let (http, done) = (http.clone(), done_tx.clone());
            let secret = app.app_secret.expose().to_owned();
            let headers = app.callback_headers.clone();
            tokio::spawn(async move {
                let attempt = deliver(&http, &url, &secret, &headers, &delivery).await;
                if !attempt.delivered() {
                    tracing::debug!(delivery = delivery.id, "delivery failed; retry scheduled");
                }
                let _ = done.send((delivery, attempt));
                drop(permit);
            });
        }
    }
    // Let deliveries in flight finish (bounded by their timeout), and record them.
    let _ = limit
        .acquire_many(u32::try_from(config.concurrency.max(1)).unwrap_or(u32::MAX))
        .await;
    if let Ok(first) = done_rx.try_recv() {
        record(&state, &in_flight, first, &mut done_rx).await;
    }
}

/// Records `first` and every other finished attempt waiting, as one command.
async fn record(
    state: &AppState,
    in_flight: &Mutex<HashSet<u64>>,
    first: (Delivery, Attempt),
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(Delivery, Attempt)>,
) {
    let mut batch = vec![first];
    while let Ok(more) = rx.try_recv() {
        batch.push(more);
    }
    let ids: Vec<u64> = batch.iter().map(|(d, _)| d.id).collect();
    if let Err(e) = state.sandbox.run(|sb| sb.record_attempts(batch)).await {
        tracing::error!(error = %e, "cannot record delivery attempts");
    }
    let mut f = in_flight.lock().unwrap_or_else(PoisonError::into_inner);
    for id in ids {
        f.remove(&id);
    }
}
