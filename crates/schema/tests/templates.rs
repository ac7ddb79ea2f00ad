//! Templates: a table of broken definitions and broken sends, each with the exact (path, code)
//! pairs it must yield; every commerce template built, checked and filled; sends that do not
//! fit their template (132000, 132005, 132012).

use serde_json::{Value, json};
use wacart_schema::{
    ButtonType, CardBuilder, Category, FilledHeader, HeaderFormat, Options, OutboundMessage,
    Parameter, RetailerId, TemplateDefinition, TemplateKind, TemplateStatusUpdate, WebhookPayload,
    fill_template, validate_template_value, validate_value,
};

fn def_codes(v: &Value) -> Vec<(String, u32)> {
    match validate_template_value(v) {
        Ok(_) => vec![],
        Err(vs) => vs
            .into_vec()
            .into_iter()
            .map(|v| (v.path, v.code))
            .collect(),
    }
}

fn send_codes(v: &Value) -> Vec<(String, u32)> {
    match validate_value(v, &Options::default()) {
        Ok(_) => vec![],
        Err(vs) => vs
            .into_vec()
            .into_iter()
            .map(|v| (v.path, v.code))
            .collect(),
    }
}

/// A case: its name, the JSON, and the (path, code) pairs it must yield.
type Case = (&'static str, Value, Vec<(String, u32)>);

fn p(path: &str, code: u32) -> (String, u32) {
    (path.to_owned(), code)
}

fn mpm_def() -> Value {
    json!({"name": "abandoned_cart", "language": "en_US", "category": "MARKETING", "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Forget something {{1}}?", "example": {"header_text": ["Pablo"]}},
        {"type": "BODY", "text": "Use code {{1}} for 10% off!", "example": {"body_text": [["10OFF"]]}},
        {"type": "BUTTONS", "buttons": [{"type": "MPM", "text": "View items"}]}]})
}

fn carousel_card() -> Value {
    json!({"components": [{"type": "header", "format": "product"},
        {"type": "buttons", "buttons": [{"type": "spm", "text": "View"}]}]})
}

#[test]
fn broken_definitions_yield_every_violation_with_its_path() {
    let cases: Vec<Case> = vec![
        ("valid mpm", mpm_def(), vec![]),
        (
            "name, language and category",
            json!({"name": "Big Sale!", "language": "english", "category": "PROMO",
                   "components": [{"type": "BODY", "text": "Hi"}]}),
            vec![p("name", 100), p("language", 100), p("category", 100)],
        ),
        (
            "missing parts",
            json!({"components": []}),
            vec![
                p("name", 100),
                p("language", 100),
                p("category", 100),
                p("components", 100),
            ],
        ),
        (
            "limits of header, body, footer and button",
            json!({"name": "t", "language": "en", "category": "UTILITY", "components": [
                {"type": "HEADER", "format": "TEXT", "text": "x".repeat(61)},
                {"type": "BODY", "text": "y".repeat(1025)},
                {"type": "FOOTER", "text": "z".repeat(61)},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "w".repeat(26)}]}]}),
            vec![
                p("components[0].text", 100),
                p("components[1].text", 100),
                p("components[2].text", 100),
                p("components[3].buttons[0].text", 100),
            ],
        ),
        (
            "variables: a gap, no sample, two in a header",
            json!({"name": "t", "language": "en", "category": "UTILITY", "components": [
                {"type": "HEADER", "format": "TEXT", "text": "{{1}} {{2}}", "example": {"header_text": ["a", "b"]}},
                {"type": "BODY", "text": "Hi {{1}} and {{3}}"}]}),
            vec![
                p("components[0].text", 100),
                p("components[1].text", 100),
                p("components[1].example", 100),
            ],
        ),
        (
            "too many buttons of a kind, interleaved quick replies",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Hi"},
                {"type": "BUTTONS", "buttons": [
                    {"type": "QUICK_REPLY", "text": "a"},
                    {"type": "URL", "text": "b", "url": "https://a.example"},
                    {"type": "QUICK_REPLY", "text": "c"},
                    {"type": "URL", "text": "d", "url": "https://b.example"},
                    {"type": "URL", "text": "e", "url": "https://c.example/{{1}}"}]}]}),
            vec![
                p("components[1].buttons[4].example", 100),
                p("components[1].buttons", 100),
                p("components[1].buttons", 100),
            ],
        ),
        (
            "catalog button in a utility template, with a header",
            json!({"name": "t", "language": "en", "category": "UTILITY", "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Hi"},
                {"type": "BODY", "text": "Browse"},
                {"type": "BUTTONS", "buttons": [{"type": "CATALOG", "text": "View catalog"}]}]}),
            vec![p("components", 100), p("components", 100)],
        ),
        (
            "mpm without its text header",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Browse"},
                {"type": "BUTTONS", "buttons": [{"type": "MPM", "text": "View items"}]}]}),
            vec![p("components", 100)],
        ),
        (
            "spm without the product header",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Look"},
                {"type": "BUTTONS", "buttons": [{"type": "SPM", "text": "View"}]}]}),
            vec![p("components", 100)],
        ),
        (
            "carousel of one card",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Picks"},
                {"type": "CAROUSEL", "cards": [carousel_card()]}]}),
            vec![p("components[1].cards", 100)],
        ),
        (
            "carousel of eleven cards",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Picks"},
                {"type": "CAROUSEL", "cards": vec![carousel_card(); 11]}]}),
            vec![p("components[1].cards", 100)],
        ),
        (
            "carousel cards of different structure, and a footer beside them",
            json!({"name": "t", "language": "en", "category": "MARKETING", "components": [
                {"type": "BODY", "text": "Picks"},
                {"type": "FOOTER", "text": "Bye"},
                {"type": "CAROUSEL", "cards": [carousel_card(),
                    {"components": [{"type": "header", "format": "image", "example": {"header_handle": ["4::aW"]}},
                        {"type": "buttons", "buttons": [{"type": "quick_reply", "text": "More"}]}]}]}]}),
            vec![p("components[2].cards[1]", 100), p("components", 100)],
        ),
        (
            "authentication needs its OTP button",
            json!({"name": "t", "language": "en", "category": "AUTHENTICATION", "components": [
                {"type": "BODY", "add_security_recommendation": true},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Yes"}]}]}),
            vec![p("components", 100)],
        ),
        (
            "unknown fields and types",
            json!({"name": "t", "language": "en", "category": "MARKETING", "colour": "red", "components": [
                {"type": "BODY", "text": "Hi", "style": "bold"},
                {"type": "SIDEBAR"}]}),
            vec![
                p("colour", 100),
                p("components[0].style", 100),
                p("components[1].type", 100),
            ],
        ),
    ];
    for (name, v, expected) in cases {
        assert_eq!(def_codes(&v), expected, "{name}");
    }
}

fn send(template: Value) -> Value {
    json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "template", "template": template})
}

