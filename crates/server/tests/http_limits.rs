//! The HTTP layer of the real binary, over raw sockets: header, body and idle timeouts, the
//! connection cap, declared lengths over the limit, malformed chunked bodies, and a shutdown
//! that ends within its deadline whatever the clients and the webhook receiver do.
//!
//! Timing is only ever asserted as a generous upper bound that proves a deadline exists.

mod common;
use common::free_port;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long any answer or close may take before the test calls it missing.
const PATIENCE: Duration = Duration::from_secs(15);

const MESSAGES: &str = "/sandbox/customers/15551230001/messages";

/// The binary with the demo business in memory, and its port; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_wacart"))
        .args(["serve", "--demo", "--memory", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the server did not come up");
}

impl Server {
    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s
    }
}

/// What reading from a connection came to.
#[derive(Debug)]
enum Outcome {
    /// A whole response: status and body.
    Answer(u16, Vec<u8>),
    /// The server closed the connection without (more of) an answer.
    Closed,
}

/// Reads one response (its body by `content-length`), or the close. Panics when neither comes
/// within [`PATIENCE`].
fn read_response(s: &mut TcpStream) -> Outcome {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("a status line");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + length {
                return Outcome::Answer(status, buf[end + 4..end + 4 + length].to_vec());
            }
        }
        match s.read(&mut chunk) {
            Ok(0) => return Outcome::Closed,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "neither an answer nor a close within {PATIENCE:?} (got {:?})",
                    String::from_utf8_lossy(&buf)
                )
            }
            Err(_) => return Outcome::Closed, // reset
        }
    }
}

