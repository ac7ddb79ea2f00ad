//! Durability through the real binary: kill the server (SIGKILL) in the middle of a stream of
//! sends and cart changes, restart it on the same database, and find every acknowledged one.

mod common;
use common::free_port;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn serve(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_wacart"))
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            // Snapshots (and the compaction behind them) every 25 commands, so the kill lands
            // around several of them.
            "--snapshot-every",
            "25",
            "--db",
        ])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if http
            .get(format!("{base}/sandbox/webhooks/deliveries"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_everything_it_acknowledged() {
    let dir = std::env::temp_dir().join(format!("wacart-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = serve(&db, port);
    wait_up(&http, &base).await;

    // Four writers: customer texts and business sends, alternating, plus cart changes.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, base, tx) = (http.clone(), base.clone(), tx.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let text = format!("w{w}-{i}");
                let r = http
                    .post(format!("{base}/sandbox/customers/15551230001/messages"))
                    .header("content-type", "application/json")
                    .body(json!({"phone_number_id": "100000000000001", "text": text}).to_string())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = tx.send(("text".into(), text));
                    }
                    _ => break,
                }
                let send = http
                    .post(format!("{base}/v23.0/100000000000001/messages"))
                    .header("authorization", "Bearer demo-token")
                    .header("content-type", "application/json")
                    .body(json!({"messaging_product":"whatsapp","to":"15551230001","type":"text","text":{"body": format!("reply {w}-{i}")}}).to_string())
                    .send()
                    .await;
                match send {
                    Ok(r) if r.status().is_success() => {
                        let v: Value = serde_json::from_slice(&r.bytes().await.unwrap_or_default()).unwrap_or_default();
                        let _ = tx.send(("send".into(), v["messages"][0]["id"].as_str().unwrap_or_default().to_owned()));
                    }
                    _ => break,
                }
                let item = ["kale", "milk-1l", "sourdough", "eggs-12"][w];
                let cart = http
                    .put(format!("{base}/sandbox/customers/15551230002/devices/phone/carts/100000000000001/items/{item}"))
                    .header("content-type", "application/json")
                    .body(json!({"quantity": (i % 99) + 1}).to_string())
                    .send()
                    .await;
                match cart {
                    Ok(r) if r.status().is_success() => {
                        let _ = tx.send(("cart".into(), format!("{item}={}", (i % 99) + 1)));
                    }
                    _ => break,
                }
            }
        }));
    }
    drop(tx);
    // Let acknowledgements pile up, then kill the server mid-stream.
    let mut acked = Vec::new();
    while acked.len() < 600 {
        match rx.recv().await {
            Some(a) => acked.push(a),
            None => break,
        }
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for w in writers {
        let _ = w.await;
    }
    while let Ok(a) = rx.try_recv() {
        acked.push(a);
    }
    assert!(
        acked.len() >= 600,
        "only {} acknowledged before the kill",
        acked.len()
    );

    // Restart on the same database.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&db, port);
    wait_up(&http, &base).await;
    // The whole thread, a page at a time (history past the recent messages is paged).
    let mut messages: Vec<Value> = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let query = before.map_or_else(
            || "?limit=1000".to_owned(),
            |b| format!("?limit=1000&before={b}"),
        );
        let page: Value = serde_json::from_slice(
            &http
                .get(format!(
                    "{base}/sandbox/customers/15551230001/threads/100000000000001{query}"
                ))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        let mut got = page["messages"].as_array().unwrap().clone();
        got.extend(messages);
        messages = got;
        match page["paging"]["before"].as_u64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    let texts: std::collections::HashSet<&str> =
        messages.iter().filter_map(|m| m["text"].as_str()).collect();
    let ids: std::collections::HashSet<&str> =
        messages.iter().filter_map(|m| m["id"].as_str()).collect();
    let cart: Value = serde_json::from_slice(
        &http
            .get(format!(
                "{base}/sandbox/customers/15551230002/devices/phone/carts/100000000000001"
            ))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let quantities: std::collections::HashMap<String, u64> = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["retailer_id"].as_str().unwrap().to_owned(),
                i["quantity"].as_u64().unwrap(),
            )
        })
        .collect();
    server.kill().unwrap();
    server.wait().unwrap();
    let mut last_cart = std::collections::HashMap::new();
    for (kind, value) in &acked {
        match kind.as_str() {
            "text" => assert!(
                texts.contains(value.as_str()),
                "acknowledged text {value} lost"
            ),
            "send" => assert!(
                ids.contains(value.as_str()),
                "acknowledged send {value} lost"
            ),
            _ => {
                let (item, q) = value.split_once('=').unwrap();
                last_cart.insert(item.to_owned(), q.parse::<u64>().unwrap());
            }
        }
    }
    // Each item's last acknowledged quantity is there, or a later one whose answer the kill cut off.
    for (item, q) in last_cart {
        let now = quantities.get(&item).copied().unwrap_or(0);
        assert!(
            now == q || now == q % 99 + 1,
            "{item}: acknowledged {q}, found {now}"
        );
    }
}