#[test]
fn broken_sends_yield_every_violation_with_its_path() {
    let cases: Vec<Case> = vec![
        (
            "no template object",
            json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "template"}),
            vec![p("template", 131_008)],
        ),
        (
            "no name or language",
            send(json!({})),
            vec![p("template.name", 131_008), p("template.language", 131_008)],
        ),
        (
            "bad name, language code, component type",
            send(json!({"name": "Big-Sale", "language": {"code": "English"},
                        "components": [{"type": "footer", "parameters": []}]})),
            vec![
                p("template.name", 131_009),
                p("template.language.code", 131_009),
                p("template.components[0].type", 131_009),
            ],
        ),
        (
            "parameters: empty text, bad currency, media with both id and link",
            send(
                json!({"name": "t", "language": {"code": "en_US"}, "components": [
                {"type": "header", "parameters": [{"type": "image", "image": {"id": "1", "link": "https://x.example/a.jpg"}}]},
                {"type": "body", "parameters": [
                    {"type": "text", "text": ""},
                    {"type": "currency", "currency": {"fallback_value": "$1", "code": "usd"}}]}]}),
            ),
            vec![
                p("template.components[0].parameters[0].image", 131_009),
                p("template.components[1].parameters[0].text", 131_008),
                p(
                    "template.components[1].parameters[1].currency.code",
                    131_009,
                ),
                p(
                    "template.components[1].parameters[1].currency.amount_1000",
                    131_008,
                ),
            ],
        ),
        (
            "buttons: a bad sub_type, an index twice, the wrong parameter",
            send(
                json!({"name": "t", "language": {"code": "en_US"}, "components": [
                {"type": "button", "sub_type": "teleport", "index": 0, "parameters": []},
                {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "coupon_code", "coupon_code": "X"}]},
                {"type": "button", "sub_type": "url", "index": 12, "parameters": [{"type": "text", "text": "a"}]}]}),
            ),
            vec![
                p("template.components[0].sub_type", 131_009),
                p("template.components[1].parameters[0].type", 131_009),
                p("template.components[1].index", 131_009),
                p("template.components[2].index", 131_009),
            ],
        ),
        (
            "an mpm action without thumbnail, 31 products",
            send(
                json!({"name": "t", "language": {"code": "en_US"}, "components": [
                {"type": "button", "sub_type": "mpm", "index": 0, "parameters": [{"type": "action", "action": {
                    "sections": [{"title": "A", "product_items": (0..16).map(|i| json!({"product_retailer_id": format!("a{i}")})).collect::<Vec<_>>()},
                                 {"title": "B", "product_items": (0..15).map(|i| json!({"product_retailer_id": format!("b{i}")})).collect::<Vec<_>>()}]}}]}]}),
            ),
            vec![
                p(
                    "template.components[0].parameters[0].action.sections[1].product_items[14]",
                    131_009,
                ),
                p(
                    "template.components[0].parameters[0].action.thumbnail_product_retailer_id",
                    131_008,
                ),
            ],
        ),
        (
            "carousel: eleven cards, an index twice",
            send(
                json!({"name": "t", "language": {"code": "en_US"}, "components": [
                {"type": "carousel", "cards": (0..11).map(|i| json!({"card_index": i % 10, "components": [
                    {"type": "header", "parameters": [{"type": "product", "product": {"product_retailer_id": "x", "catalog_id": "1"}}]}]})).collect::<Vec<_>>()}]}),
            ),
            vec![
                p("template.components[0].cards", 131_009),
                p("template.components[0].cards[10].card_index", 131_009),
            ],
        ),
    ];
    for (name, v, expected) in cases {
        assert_eq!(send_codes(&v), expected, "{name}");
    }
}

