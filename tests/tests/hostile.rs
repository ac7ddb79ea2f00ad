//! Hostile requests, each answered in its door's error shape with the right code and status:
//! never a bare 500, never a panic, and nothing accepted is lost.

use serde_json::Value;
use wacart_sandbox::Config;
use wacart_server::demo;
use wacart_tests::start_server;

const SEND: &str = "/v23.0/100000000000001/messages";
const KALEYRA: &str = "/v2/HXDEMO0000000IN/whatsapp/+15550001111/messages";
const GOOD: &str =
    r#"{"messaging_product":"whatsapp","to":"15551230001","type":"text","text":{"body":"hi"}}"#;

enum Expect {
    /// Graph error object with this code.
    Graph(u32),
    /// 360dialog's envelope.
    D360,
    /// Kaleyra's envelope with this code.
    Kaleyra(&'static str),
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
    status: u16,
    expect: Expect,
}

fn case(
    name: &'static str,
    method: &'static str,
    path: &str,
    headers: &[(&'static str, &'static str)],
    body: &[u8],
    status: u16,
    expect: Expect,
) -> Case {
    Case {
        name,
        method,
        path: path.to_owned(),
        headers: headers.to_vec(),
        body: body.to_vec(),
        status,
        expect,
    }
}

const META: &[(&str, &str)] = &[
    ("authorization", "Bearer demo-token"),
    ("content-type", "application/json"),
];
const D360: &[(&str, &str)] = &[
    ("d360-api-key", "demo-360-key"),
    ("content-type", "application/json"),
];
const KAL: &[(&str, &str)] = &[
    ("api-key", "demo-kaleyra-key"),
    ("content-type", "application/json"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_the_doors_error_shape() {
    let server = start_server(Config::default(), None).await;
    let huge = format!(
        r#"{{"messaging_product":"whatsapp","to":"15551230001","type":"text","text":{{"body":"{}"}}}}"#,
        "x".repeat(300_000)
    );
    let many = format!(
        r#"{{"messaging_object":{{"to":"{}","text":{{"body":"hi"}}}}}}"#,
        (0..51)
            .map(|i| format!("1555123{i:04}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases = vec![
        case("no token", "POST", SEND, &[("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::Graph(190)),
        case("wrong token", "POST", SEND, &[("authorization", "Bearer nope"), ("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::Graph(190)),
        case("not a bearer", "POST", SEND, &[("authorization", "Basic ZGVtbw=="), ("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::Graph(190)),
        case("broken JSON", "POST", SEND, META, b"{\"messaging_product\": ", 400, Expect::Graph(100)),
        case("invalid UTF-8", "POST", SEND, META, b"{\"to\":\"\xff\xfe\"}", 400, Expect::Graph(100)),
        case("deep nesting", "POST", SEND, META, deep.as_bytes(), 400, Expect::Graph(100)),
        case("wrong type", "POST", SEND, META, br#"{"messaging_product":"whatsapp","to":15551230001,"type":"text","text":{"body":"hi"}}"#, 400, Expect::Graph(100)),
        case("unknown field", "POST", SEND, META, br#"{"messaging_product":"whatsapp","to":"15551230001","type":"text","text":{"body":"hi"},"priority":1}"#, 400, Expect::Graph(100)),
        case("missing field", "POST", SEND, META, br#"{"messaging_product":"whatsapp","type":"text","text":{"body":"hi"}}"#, 400, Expect::Graph(131008)),
        case("JSON array", "POST", SEND, META, b"[]", 400, Expect::Graph(100)),
        case("wrong content type", "POST", SEND, &[("authorization", "Bearer demo-token"), ("content-type", "text/plain")], GOOD.as_bytes(), 400, Expect::Graph(100)),
        case("huge body", "POST", SEND, META, huge.as_bytes(), 413, Expect::Graph(100)),
        case("unknown phone number id", "POST", "/v23.0/999/messages", META, GOOD.as_bytes(), 400, Expect::Graph(100)),
        case("not a version", "POST", "/latest/100000000000001/messages", META, GOOD.as_bytes(), 400, Expect::Graph(100)),
        case("unknown product", "POST", SEND, META, br#"{"messaging_product":"whatsapp","to":"15551230001","type":"interactive","interactive":{"type":"product","action":{"catalog_id":"300000000000001","product_retailer_id":"nope"}}}"#, 400, Expect::Graph(131009)),
        case("catalog not linked", "POST", SEND, META, br#"{"messaging_product":"whatsapp","to":"15551230001","type":"interactive","interactive":{"type":"product","action":{"catalog_id":"999","product_retailer_id":"kale"}}}"#, 400, Expect::Graph(131009)),
        case("unknown route", "GET", "/v23.0/nothing/here/at/all", META, b"", 404, Expect::Graph(100)),
        case("360 no key", "POST", "/messages", &[("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::D360),
        case("360 broken JSON", "POST", "/messages", D360, b"{", 400, Expect::Graph(100)),
        case("kaleyra wrong key", "POST", KALEYRA, &[("api-key", "nope"), ("content-type", "application/json")], b"{}", 401, Expect::Kaleyra("RBC001")),
        case("kaleyra wrong number", "POST", "/v2/HXDEMO0000000IN/whatsapp/+19999999999/messages", KAL, b"{}", 401, Expect::Kaleyra("WA401")),
        case("kaleyra bad payload", "POST", KALEYRA, KAL, br#"{"messaging_object":{"to":"x"}}"#, 400, Expect::Kaleyra("WA400")),
        case("kaleyra not JSON", "POST", KALEYRA, KAL, b"<xml/>", 400, Expect::Kaleyra("WA400")),
        case("settings bad value", "POST", "/v23.0/100000000000001/whatsapp_commerce_settings?is_cart_enabled=maybe", META, b"", 400, Expect::Graph(100)),
        case("batch not a batch", "POST", "/v23.0/300000000000001/items_batch", META, br#"{"requests":"all"}"#, 400, Expect::Graph(100)),
        case("batch foreign catalog", "POST", "/v23.0/123/items_batch", META, br#"{"item_type":"PRODUCT_ITEM","requests":[]}"#, 400, Expect::Graph(100)),
        case("cart over 99", "PUT", "/sandbox/customers/15551230001/devices/phone/carts/100000000000001/items/kale", &[("content-type", "application/json")], br#"{"quantity":100}"#, 400, Expect::Graph(131009)),
        case("cart bad quantity", "PUT", "/sandbox/customers/15551230001/devices/phone/carts/100000000000001/items/kale", &[], br#"{"quantity":-1}"#, 400, Expect::Graph(100)),
        case("cart unknown customer", "GET", "/sandbox/customers/19990000000/devices/phone/carts/100000000000001", &[], b"", 404, Expect::Graph(100)),
        case("customer not a number", "POST", "/sandbox/customers/alice/messages", &[], br#"{"phone_number_id":"100000000000001","text":"hi"}"#, 400, Expect::Graph(131009)),
        case("empty cart send", "POST", "/sandbox/customers/15551230002/devices/phone/carts/100000000000001/send", &[], b"{}", 409, Expect::Graph(131009)),
        case("cart of an unknown number", "GET", "/sandbox/customers/15551230001/devices/phone/carts/999", &[], b"", 404, Expect::Graph(100)),
        case("cart of an unknown device", "GET", "/sandbox/customers/15551230001/devices/tablet/carts/100000000000001", &[], b"", 404, Expect::Graph(100)),
        case("tap on a message that is not there", "POST", "/sandbox/customers/15551230001/messages/wamid.nope/tap", &[], br#"{"id":"x"}"#, 404, Expect::Graph(100)),
        case("read receipt for an unknown message", "POST", SEND, META, br#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.nope"}"#, 400, Expect::Graph(131009)),
        case("read receipt with another status", "POST", SEND, META, br#"{"messaging_product":"whatsapp","status":"delivered","message_id":"wamid.nope"}"#, 400, Expect::Graph(100)),
        case("recipient that is not a BSUID", "POST", SEND, META, br#"{"messaging_product":"whatsapp","recipient":"15551230001","text":{"body":"hi"}}"#, 400, Expect::Graph(131009)),
        case("username against Meta's rules", "PUT", "/sandbox/customers/15551230001", &[], br#"{"username":"www.shop"}"#, 400, Expect::Graph(100)),
        case("wrong method", "GET", SEND, META, b"", 405, Expect::Graph(100)),
        case("empty bearer", "POST", SEND, &[("authorization", "Bearer "), ("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::Graph(190)),
        case("360 empty key", "POST", "/messages", &[("d360-api-key", " "), ("content-type", "application/json")], GOOD.as_bytes(), 401, Expect::D360),
        case("kaleyra too many recipients", "POST", KALEYRA, KAL, many.as_bytes(), 400, Expect::Kaleyra("WA400")),
        case("feed to an unknown catalog", "POST", "/sandbox/catalogs/999/feed", &[], b"id,title\n", 404, Expect::Graph(100)),
        case("deliveries bad state", "GET", "/sandbox/webhooks/deliveries?state=lost", &[], b"", 400, Expect::Graph(100)),
        case("products bad limit", "GET", "/v23.0/300000000000001/products?limit=all", META, b"", 400, Expect::Graph(100)),
        case("redeliver unknown", "POST", "/sandbox/webhooks/deliveries/424242/redeliver", &[], b"", 404, Expect::Graph(100)),
        case("cart item as an array", "PUT", "/sandbox/customers/15551230001/devices/phone/carts/100000000000001/items/kale", &[("content-type", "application/json")], b"[7]", 400, Expect::Graph(100)),
        case("customer message as an array", "POST", "/sandbox/customers/15551230001/messages", &[("content-type", "application/json")], br#"["100000000000001","hi"]"#, 400, Expect::Graph(100)),
        case("cart send as an array", "POST", "/sandbox/customers/15551230002/devices/phone/carts/100000000000001/send", &[], b"[]", 400, Expect::Graph(100)),
        case("device as an array", "PUT", "/sandbox/customers/15551230001/devices/phone", &[], br#"["2.24"]"#, 400, Expect::Graph(100)),
        case("batch as an array", "POST", "/v23.0/300000000000001/items_batch", META, br#"["PRODUCT_ITEM",[]]"#, 400, Expect::Graph(100)),
        case("content type jsonx", "POST", SEND, &[("authorization", "Bearer demo-token"), ("content-type", "application/jsonx")], GOOD.as_bytes(), 400, Expect::Graph(100)),
        case("360 content type jsonx", "POST", "/messages", &[("d360-api-key", "demo-360-key"), ("content-type", "application/jsonx")], GOOD.as_bytes(), 400, Expect::Graph(100)),
        case("kaleyra content type jsonx", "POST", KALEYRA, &[("api-key", "demo-kaleyra-key"), ("content-type", "application/jsonx")], br#"{"messaging_object":{"to":"15551230001","text":{"body":"hi"}}}"#, 400, Expect::Kaleyra("WA400")),
        case("redeliver not an id", "POST", "/sandbox/webhooks/deliveries/x/redeliver", &[], b"", 400, Expect::Graph(100)),
    ];
    // A fresh connection per case: a refusal may close its connection (an unread body), and a
    // pooled one reused just then fails on the client's side, not the server's.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for c in &cases {
        let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
        let mut req = http
            .request(method, format!("{}{}", server.base, c.path))
            .body(c.body.clone());
        for (k, v) in &c.headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null);
        let shape_ok = match c.expect {
            Expect::Graph(code) => {
                body["error"]["code"] == code
                    && body["error"]["message"].is_string()
                    && body["error"]["fbtrace_id"].is_string()
            }
            Expect::D360 => body["meta"]["success"] == false && body["meta"]["http_code"] == status,
            Expect::Kaleyra(code) => body["code"] == code && body["message"].is_string(),
        };
        if status != c.status || !shape_ok {
            failures.push(format!("{}: got {status} {body}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing accepted was lost, and the server still works.
    let ok = http
        .post(format!("{}{SEND}", server.base))
        .header("authorization", format!("Bearer {}", demo::TOKEN))
        .header("content-type", "application/json")
        .body(GOOD)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}
