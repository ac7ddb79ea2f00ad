//! The conversation around the cart with a fake clock: read receipts and the typing indicator,
//! the customer's taps, reactions, quotes and locations, and business-scoped user ids. Each new
//! webhook shape is pinned by a snapshot; each scenario ends by reopening the store and finding
//! the same state.

use std::sync::Arc;

use serde_json::Value;
use wacart_sandbox::{CustomerInput, Door, EngineError, Store};
use wacart_schema::{MessageId, OutboundMessage, UserId, WaId, WebhookPayload};

#[macro_use]
mod support;

use support::*;

both_stores!(
    taps_reactions_quotes_and_locations,
    read_receipts_and_typing,
    a_username_hides_the_number_until_the_business_reaches_it,
);

/// The latest webhook body, checked to parse with `wacart-schema`.
fn last_hook(w: &World) -> String {
    let d = w.sb.deliveries();
    let body = String::from_utf8(d.last().expect("a webhook").body.to_vec()).unwrap();
    serde_json::from_str::<WebhookPayload>(&body).expect("wacart-schema parses it");
    body
}

fn text(body: &str) -> CustomerInput {
    serde_json::from_value(serde_json::json!({"type": "text", "body": body})).unwrap()
}

fn same_after_reopen(w: &World) {
    let reopened = w.reopen();
    assert_eq!(observable(&w.sb), observable(&reopened));
}

fn graph_code(e: EngineError) -> u32 {
    match e {
        EngineError::Graph(g) => g.code,
        other => panic!("expected a Graph error, got {other}"),
    }
}

fn taps_reactions_quotes_and_locations(store: Arc<dyn Store>) {
    let mut w = World::new(store, wacart_sandbox::Config::default());
    let (alice, n) = (WaId::new(ALICE), World::n());
    let hello =
        w.sb.customer_send(&alice, &n, text("hi"), None)
            .unwrap()
            .value;
    insta::assert_snapshot!("inbound_text_with_bsuid", last_hook(&w));

    let buttons =
        OutboundMessage::buttons(ALICE, "Fruit or greens?", [("f", "Fruit"), ("g", "Greens")])
            .build()
            .unwrap();
    let buttons = w.sb.send(&n, buttons, Door::Meta).unwrap().value.id;
    w.clock.advance(1_000);
    let _ = w.sb.tap(&alice, &buttons, "g").unwrap();
    insta::assert_snapshot!("button_reply", last_hook(&w));

    let list = OutboundMessage::list(ALICE, "Which greens?", "Choose")
        .section(
            "Greens",
            [("kale", "Kale", "Curly"), ("chard", "Chard", "")],
        )
        .build()
        .unwrap();
    let list = w.sb.send(&n, list, Door::Meta).unwrap().value.id;
    let _ = w.sb.tap(&alice, &list, "kale").unwrap();
    insta::assert_snapshot!("list_reply", last_hook(&w));

    let _ = w.sb.react(&alice, &list, "👍").unwrap();
    insta::assert_snapshot!("reaction", last_hook(&w));
    let _ = w.sb.react(&alice, &list, "").unwrap();
    insta::assert_snapshot!("reaction_removed", last_hook(&w));

    let location: CustomerInput = serde_json::from_value(serde_json::json!({
        "type": "location", "latitude": 52.52, "longitude": 13.405, "name": "Home"}))
    .unwrap();
    let _ =
        w.sb.customer_send(&alice, &n, location, Some(&list))
            .unwrap();
    insta::assert_snapshot!("location_quoting_a_message", last_hook(&w));

    // Refused, and nothing changes: no such button, a text message has none, another
    // customer's message, not one emoji, a location off the globe.
    let before = w.sb.deliveries().len();
    assert!(matches!(
        w.sb.tap(&alice, &buttons, "meat"),
        Err(EngineError::Conflict(_))
    ));
    assert!(matches!(
        w.sb.tap(&alice, &hello, "f"),
        Err(EngineError::Conflict(_))
    ));
    let bob = WaId::new(BOB);
    assert!(matches!(
        w.sb.tap(&bob, &buttons, "f"),
        Err(EngineError::UnknownMessage(_))
    ));
    assert!(matches!(
        w.sb.react(&alice, &list, "ok"),
        Err(EngineError::BadRequest(_))
    ));
    assert!(
        matches!(
            w.sb.react(&alice, &hello, "👍"),
            Err(EngineError::Conflict(_))
        ),
        "reactions reach the business for its own messages only"
    );
    let off: CustomerInput = serde_json::from_value(serde_json::json!({
        "type": "location", "latitude": 91.0, "longitude": 0.0}))
    .unwrap();
    assert!(w.sb.customer_send(&alice, &n, off, None).is_err());
    let unknown = MessageId::new("wamid.nope");
    assert!(
        w.sb.customer_send(&alice, &n, text("re"), Some(&unknown))
            .is_err()
    );
    assert_eq!(w.sb.deliveries().len(), before);

    // The thread shows what was tapped and quoted.
    let view = w.sb.thread_view(&alice, &n);
    let tap = view
        .iter()
        .find(|m| m.kind == "interactive" && m.direction == "inbound")
        .unwrap();
    assert_eq!(
        (tap.text.as_deref(), tap.reply_to.as_ref()),
        (Some("Greens"), Some(&buttons))
    );
    same_after_reopen(&w);
}