fn examples(b: wacart_schema::DefinitionBuilder) -> TemplateDefinition {
    b.build().unwrap_or_else(|v| panic!("{v}"))
}

#[test]
fn every_commerce_template_builds_and_its_send_fills() {
    let catalog = examples(
        TemplateDefinition::catalog("intro_catalog_offer", "en_US", "Now shop for your favourite products right here on WhatsApp! Get Rs {{1}} off on all orders above {{2}}Rs!")
            .body_examples(["100", "400"])
            .footer("Best grocery deals on WhatsApp!"),
    );
    assert_eq!(catalog.kind(), TemplateKind::Catalog);
    let m = OutboundMessage::template("16505551234", "intro_catalog_offer", "en_US")
        .body([Parameter::text("100"), Parameter::text("400")])
        .catalog_button(0, Some(RetailerId::new("2lc20305pt")))
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    let filled = fill_template(&catalog, t).unwrap();
    assert_eq!(
        filled.body.as_deref(),
        Some(
            "Now shop for your favourite products right here on WhatsApp! Get Rs 100 off on all orders above 400Rs!"
        )
    );
    assert_eq!(filled.products().len(), 1);

    let mpm: TemplateDefinition = validate_template_value(&mpm_def()).unwrap();
    assert_eq!(mpm.kind(), TemplateKind::MultiProduct);
    let m = OutboundMessage::template("16505551234", "abandoned_cart", "en_US")
        .header(Parameter::text("Pablo"))
        .body([Parameter::text("10OFF")])
        .mpm_button(
            0,
            "pear",
            [("Fruit", vec!["pear", "apple"]), ("Greens", vec!["kale"])],
        )
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    let filled = fill_template(&mpm, t).unwrap();
    assert_eq!(
        filled.header,
        Some(FilledHeader::Text {
            text: "Forget something Pablo?".into()
        })
    );
    assert_eq!(filled.button(&ButtonType::Mpm).unwrap().sections.len(), 2);
    assert_eq!(filled.products().len(), 4);

    let spm = examples(
        TemplateDefinition::single_product("pear_back", "en_US", "Back in stock!")
            .footer("Limited"),
    );
    assert_eq!(spm.kind(), TemplateKind::SingleProduct);
    let m = OutboundMessage::template("16505551234", "pear_back", "en_US")
        .product("300000000000001", "pear")
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    assert_eq!(fill_template(&spm, t).unwrap().products().len(), 1);

    let carousel = examples(
        TemplateDefinition::product_carousel("picks", "en_US", "Our {{1}} picks", 10)
            .body_examples(["weekly"]),
    );
    assert_eq!(carousel.kind(), TemplateKind::ProductCarousel);
    let m = OutboundMessage::template("16505551234", "picks", "en_US")
        .body([Parameter::text("weekly")])
        .carousel((0..10).map(|i| CardBuilder::product("300000000000001", format!("sku-{i}"))))
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    let filled = fill_template(&carousel, t).unwrap();
    assert_eq!(filled.cards.len(), 10);
    assert_eq!(filled.products().len(), 10);

    let media = examples(TemplateDefinition::media_carousel(
        "looks",
        "en_US",
        "New looks",
        (0..3).map(|i| {
            (
                format!("4::handle{i}"),
                "Look {{1}} of 3".to_owned(),
                vec![i.to_string()],
                vec!["More".to_owned()],
            )
        }),
    ));
    assert_eq!(media.kind(), TemplateKind::MediaCarousel);
    let m = OutboundMessage::template("16505551234", "looks", "en_US")
        .carousel((0..3).map(|i| {
            CardBuilder::media(Parameter::image_link(format!(
                "https://cdn.example/{i}.jpg"
            )))
            .body([Parameter::text((i + 1).to_string())])
            .quick_reply(0, format!("more-{i}"))
        }))
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    let filled = fill_template(&media, t).unwrap();
    assert_eq!(filled.cards[2].body.as_deref(), Some("Look 3 of 3"));
    assert_eq!(
        filled.cards[2].buttons[0].payload.as_deref(),
        Some("more-2")
    );

    let checkout = examples(
        TemplateDefinition::checkout("back_in_stock", "en_US", "4::aW1h", "Hi {{1}}! It is back!")
            .body_examples(["Pablo"])
            .quick_reply("Stop"),
    );
    assert_eq!(checkout.kind(), TemplateKind::Checkout);
    assert_eq!(checkout.category, Category::Marketing);
}

