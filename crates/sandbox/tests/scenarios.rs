//! Whole-life scenarios with a fake clock, run against the in-memory store and the SQLite
//! store; each ends by reopening the store and finding the same state.

use std::sync::Arc;

use serde_json::json;
use wacart_sandbox::{
    AppSpec, Clock, Config, Device, Door, EngineError, NumberSpec, Platform, Sandbox, Store,
    TenantSpec, WindowMode,
};
use wacart_schema::{OutboundMessage, RetailerId, WaId};

#[macro_use]
mod support;

use support::*;

both_stores!(
    single_product_message_life,
    multi_product_message_with_unknown_ids,
    window_expiry,
    old_clients,
    availability_change_empties_carts_on_two_devices,
    forwarded_messages,
);

fn single_product_message_life(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let alice = WaId::new(ALICE);
    let hello =
        w.sb.customer_text(&alice, &World::n(), "Hi! Do you have apples?")
            .unwrap()
            .value;
    w.clock.advance(5_000);
    let sent =
        w.sb.send(&World::n(), spm(ALICE, "apple-1kg"), Door::Meta)
            .unwrap()
            .value;
    assert_eq!(sent.wa_id, alice);
    assert_eq!(w.statuses_of(sent.id.as_str()), ["sent"]);
    w.clock.advance(1_000);
    w.sb.advance();
    assert_eq!(w.statuses_of(sent.id.as_str()), ["sent", "delivered"]);
    // The customer opens the thread: latest details, and `read`.
    let thread = w.sb.view_thread(&alice, &World::n()).unwrap().value;
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].id, hello);
    assert_eq!(
        thread[1].sections[0].products[0].title.as_deref(),
        Some("Apples 1 kg")
    );
    assert_eq!(
        w.statuses_of(sent.id.as_str()),
        ["sent", "delivered", "read"]
    );
    // A price change shows up in the message at once.
    let _ =
        w.sb.items_batch(&CATALOG.into(), update("apple-1kg", "price", "3.29 USD"))
            .unwrap();
    assert_eq!(
        w.sb.thread_view(&alice, &World::n())[1].sections[0].products[0]
            .price
            .as_deref(),
        Some("3.29")
    );
    // Cart and order.
    let _ =
        w.sb.set_cart_item(
            &alice,
            "phone",
            &World::n(),
            &RetailerId::new("apple-1kg"),
            3,
            Some(sent.id.clone()),
        )
        .unwrap();
    let _ =
        w.sb.set_cart_item(
            &alice,
            "phone",
            &World::n(),
            &RetailerId::new("kale"),
            1,
            None,
        )
        .unwrap();
    let cart = w.sb.view_cart(&alice, "phone", &World::n()).unwrap().value;
    assert_eq!(
        (cart.total.as_deref(), cart.currency.as_deref()),
        (Some("12.86"), Some("USD"))
    );
    w.clock.advance(60_000);
    let order_id =
        w.sb.send_cart(&alice, "phone", &World::n(), "Deliver after 6pm please")
            .unwrap()
            .value;
    let order_hook = w.sb.deliveries().last().unwrap().body.clone();
    insta::assert_snapshot!(
        "order_webhook_spm",
        String::from_utf8(order_hook.to_vec()).unwrap()
    );
    let parsed: wacart_schema::WebhookPayload = serde_json::from_slice(&order_hook).unwrap();
    let message = &parsed.entry[0].changes[0].value.messages[0];
    assert_eq!(message.id, order_id);
    assert_eq!(
        message.context.as_ref().unwrap().id.as_ref(),
        Some(&sent.id)
    );
    assert!(
        w.sb.view_cart(&alice, "phone", &World::n())
            .unwrap()
            .value
            .items
            .is_empty(),
        "sending empties the cart"
    );
    let replayed = w.reopen();
    assert_eq!(observable(&replayed), observable(&w.sb));
}

