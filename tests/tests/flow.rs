//! The whole ordering flow on each door: the transport client sends single-product,
//! multi-product (with unknown ids) and catalog messages to a real server; a real receiver
//! verifies every signature and parses every payload; a customer fills carts on two devices, an
//! availability change empties one, the other is sent, and the order webhook arrives with exact
//! prices.

use serde_json::{Value, json};
use wacart_sandbox::Config;
use wacart_schema::{
    BatchMethod, BatchRequest, InboundContent, ItemsBatchRequest, OutboundMessage, Price,
};
use wacart_server::demo;
use wacart_tests::{Receiver, start_server};
use wacart_transport::{Client, Door, KaleyraPod, RetryPolicy};

const ALICE: &str = "15551230001";

fn client(door: Door, base: &str) -> Client {
    Client::builder(door)
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn api(http: &reqwest::Client, method: reqwest::Method, url: String, body: Value) -> Value {
    let mut req = http.request(method, &url);
    if !body.is_null() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

async fn flow(door: Door) {
    let receiver = Receiver::start().await;
    let server = start_server(Config::default(), Some(&receiver.url)).await;
    let base = &server.base;
    let http = reqwest::Client::new();
    let customer = |path: &str| format!("{base}/sandbox/customers/{ALICE}{path}");
    let number = demo::PHONE_NUMBER_ID;

    // The customer writes first: the window opens, the business hears of it.
    api(
        &http,
        reqwest::Method::POST,
        customer("/messages"),
        json!({"phone_number_id": number, "text": "Hi! Anything fresh?"}),
    )
    .await;

    let sender = client(door, base);
    let spm = OutboundMessage::product(ALICE, demo::CATALOG_ID, "pear-1kg")
        .body("On sale today")
        .build()
        .unwrap();
    let spm_receipt = sender.send(&spm).await.unwrap();
    let mpm =
        OutboundMessage::product_list(ALICE, demo::CATALOG_ID, "Fresh picks", "Our best this week")
            .section("Fruit", ["apple-1kg", "no-such-fruit"])
            .section("Greens", ["kale"])
            .build()
            .unwrap();
    sender.send(&mpm).await.unwrap();
    let catalog = OutboundMessage::catalog(ALICE, "Browse everything")
        .thumbnail("sourdough")
        .build()
        .unwrap();
    sender.send(&catalog).await.unwrap();

    // Two devices, two carts.
    api(
        &http,
        reqwest::Method::PUT,
        customer("/devices/web"),
        json!({"app_version": "2.3000.1", "platform": "web"}),
    )
    .await;
    let item =
        |device: &str, id: &str| customer(&format!("/devices/{device}/carts/{number}/items/{id}"));
    api(
        &http,
        reqwest::Method::PUT,
        item("phone", "pear-1kg"),
        json!({"quantity": 2, "from_message": spm_receipt.message_id}),
    )
    .await;
    api(
        &http,
        reqwest::Method::PUT,
        item("web", "kale"),
        json!({"quantity": 3}),
    )
    .await;
    api(
        &http,
        reqwest::Method::PUT,
        item("web", "coffee-beans"),
        json!({"quantity": 1}),
    )
    .await;

    // The business marks pears out of stock through the Graph API.
    let graph = client(Door::meta(number, demo::TOKEN), base);
    let mut data = serde_json::Map::new();
    data.insert("id".into(), "pear-1kg".into());
    data.insert("availability".into(), "out of stock".into());
    graph
        .items_batch(
            &demo::CATALOG_ID.into(),
            &ItemsBatchRequest::products(vec![BatchRequest::new(BatchMethod::Update, data)]),
        )
        .await
        .unwrap();
    let phone_cart = api(
        &http,
        reqwest::Method::GET,
        customer(&format!("/devices/phone/carts/{number}")),
        Value::Null,
    )
    .await;
    assert_eq!(phone_cart["items"], json!([]));
    assert_eq!(
        phone_cart["notice"],
        "One or more items in your cart have been updated"
    );

    let sent = api(
        &http,
        reqwest::Method::POST,
        customer(&format!("/devices/web/carts/{number}/send")),
        json!({"text": "Ring twice"}),
    )
    .await;
    let order_id = sent["id"].as_str().unwrap().to_owned();

    receiver
        .wait_for("the order webhook", |r| {
            r.payloads.iter().flat_map(|p| p.events()).any(|e| matches!(e, wacart_schema::Event::Message { message, .. } if message.id == order_id.as_str()))
        })
        .await;
    receiver
        .wait_for("the dropped-items error", |r| {
            r.payloads
                .iter()
                .flat_map(|p| p.events())
                .any(|e| matches!(e, wacart_schema::Event::Error { .. }))
        })
        .await;
    receiver.with(|r| {
        assert_eq!(r.bad_signatures, 0);
        assert!(r.handshakes >= 1, "the callback was verified first");
        let order = r
            .payloads
            .iter()
            .flat_map(|p| p.events())
            .find_map(|e| match e {
                wacart_schema::Event::Message { message, contact, .. } => match &message.content {
                    InboundContent::Order(o) => Some((o.clone(), contact.cloned())),
                    _ => None,
                },
                _ => None,
            })
            .expect("an order");
        let (order, contact) = order;
        assert_eq!(contact.unwrap().profile.unwrap().name.as_deref(), Some("Alice Demo"));
        assert_eq!(order.text.as_deref(), Some("Ring twice"));
        let lines: Vec<(String, u32, Price, String)> = order
            .product_items
            .iter()
            .map(|i| (i.product_retailer_id.to_string(), i.quantity, i.item_price, i.currency.clone()))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("kale".to_owned(), 3, "2.99".parse().unwrap(), "USD".to_owned()),
                ("coffee-beans".to_owned(), 1, "19.99".parse().unwrap(), "USD".to_owned()),
            ]
        );
        // Exact on the wire too: the raw bytes hold 2.99 and 19.99, not binary noise.
        let raw = r.bodies.iter().map(|b| String::from_utf8_lossy(b).into_owned()).find(|b| b.contains("\"order\"")).unwrap();
        assert!(raw.contains("\"item_price\":2.99") && raw.contains("\"item_price\":19.99"), "{raw}");
        let errors: Vec<String> = r
            .payloads
            .iter()
            .flat_map(|p| p.events())
            .filter_map(|e| match e {
                wacart_schema::Event::Error { error, .. } => error.error_data.as_ref().and_then(|d| d.details.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(errors, ["Products not found in FB Catalog: no-such-fruit"]);
        let sent_statuses = r
            .payloads
            .iter()
            .flat_map(|p| p.events())
            .filter(|e| matches!(e, wacart_schema::Event::Status { status, .. } if status.status == wacart_schema::StatusKind::Sent))
            .count();
        assert_eq!(sent_statuses, 3, "one `sent` per message");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_door() {
    flow(Door::meta(demo::PHONE_NUMBER_ID, demo::TOKEN)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog360_door() {
    flow(Door::dialog360(demo::D360_KEY)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kaleyra_door() {
    flow(Door::kaleyra(
        KaleyraPod::In,
        demo::KALEYRA_SID,
        demo::KALEYRA_KEY,
        demo::DISPLAY_NUMBER,
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_refuses_for_a_while_gets_everything_after() {
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let config = Config {
        retry_base: 20,
        retry_max_interval: 200,
        ..Config::default()
    };
    let server = start_server(config, Some(&receiver.url)).await;
    let http = reqwest::Client::new();
    for i in 0..20 {
        let url = format!("{}/sandbox/customers/{ALICE}/messages", server.base);
        api(
            &http,
            reqwest::Method::POST,
            url,
            json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": format!("message {i}")}),
        )
        .await;
    }
    receiver.wait_for("refusals", |r| r.refused >= 20).await;
    receiver.set_down(false);
    receiver
        .wait_for("all 20 messages", |r| r.payloads.len() >= 20)
        .await;
    let texts: std::collections::BTreeSet<String> = receiver.with(|r| {
        r.payloads
            .iter()
            .flat_map(|p| p.events())
            .filter_map(|e| match e {
                wacart_schema::Event::Message { message, .. } => match &message.content {
                    InboundContent::Text(t) => Some(t.body.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    });
    assert_eq!(texts.len(), 20);
    // The worker records each attempt after the receiver answers: wait for the last records.
    let mut list = Vec::new();
    for _ in 0..500 {
        let deliveries = api(
            &http,
            reqwest::Method::GET,
            format!("{}/sandbox/webhooks/deliveries", server.base),
            Value::Null,
        )
        .await;
        list = deliveries["data"].as_array().unwrap().clone();
        if list.iter().all(|d| d["state"] == "delivered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(list.iter().all(|d| d["state"] == "delivered"), "{list:?}");
    let attempts: usize = list
        .iter()
        .map(|d| d["attempts"].as_array().unwrap().len())
        .sum();
    let refused = receiver.with(|r| r.refused);
    assert!(refused >= 20);
    assert_eq!(
        attempts,
        list.len() + refused,
        "every refusal and every success is recorded"
    );
}
