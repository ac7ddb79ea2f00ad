//! `cargo xtask loadtest [--connections N] [--seconds T]`: single-product sends over N
//! keep-alive connections for T seconds against the sandbox (default SQLite store) and, in the
//! same run, against a bare axum handler (the ceiling); then the webhook delivery rate to a
//! local receiver. 127.0.0.1 only, bounded in time.
//!
//! The client is plain HTTP/1.1: the load is one thread driving every connection from one
//! event loop (tokio's current-thread runtime), as `wrk -t1` does; the probes and the webhook
//! receiver are blocking `std::net`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const SPM: &str = r#"{"messaging_product":"whatsapp","to":"15551230001","type":"interactive","interactive":{"type":"product","body":{"text":"Today's pick"},"action":{"catalog_id":"300000000000001","product_retailer_id":"pear-1kg"}}}"#;

pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    Ok(TcpListener::bind("127.0.0.1:0")
        .map_err(|e| e.to_string())?
        .local_addr()
        .map_err(|e| e.to_string())?
        .port())
}

pub(crate) fn wacart(args: &[&str]) -> Result<Killed, String> {
    let bin = crate::root().join("target/release/wacart");
    Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Killed)
        .map_err(|e| format!("cannot start wacart: {e}"))
}

pub(crate) fn wait_up(port: u16) -> Result<(), String> {
    for _ in 0..500 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("nothing listens on {port}"))
}

/// The status of an HTTP/1.1 status line.
fn status_of(line: &str) -> Result<u16, String> {
    line.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))
}

/// The value of a `Content-Length` header line; `None` for any other line.
fn content_length(line: &str) -> Option<usize> {
    let (k, v) = line.split_once(':')?;
    k.eq_ignore_ascii_case("content-length")
        .then(|| v.trim().parse().unwrap_or(0))
}

/// An HTTP/1.1 request with a JSON body; `headers` are whole lines.
fn request_text(method: &str, path: &str, headers: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// One request on a keep-alive connection; returns the status.
pub(crate) fn request(
    stream: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> Result<u16, String> {
    stream
        .get_mut()
        .write_all(request_text(method, path, headers, body).as_bytes())
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    stream.read_line(&mut line).map_err(|e| e.to_string())?;
    let status = status_of(&line)?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).map_err(|e| e.to_string())?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        length = content_length(&line).unwrap_or(length);
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(status)
}

struct Report {
    requests: u64,
    errors: u64,
    seconds: f64,
    latencies_us: Vec<u64>,
}

impl Report {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// The load: one thread that drives every connection from one event loop, as `wrk -t1` does,
/// so the generator takes as little as it can of the cores it shares with the server (a
/// blocking thread per connection cost a wake-up and a switch per request). Each
/// connection sends its next request when the previous answer is read; latencies (µs) wait
/// where the reporter can take them.
pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    errors: Arc<AtomicU64>,
    latencies: Arc<Mutex<Vec<u64>>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

/// One keep-alive connection sending single-product messages until `stop`.
async fn connection(
    port: u16,
    stop: Arc<AtomicBool>,
    errors: Arc<AtomicU64>,
    latencies: Arc<Mutex<Vec<u64>>>,
) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut stream = tokio::io::BufReader::new(stream);
    let req = request_text(
        "POST",
        "/v23.0/100000000000001/messages",
        "authorization: Bearer demo-token\r\n",
        SPM,
    );
    let (mut line, mut body) = (String::new(), Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        // A server that stops answering fails the run instead of holding it forever.
        let status = tokio::time::timeout(
            REQUEST_TIMEOUT,
            exchange(&mut stream, req.as_bytes(), &mut line, &mut body),
        )
        .await
        .map_err(|_| format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))??;
        let us = u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX);
        latencies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(us);
        if status != 200 {
            errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// How long one request may wait for its whole answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one request and reads its answer; returns the status.
async fn exchange(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
    req: &[u8],
    line: &mut String,
    body: &mut Vec<u8>,
) -> Result<u16, String> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let io = |e: std::io::Error| e.to_string();
    stream.get_mut().write_all(req).await.map_err(io)?;
    line.clear();
    stream.read_line(line).await.map_err(io)?;
    let status = status_of(line)?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(line).await.map_err(io)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        length = content_length(line).unwrap_or(length);
    }
    body.resize(length, 0);
    stream.read_exact(body).await.map_err(io)?;
    Ok(status)
}

