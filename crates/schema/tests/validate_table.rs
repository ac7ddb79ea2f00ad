//! A table of broken messages, each with the exact (path, code) pairs it must yield.

use serde_json::{Value, json};
use wacart_schema::{
    Dialect, InputError, Options, validate_json, validate_kaleyra_value, validate_value,
};

fn spm() -> Value {
    json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"+16505551234",
      "type":"interactive","interactive":{"type":"product","body":{"text":"Our bestseller"},
      "footer":{"text":"Free delivery"},
      "action":{"catalog_id":"194836987003835","product_retailer_id":"di9ozbzfi4"}}})
}

fn mpm() -> Value {
    json!({"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
      "interactive":{"type":"product_list","header":{"type":"text","text":"Our picks"},
      "body":{"text":"Fresh today"},"action":{"catalog_id":"194836987003835","sections":[
        {"title":"Fruit","product_items":[{"product_retailer_id":"apple"},{"product_retailer_id":"pear"}]},
        {"title":"Vegetables","product_items":[{"product_retailer_id":"kale"}]}]}}})
}

fn catalog() -> Value {
    json!({"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
      "interactive":{"type":"catalog_message","body":{"text":"Browse our catalog"},
      "action":{"name":"catalog_message","parameters":{"thumbnail_product_retailer_id":"apple"}}}})
}

fn text() -> Value {
    json!({"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hi","preview_url":false}})
}

/// Applies `edit` to a JSON pointer: `Some(v)` sets, `None` removes.
fn with(mut base: Value, edits: &[(&str, Option<Value>)]) -> Value {
    for (pointer, edit) in edits {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = base
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match (target, edit) {
            (Value::Object(m), Some(v)) => {
                m.insert(key.to_owned(), v.clone());
            }
            (Value::Object(m), None) => {
                m.remove(key);
            }
            (Value::Array(a), Some(v)) => a[key.parse::<usize>().unwrap()] = v.clone(),
            (Value::Array(a), None) => {
                a.remove(key.parse::<usize>().unwrap());
            }
            _ => panic!("cannot edit {pointer}"),
        }
    }
    base
}

fn codes(v: &Value, opts: &Options) -> Vec<(String, u32)> {
    match validate_value(v, opts) {
        Ok(_) => vec![],
        Err(vs) => vs
            .into_vec()
            .into_iter()
            .map(|v| (v.path, v.code))
            .collect(),
    }
}

fn items(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({"product_retailer_id": format!("sku-{i}")}))
            .collect(),
    )
}

#[test]
fn valid_messages_pass() {
    for m in [spm(), mpm(), catalog(), text()] {
        assert_eq!(codes(&m, &Options::default()), vec![], "{m}");
    }
}

