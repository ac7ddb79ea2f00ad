//! HTTP semantics of the customer API: HEAD never writes, lengths are counted in characters,
//! and only JSON objects are bodies.

use serde_json::{Value, json};
use wacart_sandbox::Config;
use wacart_server::demo;
use wacart_tests::start_server;

const ALICE: &str = "15551230001";

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = http
        .request(method, url)
        .header("authorization", format!("Bearer {}", demo::TOKEN));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned(),
    )
}

/// `read` status webhooks queued so far (bodies are listed as JSON text).
async fn read_webhooks(http: &reqwest::Client, base: &str) -> usize {
    let (status, text) = call(
        http,
        reqwest::Method::GET,
        &format!("{base}/sandbox/webhooks/deliveries?limit=1000"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    text.matches(r#"\"status\":\"read\""#).count() + text.matches(r#""status":"read""#).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_on_a_thread_neither_marks_it_read_nor_queues_a_webhook() {
    let server = start_server(Config::default(), None).await;
    let base = &server.base;
    let http = reqwest::Client::new();
    let number = demo::PHONE_NUMBER_ID;
    let (s, t) = call(
        &http,
        reqwest::Method::POST,
        &format!("{base}/sandbox/customers/{ALICE}/messages"),
        Some(json!({"phone_number_id": number, "text": "hi"})),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(
        &http,
        reqwest::Method::POST,
        &format!("{base}/v23.0/{number}/messages"),
        Some(
            json!({"messaging_product": "whatsapp", "to": ALICE, "type": "text", "text": {"body": "hello"}}),
        ),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(read_webhooks(&http, base).await, 0);

    let thread = format!("{base}/sandbox/customers/{ALICE}/threads/{number}");
    let (s, _) = call(&http, reqwest::Method::HEAD, &thread, None).await;
    assert_eq!(s, 405, "HEAD on a thread must not run the view");
    assert_eq!(read_webhooks(&http, base).await, 0, "HEAD queued a read");
    let cart = format!("{base}/sandbox/customers/{ALICE}/devices/phone/carts/{number}");
    let (s, _) = call(&http, reqwest::Method::HEAD, &cart, None).await;
    assert_eq!(s, 405, "HEAD on a cart must not run the view");
    // HEAD on a GET that only reads is still served.
    let (s, _) = call(
        &http,
        reqwest::Method::HEAD,
        &format!("{base}/sandbox/webhooks/deliveries"),
        None,
    )
    .await;
    assert_eq!(s, 200);

    // The GET is what reads the thread, and that is seen here.
    let (s, t) = call(&http, reqwest::Method::GET, &thread, None).await;
    assert_eq!(s, 200, "{t}");
    assert!(read_webhooks(&http, base).await > 0, "GET queued no read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_are_counted_in_characters() {
    let server = start_server(Config::default(), None).await;
    let http = reqwest::Client::new();
    let device = format!("{}/sandbox/customers/{ALICE}/devices/phone", server.base);
    // 17 characters, 34 bytes: within 32 characters.
    let (s, t) = call(
        &http,
        reqwest::Method::PUT,
        &device,
        Some(json!({"app_version": "é".repeat(17)})),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(
        &http,
        reqwest::Method::PUT,
        &device,
        Some(json!({"app_version": "é".repeat(33)})),
    )
    .await;
    assert_eq!(s, 400, "{t}");
    assert!(t.contains("1 to 32 characters"), "{t}");
    // A device name over 64 characters is refused by the server itself.
    let long = format!(
        "{}/sandbox/customers/{ALICE}/devices/{}",
        server.base,
        "d".repeat(65)
    );
    let (s, t) = call(
        &http,
        reqwest::Method::PUT,
        &long,
        Some(json!({"app_version": "2.24"})),
    )
    .await;
    assert_eq!(s, 400, "{t}");
    assert!(t.contains("1 to 64 characters"), "{t}");
}
