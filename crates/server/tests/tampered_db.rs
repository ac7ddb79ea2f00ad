//! A database changed behind the server's back is refused with a clear error (exit 2), never
//! silently taken for a new or shorter history: a record missing from the middle of the log, a
//! file emptied while its write-ahead log still holds data. An empty file with nothing else
//! becomes a new sandbox, and the log says so.

mod common;
use common::free_port;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// One request on a fresh connection; the status.
fn post(port: u16, path: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    line.split(' ').nth(1)?.parse().ok()
}

fn wait_up(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the server did not come up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop(mut server: Child) -> String {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let mut err = String::new();
    let _ = server.stderr.take().unwrap().read_to_string(&mut err);
    err
}

/// Waits for the server to exit on its own; its exit code and standard error.
fn refused(mut server: Child) -> (Option<i32>, String) {
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = server.kill();
            panic!("the server started on a tampered database");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    let _ = server.stderr.take().unwrap().read_to_string(&mut err);
    (status.code(), err)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wacart-tampered-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_record_missing_from_the_log_is_refused() {
    let db = temp_dir("gap").join("sandbox.db");
    let port = free_port();
    let server = serve(&db, port);
    wait_up(port);
    for i in 0..5 {
        let body = format!(r#"{{"phone_number_id":"100000000000001","text":"message {i}"}}"#);
        assert_eq!(
            post(port, "/sandbox/customers/15551230001/messages", &body),
            Some(200)
        );
    }
    stop(server);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let removed = conn
        .execute(
            "DELETE FROM log WHERE seq = (SELECT seq FROM log ORDER BY seq LIMIT 1 OFFSET 3)",
            [],
        )
        .unwrap();
    assert_eq!(removed, 1);
    drop(conn);
    let (code, err) = refused(serve(&db, free_port()));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("jumps from record"), "{err}");
}

#[test]
fn an_emptied_database_with_a_live_write_ahead_log_is_refused() {
    let db = temp_dir("emptied").join("sandbox.db");
    std::fs::write(&db, b"").unwrap();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::write(&wal, vec![7u8; 4096]).unwrap();
    let (code, err) = refused(serve(&db, free_port()));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("write-ahead log"), "{err}");
}

#[test]
fn an_empty_file_alone_becomes_a_new_sandbox_and_says_so() {
    let db = temp_dir("empty").join("sandbox.db");
    std::fs::write(&db, b"").unwrap();
    let port = free_port();
    let server = serve(&db, port);
    wait_up(port);
    let body = r#"{"phone_number_id":"100000000000001","text":"hello"}"#;
    assert_eq!(
        post(port, "/sandbox/customers/15551230001/messages", body),
        Some(200)
    );
    let err = stop(server);
    assert!(err.contains("was empty"), "{err}");
}
