//! Templates in the engine: the registry and its review on the clock, every status change as a
//! `message_template_status_update` webhook, sends checked against the registry and the
//! catalog (each refusal with Meta's code, nothing half-sent), delivery outside the window with
//! pricing on the statuses, the customer's view and taps, carts and orders from a template, and
//! all of it through a restart.

use std::sync::Arc;

use serde_json::{Value, json};
use wacart_sandbox::{
    Config, CustomerSpec, Door, EngineError, Sandbox, Store, TemplateFilter, TemplateInfo,
};
use wacart_schema::{
    CardBuilder, Category, OutboundMessage, Parameter, RetailerId, TemplateDefinition,
    TemplateStatus, UserId, WaId, WabaId, WebhookPayload,
};

#[macro_use]
mod support;

use support::*;

both_stores!(
    review_on_the_clock_and_every_status_change_as_a_webhook,
    sends_are_checked_against_the_registry_and_the_catalog,
    outside_the_window_with_pricing_and_the_customers_side,
    catalog_links_and_what_opening_shows,
);

const WABA: &str = "200000000000001";
const SECOND: u64 = 1_000;
const DAY: u64 = 86_400_000;

fn waba() -> WabaId {
    WabaId::new(WABA)
}

fn code(e: EngineError) -> (u32, String) {
    match e {
        EngineError::Graph(g) => (g.code, g.details().unwrap_or("").to_owned()),
        other => panic!("expected a Graph error, got {other}"),
    }
}

/// The template status webhooks so far, parsed by `wacart-schema`: (event, name, reason).
fn status_updates(w: &World) -> Vec<(String, String, String)> {
    w.sb.deliveries()
        .iter()
        .filter(|d| d.kind == "message_template_status_update")
        .flat_map(|d| {
            let p: WebhookPayload = serde_json::from_slice(&d.body).unwrap();
            p.template_status_updates()
        })
        .map(|u| {
            (
                u.event.as_str().to_owned(),
                u.message_template_name,
                u.reason.unwrap_or_default(),
            )
        })
        .collect()
}

fn mpm_def() -> TemplateDefinition {
    TemplateDefinition::multi_product(
        "abandoned_cart",
        "en_US",
        "Forget something {{1}}?",
        "Use code {{1}} for 10% off!",
    )
    .header_example("Pablo")
    .body_examples(["10OFF"])
    .build()
    .unwrap()
}

fn create(w: &mut World, def: TemplateDefinition) -> TemplateInfo {
    w.sb.create_template(&waba(), def).unwrap().value
}

/// Creates a template and lets its review pass.
fn approved(w: &mut World, def: TemplateDefinition) -> TemplateInfo {
    let t = create(w, def);
    w.clock.advance(3 * SECOND);
    w.sb.advance();
    assert_eq!(
        w.sb.template(&t.id).unwrap().status,
        TemplateStatus::Approved
    );
    t
}

