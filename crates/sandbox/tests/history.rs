//! The sandbox that runs for months: memory holds recent messages only, history lives in the
//! store and is paged, snapshots make opening cost the tail of the log rather than all of it,
//! and a snapshot with its tail rebuilds exactly the state a full replay does.

use std::sync::Arc;

use serde_json::json;
use wacart_sandbox::{
    AppSpec, Clock, Config, CustomerSpec, Door, Durability, ManualClock, MemoryStore, NewMedia,
    NumberSpec, Sandbox, SqliteStore, Store, StoreError, TenantSpec, Upkeep,
};
use wacart_schema::{
    BatchMethod, BatchRequest, ItemsBatchRequest, OutboundMessage, PhoneNumberId, RetailerId, WaId,
};

const NUMBER: &str = "100000000000001";
const CATALOG: &str = "300000000000001";
const ALICE: &str = "15551230001";
const BOB: &str = "15551230002";
const T0: u64 = 1_750_000_000_000;

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wacart-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("sandbox.db")
}

fn sqlite(name: &str) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(temp_db(name), Durability::Process).unwrap())
}

fn n() -> PhoneNumberId {
    PhoneNumberId::new(NUMBER)
}

/// Rate limits and automatic reads on, so the limiter state and scheduled statuses are part of
/// what must replay.
fn config() -> Config {
    Config {
        read_after: Some(5_000),
        number_rate: Some(1_000),
        pair_limit: Some((10, 50)),
        ..Config::default()
    }
}

fn open(store: Arc<dyn Store>, clock: &ManualClock, upkeep: Upkeep) -> Sandbox {
    let mut sb = Sandbox::open(store, Arc::new(clock.clone()), config()).unwrap();
    sb.set_upkeep(upkeep);
    sb
}

fn setup(sb: &mut Sandbox) {
    let tenant = TenantSpec::new("200000000000001", AppSpec::new("s", "v"))
        .number(NumberSpec::new(NUMBER, "15550001111", "t").linked_catalog(CATALOG, true))
        .catalog(CATALOG);
    let _ = sb.create_tenant_cmd(tenant).unwrap();
    let _ = sb.add_customer(CustomerSpec::new(ALICE, "Alice")).unwrap();
    let requests = ["kale", "pear", "fig"]
        .iter()
        .map(|id| {
            let data = json!({"id": id, "title": id, "description": "D", "availability": "in stock",
                "condition": "new", "price": "2.50 USD", "link": "https://x", "image_link": "https://x/i.jpg"});
            BatchRequest::new(BatchMethod::Create, data.as_object().unwrap().clone())
        })
        .collect();
    let _ = sb
        .items_batch(&CATALOG.into(), ItemsBatchRequest::products(requests))
        .unwrap();
}

fn spm(to: &str, id: &str) -> OutboundMessage {
    OutboundMessage::product(to, CATALOG, id)
        .body("Today's pick")
        .build()
        .unwrap()
}