fn multi_product_message_with_unknown_ids(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let alice = WaId::new(ALICE);
    let _ =
        w.sb.customer_text(&alice, &World::n(), "What's fresh?")
            .unwrap();
    let mpm = OutboundMessage::product_list(ALICE, CATALOG, "Fresh today", "Our picks")
        .section("Fruit", ["apple-1kg", "ghost-1", "pear-1kg"])
        .section("Gone", ["ghost-2"])
        .build()
        .unwrap();
    let sent = w.sb.send(&World::n(), mpm, Door::Dialog360).unwrap().value;
    let hooks = w.hooks();
    let errors = hooks
        .iter()
        .find_map(|h| {
            h["entry"][0]["changes"][0]["value"]["errors"][0]
                .as_object()
                .cloned()
        })
        .unwrap();
    assert_eq!(errors["code"], 131009);
    assert_eq!(
        errors["error_data"]["details"],
        "Products not found in FB Catalog: ghost-1, ghost-2"
    );
    let view = &w.sb.thread_view(&alice, &World::n())[1];
    assert_eq!(view.id, sent.id);
    assert_eq!(view.sections.len(), 1, "the section left empty is omitted");
    let ids: Vec<&str> = view.sections[0]
        .products
        .iter()
        .map(|p| p.retailer_id.as_str())
        .collect();
    assert_eq!(ids, ["apple-1kg", "pear-1kg"]);
    // None found: refused, nothing recorded.
    let before = w.sb.deliveries().len();
    let none = OutboundMessage::product_list(ALICE, CATALOG, "H", "B")
        .section("S", ["ghost-3"])
        .build()
        .unwrap();
    match w.sb.send(&World::n(), none, Door::Meta) {
        Err(EngineError::Graph(e)) => assert_eq!(
            (e.code, e.details()),
            (131009, Some("Products not found in FB Catalog"))
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.sb.deliveries().len(), before);
    assert_eq!(observable(&w.reopen()), observable(&w.sb));
}

fn window_expiry(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let alice = WaId::new(ALICE);
    // Never wrote: accepted, then failed with 131047.
    let sent =
        w.sb.send(&World::n(), spm(ALICE, "kale"), Door::Meta)
            .unwrap()
            .value;
    assert_eq!(w.statuses_of(sent.id.as_str()), ["failed"]);
    let _ = w.sb.customer_text(&alice, &World::n(), "hello").unwrap();
    w.clock.advance(23 * 3_600_000);
    let ok =
        w.sb.send(&World::n(), spm(ALICE, "kale"), Door::Meta)
            .unwrap()
            .value;
    assert_eq!(w.statuses_of(ok.id.as_str()), ["sent"]);
    w.clock.advance(2 * 3_600_000);
    let late =
        w.sb.send(&World::n(), spm(ALICE, "kale"), Door::Meta)
            .unwrap()
            .value;
    assert_eq!(w.statuses_of(late.id.as_str()), ["failed"]);
    let failed =
        w.hooks().last().unwrap()["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
    assert_eq!(failed["errors"][0]["code"], 131047);
    assert!(
        failed.get("pricing").is_none(),
        "failed carries errors and no pricing"
    );
    assert_eq!(observable(&w.reopen()), observable(&w.sb));
    // Refusing at once is an option.
    let config = Config {
        window: WindowMode::Refuse,
        ..Config::default()
    };
    let mut strict = World::new(memory(), config);
    match strict.sb.send(&World::n(), spm(BOB, "kale"), Door::Meta) {
        Err(EngineError::Graph(e)) => assert_eq!(e.code, 131047),
        other => panic!("{other:?}"),
    }
}

fn old_clients(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let bob = WaId::new(BOB);
    let _ =
        w.sb.set_device(&bob, "phone", Device::new(Platform::Android, "2.21.5"))
            .unwrap();
    let _ = w.sb.customer_text(&bob, &World::n(), "hi").unwrap();
    let sent =
        w.sb.send(&World::n(), spm(BOB, "kale"), Door::Kaleyra)
            .unwrap()
            .value;
    assert_eq!(w.statuses_of(sent.id.as_str()), ["failed"]);
    let status =
        w.hooks().last().unwrap()["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
    assert_eq!(status["errors"][0]["code"], 131026);
    // Text still reaches an old client.
    let text =
        w.sb.send(
            &World::n(),
            OutboundMessage::text(BOB, "Update your app to see our products")
                .build()
                .unwrap(),
            Door::Meta,
        )
        .unwrap()
        .value;
    assert_eq!(w.statuses_of(text.id.as_str()), ["sent"]);
    // A second, current device can show it.
    let _ =
        w.sb.set_device(&bob, "web", Device::new(Platform::Web, "2.3000"))
            .unwrap();
    let again =
        w.sb.send(&World::n(), spm(BOB, "kale"), Door::Meta)
            .unwrap()
            .value;
    assert_eq!(w.statuses_of(again.id.as_str()), ["sent"]);
    assert_eq!(observable(&w.reopen()), observable(&w.sb));
}

fn availability_change_empties_carts_on_two_devices(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let alice = WaId::new(ALICE);
    let _ =
        w.sb.set_device(&alice, "web", Device::new(Platform::Web, "2.3000"))
            .unwrap();
    for device in ["phone", "web"] {
        let _ =
            w.sb.set_cart_item(
                &alice,
                device,
                &World::n(),
                &RetailerId::new("pear-1kg"),
                2,
                None,
            )
            .unwrap();
        let _ =
            w.sb.set_cart_item(
                &alice,
                device,
                &World::n(),
                &RetailerId::new("kale"),
                1,
                None,
            )
            .unwrap();
    }
    // The cart does not sync across devices.
    let _ =
        w.sb.set_cart_item(
            &alice,
            "web",
            &World::n(),
            &RetailerId::new("kale"),
            99,
            None,
        )
        .unwrap();
    assert!(matches!(
        w.sb.set_cart_item(
            &alice,
            "web",
            &World::n(),
            &RetailerId::new("kale"),
            100,
            None
        ),
        Err(EngineError::Cart(_))
    ));
    assert!(matches!(
        w.sb.set_cart_item(
            &alice,
            "web",
            &World::n(),
            &RetailerId::new("truffle"),
            1,
            None
        ),
        Err(EngineError::Cart(_))
    ));
    let _ =
        w.sb.items_batch(
            &CATALOG.into(),
            update("pear-1kg", "availability", "out of stock"),
        )
        .unwrap();
    for device in ["phone", "web"] {
        let cart = w.sb.view_cart(&alice, device, &World::n()).unwrap().value;
        let ids: Vec<&str> = cart.items.iter().map(|i| i.retailer_id.as_str()).collect();
        assert_eq!(ids, ["kale"], "{device}");
        assert_eq!(
            cart.notice,
            Some("One or more items in your cart have been updated")
        );
        let again = w.sb.view_cart(&alice, device, &World::n()).unwrap().value;
        assert_eq!(again.notice, None, "the notice is shown once");
    }
    let order =
        w.sb.send_cart(&alice, "web", &World::n(), "")
            .unwrap()
            .value;
    let hook = w.hooks().last().unwrap().clone();
    let items = &hook["entry"][0]["changes"][0]["value"]["messages"][0]["order"]["product_items"];
    assert_eq!(
        items,
        &json!([{"product_retailer_id":"kale","quantity":99,"item_price":2.99,"currency":"USD"}])
    );
    assert_eq!(
        hook["entry"][0]["changes"][0]["value"]["messages"][0]["id"],
        order.as_str()
    );
    assert_eq!(
        w.sb.view_cart(&alice, "phone", &World::n())
            .unwrap()
            .value
            .items
            .len(),
        1,
        "the phone's cart is untouched"
    );
    assert_eq!(observable(&w.reopen()), observable(&w.sb));
}

fn forwarded_messages(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let (alice, bob) = (WaId::new(ALICE), WaId::new(BOB));
    let _ = w.sb.customer_text(&alice, &World::n(), "hi").unwrap();
    let sent =
        w.sb.send(&World::n(), spm(ALICE, "apple-1kg"), Door::Meta)
            .unwrap()
            .value;
    let hooks_before = w.sb.deliveries().len();
    let copy = w.sb.forward(&alice, &sent.id, &bob).unwrap().value;
    assert_eq!(
        w.sb.deliveries().len(),
        hooks_before,
        "the business hears nothing of a forward"
    );
    let view = w.sb.thread_view(&bob, &World::n());
    assert_eq!(view[0].forwarded_from.as_ref(), Some(&sent.id));
    assert!(
        w.sb.forward(&bob, &sent.id, &alice).is_err(),
        "only messages in one's own thread"
    );
    let _ =
        w.sb.items_batch(
            &CATALOG.into(),
            update("apple-1kg", "title", "Crisp apples 1 kg"),
        )
        .unwrap();
    assert_eq!(
        w.sb.thread_view(&bob, &World::n())[0].sections[0].products[0]
            .title
            .as_deref(),
        Some("Crisp apples 1 kg")
    );
    let _ =
        w.sb.set_cart_item(
            &bob,
            "phone",
            &World::n(),
            &RetailerId::new("apple-1kg"),
            2,
            Some(copy.clone()),
        )
        .unwrap();
    let _ = w.sb.send_cart(&bob, "phone", &World::n(), "").unwrap();
    let order = w.hooks().last().unwrap()["entry"][0]["changes"][0]["value"]["messages"][0].clone();
    assert_eq!(order["context"]["id"], copy.as_str());
    assert_eq!(
        order["order"]["product_items"][0]["item_price"],
        json!(3.49)
    );
    assert_eq!(observable(&w.reopen()), observable(&w.sb));
}

#[test]
fn the_configuration_is_part_of_the_log() {
    let store = memory();
    let mut w = World::new(store.clone(), Config::default());
    let alice = WaId::new(ALICE);
    let _ = w.sb.customer_text(&alice, &World::n(), "hi").unwrap();
    // Reopened with another configuration: the past replays under the old one, the change is
    // recorded, and the new rule applies from now on.
    let strict = Config {
        window: WindowMode::Refuse,
        ..Config::default()
    };
    let mut sb = Sandbox::open(store.clone(), Arc::new(w.clock.clone()), strict.clone()).unwrap();
    assert_eq!(observable(&sb), observable(&w.sb));
    assert_eq!(sb.config(), &strict);
    let records = store.log_len();
    drop(Sandbox::open(store.clone(), Arc::new(w.clock.clone()), strict.clone()).unwrap());
    assert_eq!(
        store.log_len(),
        records,
        "the same configuration again records nothing"
    );
    assert!(
        matches!(sb.send(&World::n(), spm(BOB, "kale"), Door::Meta), Err(EngineError::Graph(e)) if e.code == 131047)
    );
    w.clock.advance(1);
    assert_eq!(w.clock.now_millis(), T0 + 1);
}

#[test]
fn credentials_reach_one_number_only_and_are_never_empty() {
    let w = World::new(memory(), Config::default());
    let mut sb = w.sb;
    let reuse = TenantSpec::new("200000000000002", AppSpec::new("s", "v")).number(NumberSpec::new(
        "100000000000002",
        "15550002222",
        "demo-token",
    ));
    assert!(
        matches!(sb.create_tenant_cmd(reuse), Err(EngineError::Exists(_))),
        "a token of another number"
    );
    let empty = TenantSpec::new("200000000000003", AppSpec::new("s", "v")).number(NumberSpec::new(
        "100000000000003",
        "15550003333",
        "",
    ));
    assert!(matches!(
        sb.create_tenant_cmd(empty),
        Err(EngineError::BadRequest(_))
    ));
    let ok = TenantSpec::new("200000000000004", AppSpec::new("s", "v")).number(NumberSpec::new(
        "100000000000004",
        "15550004444",
        "other-token",
    ));
    assert!(sb.create_tenant_cmd(ok).is_ok());
}

#[test]
fn reading_a_thread_with_nothing_unread_logs_nothing() {
    let store = memory();
    let mut w = World::new(store.clone(), Config::default());
    let alice = WaId::new(ALICE);
    let _ = w.sb.customer_text(&alice, &World::n(), "hi").unwrap();
    let records = store.log_len();
    let view = w.sb.view_thread(&alice, &World::n()).unwrap();
    assert_eq!((view.value.len(), view.seq), (1, None));
    assert_eq!(store.log_len(), records);
}