impl Load {
    pub(crate) fn start(port: u16, connections: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let errors = Arc::new(AtomicU64::new(0));
        let latencies = Arc::new(Mutex::new(Vec::with_capacity(1 << 20)));
        let (s, e, l) = (stop.clone(), errors.clone(), latencies.clone());
        let halt = stop.clone();
        let thread = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| format!("cannot start the load's runtime: {e}"))?;
            runtime.block_on(async move {
                let mut tasks = tokio::task::JoinSet::new();
                for _ in 0..connections {
                    tasks.spawn(connection(port, s.clone(), e.clone(), l.clone()));
                }
                // A connection that fails ends the load at once (the others are dropped), so
                // the run reports it at its next interval instead of going on with less load.
                while let Some(done) = tasks.join_next().await {
                    if let Err(e) = done
                        .map_err(|e| e.to_string())
                        .and_then(|connection| connection)
                    {
                        halt.store(true, Ordering::Relaxed);
                        return Err(format!("a load connection failed: {e}"));
                    }
                }
                Ok(())
            })
        });
        Load {
            stop,
            errors,
            latencies,
            thread: Some(thread),
        }
    }

    /// Whether the load ended before [`Load::finish`]: a connection failed, and
    /// [`Load::finish`] answers why.
    pub(crate) fn ended(&self) -> bool {
        self.thread
            .as_ref()
            .is_some_and(std::thread::JoinHandle::is_finished)
    }

    /// Every latency since the last call, sorted.
    pub(crate) fn take(&self) -> Vec<u64> {
        let mut all = std::mem::take(
            &mut *self
                .latencies
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        all.sort_unstable();
        all
    }

    /// Stops the load once every connection finished the request it was in; answers the
    /// non-200 count and the latencies since the last [`Load::take`], sorted.
    pub(crate) fn finish(mut self) -> Result<(u64, Vec<u64>), String> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join()
                .map_err(|_| "the load thread panicked".to_owned())??;
        }
        Ok((self.errors.load(Ordering::Relaxed), self.take()))
    }
}

fn load(port: u16, connections: usize, seconds: u64) -> Result<Report, String> {
    let load = Load::start(port, connections);
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    // Every request counts, the ones in flight when the time was up included (their webhooks
    // are counted by the drain below).
    let (errors, latencies_us) = load.finish()?;
    let elapsed = start.elapsed().as_secs_f64();
    Ok(Report {
        requests: latencies_us.len() as u64,
        errors,
        seconds: elapsed,
        latencies_us,
    })
}

/// Builds the release binary the load commands drive.
pub(crate) fn build_release() -> Result<(), String> {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "wacart-server",
            "--bin",
            "wacart",
        ])
        .current_dir(crate::root())
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err("cannot build wacart".into())
    }
}

/// Answers each request on `conn` with an empty 200, counting the POSTs, until the client
/// leaves or `most` requests were answered (then the connection is closed).
fn answer(conn: TcpStream, posts: &AtomicU64, most: u64) {
    let mut r = BufReader::new(conn);
    for _ in 0..most {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let is_post = line.starts_with("POST");
        let mut length = 0usize;
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            length = content_length(&line).unwrap_or(length);
        }
        let mut body = vec![0; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if is_post {
            posts.fetch_add(1, Ordering::Relaxed);
        }
        let _ = r
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    }
}

