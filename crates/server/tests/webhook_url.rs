//! `--webhook-url` hears Meta's signed webhooks only, so an SDK's receiver (which refuses an
//! unsigned POST) can be pointed at it; the demo Kaleyra account's callbacks go to
//! `--kaleyra-callback-url`, unsigned, in Kaleyra's shape.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A POST a receiver got: whether it carried Meta's signature header, and its body.
#[derive(Clone, Debug)]
struct Post {
    signed: bool,
    body: String,
}

/// A receiver that answers every request 200 (echoing `hub.challenge` on the handshake) and
/// keeps the POSTs.
fn receiver() -> (String, Arc<Mutex<Vec<Post>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let posts: Arc<Mutex<Vec<Post>>> = Arc::default();
    let kept = posts.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let kept = kept.clone();
            std::thread::spawn(move || serve_one(conn, &kept));
        }
    });
    (url, posts)
}

fn serve_one(conn: TcpStream, kept: &Mutex<Vec<Post>>) {
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let request_line = line.clone();
        let (mut length, mut signed) = (0usize, false);
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("x-hub-signature-256") {
                    signed = true;
                }
            }
        }
        let mut body = vec![0; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let answer = if request_line.starts_with("POST") {
            kept.lock().unwrap().push(Post {
                signed,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            String::new()
        } else {
            request_line
                .split("hub.challenge=")
                .nth(1)
                .and_then(|rest| rest.split(['&', ' ']).next())
                .unwrap_or("")
                .to_owned()
        };
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if r.get_mut().write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// Starts the sandbox on a port the system picks (read back from what it prints, so two tests
/// never race for one port).
fn serve(extra: &[&str]) -> (Killed, u16) {
    let mut args = vec!["serve", "--demo", "--memory", "--listen", "127.0.0.1:0"];
    args.extend(extra);
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_wacart"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let addr = line.split("listening on http://").nth(1)?;
            addr.split_whitespace()
                .next()?
                .rsplit(':')
                .next()?
                .parse()
                .ok()
        })
        .expect("the sandbox did not say where it listens");
    // The rest is read too: a closed pipe would stop the sandbox at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

/// The demo customer writes to the demo number (a `messages` webhook, and the Kaleyra
/// incoming-message callback when the number has a profile).
fn customer_writes(port: u16) {
    let body = r#"{"phone_number_id":"100000000000001","text":"hi"}"#;
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /sandbox/customers/15551230001/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn wait_for(posts: &Mutex<Vec<Post>>, n: usize) -> Vec<Post> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while posts.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    posts.lock().unwrap().clone()
}

#[test]
fn the_webhook_url_hears_signed_meta_webhooks_only() {
    let (url, posts) = receiver();
    let (_server, port) = serve(&["--webhook-url", &url]);
    customer_writes(port);
    assert!(!wait_for(&posts, 1).is_empty(), "no webhook arrived");
    // A Kaleyra callback, were one made, is queued with the webhook: give it time to arrive.
    std::thread::sleep(Duration::from_millis(500));
    let posts = posts.lock().unwrap().clone();
    for p in &posts {
        assert!(
            p.signed,
            "an unsigned POST reached the webhook URL: {}",
            p.body
        );
        assert!(
            p.body
                .starts_with(r#"{"object":"whatsapp_business_account""#),
            "{}",
            p.body
        );
    }
}

#[test]
fn the_demo_kaleyra_account_calls_back_at_its_own_url() {
    let (meta_url, meta) = receiver();
    let (kaleyra_url, kaleyra) = receiver();
    let (_server, port) = serve(&[
        "--webhook-url",
        &meta_url,
        "--kaleyra-callback-url",
        &kaleyra_url,
    ]);
    customer_writes(port);
    let callbacks = wait_for(&kaleyra, 1);
    assert!(!callbacks.is_empty(), "no Kaleyra callback arrived");
    assert!(callbacks.iter().all(|p| !p.signed), "Kaleyra signs nothing");
    assert!(
        callbacks[0].body.contains(r#""body":"hi""#),
        "{}",
        callbacks[0].body
    );
    assert!(wait_for(&meta, 1).iter().all(|p| p.signed));
}
