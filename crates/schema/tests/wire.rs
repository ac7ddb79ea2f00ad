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