fn review_on_the_clock_and_every_status_change_as_a_webhook(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let spm = TemplateDefinition::single_product("pear_back", "en_US", "Back in stock!")
        .build()
        .unwrap();
    let t = create(&mut w, spm.clone());
    assert_eq!(t.status, TemplateStatus::Pending);
    assert_eq!(t.id.len(), 16);
    // Same name and language: refused, with Meta's subcode; nothing is created.
    let dup = w.sb.create_template(&waba(), spm.clone()).unwrap_err();
    let EngineError::Graph(g) = dup else { panic!() };
    assert_eq!((g.code, g.error_subcode), (100, Some(2_388_024)));
    // Another language is another template.
    let mut es = spm.clone();
    es.language = "es".into();
    let t_es = create(&mut w, es);
    // A broken definition: refused with its first violation.
    let mut broken = spm.clone();
    broken.name = "Pear Back".into();
    let (c, details) = code(w.sb.create_template(&waba(), broken).unwrap_err());
    assert_eq!(c, 100);
    assert!(details.starts_with("name:"), "{details}");
    assert!(
        status_updates(&w).is_empty(),
        "no webhook before the review"
    );

    // The clock passes the review delay: approved, one webhook each.
    w.clock.advance(2 * SECOND);
    w.sb.advance();
    assert_eq!(
        status_updates(&w),
        [
            ("APPROVED".into(), "pear_back".into(), "NONE".into()),
            ("APPROVED".into(), "pear_back".into(), "NONE".into()),
        ]
    );
    let body: Value = serde_json::from_slice(&w.sb.deliveries().last().unwrap().body).unwrap();
    assert_eq!(
        body["entry"][0]["changes"][0]["field"],
        "message_template_status_update"
    );
    assert_eq!(body["entry"][0]["time"], json!((T0 + 2 * SECOND) / 1000));
    assert_eq!(
        body["entry"][0]["changes"][0]["value"]["message_template_category"],
        "MARKETING"
    );

    // The sandbox pauses, reinstates, disables; each with its webhook and reason.
    let _ =
        w.sb.review_template(&t.id, TemplateStatus::Paused, Some("LOW_QUALITY".into()))
            .unwrap();
    let _ =
        w.sb.review_template(&t.id, TemplateStatus::Approved, None)
            .unwrap();
    let _ =
        w.sb.review_template(
            &t_es.id,
            TemplateStatus::Disabled,
            Some("LOW_QUALITY".into()),
        )
        .unwrap();
    let refused =
        w.sb.review_template(&t_es.id, TemplateStatus::Approved, None)
            .unwrap_err();
    assert!(matches!(refused, EngineError::Conflict(_)), "{refused}");
    let updates = status_updates(&w);
    assert_eq!(
        updates[2..],
        [
            ("PAUSED".into(), "pear_back".into(), "LOW_QUALITY".into()),
            ("APPROVED".into(), "pear_back".into(), "NONE".into()),
            ("DISABLED".into(), "pear_back".into(), "LOW_QUALITY".into()),
        ]
    );

    // Edited: pending again, approved again after the delay; an approved one keeps its category.
    let (c, _) = code(
        w.sb.edit_template(&t.id, None, Some(Category::Utility))
            .unwrap_err(),
    );
    assert_eq!(c, 100);
    let mut components = spm.components.clone();
    components.insert(
        2,
        wacart_schema::DefComponent::Footer(
            serde_json::from_value(json!({"text": "While stocks last"})).unwrap(),
        ),
    );
    let _ = w.sb.edit_template(&t.id, Some(components), None).unwrap();
    assert_eq!(
        w.sb.template(&t.id).unwrap().status,
        TemplateStatus::Pending
    );
    w.clock.advance(2 * SECOND);
    let info = w.sb.template(&t.id).unwrap();
    assert_eq!(info.status, TemplateStatus::Approved);
    assert!(info.definition.footer().is_some());

    // A rejection is the sandbox API's to make, with its reason; a template left to the API
    // stays pending.
    let config = Config {
        template_review_after: None,
        ..Config::default()
    };
    let mut w2 = World::new(memory(), config);
    let r = create(&mut w2, mpm_def());
    w2.clock.advance(DAY);
    assert_eq!(
        w2.sb.template(&r.id).unwrap().status,
        TemplateStatus::Pending
    );
    let _ = w2
        .sb
        .review_template(
            &r.id,
            TemplateStatus::Rejected,
            Some("INCORRECT_CATEGORY".into()),
        )
        .unwrap();
    assert_eq!(
        status_updates(&w2),
        [(
            "REJECTED".into(),
            "abandoned_cart".into(),
            "INCORRECT_CATEGORY".into()
        )]
    );
    assert_eq!(
        w2.sb.template(&r.id).unwrap().reason.as_deref(),
        Some("INCORRECT_CATEGORY")
    );

    // Listing: filters and pages.
    for i in 0..5 {
        let d = TemplateDefinition::catalog(format!("catalog_{i}"), "en_US", "Browse our catalog")
            .build()
            .unwrap();
        create(&mut w, d);
    }
    let all = TemplateFilter::default();
    let (page, more) = w.sb.templates(&waba(), &all, None, 3);
    assert_eq!((page.len(), more), (3, true));
    let (rest, more) = w.sb.templates(&waba(), &all, Some(&page[2].id), 10);
    assert_eq!((rest.len(), more), (4, false));
    let mut f = TemplateFilter::default();
    f.name = Some("CATALOG_".into());
    f.status = Some("PENDING,REJECTED".into());
    assert_eq!(w.sb.templates(&waba(), &f, None, 25).0.len(), 5);
    let mut f = TemplateFilter::default();
    f.status = Some("DISABLED".into());
    f.language = Some("es".into());
    assert_eq!(w.sb.templates(&waba(), &f, None, 25).0[0].id, t_es.id);

    // Deleting by name deletes every language, each with its webhook.
    assert_eq!(
        w.sb.delete_template(&waba(), "pear_back", None)
            .unwrap()
            .value,
        2
    );
    assert!(w.sb.template(&t.id).is_none());
    let (c, _) = code(
        w.sb.delete_template(&waba(), "pear_back", None)
            .unwrap_err(),
    );
    assert_eq!(c, 100);
    let n = status_updates(&w).len();
    assert_eq!(
        status_updates(&w)[n - 2..]
            .iter()
            .filter(|u| u.0 == "PENDING_DELETION")
            .count(),
        2
    );
    // One of them by id.
    let (page, _) = w.sb.templates(&waba(), &all, None, 25);
    let c0 = page
        .iter()
        .find(|t| t.definition.name == "catalog_0")
        .unwrap()
        .id
        .clone();
    assert_eq!(
        w.sb.delete_template(&waba(), "catalog_0", Some(&c0))
            .unwrap()
            .value,
        1
    );

    // Everything survives a restart (and a snapshot), reviews still due included.
    let pending = create(&mut w, mpm_def());
    w.sb.snapshot();
    let mut reopened = w.reopen();
    assert_eq!(reopened.image().unwrap(), w.sb.image().unwrap());
    w.clock.advance(3 * SECOND);
    assert_eq!(
        reopened.template(&pending.id).unwrap().status,
        TemplateStatus::Approved
    );
    assert_eq!(
        reopened.templates(&waba(), &all, None, 100).0.len(),
        w.sb.templates(&waba(), &all, None, 100).0.len()
    );
}

