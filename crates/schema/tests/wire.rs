//! The exact wire JSON of each message kind and of the payloads wacart writes, as snapshots.

use wacart_schema::{
    D360ErrorResponse, GraphError, GraphErrorResponse, InboundContent, InboundMessage,
    KaleyraRequest, KaleyraResponse, MessageContext, MessageId, Options, Order, OrderItem,
    OutboundMessage, Price, SendResponse, Timestamp, WaId, validate_json,
};

fn compact(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn single_product_message() {
    let m = OutboundMessage::product("+16505551234", "194836987003835", "di9ozbzfi4")
        .body("Our bestseller, back in stock 🎉")
        .footer("Free delivery over $20")
        .build()
        .unwrap();
    insta::assert_snapshot!(compact(&m));
}

#[test]
fn multi_product_message() {
    let m = OutboundMessage::product_list(
        "16505551234",
        "194836987003835",
        "Weekend picks",
        "Fresh today",
    )
    .footer("Prices include VAT")
    .section("Fruit", ["apple-1kg", "pear-1kg"])
    .section("Vegetables", ["kale"])
    .biz_opaque_callback_data("campaign-42")
    .build()
    .unwrap();
    insta::assert_snapshot!(compact(&m));
}

#[test]
fn catalog_message() {
    let m = OutboundMessage::catalog("16505551234", "Browse our catalog and order in chat.")
        .thumbnail("apple-1kg")
        .build()
        .unwrap();
    insta::assert_snapshot!(compact(&m));
}

#[test]
fn text_message_reply() {
    let m = OutboundMessage::text(
        "16505551234",
        "Your order is on its way: https://example.com/t/1",
    )
    .preview_url(true)
    .reply_to("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI1")
    .build()
    .unwrap();
    insta::assert_snapshot!(compact(&m));
}

#[test]
fn kaleyra_envelope() {
    let m = OutboundMessage::product("16505551234", "194836987003835", "di9ozbzfi4")
        .build()
        .unwrap();
    let request = KaleyraRequest::new(m);
    let json = compact(&request);
    assert!(
        validate_json(json.as_bytes(), &Options::default()).is_err(),
        "not a Meta body"
    );
    insta::assert_snapshot!(json);
}

#[test]
fn order_message_with_context_and_exact_prices() {
    let order = Order::new(
        "194836987003835".into(),
        "Please deliver after 6pm",
        vec![
            OrderItem::new("di9ozbzfi4".into(), 2, "12.99".parse().unwrap(), "USD"),
            OrderItem::new(
                "nqryix03ez".into(),
                99,
                Price::from_minor(10, 2).unwrap(),
                "USD",
            ),
            OrderItem::new(
                "kw-dates".into(),
                1,
                Price::from_minor(1125, 3).unwrap(),
                "KWD",
            ),
            OrderItem::new(
                "jp-tea".into(),
                3,
                Price::from_minor(1500, 0).unwrap(),
                "JPY",
            ),
        ],
    );
    let mut msg = InboundMessage::new(
        WaId::new("16505551234"),
        MessageId::new("wamid.ORDER1"),
        Timestamp(1_750_096_325),
        InboundContent::Order(order),
    );
    msg.context = Some(MessageContext::from_message(
        "15550001111",
        MessageId::new("wamid.SPM1"),
    ));
    insta::assert_snapshot!(compact(&msg));
}

#[test]
fn responses_and_errors() {
    let ok = SendResponse::new(
        "+16505551234",
        WaId::new("16505551234"),
        MessageId::new("wamid.NEW"),
    );
    let err = GraphErrorResponse::from(GraphError::new(
        131_009,
        "Products not found in FB Catalog",
        "trace-1",
    ));
    assert_eq!(err.error.http_status(), 400);
    let kaleyra = KaleyraResponse::accepted(&MessageId::new("wamid.NEW"));
    let d360 = D360ErrorResponse::new(401, "Invalid api key");
    insta::assert_snapshot!(
        [
            compact(&ok),
            compact(&err),
            compact(&kaleyra),
            compact(&d360)
        ]
        .join("\n")
    );
}

/// A webhook from a customer whose number Meta does not share: no `from`, no `wa_id`; the
/// contact is matched by BSUID. The same customer's older webhook, without BSUID fields, parses
/// too.
#[test]
fn bsuid_webhooks_and_older_ones_parse() {
    let fixture = |name: &str| -> wacart_schema::WebhookPayload {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/spec")
            .join(name);
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        serde_json::from_value(doc["value"].clone()).unwrap()
    };
    let hidden = fixture("webhook-bsuid-inbound-no-phone.json");
    let Some(wacart_schema::Event::Message {
        contact, message, ..
    }) = hidden.events().next()
    else {
        panic!("a message")
    };
    let contact = contact.expect("matched by user_id");
    assert_eq!(
        (message.from.as_ref(), contact.wa_id.as_ref()),
        (None, None)
    );
    let user = wacart_schema::UserId::new("US.13491208655302741918");
    assert_eq!(message.from_user_id.as_ref(), Some(&user));
    assert_eq!(
        contact.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("realsheenanelson")
    );
    let parent = contact.parent_user_id.as_ref().unwrap();
    assert!(parent.is_parent() && !user.is_parent());
    let status = fixture("webhook-bsuid-delivered-username.json");
    let s = &status.entry[0].changes[0].value.statuses[0];
    assert_eq!(s.recipient_user_id.as_ref(), Some(&user));
    let old: wacart_schema::WebhookPayload = serde_json::from_str(
        r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
        "contacts":[{"profile":{"name":"A"},"wa_id":"16505551234"}],
        "messages":[{"from":"16505551234","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"hi"}}],
        "statuses":[{"id":"wamid.2","status":"read","timestamp":"2","recipient_id":"16505551234"}]}}]}]}"#,
    )
    .unwrap();
    let Some(wacart_schema::Event::Message {
        contact, message, ..
    }) = old.events().next()
    else {
        panic!("a message")
    };
    assert_eq!(message.from_user_id, None);
    assert_eq!(contact.and_then(|c| c.user_id.clone()), None);
}
