//! Properties: serde round-trips, the validator never panics, builders make valid messages, and
//! one character or one item over a limit fails at the right path.

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::text;
use wacart_schema::{
    InboundContent, InboundMessage, MessageId, Options, Order, OrderItem, OutboundMessage, Price,
    RetailerId, Timestamp, WaId, WebhookPayload, limits, validate_json, validate_kaleyra_value,
    validate_value,
};

fn retailer_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,100}"
}

fn phone() -> impl Strategy<Value = String> {
    "\\+?[1-9][0-9]{6,14}"
}

fn catalog_id() -> impl Strategy<Value = String> {
    "[0-9]{1,17}"
}

prop_compose! {
    fn product_list()(
        to in phone(), catalog in catalog_id(), header in text(1, 60), body in text(1, 1024),
        footer in prop::option::of(text(0, 60)),
        sections in prop::collection::vec((text(1, 24), prop::collection::vec(retailer_id(), 1..=3)), 1..=10),
    ) -> OutboundMessage {
        let mut b = OutboundMessage::product_list(to, catalog, header, body);
        if let Some(f) = footer { b = b.footer(f); }
        for (title, items) in sections { b = b.section(title, items); }
        b.build_unchecked()
    }
}

fn any_builder_message() -> impl Strategy<Value = OutboundMessage> {
    prop_oneof![
        (
            phone(),
            catalog_id(),
            retailer_id(),
            prop::option::of(text(1, 1024)),
            prop::option::of(text(0, 60))
        )
            .prop_map(|(to, c, id, body, footer)| {
                let mut b = OutboundMessage::product(to, c, id);
                if let Some(t) = body {
                    b = b.body(t);
                }
                if let Some(f) = footer {
                    b = b.footer(f);
                }
                b.build_unchecked()
            }),
        product_list(),
        (
            phone(),
            text(1, 1024),
            prop::option::of(retailer_id()),
            prop::option::of(text(0, 60))
        )
            .prop_map(|(to, body, thumb, footer)| {
                let mut b = OutboundMessage::catalog(to, body);
                if let Some(t) = thumb {
                    b = b.thumbnail(t);
                }
                if let Some(f) = footer {
                    b = b.footer(f);
                }
                b.build_unchecked()
            }),
        (phone(), text(1, 4096), any::<bool>()).prop_map(|(to, body, p)| OutboundMessage::text(
            to, body
        )
        .preview_url(p)
        .build_unchecked()),
    ]
}

/// Arbitrary JSON, shallow enough to be quick.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("whatsapp".to_owned()),
            Just("interactive".to_owned()),
            Just("product_list".to_owned()),
            Just("product".to_owned()),
            Just("catalog_message".to_owned()),
            Just("text".to_owned()),
            ".{0,8}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("interactive".to_owned()),
                    Just("action".to_owned()),
                    Just("sections".to_owned()),
                    Just("product_items".to_owned()),
                    Just("header".to_owned()),
                    Just("body".to_owned()),
                    Just("text".to_owned()),
                    Just("to".to_owned()),
                    Just("messaging_object".to_owned()),
                    Just("parameters".to_owned()),
                    "[a-z_]{1,6}"
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the subtree at a random place of `v` with `replacement`.
fn graft(v: &mut Value, mut choice: usize, replacement: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(m) => m.values().map(count).sum(),
            _ => 0,
        }
    }
    choice %= count(v);
    fn walk(v: &mut Value, choice: &mut usize, replacement: &mut Option<Value>) {
        if *choice == 0 {
            if let Some(r) = replacement.take() {
                *v = r;
            }
            return;
        }
        *choice -= 1;
        let children: Vec<&mut Value> = match v {
            Value::Array(a) => a.iter_mut().collect(),
            Value::Object(m) => m.values_mut().collect(),
            _ => vec![],
        };
        for c in children {
            walk(c, choice, replacement);
            if replacement.is_none() {
                return;
            }
        }
    }
    walk(v, &mut choice, &mut Some(replacement));
}

prop_compose! {
    fn order_item()(id in retailer_id(), q in 1u32..=99, minor in 0u64..10_000_000, exp in 0u8..=3,
                    cur in prop_oneof![Just("USD"), Just("JPY"), Just("KWD"), Just("EUR")]) -> OrderItem {
        OrderItem::new(RetailerId::new(id), q, Price::from_minor(minor, exp).unwrap(), cur)
    }
}

