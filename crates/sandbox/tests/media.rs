//! Media as the engine knows them: uploads, sends by id, deletes, the 30-day expiry, and the
//! records surviving a restart and a snapshot.

use std::sync::Arc;

use serde_json::json;
use wacart_sandbox::{
    AppSpec, Config, Door, Durability, EngineError, MEDIA_TTL, ManualClock, MemoryStore, NewMedia,
    NumberSpec, Sandbox, SqliteStore, Store, TenantSpec, Upkeep,
};
use wacart_schema::{OutboundMessage, PhoneNumberId, WaId};

const NUMBER: &str = "100000000000001";
const OTHER: &str = "100000000000002";
const ALICE: &str = "15551230001";
const T0: u64 = 1_750_000_000_000;

fn open(store: Arc<dyn Store>, clock: &ManualClock) -> Sandbox {
    Sandbox::open(store, Arc::new(clock.clone()), Config::default()).unwrap()
}

fn setup(sb: &mut Sandbox) {
    let tenant = TenantSpec::new("200000000000001", AppSpec::new("s", "v"))
        .number(NumberSpec::new(NUMBER, "15550001111", "t"))
        .number(NumberSpec::new(OTHER, "15550002222", "t2"));
    let _ = sb.create_tenant_cmd(tenant).unwrap();
    let _ = sb
        .customer_text(&WaId::new(ALICE), &n(NUMBER), "hi")
        .unwrap();
}

fn n(id: &str) -> PhoneNumberId {
    PhoneNumberId::new(id)
}

fn media(id: &str) -> NewMedia {
    NewMedia::new(id, "image/jpeg", "00ff", 1234, Some("a.jpg".to_owned()))
}

fn image(id: &str) -> OutboundMessage {
    serde_json::from_value(
        json!({"messaging_product": "whatsapp", "to": ALICE, "type": "image",
        "image": {"id": id, "caption": "Today's pick"}}),
    )
    .unwrap()
}

fn refused_as_meta(r: Result<impl std::fmt::Debug, EngineError>, kind: &str) {
    match r {
        Err(EngineError::Graph(g)) => {
            assert_eq!(g.code, 100);
            assert_eq!(
                g.message,
                format!(
                    "(#100) Param {kind}['id'] is not a valid whatsapp business account media attachment ID"
                )
            );
        }
        other => panic!("expected Meta's invalid media id error, got {other:?}"),
    }
}

#[test]
fn a_send_by_id_needs_a_live_media_of_the_sending_number() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock);
    setup(&mut sb);
    let _ = sb
        .upload_media(&n(NUMBER), media("4490709327384033"))
        .unwrap();
    let info = sb.media("4490709327384033").unwrap();
    assert_eq!(info.mime_type, "image/jpeg");
    assert_eq!(info.file_size, 1234);
    assert_eq!(info.expires_at, T0 + MEDIA_TTL);
    assert!(
        sb.send(&n(NUMBER), image("4490709327384033"), Door::Meta)
            .is_ok()
    );

    // Unknown ids, other numbers' media, and non-string ids are refused; nothing changes.
    let before = sb.image().unwrap();
    refused_as_meta(sb.send(&n(NUMBER), image("999"), Door::Meta), "image");
    refused_as_meta(
        sb.send(&n(OTHER), image("4490709327384033"), Door::Meta),
        "image",
    );
    let sticker: OutboundMessage = serde_json::from_value(json!({"messaging_product": "whatsapp",
        "to": ALICE, "type": "sticker", "sticker": {"id": 7}}))
    .unwrap();
    refused_as_meta(sb.send(&n(NUMBER), sticker, Door::Meta), "sticker");
    assert_eq!(
        sb.image().unwrap(),
        before,
        "a refused send changes nothing"
    );

    // Sends by link are not looked at.
    let link: OutboundMessage = serde_json::from_value(json!({"messaging_product": "whatsapp",
        "to": ALICE, "type": "document", "document": {"link": "https://example.com/a.pdf"}}))
    .unwrap();
    assert!(sb.send(&n(NUMBER), link, Door::Meta).is_ok());

    // Deleted: unknown to sends and lookups, and a second delete is refused.
    let _ = sb.delete_media("4490709327384033").unwrap();
    assert!(sb.media("4490709327384033").is_none());
    refused_as_meta(
        sb.send(&n(NUMBER), image("4490709327384033"), Door::Meta),
        "image",
    );
    assert!(matches!(
        sb.delete_media("4490709327384033"),
        Err(EngineError::UnknownMedia(_))
    ));
    // Ids are the server's: taken ones and non-numeric ones are refused.
    let _ = sb.upload_media(&n(NUMBER), media("1")).unwrap();
    assert!(matches!(
        sb.upload_media(&n(NUMBER), media("1")),
        Err(EngineError::Exists(_))
    ));
    assert!(matches!(
        sb.upload_media(&n(NUMBER), media("../1")),
        Err(EngineError::BadRequest(_))
    ));
    assert!(matches!(
        sb.upload_media(&n("9"), media("2")),
        Err(EngineError::UnknownNumber(_))
    ));
}

#[test]
fn media_expire_thirty_days_after_upload_and_leave_memory() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock);
    setup(&mut sb);
    let _ = sb.upload_media(&n(NUMBER), media("10")).unwrap();
    clock.advance(MEDIA_TTL - 1);
    assert!(sb.media("10").is_some());
    clock.advance(1);
    assert!(sb.media("10").is_none(), "expired by the clock at once");
    assert_eq!(sb.media_count(), 1, "the record leaves when time moves");
    sb.advance();
    assert_eq!(sb.media_count(), 0);
    refused_as_meta(sb.send(&n(NUMBER), image("10"), Door::Meta), "image");
}

#[test]
fn media_survive_a_restart_from_the_log_and_from_a_snapshot() {
    let dir = std::env::temp_dir().join(format!("wacart-media-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clock = ManualClock::new(T0);
    let db = dir.join("sandbox.db");
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, Durability::Process).unwrap());
        let mut sb = open(store.clone(), &clock);
        setup(&mut sb);
        let _ = sb.upload_media(&n(NUMBER), media("20")).unwrap();
        let _ = sb.upload_media(&n(NUMBER), media("21")).unwrap();
        let _ = sb.delete_media("21").unwrap();
        store.flush().unwrap();
    }
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, Durability::Process).unwrap());
    let mut sb = open(store.clone(), &clock);
    assert_eq!(sb.media("20").unwrap().file_name.as_deref(), Some("a.jpg"));
    assert!(sb.media("21").is_none());
    // A snapshot holds them too.
    sb.set_upkeep(Upkeep::default());
    sb.snapshot();
    store.flush().unwrap();
    let state = sb.image().unwrap();
    assert!(String::from_utf8_lossy(&state).contains("\"media\":[{\"id\":\"20\""));
    drop(sb);
    drop(store);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db, Durability::Process).unwrap());
    let mut sb = open(store, &clock);
    assert_eq!(sb.image().unwrap(), state);
    assert!(sb.send(&n(NUMBER), image("20"), Door::Meta).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}
