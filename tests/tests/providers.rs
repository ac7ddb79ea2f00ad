//! Kaleyra and 360dialog as their own customers meet them, end to end over real sockets.
//!
//! Kaleyra: a business with a POST callback profile (statuses, named on the send) and a GET
//! one (incoming messages, the number's default) sends a product message with refs; the
//! customer orders; the business hears the statuses and the order in Kaleyra's form, with the
//! refs, parsed and checked by `wacart-transport`. A callback is redelivered on demand.
//!
//! 360dialog: the business sets its webhook with 360dialog's own configuration call (and a
//! header), and receives the order there.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};
use wacart_sandbox::Config;
use wacart_schema::{InboundContent, KaleyraExtraInfo, OutboundMessage, WebhookPayload};
use wacart_server::demo;
use wacart_tests::start_server;
use wacart_transport::{
    Client, D360WebhookConfig, Door, KaleyraCallback, KaleyraPod, KaleyraStatusKind, RetryPolicy,
    check_header,
};

const ALICE: &str = "15551230001";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Hit {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A receiver that answers 200 to anything and keeps every request.
#[derive(Clone, Default)]
struct Recorder {
    hits: Arc<Mutex<Vec<Hit>>>,
}

async fn record(
    State(r): State<Recorder>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    r.hits.lock().unwrap().push(Hit {
        method,
        path: uri.path().to_owned(),
        query: query.unwrap_or_default(),
        headers,
        body,
    });
    "ok"
}

impl Recorder {
    async fn start() -> (Recorder, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let r = Recorder::default();
        let app = axum::Router::new().fallback(record).with_state(r.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (r, base)
    }

    fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }

    async fn wait(&self, what: &str, pred: impl Fn(&[Hit]) -> bool) {
        for _ in 0..1000 {
            if pred(&self.hits.lock().unwrap()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "timed out waiting for {what}: {:?}",
            self.hits.lock().unwrap()
        );
    }
}

async fn call(http: &reqwest::Client, method: Method, url: String, body: Value) -> (u16, Value) {
    let mut req = http.request(method, &url);
    if !body.is_null() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn ok(http: &reqwest::Client, method: Method, url: String, body: Value) -> Value {
    let (status, v) = call(http, method, url.clone(), body).await;
    assert!((200..300).contains(&status), "{url}: {status} {v}");
    v
}

/// The customer writes, then orders 3 pears from the product message `from`.
async fn order(http: &reqwest::Client, base: &str, from: &str) -> String {
    let number = demo::PHONE_NUMBER_ID;
    let customer = |p: &str| format!("{base}/sandbox/customers/{ALICE}{p}");
    ok(
        http,
        Method::PUT,
        customer(&format!("/devices/phone/carts/{number}/items/pear-1kg")),
        json!({"quantity": 3, "from_message": from}),
    )
    .await;
    let sent = ok(
        http,
        Method::POST,
        customer(&format!("/devices/phone/carts/{number}/send")),
        json!({"text": "Deliver after 6pm"}),
    )
    .await;
    sent["id"].as_str().unwrap().to_owned()
}

async fn customer_writes(http: &reqwest::Client, base: &str) {
    ok(
        http,
        Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": "Hi! Any fruit today?"}),
    )
    .await;
}

fn spm() -> OutboundMessage {
    OutboundMessage::product(ALICE, demo::CATALOG_ID, "pear-1kg")
        .body("On sale today")
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kaleyra_business_hears_statuses_and_the_order_through_its_profiles() {
    let (recorder, hook) = Recorder::start().await;
    let server = start_server(Config::default(), None).await;
    let base = &server.base;
    let http = reqwest::Client::new();
    let sid = demo::KALEYRA_SID;
    // A POST profile for statuses, with a header of the business's own.
    ok(&http, Method::PUT, format!("{base}/sandbox/kaleyra/{sid}/callback-profiles/status-post"),
        json!({"method": "POST", "url": format!("{hook}/kaleyra/status"),
               "body": {"id": "<id>", "status": "<status>", "mobile": "<mobile>", "timestamp": "<timestamp>",
                        "ref": "<ref>", "ref1": "<ref1>", "ref2": "<ref2>", "wa_source": "<wa_source>"},
               "events": ["message_status"], "headers": {"X-Shop-Token": "s3cret"}})).await;
    // A GET profile for incoming messages: the number's default.
    ok(&http, Method::PUT, format!("{base}/sandbox/kaleyra/{sid}/callback-profiles/incoming-get"),
        json!({"method": "GET",
               "url": format!("{hook}/kaleyra/in?type=<type>&from=<from>&name=<name>&body=<body>&reply_to=<reply_to>&message=<message>&ref=<ref>&ref1=<ref1>&wa_source=<wa_source>"),
               "events": ["incoming_message"]})).await;
    let account = ok(
        &http,
        Method::PUT,
        format!(
            "{base}/sandbox/kaleyra/{sid}/numbers/{}",
            demo::PHONE_NUMBER_ID
        ),
        json!({"callback_profile_id": "incoming-get"}),
    )
    .await;
    assert_eq!(account["callback_profiles"].as_array().unwrap().len(), 2);

    customer_writes(&http, base).await;
    let mut refs = KaleyraExtraInfo::default();
    refs.reference = Some("campaign-7".into());
    refs.ref1 = Some("cart-42".into());
    refs.wa_source = Some("shopify".into());
    let client = Client::builder(Door::kaleyra(
        KaleyraPod::In,
        sid,
        demo::KALEYRA_KEY,
        demo::DISPLAY_NUMBER,
    ))
    .base_url(base)
    .retry(RetryPolicy::none())
    .kaleyra_extra_info(refs)
    .kaleyra_callback_profile("status-post")
    .build()
    .unwrap();
    let receipt = client.send(&spm()).await.unwrap();
    let order_id = order(&http, base, receipt.message_id.as_str()).await;

    recorder
        .wait("sent and delivered, and the order", |hits| {
            let statuses = hits.iter().filter(|h| h.path == "/kaleyra/status").count();
            let incoming = hits.iter().filter(|h| h.path == "/kaleyra/in").count();
            statuses >= 2 && incoming >= 2
        })
        .await;

    // Statuses: POST, JSON, the profile's header, the send's refs.
    let statuses = recorder.hits("/kaleyra/status");
    let mut kinds = Vec::new();
    for h in &statuses {
        assert_eq!(h.method, Method::POST);
        assert_eq!(h.headers["content-type"], "application/json");
        assert!(
            h.headers.get("x-hub-signature-256").is_none(),
            "Kaleyra signs nothing"
        );
        let headers = h
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()));
        check_header(headers, "x-shop-token", "s3cret").unwrap();
        let KaleyraCallback::Status(s) = KaleyraCallback::from_json(&h.body).unwrap() else {
            panic!("a status: {:?}", h.body)
        };
        assert_eq!(s.id, receipt.message_id.as_str());
        assert_eq!(s.mobile.as_deref(), Some(ALICE));
        assert_eq!(s.refs.reference.as_deref(), Some("campaign-7"));
        assert_eq!(s.refs.ref1.as_deref(), Some("cart-42"));
        assert_eq!(s.refs.ref2, None);
        assert_eq!(s.refs.wa_source.as_deref(), Some("shopify"));
        assert!(s.timestamp.is_some());
        kinds.push(s.status);
    }
    assert_eq!(
        &kinds[..2],
        &[KaleyraStatusKind::Sent, KaleyraStatusKind::Delivered]
    );

    // Incoming: GET with the variables in the query; the order carries the product message's refs.
    let incoming = recorder.hits("/kaleyra/in");
    assert!(
        incoming
            .iter()
            .all(|h| h.method == Method::GET && h.body.is_empty())
    );
    let parsed: Vec<_> = incoming
        .iter()
        .map(|h| match KaleyraCallback::from_query(&h.query).unwrap() {
            KaleyraCallback::Incoming(i) => i,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(parsed[0].kind, "text");
    assert_eq!(parsed[0].body.as_deref(), Some("Hi! Any fruit today?"));
    assert_eq!(
        parsed[0].refs.reference, None,
        "the customer wrote first: no send to refer to"
    );
    let the_order = &parsed[1];
    assert_eq!(the_order.kind, "order");
    assert_eq!(the_order.from.as_deref(), Some(ALICE));
    assert_eq!(the_order.name.as_deref(), Some("Alice Demo"));
    assert_eq!(the_order.body.as_deref(), Some("Deliver after 6pm"));
    assert_eq!(
        the_order.reply_to.as_deref(),
        Some(receipt.message_id.as_str())
    );
    assert_eq!(the_order.refs.reference.as_deref(), Some("campaign-7"));
    assert_eq!(the_order.refs.ref1.as_deref(), Some("cart-42"));
    let message = the_order.message.as_ref().unwrap();
    assert_eq!(message.id.as_str(), order_id);
    let InboundContent::Order(o) = &message.content else {
        panic!("an order: {message:?}")
    };
    let items: Vec<_> = o
        .product_items
        .iter()
        .map(|i| {
            (
                i.product_retailer_id.to_string(),
                i.quantity,
                i.item_price.to_string(),
            )
        })
        .collect();
    assert_eq!(items, [("pear-1kg".to_owned(), 3, "3.79".to_owned())]);

    // The same outbox: the deliveries log lists them with their target, and redelivery works.
    let log = ok(
        &http,
        Method::GET,
        format!("{base}/sandbox/webhooks/deliveries"),
        Value::Null,
    )
    .await;
    let callbacks: Vec<&Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("target").is_some())
        .collect();
    assert!(callbacks.len() >= 4, "{log}");
    // Kaleyra's callbacks were delivered; Meta's webhooks wait for a WABA callback that was never
    // set (they are the app's, not the Kaleyra customer's).
    for d in log["data"].as_array().unwrap() {
        let expected = if d.get("target").is_some() {
            "delivered"
        } else {
            "pending"
        };
        assert_eq!(d["state"], expected, "{d}");
    }
    let first = callbacks
        .iter()
        .find(|d| d["target"]["method"] == "POST")
        .unwrap();
    let before = recorder.hits("/kaleyra/status").len();
    ok(
        &http,
        Method::POST,
        format!(
            "{base}/sandbox/webhooks/deliveries/{}/redeliver",
            first["id"]
        ),
        Value::Null,
    )
    .await;
    recorder
        .wait("the redelivered status", |hits| {
            hits.iter().filter(|h| h.path == "/kaleyra/status").count() > before
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog360_business_configures_its_webhook_and_receives_the_order() {
    let (recorder, hook) = Recorder::start().await;
    let server = start_server(Config::default(), None).await;
    let base = &server.base;
    let http = reqwest::Client::new();

    // 360dialog's own refusals first: a wrong key, a URL that is not one.
    let (status, body) = call(
        &http,
        Method::GET,
        format!("{base}/v1/configs/webhook"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, &body["meta"]["success"], &body["meta"]["http_code"]),
        (401, &json!(false), &json!(401))
    );
    let (status, body) = {
        let r = http
            .post(format!("{base}/v1/configs/webhook"))
            .header("d360-api-key", demo::D360_KEY)
            .header("content-type", "application/json")
            .body(r#"{"url":"not a url"}"#)
            .send()
            .await
            .unwrap();
        (
            r.status().as_u16(),
            serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).unwrap(),
        )
    };
    assert_eq!(status, 400);
    assert_eq!(body["meta"]["http_code"], 400);
    assert!(
        body["meta"]["details"][0]
            .as_str()
            .unwrap()
            .contains("http"),
        "{body}"
    );

    let client = Client::builder(Door::dialog360(demo::D360_KEY))
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let config = D360WebhookConfig::new(format!("{hook}/d360"))
        .header("Authorization", "Basic dGVzdHVzZXI6dGVzdHBhc3M=");
    assert_eq!(client.set_d360_webhook(&config).await.unwrap(), config);
    assert_eq!(client.d360_webhook().await.unwrap(), config);

    customer_writes(&http, base).await;
    let receipt = client.send(&spm()).await.unwrap();
    let order_id = order(&http, base, receipt.message_id.as_str()).await;
    recorder
        .wait("the order webhook", |hits| {
            hits.iter().any(|h| {
                h.method == Method::POST && String::from_utf8_lossy(&h.body).contains(&order_id)
            })
        })
        .await;
    for h in recorder
        .hits("/d360")
        .iter()
        .filter(|h| h.method == Method::POST)
    {
        assert_eq!(h.headers["authorization"], "Basic dGVzdHVzZXI6dGVzdHBhc3M=");
        let signature = h
            .headers
            .get("x-hub-signature-256")
            .and_then(|v| v.to_str().ok());
        wacart_transport::verify(demo::APP_SECRET.as_bytes(), signature, &h.body).unwrap();
    }
    let order_hit = recorder
        .hits("/d360")
        .into_iter()
        .find(|h| String::from_utf8_lossy(&h.body).contains(&order_id))
        .unwrap();
    let payload: WebhookPayload = serde_json::from_slice(&order_hit.body).unwrap();
    let order = payload
        .events()
        .find_map(|e| match e {
            wacart_schema::Event::Message { message, .. } => match &message.content {
                InboundContent::Order(o) => Some(o.clone()),
                _ => None,
            },
            _ => None,
        })
        .unwrap();
    assert_eq!(order.product_items[0].quantity, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog360_media_on_its_own_paths() {
    let server = start_server(Config::default(), None).await;
    let client = Client::builder(Door::dialog360(demo::D360_KEY))
        .base_url(&server.base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let bytes = b"%PDF-1.4 the order confirmation".to_vec();
    let id = client
        .upload_media(&bytes, "application/pdf", "order.pdf")
        .await
        .unwrap();
    let found = client.media_url(&id).await.unwrap();
    assert_eq!(
        (found.mime_type.as_str(), found.file_size),
        ("application/pdf", bytes.len() as u64)
    );
    let got = client.download_media(&found.url).await.unwrap();
    assert_eq!(got.bytes, bytes);
    // A wrong key: 360dialog's own envelope.
    let (status, body) = call(
        &reqwest::Client::new(),
        Method::GET,
        format!("{}/{id}", server.base),
        Value::Null,
    )
    .await;
    assert_eq!((status, &body["meta"]["http_code"]), (401, &json!(401)));
    client.delete_media(&id).await.unwrap();
    let gone = client.media_url(&id).await.unwrap_err();
    assert_eq!(gone.code().as_deref(), Some("100"), "{gone}");
}
