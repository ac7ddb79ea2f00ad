//! Every refusal Kaleyra's WhatsApp Message API V2 page lists, byte for byte: RBC001, WA401,
//! WA400, WA500, E110 and both WA-401 (docs/providers.md §2), and the validation differences
//! of Kaleyra's door (`messaging_product` mandatory, individual recipients only, the business
//! number with or without `+`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use wacart_sandbox::{
    Config, Delivery, DeliveryState, Durable, Effect, EntryRow, MemoryStore, Opened, Sandbox,
    SharedSandbox, Store, StoreError,
};
use wacart_schema::{MessageId, PhoneNumberId, WaId};
use wacart_server::{AppState, SystemClock, WorkerConfig, demo};
use wacart_tests::start_server;

const PATH: &str = "/v2/HXDEMO0000000IN/whatsapp/15550001111/messages";

fn text(to: &str) -> Value {
    json!({"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "individual",
        "to": to, "type": "text", "text": {"body": "Your order is on its way"}},
        "extra_info": {"ref": "order-7"}})
}

async fn post(base: &str, path: &str, key: &str, body: &Value) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("api-key", key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn put(base: &str, path: &str, body: Value) {
    let r = reqwest::Client::new()
        .put(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "{path}: {}",
        r.text().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_refusal_byte_for_byte() {
    let server = start_server(Config::default(), None).await;
    let base = &server.base;
    let key = demo::KALEYRA_KEY;
    // The customer writes first, so sends are accepted when nothing else refuses them.
    let r = reqwest::Client::new()
        .post(format!("{base}/sandbox/customers/15551230001/messages"))
        .header("content-type", "application/json")
        .body(json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": "hi"}).to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let mut table: Vec<(&str, u16, String, String)> = Vec::new();
    let (s, b) = post(base, PATH, "wrong-key", &text("15551230001")).await;
    table.push((
        "RBC001",
        s,
        b,
        r#"{"code":"RBC001","message":"Incorrect SID or API key.","data":{},"error":{}}"#.into(),
    ));
    let (s, b) = post(
        base,
        "/v2/HXDEMO0000000IN/whatsapp/19999999999/messages",
        key,
        &text("15551230001"),
    )
    .await;
    table.push(("WA401", s, b, r#"{"code":"WA401","message":"Phone number is not present or does not belong to the account.","data":{},"error":{}}"#.into()));
    let mut no_product = text("15551230001");
    no_product["messaging_object"]
        .as_object_mut()
        .unwrap()
        .remove("messaging_product");
    let (s, b) = post(base, PATH, key, &no_product).await;
    table.push(("WA400", s, b, r#"{"code":"WA400","message":"Refer to correct payload format.","data":{},"error":{"details":{"code":131008,"details":"messaging_object.messaging_product: 131008: required"}}}"#.into()));
    let mut group = text("15551230001");
    group["messaging_object"]["recipient_type"] = json!("group");
    let (s, b) = post(base, PATH, key, &group).await;
    table.push(("WA400 group", s, b, r#"{"code":"WA400","message":"Refer to correct payload format.","data":{},"error":{"details":{"code":131009,"details":"messaging_object.recipient_type: 131009: must be \"individual\" on Kaleyra's door, not \"group\""}}}"#.into()));

    // E110: a prepaid account whose balance does not pay the price.
    put(
        base,
        "/sandbox/kaleyra/HXDEMO0000000IN",
        json!({"billing": "prepaid", "balance": "0.50", "price": "0.40"}),
    )
    .await;
    let (s, _) = post(base, PATH, key, &text("15551230001")).await;
    assert_eq!(s, 202, "0.50 pays one message at 0.40");
    let (s, b) = post(base, PATH, key, &text("15551230001")).await;
    table.push(("E110", s, b, r#"{"code":"E110","message":"Please check your balance, You have a low balance!","data":{},"error":{}}"#.into()));
    // Postpaid is never refused for balance.
    put(
        base,
        "/sandbox/kaleyra/HXDEMO0000000IN",
        json!({"billing": "postpaid", "balance": "0", "price": "0.40"}),
    )
    .await;
    let (s, _) = post(base, PATH, key, &text("15551230001")).await;
    assert_eq!(s, 202);

    // WA-401: the account type has no API access.
    put(
        base,
        "/sandbox/kaleyra/HXDEMO0000000IN",
        json!({"api_access": false}),
    )
    .await;
    let (s, b) = post(base, PATH, key, &text("15551230001")).await;
    table.push(("WA-401 account type", s, b, r#"{"code":"WA-401","message":"API is not available for given customer. Please contact support for more info.","data":{},"error":{}}"#.into()));
    put(base, "/sandbox/kaleyra/HXDEMO0000000IN", json!({})).await;
    // WA-401: the number is registered on another version of the API.
    put(
        base,
        &format!(
            "/sandbox/kaleyra/HXDEMO0000000IN/numbers/{}",
            demo::PHONE_NUMBER_ID
        ),
        json!({"api_version": "v1"}),
    )
    .await;
    let (s, b) = post(base, PATH, key, &text("15551230001")).await;
    table.push(("WA-401 version", s, b, r#"{"code":"WA-401","message":"The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint.","data":{},"error":{}}"#.into()));
    put(
        base,
        &format!(
            "/sandbox/kaleyra/HXDEMO0000000IN/numbers/{}",
            demo::PHONE_NUMBER_ID
        ),
        json!({}),
    )
    .await;

    let expected_status = |name: &str| match name {
        n if n.starts_with("WA400") || n == "E110" => 400,
        _ => 401,
    };
    for (name, status, body, expected) in &table {
        assert_eq!(*status, expected_status(name), "{name}: {body}");
        assert_eq!(body, expected, "{name}");
    }

    // The business number with or without `+`; the answer is Kaleyra's 202.
    for path in [PATH, "/v2/HXDEMO0000000IN/whatsapp/+15550001111/messages"] {
        let (s, b) = post(base, path, key, &text("15551230001")).await;
        assert_eq!(s, 202, "{path}: {b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(
            (v["code"].as_str(), v["message"].as_str()),
            (Some("WA202"), Some("Request Accepted."))
        );
    }
}

/// A memory store that fails every write once told to.
struct Failing {
    inner: MemoryStore,
    fail: Arc<AtomicBool>,
}

impl Failing {
    fn check(&self) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            Err(StoreError::Database("disk full".into()))
        } else {
            Ok(())
        }
    }
}

impl Store for Failing {
    fn open(&self) -> Result<Opened, StoreError> {
        self.inner.open()
    }
    fn append(&self, record: Vec<u8>, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.append(record, effects)
    }
    fn apply(&self, effects: Vec<Effect>) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.apply(effects)
    }
    fn appended_seq(&self) -> u64 {
        self.inner.appended_seq()
    }
    fn checkpoint(&self, seq: u64, state: Vec<u8>) -> Result<u64, StoreError> {
        self.inner.checkpoint(seq, state)
    }
    fn prune(&self, before: u64) -> Result<u64, StoreError> {
        self.inner.prune(before)
    }
    fn durable(&self, ticket: u64) -> Durable {
        self.inner.durable(ticket)
    }
    fn flush(&self) -> Result<(), StoreError> {
        self.inner.flush()
    }
    fn thread(
        &self,
        number: &PhoneNumberId,
        wa_id: &WaId,
        before: u64,
        limit: usize,
    ) -> Result<Vec<EntryRow>, StoreError> {
        self.inner.thread(number, wa_id, before, limit)
    }
    fn entry(&self, id: &MessageId) -> Result<Option<EntryRow>, StoreError> {
        self.inner.entry(id)
    }
    fn deliveries(
        &self,
        after: u64,
        limit: usize,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.inner.deliveries(after, limit, state)
    }
    fn delivery(&self, id: u64) -> Result<Option<Delivery>, StoreError> {
        self.inner.delivery(id)
    }
    fn due(&self, now: u64, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.due(now, limit)
    }
    fn log_len(&self) -> u64 {
        self.inner.log_len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_store_is_wa500() {
    let fail = Arc::new(AtomicBool::new(false));
    let store = Arc::new(Failing {
        inner: MemoryStore::new(),
        fail: fail.clone(),
    });
    let sandbox = Sandbox::open(store, Arc::new(SystemClock), Config::default()).unwrap();
    let shared = Arc::new(SharedSandbox::new(sandbox));
    demo::create(&shared).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(wacart_server::run(
        listener,
        AppState::new(shared),
        WorkerConfig::default(),
        async move {
            let _ = rx.await;
        },
    ));
    fail.store(true, Ordering::SeqCst);
    let (s, b) = post(&base, PATH, demo::KALEYRA_KEY, &text("15551230001")).await;
    assert_eq!(s, 500, "{b}");
    assert_eq!(
        b,
        r#"{"code":"WA500","message":"Please try again later.","data":{},"error":{"details":{"code":131016,"details":"the sandbox's store failed; retry later"}}}"#
    );
    let _ = tx.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_refused_after_others_were_accepted_is_not_sent() {
    let server = start_server(Config::default(), None).await;
    let base = &server.base;
    put(base, "/sandbox/kaleyra/HXDEMO0000000IN/callback-profiles/status",
        json!({"method": "POST", "url": "http://127.0.0.1:9/status",
               "body": {"id": "<id>", "status": "<status>", "mobile": "<mobile>", "error_code": "<error_code>",
                        "error": "<error>", "ref": "<ref>"}})).await;
    put(
        base,
        "/sandbox/kaleyra/HXDEMO0000000IN",
        json!({"billing": "prepaid", "balance": "0.40", "price": "0.40"}),
    )
    .await;
    let mut both = text("15551230001,15551230002");
    both["callback_profile_id"] = json!("status");
    let (s, b) = post(base, PATH, demo::KALEYRA_KEY, &both).await;
    assert_eq!(s, 202, "{b}");
    let answer: Value = serde_json::from_str(&b).unwrap();
    let failed = &answer["error"]["failed"][0];
    assert_eq!(
        (&failed["to"], &failed["status"], &failed["code"]),
        (&json!("15551230002"), &json!(400), &json!("E110"))
    );
    let id = failed["message_id"].as_str().unwrap().to_owned();
    let log: Value = reqwest::get(format!("{base}/sandbox/webhooks/deliveries"))
        .await
        .unwrap()
        .json_body()
        .await;
    let not_sent: Vec<Value> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("target").is_some())
        .map(|d| serde_json::from_str(d["body"].as_str().unwrap()).unwrap())
        .filter(|b: &Value| b["status"] == "not-sent")
        .collect();
    assert_eq!(
        not_sent,
        [
            json!({"id": id, "status": "not-sent", "mobile": "15551230002", "error_code": "E110",
                "error": "Please check your balance, You have a low balance!", "ref": "order-7"})
        ]
    );
}

trait JsonBody {
    async fn json_body(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}
