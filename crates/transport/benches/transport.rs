//! - Signature verification of a 1 KB and a 3 MB body (throughput in bytes/s).
//! - The client's own overhead per send against a bare reqwest POST of the same bytes to the
//!   same local server, in the same run.
//!
//! Run: `cargo bench -p wacart-transport --bench transport`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wacart_schema::OutboundMessage;
use wacart_transport::{Client, Door, RetryPolicy, sign, verify};

const SECRET: &[u8] = b"demo-app-secret";

fn signatures(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify");
    for (name, size) in [("1KB", 1024), ("3MB", 3 * 1024 * 1024)] {
        let body: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
        let header = sign(SECRET, &body);
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(name, |b| {
            b.iter(|| verify(SECRET, Some(black_box(&header)), black_box(&body)).unwrap())
        });
    }
    g.finish();
}

const ANSWER: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI1"}]}"#;

fn client_overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base = rt.block_on(async {
        let app = axum::Router::new()
            .fallback(|| async { ([("content-type", "application/json")], ANSWER) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    });
    let message = OutboundMessage::product("16505551234", "300000000000001", "sku-1")
        .body("Our bestseller")
        .build()
        .unwrap();
    let client = Client::builder(Door::meta("100000000000001", "demo-token"))
        .base_url(&base)
        .rate_limit(None)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    // The same HTTP stack settings as the client's (timeouts), so only wacart's work differs.
    let bare = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("{base}/v23.0/100000000000001/messages");
    let body = serde_json::to_vec(&message).unwrap();

    let mut g = c.benchmark_group("send");
    g.throughput(Throughput::Elements(1));
    g.bench_function("bare reqwest POST", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = bare
                    .post(&url)
                    .header("authorization", "Bearer demo-token")
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                black_box(r.bytes().await.unwrap())
            })
        })
    });
    g.bench_function("wacart Client::send", |b| {
        b.iter(|| rt.block_on(async { black_box(client.send(&message).await.unwrap()) }))
    });
    g.finish();
}

criterion_group!(benches, signatures, client_overhead);
criterion_main!(benches);
