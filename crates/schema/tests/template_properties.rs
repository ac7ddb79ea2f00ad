//! Properties of templates: definitions and sends round-trip through JSON and both validators,
//! the validators never panic, and one character, card or product over a limit fails at the
//! right path.

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::text;
use wacart_schema::{
    CardBuilder, Category, Content, Options, OutboundMessage, Parameter, TemplateDefinition,
    fill_template, template_limits, validate_json, validate_template_json, validate_template_value,
};

/// Like [`text`], never blank: it starts with a letter.
fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
    text(min.saturating_sub(1), max - 1).prop_map(|s| format!("a{s}"))
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,40}"
}

fn retailer_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,30}"
}

prop_compose! {
    fn mpm_send()(
        name in name(), header in words(1, 20), body in prop::collection::vec(words(1, 30), 0..4),
        sections in prop::collection::vec((words(1, 24), prop::collection::vec(retailer_id(), 1..=3)), 1..=10),
    ) -> OutboundMessage {
        let thumb = sections[0].1[0].clone();
        OutboundMessage::template("16505551234", name, "en_US")
            .header(Parameter::text(header))
            .body(body.into_iter().map(Parameter::text))
            .mpm_button(0, thumb, sections)
            .build_unchecked()
    }
}

prop_compose! {
    fn carousel_send()(name in name(), cards in 1usize..=10, body in words(1, 40)) -> OutboundMessage {
        OutboundMessage::template("+16505551234", name, "pt_BR")
            .body([Parameter::text(body)])
            .carousel((0..cards).map(|i| CardBuilder::product("300000000000001", format!("sku-{i}"))))
            .build_unchecked()
    }
}

prop_compose! {
    fn definition()(
        name in name(), kind in 0u8..4, body in words(1, 200), footer in prop::option::of(words(1, 60)),
        cards in 2usize..=10,
    ) -> TemplateDefinition {
        let b = match kind {
            0 => TemplateDefinition::catalog(name, "en_US", body),
            1 => TemplateDefinition::multi_product(name, "en_US", "Our picks", body),
            2 => TemplateDefinition::single_product(name, "en", body),
            _ => TemplateDefinition::product_carousel(name, "en_GB", body, cards),
        };
        let b = match (kind, footer) {
            (0..=2, Some(f)) => b.footer(f),
            _ => b,
        };
        b.build_unchecked()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn template_sends_round_trip_through_the_raw_validator(m in prop_oneof![mpm_send(), carousel_send()]) {
        let bytes = serde_json::to_vec(&m).unwrap();
        let back = validate_json(&bytes, &Options::default()).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert!(m.validate().is_ok());
    }

    #[test]
    fn definitions_round_trip_through_the_raw_validator(d in definition()) {
        let bytes = serde_json::to_vec(&d).unwrap();
        let back = validate_template_json(&bytes).unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&bytes)));
        prop_assert_eq!(&back, &d);
        prop_assert!(d.validate().is_ok());
    }

    #[test]
    fn the_validators_never_panic(v in arbitrary_json(3)) {
        let _ = validate_template_value(&v);
        let m = json!({"messaging_product": "whatsapp", "to": "1", "type": "template", "template": v});
        let _ = wacart_schema::validate_value(&m, &Options::default());
    }

    #[test]
    fn a_body_one_character_over_fails_at_its_path(n in 1020usize..1030) {
        let v = json!({"name": "t", "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "é".repeat(n)}]});
        let r = validate_template_value(&v);
        if n <= template_limits::BODY_TEXT_MAX {
            prop_assert!(r.is_ok());
        } else {
            let v = r.unwrap_err();
            prop_assert_eq!(v.as_slice().len(), 1);
            prop_assert_eq!(&v.first().path, "components[0].text");
        }
    }

    #[test]
    fn a_carousel_holds_two_to_ten_cards(n in 0usize..13) {
        let d = TemplateDefinition::product_carousel("picks", "en", "Picks", n).build();
        prop_assert_eq!(d.is_ok(), (template_limits::CARDS_MIN..=template_limits::CARDS_MAX).contains(&n));
        if let Err(v) = d {
            prop_assert_eq!(&v.first().path, "components[1].cards");
        }
    }

    #[test]
    fn an_mpm_send_holds_thirty_products_at_most(n in 25usize..36) {
        let ids: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
        let (a, b) = ids.split_at(n / 2);
        let m = OutboundMessage::template("16505551234", "mpm", "en")
            .mpm_button(0, "p0", [("A", a.to_vec()), ("B", b.to_vec())])
            .build();
        prop_assert_eq!(m.is_ok(), n <= 30);
        if let Err(v) = m {
            prop_assert_eq!(v.first().path.ends_with(&format!("product_items[{}]", 30 - n / 2)), true);
        }
    }

    #[test]
    fn a_body_filled_past_its_limit_is_132005(len in 1000usize..1040) {
        let def = TemplateDefinition::builder("t", "en", Category::Utility, "Hi {{1}}")
            .body_examples(["x"]).build().unwrap();
        let m = OutboundMessage::template("16505551234", "t", "en")
            .body([Parameter::text("x".repeat(len))]).build().unwrap();
        let Content::Template(t) = &m.content else { unreachable!() };
        let r = fill_template(&def, t);
        prop_assert_eq!(r.is_ok(), len + 3 <= template_limits::BODY_TEXT_MAX);
        if let Err(e) = r {
            prop_assert_eq!(e.code, 132_005);
        }
    }
}

fn arbitrary_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("header".to_owned()),
            Just("BODY".to_owned()),
            Just("button".to_owned()),
            Just("carousel".to_owned()),
            Just("text".to_owned()),
            Just("{{1}}".to_owned()),
            "[a-z_]{0,8}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("components".to_owned()),
                    Just("parameters".to_owned()),
                    Just("cards".to_owned()),
                    Just("buttons".to_owned()),
                    Just("text".to_owned()),
                    Just("format".to_owned()),
                    Just("index".to_owned()),
                    Just("sub_type".to_owned()),
                    Just("example".to_owned()),
                    "[a-z_]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