fn read_receipts_and_typing(store: Arc<dyn Store>) {
    let mut w = World::new(store, wacart_sandbox::Config::default());
    let (alice, n) = (WaId::new(ALICE), World::n());
    let first =
        w.sb.customer_send(&alice, &n, text("one"), None)
            .unwrap()
            .value;
    let second =
        w.sb.customer_send(&alice, &n, text("two"), None)
            .unwrap()
            .value;
    let third =
        w.sb.customer_send(&alice, &n, text("three"), None)
            .unwrap()
            .value;
    let hooks = w.sb.deliveries().len();

    // Reading the second reads the first too; the third stays delivered. No webhook.
    let _ = w.sb.mark_read(&n, &second, true).unwrap();
    assert_eq!(
        w.sb.deliveries().len(),
        hooks,
        "a read receipt makes no webhook"
    );
    let statuses: Vec<_> =
        w.sb.thread_view(&alice, &n)
            .into_iter()
            .map(|m| (m.id, m.status.unwrap()))
            .collect();
    assert_eq!(
        statuses,
        vec![
            (first.clone(), "read".to_owned()),
            (second.clone(), "read".to_owned()),
            (third.clone(), "delivered".to_owned())
        ]
    );
    assert!(w.sb.thread_status(&alice, &n).typing);
    // Typing ends after 25 seconds ...
    w.clock.advance(25_000);
    assert!(!w.sb.thread_status(&alice, &n).typing);
    // ... or at the business's next message.
    let _ = w.sb.mark_read(&n, &third, true).unwrap();
    assert!(w.sb.thread_status(&alice, &n).typing);
    let _ = w.sb.send(&n, spm(ALICE, "kale"), Door::Meta).unwrap();
    assert!(!w.sb.thread_status(&alice, &n).typing);

    // Unknown, foreign and outbound ids: 131009, as Meta answers an invalid message id.
    let outbound =
        w.sb.send(&n, spm(ALICE, "kale"), Door::Meta)
            .unwrap()
            .value
            .id;
    for id in [MessageId::new("wamid.nope"), outbound] {
        assert_eq!(
            graph_code(w.sb.mark_read(&n, &id, false).unwrap_err()),
            131_009
        );
    }
    same_after_reopen(&w);
}

fn a_username_hides_the_number_until_the_business_reaches_it(store: Arc<dyn Store>) {
    let mut w = World::new(store, wacart_sandbox::Config::default());
    let (bob, n) = (WaId::new(BOB), World::n());
    let _ =
        w.sb.set_profile(&bob, None, Some(Some("Bob.Buys".into())))
            .unwrap();
    let _ = w.sb.customer_send(&bob, &n, text("hello"), None).unwrap();
    insta::assert_snapshot!("inbound_from_a_username_user", last_hook(&w));
    let bsuid: UserId = w.sb.user_id(&bob, &n).unwrap();

    let by_bsuid = OutboundMessage::text(bsuid.clone(), "Hi Bob")
        .build()
        .unwrap();
    let sent = w.sb.send(&n, by_bsuid, Door::Meta).unwrap().value;
    assert_eq!(
        (sent.wa_id.as_str(), sent.user_id.as_ref()),
        (BOB, Some(&bsuid))
    );
    insta::assert_snapshot!("sent_status_to_a_bsuid", last_hook(&w));
    w.clock.advance(1_000);
    w.sb.advance();
    insta::assert_snapshot!("delivered_status_to_a_bsuid", last_hook(&w));

    // Sent to the number: the number is shared for 30 days (per business number) ...
    let _ =
        w.sb.send(
            &n,
            OutboundMessage::text(BOB, "Your order").build().unwrap(),
            Door::Meta,
        )
        .unwrap();
    let _ = w.sb.customer_send(&bob, &n, text("thanks"), None).unwrap();
    let hook: Value = serde_json::from_str(&last_hook(&w)).unwrap();
    assert_eq!(
        hook["entry"][0]["changes"][0]["value"]["messages"][0]["from"],
        BOB
    );
    // ... and hidden again after.
    w.clock.advance(31 * 24 * 3_600_000);
    let _ =
        w.sb.customer_send(&bob, &n, text("me again"), None)
            .unwrap();
    let hook: Value = serde_json::from_str(&last_hook(&w)).unwrap();
    let message = &hook["entry"][0]["changes"][0]["value"]["messages"][0];
    assert!(message.get("from").is_none(), "{message}");
    assert_eq!(message["from_user_id"], bsuid.as_str());

    // Outside the window, a send to the number fails: no contacts, no BSUID (Meta's rule for a
    // failed status of a message sent to a number).
    w.clock.advance(25 * 3_600_000);
    let _ = w.sb.send(&n, spm(BOB, "kale"), Door::Meta).unwrap();
    insta::assert_snapshot!("failed_status_to_a_number", last_hook(&w));

    // Usernames follow Meta's rules; a bad one changes nothing.
    for bad in ["ab", "www.bob", "bob.com", "1234", ".bob", "bo..b", "bob!"] {
        assert!(
            w.sb.set_profile(&bob, None, Some(Some(bad.into())))
                .is_err(),
            "{bad}"
        );
    }
    assert_eq!(w.sb.profile(&bob).unwrap().1, Some("bob.buys"));
    same_after_reopen(&w);
}
