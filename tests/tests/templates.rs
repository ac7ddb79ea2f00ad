//! Templates end to end, over real sockets: every commerce template created through the API
//! (Meta's door and 360dialog's), approved on the sandbox's clock with a signed
//! `message_template_status_update` webhook, sent after the customer's window has closed
//! through the three doors, priced on their statuses; the customer turns an MPM template and an
//! SPM template into orders. Every webhook is verified and parsed by `wacart-schema`. Then a
//! table of bad templates and bad sends, each with its exact Graph code: nothing half-created,
//! nothing half-sent.

use std::sync::Arc;

use serde_json::{Value, json};
use wacart_sandbox::{Clock, Config, ManualClock};
use wacart_schema::{
    CardBuilder, Category, Event, HeaderFormat, InboundContent, InboundMessage, MessageId,
    OutboundMessage, Parameter, RetailerId, Status, StatusKind, TemplateDefinition, TemplateStatus,
    WabaId,
};
use wacart_server::{SystemClock, demo};
use wacart_tests::{Received, Receiver, start_server_with_clock};
use wacart_transport::{Client, Door, Error, KaleyraPod, RetryPolicy, TemplateQuery};

const ALICE: &str = "15551230001";
const PRIYA: &str = "919876543210";
const HOUR: u64 = 3_600_000;

