//! Media and the phone number node on Meta's door, over real sockets: upload through
//! `wacart-transport`, read the URL, download with and without the token, send an image by id,
//! delete it, and the refusals (deleted id, too large, wrong type, no `file`), each in Graph's
//! shape; the phone number node with and without `fields`; media surviving a restart on SQLite.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wacart_sandbox::{Config, Durability, Sandbox, SharedSandbox, SqliteStore, Store};
use wacart_schema::{OutboundMessage, PhoneNumberId, WaId};
use wacart_server::{AppState, MediaStore, SystemClock, WorkerConfig, demo};
use wacart_tests::start_server;
use wacart_transport::{Client, Door, Error, RetryPolicy};

const ALICE: &str = "15551230001";
const VERSION: &str = "v23.0";

fn client(base: &str, token: &str) -> Client {
    Client::builder(Door::meta(demo::PHONE_NUMBER_ID, token))
        .base_url(base)
        .graph_version(VERSION)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A small "PNG": the bytes only have to be bytes.
fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..len).map(|i| (i % 251) as u8));
    b
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn image_by_id(id: &str) -> OutboundMessage {
    serde_json::from_value(
        json!({"messaging_product": "whatsapp", "recipient_type": "individual",
        "to": ALICE, "type": "image", "image": {"id": id, "caption": "Fresh pears"}}),
    )
    .unwrap()
}

/// The Graph error a refusal carried: (HTTP status, code, message).
fn graph(e: &Error) -> (u16, u32, String) {
    match e {
        Error::Graph { status, error, .. } => (*status, error.code, error.message.clone()),
        other => panic!("expected a Graph error, got {other}"),
    }
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let body = r.bytes().await.unwrap();
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
    (status, v)
}

