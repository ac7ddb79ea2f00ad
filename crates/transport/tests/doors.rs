//! The client against a real local HTTP server on 127.0.0.1:0 that records what it receives
//! and answers from a script.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use wacart_schema::{BatchMethod, BatchRequest, ItemsBatchRequest, OutboundMessage};
use wacart_transport::{Client, Door, DoorKind, Error, KaleyraPod, RetryPolicy, SECRET_HEADERS};

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// (status, extra headers, body, delay before answering)
type Scripted = (u16, Vec<(&'static str, &'static str)>, String, Duration);

#[derive(Clone, Default)]
struct Server {
    seen: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
}

impl Server {
    async fn start(script: Vec<Scripted>) -> (String, Server) {
        let server = Server {
            seen: Arc::default(),
            script: Arc::new(Mutex::new(script.into())),
        };
        let state = server.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let mut hs: Vec<(String, String)> = headers
                        .iter()
                        .filter(|(k, _)| {
                            !["host", "content-length", "accept"].contains(&k.as_str())
                        })
                        .map(|(k, v)| {
                            let v = if SECRET_HEADERS.contains(&k.as_str()) {
                                format!("<redacted:{}>", v.to_str().unwrap().len())
                            } else {
                                v.to_str().unwrap().to_owned()
                            };
                            (k.as_str().to_owned(), v)
                        })
                        .collect();
                    hs.sort();
                    state.seen.lock().unwrap().push(Recorded {
                        method: method.to_string(),
                        path: uri.to_string(),
                        headers: hs,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let next = state.script.lock().unwrap().pop_front();
                    let (status, headers, body, delay) =
                        next.unwrap_or((500, vec![], "script exhausted".into(), Duration::ZERO));
                    tokio::time::sleep(delay).await;
                    let mut response =
                        (StatusCode::from_u16(status).unwrap(), body).into_response();
                    for (k, v) in headers {
                        response.headers_mut().insert(k, v.parse().unwrap());
                    }
                    response
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{addr}"), server)
    }

    fn seen(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}

fn ok(body: &str) -> Scripted {
    (
        200,
        vec![("content-type", "application/json")],
        body.to_owned(),
        Duration::ZERO,
    )
}

fn answer(status: u16, body: &str) -> Scripted {
    (
        status,
        vec![("content-type", "application/json")],
        body.to_owned(),
        Duration::ZERO,
    )
}

const META_OK: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.OK1"}]}"#;
const KALEYRA_OK: &str =
    r#"{"code":"WA202","message":"Request Accepted","data":{"message_id":"wamid.K1"},"error":{}}"#;
const THROTTLED: &str = r#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"A1"}}"#;
const NOT_FOUND: &str = r#"{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,"error_data":{"messaging_product":"whatsapp","details":"Products not found in FB Catalog"},"fbtrace_id":"A2"}}"#;

fn spm() -> OutboundMessage {
    OutboundMessage::product("16505551234", "300000000000001", "sku-1")
        .body("Our bestseller")
        .build()
        .unwrap()
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .attempts(4)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// The request exactly as received: method, path, headers (credentials redacted), raw body.
fn render(r: &Recorded) -> String {
    let headers: Vec<String> = r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(
        "{} {}\n{}\n\n{}",
        r.method,
        r.path,
        headers.join("\n"),
        r.body
    )
}

#[tokio::test]
async fn meta_door_request_and_receipt() {
    let (base, server) = Server::start(vec![ok(META_OK)]).await;
    let client = Client::builder(Door::meta("100000000000001", "demo-token"))
        .base_url(&base)
        .build()
        .unwrap();
    let receipt = client.send(&spm()).await.unwrap();
    assert_eq!(receipt.message_id, "wamid.OK1");
    assert_eq!(receipt.wa_id.as_ref().unwrap(), "16505551234");
    assert_eq!(receipt.door, DoorKind::Meta);
    insta::assert_snapshot!(render(&server.seen()[0]));
}

#[tokio::test]
async fn dialog360_door_request_and_receipt() {
    let (base, server) = Server::start(vec![ok(META_OK)]).await;
    let client = Client::builder(Door::dialog360("demo-360-key"))
        .base_url(&base)
        .build()
        .unwrap();
    let receipt = client.send(&spm()).await.unwrap();
    assert_eq!(
        (receipt.message_id.as_str(), receipt.door),
        ("wamid.OK1", DoorKind::Dialog360)
    );
    insta::assert_snapshot!(render(&server.seen()[0]));
}

#[tokio::test]
async fn kaleyra_door_request_and_receipt() {
    let (base, server) =
        Server::start(vec![(202, vec![], KALEYRA_OK.into(), Duration::ZERO)]).await;
    let door = Door::kaleyra(
        KaleyraPod::In,
        "HXDEMO0000000IN",
        "demo-kaleyra-key",
        "15550001111",
    );
    let client = Client::builder(door)
        .base_url(&base)
        .kaleyra_callback_profile("status-post")
        .build()
        .unwrap();
    let receipt = client.send(&spm()).await.unwrap();
    assert_eq!(
        (
            receipt.message_id.as_str(),
            receipt.wa_id.clone(),
            receipt.door
        ),
        ("wamid.K1", None, DoorKind::Kaleyra)
    );
    insta::assert_snapshot!(render(&server.seen()[0]));
}

#[tokio::test]
async fn an_invalid_message_makes_no_request() {
    let (base, server) = Server::start(vec![ok(META_OK)]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .build()
        .unwrap();
    let bad = OutboundMessage::product_list("16505551234", "1", "", "b").build_unchecked();
    match client.send(&bad).await {
        Err(Error::Invalid(v)) => assert_eq!(v.as_slice().len(), 2, "{v}"),
        other => panic!("{other:?}"),
    }
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn refusals_are_typed_per_door() {
    let (base, _s) = Server::start(vec![answer(400, NOT_FOUND)]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(
        matches!(&e, Error::Graph { status: 400, error, .. } if error.code == 131009 && error.details() == Some("Products not found in FB Catalog"))
    );
    assert!(!e.is_retryable() && !e.may_have_been_sent());

    let (base, _s) = Server::start(vec![answer(
        401,
        r#"{"code":"RBC001","message":"Incorrect SID or API key.","error":{}}"#,
    )])
    .await;
    let client = Client::builder(Door::kaleyra(KaleyraPod::Sg, "X", "k", "1555"))
        .base_url(&base)
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(
        matches!(&e, Error::Kaleyra { status: 401, code, .. } if code == "RBC001"),
        "{e:?}"
    );
    assert_eq!(e.code().as_deref(), Some("RBC001"));

    let (base, _s) = Server::start(vec![answer(
        401,
        r#"{"meta":{"success":false,"http_code":401,"developer_message":"Invalid api key"}}"#,
    )])
    .await;
    let client = Client::builder(Door::dialog360("k"))
        .base_url(&base)
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(
        matches!(&e, Error::Dialog360 { status: 401, message, .. } if message == "Invalid api key"),
        "{e:?}"
    );

    let (base, s) = Server::start(vec![
        (
            502,
            vec![],
            "<html>bad gateway</html>".into(),
            Duration::ZERO,
        ),
        ok(META_OK),
    ])
    .await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .build()
        .unwrap();
    assert!(client.send(&spm()).await.is_ok(), "a 502 is retried");
    assert_eq!(s.seen().len(), 2);
}

#[tokio::test]
async fn throttling_is_retried_until_it_succeeds() {
    let throttled = (
        429,
        vec![("retry-after", "0")],
        THROTTLED.to_owned(),
        Duration::ZERO,
    );
    let (base, server) = Server::start(vec![throttled.clone(), throttled, ok(META_OK)]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .build()
        .unwrap();
    assert_eq!(client.send(&spm()).await.unwrap().message_id, "wamid.OK1");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter().all(|r| r.body == seen[0].body),
        "the same bytes each time"
    );
}

#[tokio::test]
async fn retries_stop_when_off_or_spent() {
    let (base, server) = Server::start(vec![answer(429, THROTTLED); 5]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(server.seen().len(), 1);
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .build()
        .unwrap();
    client.send(&spm()).await.unwrap_err();
    assert_eq!(server.seen().len(), 5, "1 + 4 attempts");
}

#[tokio::test]
async fn a_refused_connection_is_retryable_and_nothing_was_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e:?}");
    assert!(e.is_retryable() && !e.may_have_been_sent());
}

#[tokio::test]
async fn a_timeout_after_sending_is_never_retried() {
    let slow = (200, vec![], META_OK.to_owned(), Duration::from_secs(5));
    let (base, server) = Server::start(vec![slow.clone(), slow]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .retry(quick_retries())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.may_have_been_sent() && !e.is_retryable());
    assert_eq!(
        server.seen().len(),
        1,
        "a message that may have gone out is not sent twice"
    );
}

#[tokio::test]
async fn an_unreadable_success_may_have_been_sent() {
    let (base, _s) = Server::start(vec![ok("not json")]).await;
    let client = Client::builder(Door::meta("1", "t"))
        .base_url(&base)
        .build()
        .unwrap();
    let e = client.send(&spm()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }) && e.may_have_been_sent() && !e.is_retryable());
}

#[tokio::test]
async fn catalog_and_settings_calls() {
    let (base, server) = Server::start(vec![
        ok(r#"{"handles":["AcxYz"]}"#),
        ok(r#"{"data":[{"is_cart_enabled":true,"is_catalog_visible":false,"id":"527759822865714"}]}"#),
        ok(r#"{"success":true}"#),
    ])
    .await;
    let client = Client::builder(Door::meta("100000000000001", "t"))
        .graph_version("v24.0")
        .base_url(&base)
        .build()
        .unwrap();
    let mut data = serde_json::Map::new();
    data.insert("id".into(), "sku-1".into());
    data.insert("price".into(), "9.99 USD".into());
    let batch = ItemsBatchRequest::products(vec![BatchRequest::new(BatchMethod::Update, data)]);
    let r = client
        .items_batch(&"300000000000001".into(), &batch)
        .await
        .unwrap();
    assert_eq!(r.handles, ["AcxYz"]);
    let settings = client.commerce_settings().await.unwrap();
    assert!(settings.is_cart_enabled && !settings.is_catalog_visible);
    client
        .update_commerce_settings(None, Some(true))
        .await
        .unwrap();
    let seen: Vec<String> = server
        .seen()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.body))
        .collect();
    insta::assert_snapshot!(seen.join("\n"));
    let other = Client::builder(Door::dialog360("k"))
        .base_url(&base)
        .build()
        .unwrap();
    assert!(matches!(
        other.commerce_settings().await,
        Err(Error::Unsupported { .. })
    ));
}