#[test]
fn sends_that_do_not_fit_their_template_are_refused_with_metas_codes() {
    let mpm: TemplateDefinition = validate_template_value(&mpm_def()).unwrap();
    let fit = |b: wacart_schema::MessageBuilder<wacart_schema::TemplateKindMarker>| {
        let m = b.build().unwrap();
        let wacart_schema::Content::Template(t) = m.content else {
            panic!()
        };
        fill_template(&mpm, &t)
            .map(drop)
            .map_err(|e| (e.code, e.details))
    };
    let base = || OutboundMessage::template("16505551234", "abandoned_cart", "en_US");
    // No body parameter: 132000.
    assert_eq!(
        fit(base().header(Parameter::text("P")).mpm_button(0, "a", [("A", vec!["a"])])),
        Err((132_000, "body: number of localizable_params (0) does not match the expected number of params (1)".into()))
    );
    // An image where the header has text: 132012.
    assert_eq!(
        fit(base()
            .header(Parameter::image_link("https://x.example/a.jpg"))
            .body([Parameter::text("X")])
            .mpm_button(0, "a", [("A", vec!["a"])])),
        Err((
            132_012,
            "header: Format mismatch, expected TEXT, received IMAGE".into()
        ))
    );
    // The MPM button's action missing: 132000.
    assert_eq!(
        fit(base()
            .header(Parameter::text("P"))
            .body([Parameter::text("X")]))
        .map_err(|e| e.0),
        Err(132_000)
    );
    // A quick reply where the template has its MPM button: 132012.
    assert_eq!(
        fit(base()
            .header(Parameter::text("P"))
            .body([Parameter::text("X")])
            .quick_reply(0, "x"))
        .map_err(|e| e.0),
        Err(132_012)
    );
    // The header filled past 60 characters: 132005.
    assert_eq!(
        fit(base()
            .header(Parameter::text("p".repeat(50)))
            .body([Parameter::text("X")])
            .mpm_button(0, "a", [("A", vec!["a"])])),
        Err((
            132_005,
            "header: the text filled in is 68 characters long; at most 60 are allowed".into()
        ))
    );
    // All there.
    assert_eq!(
        fit(base()
            .header(Parameter::text("P"))
            .body([Parameter::currency("$1", "USD", 1000)])
            .mpm_button(0, "a", [("A", vec!["a"])])),
        Ok(())
    );
}

#[test]
fn named_variables_are_filled_by_name() {
    let def = validate_template_value(&json!({"name": "hello", "language": "en", "category": "UTILITY",
        "parameter_format": "NAMED", "components": [{"type": "BODY", "text": "Hi {{first_name}}, order {{order}}",
        "example": {"body_text_named_params": [{"param_name": "first_name", "example": "Ana"}, {"param_name": "order", "example": "7"}]}}]}))
        .unwrap();
    let m = OutboundMessage::template("16505551234", "hello", "en")
        .body([
            Parameter::named_text("order", "42"),
            Parameter::named_text("first_name", "Ana"),
        ])
        .build()
        .unwrap();
    let wacart_schema::Content::Template(t) = &m.content else {
        panic!()
    };
    assert_eq!(
        fill_template(&def, t).unwrap().body.as_deref(),
        Some("Hi Ana, order 42")
    );
}

#[test]
fn the_status_webhook_parses() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "200000000000001", "time": 1750000000,
        "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED",
        "message_template_id": 1600000000000001_u64, "message_template_name": "abandoned_cart",
        "message_template_language": "en_US", "reason": "NONE", "message_template_category": "MARKETING"}}]}]});
    let payload: WebhookPayload = serde_json::from_value(body.clone()).unwrap();
    let updates: Vec<TemplateStatusUpdate> = payload.template_status_updates();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].event, wacart_schema::TemplateStatus::Approved);
    assert_eq!(serde_json::to_value(&payload).unwrap(), body);
    assert_eq!(HeaderFormat::from("product"), HeaderFormat::Product);
}