/// A day of a shop, driven by a fake clock: texts, sends (some refused by the limits), carts,
/// orders, a price change, reads.
fn a_day(sb: &mut Sandbox, clock: &ManualClock) {
    let (alice, bob) = (WaId::new(ALICE), WaId::new(BOB));
    let _ = sb.customer_text(&alice, &n(), "hi").unwrap();
    for i in 0..150u32 {
        clock.advance(u64::from(i % 7) * 3);
        let to = if i % 3 == 0 { BOB } else { ALICE };
        let item = ["kale", "pear", "fig"][i as usize % 3];
        // Some are refused by the limits: that is part of the state too.
        let _ = sb.send(&n(), spm(to, item), Door::Meta);
        if i % 10 == 0 {
            let _ = sb
                .add_cart_item(&alice, "phone", &n(), &RetailerId::new(item), 1)
                .unwrap();
        }
        if i % 25 == 0 {
            let _ = sb.view_thread(&alice, &n()).unwrap();
        }
        if i == 75 {
            let data = json!({"id": "pear", "price": "3.10 USD"});
            let batch = ItemsBatchRequest::products(vec![BatchRequest::new(
                BatchMethod::Update,
                data.as_object().unwrap().clone(),
            )]);
            let _ = sb.items_batch(&CATALOG.into(), batch).unwrap();
        }
        // Media: uploads, a delete, and sends by id (known and deleted).
        if i % 40 == 0 {
            let media = NewMedia::new((1000 + i).to_string(), "image/png", "ab", 10, None);
            let _ = sb.upload_media(&n(), media).unwrap();
        }
        if i == 90 {
            let _ = sb.delete_media("1040").unwrap();
            for id in ["1000", "1040"] {
                let image = json!({"messaging_product": "whatsapp", "to": ALICE, "type": "image", "image": {"id": id}});
                let _ = sb.send(&n(), serde_json::from_value(image).unwrap(), Door::Meta);
            }
        }
        // Templates: created, approved by the sandbox, sent, edited (its new review falls due
        // after the last command), another left pending.
        let waba = wacart_schema::WabaId::new("200000000000001");
        if i == 5 || i == 110 {
            let def =
                wacart_schema::TemplateDefinition::catalog(format!("browse_{i}"), "en", "Browse")
                    .build()
                    .unwrap();
            let _ = sb.create_template(&waba, def).unwrap();
        }
        if i == 20 {
            let id = first_template(sb, &waba);
            let _ = sb
                .review_template(&id, wacart_schema::TemplateStatus::Approved, None)
                .unwrap();
        }
        if i % 30 == 0 && i > 20 {
            let m = OutboundMessage::template(BOB, "browse_5", "en")
                .catalog_button(0, Some(RetailerId::new("fig")))
                .build()
                .unwrap();
            let _ = sb.send(&n(), m, Door::Meta);
        }
        if i == 100 {
            let id = first_template(sb, &waba);
            let _ = sb.edit_template(&id, None, None).unwrap();
        }
        if i == 120 {
            let _ = sb.send_cart(&alice, "phone", &n(), "for tonight").unwrap();
            let _ = sb.customer_text(&bob, &n(), "hello").unwrap();
        }
    }
    clock.advance(2_000);
    sb.advance();
}

/// The WABA's first template's id.
fn first_template(sb: &mut Sandbox, waba: &wacart_schema::WabaId) -> String {
    let filter = wacart_sandbox::TemplateFilter::default();
    sb.templates(waba, &filter, None, 1).0[0].id.clone()
}

fn scripted(store: Arc<dyn Store>, upkeep: Upkeep) -> (Sandbox, ManualClock) {
    let clock = ManualClock::new(T0);
    let mut sb = open(store, &clock, upkeep);
    setup(&mut sb);
    a_day(&mut sb, &clock);
    (sb, clock)
}

/// Compares two state images; on a difference, writes both beside the test binary's temp dir
/// (they are large) and fails with where.
fn same_image(a: &[u8], b: &[u8], what: &str) {
    if a != b {
        let dir = std::env::temp_dir();
        std::fs::write(dir.join("wacart-image-a.json"), a).unwrap();
        std::fs::write(dir.join("wacart-image-b.json"), b).unwrap();
        let at = a
            .iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "{what}: the states differ from byte {at} (both written to {})",
            dir.display()
        );
    }
}

#[test]
fn a_snapshot_and_its_tail_rebuild_exactly_what_a_full_replay_does() {
    for (name, full, snapshotted) in [
        (
            "memory",
            Arc::new(MemoryStore::new()) as Arc<dyn Store>,
            Arc::new(MemoryStore::new()) as Arc<dyn Store>,
        ),
        ("sqlite", sqlite("full"), sqlite("snapshotted")),
    ] {
        let never = Upkeep::default().snapshot_every(u64::MAX);
        let (live_full, clock) = scripted(full.clone(), never);
        let (mut live_snap, _) = scripted(
            snapshotted.clone(),
            Upkeep::default().snapshot_every(7).bytes_per_command(0),
        );
        live_snap.wait_for_snapshot();
        snapshotted.flush().unwrap();
        // The log behind a snapshot is deleted in steps on the store's thread. Snapshots are
        // taken one at a time (a busy machine skips some), so how much is left depends on the
        // machine; that some was compacted and a tail is left to replay does not.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while snapshotted.log_len() >= full.log_len() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            snapshotted.log_len() < full.log_len() && full.log_len() > 150,
            "{name}: compaction leaves the tail only ({} vs {})",
            snapshotted.log_len(),
            full.log_len()
        );
        // Everything the state holds, scheduled statuses and limiter state included, as bytes.
        let image = live_full.image().unwrap();
        same_image(
            &live_snap.image().unwrap(),
            &image,
            &format!("{name}: the two runs live"),
        );
        drop((live_full, live_snap));
        // Statuses that fell due after the last command happen again at the first tick, with
        // the same ids: time is not logged, it is replayed.
        let mut replayed = open(full, &clock, never);
        let mut restored = open(snapshotted.clone(), &clock, never);
        replayed.advance();
        restored.advance();
        same_image(
            &replayed.image().unwrap(),
            &image,
            &format!("{name}: full replay"),
        );
        same_image(
            &restored.image().unwrap(),
            &image,
            &format!("{name}: snapshot + tail"),
        );
        assert_eq!(
            replayed.deliveries(),
            restored.deliveries(),
            "{name}: the same webhooks"
        );
        let alice = WaId::new(ALICE);
        assert_eq!(
            replayed.thread_view(&alice, &n()),
            restored.thread_view(&alice, &n())
        );
        // And they go on alike: the next scheduled statuses fall due in both.
        let (mut a, mut b) = (replayed, restored);
        clock.advance(10_000);
        a.advance();
        b.advance();
        same_image(
            &a.image().unwrap(),
            &b.image().unwrap(),
            &format!("{name}: after time moves"),
        );
    }
}