/// Asserts a Graph error object with `status`.
fn assert_graph(read: Outcome, status: u16) -> Value {
    let Outcome::Answer(got, body) = read else {
        panic!("expected {status}, the connection closed");
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(got, status, "{v}");
    assert!(v["error"]["code"].is_u64(), "{v}");
    assert!(v["error"]["message"].is_string(), "{v}");
    assert!(v["error"]["fbtrace_id"].is_string(), "{v}");
    v
}

fn post_head(path: &str, extra: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n{extra}\r\n")
}

#[test]
fn headers_that_do_not_arrive_in_time_end_the_connection() {
    let server = serve(&["--header-timeout", "1"]);
    let mut s = server.connect();
    s.write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert!(matches!(read_response(&mut s), Outcome::Closed));
    // A connection that never sends a byte is closed too.
    let mut silent = server.connect();
    assert!(matches!(read_response(&mut silent), Outcome::Closed));
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let server = serve(&["--header-timeout", "1"]);
    let mut s = server.connect();
    s.write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(matches!(read_response(&mut s), Outcome::Answer(200, _)));
    // Keep-alive: the connection stays open for a next request, but not forever.
    assert!(matches!(read_response(&mut s), Outcome::Closed));
}

#[test]
fn a_body_that_does_not_arrive_in_time_is_answered_408() {
    let server = serve(&["--body-timeout", "1"]);
    let mut s = server.connect();
    s.write_all(post_head(MESSAGES, "content-length: 100\r\n").as_bytes())
        .unwrap();
    s.write_all(br#"{"phone_"#).unwrap();
    assert_graph(read_response(&mut s), 408);
}

#[test]
fn a_declared_length_over_the_limit_is_413_at_once() {
    // A body deadline far past the test's patience: the answer cannot come from it.
    let server = serve(&["--body-timeout", "600"]);
    for (path, extra) in [
        (MESSAGES, ""),
        (
            "/v23.0/100000000000001/messages",
            "authorization: Bearer demo-token\r\n",
        ),
    ] {
        let mut s = server.connect();
        let head = post_head(path, &format!("{extra}content-length: 1000000000000\r\n"));
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(b"{").unwrap();
        let v = assert_graph(read_response(&mut s), 413);
        assert!(v.to_string().contains("larger than 262144 bytes"), "{v}");
    }
}

#[test]
fn a_malformed_chunked_body_is_400_not_413() {
    let server = serve(&[]);
    for (path, extra) in [
        (MESSAGES, ""),
        (
            "/v23.0/100000000000001/messages",
            "authorization: Bearer demo-token\r\n",
        ),
    ] {
        let mut s = server.connect();
        let head = post_head(path, &format!("{extra}transfer-encoding: chunked\r\n"));
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(b"ZZZ\r\n{}\r\n0\r\n\r\n").unwrap();
        let v = assert_graph(read_response(&mut s), 400);
        assert!(v.to_string().contains("malformed"), "{v}");
    }
}

#[test]
fn connections_over_the_cap_are_refused_and_serving_goes_on() {
    let server = serve(&["--max-connections", "2", "--header-timeout", "60"]);
    // Two keep-alive connections, each proven accepted by an answer, then left idle.
    let mut held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            assert!(matches!(read_response(&mut s), Outcome::Answer(200, _)));
            s
        })
        .collect();
    // The third is answered 503 at once, in Graph's shape, and closed.
    let mut third = server.connect();
    assert_graph(read_response(&mut third), 503);
    // Once the held ones go, new clients are served again.
    held.clear();
    let started = Instant::now();
    loop {
        let mut s = server.connect();
        let _ = s.write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n\r\n");
        match read_response(&mut s) {
            Outcome::Answer(200, _) => break,
            other => assert!(
                started.elapsed() < PATIENCE,
                "still refused after the held connections closed: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends SIGTERM and waits for the exit; panics past `within`.
fn terminate(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < within,
            "still running {within:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_ends_within_the_deadline_despite_half_sent_requests() {
    // Timeouts far past the test's patience: only the shutdown deadline can end these.
    let mut server = serve(&[
        "--shutdown-timeout",
        "2",
        "--header-timeout",
        "600",
        "--body-timeout",
        "600",
    ]);
    let mut half_head = server.connect();
    half_head
        .write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut half_body = server.connect();
    half_body
        .write_all(post_head(MESSAGES, "content-length: 100\r\n").as_bytes())
        .unwrap();
    half_body.write_all(b"{").unwrap();
    // Proof both are being served: a third connection gets its answer.
    let mut probe = server.connect();
    probe
        .write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(matches!(read_response(&mut probe), Outcome::Answer(200, _)));
    let status = terminate(&mut server, PATIENCE);
    assert!(status.success(), "{status}");
}

#[test]
fn sigterm_ends_within_the_deadline_despite_a_receiver_that_never_answers() {
    // A webhook receiver that accepts and never answers.
    let receiver = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", receiver.local_addr().unwrap());
    let mut server = serve(&["--shutdown-timeout", "1", "--webhook-url", &url]);
    let mut s = server.connect();
    let body = r#"{"phone_number_id":"100000000000001","text":"hello"}"#;
    s.write_all(post_head(MESSAGES, &format!("content-length: {}\r\n", body.len())).as_bytes())
        .unwrap();
    s.write_all(body.as_bytes()).unwrap();
    assert!(matches!(read_response(&mut s), Outcome::Answer(200, _)));
    // Wait until the worker is stuck on the receiver.
    receiver.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let _stuck = loop {
        match receiver.accept() {
            Ok((conn, _)) => break conn,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(started.elapsed() < PATIENCE, "the worker never called");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
    };
    // The worker's own timeouts (5 s to answer the handshake, 5 s per delivery) would hold the
    // exit for about 10 s; the 1 s deadline must cut them short. 6 s is generous for it.
    let status = terminate(&mut server, Duration::from_secs(6));
    assert!(status.success(), "{status}");
}

#[test]
fn requests_hyper_cannot_parse_are_refused_in_graphs_shape() {
    let server = serve(&[]);
    let long_path = format!(
        "GET /sandbox/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let many_headers = format!(
        "GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..101)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    );
    let bad_header =
        "GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n";
    for (request, status) in [
        (long_path.as_str(), 414),
        (many_headers.as_str(), 431),
        (bad_header, 400),
    ] {
        let mut s = server.connect();
        s.write_all(request.as_bytes()).unwrap();
        let v = assert_graph(read_response(&mut s), status);
        assert_eq!(v["error"]["code"], 100, "{v}");
    }
    // The server still serves.
    let mut s = server.connect();
    s.write_all(b"GET /sandbox/webhooks/deliveries HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(matches!(read_response(&mut s), Outcome::Answer(200, _)));
}
