//! Kaleyra accounts in the engine: callback profiles render status and incoming-message
//! callbacks with the refs of the originating send, into the same outbox; prepaid balances,
//! account types and API versions refuse as Kaleyra does; and all of it replays exactly.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use wacart_sandbox::callbacks::{CallbackEvent, CallbackMethod, CallbackProfile};
use wacart_sandbox::{
    AccountSettings, AppSpec, Billing, Config, CustomerInput, CustomerSpec, Delivery, EngineError,
    KaleyraMeta, KaleyraRefusal, ManualClock, MemoryStore, NumberSettings, NumberSpec, Sandbox,
    Store, TenantSpec,
};
use wacart_schema::{
    BatchMethod, BatchRequest, ItemsBatchRequest, KaleyraExtraInfo, OutboundMessage, PhoneNumberId,
    RetailerId, WaId,
};

const NUMBER: &str = "100000000000001";
const CATALOG: &str = "300000000000001";
const ALICE: &str = "15551230001";
const SID: &str = "HXTEST00000001IN";
const T0: u64 = 1_750_000_000_000;

fn n() -> PhoneNumberId {
    PhoneNumberId::new(NUMBER)
}

fn alice() -> WaId {
    WaId::new(ALICE)
}

fn open(store: Arc<dyn Store>, clock: &ManualClock) -> Sandbox {
    Sandbox::open(store, Arc::new(clock.clone()), Config::default()).unwrap()
}

fn post_profile() -> CallbackProfile {
    let mut p = CallbackProfile::post_all("status-post", "http://127.0.0.1:9/status");
    p.body = Some(
        json!({"id": "<id>", "status": "<status>", "mobile": "<mobile>",
        "ref": "<ref>", "ref1": "<ref1>", "ref2": "<ref2>", "wa_source": "<wa_source>",
        "price": "<price>", "error_code": "<error_code>"}),
    );
    p.events = vec![CallbackEvent::MessageStatus];
    p
}

fn get_profile() -> CallbackProfile {
    let mut p = CallbackProfile::post_all("incoming-get", "http://127.0.0.1:9/in");
    p.method = CallbackMethod::Get;
    p.url = "http://127.0.0.1:9/in?type=<type>&from=<from>&ref=<ref>&reply_to=<reply_to>&message=<message>".into();
    p.body = None;
    p.events = vec![CallbackEvent::IncomingMessage];
    p
}

fn setup(sb: &mut Sandbox) {
    let tenant = TenantSpec::new("200000000000001", AppSpec::new("s", "v"))
        .number(
            NumberSpec::new(NUMBER, "15550001111", "t")
                .kaleyra(SID, "key")
                .linked_catalog(CATALOG, true),
        )
        .catalog(CATALOG);
    let _ = sb.create_tenant_cmd(tenant).unwrap();
    let _ = sb.add_customer(CustomerSpec::new(ALICE, "Alice")).unwrap();
    let data = json!({"id": "kale", "title": "Kale", "description": "D", "availability": "in stock",
        "condition": "new", "price": "2.50 USD", "link": "https://x", "image_link": "https://x/i.jpg"});
    let batch = ItemsBatchRequest::products(vec![BatchRequest::new(
        BatchMethod::Create,
        data.as_object().unwrap().clone(),
    )]);
    let _ = sb.items_batch(&CATALOG.into(), batch).unwrap();
    let _ = sb.kaleyra_put_profile(SID, post_profile()).unwrap();
    let _ = sb.kaleyra_put_profile(SID, get_profile()).unwrap();
    let mut number = NumberSettings::default();
    number.callback_profile_id = Some("incoming-get".into());
    let _ = sb.kaleyra_set_number(SID, &n(), number).unwrap();
    let mut account = AccountSettings::default();
    account.billing = Billing::Prepaid;
    account.balance = "1.00".parse().unwrap();
    account.price = "0.40".parse().unwrap();
    let _ = sb.kaleyra_set_account(SID, account).unwrap();
}

fn meta(reference: &str) -> KaleyraMeta {
    let mut info = KaleyraExtraInfo::default();
    info.reference = Some(reference.into());
    info.ref1 = Some("r1".into());
    info.wa_source = Some("shopify".into());
    KaleyraMeta::new(SID)
        .extra_info(Some(&info))
        .callback_profile_id(Some("status-post".into()))
}