#[test]
fn memory_keeps_recent_messages_and_history_pages_the_rest() {
    let store = sqlite("paging");
    let clock = ManualClock::new(T0);
    let mut sb = open(store, &clock, Upkeep::default());
    setup(&mut sb);
    let alice = WaId::new(ALICE);
    let _ = sb.customer_text(&alice, &n(), "hi").unwrap();
    let send = |sb: &mut Sandbox, count: u32| {
        for _ in 0..count {
            clock.advance(20);
            let _ = sb.send(&n(), spm(ALICE, "kale"), Door::Meta).unwrap();
        }
        clock.advance(5_000);
        sb.advance();
    };
    send(&mut sb, 300);
    let after_300 = sb.image().unwrap().len();
    send(&mut sb, 1_200);
    let after_1500 = sb.image().unwrap().len();
    assert!(
        after_1500 < after_300 + after_300 / 10,
        "the state does not grow with messages: {after_300} then {after_1500} bytes"
    );
    let all = sb.thread_view(&alice, &n());
    assert_eq!(all.len(), 1_501);
    assert!(all.iter().enumerate().all(|(i, m)| m.position == i as u64));
    assert_eq!(
        all[0].text.as_deref(),
        Some("hi"),
        "the oldest comes from history"
    );
    assert_eq!(
        all[1].status.as_deref(),
        Some("read"),
        "history keeps the last status"
    );
    let page = sb.thread_page(&alice, &n(), Some(100), 50).unwrap();
    let positions: Vec<u64> = page.iter().map(|m| m.position).collect();
    assert_eq!(positions, (50..100).collect::<Vec<_>>());
    let latest = sb.view_thread(&alice, &n()).unwrap().value;
    assert_eq!(latest.len(), wacart_sandbox::THREAD_PAGE);
    assert_eq!(latest.last().unwrap().position, 1_500);
    // A product message from history can still be forwarded and added to a cart from.
    let old = all[10].id.clone();
    let _ = sb.forward(&alice, &old, &WaId::new(BOB)).unwrap();
    let _ = sb
        .set_cart_item(
            &alice,
            "phone",
            &n(),
            &RetailerId::new("kale"),
            2,
            Some(old),
        )
        .unwrap();
}

#[test]
fn history_past_the_retention_is_pruned() {
    retention_prunes(sqlite("retain"));
    retention_prunes(Arc::new(MemoryStore::new()));
}