async fn customer_writes(http: &reqwest::Client, base: &str) {
    let r = http
        .post(format!("{base}/sandbox/customers/{ALICE}/messages"))
        .header("content-type", "application/json")
        .body(
            json!({"phone_number_id": demo::PHONE_NUMBER_ID, "text": "Hi! A picture?"}).to_string(),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

fn thread_len(state: &AppState) -> usize {
    state.sandbox().read(|sb| {
        sb.thread_view(
            &WaId::new(ALICE),
            &PhoneNumberId::new(demo::PHONE_NUMBER_ID),
        )
        .len()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_look_up_download_send_delete_and_the_refusals() {
    let server = start_server(Config::default(), None).await;
    let base = server.base.as_str();
    let http = reqwest::Client::new();
    let meta = client(base, demo::TOKEN);
    customer_writes(&http, base).await;

    // Upload, look up, download.
    let bytes = png(20_000);
    let id = meta
        .upload_media(&bytes, "image/png", "pears.png")
        .await
        .unwrap();
    assert!(
        id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    let found = meta.media_url(&id).await.unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.mime_type, "image/png");
    assert_eq!(found.file_size, bytes.len() as u64);
    assert_eq!(found.sha256, hex_sha256(&bytes));
    assert!(
        found.url.starts_with(&format!(
            "{base}/whatsapp_business/attachments/?mid={id}&ext="
        )),
        "{}",
        found.url
    );
    let raw = http
        .get(format!("{base}/{VERSION}/{id}"))
        .bearer_auth(demo::TOKEN)
        .send()
        .await
        .unwrap();
    let (status, v) = json_of(raw).await;
    assert_eq!(status, 200);
    assert_eq!(v["messaging_product"], "whatsapp");
    assert_eq!(v["file_size"], json!(bytes.len()));
    let got = meta.download_media(&found.url).await.unwrap();
    assert_eq!(got.bytes, bytes);
    assert_eq!(got.content_type.as_deref(), Some("image/png"));

    // The URL alone does not open it; nor does a token that reaches no number.
    let (status, v) = json_of(http.get(&found.url).send().await.unwrap()).await;
    assert_eq!(
        (status, v["error"]["code"].as_u64()),
        (401, Some(190)),
        "{v}"
    );
    let wrong = client(base, "not-a-token");
    assert_eq!(
        graph(&wrong.download_media(&found.url).await.unwrap_err()).1,
        190
    );
    // A URL whose check value was changed is unknown.
    let forged = found.url.replace("hash=", "hash=0");
    let (status, _) = json_of(
        http.get(&forged)
            .bearer_auth(demo::TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    // `phone_number_id` checks the owner.
    let (status, v) = json_of(
        http.get(format!(
            "{base}/{VERSION}/{id}?phone_number_id=100000000000009"
        ))
        .bearer_auth(demo::TOKEN)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        v["error"]["message"],
        "(#100) Param phone_number_id is not a valid whatsapp business phone number id ID"
    );

    // Sent by id: accepted.
    let before = thread_len(&server.state);
    let receipt = meta.send(&image_by_id(&id)).await.unwrap();
    assert!(receipt.message_id.as_str().starts_with("wamid."));
    assert_eq!(thread_len(&server.state), before + 1);

    // Deleted: unknown to the lookup, the download and sends; the send changes nothing.
    meta.delete_media(&id).await.unwrap();
    let (status, code, message) = graph(&meta.media_url(&id).await.unwrap_err());
    assert_eq!((status, code), (400, 100));
    assert!(
        message.starts_with(&format!(
            "Unsupported get request. Object with ID '{id}' does not exist"
        )),
        "{message}"
    );
    let (status, _, _) = graph(&meta.download_media(&found.url).await.unwrap_err());
    assert_eq!(status, 404);
    let before = thread_len(&server.state);
    let (status, code, message) = graph(&meta.send(&image_by_id(&id)).await.unwrap_err());
    assert_eq!((status, code), (400, 100));
    assert_eq!(
        message,
        "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID"
    );
    assert_eq!(
        thread_len(&server.state),
        before,
        "a refused send changes nothing"
    );
    assert_eq!(graph(&meta.delete_media(&id).await.unwrap_err()).1, 100);

    // Too large for its type (an image over 5 MB), a type Meta does not take, an empty file.
    let big = png(5 * 1024 * 1024 + 1);
    let (status, code, message) = graph(
        &meta
            .upload_media(&big, "image/jpeg", "big.jpg")
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code), (400, 100));
    assert!(
        message.contains("too large") && message.contains("image/jpeg"),
        "{message}"
    );
    let (status, code, message) = graph(
        &meta
            .upload_media(&png(10), "image/gif", "a.gif")
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code), (400, 100));
    assert!(
        message.starts_with(
            "(#100) Param file must be a file with one of the following types: audio/aac, "
        ) && message.ends_with("Received file of type 'image/gif'."),
        "{message}"
    );
    assert!(
        meta.upload_media(b"", "image/png", "empty.png")
            .await
            .is_err()
    );

    // A form without `file`, and a body that is not a form.
    let form = "--b\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--b--\r\n";
    let upload = format!("{base}/{VERSION}/{}/media", demo::PHONE_NUMBER_ID);
    let (status, v) = json_of(
        http.post(&upload)
            .bearer_auth(demo::TOKEN)
            .header("content-type", "multipart/form-data; boundary=b")
            .body(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        v["error"]["message"],
        "(#100) The parameter file is required"
    );
    let (status, v) = json_of(
        http.post(&upload)
            .bearer_auth(demo::TOKEN)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, v["error"]["code"].as_u64()), (400, Some(100)));
    // Another number's node, and no token.
    let (status, _) = json_of(
        http.post(format!("{base}/{VERSION}/100000000000009/media"))
            .bearer_auth(demo::TOKEN)
            .header("content-type", "multipart/form-data; boundary=b")
            .body(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = json_of(http.post(&upload).body(form).send().await.unwrap()).await;
    assert_eq!(status, 401);
}

/// A 200 MB upload is refused from its declared length, before a byte of it is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_upload_is_refused_at_once() {
    let server = start_server(Config::default(), None).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let (elapsed, answer) = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let start = Instant::now();
        write!(
            s,
            "POST /{VERSION}/{}/media HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {}\r\n\r\n",
            demo::PHONE_NUMBER_ID,
            demo::TOKEN,
            200 * 1024 * 1024
        )
        .unwrap();
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") || !got.ends_with(b"}") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        (start.elapsed(), String::from_utf8_lossy(&got).into_owned())
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(
        answer.contains("\"code\":100") && answer.contains("larger than"),
        "{answer}"
    );
    assert!(elapsed < Duration::from_secs(2), "answered in {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_number_node_answers_its_fields() {
    let server = start_server(Config::default(), None).await;
    let http = reqwest::Client::new();
    let node = format!("{}/{VERSION}/{}", server.base, demo::PHONE_NUMBER_ID);
    let get = |query: &str| {
        http.get(format!("{node}{query}"))
            .bearer_auth(demo::TOKEN)
            .send()
    };
    let (status, v) = json_of(get("").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"verified_name": demo::VERIFIED_NAME, "code_verification_status": "VERIFIED",
            "display_phone_number": "+1 555-000-1111", "quality_rating": "GREEN",
            "platform_type": "CLOUD_API", "throughput": {"level": "STANDARD"},
            "id": demo::PHONE_NUMBER_ID})
    );
    // A subset, percent-encoded as SDKs send it; `id` always comes along.
    let (status, v) = json_of(get("?fields=verified_name%2Cthroughput").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"verified_name": demo::VERIFIED_NAME, "throughput": {"level": "STANDARD"}, "id": demo::PHONE_NUMBER_ID})
    );
    // Fields the sandbox has no value for are left out; unknown ones are refused as Graph does.
    let (status, v) = json_of(get("?fields=health_status,name_status").await.unwrap()).await;
    assert_eq!(
        (status, v),
        (
            200,
            json!({"name_status": "APPROVED", "id": demo::PHONE_NUMBER_ID})
        )
    );
    let (status, v) = json_of(get("?fields=colour").await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(
        v["error"]["message"],
        "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)"
    );
    // Another number, or no token.
    let (status, v) = json_of(
        http.get(format!("{}/{VERSION}/100000000000009", server.base))
            .bearer_auth(demo::TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, v["error"]["code"].as_u64()), (400, Some(100)));
    let (status, _) = json_of(http.get(&node).send().await.unwrap()).await;
    assert_eq!(status, 401);
    // The node is not deleted.
    let (status, _) = json_of(
        http.delete(&node)
            .bearer_auth(demo::TOKEN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
}

/// A server on a SQLite file with its media directory beside it; stops when `stop` resolves.
async fn sqlite_server(
    db: &std::path::Path,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(db, Durability::Process).unwrap());
    let sandbox = Sandbox::open(store, Arc::new(SystemClock), Config::default()).unwrap();
    let shared = Arc::new(SharedSandbox::new(sandbox));
    demo::create(&shared).unwrap();
    let media = MediaStore::dir(MediaStore::beside(db)).unwrap();
    let state = AppState::new(shared).with_media_store(media);
    assert_eq!(state.sweep_media(Duration::ZERO), 0, "no stray bytes");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = wacart_server::run(listener, state, WorkerConfig::default(), async move {
            let _ = rx.await;
        })
        .await;
    });
    (base, tx, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_media_survives_a_restart_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("wacart-media-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let bytes = png(70_000);

    let (base, stop, task) = sqlite_server(&db).await;
    let id = client(&base, demo::TOKEN)
        .upload_media(&bytes, "application/pdf", "menu.pdf")
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(MediaStore::beside(&db).join(&id)).unwrap(),
        bytes,
        "one file per media id beside the database"
    );
    let _ = stop.send(());
    task.await.unwrap();

    let (base, stop, task) = sqlite_server(&db).await;
    let meta = client(&base, demo::TOKEN);
    let found = meta.media_url(&id).await.unwrap();
    assert_eq!(
        (found.mime_type.as_str(), found.file_size),
        ("application/pdf", bytes.len() as u64)
    );
    let got = meta.download_media(&found.url).await.unwrap();
    assert_eq!(got.bytes, bytes);
    // Deleted: the file goes too.
    meta.delete_media(&id).await.unwrap();
    assert!(!MediaStore::beside(&db).join(&id).exists());
    let _ = stop.send(());
    task.await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
