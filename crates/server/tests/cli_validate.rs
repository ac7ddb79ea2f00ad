//! `wacart validate`, run as a user runs it: exit codes, lines, and `--json`.

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
    // The command may exit before reading (bad flags, a missing file): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

const VALID: &str = r#"{"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
  "interactive":{"type":"product","action":{"catalog_id":"194836987003835","product_retailer_id":"di9ozbzfi4"}}}"#;

const BROKEN: &str = r#"{"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
  "interactive":{"type":"product_list","header":{"type":"text","text":"Picks"},"body":{"text":"Fresh"},
  "action":{"catalog_id":"194836987003835","sections":[
    {"title":"Fruit","product_items":[{"product_retailer_id":"apple"}]},
    {"product_items":[{"product_retailer_id":"kale"}]}]}}}"#;

#[test]
fn a_valid_message_exits_0() {
    let out = wacart(&["validate"], VALID.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "valid\n");
}

#[test]
fn violations_exit_1_one_line_each() {
    let out = wacart(&["validate", "-"], BROKEN.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "interactive.action.sections[1].title: 131009: required when there is more than one section\n"
    );
}

#[test]
fn json_output_lists_path_code_and_message() {
    let out = wacart(&["validate", "--json"], BROKEN.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(
        v["violations"][0]["path"],
        "interactive.action.sections[1].title"
    );
    assert_eq!(v["violations"][0]["code"], 131009);
    let ok = wacart(&["validate", "--json"], VALID.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "{\"valid\":true,\"violations\":[]}\n"
    );
}

#[test]
fn kaleyra_envelopes_are_recognised() {
    let envelope = format!(r#"{{"messaging_object":{VALID},"extra_info":{{"ref":"r1"}}}}"#);
    assert_eq!(
        wacart(&["validate"], envelope.as_bytes()).status.code(),
        Some(0)
    );
    let bad = r#"{"messaging_object":{"to":"x"}}"#;
    let out = wacart(&["validate"], bad.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "messaging_object.messaging_product: 131008: required\n\
         messaging_object.to: 131009: must be phone numbers separated by commas: up to 15 digits, with an optional leading '+'\n\
         messaging_object.text: 131008: required\n"
    );
}

#[test]
fn not_json_or_unreadable_exits_2() {
    let out = wacart(&["validate"], b"{\"to\": ");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
    assert_eq!(
        wacart(&["validate"], b"\xff\xfe\x00").status.code(),
        Some(2)
    );
    let missing = wacart(&["validate", "/nonexistent/message.json"], b"");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn reads_a_file() {
    let path = std::env::temp_dir().join(format!("wacart-cli-{}.json", std::process::id()));
    std::fs::write(&path, VALID).unwrap();
    let out = wacart(&["validate", path.to_str().unwrap()], b"");
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0));
}