fn spm() -> OutboundMessage {
    OutboundMessage::product(ALICE, CATALOG, "kale")
        .body("Fresh")
        .build()
        .unwrap()
}

fn callbacks(sb: &Sandbox) -> Vec<Delivery> {
    sb.deliveries()
        .into_iter()
        .filter(|d| d.target.is_some())
        .collect()
}

fn body(d: &Delivery) -> Value {
    serde_json::from_slice(&d.body).unwrap()
}

#[test]
fn statuses_and_the_order_reach_the_profiles_with_the_refs() {
    let clock = ManualClock::new(T0);
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let mut sb = open(store.clone(), &clock);
    setup(&mut sb);
    let _ = sb
        .customer_send(
            &alice(),
            &n(),
            CustomerInput::Text { body: "hi".into() },
            None,
        )
        .unwrap();
    let sent = sb
        .kaleyra_send(&n(), spm(), meta("campaign-7"))
        .unwrap()
        .value;
    clock.advance(2_000);
    sb.advance();
    let _ = sb
        .set_cart_item(
            &alice(),
            "phone",
            &n(),
            &RetailerId::new("kale"),
            2,
            Some(sent.id.clone()),
        )
        .unwrap();
    let order = sb
        .send_cart(&alice(), "phone", &n(), "Ring twice")
        .unwrap()
        .value;

    let cbs = callbacks(&sb);
    let statuses: Vec<Value> = cbs
        .iter()
        .filter(|d| d.kind == "statuses")
        .map(body)
        .collect();
    assert_eq!(statuses.len(), 2, "sent and delivered: {statuses:?}");
    assert_eq!(
        statuses[0],
        json!({"id": sent.id.to_string(), "status": "sent", "mobile": ALICE, "ref": "campaign-7",
               "ref1": "r1", "ref2": "", "wa_source": "shopify", "price": "", "error_code": ""})
    );
    assert_eq!(statuses[1]["status"], "delivered");
    assert_eq!(statuses[1]["price"], "0.4", "the price shows on delivered");
    let first_status = cbs.iter().find(|d| d.kind == "statuses").unwrap();
    let target = first_status.target.as_ref().unwrap();
    assert_eq!(
        (target.method.as_str(), target.url.as_str()),
        ("POST", "http://127.0.0.1:9/status")
    );

    // Incoming: the text before the send (no refs) and the order (the product message's refs).
    let incoming: Vec<&Delivery> = cbs.iter().filter(|d| d.kind == "messages").collect();
    assert_eq!(incoming.len(), 2);
    let url = &incoming[1].target.as_ref().unwrap().url;
    assert!(incoming[1].body.is_empty(), "GET carries no body");
    assert!(
        url.starts_with(&format!(
            "http://127.0.0.1:9/in?type=order&from={ALICE}&ref=campaign-7&reply_to={}&message=",
            sent.id
        )),
        "{url}"
    );
    let message = url.split("&message=").nth(1).unwrap();
    assert!(
        message.contains("product_items") && message.contains(order.as_str()),
        "{message}"
    );
    assert!(
        incoming[0]
            .target
            .as_ref()
            .unwrap()
            .url
            .contains("type=text&from=15551230001&ref=&")
    );

    // Meta's webhooks still go to the WABA app, untouched.
    assert!(
        sb.deliveries()
            .iter()
            .any(|d| d.target.is_none() && d.kind == "statuses")
    );

    // Replay and snapshot agree, and profiles, balance and refs come back.
    let image = sb.image().unwrap();
    drop(sb);
    let again = open(store, &clock);
    assert_eq!(
        again.image().unwrap(),
        image,
        "a full replay rebuilds the same state"
    );
    let account = again.kaleyra_account(SID).unwrap();
    assert_eq!(account.settings.balance.to_string(), "0.6");
    assert_eq!(account.callback_profiles.len(), 2);
}