#[test]
fn broken_messages_yield_exact_paths_and_codes() {
    let x = "x";
    type Case = (&'static str, Value, Vec<(&'static str, u32)>);
    let cases: Vec<Case> = vec![
        ("not an object", json!([1]), vec![("$", 100)]),
        (
            "messaging_product missing",
            with(spm(), &[("/messaging_product", None)]),
            vec![("messaging_product", 131008)],
        ),
        (
            "messaging_product wrong",
            with(spm(), &[("/messaging_product", Some(json!("sms")))]),
            vec![("messaging_product", 131009)],
        ),
        (
            "messaging_product wrong type",
            with(spm(), &[("/messaging_product", Some(json!(1)))]),
            vec![("messaging_product", 100)],
        ),
        (
            "recipient_type wrong",
            with(spm(), &[("/recipient_type", Some(json!("everyone")))]),
            vec![("recipient_type", 131009)],
        ),
        (
            "to missing",
            with(spm(), &[("/to", None)]),
            vec![("to", 131008)],
        ),
        (
            "to with dashes",
            with(spm(), &[("/to", Some(json!("+1-650-555-1234")))]),
            vec![("to", 131009)],
        ),
        (
            "to with 16 digits",
            with(spm(), &[("/to", Some(json!("1234567890123456")))]),
            vec![("to", 131009)],
        ),
        (
            "to a number",
            with(spm(), &[("/to", Some(json!(16505551234u64)))]),
            vec![("to", 100)],
        ),
        (
            "unknown top-level field",
            with(spm(), &[("/priority", Some(json!("high")))]),
            vec![("priority", 100)],
        ),
        (
            "stray content key",
            with(spm(), &[("/text", Some(json!({"body":"hi"})))]),
            vec![("text", 100)],
        ),
        (
            "type missing means text",
            with(spm(), &[("/type", None)]),
            vec![("interactive", 100), ("text", 131008)],
        ),
        (
            "type not a string",
            with(spm(), &[("/type", Some(json!(3)))]),
            vec![("type", 100)],
        ),
        (
            "unknown type",
            with(spm(), &[("/type", Some(json!("hologram")))]),
            vec![("type", 131051)],
        ),
        (
            "interactive missing",
            with(spm(), &[("/interactive", None)]),
            vec![("interactive", 131008)],
        ),
        (
            "interactive.type missing",
            with(spm(), &[("/interactive/type", None)]),
            vec![("interactive.type", 131008)],
        ),
        (
            "interactive.type unknown",
            with(spm(), &[("/interactive/type", Some(json!("carousel3d")))]),
            vec![("interactive.type", 131009)],
        ),
        (
            "biz_opaque too long",
            with(
                spm(),
                &[("/biz_opaque_callback_data", Some(json!(x.repeat(513))))],
            ),
            vec![("biz_opaque_callback_data", 131009)],
        ),
        // single-product
        (
            "spm header",
            with(
                spm(),
                &[(
                    "/interactive/header",
                    Some(json!({"type":"text","text":"Hi"})),
                )],
            ),
            vec![("interactive.header", 131009)],
        ),
        (
            "spm catalog_id missing",
            with(spm(), &[("/interactive/action/catalog_id", None)]),
            vec![("interactive.action.catalog_id", 131008)],
        ),
        (
            "spm catalog_id not digits",
            with(
                spm(),
                &[("/interactive/action/catalog_id", Some(json!("cat-1")))],
            ),
            vec![("interactive.action.catalog_id", 131009)],
        ),
        (
            "spm retailer id missing",
            with(spm(), &[("/interactive/action/product_retailer_id", None)]),
            vec![("interactive.action.product_retailer_id", 131008)],
        ),
        (
            "spm retailer id empty",
            with(
                spm(),
                &[("/interactive/action/product_retailer_id", Some(json!("")))],
            ),
            vec![("interactive.action.product_retailer_id", 131009)],
        ),
        (
            "spm retailer id 101",
            with(
                spm(),
                &[(
                    "/interactive/action/product_retailer_id",
                    Some(json!(x.repeat(101))),
                )],
            ),
            vec![("interactive.action.product_retailer_id", 131009)],
        ),
        (
            "spm action sections",
            with(spm(), &[("/interactive/action/sections", Some(json!([])))]),
            vec![("interactive.action.sections", 100)],
        ),
        (
            "spm action missing",
            with(spm(), &[("/interactive/action", None)]),
            vec![("interactive.action", 131008)],
        ),
        (
            "spm body 1025",
            with(
                spm(),
                &[("/interactive/body/text", Some(json!(x.repeat(1025))))],
            ),
            vec![("interactive.body.text", 131009)],
        ),
        (
            "spm body text missing",
            with(spm(), &[("/interactive/body", Some(json!({})))]),
            vec![("interactive.body.text", 131008)],
        ),
        (
            "spm footer 61",
            with(
                spm(),
                &[("/interactive/footer/text", Some(json!(x.repeat(61))))],
            ),
            vec![("interactive.footer.text", 131009)],
        ),
        (
            "spm footer a string",
            with(
                spm(),
                &[("/interactive/footer", Some(json!("Free delivery")))],
            ),
            vec![("interactive.footer", 100)],
        ),
        // multi-product
        (
            "mpm header missing",
            with(mpm(), &[("/interactive/header", None)]),
            vec![("interactive.header", 131008)],
        ),
        (
            "mpm header image",
            with(mpm(), &[("/interactive/header/type", Some(json!("image")))]),
            vec![("interactive.header.type", 131009)],
        ),
        (
            "mpm header text 61",
            with(
                mpm(),
                &[("/interactive/header/text", Some(json!(x.repeat(61))))],
            ),
            vec![("interactive.header.text", 131009)],
        ),
        (
            "mpm header text empty",
            with(mpm(), &[("/interactive/header/text", Some(json!("")))]),
            vec![("interactive.header.text", 131009)],
        ),
        (
            "mpm body missing",
            with(mpm(), &[("/interactive/body", None)]),
            vec![("interactive.body", 131008)],
        ),
        (
            "mpm sections missing",
            with(mpm(), &[("/interactive/action/sections", None)]),
            vec![("interactive.action.sections", 131008)],
        ),
        (
            "mpm sections empty",
            with(mpm(), &[("/interactive/action/sections", Some(json!([])))]),
            vec![("interactive.action.sections", 131009)],
        ),
        (
            "mpm sections object",
            with(mpm(), &[("/interactive/action/sections", Some(json!({})))]),
            vec![("interactive.action.sections", 100)],
        ),
        (
            "mpm second title missing",
            with(mpm(), &[("/interactive/action/sections/1/title", None)]),
            vec![("interactive.action.sections[1].title", 131009)],
        ),
        (
            "mpm title 25",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections/0/title",
                    Some(json!(x.repeat(25))),
                )],
            ),
            vec![("interactive.action.sections[0].title", 131009)],
        ),
        (
            "mpm items empty",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections/1/product_items",
                    Some(json!([])),
                )],
            ),
            vec![("interactive.action.sections[1].product_items", 131009)],
        ),
        (
            "mpm item unknown field",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections/0/product_items/1/qty",
                    Some(json!(2)),
                )],
            ),
            vec![("interactive.action.sections[0].product_items[1].qty", 100)],
        ),
        (
            "mpm item id wrong type",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections/0/product_items/0/product_retailer_id",
                    Some(json!(7)),
                )],
            ),
            vec![(
                "interactive.action.sections[0].product_items[0].product_retailer_id",
                100,
            )],
        ),
        (
            "mpm 31 items",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections/1/product_items",
                    Some(items(29)),
                )],
            ),
            vec![("interactive.action.sections[1].product_items[28]", 131009)],
        ),
        (
            "mpm 11 sections",
            with(
                mpm(),
                &[(
                    "/interactive/action/sections",
                    Some(Value::Array(
                        (0..11)
                            .map(|i| json!({"title": format!("S{i}"), "product_items": items(1)}))
                            .collect(),
                    )),
                )],
            ),
            vec![("interactive.action.sections", 131009)],
        ),
        // catalog
        (
            "catalog header",
            with(
                catalog(),
                &[(
                    "/interactive/header",
                    Some(json!({"type":"text","text":"Hi"})),
                )],
            ),
            vec![("interactive.header", 131009)],
        ),
        (
            "catalog name wrong",
            with(
                catalog(),
                &[("/interactive/action/name", Some(json!("catalog")))],
            ),
            vec![("interactive.action.name", 131009)],
        ),
        (
            "catalog name missing",
            with(catalog(), &[("/interactive/action/name", None)]),
            vec![("interactive.action.name", 131008)],
        ),
        (
            "catalog body missing",
            with(catalog(), &[("/interactive/body", None)]),
            vec![("interactive.body", 131008)],
        ),
        (
            "catalog thumbnail 101",
            with(
                catalog(),
                &[(
                    "/interactive/action/parameters/thumbnail_product_retailer_id",
                    Some(json!(x.repeat(101))),
                )],
            ),
            vec![(
                "interactive.action.parameters.thumbnail_product_retailer_id",
                131009,
            )],
        ),
        // text
        (
            "text body empty",
            with(text(), &[("/text/body", Some(json!("")))]),
            vec![("text.body", 131009)],
        ),
        (
            "text body 4097",
            with(text(), &[("/text/body", Some(json!(x.repeat(4097))))]),
            vec![("text.body", 131009)],
        ),
        (
            "text preview_url string",
            with(text(), &[("/text/preview_url", Some(json!("yes")))]),
            vec![("text.preview_url", 100)],
        ),
        (
            "text missing",
            with(text(), &[("/text", None)]),
            vec![("text", 131008)],
        ),
        (
            "reply context without id",
            with(text(), &[("/context", Some(json!({})))]),
            vec![("context.message_id", 131008)],
        ),
    ];
    let mut failures = Vec::new();
    for (name, message, expected) in cases {
        let got = codes(&message, &Options::default());
        let expected: Vec<(String, u32)> = expected
            .into_iter()
            .map(|(p, c)| (p.to_owned(), c))
            .collect();
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_violation_is_reported_at_once() {
    let m = with(
        mpm(),
        &[
            ("/to", Some(json!("not-a-phone"))),
            ("/interactive/header/type", Some(json!("video"))),
            ("/interactive/body/text", Some(json!(""))),
            ("/interactive/action/sections/1/title", None),
            (
                "/interactive/action/sections/0/product_items/0/product_retailer_id",
                Some(json!("")),
            ),
        ],
    );
    let got = codes(&m, &Options::default());
    assert_eq!(
        got,
        vec![
            ("to".to_owned(), 131009),
            ("interactive.header.type".to_owned(), 131009),
            ("interactive.body.text".to_owned(), 131009),
            (
                "interactive.action.sections[0].product_items[0].product_retailer_id".to_owned(),
                131009
            ),
            ("interactive.action.sections[1].title".to_owned(), 131009),
        ]
    );
}

#[test]
fn limits_count_characters_not_bytes() {
    // 60 emoji are 240 bytes but 60 characters: a footer may hold them.
    let footer = "🛒".repeat(60);
    assert_eq!(
        codes(
            &with(spm(), &[("/interactive/footer/text", Some(json!(footer)))]),
            &Options::default()
        ),
        vec![]
    );
    let footer = "🛒".repeat(61);
    assert_eq!(
        codes(
            &with(spm(), &[("/interactive/footer/text", Some(json!(footer)))]),
            &Options::default()
        ),
        vec![("interactive.footer.text".to_owned(), 131009)]
    );
}

#[test]
fn strict_catalog_thumbnail_is_an_option() {
    let m = with(catalog(), &[("/interactive/action/parameters", None)]);
    assert_eq!(codes(&m, &Options::default()), vec![]);
    let strict = Options::default().strict_catalog_thumbnail(true);
    assert_eq!(
        codes(&m, &strict),
        vec![(
            "interactive.action.parameters.thumbnail_product_retailer_id".to_owned(),
            131008
        )]
    );
}

#[test]
fn a_single_untitled_section_is_fine() {
    let m = with(
        mpm(),
        &[
            ("/interactive/action/sections/1", None),
            ("/interactive/action/sections/0/title", None),
        ],
    );
    assert_eq!(codes(&m, &Options::default()), vec![]);
}

#[test]
fn kaleyra_relaxes_type_and_to_and_prefixes_paths() {
    let envelope = json!({"messaging_object": {"messaging_product": "whatsapp", "to": "16505551234, +16505551235", "text": {"body": "hi"}},
        "extra_info": {"ref": "r".repeat(300), "wa_source": "carrier-pigeon"}});
    let mut request =
        validate_kaleyra_value(&envelope, &Options::default()).expect("valid for Kaleyra");
    request.normalize();
    let info = request.extra_info.unwrap();
    assert_eq!(info.reference.unwrap().chars().count(), 255);
    assert_eq!(info.wa_source.as_deref(), Some("api"));
    // The same body on Meta's door misses two fields.
    let meta = codes(
        &envelope["messaging_object"],
        &Options::for_dialect(Dialect::Meta),
    );
    assert_eq!(meta, vec![("to".to_owned(), 131009)]);
    let bad = json!({"messaging_object": {"messaging_product": "whatsapp", "to": "16505551234", "type": "interactive"}, "extra": 1});
    let err = validate_kaleyra_value(&bad, &Options::default()).unwrap_err();
    let got: Vec<_> = err
        .into_vec()
        .into_iter()
        .map(|v| (v.path, v.code))
        .collect();
    assert_eq!(
        got,
        vec![
            ("extra".to_owned(), 100),
            ("messaging_object.interactive".to_owned(), 131008)
        ]
    );
}

#[test]
fn kaleyra_requires_messaging_product_and_individual_recipients() {
    let got = |v: serde_json::Value| -> Vec<(String, u32)> {
        match validate_kaleyra_value(&v, &Options::default()) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_vec().into_iter().map(|v| (v.path, v.code)).collect(),
        }
    };
    assert_eq!(
        got(json!({"messaging_object": {"to": "16505551234", "text": {"body": "hi"}}})),
        vec![("messaging_object.messaging_product".to_owned(), 131008)]
    );
    assert_eq!(
        got(
            json!({"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "group", "to": "120363", "text": {"body": "hi"}}})
        ),
        vec![("messaging_object.recipient_type".to_owned(), 131009)]
    );
    assert_eq!(
        got(
            json!({"messaging_object": {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "text": {"body": "hi"}}, "callback_profile_id": "cb-1"})
        ),
        vec![]
    );
    assert_eq!(
        got(
            json!({"messaging_object": {"messaging_product": "whatsapp", "to": "16505551234", "text": {"body": "hi"}}, "callback_profile_id": 7})
        ),
        vec![("callback_profile_id".to_owned(), 100)]
    );
    // Meta's door still takes groups.
    let group = json!({"messaging_product": "whatsapp", "recipient_type": "group", "to": "120363", "text": {"body": "hi"}});
    assert_eq!(codes(&group, &Options::default()), vec![]);
}

#[test]
fn bytes_that_are_not_json_are_told_apart() {
    assert!(matches!(
        validate_json(b"{\"to\":", &Options::default()),
        Err(InputError::NotJson(_))
    ));
    assert!(matches!(
        validate_json(b"\xff\xfe", &Options::default()),
        Err(InputError::NotJson(_))
    ));
    assert!(matches!(
        validate_json(b"{}", &Options::default()),
        Err(InputError::Invalid(_))
    ));
}

#[test]
fn the_typed_walker_agrees_with_the_raw_walker() {
    for m in [mpm(), spm(), catalog(), text()] {
        let typed = validate_value(&m, &Options::default()).expect("valid");
        typed.validate().expect("valid typed too");
    }
    // Break a limit on the typed value: same path and code as the raw walker reports.
    let long = with(
        mpm(),
        &[(
            "/interactive/action/sections/0/title",
            Some(json!("t".repeat(25))),
        )],
    );
    let typed: wacart_schema::OutboundMessage = serde_json::from_value(long.clone()).unwrap();
    let from_typed: Vec<_> = typed
        .validate()
        .unwrap_err()
        .into_vec()
        .into_iter()
        .map(|v| (v.path, v.code))
        .collect();
    assert_eq!(from_typed, codes(&long, &Options::default()));
}