fn sends_are_checked_against_the_registry_and_the_catalog(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let n = World::n();
    let mpm = approved(&mut w, mpm_def());
    let send =
        |b: wacart_schema::MessageBuilder<wacart_schema::TemplateKindMarker>| b.build().unwrap();
    let base = || OutboundMessage::template(ALICE, "abandoned_cart", "en_US");
    let good = || {
        base()
            .header(Parameter::text("Alice"))
            .body([Parameter::text("10OFF")])
            .mpm_button(0, "pear-1kg", [("Fruit", vec!["pear-1kg", "apple-1kg"])])
    };
    let before = w.sb.deliveries().len();
    let attempts: Vec<(OutboundMessage, u32)> = vec![
        // Not in that language, or no such name: 132001.
        (
            send(
                OutboundMessage::template(ALICE, "abandoned_cart", "es")
                    .header(Parameter::text("A"))
                    .body([Parameter::text("X")]),
            ),
            132_001,
        ),
        (
            send(OutboundMessage::template(
                ALICE,
                "no_such_template",
                "en_US",
            )),
            132_001,
        ),
        // Parameters in number and format, text too long.
        (
            send(base().header(Parameter::text("A")).mpm_button(
                0,
                "pear-1kg",
                [("F", vec!["pear-1kg"])],
            )),
            132_000,
        ),
        (
            send(good().header(Parameter::image_link("https://cdn.example/a.jpg"))),
            132_012,
        ),
        (
            send(good().header(Parameter::text("a".repeat(50)))),
            132_005,
        ),
        // Products the catalog lacks, all of them: 131009, as for a product list.
        (
            send(
                base()
                    .header(Parameter::text("A"))
                    .body([Parameter::text("X")])
                    .mpm_button(0, "gone", [("F", vec!["gone", "also-gone"])]),
            ),
            131_009,
        ),
    ];
    for (m, expected) in attempts {
        let (c, details) = code(w.sb.send(&n, m, Door::Meta).unwrap_err());
        assert_eq!(c, expected, "{details}");
    }
    assert_eq!(
        w.sb.deliveries().len(),
        before,
        "a refused send makes no webhook"
    );
    assert!(
        w.sb.thread_view(&WaId::new(ALICE), &n).is_empty(),
        "nothing half-sent"
    );

    // A pending template is not sendable yet: 132001.
    let pending = create(
        &mut w,
        TemplateDefinition::catalog("browse", "en_US", "Browse")
            .build()
            .unwrap(),
    );
    let browse = || {
        OutboundMessage::template(ALICE, "browse", "en_US")
            .catalog_button(0, None)
            .build()
            .unwrap()
    };
    assert_eq!(
        code(w.sb.send(&n, browse(), Door::Meta).unwrap_err()).0,
        132_001
    );
    w.clock.advance(3 * SECOND);
    let _ = w.sb.send(&n, browse(), Door::Dialog360).unwrap();
    // Paused: 132015; disabled: 132016.
    let _ =
        w.sb.review_template(&pending.id, TemplateStatus::Paused, None)
            .unwrap();
    assert_eq!(
        code(w.sb.send(&n, browse(), Door::Meta).unwrap_err()).0,
        132_015
    );
    let _ =
        w.sb.review_template(&pending.id, TemplateStatus::Disabled, None)
            .unwrap();
    let (c, details) = code(w.sb.send(&n, browse(), Door::Kaleyra).unwrap_err());
    assert_eq!(c, 132_016);
    assert!(details.contains("permanently disabled"), "{details}");

    // Some MPM items unknown: sent without them, reported in a `value.errors` webhook.
    let m = send(
        base()
            .header(Parameter::text("A"))
            .body([Parameter::text("X")])
            .mpm_button(0, "pear-1kg", [("F", vec!["pear-1kg", "gone"])]),
    );
    let _ = w.sb.send(&n, m, Door::Meta).unwrap();
    let errors: Vec<Value> = w
        .hooks()
        .into_iter()
        .filter(|h| !h["entry"][0]["changes"][0]["value"]["errors"].is_null())
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .contains("Products not found in FB Catalog: gone")
    );
    let _ = mpm;

    // A product card naming another catalog: 131009, catalog not linked.
    approved(
        &mut w,
        TemplateDefinition::product_carousel("picks", "en_US", "Picks", 2)
            .build()
            .unwrap(),
    );
    let cards = |catalog: &str| {
        OutboundMessage::template(ALICE, "picks", "en_US")
            .carousel([
                CardBuilder::product(catalog, "pear-1kg"),
                CardBuilder::product(catalog, "kale"),
            ])
            .build()
            .unwrap()
    };
    let (c, details) = code(w.sb.send(&n, cards("999"), Door::Meta).unwrap_err());
    assert_eq!(c, 131_009, "{details}");
    let _ = w.sb.send(&n, cards(CATALOG), Door::Meta).unwrap();
    // Three cards for a template of two: 132000.
    let three = OutboundMessage::template(ALICE, "picks", "en_US")
        .carousel((0..3).map(|_| CardBuilder::product(CATALOG, "kale")))
        .build()
        .unwrap();
    assert_eq!(
        code(w.sb.send(&n, three, Door::Meta).unwrap_err()).0,
        132_000
    );

    // An authentication template to a BSUID: 131062; to the phone number it goes.
    let auth: TemplateDefinition = serde_json::from_value(json!({"name": "login_code", "language": "en_US",
        "category": "AUTHENTICATION", "components": [{"type": "BODY", "add_security_recommendation": true},
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]}]})).unwrap();
    approved(&mut w, auth);
    let user: UserId = w.sb.user_id(&WaId::new(ALICE), &n).unwrap();
    let otp = |to: wacart_schema::Addressee| {
        OutboundMessage::template(to, "login_code", "en_US")
            .body([Parameter::text("123456")])
            .url_suffix(0, "123456")
            .build()
            .unwrap()
    };
    let refused = w.sb.send(&n, otp(user.into()), Door::Meta).unwrap_err();
    let EngineError::Graph(g) = refused else {
        panic!()
    };
    assert_eq!(g.code, 131_062);
    assert_eq!(
        g.message,
        "(#131062) Business-scoped User ID (BSUID) recipients are not supported for this message."
    );
    let _ = w.sb.send(&n, otp(ALICE.into()), Door::Meta).unwrap();

    // The checkout button template: to +91 customers only.
    approved(
        &mut w,
        TemplateDefinition::checkout("buy_now", "en_US", "4::aW1h", "Back in stock!")
            .build()
            .unwrap(),
    );
    let _ =
        w.sb.add_customer(CustomerSpec::new("919876543210", "Priya"))
            .unwrap();
    let checkout = |to: &str| {
        OutboundMessage::template(to, "buy_now", "en_US")
            .header(Parameter::image_link("https://cdn.example/pear.jpg"))
            .order_details(0, json!({"reference_id": "ord-1", "type": "physical-goods", "currency": "INR",
                "total_amount": {"value": 41900, "offset": 100}, "order": {"status": "pending", "items": []}}))
            .build()
            .unwrap()
    };
    let (c, details) = code(w.sb.send(&n, checkout(ALICE), Door::Meta).unwrap_err());
    assert_eq!(c, 131_009);
    assert!(details.contains("India"), "{details}");
    let _ = w.sb.send(&n, checkout("919876543210"), Door::Meta).unwrap();
    // A media header by id names a live media of the number, as a media message's must.
    let by_id = OutboundMessage::template("919876543210", "buy_now", "en_US")
        .header(Parameter::image_id("4242"))
        .order_details(0, json!({"reference_id": "ord-2"}))
        .build()
        .unwrap();
    let refused = w.sb.send(&n, by_id, Door::Meta).unwrap_err();
    let EngineError::Graph(g) = refused else {
        panic!()
    };
    assert_eq!(
        g.message,
        "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID"
    );
    let same = w.reopen();
    assert_eq!(observable(&same), observable(&w.sb));
}

