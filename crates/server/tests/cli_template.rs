//! `wacart template check` and `wacart validate` on template sends, run as a user runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn wacart(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wacart"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wacart starts");
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

const MPM: &str = r#"{"name":"abandoned_cart","language":"en_US","category":"MARKETING","components":[
  {"type":"HEADER","format":"TEXT","text":"Forget something {{1}}?","example":{"header_text":["Pablo"]}},
  {"type":"BODY","text":"Use code {{1}} for 10% off!","example":{"body_text":[["10OFF"]]}},
  {"type":"BUTTONS","buttons":[{"type":"MPM","text":"View items"}]}]}"#;

const BROKEN: &str = r#"{"name":"Abandoned Cart","language":"en_US","category":"MARKETING","components":[
  {"type":"BODY","text":"Use code {{1}} for 10% off!"},
  {"type":"BUTTONS","buttons":[{"type":"MPM","text":"View items"}]}]}"#;

#[test]
fn a_valid_definition_exits_0_with_its_kind() {
    let out = wacart(&["template", "check"], MPM.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "valid: multi_product template\n"
    );
    let out = wacart(&["template", "check", "--json", "-"], MPM.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"kind\":\"multi_product\",\"valid\":true,\"violations\":[]}\n"
    );
}

#[test]
fn a_broken_definition_exits_1_one_line_per_violation() {
    let out = wacart(&["template", "check"], BROKEN.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "name: 100: \"Abandoned Cart\": only lower-case letters, digits and underscores are allowed\n\
         components[0].example: 100: sample values are required: body_text with 1 value(s)\n\
         components: 100: a multi-product template needs a TEXT HEADER\n"
    );
    let out = wacart(&["template", "check"], b"not json");
    assert_eq!(out.status.code(), Some(2));
    let out = wacart(&["template", "check", "/no/such/file.json"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn validate_checks_template_sends() {
    let no_template = br#"{"messaging_product":"whatsapp","to":"16505551234","type":"template"}"#;
    let out = wacart(&["validate"], no_template);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "template: 131008: required\n"
    );
    let ok = br#"{"messaging_product":"whatsapp","to":"16505551234","type":"template",
      "template":{"name":"abandoned_cart","language":{"code":"en_US"},"components":[
        {"type":"header","parameters":[{"type":"text","text":"Pablo"}]},
        {"type":"body","parameters":[{"type":"text","text":"10OFF"}]},
        {"type":"button","sub_type":"mpm","index":0,"parameters":[{"type":"action","action":{
          "thumbnail_product_retailer_id":"pear-1kg","sections":[{"title":"Fruit","product_items":[{"product_retailer_id":"pear-1kg"}]}]}}]}]}}"#;
    let out = wacart(&["validate"], ok);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "valid\n");
    // Kaleyra's envelope carries templates too (`messaging_product` is mandatory there).
    let kaleyra = format!("{{\"messaging_object\":{}}}", String::from_utf8_lossy(ok));
    let out = wacart(&["validate"], kaleyra.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "valid\n");
}
