//! `wacart send` against a local door on 127.0.0.1:0: receipts, refusals, credentials.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri};

const SPM: &str = r#"{"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
  "interactive":{"type":"product","action":{"catalog_id":"300000000000001","product_retailer_id":"sku-1"}}}"#;

/// A door that accepts everything except catalog `404…`, and records (path, credential header).
/// What the door saw: (path, credential header) per request.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

fn start_door() -> (String, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let record = record.clone();
        async move {
            let credential = ["authorization", "d360-api-key", "api-key"]
                .iter()
                .find_map(|h| headers.get(*h).map(|v| format!("{h}: {}", v.to_str().unwrap())))
                .unwrap_or_default();
            record.lock().unwrap().push((uri.path().to_owned(), credential));
            if body.contains("\"404") {
                let e = r#"{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,"error_data":{"messaging_product":"whatsapp","details":"Products not found in FB Catalog"},"fbtrace_id":"x"}}"#;
                return (StatusCode::BAD_REQUEST, e.to_owned());
            }
            if uri.path().starts_with("/v2/") {
                return (StatusCode::ACCEPTED, r#"{"code":"WA202","message":"Request Accepted","data":{"message_id":"wamid.K"},"error":{}}"#.to_owned());
            }
            (StatusCode::OK, r#"{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.M"}]}"#.to_owned())
        }
    });
    std::thread::spawn(move || {
        rt.block_on(async move { axum::serve(listener, app).await.unwrap() })
    });
    (format!("http://{addr}"), seen)
}

fn wacart(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wacart"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "WACART_TOKEN",
        "WACART_API_KEY",
        "WACART_SID",
        "WACART_PHONE_NUMBER_ID",
        "WACART_BUSINESS_NUMBER",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().unwrap();
    // The command may exit before reading (bad flags, --help): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn each_provider_sends_and_prints_the_receipt() {
    let (base, seen) = start_door();
    let meta = wacart(
        &[
            "send",
            "--provider",
            "meta",
            "--base-url",
            &base,
            "--phone-number-id",
            "100000000000001",
            "--token",
            "demo-token",
        ],
        &[],
        SPM,
    );
    assert_eq!(meta.status.code(), Some(0), "{}", text(&meta.stderr));
    assert_eq!(
        text(&meta.stdout),
        "{\"message_id\":\"wamid.M\",\"wa_id\":\"16505551234\",\"door\":\"meta\"}\n"
    );

    let d360 = wacart(
        &["send", "--provider", "360dialog", "--base-url", &base],
        &[("WACART_API_KEY", "demo-360-key")],
        SPM,
    );
    assert_eq!(
        text(&d360.stdout),
        "{\"message_id\":\"wamid.M\",\"wa_id\":\"16505551234\",\"door\":\"360dialog\"}\n"
    );

    let kaleyra = wacart(
        &["send", "--provider", "kaleyra", "--base-url", &base],
        &[
            ("WACART_SID", "HXDEMO0000000IN"),
            ("WACART_API_KEY", "demo-kaleyra-key"),
            ("WACART_BUSINESS_NUMBER", "15550001111"),
        ],
        SPM,
    );
    assert_eq!(
        text(&kaleyra.stdout),
        "{\"message_id\":\"wamid.K\",\"wa_id\":null,\"door\":\"kaleyra\"}\n"
    );

    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (
                "/v23.0/100000000000001/messages".to_owned(),
                "authorization: Bearer demo-token".to_owned()
            ),
            (
                "/messages".to_owned(),
                "d360-api-key: demo-360-key".to_owned()
            ),
            (
                "/v2/HXDEMO0000000IN/whatsapp/15550001111/messages".to_owned(),
                "api-key: demo-kaleyra-key".to_owned()
            ),
        ]
    );
}

#[test]
fn an_invalid_message_exits_1_and_sends_nothing() {
    let (base, seen) = start_door();
    let bad = SPM.replace("\"to\":\"16505551234\"", "\"to\":\"call me\"");
    let out = wacart(
        &[
            "send",
            "--provider",
            "meta",
            "--base-url",
            &base,
            "--phone-number-id",
            "1",
            "--token",
            "t",
        ],
        &[],
        &bad,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("to: 131009: "),
        "{}",
        text(&out.stdout)
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn a_refusal_exits_3_with_the_code_and_never_echoes_the_secret() {
    let (base, _) = start_door();
    let body = SPM.replace("sku-1", "404-missing");
    let out = wacart(
        &[
            "send",
            "--provider",
            "meta",
            "--base-url",
            &base,
            "--phone-number-id",
            "1",
        ],
        &[("WACART_TOKEN", "EAAG-top-secret")],
        &body,
    );
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("[code 131009]") && err.contains("Products not found in FB Catalog"),
        "{err}"
    );
    assert!(!err.contains("EAAG-top-secret") && !text(&out.stdout).contains("EAAG-top-secret"));
}

#[test]
fn missing_credentials_or_a_dead_door_are_reported() {
    let out = wacart(
        &["send", "--provider", "kaleyra"],
        &[("WACART_SID", "S")],
        SPM,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--api-key (or WACART_API_KEY) is required"),
        "{}",
        text(&out.stderr)
    );
    let help = wacart(
        &["send", "--help"],
        &[("WACART_TOKEN", "EAAG-top-secret")],
        "",
    );
    assert!(!text(&help.stdout).contains("EAAG-top-secret"));
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = wacart(
        &[
            "send",
            "--provider",
            "360dialog",
            "--base-url",
            &url,
            "--api-key",
            "k",
        ],
        &[],
        SPM,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("could not connect"),
        "{}",
        text(&out.stderr)
    );
}
