//! The web simulator in a real browser (headless Chromium through chromedriver): the whole
//! journey by clicking, two devices with separate carts, hostile content as text, a thread of
//! 10,000 messages, and the first contentful paint. Each test skips with a message when the
//! browser is not installed, unless `WACART_REQUIRE_BROWSER=1` (CI).

use serde_json::{Value, json};
use wacart_schema::{
    BatchMethod, BatchRequest, CardBuilder, ItemsBatchRequest, OutboundMessage, Parameter,
    TemplateDefinition, WabaId,
};
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
    b.wait_text("#screen li.msg.out .text", "Any fruit today?")
        .await;

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
    assert_eq!(
        sent, body,
        "the pane shows the exact body that was signed and sent"
    );
    // The business's own request is in the pane too, with its answer.
    b.click("#tab-outbound").await;
    b.wait_text("#pane-outbound li", "product_list").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_keep_their_own_carts() {
    let Some(b) = browser::browser("two_devices_keep_their_own_carts").await else {
        return;
    };
    let server = start_web_server(None).await;
    let base = server.base.clone();
    b.goto(&page(&base, "phone")).await;
    b.wait_text("#live", "Live").await;
    // A second device, added from the page, on an app too old for product lists.
    b.js(
        "document.querySelectorAll('.more').forEach(d => d.open = true);",
        vec![],
    )
    .await;
    type_into(&b, "#new-device", "tablet").await;
    b.click("#add-device-form button").await;
    b.until(
        "the tablet",
        "return window.wacart.state.device === 'tablet' && document.getElementById('device').value === 'tablet';",
        vec![],
    )
    .await;
    type_into(&b, "#app-version", "2.21.5").await;
    b.click("#device-form button").await;
    b.wait_text("#device", "tablet (Android 2.21.5)").await;

    api(
        reqwest::Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": NUMBER, "text": "Hello"}),
    )
    .await;
    let sender = business(&base);
    let mpm = OutboundMessage::product_list(ALICE, demo::CATALOG_ID, "Bakery", "Fresh bread")
        .section("Bread", ["sourdough", "croissant-4"])
        .build()
        .unwrap();
    sender.send(&mpm).await.unwrap();
    let catalog = OutboundMessage::catalog(ALICE, "Everything we sell")
        .build()
        .unwrap();
    sender.send(&catalog).await.unwrap();
    // The tablet cannot show the product list: WhatsApp's "update your app" in its place.
    b.wait_text(
        "#screen li.msg.in[data-type=product_list]",
        "Update WhatsApp",
    )
    .await;
    assert_eq!(
        b.js(
            "return document.querySelectorAll('#screen li.msg.in[data-type=product_list] .view-items').length;",
            vec![]
        )
        .await,
        json!(0)
    );

    // On the phone it shows; two croissants go in the phone's cart.
    b.goto(&page(&base, "phone")).await;
    b.click("#screen li.msg.in[data-type=product_list] .view-items")
        .await;
    b.click(&format!("{} .add", row("croissant-4"))).await;
    b.element(&format!("{} .plus", row("croissant-4"))).await;
    b.click(&format!("{} .plus", row("croissant-4"))).await;
    b.until(
        "two croissants on the phone",
        "const s = window.wacart.state; return s.device === 'phone' && !!s.cart && s.cart.items.some(i => i.retailer_id === 'croissant-4' && i.quantity === 2);",
        vec![],
    )
    .await;

    // The tablet's cart is its own: empty. The tablet browses the catalog (which any version
    // shows), searches, and adds a sourdough there.
    b.click("#screen .back").await;
    b.element("#device")
        .await
        .select_by_value("tablet")
        .await
        .unwrap();
    b.until(
        "the tablet's thread",
        "return window.wacart.state.device === 'tablet' && !!document.querySelector('#screen li.msg.in[data-type=catalog_message] .wide');",
        vec![],
    )
    .await;
    b.click("#screen .cart-button").await;
    b.wait_text("#screen .empty", "Your cart is empty").await;
    b.click("#screen .back").await;
    b.click("#screen li.msg.in[data-type=catalog_message] .wide")
        .await;
    b.element("#screen .search-input").await;
    type_into(&b, "#screen .search-input", "sourd").await;
    b.until(
        "one search result",
        "const rows = document.querySelectorAll('#screen ul.catalog li.product-row'); return rows.length === 1 && rows[0].dataset.retailerId === 'sourdough';",
        vec![],
    )
    .await;
    b.click(&format!("{} .add", row("sourdough"))).await;
    b.until(
        "a sourdough on the tablet",
        "const s = window.wacart.state; return s.device === 'tablet' && !!s.cart && s.cart.items.length === 1 && s.cart.items[0].retailer_id === 'sourdough';",
        vec![],
    )
    .await;

    // The sandbox agrees: two carts, each with its own lines.
    let cart = |device: &str| {
        api(
            reqwest::Method::GET,
            format!("{base}/sandbox/customers/{ALICE}/devices/{device}/carts/{NUMBER}"),
            Value::Null,
        )
    };
    let phone = cart("phone").await;
    let tablet = cart("tablet").await;
    assert_eq!(
        phone["items"],
        json!([{"retailer_id": "croissant-4", "title": "Croissants, pack of 4", "quantity": 2, "unit_price": "4.49"}])
    );
    assert_eq!(
        tablet["items"],
        json!([{"retailer_id": "sourdough", "title": "Sourdough loaf", "quantity": 1, "unit_price": "6.49"}])
    );
    // And the phone's page still shows its own.
    b.goto(&page(&base, "phone")).await;
    b.click("#screen .cart-button").await;
    b.wait_text("#screen .total-amount", "$8.98").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_content_renders_as_text() {
    let Some(b) = browser::browser("hostile_content_renders_as_text").await else {
        return;
    };
    let server = start_web_server(None).await;
    let base = server.base.clone();
    let title = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
    batch(
        &base,
        BatchMethod::Create,
        json!({"id": "evil-1", "title": title, "description": "<b>not bold</b> \u{202e}reversed",
               "availability": "in stock", "condition": "new", "price": "1.00 USD",
               "link": "https://shop.example/evil", "image_link": "https://shop.example/evil.jpg"}),
    )
    .await;
    api(
        reqwest::Method::PUT,
        format!("{base}/sandbox/customers/{ALICE}"),
        json!({"name": "<i>Alice</i> \u{1F600}"}),
    )
    .await;
    api(
        reqwest::Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": NUMBER, "text": "<img src=x onerror=window.pwned=3>"}),
    )
    .await;
    let rtl = "مرحبا! هذا عرض اليوم 🍐🍎 שלום";
    let long: String = format!("{rtl} ").chars().cycle().take(4000).collect();
    let sender = business(&base);
    sender
        .send(&OutboundMessage::text(ALICE, long.clone()).build().unwrap())
        .await
        .unwrap();
    sender
        .send(
            &OutboundMessage::product(ALICE, demo::CATALOG_ID, "evil-1")
                .body("<svg onload=window.pwned=4>")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    b.goto(&page(&base, "phone")).await;
    b.wait_text("#screen li.msg.in[data-type=product] .title", "<script>")
        .await;
    // Everything arrived as text: no element came from the data, and nothing ran.
    let report = b
        .js(
            "const screen = document.getElementById('screen');
             return {
               pwned: window.pwned === undefined ? null : window.pwned,
               scripts: document.querySelectorAll('script').length,
               injected: screen.querySelectorAll('img, svg:not(.icon), b, i, script, [onerror], [onload]').length,
               title: screen.querySelector('li.msg.in[data-type=product] .title').textContent,
               body: screen.querySelector('li.msg.in[data-type=product] .text').textContent,
               inbound: screen.querySelector('li.msg.out .text').textContent,
               long: Array.from(screen.querySelectorAll('li.msg.in[data-type=text] .text')).map(e => Array.from(e.textContent).length),
               dir: screen.querySelector('li.msg.in[data-type=text] .text').dir,
               customer: document.querySelector('#customer option').textContent,
             };",
            vec![],
        )
        .await;
    assert_eq!(report["pwned"], Value::Null, "{report}");
    assert_eq!(report["scripts"], json!(1), "only the page's own script");
    assert_eq!(report["injected"], json!(0), "{report}");
    assert_eq!(report["title"], json!(title));
    assert_eq!(report["body"], json!("<svg onload=window.pwned=4>"));
    assert_eq!(
        report["inbound"],
        json!("<img src=x onerror=window.pwned=3>")
    );
    assert_eq!(report["long"], json!([4000]));
    assert_eq!(
        report["dir"],
        json!("auto"),
        "right-to-left text takes its own direction"
    );
    assert!(
        report["customer"]
            .as_str()
            .unwrap()
            .starts_with("<i>Alice</i> \u{1F600}"),
        "{report}"
    );
    // The product's page, and the long message does not widen the phone.
    let widths = b
        .js(
            "const phone = document.getElementById('phone').getBoundingClientRect().width;
             const bubble = document.querySelector('#screen li.msg.in[data-type=text] .bubble').getBoundingClientRect().width;
             return [phone, bubble];",
            vec![],
        )
        .await;
    assert!(widths[1].as_f64() <= widths[0].as_f64(), "{widths}");
    b.click("#screen li.msg.in[data-type=product] .wide").await;
    b.wait_text("#screen .description", "<b>not bold</b>").await;
    assert_eq!(
        b.js("return window.pwned === undefined;", vec![]).await,
        json!(true)
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_of_ten_thousand_messages_stays_usable() {
    let Some(b) = browser::browser("a_thread_of_ten_thousand_messages_stays_usable").await else {
        return;
    };
    let server = start_web_server(None).await;
    let base = server.base.clone();
    let sandbox = server.state.sandbox().clone();
    let number = wacart_schema::PhoneNumberId::new(NUMBER);
    let alice = wacart_schema::WaId::new(ALICE);
    tokio::task::spawn_blocking(move || {
        for i in 0..10_000 {
            sandbox
                .run_blocking(|sb| sb.customer_text(&alice, &number, &format!("message {i}")))
                .unwrap();
        }
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    b.goto(&page(&base, "phone")).await;
    b.wait_text("#screen li.msg:last-child .text", "message 9999")
        .await;
    let opened = started.elapsed();
    let shown = b
        .js(
            "return document.querySelectorAll('#screen li.msg').length;",
            vec![],
        )
        .await;
    eprintln!(
        "a 10,000-message thread opened in {} ms showing {shown} messages",
        opened.as_millis()
    );
    assert!(shown.as_u64().unwrap() <= 100, "paged: {shown}");
    // Scrolling to the top brings the page before it, and the one before that. Until it shows,
    // the test scrolls away and back as a reader would: on a loaded machine the first scroll can
    // land while the page is still settling, and the top coming into view is what loads more.
    for expected in ["message 9880", "message 9820"] {
        b.until(
            &format!("scrolling to the top to show {expected:?}"),
            "const first = document.querySelector('#screen li.msg:first-child .text');
             if (first && first.textContent.includes(arguments[0])) return true;
             const body = document.querySelector('#screen .body');
             body.scrollTop = body.scrollTop === 0 ? 400 : 0;
             return false;",
            vec![json!(expected)],
        )
        .await;
    }
    let shown = b
        .js(
            "return document.querySelectorAll('#screen li.msg').length;",
            vec![],
        )
        .await;
    assert_eq!(shown, json!(180));
    // New messages still arrive live at the bottom.
    api(
        reqwest::Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": NUMBER, "text": "one more"}),
    )
    .await;
    b.wait_text("#screen li.msg:last-child .text", "one more")
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_lists_reactions_quotes_and_the_clock() {
    let Some(b) = browser::browser("buttons_lists_reactions_quotes_and_the_clock").await else {
        return;
    };
    let receiver = Receiver::start().await;
    let server = start_web_server(Some(&receiver.url)).await;
    let base = server.base.clone();
    api(
        reqwest::Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": NUMBER, "text": "Hello"}),
    )
    .await;
    let sender = business(&base);
    sender
        .send(
            &OutboundMessage::buttons(
                ALICE,
                "Delivery or pickup?",
                [("delivery", "Delivery"), ("pickup", "Pickup")],
            )
            .build()
            .unwrap(),
        )
        .await
        .unwrap();
    sender
        .send(
            &OutboundMessage::list(ALICE, "When should we come?", "Pick a slot")
                .section("Today", [("slot-18", "18:00", "Evening")])
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    b.goto(&page(&base, "phone")).await;
    // A tap on a reply button, then a list row: each reaches the business as its reply.
    b.click("#screen li.msg.in .reply-buttons button:nth-child(2)")
        .await;
    b.wait_text("#screen li.msg.out:last-child", "Pickup").await;
    b.click("#screen li.msg.in .list-menu summary").await;
    b.click("#screen li.msg.in .list-menu .row").await;
    b.wait_text("#screen li.msg.out:last-child", "18:00").await;
    receiver
        .wait_for("the button and list replies", |r| {
            let all: String = r
                .bodies
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            all.contains("\"button_reply\":{\"id\":\"pickup\"")
                && all.contains("\"list_reply\":{\"id\":\"slot-18\"")
        })
        .await;
    // A reaction to the business's question, and a quoted answer.
    b.click("#screen li.msg.in .react summary").await;
    b.click("#screen li.msg.in .react-menu button").await;
    b.wait_text("#screen li.msg.in .reactions", "👍").await;
    b.click("#screen li.msg.in .reply").await;
    type_into(&b, "#compose-text", "This one, please").await;
    b.click(".composer .send").await;
    b.wait_text(
        "#screen li.msg.out:last-child .quote",
        "Delivery or pickup?",
    )
    .await;
    receiver
        .wait_for("the reaction", |r| {
            r.bodies
                .iter()
                .any(|b| String::from_utf8_lossy(b).contains("\"type\":\"reaction\""))
        })
        .await;
    // The clock moves 25 hours: the window lapses, and a send is then failed with 131047.
    b.click("#tab-clock").await;
    type_into(&b, "#advance-hours", "25").await;
    b.click("#pane-clock .advance").await;
    b.wait_text("#pane-clock", "Ahead of the wall clock by 25.00 hours")
        .await;
    sender
        .send(
            &OutboundMessage::text(ALICE, "Are you there?")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    b.wait_text("#screen li.msg.failed", "error 131047").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_show_their_product_cards_and_buttons() {
    let Some(b) = browser::browser("templates_show_their_product_cards_and_buttons").await else {
        return;
    };
    let receiver = Receiver::start().await;
    let server = start_web_server(Some(&receiver.url)).await;
    let base = server.base.clone();
    let sender = business(&base);
    let waba = WabaId::new(demo::WABA_ID);
    // A single-product template and a media carousel with a quick reply on each card, approved
    // by the sandbox's review route.
    let definitions = [
        TemplateDefinition::single_product("pear_back", "en_US", "Pears are back, {{1}}!")
            .body_examples(["Pablo"])
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
    ];
    for def in &definitions {
        let created = sender.create_template(&waba, def).await.unwrap();
        api(
            reqwest::Method::POST,
            format!("{base}/sandbox/templates/{}/status", created.id),
            json!({"status": "APPROVED"}),
        )
        .await;
    }
    sender
        .send(
            &OutboundMessage::template(ALICE, "pear_back", "en_US")
                .product(demo::CATALOG_ID, "pear-1kg")
                .body([Parameter::text("Alice")])
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    sender
        .send(
            &OutboundMessage::template(ALICE, "new_looks", "en_US")
                .carousel((0..2).map(|i| {
                    CardBuilder::media(Parameter::image_link(format!(
                        "https://cdn.example/b{i}.jpg"
                    )))
                    .quick_reply(0, format!("basket-{i}"))
                }))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    b.goto(&page(&base, "phone")).await;
    // The single-product template: the product with its current price, the body filled in.
    let spm = "#screen li.msg.in[data-type='template']:not(:has(.carousel))";
    b.wait_text(spm, "Pears are back, Alice!").await;
    b.wait_text(&format!("{spm} .product-card"), "Pears").await;
    // The carousel: both cards; a quick reply on the second reaches the business.
    b.wait_text("#screen .carousel li:nth-child(2)", "Basket 2")
        .await;
    b.click("#screen .carousel li:nth-child(2) .reply-buttons button")
        .await;
    receiver
        .wait_for("the quick reply", |r| {
            r.bodies.iter().any(|b| {
                let body = String::from_utf8_lossy(b);
                body.contains("\"type\":\"button\"") && body.contains("\"payload\":\"basket-1\"")
            })
        })
        .await;
    b.close().await;
}

/// `cargo xtask screenshots`: the page after a short conversation, written to
/// `$WACART_SCREENSHOT` (docs/screenshot.png).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by `cargo xtask screenshots`"]
async fn screenshot() {
    let Some(path) = browser::screenshot_path() else {
        eprintln!("screenshot: set WACART_SCREENSHOT to the file to write");
        return;
    };
    let Some(b) = browser::browser("screenshot").await else {
        panic!("the screenshot needs chromium and chromedriver");
    };
    let receiver = Receiver::start().await;
    let server = start_web_server(Some(&receiver.url)).await;
    let base = server.base.clone();
    api(
        reqwest::Method::POST,
        format!("{base}/sandbox/customers/{ALICE}/messages"),
        json!({"phone_number_id": NUMBER, "text": "Hi! Any fruit today?"}),
    )
    .await;
    let sender = business(&base);
    let mpm = OutboundMessage::product_list(
        ALICE,
        demo::CATALOG_ID,
        "Fresh today",
        "Our picks for you, picked this morning.",
    )
    .section("Fruit", ["pear-1kg", "apple-1kg", "banana-bunch"])
    .section("Bakery", ["croissant-4", "sourdough"])
    .build()
    .unwrap();
    sender.send(&mpm).await.unwrap();
    sender
        .send(
            &OutboundMessage::product(ALICE, demo::CATALOG_ID, "coffee-beans")
                .body("On sale this week")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    b.goto(&page(&base, "phone")).await;
    b.click("#screen li.msg.in[data-type=product_list] .view-items")
        .await;
    b.click(&format!("{} .add", row("pear-1kg"))).await;
    b.element(&format!("{} .plus", row("pear-1kg"))).await;
    b.click(&format!("{} .plus", row("pear-1kg"))).await;
    b.click(&format!("{} .add", row("croissant-4"))).await;
    b.click("#screen .view-cart").await;
    b.wait_text("#screen .total-amount", "$12.07").await;
    type_into(&b, "#cart-note", "Deliver after 6pm, please").await;
    b.click("#screen .send-cart").await;
    b.wait_text("#screen li.msg.out[data-type=order]", "3 items")
        .await;
    receiver
        .wait_for("the order webhook", |r| {
            r.bodies
                .iter()
                .any(|b| String::from_utf8_lossy(b).contains("\"type\":\"order\""))
        })
        .await;
    b.until(
        "the delivered order",
        "const li = document.querySelector('#pane-webhooks li[data-kind=\"order\"]'); return !!li && li.textContent.includes('delivered');",
        vec![],
    )
    .await;
    b.click("#pane-webhooks li[data-kind=\"order\"] summary")
        .await;
    b.js(
        "document.querySelector('#screen .body').scrollTop = 1e9; window.scrollTo(0, 0);",
        vec![],
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    browser::write_png(&path, &b.screenshot().await);
    eprintln!("screenshot: wrote {}", path.display());
    b.close().await;
}

/// The first contentful paint of the page on the demo data, over 20 loads (the first in a fresh
/// browser profile): `cargo test -p wacart-tests --test web -- --ignored --nocapture first_paint`.
/// Figures go to BENCHMARKS.md; the other tests only print theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: BENCHMARKS.md"]
async fn first_paint() {
    let Some(b) = browser::browser("first_paint").await else {
        return;
    };
    let server = start_web_server(None).await;
    let base = server.base.clone();
    let mut paints = Vec::new();
    for i in 0..20 {
        // A new address each time, so every load is a navigation of its own.
        b.goto(&format!("{}&load={i}", page(&base, "phone"))).await;
        b.wait_text("#live", "Live").await;
        let paint = b.first_contentful_paint().await;
        paints.push(paint);
        b.goto("about:blank").await;
    }
    let first = paints[0];
    paints.sort_by(f64::total_cmp);
    eprintln!(
        "first contentful paint over {} loads: first (fresh profile) {first:.1} ms, min {:.1} ms, median {:.1} ms, max {:.1} ms",
        paints.len(),
        paints[0],
        paints[paints.len() / 2],
        paints[paints.len() - 1]
    );
    b.close().await;
}