#[test]
fn kaleyra_refuses_for_balance_account_type_and_api_version() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock);
    setup(&mut sb);
    let _ = sb
        .customer_send(
            &alice(),
            &n(),
            CustomerInput::Text { body: "hi".into() },
            None,
        )
        .unwrap();
    // 1.00 pays two messages at 0.40; the third is E110, and nothing is charged for it.
    for _ in 0..2 {
        let _ = sb.kaleyra_send(&n(), spm(), meta("x")).unwrap();
    }
    let third = sb.kaleyra_send(&n(), spm(), meta("x"));
    assert!(matches!(
        third,
        Err(EngineError::Kaleyra(KaleyraRefusal::LowBalance))
    ));
    assert_eq!(
        sb.kaleyra_account(SID)
            .unwrap()
            .settings
            .balance
            .to_string(),
        "0.2"
    );
    // Postpaid never runs out.
    let mut postpaid = sb.kaleyra_account(SID).unwrap().settings;
    postpaid.billing = Billing::Postpaid;
    let _ = sb.kaleyra_set_account(SID, postpaid.clone()).unwrap();
    let _ = sb.kaleyra_send(&n(), spm(), meta("x")).unwrap();
    // An unknown profile named on the send.
    let unknown = sb.kaleyra_send(
        &n(),
        spm(),
        KaleyraMeta::new(SID).callback_profile_id(Some("nope".into())),
    );
    assert!(matches!(
        unknown,
        Err(EngineError::Kaleyra(KaleyraRefusal::UnknownProfile(_)))
    ));
    // No API access for the account type.
    let mut closed = postpaid.clone();
    closed.api_access = false;
    let _ = sb.kaleyra_set_account(SID, closed).unwrap();
    assert_eq!(sb.kaleyra_gate(SID, &n()), Err(KaleyraRefusal::NoApiAccess));
    assert!(matches!(
        sb.kaleyra_send(&n(), spm(), meta("x")),
        Err(EngineError::Kaleyra(KaleyraRefusal::NoApiAccess))
    ));
    let _ = sb.kaleyra_set_account(SID, postpaid).unwrap();
    // The number on another version of the API.
    let mut v1 = NumberSettings::default();
    v1.api_version = Some("v1".into());
    let _ = sb.kaleyra_set_number(SID, &n(), v1).unwrap();
    assert_eq!(
        sb.kaleyra_gate(SID, &n()),
        Err(KaleyraRefusal::OtherApiVersion("v1".into()))
    );
}

#[test]
fn profiles_and_settings_are_checked() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock);
    setup(&mut sb);
    let mut bad = post_profile();
    bad.method = CallbackMethod::Get;
    assert!(matches!(
        sb.kaleyra_put_profile(SID, bad),
        Err(EngineError::BadRequest(_))
    ));
    assert!(sb.kaleyra_put_profile("HXNOPE", post_profile()).is_err());
    let mut number = NumberSettings::default();
    number.callback_profile_id = Some("missing".into());
    assert!(sb.kaleyra_set_number(SID, &n(), number).is_err());
    let mut account = AccountSettings::default();
    account.price = "0.00001".parse().unwrap();
    assert!(
        sb.kaleyra_set_account(SID, account).is_err(),
        "more than 4 decimals"
    );
    // Dropping the number's default leaves it without one.
    let _ = sb.kaleyra_drop_profile(SID, "incoming-get").unwrap();
    let view = sb.kaleyra_account(SID).unwrap();
    assert_eq!(view.numbers[NUMBER].callback_profile_id, None);
    let _: BTreeMap<String, NumberSettings> = view.numbers;
}

#[test]
fn failed_and_read_statuses_carry_the_error_and_the_refs() {
    let clock = ManualClock::new(T0);
    let mut sb = open(Arc::new(MemoryStore::new()), &clock);
    setup(&mut sb);
    // No message from the customer yet: the window is closed, the send fails with 131047.
    let failed = sb.kaleyra_send(&n(), spm(), meta("late")).unwrap().value;
    let _ = sb
        .customer_send(
            &alice(),
            &n(),
            CustomerInput::Text { body: "hi".into() },
            None,
        )
        .unwrap();
    let read = sb.kaleyra_send(&n(), spm(), meta("fresh")).unwrap().value;
    clock.advance(2_000);
    let _ = sb.read_thread(&alice(), &n()).unwrap();
    let statuses: Vec<Value> = callbacks(&sb)
        .iter()
        .filter(|d| d.kind == "statuses")
        .map(body)
        .collect();
    let of = |id: &wacart_schema::MessageId| -> Vec<(String, String, String)> {
        statuses
            .iter()
            .filter(|s| s["id"] == id.as_str())
            .map(|s| {
                let f = |k: &str| s[k].as_str().unwrap().to_owned();
                (f("status"), f("error_code"), f("ref"))
            })
            .collect()
    };
    assert_eq!(
        of(&failed.id),
        [("failed".to_owned(), "131047".to_owned(), "late".to_owned())]
    );
    let read_statuses: Vec<String> = of(&read.id).into_iter().map(|s| s.0).collect();
    assert_eq!(read_statuses, ["sent", "delivered", "read"]);
}