fn client(door: Door, base: &str) -> Client {
    Client::builder(door)
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn call(
    method: reqwest::Method,
    url: String,
    headers: &[(&str, &str)],
    body: Value,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, &url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
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

fn graph_code(e: &Error) -> u32 {
    match e {
        Error::Graph { error, .. } => error.code,
        other => panic!("expected a Graph error, got {other}"),
    }
}

/// Every template status update that arrived: (event, name).
fn approvals(r: &Received) -> Vec<(String, String)> {
    r.payloads
        .iter()
        .flat_map(|p| p.template_status_updates())
        .map(|u| (u.event.as_str().to_owned(), u.message_template_name))
        .collect()
}

fn statuses(r: &Received) -> Vec<Status> {
    r.payloads
        .iter()
        .flat_map(|p| {
            p.events()
                .filter_map(|e| match e {
                    Event::Status { status, .. } => Some(status.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn messages(r: &Received) -> Vec<InboundMessage> {
    r.payloads
        .iter()
        .flat_map(|p| {
            p.events()
                .filter_map(|e| match e {
                    Event::Message { message, .. } => Some(message.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn status_of(receiver: &Receiver, id: &MessageId, kind: StatusKind) -> Status {
    let find = |r: &Received| {
        statuses(r)
            .into_iter()
            .find(|s| s.id == *id && s.status == kind)
    };
    receiver
        .wait_for(&format!("{kind:?} of {id}"), |r| find(r).is_some())
        .await;
    receiver.with(|r| find(r).expect("arrived"))
}

async fn inbound(receiver: &Receiver, id: &str) -> InboundMessage {
    let find = |r: &Received| messages(r).into_iter().find(|m| m.id == id);
    receiver.wait_for(id, |r| find(r).is_some()).await;
    receiver.with(|r| find(r).expect("arrived"))
}

fn definitions() -> Vec<TemplateDefinition> {
    vec![
        TemplateDefinition::catalog(
            "intro_catalog_offer",
            "en_US",
            "Shop our fruit on WhatsApp! Get {{1}} off orders over {{2}}.",
        )
        .body_examples(["$1", "$10"])
        .footer("Best fruit deals")
        .build()
        .unwrap(),
        TemplateDefinition::multi_product(
            "abandoned_cart",
            "en_US",
            "Forget something {{1}}?",
            "Use code {{1}} for 10% off!",
        )
        .header_example("Pablo")
        .body_examples(["10OFF"])
        .build()
        .unwrap(),
        TemplateDefinition::single_product("pear_back", "en_US", "Pears are back, {{1}}!")
            .body_examples(["Pablo"])
            .build()
            .unwrap(),
        TemplateDefinition::product_carousel("weekly_picks", "en_US", "This week's picks", 3)
            .build()
            .unwrap(),
        TemplateDefinition::media_carousel(
            "new_looks",
            "en_US",
            "New baskets",
            (0..2).map(|i| {
                (
                    format!("4::aW1h{i}"),
                    format!("Basket {}", i + 1),
                    vec![],
                    vec!["Tell me more".to_owned()],
                )
            }),
        )
        .build()
        .unwrap(),
        TemplateDefinition::checkout("buy_now", "en_US", "4::aW1h", "Back in stock, {{1}}!")
            .body_examples(["Priya"])
            .quick_reply("Not now")
            .build()
            .unwrap(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_commerce_template_from_creation_to_the_order_it_brings_back() {
    let receiver = Receiver::start().await;
    let clock = ManualClock::new(SystemClock.now_millis());
    let server = start_server_with_clock(
        Config::default(),
        Some(&receiver.url),
        Arc::new(clock.clone()),
    )
    .await;
    let base = server.base.as_str();
    let waba = WabaId::new(demo::WABA_ID);
    let meta = client(Door::meta(demo::PHONE_NUMBER_ID, demo::TOKEN), base);
    let d360 = client(Door::dialog360(demo::D360_KEY), base);
    let kaleyra = client(
        Door::kaleyra(
            KaleyraPod::In,
            demo::KALEYRA_SID,
            demo::KALEYRA_KEY,
            demo::DISPLAY_NUMBER,
        ),
        base,
    );
    let customer = |path: &str| format!("{base}/sandbox/customers/{ALICE}{path}");
    let post = reqwest::Method::POST;

    // The customer wrote once, long ago.
    let (s, _) = call(
        post.clone(),
        customer("/messages"),
        &[],
        json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": "Hi!"}),
    )
    .await;
    assert_eq!(s, 200);

    // 1. Every commerce template, through Meta's door (the MPM through 360dialog's).
    let mut ids = Vec::new();
    for def in definitions() {
        let door = if def.name == "abandoned_cart" {
            &d360
        } else {
            &meta
        };
        let created = door.create_template(&waba, &def).await.unwrap();
        assert_eq!(created.status, "PENDING", "{}", def.name);
        ids.push(created.id);
    }
    // Kaleyra's template API is not covered.
    assert!(matches!(
        kaleyra.create_template(&waba, &definitions()[0]).await,
        Err(Error::Unsupported { .. })
    ));
    let page = meta
        .list_templates(&waba, &TemplateQuery::new().status("PENDING").limit(4))
        .await
        .unwrap();
    assert_eq!(page.templates.len(), 4);
    let rest = meta
        .list_templates(
            &waba,
            &TemplateQuery::new()
                .status("PENDING")
                .after(page.next.clone().expect("a next page")),
        )
        .await
        .unwrap();
    assert_eq!((rest.templates.len(), rest.next), (2, None));

    // 2. The review passes on the sandbox's clock: one signed APPROVED webhook each.
    clock.advance(3_000);
    receiver
        .wait_for("six approvals", |r| approvals(r).len() == 6)
        .await;
    assert!(receiver.with(|r| approvals(r).iter().all(|(e, _)| e == "APPROVED")));
    assert_eq!(receiver.with(|r| r.bad_signatures), 0);
    let (s, t) = call(
        reqwest::Method::GET,
        format!("{base}/v23.0/{}?fields=name,status", ids[1]),
        &[("authorization", "Bearer demo-token")],
        Value::Null,
    )
    .await;
    assert_eq!(
        (s, &t["status"], &t["name"]),
        (200, &json!("APPROVED"), &json!("abandoned_cart"))
    );

    // 3. The customer's window closes: a product message fails with 131047, templates go out.
    clock.advance(25 * HOUR);
    let spm = OutboundMessage::product(ALICE, demo::CATALOG_ID, "pear-1kg")
        .build()
        .unwrap();
    let late = meta.send(&spm).await.unwrap();
    let failed = status_of(&receiver, &late.message_id, StatusKind::Failed).await;
    assert_eq!(failed.errors[0].code, 131_047);

    let catalog_msg = OutboundMessage::template(ALICE, "intro_catalog_offer", "en_US")
        .body([Parameter::text("$1"), Parameter::text("$10")])
        .catalog_button(0, Some(RetailerId::new("apple-1kg")))
        .build()
        .unwrap();
    let mpm_msg = OutboundMessage::template(ALICE, "abandoned_cart", "en_US")
        .header(Parameter::text("Alice"))
        .body([Parameter::text("10OFF")])
        .mpm_button(
            0,
            "pear-1kg",
            [
                ("Fruit", vec!["pear-1kg", "apple-1kg"]),
                ("More", vec!["banana-bunch"]),
            ],
        )
        .build()
        .unwrap();
    let spm_msg = OutboundMessage::template(ALICE, "pear_back", "en_US")
        .product(demo::CATALOG_ID, "pear-1kg")
        .body([Parameter::text("Alice")])
        .build()
        .unwrap();
    let carousel_msg = OutboundMessage::template(ALICE, "weekly_picks", "en_US")
        .carousel(
            ["apple-1kg", "pear-1kg", "banana-bunch"]
                .map(|id| CardBuilder::product(demo::CATALOG_ID, id)),
        )
        .build()
        .unwrap();
    let media_msg = OutboundMessage::template(ALICE, "new_looks", "en_US")
        .carousel((0..2).map(|i| {
            CardBuilder::media(Parameter::image_link(format!(
                "https://cdn.example/b{i}.jpg"
            )))
            .quick_reply(0, format!("basket-{i}"))
        }))
        .build()
        .unwrap();
    let checkout = |to: &str| {
        OutboundMessage::template(to, "buy_now", "en_US")
            .header(Parameter::image_link("https://cdn.example/pear.jpg"))
            .body([Parameter::text("Priya")])
            .order_details(0, json!({"reference_id": "ord-1", "type": "physical-goods", "currency": "INR",
                "total_amount": {"value": 41900, "offset": 100}, "order": {"status": "pending", "items": []}}))
            .build()
            .unwrap()
    };
    let sent = [
        meta.send(&catalog_msg).await.unwrap().message_id,
        d360.send(&mpm_msg).await.unwrap().message_id,
        kaleyra.send(&spm_msg).await.unwrap().message_id,
        meta.send(&carousel_msg).await.unwrap().message_id,
        meta.send(&media_msg).await.unwrap().message_id,
        meta.send(&checkout(PRIYA)).await.unwrap().message_id,
    ];
    // The checkout button template reaches +91 customers only.
    let refused = meta.send(&checkout(ALICE)).await.unwrap_err();
    assert_eq!(graph_code(&refused), 131_009);

    // 4. Each is sent and delivered, priced as a marketing message.
    clock.advance(2_000);
    for id in &sent {
        for kind in [StatusKind::Sent, StatusKind::Delivered] {
            let s = status_of(&receiver, id, kind).await;
            let p = s.pricing.expect("pricing on every status");
            assert_eq!(
                (
                    p.billable,
                    p.pricing_model.as_deref(),
                    p.kind.as_deref(),
                    p.category.as_deref()
                ),
                (Some(true), Some("PMP"), Some("regular"), Some("marketing")),
                "{id}"
            );
        }
    }

    // 5. The customer opens the thread: the templates with their products, current details.
    let (s, thread) = call(
        reqwest::Method::GET,
        customer(&format!("/threads/{}", demo::PHONE_NUMBER_ID)),
        &[],
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    let view = |id: &MessageId| {
        thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == json!(id.as_str()))
            .unwrap()
            .clone()
    };
    let mpm_view = view(&sent[1]);
    assert_eq!(mpm_view["type"], "template");
    assert_eq!(mpm_view["template"]["header"], "Forget something Alice?");
    assert_eq!(
        mpm_view["sections"][1]["products"][0]["retailer_id"],
        "banana-bunch"
    );
    assert_eq!(
        view(&sent[2])["sections"][0]["products"][0]["sale_price"],
        "3.79"
    );
    assert_eq!(
        view(&sent[3])["template"]["cards"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        view(&sent[0])["text"],
        "Shop our fruit on WhatsApp! Get $1 off orders over $10."
    );

    // Opening: the MPM template's items, a product card's product, the catalog template's
    // catalog, and a catalog link in a text.
    let open = |id: &MessageId, card: &str| customer(&format!("/messages/{id}/open{card}"));
    let (s, items) = call(reqwest::Method::GET, open(&sent[1], ""), &[], Value::Null).await;
    assert_eq!(
        (s, items["sections"].as_array().map(Vec::len)),
        (200, Some(2))
    );
    let (_, card) = call(
        reqwest::Method::GET,
        open(&sent[3], "?card_index=2"),
        &[],
        Value::Null,
    )
    .await;
    assert_eq!(
        card["sections"][0]["products"][0]["retailer_id"],
        "banana-bunch"
    );
    let (_, whole) = call(reqwest::Method::GET, open(&sent[0], ""), &[], Value::Null).await;
    assert!(whole["sections"][0]["products"].as_array().unwrap().len() > 3);
    let link = OutboundMessage::text(
        ALICE,
        format!(
            "Everything we sell: https://wa.me/c/{}",
            demo::DISPLAY_NUMBER
        ),
    )
    .preview_url(true)
    .build()
    .unwrap();
    let (s, _) = call(
        reqwest::Method::POST,
        customer("/messages"),
        &[],
        json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": "show me"}),
    )
    .await;
    assert_eq!(s, 200);
    let link = meta.send(&link).await.unwrap().message_id;
    let (_, opened) = call(reqwest::Method::GET, open(&link, ""), &[], Value::Null).await;
    assert!(
        opened["notice"].is_null() && opened["sections"].is_array(),
        "{opened}"
    );

    // A tap on a media card's quick reply: the `button` webhook, with the send's payload.
    let (s, tapped) = call(
        post.clone(),
        customer(&format!("/messages/{}/tap", sent[4])),
        &[],
        json!({"id": "Tell me more"}),
    )
    .await;
    assert_eq!(s, 200);
    let tap = inbound(&receiver, tapped["id"].as_str().unwrap()).await;
    let InboundContent::Other { kind, body } = &tap.content else {
        panic!("{tap:?}")
    };
    assert_eq!(
        (kind.as_str(), body),
        (
            "button",
            &json!({"payload": "basket-0", "text": "Tell me more"})
        )
    );

    // 6. Orders from the MPM template and the SPM template.
    let mut orders = Vec::new();
    for (item, from) in [("banana-bunch", &sent[1]), ("pear-1kg", &sent[2])] {
        let (s, _) = call(
            reqwest::Method::PUT,
            customer(&format!(
                "/devices/phone/carts/{}/items/{item}",
                demo::PHONE_NUMBER_ID
            )),
            &[],
            json!({"quantity": 2, "from_message": from.as_str()}),
        )
        .await;
        assert_eq!(s, 200);
        let (s, order) = call(
            post.clone(),
            customer(&format!(
                "/devices/phone/carts/{}/send",
                demo::PHONE_NUMBER_ID
            )),
            &[],
            json!({}),
        )
        .await;
        assert_eq!(s, 200);
        let order = inbound(&receiver, order["id"].as_str().unwrap()).await;
        assert_eq!(
            order.context.as_ref().and_then(|c| c.id.as_ref()),
            Some(from)
        );
        let InboundContent::Order(o) = &order.content else {
            panic!()
        };
        assert_eq!(o.product_items[0].product_retailer_id.as_str(), item);
        orders.push(o.product_items[0].item_price.to_string());
    }
    assert_eq!(orders, ["2.29", "3.79"]);

    // 7. The sandbox pauses a template: sends answer 132015; the pause is a webhook too.
    let (s, _) = call(
        post.clone(),
        format!("{base}/sandbox/templates/{}/status", ids[2]),
        &[],
        json!({"status": "PAUSED", "reason": "LOW_QUALITY"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(graph_code(&meta.send(&spm_msg).await.unwrap_err()), 132_015);
    receiver
        .wait_for("the pause", |r| {
            approvals(r)
                .iter()
                .any(|(e, n)| e == "PAUSED" && n == "pear_back")
        })
        .await;
    assert_eq!(receiver.with(|r| r.bad_signatures), 0);
}

/// Bad templates and bad sends through the API: each with its exact Graph code and the path
/// that broke; nothing half-created, nothing half-sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_templates_and_bad_sends_are_refused_whole() {
    let receiver = Receiver::start().await;
    let clock = ManualClock::new(SystemClock.now_millis());
    let server = start_server_with_clock(
        Config::default(),
        Some(&receiver.url),
        Arc::new(clock.clone()),
    )
    .await;
    let base = server.base.as_str();
    let auth = [("authorization", "Bearer demo-token")];
    let templates = format!("{base}/v23.0/{}/message_templates", demo::WABA_ID);
    let post = reqwest::Method::POST;

    let mpm = serde_json::to_value(&definitions()[1]).unwrap();
    let (s, created) = call(post.clone(), templates.clone(), &auth, mpm.clone()).await;
    assert_eq!((s, &created["status"]), (200, &json!("PENDING")));
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = mpm.clone();
        f(&mut v);
        v
    };
    let bad_definitions: Vec<(&str, Value, u32, &str)> = vec![
        (
            "taken",
            mpm.clone(),
            100,
            "Content in this language already exists",
        ),
        (
            "name",
            with(&|v| v["name"] = json!("Abandoned Cart")),
            100,
            "name:",
        ),
        (
            "category",
            with(&|v| v["category"] = json!("PROMOTION")),
            100,
            "category:",
        ),
        (
            "no header",
            with(&|v| {
                v["components"].as_array_mut().unwrap().remove(0);
            }),
            100,
            "components: 100: a multi-product template needs a TEXT HEADER",
        ),
        (
            "body too long",
            with(&|v| v["components"][1]["text"] = json!("x".repeat(1025))),
            100,
            "components[1].text",
        ),
        (
            "eleven buttons",
            with(&|v| {
                v["components"][2]["buttons"] =
                    json!(vec![json!({"type": "QUICK_REPLY", "text": "a"}); 11])
            }),
            100,
            "components[2].buttons",
        ),
        ("not json", json!("a string"), 100, ""),
    ];
    for (name, body, code, details) in bad_definitions {
        let (s, e) = call(post.clone(), templates.clone(), &auth, body).await;
        assert_eq!(
            (s, e["error"]["code"].as_u64()),
            (400, Some(u64::from(code))),
            "{name}: {e}"
        );
        let got = e["error"]["error_data"]["details"]
            .as_str()
            .unwrap_or_default();
        assert!(got.contains(details), "{name}: {got}");
    }
    // Another WABA's id, a wrong token.
    let (s, e) = call(
        post.clone(),
        format!("{base}/v23.0/999/message_templates"),
        &auth,
        mpm.clone(),
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_u64()), (400, Some(100)));
    let (s, _) = call(
        post.clone(),
        templates.clone(),
        &[("authorization", "Bearer nope")],
        mpm.clone(),
    )
    .await;
    assert_eq!(s, 401);
    // Nothing was half-created: one template.
    let (_, list) = call(reqwest::Method::GET, templates.clone(), &auth, Value::Null).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    clock.advance(3_000);
    receiver
        .wait_for("the approval", |r| approvals(r).len() == 1)
        .await;

    let send = |template: Value| json!({"messaging_product": "whatsapp", "to": ALICE, "type": "template", "template": template});
    let good = json!({"name": "abandoned_cart", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "Alice"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "10OFF"}]},
        {"type": "button", "sub_type": "mpm", "index": 0, "parameters": [{"type": "action", "action": {
            "thumbnail_product_retailer_id": "pear-1kg", "sections": [{"title": "Fruit", "product_items": [{"product_retailer_id": "pear-1kg"}]}]}}]}]});
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        send(v)
    };
    let messages_url = format!("{base}/v23.0/{}/messages", demo::PHONE_NUMBER_ID);
    let bad_sends: Vec<(&str, Value, u32, &str)> = vec![
        (
            "no template object",
            json!({"messaging_product": "whatsapp", "to": ALICE, "type": "template"}),
            131_008,
            "template: 131008",
        ),
        (
            "unknown name",
            edit(&|v| v["name"] = json!("no_such")),
            132_001,
            "template name (no_such) does not exist in en_US",
        ),
        (
            "other language",
            edit(&|v| v["language"]["code"] = json!("pt_BR")),
            132_001,
            "does not exist in pt_BR",
        ),
        (
            "body parameter missing",
            edit(&|v| {
                v["components"].as_array_mut().unwrap().remove(1);
            }),
            132_000,
            "body: number of localizable_params (0)",
        ),
        (
            "image for a text header",
            edit(&|v| {
                v["components"][0]["parameters"][0] =
                    json!({"type": "image", "image": {"link": "https://cdn.example/a.jpg"}})
            }),
            132_012,
            "header: Format mismatch, expected TEXT, received IMAGE",
        ),
        (
            "header too long",
            edit(&|v| v["components"][0]["parameters"][0]["text"] = json!("a".repeat(60))),
            132_005,
            "header: the text filled in is 78 characters",
        ),
        (
            "empty text",
            edit(&|v| v["components"][1]["parameters"][0]["text"] = json!("")),
            131_008,
            "template.components[1].parameters[0].text",
        ),
        (
            "31 products",
            edit(&|v| {
                v["components"][2]["parameters"][0]["action"]["sections"][0]["product_items"] = json!(
                    (0..31)
                        .map(|i| json!({"product_retailer_id": format!("p{i}")}))
                        .collect::<Vec<_>>()
                )
            }),
            131_009,
            "product_items[30]",
        ),
        (
            "products not in the catalog",
            edit(&|v| {
                v["components"][2]["parameters"][0]["action"]["sections"][0]["product_items"][0]["product_retailer_id"] =
                    json!("gone")
            }),
            131_009,
            "Products not found in FB Catalog",
        ),
    ];
    for (name, body, code, details) in bad_sends {
        let (s, e) = call(post.clone(), messages_url.clone(), &auth, body).await;
        let expected_status = if code == 132_001 { 404 } else { 400 };
        assert_eq!(
            (s, e["error"]["code"].as_u64()),
            (expected_status, Some(u64::from(code))),
            "{name}: {e}"
        );
        let got = e["error"]["error_data"]["details"]
            .as_str()
            .unwrap_or_default();
        assert!(got.contains(details), "{name}: {got}");
    }
    // Nothing was half-sent: the thread is empty, no status webhook came.
    let (_, thread) = call(
        reqwest::Method::GET,
        format!(
            "{base}/sandbox/customers/{ALICE}/threads/{}",
            demo::PHONE_NUMBER_ID
        ),
        &[],
        Value::Null,
    )
    .await;
    assert_eq!(thread["messages"], json!([]));
    assert!(receiver.with(|r| statuses(r).is_empty()));

    // Edit, read back, delete; the review API's refusals.
    let id = created["id"].as_str().unwrap();
    let node = format!("{base}/v23.0/{id}");
    let (s, _) = call(
        post.clone(),
        node.clone(),
        &auth,
        json!({"category": "UTILITY"}),
    )
    .await;
    assert_eq!(s, 400, "an approved template keeps its category");
    let mut components = mpm["components"].clone();
    components
        .as_array_mut()
        .unwrap()
        .insert(2, json!({"type": "FOOTER", "text": "Ends Sunday"}));
    let (s, r) = call(
        post.clone(),
        node.clone(),
        &auth,
        json!({"components": components, "name": "abandoned_cart"}),
    )
    .await;
    assert_eq!((s, &r), (200, &json!({"success": true})));
    let (_, t) = call(reqwest::Method::GET, node.clone(), &auth, Value::Null).await;
    assert_eq!(
        (&t["status"], &t["components"][2]["text"]),
        (&json!("PENDING"), &json!("Ends Sunday"))
    );
    let review = format!("{base}/sandbox/templates/{id}/status");
    let (s, _) = call(
        post.clone(),
        review.clone(),
        &[],
        json!({"status": "PAUSED"}),
    )
    .await;
    assert_eq!(s, 409, "a pending template is approved or rejected first");
    let (s, _) = call(
        post.clone(),
        format!("{base}/sandbox/templates/1/status"),
        &[],
        json!({"status": "APPROVED"}),
    )
    .await;
    assert_eq!(s, 404);
    let (s, r) = call(
        post.clone(),
        review,
        &[],
        json!({"status": "REJECTED", "reason": "INCORRECT_CATEGORY"}),
    )
    .await;
    assert_eq!(
        (s, &r["status"], &r["rejected_reason"]),
        (200, &json!("REJECTED"), &json!("INCORRECT_CATEGORY"))
    );
    let (s, _) = call(
        reqwest::Method::DELETE,
        format!("{templates}?name=abandoned_cart"),
        &auth,
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    let (s, e) = call(
        reqwest::Method::DELETE,
        format!("{templates}?name=abandoned_cart"),
        &auth,
        Value::Null,
    )
    .await;
    assert_eq!((s, e["error"]["code"].as_u64()), (400, Some(100)));
    receiver
        .wait_for("rejection and deletion", |r| approvals(r).len() == 3)
        .await;
    let events: Vec<String> = receiver.with(|r| approvals(r).into_iter().map(|(e, _)| e).collect());
    assert_eq!(events, ["APPROVED", "REJECTED", "PENDING_DELETION"]);
    let _ = (
        Category::Marketing,
        HeaderFormat::Text,
        TemplateStatus::Approved,
    );
}