/// The `pricing` of each status webhook of message `id`, in order.
fn pricing(w: &World, id: &str) -> Vec<Value> {
    w.hooks()
        .into_iter()
        .filter_map(|h| {
            h["entry"][0]["changes"][0]["value"]["statuses"][0]
                .as_object()
                .cloned()
        })
        .filter(|s| s["id"] == id)
        .map(|s| s["pricing"].clone())
        .collect()
}

fn outside_the_window_with_pricing_and_the_customers_side(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let (n, alice) = (World::n(), WaId::new(ALICE));
    approved(&mut w, mpm_def());
    approved(
        &mut w,
        TemplateDefinition::single_product("pear_back", "en_US", "Back in stock!")
            .build()
            .unwrap(),
    );
    let utility = TemplateDefinition::builder(
        "order_ready",
        "en_US",
        Category::Utility,
        "Order {{1}} is ready",
    )
    .body_examples(["7"])
    .quick_reply("Where is it?")
    .build()
    .unwrap();
    approved(&mut w, utility);

    // The customer wrote long ago: the window is closed.
    let _ = w.sb.customer_text(&alice, &n, "hi").unwrap();
    w.clock.advance(25 * 3_600 * SECOND);
    let (c, _) = {
        let id =
            w.sb.send(&n, spm(ALICE, "pear-1kg"), Door::Meta)
                .unwrap()
                .value
                .id;
        (w.statuses_of(id.as_str()), ())
    };
    assert_eq!(c, ["failed"], "free-form still fails with 131047");

    // Templates go out, priced as marketing / utility.
    let mpm_msg = OutboundMessage::template(ALICE, "abandoned_cart", "en_US")
        .header(Parameter::text("Alice"))
        .body([Parameter::text("10OFF")])
        .mpm_button(
            0,
            "pear-1kg",
            [
                ("Fruit", vec!["pear-1kg", "apple-1kg"]),
                ("Greens", vec!["kale"]),
            ],
        )
        .build()
        .unwrap();
    let mpm_id = w.sb.send(&n, mpm_msg, Door::Meta).unwrap().value.id;
    let spm_id =
        w.sb.send(
            &n,
            OutboundMessage::template(ALICE, "pear_back", "en_US")
                .product(CATALOG, "pear-1kg")
                .build()
                .unwrap(),
            Door::Kaleyra,
        )
        .unwrap()
        .value
        .id;
    let ready = || {
        OutboundMessage::template(ALICE, "order_ready", "en_US")
            .body([Parameter::text("7")])
            .quick_reply(0, "where-7")
            .build()
            .unwrap()
    };
    let utility_id = w.sb.send(&n, ready(), Door::Dialog360).unwrap().value.id;
    w.clock.advance(2 * SECOND);
    w.sb.advance();
    let marketing = json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"});
    assert_eq!(
        pricing(&w, mpm_id.as_str()),
        [marketing.clone(), marketing.clone()]
    );
    assert_eq!(pricing(&w, spm_id.as_str())[0], marketing);
    assert_eq!(pricing(&w, utility_id.as_str())[0]["category"], "utility");
    assert_eq!(pricing(&w, utility_id.as_str())[0]["type"], "regular");
    // Inside the window a utility template is free.
    let _ = w.sb.customer_text(&alice, &n, "thanks!").unwrap();
    let free_id = w.sb.send(&n, ready(), Door::Meta).unwrap().value.id;
    assert_eq!(
        pricing(&w, free_id.as_str())[0],
        json!({"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "utility"})
    );

    // The customer's view: header and body filled, the products with current details.
    let view = w.sb.view_thread(&alice, &n).unwrap().value;
    let mpm_view = view.iter().find(|m| m.id == mpm_id).unwrap();
    let v = serde_json::to_value(mpm_view).unwrap();
    assert_eq!(v["type"], "template");
    assert_eq!(v["text"], "Use code 10OFF for 10% off!");
    assert_eq!(v["template"]["header"], "Forget something Alice?");
    assert_eq!(v["template"]["kind"], "multi_product");
    assert_eq!(v["sections"][0]["products"][0]["title"], "Pears 1 kg");
    assert_eq!(v["sections"][1]["title"], "Greens");
    let spm_view = serde_json::to_value(view.iter().find(|m| m.id == spm_id).unwrap()).unwrap();
    assert_eq!(spm_view["sections"][0]["products"][0]["price"], "4.19");

    // The customer taps "Where is it?": a `button` message with the send's payload, in context.
    let tap = w.sb.tap(&alice, &utility_id, "Where is it?").unwrap().value;
    let hook = w
        .hooks()
        .into_iter()
        .rev()
        .find(|h| !h["entry"][0]["changes"][0]["value"]["messages"].is_null())
        .unwrap();
    let msg = &hook["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(msg["id"], json!(tap.as_str()));
    assert_eq!(msg["type"], "button");
    assert_eq!(
        msg["button"],
        json!({"payload": "where-7", "text": "Where is it?"})
    );
    assert_eq!(msg["context"]["id"], json!(utility_id.as_str()));
    assert!(matches!(
        w.sb.tap(&alice, &mpm_id, "View items"),
        Err(EngineError::Conflict(_))
    ));

    // Carts from the MPM template and the SPM template become orders pointing at them.
    let _ =
        w.sb.set_cart_item(
            &alice,
            "phone",
            &n,
            &RetailerId::new("kale"),
            2,
            Some(mpm_id.clone()),
        )
        .unwrap();
    let order = w.sb.send_cart(&alice, "phone", &n, "").unwrap().value;
    let _ =
        w.sb.set_cart_item(
            &alice,
            "phone",
            &n,
            &RetailerId::new("pear-1kg"),
            1,
            Some(spm_id.clone()),
        )
        .unwrap();
    let order2 = w.sb.send_cart(&alice, "phone", &n, "").unwrap().value;
    let orders: Vec<Value> = w
        .hooks()
        .into_iter()
        .filter_map(|h| {
            h["entry"][0]["changes"][0]["value"]["messages"][0]
                .as_object()
                .cloned()
                .map(Value::Object)
        })
        .filter(|m| m["type"] == "order")
        .collect();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0]["id"], json!(order.as_str()));
    assert_eq!(orders[0]["context"]["id"], json!(mpm_id.as_str()));
    assert_eq!(orders[1]["id"], json!(order2.as_str()));
    assert_eq!(orders[1]["context"]["id"], json!(spm_id.as_str()));
    assert_eq!(
        orders[1]["order"]["product_items"][0]["item_price"],
        json!(4.19)
    );
    // Every webhook parses.
    for d in w.sb.deliveries() {
        serde_json::from_slice::<WebhookPayload>(&d.body).unwrap();
    }
    let same: Sandbox = w.reopen();
    assert_eq!(observable(&same), observable(&w.sb));
}

fn catalog_links_and_what_opening_shows(store: Arc<dyn Store>) {
    let mut w = World::new(store, Config::default());
    let (n, alice) = (World::n(), WaId::new(ALICE));
    let _ = w.sb.customer_text(&alice, &n, "hi").unwrap();
    let link = |body: &str| {
        OutboundMessage::text(ALICE, body)
            .preview_url(true)
            .build()
            .unwrap()
    };
    let own =
        w.sb.send(
            &n,
            link("Our catalog: https://wa.me/c/15550001111 !"),
            Door::Meta,
        )
        .unwrap()
        .value
        .id;
    let other =
        w.sb.send(&n, link("Theirs: https://wa.me/c/15559999999"), Door::Meta)
            .unwrap()
            .value
            .id;
    let view = w.sb.thread_view(&alice, &n);
    let shown = |id: &wacart_schema::MessageId| {
        view.iter()
            .find(|m| m.id == *id)
            .unwrap()
            .catalog_link
            .clone()
    };
    assert_eq!(shown(&own).as_deref(), Some("15550001111"));
    assert_eq!(shown(&other).as_deref(), Some("15559999999"));
    // Opening the business's own link shows its catalog; another number's is invalid.
    let opened = w.sb.open_message(&alice, &own, None).unwrap();
    assert_eq!(opened.notice, None);
    assert_eq!(opened.sections[0].products.len(), 4);
    assert_eq!(
        w.sb.open_message(&alice, &other, None).unwrap().notice,
        Some("Invalid catalog link")
    );
    // The catalog hidden: the link is invalid, and so is a catalog template's button.
    approved(
        &mut w,
        TemplateDefinition::catalog("browse", "en_US", "Browse")
            .build()
            .unwrap(),
    );
    let browse = OutboundMessage::template(ALICE, "browse", "en_US")
        .catalog_button(0, None)
        .build()
        .unwrap();
    let browse = w.sb.send(&n, browse, Door::Meta).unwrap().value.id;
    assert_eq!(
        w.sb.open_message(&alice, &browse, None)
            .unwrap()
            .sections
            .len(),
        1
    );
    let _ = w.sb.update_settings(&n, None, Some(false)).unwrap();
    for id in [&own, &browse] {
        assert_eq!(
            w.sb.open_message(&alice, id, None).unwrap().notice,
            Some("Invalid catalog link")
        );
    }
    // The link is still sent while the catalog is hidden: only opening it fails.
    let _ =
        w.sb.send(&n, link("https://wa.me/c/15550001111"), Door::Meta)
            .unwrap();
    // Product cards open their product; a text without a link, or another customer, has
    // nothing to open.
    approved(
        &mut w,
        TemplateDefinition::product_carousel("picks", "en_US", "Picks", 2)
            .build()
            .unwrap(),
    );
    let picks = OutboundMessage::template(ALICE, "picks", "en_US")
        .carousel([
            CardBuilder::product(CATALOG, "kale"),
            CardBuilder::product(CATALOG, "pear-1kg"),
        ])
        .build()
        .unwrap();
    let picks = w.sb.send(&n, picks, Door::Meta).unwrap().value.id;
    let card = w.sb.open_message(&alice, &picks, Some(1)).unwrap();
    assert_eq!(
        card.sections[0].products[0].retailer_id.as_str(),
        "pear-1kg"
    );
    assert!(matches!(
        w.sb.open_message(&alice, &picks, Some(5)),
        Err(EngineError::Conflict(_))
    ));
    let plain =
        w.sb.send(
            &n,
            OutboundMessage::text(ALICE, "hello").build().unwrap(),
            Door::Meta,
        )
        .unwrap()
        .value
        .id;
    assert!(matches!(
        w.sb.open_message(&alice, &plain, None),
        Err(EngineError::Conflict(_))
    ));
    assert!(matches!(
        w.sb.open_message(&WaId::new(BOB), &picks, None),
        Err(EngineError::UnknownMessage(_))
    ));
}

/// Before templates were kept, the sandbox took `type: "template"` sends as any other message
/// (even one without its `template` object): a log holding them still opens, and they show.
#[test]
fn template_sends_logged_before_templates_still_replay() {
    for store in [memory(), sqlite()] {
        let w = World::new(store.clone(), Config::default());
        let old = [
            json!({"messaging_product": "whatsapp", "to": ALICE, "type": "template"}),
            json!({"messaging_product": "whatsapp", "to": ALICE, "type": "template",
                   "template": {"name": "never_created", "language": {"code": "en_US"}}}),
        ];
        for (i, message) in old.into_iter().enumerate() {
            let record = json!({"at": T0 + 10 + i as u64, "op": "send", "number": NUMBER,
                                "message": message, "door": "meta"});
            store
                .append(serde_json::to_vec(&record).unwrap(), Vec::new())
                .unwrap();
        }
        let reopened = w.reopen();
        let view = reopened.thread_view(&WaId::new(ALICE), &World::n());
        let kinds: Vec<&str> = view.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["template", "template"]);
        assert!(view.iter().all(|m| m.error_code == Some(131_047)));
    }
}
