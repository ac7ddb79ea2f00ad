//! The web simulator in a real browser (headless Chromium through chromedriver): the whole
//! journey by clicking, two devices with separate carts, hostile content as text, a thread of
//! 10,000 messages, and the first contentful paint. Each test skips with a message when the
//! browser is not installed, unless `WACART_REQUIRE_BROWSER=1` (CI).

use serde_json::{Value, json};
use wacart_schema::{BatchMethod, BatchRequest, ItemsBatchRequest, OutboundMessage};
use wacart_server::demo;
use wacart_tests::Receiver;
use wacart_tests::browser::{self, Browser, start_web_server};
use wacart_transport::{Client, Door, RetryPolicy};

const ALICE: &str = "15551230001";
const NUMBER: &str = demo::PHONE_NUMBER_ID;

fn business(base: &str) -> Client {
    Client::builder(Door::meta(NUMBER, demo::TOKEN))
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn api(method: reqwest::Method, url: String, body: Value) -> Value {
    let http = reqwest::Client::new();
    let mut req = http.request(method, &url);
    if !body.is_null() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let v: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

/// Changes products through the Graph catalog API, as the business would.
async fn batch(base: &str, method: BatchMethod, data: Value) {
    let Value::Object(data) = data else {
        panic!("an object")
    };
    business(base)
        .items_batch(
            &demo::CATALOG_ID.into(),
            &ItemsBatchRequest::products(vec![BatchRequest::new(method, data)]),
        )
        .await
        .unwrap();
}

fn page(base: &str, device: &str) -> String {
    format!("{base}/#c={ALICE}&d={device}&n={NUMBER}")
}

/// Types into an input: clears it, types `text`, and leaves it (its change event fires).
async fn type_into(b: &Browser, css: &str, text: &str) {
    let el = b.element(css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
    b.js(
        "const e = document.querySelector(arguments[0]); e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css)],
    )
    .await;
}

/// The selector of a product's row on the screen showing.
fn row(retailer_id: &str) -> String {
    format!("#screen [data-retailer-id=\"{retailer_id}\"]")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_journey_by_clicking() {
    let Some(b) = browser::browser("the_whole_journey_by_clicking").await else {
        return;
    };
    let receiver = Receiver::start().await;
    let server = start_web_server(Some(&receiver.url)).await;
    let base = server.base.clone();
    b.goto(&page(&base, "phone")).await;
    let fcp = b.first_contentful_paint().await;
    eprintln!("first contentful paint (demo data): {fcp:.1} ms");
    b.wait_text("#live", "Live").await;

    // The customer writes first (the 24-hour window opens), by typing.
    b.element("#compose-text").await;
    type_into(&b, "#compose-text", "Hi! Any fruit today?").await;
    b.click(".composer .send").await;
    b.wait_text("#screen li.msg.out .text", "Any fruit today?").await;

    // The business sends a multi-product message through wacart-transport: the page shows it
    // live, without a reload.
    let mpm = OutboundMessage::product_list(ALICE, demo::CATALOG_ID, "Fresh today", "Our picks")
        .section("Fruit", ["pear-1kg", "apple-1kg"])
        .section("Bakery", ["croissant-4"])
        .build()
        .unwrap();
    business(&base).send(&mpm).await.unwrap();
    b.wait_text("#screen li.msg.in[data-type=product_list]", "Our picks")
        .await;
    b.click("#screen li.msg.in[data-type=product_list] .view-items")
        .await;
    b.wait_text("#screen .bar h2", "Fresh today").await;
    b.wait_text("#screen .section h3", "Fruit").await;
    // The sale price is shown against the regular one, struck through.
    assert_eq!(b.text(&format!("{} .sale", row("pear-1kg"))).await, "$3.79");
    assert_eq!(
        b.text(&format!("{} s.regular", row("pear-1kg"))).await,
        "$4.19"
    );

    // Add pears, then set 98 and tap + once: 99, where + stops.
    b.click(&format!("{} .add", row("pear-1kg"))).await;
    b.element(&format!("{} .qty", row("pear-1kg"))).await;
    type_into(&b, &format!("{} .qty", row("pear-1kg")), "98").await;
    b.until(
        "98 pears",
        "return window.wacart.state.cart && window.wacart.state.cart.items.some(i => i.quantity === 98);",
        vec![],
    )
    .await;
    b.click(&format!("{} .plus", row("pear-1kg"))).await;
    b.wait_text(&format!("{} .cap", row("pear-1kg")), "Limit 99")
        .await;
    let plus_disabled = b
        .js(
            "return document.querySelector(arguments[0]).disabled;",
            vec![json!(format!("{} .plus", row("pear-1kg")))],
        )
        .await;
    assert_eq!(plus_disabled, json!(true), "+ stops at 99");
    // Typing past the cap is held at 99, and the sandbox agrees.
    type_into(&b, &format!("{} .qty", row("pear-1kg")), "150").await;
    b.wait_text("#toast", "at most 99").await;
    let cart = api(
        reqwest::Method::GET,
        format!("{base}/sandbox/customers/{ALICE}/devices/phone/carts/{NUMBER}"),
        Value::Null,
    )
    .await;
    assert_eq!(cart["items"][0]["quantity"], 99);

    // Apples too; then the business marks apples out of stock through the catalog API: the
    // cart drops them and the page says so.
    b.click(&format!("{} .add", row("apple-1kg"))).await;
    b.element(&format!("{} .qty", row("apple-1kg"))).await;
    batch(
        &base,
        BatchMethod::Update,
        json!({"id": "apple-1kg", "availability": "out of stock"}),
    )
    .await;
    b.until(
        "the cart-updated dialog",
        "return document.getElementById('dialog').open;",
        vec![],
    )
    .await;
    assert_eq!(
        b.text("#dialog-text").await,
        "One or more items in your cart have been updated"
    );
    b.click("#dialog-ok").await;

    // The cart: 99 pears at the sale price, exactly.
    b.click("#screen .view-cart").await;
    b.wait_text("#screen .bar h2", "Your cart").await;
    b.wait_text("#screen .total-amount", "$375.21").await;
    assert_eq!(
        b.js(
            "return document.querySelectorAll('#screen .cart-line').length;",
            vec![]
        )
        .await,
        json!(1)
    );
    type_into(&b, "#cart-note", "Deliver after 6pm").await;
    b.click("#screen .send-cart").await;

    // The order is in the thread, its webhook is delivered, and the business pane shows it.
    b.wait_text("#screen li.msg.out[data-type=order]", "99 items")
        .await;
    receiver
        .wait_for("the order webhook", |r| {
            r.bodies
                .iter()
                .any(|b| String::from_utf8_lossy(b).contains("\"type\":\"order\""))
        })
        .await;
    b.until(
        "the delivered order in the business pane",
        "const li = document.querySelector('#pane-webhooks li[data-kind=\"order\"]'); return !!li && li.textContent.includes('delivered');",
        vec![],
    )
    .await;
    b.click("#pane-webhooks li[data-kind=\"order\"] summary")
        .await;
    let body = b
        .text("#pane-webhooks li[data-kind=\"order\"] .body-text")
        .await;
    assert!(
        body.contains("\"product_retailer_id\":\"pear-1kg\",\"quantity\":99,\"item_price\":3.79"),
        "{body}"
    );
    assert!(
        b.text("#pane-webhooks li[data-kind=\"order\"] .signature")
            .await
            .contains("sha256=")
    );
    let sent = receiver.with(|r| {
        r.bodies
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .find(|b| b.contains("\"type\":\"order\""))
            .unwrap()
    });
    assert_eq!(sent, body, "the pane shows the exact body that was signed and sent");
    // The business's own request is in the pane too, with its answer.
    b.click("#tab-outbound").await;
    b.wait_text("#pane-outbound li", "product_list").await;
    b.close().await;
}
