//! Media through the real binary: uploads acknowledged before a SIGKILL are there after a
//! restart on the same database (records and bytes), and bytes no media owns are swept at
//! start-up.

mod common;
use common::free_port;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wacart_transport::{Client, Door, RetryPolicy};

fn serve(db: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_wacart"))
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
        ])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(base: &str) {
    let http = reqwest::Client::new();
    for _ in 0..500 {
        if http
            .get(format!("{base}/sandbox/webhooks/deliveries"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up");
}

fn client(base: &str) -> Client {
    Client::builder(Door::meta("100000000000001", "demo-token"))
        .base_url(base)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_uploads_survive_a_kill() {
    let dir = std::env::temp_dir().join(format!("wacart-media-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let blobs = dir.join("sandbox.db.media");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = serve(&db, port);
    wait_up(&base).await;
    let meta = client(&base);
    let mut uploaded = Vec::new();
    for i in 0..5u8 {
        let bytes: Vec<u8> = (0..4096u32).map(|j| (j as u8) ^ i).collect();
        let id = meta
            .upload_media(&bytes, "image/jpeg", "photo.jpg")
            .await
            .unwrap();
        uploaded.push((id, bytes));
    }
    server.kill().unwrap(); // SIGKILL, right after the last acknowledgement
    server.wait().unwrap();

    // Bytes no media owns: swept when the server starts again.
    std::fs::write(blobs.join("1234567890123456"), b"orphan").unwrap();
    std::fs::write(blobs.join(".tmp-1234567890123457"), b"half").unwrap();

    let mut server = serve(&db, port);
    wait_up(&base).await;
    let meta = client(&base);
    for (id, bytes) in &uploaded {
        let found = meta.media_url(id).await.unwrap();
        assert_eq!(found.file_size, bytes.len() as u64);
        let got = meta.download_media(&found.url).await.unwrap();
        assert_eq!(&got.bytes, bytes, "media {id}");
    }
    assert!(!blobs.join("1234567890123456").exists());
    assert!(!blobs.join(".tmp-1234567890123457").exists());
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