fn retention_prunes(store: Arc<dyn Store>) {
    let clock = ManualClock::new(T0);
    let hour = 3_600_000;
    let mut sb = open(store.clone(), &clock, Upkeep::default().retain(Some(hour)));
    setup(&mut sb);
    let alice = WaId::new(ALICE);
    let _ = sb.customer_text(&alice, &n(), "hi").unwrap();
    for _ in 0..200 {
        clock.advance(20);
        let _ = sb.send(&n(), spm(ALICE, "kale"), Door::Meta).unwrap();
    }
    clock.advance(2 * hour);
    let _ = sb.customer_text(&alice, &n(), "still there?").unwrap();
    store.flush().unwrap();
    // Pruning runs in steps on the store's own thread (messages, then webhooks, a few of each
    // per step, so a view may see it half done); give it the time to finish both.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let cutoff = clock.now_millis() - hour;
    let view = loop {
        let view = sb.thread_view(&alice, &n());
        let webhooks_done = sb.deliveries().iter().all(|d| d.created_at >= cutoff);
        if (view.len() <= 66 && webhooks_done) || std::time::Instant::now() > deadline {
            break view;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(
        view.len() <= 66,
        "only the messages kept in memory are left: {}",
        view.len()
    );
    assert_eq!(view.last().unwrap().text.as_deref(), Some("still there?"));
    // Webhooks past the retention go too, even those still waiting for a callback: what is
    // left was made by the last text.
    let left = sb.deliveries();
    assert!(
        !left.is_empty()
            && left
                .iter()
                .all(|d| d.created_at >= clock.now_millis() - hour),
        "{} webhooks left",
        left.len()
    );
}

#[test]
fn a_snapshot_is_a_file_beside_the_database_and_a_changed_or_missing_one_is_a_clear_error() {
    let path = temp_db("files");
    let image = {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&path, Durability::PowerLoss).unwrap());
        let upkeep = Upkeep::default().snapshot_every(7).bytes_per_command(0);
        let (mut sb, _) = scripted(store.clone(), upkeep);
        sb.snapshot();
        store.flush().unwrap();
        sb.image().unwrap()
    };
    // The database keeps the row (an empty state and the file's checksum); the folder keeps
    // the newest snapshot's file, older ones deleted once a newer row was committed.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (seq, inline, sum): (i64, Vec<u8>, Option<i64>) = conn
        .query_row(
            "SELECT seq, state, file_sum FROM snapshot ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    drop(conn);
    assert!(inline.is_empty() && sum.is_some());
    let folder = path.with_file_name("sandbox.db.snapshots");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let ours: Vec<_> = files
        .iter()
        .filter(|f| {
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&format!("{seq}-"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "{files:?}");
    assert!(files.len() <= 2, "older snapshots are deleted: {files:?}");
    // It opens to the same state.
    let clock = ManualClock::new(T0);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, Durability::Process).unwrap());
    let reopened = open(store, &clock, Upkeep::default().snapshot_every(u64::MAX));
    same_image(&reopened.image().unwrap(), &image, "reopened from the file");
    drop(reopened);
    // A changed file is refused, and so is a database moved without its snapshots.
    let bytes = std::fs::read(ours[0]).unwrap();
    std::fs::write(ours[0], [&bytes[..bytes.len() - 1], b" "].concat()).unwrap();
    match SqliteStore::open(&path, Durability::Process) {
        Err(StoreError::Corrupt { reason, .. }) => assert!(reason.contains("changed"), "{reason}"),
        other => panic!("expected a changed snapshot, got {:?}", other.map(|_| ())),
    }
    std::fs::remove_dir_all(&folder).unwrap();
    match SqliteStore::open(&path, Durability::Process) {
        Err(StoreError::Corrupt { reason, .. }) => {
            assert!(reason.contains("travel with the database"), "{reason}");
        }
        other => panic!("expected a missing snapshot, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_missing_record_is_a_clear_error() {
    let path = temp_db("gap");
    {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&path, Durability::Process).unwrap());
        let clock = ManualClock::new(T0);
        let mut sb = open(store.clone(), &clock, Upkeep::default());
        setup(&mut sb);
        for text in ["one", "two", "three", "four", "five"] {
            let _ = sb.customer_text(&WaId::new(ALICE), &n(), text).unwrap();
        }
        store.flush().unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM log WHERE seq = 5", []).unwrap();
    drop(conn);
    match SqliteStore::open(&path, Durability::Process) {
        Err(StoreError::Corrupt { seq: 5, reason }) => {
            assert!(reason.contains("from record 4 to 6"), "{reason}");
        }
        other => panic!("expected a gap at 5, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_changed_or_removed_newest_record_is_a_clear_error() {
    let path = temp_db("chain");
    let write = |path: &std::path::Path| {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path, Durability::Process).unwrap());
        let clock = ManualClock::new(T0);
        let mut sb = open(store.clone(), &clock, Upkeep::default());
        setup(&mut sb);
        for text in ["one", "two", "three"] {
            let _ = sb.customer_text(&WaId::new(ALICE), &n(), text).unwrap();
        }
        store.flush().unwrap();
    };
    write(&path);
    // A text changed in place: it still parses and would replay, into another history.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let changed = conn
        .execute(
            "UPDATE log SET record = CAST(replace(CAST(record AS TEXT), 'two', 'TWO') AS BLOB)
             WHERE CAST(record AS TEXT) LIKE '%\"two\"%'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    match SqliteStore::open(&path, Durability::Process) {
        Err(StoreError::Corrupt { reason, .. }) => assert!(reason.contains("checksum"), "{reason}"),
        other => panic!("expected a checksum error, got {:?}", other.map(|_| ())),
    }
    // The newest record removed: no gap, but the store knows what it committed.
    let path = temp_db("chain-last");
    write(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM log WHERE seq = (SELECT MAX(seq) FROM log)", [])
        .unwrap();
    drop(conn);
    match SqliteStore::open(&path, Durability::Process) {
        Err(StoreError::Corrupt { reason, .. }) => assert!(reason.contains("missing"), "{reason}"),
        other => panic!("expected missing records, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn an_empty_database_file_is_new_unless_its_log_says_otherwise() {
    let path = temp_db("empty");
    std::fs::write(&path, b"").unwrap();
    let store = SqliteStore::open(&path, Durability::Process).unwrap();
    assert!(store.was_empty());
    drop(store);
    let again = SqliteStore::open(&path, Durability::Process).unwrap();
    assert!(!again.was_empty(), "a database now");
    drop(again);
    // Truncated behind the server's back while its write-ahead log still holds data.
    std::fs::write(&path, b"").unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::write(&wal, b"not empty").unwrap();
    assert!(matches!(
        SqliteStore::open(&path, Durability::Process),
        Err(StoreError::Database(m)) if m.contains("write-ahead log")
    ));
}

#[test]
fn a_database_from_before_history_gets_its_history_rebuilt() {
    // The same day, logged the old way: a log table only (schema version 1).
    let memory = MemoryStore::new();
    let never = Upkeep::default().snapshot_every(u64::MAX);
    let (live, clock) = scripted(Arc::new(memory.clone()), never);
    let records = memory.open().unwrap().tail;
    let path = temp_db("v1");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_log.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        for (seq, record) in &records {
            conn.execute(
                "INSERT INTO log (seq, record) VALUES (?1, ?2)",
                rusqlite::params![*seq as i64, record],
            )
            .unwrap();
        }
    }
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, Durability::Process).unwrap());
    let mut reopened = open(store, &clock, never);
    reopened.advance();
    same_image(
        &reopened.image().unwrap(),
        &live.image().unwrap(),
        "rebuilt",
    );
    assert_eq!(reopened.deliveries(), live.deliveries());
    let alice = WaId::new(ALICE);
    assert_eq!(
        reopened.thread_view(&alice, &n()),
        live.thread_view(&alice, &n())
    );
}

#[test]
fn the_clock_never_moves_state_backwards() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock, Upkeep::default());
    setup(&mut sb);
    clock.set(T0 - 60_000);
    let _ = sb.customer_text(&WaId::new(ALICE), &n(), "hi").unwrap();
    assert!(sb.now() >= T0, "time already reached is kept: {}", sb.now());
    assert!(clock.now_millis() < sb.now());
}

#[test]
fn a_cart_line_names_a_product_message_of_its_own_thread_only() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock, Upkeep::default());
    setup(&mut sb);
    let (alice, bob) = (WaId::new(ALICE), WaId::new(BOB));
    let _ = sb.customer_text(&alice, &n(), "hi").unwrap();
    let _ = sb.customer_text(&bob, &n(), "hi").unwrap();
    let first = sb
        .send(&n(), spm(ALICE, "kale"), Door::Meta)
        .unwrap()
        .value
        .id;
    let kale = RetailerId::new("kale");
    let refused = |sb: &mut Sandbox, from: &wacart_schema::MessageId| {
        matches!(
            sb.set_cart_item(&bob, "phone", &n(), &kale, 1, Some(from.clone())),
            Err(wacart_sandbox::EngineError::UnknownMessage(m)) if m == *from
        )
    };
    assert!(refused(&mut sb, &first), "Alice's message, in memory");
    assert!(refused(
        &mut sb,
        &wacart_schema::MessageId::new("wamid.nothing")
    ));
    // Alice's first message leaves memory: still hers only.
    for _ in 0..100 {
        clock.advance(20);
        let _ = sb.send(&n(), spm(ALICE, "kale"), Door::Meta).unwrap();
    }
    sb.store().flush().unwrap();
    assert!(refused(&mut sb, &first), "Alice's message, in history");
    let _ = sb
        .set_cart_item(&alice, "phone", &n(), &kale, 1, Some(first))
        .unwrap();
}