/// A receiver that answers 200 to every POST and counts them.
pub(crate) fn receiver() -> Result<(u16, Arc<AtomicU64>), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let count = Arc::new(AtomicU64::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || answer(conn, &c, u64::MAX));
        }
    });
    Ok((port, count))
}

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let mut connections = 64usize;
    let mut seconds = 10u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--connections" => {
                connections = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--connections N")?
            }
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds T")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let seconds = seconds.clamp(1, 120);
    let connections = connections.clamp(1, 512);
    build_release()?;
    let dir = std::env::temp_dir().join(format!("wacart-loadtest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;

    // 1. The sandbox, default SQLite store: sends alone (webhooks queue, no callback yet).
    let port = free_port()?;
    let db = dir.join("load.db");
    let listen = format!("127.0.0.1:{port}");
    let db_text = db.display().to_string();
    let sandbox = wacart(&["serve", "--demo", "--listen", &listen, "--db", &db_text])?;
    wait_up(port)?;
    let mut s = BufReader::new(TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?);
    let opened = request(
        &mut s,
        "POST",
        "/sandbox/customers/15551230001/messages",
        "",
        r#"{"phone_number_id":"100000000000001","text":"hi"}"#,
    )?;
    if opened != 200 {
        return Err(format!("cannot open the window: HTTP {opened}"));
    }
    drop(s);
    let wacart_report = load(port, connections, seconds)?;
    drop(sandbox);

    // 2. The same database reopened with a callback: the worker drains the backlog (each
    // accepted send queued `sent`, and `delivered` a second later) into a counting receiver.
    let (hook_port, delivered) = receiver()?;
    let hook = format!("http://127.0.0.1:{hook_port}/hook");
    let queued = 1 + 2 * (wacart_report.requests - wacart_report.errors);
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let sandbox = wacart(&[
        "serve",
        "--listen",
        &listen,
        "--db",
        &db_text,
        "--webhook-url",
        &hook,
    ])?;
    wait_up(port)?;
    let t = Instant::now();
    let deadline = Duration::from_secs(120);
    while delivered.load(Ordering::Relaxed) < queued && t.elapsed() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let drain = t.elapsed().as_secs_f64();
    let hooks_done = delivered.load(Ordering::Relaxed);
    let hook_rate = hooks_done as f64 / drain;
    drop(sandbox);

    // 2. The ceiling: a bare axum handler, same load.
    let bport = free_port()?;
    let blisten = format!("127.0.0.1:{bport}");
    let baseline = wacart(&["bench-baseline", "--listen", &blisten])?;
    wait_up(bport)?;
    let bare = load(bport, connections, seconds)?;
    drop(baseline);
    let _ = std::fs::remove_dir_all(&dir);

    println!("loadtest: {connections} connections, {seconds} s each, 127.0.0.1, release build");
    for (name, r) in [
        ("wacart sandbox (SQLite)", &wacart_report),
        ("bare axum JSON handler", &bare),
    ] {
        println!(
            "{name:<26} {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  ({} requests, {} non-200)",
            r.rate(),
            r.pct(0.50),
            r.pct(0.90),
            r.pct(0.99),
            r.pct(1.0),
            r.requests,
            r.errors
        );
    }
    println!(
        "sandbox / bare: {:.0}%",
        100.0 * wacart_report.rate() / bare.rate().max(1.0)
    );
    println!(
        "webhooks: {hooks_done} of {queued} delivered to a local receiver in {drain:.1} s after reopening: {hook_rate:.0}/s (signed POSTs, attempts recorded)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server whose first connection fails after one answer while the others go on.
    fn one_connection_fails() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let posts = Arc::new(AtomicU64::new(0));
            for (i, stream) in listener.incoming().flatten().enumerate() {
                let posts = posts.clone();
                let most = if i == 0 { 1 } else { u64::MAX };
                std::thread::spawn(move || answer(stream, &posts, most));
            }
        });
        port
    }

    #[test]
    fn a_connection_that_fails_ends_the_load_at_once_with_its_error() {
        let load = Load::start(one_connection_fails(), 4);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !load.ended() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(load.ended(), "the load went on after a connection failed");
        let error = load.finish().unwrap_err();
        assert!(error.contains("a load connection failed"), "{error}");
    }
}
