//! Every fixture under `fixtures/` (extracted from Meta's OpenAPI file by `cargo xtask codegen`,
//! or written by hand from the spec) parses into its type, and writing it back loses nothing.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wacart_schema::{
    D360ErrorResponse, GraphErrorResponse, InboundMessage, KaleyraRequest, KaleyraResponse,
    Options, SendResponse, TemplateDefinition, WebhookPayload, validate_kaleyra_value,
    validate_template_value, validate_value,
};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for dir in ["meta-openapi", "spec"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("fixture directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Old examples wrote `item_price` as a string; we write numbers. Compare modulo that.
fn numeric_prices(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "item_price" {
                    if let Value::String(s) = child {
                        *child = serde_json::from_str(s).expect("a numeric string");
                    }
                } else {
                    numeric_prices(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(numeric_prices),
        _ => {}
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, value: &Value) {
    let typed: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| {
        panic!(
            "{name}: does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let mut expected = value.clone();
    numeric_prices(&mut expected);
    let back = serde_json::to_value(&typed).expect("serializes");
    assert_eq!(back, expected, "{name}: writing it back changed it");
}

#[test]
fn every_fixture_parses_and_round_trips() {
    let files = fixtures();
    assert!(
        files.len() >= 20,
        "expected the generated and hand-written fixtures, found {}",
        files.len()
    );
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(
            doc["origin"]["file"].is_string(),
            "{name}: every fixture notes its origin"
        );
        let value = &doc["value"];
        match doc["kind"].as_str().unwrap() {
            "outbound" => {
                // Meta's examples hold placeholders (`{{Recipient-Phone-Number}}`), so the shape
                // is checked here and the rules in `meta_examples_break_only_placeholder_rules`.
                // `type` defaults to `text` and is written explicitly.
                let mut value = value.clone();
                value
                    .as_object_mut()
                    .unwrap()
                    .entry("type")
                    .or_insert("text".into());
                round_trip::<wacart_schema::OutboundMessage>(&name, &value);
            }
            "send_response" => round_trip::<SendResponse>(&name, value),
            "webhook" => round_trip::<WebhookPayload>(&name, value),
            "inbound_message" => round_trip::<InboundMessage>(&name, value),
            "graph_error" => round_trip::<GraphErrorResponse>(&name, value),
            "kaleyra_request" => {
                round_trip::<KaleyraRequest>(&name, value);
                validate_kaleyra_value(value, &Options::default())
                    .unwrap_or_else(|v| panic!("{name}: {v}"));
            }
            "kaleyra_response" => round_trip::<KaleyraResponse>(&name, value),
            "d360_error" => round_trip::<D360ErrorResponse>(&name, value),
            // Meta's examples write types and categories in either case; wacart writes them in
            // upper case. Parsing is checked, and that writing it back reads the same.
            "template_definition" => {
                let typed: TemplateDefinition = serde_json::from_value(value.clone())
                    .unwrap_or_else(|e| panic!("{name}: does not parse: {e}"));
                let back: TemplateDefinition =
                    serde_json::from_value(serde_json::to_value(&typed).unwrap()).unwrap();
                assert_eq!(back, typed, "{name}: writing it back changed it");
            }
            other => panic!("{name}: unknown fixture kind {other}"),
        }
    }
}

/// What the validators say of Meta's own send and template examples: only their placeholders
/// and the defects docs/templates.md lists break rules.
#[test]
fn meta_examples_break_only_placeholder_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/meta-openapi");
    let mut report = String::new();
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = match doc["kind"].as_str() {
            Some("outbound") => validate_value(&doc["value"], &Options::default()).map(drop),
            Some("template_definition") => validate_template_value(&doc["value"]).map(drop),
            _ => continue,
        };
        match checked {
            Ok(_) => report.push_str(&format!("{name}: valid\n")),
            Err(v) => {
                for line in &v {
                    report.push_str(&format!("{name}: {line}\n"));
                }
            }
        }
    }
    insta::assert_snapshot!(report);
}

/// Optional fields given as an explicit `null` read as absent (webhooks must not break on it).
#[test]
fn explicit_nulls_are_absent() {
    let status: wacart_schema::Status = serde_json::from_str(
        r#"{"id":"wamid.X","status":"read","timestamp":"1","recipient_id":"1","pricing":null,"biz_opaque_callback_data":null}"#,
    )
    .unwrap();
    assert!(status.pricing.is_none() && status.biz_opaque_callback_data.is_none());
}