/// Commits never copy the write-ahead log into the database themselves (a thread beside the
/// writer does), yet the log stays bounded under writes that never pause: the copy keeps up,
/// and the writer's own fallback catches whatever it left.
#[test]
fn the_write_ahead_log_stays_bounded_under_writes_that_never_pause() {
    let path = temp_db("wal");
    let store = SqliteStore::open(&path, Durability::Process).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let record = vec![b'x'; 2_000];
    let mut largest = 0;
    for i in 0..20_000u64 {
        let ticket = store.append(record.clone(), Vec::new()).unwrap();
        if i % 50 == 49 {
            store.sync(ticket).unwrap();
            largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
    }
    store.flush().unwrap();
    // 40 MB were written; a log that was never copied would hold all of them.
    assert!(
        largest < 36 << 20,
        "the write-ahead log grew to {largest} bytes"
    );
    assert_eq!(store.log_len(), 20_000);
}

/// Status webhooks are stored as what they are made of and rendered when read: the body read
/// back is the one a rendered webhook would have had, and a stored status changed behind the
/// store's back is an error on reading it, never a panic or a different body.
#[test]
fn stored_statuses_read_back_rendered_and_a_changed_one_is_an_error() {
    let path = temp_db("specs");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, Durability::Process).unwrap());
    let clock = ManualClock::new(T0);
    let mut sb = open(store.clone(), &clock, Upkeep::default());
    setup(&mut sb);
    let _ = sb.customer_text(&WaId::new(ALICE), &n(), "hi").unwrap();
    let sent = sb.send(&n(), spm(ALICE, "kale"), Door::Meta).unwrap().value;
    store.flush().unwrap();
    let status = store
        .deliveries(0, 100, None)
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "statuses")
        .expect("a sent status");
    let body: serde_json::Value = serde_json::from_slice(&status.body).unwrap();
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(value["statuses"][0]["id"], sent.id.as_str());
    assert_eq!(value["statuses"][0]["status"], "sent");
    assert_eq!(value["metadata"]["phone_number_id"], NUMBER);
    assert_eq!(value["contacts"][0]["wa_id"], ALICE);
    // What the table holds is the compact form, not the body.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (form, stored): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT form, body FROM deliveries WHERE id = ?1",
            [i64::try_from(status.id).unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(form, 1);
    assert!(stored.len() * 2 < status.body.len());
    conn.execute(
        "UPDATE deliveries SET body = CAST('{\"w\":' AS BLOB) WHERE id = ?1",
        [i64::try_from(status.id).unwrap()],
    )
    .unwrap();
    drop(conn);
    assert!(matches!(
        store.delivery(status.id),
        Err(StoreError::Database(_))
    ));
}

/// A database written before status webhooks were stored unrendered (schema version 4) opens,
/// gains the new column, and its webhooks read back with their bodies as they were.
#[test]
fn a_database_from_before_stored_statuses_opens_and_reads_its_bodies_as_they_were() {
    let path = temp_db("v4");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            include_str!("../migrations/0001_log.sql"),
            include_str!("../migrations/0002_history.sql"),
            include_str!("../migrations/0003_chain.sql"),
            include_str!("../migrations/0004_targets.sql"),
        ] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute(
            "INSERT INTO deliveries (id, waba_id, kind, body, created_at, next_attempt_at, state, parked)
             VALUES (1, '200000000000001', 'statuses', CAST('{\"object\":\"whatsapp_business_account\"}' AS BLOB), 5, 5, 0, 1)",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, Durability::Process).unwrap();
    let read = store.delivery(1).unwrap().expect("the old webhook");
    assert_eq!(&read.body[..], br#"{"object":"whatsapp_business_account"}"#);
    assert_eq!(read.kind, "statuses");
}