prop_compose! {
    fn order_payload()(items in prop::collection::vec(order_item(), 1..30), t in text(0, 40),
                       ts in 0u64..4_000_000_000, from in "[1-9][0-9]{10}") -> WebhookPayload {
        let order = Order::new("194836987003835".into(), t, items);
        let msg = InboundMessage::new(WaId::new(from), MessageId::new("wamid.X"), Timestamp(ts), InboundContent::Order(order));
        let json = json!({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
            "value":{"messaging_product":"whatsapp","messages":[msg]}}]}]});
        serde_json::from_value(json).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn outbound_messages_round_trip(m in any_builder_message()) {
        let json = serde_json::to_string(&m).unwrap();
        let back: OutboundMessage = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn order_webhooks_round_trip_with_exact_prices(p in order_payload()) {
        let json = serde_json::to_vec(&p).unwrap();
        let back: WebhookPayload = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(&back, &p);
        // And as the raw JSON a receiver gets, the same bytes again.
        prop_assert_eq!(serde_json::to_vec(&back).unwrap(), json);
    }

    #[test]
    fn anything_a_builder_makes_within_limits_validates(m in any_builder_message()) {
        prop_assert!(m.validate().is_ok(), "{:?}", m.validate());
        let bytes = serde_json::to_vec(&m).unwrap();
        let typed = validate_json(&bytes, &Options::default()).unwrap();
        prop_assert_eq!(typed, m);
    }

    #[test]
    fn the_validator_never_panics_on_arbitrary_json(v in any_json()) {
        let _ = validate_value(&v, &Options::default());
        let _ = validate_kaleyra_value(&v, &Options::default());
        let _ = serde_json::from_value::<OutboundMessage>(v.clone());
        let _ = serde_json::from_value::<WebhookPayload>(v);
    }

    #[test]
    fn the_validator_never_panics_on_damaged_messages(m in any_builder_message(), at in any::<usize>(), junk in any_json()) {
        let mut v = serde_json::to_value(&m).unwrap();
        graft(&mut v, at, junk);
        let raw = validate_value(&v, &Options::default());
        // Whatever the raw walker accepts, the typed walker accepts too.
        if let Ok(typed) = raw {
            prop_assert!(typed.validate().is_ok());
        }
    }

    #[test]
    fn one_character_over_a_limit_fails_at_its_path(which in 0usize..7, fill in prop_oneof![Just('a'), Just('é'), Just('🛒')]) {
        let (pointer, path, max) = [
            ("/interactive/body/text", "interactive.body.text", limits::BODY_TEXT_MAX),
            ("/interactive/footer/text", "interactive.footer.text", limits::FOOTER_TEXT_MAX),
            ("/interactive/header/text", "interactive.header.text", limits::HEADER_TEXT_MAX),
            ("/interactive/action/sections/1/title", "interactive.action.sections[1].title", limits::SECTION_TITLE_MAX),
            ("/interactive/action/sections/0/product_items/0/product_retailer_id",
             "interactive.action.sections[0].product_items[0].product_retailer_id", limits::RETAILER_ID_MAX),
            ("/biz_opaque_callback_data", "biz_opaque_callback_data", limits::BIZ_OPAQUE_MAX),
            ("/interactive/action/catalog_id", "interactive.action.catalog_id", 0),
        ][which];
        let base = OutboundMessage::product_list("16505551234", "194836987003835", "Picks", "Fresh")
            .footer("f").section("A", ["a"]).section("B", ["b"]).biz_opaque_callback_data("x").build().unwrap();
        let mut v = serde_json::to_value(&base).unwrap();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let at_limit: String = std::iter::repeat_n(fill, max).collect();
        if max > 0 {
            v.pointer_mut(parent).unwrap()[key] = Value::String(at_limit.clone());
            prop_assert!(validate_value(&v, &Options::default()).is_ok(), "{} at its limit", path);
        }
        v.pointer_mut(parent).unwrap()[key] = Value::String(at_limit + &fill.to_string());
        let err = validate_value(&v, &Options::default()).unwrap_err();
        let got: Vec<_> = err.as_slice().iter().map(|v| (v.path.as_str(), v.code)).collect();
        prop_assert_eq!(got, vec![(path, 131009)]);
    }

    #[test]
    fn one_item_over_thirty_fails_at_the_thirty_first(split in 1usize..=30) {
        let first: Vec<String> = (0..split).map(|i| format!("a{i}")).collect();
        let second: Vec<String> = (0..31 - split).map(|i| format!("b{i}")).collect();
        let at_limit = OutboundMessage::product_list("16505551234", "1", "H", "B")
            .section("A", first.clone()).section("B", second[1..].to_vec()).build_unchecked();
        prop_assert!(at_limit.validate().is_ok() || second.len() == 1);
        let over = OutboundMessage::product_list("16505551234", "1", "H", "B")
            .section("A", first).section("B", second.clone()).build_unchecked();
        let err = over.validate().unwrap_err();
        let expected = format!("interactive.action.sections[1].product_items[{}]", second.len() - 1);
        let got: Vec<_> = err.as_slice().iter().map(|v| (v.path.clone(), v.code)).collect();
        prop_assert_eq!(got, vec![(expected, 131009)]);
    }
}