#[test]
fn callbacks_keep_their_target_in_sqlite_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("wacart-kaleyra-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sandbox.db");
    let clock = ManualClock::new(T0);
    let open_db = || -> Arc<dyn Store> {
        Arc::new(
            wacart_sandbox::SqliteStore::open(&path, wacart_sandbox::Durability::Process).unwrap(),
        )
    };
    let store = open_db();
    let mut sb = open(store.clone(), &clock);
    setup(&mut sb);
    let _ = sb
        .customer_send(
            &alice(),
            &n(),
            CustomerInput::Text { body: "hi".into() },
            None,
        )
        .unwrap();
    let _ = sb.kaleyra_send(&n(), spm(), meta("persisted")).unwrap();
    let before = callbacks(&sb);
    let image = sb.image().unwrap();
    // Without an app callback, the app's webhooks are parked; Kaleyra's callbacks are due.
    let due = store.due(u64::MAX, 100).unwrap();
    assert!(due.iter().all(|d| d.target.is_some()) && !due.is_empty());
    drop(sb);
    drop(store);
    let store = open_db();
    let again = open(store.clone(), &clock);
    assert_eq!(again.image().unwrap(), image);
    assert_eq!(
        callbacks(&again),
        before,
        "targets read back from the database"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Kaleyra day: profiles, a send with refs, statuses, an order, a refused send, a not-sent
/// recipient; with a snapshot in the middle when `snapshot`.
fn kaleyra_day(sb: &mut Sandbox, clock: &ManualClock, snapshot: bool) {
    setup(sb);
    let _ = sb
        .customer_send(
            &alice(),
            &n(),
            CustomerInput::Text { body: "hi".into() },
            None,
        )
        .unwrap();
    let sent = sb.kaleyra_send(&n(), spm(), meta("a")).unwrap().value;
    clock.advance(1_500);
    sb.advance();
    if snapshot {
        sb.snapshot();
    }
    let _ = sb
        .set_cart_item(
            &alice(),
            "phone",
            &n(),
            &RetailerId::new("kale"),
            1,
            Some(sent.id),
        )
        .unwrap();
    let _ = sb.send_cart(&alice(), "phone", &n(), "").unwrap();
    let _ = sb.kaleyra_send(&n(), spm(), meta("b")).unwrap();
    assert!(sb.kaleyra_send(&n(), spm(), meta("c")).is_err(), "E110");
    let _ = sb
        .kaleyra_not_sent(&n(), &WaId::new("15551230002"), meta("c"), "E110", "low")
        .unwrap();
    let _ = sb.kaleyra_drop_profile(SID, "status-post").unwrap();
    clock.advance(1_500);
    sb.advance();
}

#[test]
fn a_snapshot_and_its_tail_rebuild_what_a_full_replay_does() {
    let images: Vec<Vec<u8>> = [false, true]
        .into_iter()
        .flat_map(|snapshot| {
            let clock = ManualClock::new(T0);
            let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
            let mut sb = open(store.clone(), &clock);
            kaleyra_day(&mut sb, &clock, snapshot);
            let live = sb.image().unwrap();
            drop(sb);
            // Time moved after the last command: the reopened sandbox moves to it too.
            let mut again = open(store, &clock);
            again.advance();
            let reopened = again.image().unwrap();
            [live, reopened]
        })
        .collect();
    for (i, w) in images.windows(2).enumerate() {
        if w[0] != w[1] {
            let a = String::from_utf8_lossy(&w[0]);
            let b = String::from_utf8_lossy(&w[1]);
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "images {i} and {} differ at {at}: {:?} / {:?}",
                i + 1,
                &a[at.saturating_sub(200)..(at + 200).min(a.len())],
                &b[at.saturating_sub(200)..(at + 200).min(b.len())]
            );
        }
    }
    let text = String::from_utf8_lossy(&images[0]).into_owned();
    assert!(
        text.contains("\"kaleyra_accounts\"") && text.contains("\"ref\":\"a\""),
        "{text}"
    );
}
