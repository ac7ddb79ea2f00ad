//! The world the scenario tests share: one tenant with a linked catalog of four products,
//! two customers, a fake clock, and both stores.

#![allow(dead_code)] // Each test file uses its own part of it.

use std::sync::Arc;

use serde_json::{Value, json};
use wacart_sandbox::{
    AppSpec, Config, CustomerSpec, ManualClock, MemoryStore, NumberSpec, Sandbox, SqliteStore,
    Store, TenantSpec,
};
use wacart_schema::{
    BatchMethod, BatchRequest, ItemsBatchRequest, OutboundMessage, PhoneNumberId, WaId,
};

pub const NUMBER: &str = "100000000000001";
pub const CATALOG: &str = "300000000000001";
pub const ALICE: &str = "15551230001";
pub const BOB: &str = "15551230002";
pub const T0: u64 = 1_750_000_000_000;

pub fn product(id: &str, title: &str, price: &str, availability: &str) -> BatchRequest {
    let data = json!({"id": id, "title": title, "description": format!("{title}, fresh"), "availability": availability,
        "condition": "new", "price": price, "link": format!("https://shop.example/{id}"),
        "image_link": format!("https://shop.example/{id}.jpg")});
    BatchRequest::new(BatchMethod::Create, data.as_object().unwrap().clone())
}

pub fn update(id: &str, field: &str, value: &str) -> ItemsBatchRequest {
    let data = json!({"id": id, field: value});
    ItemsBatchRequest::products(vec![BatchRequest::new(
        BatchMethod::Update,
        data.as_object().unwrap().clone(),
    )])
}

pub struct World {
    pub sb: Sandbox,
    pub clock: ManualClock,
    pub store: Arc<dyn Store>,
    pub config: Config,
}

impl World {
    pub fn new(store: Arc<dyn Store>, config: Config) -> World {
        let clock = ManualClock::new(T0);
        let mut sb = Sandbox::open(store.clone(), Arc::new(clock.clone()), config.clone()).unwrap();
        let tenant = TenantSpec::new(
            "200000000000001",
            AppSpec::new("demo-app-secret", "demo-verify-token")
                .callback("http://127.0.0.1:9/hook"),
        )
        .number(
            NumberSpec::new(NUMBER, "15550001111", "demo-token")
                .d360_key("demo-360-key")
                .kaleyra("HXDEMO0000000IN", "demo-kaleyra-key")
                .linked_catalog(CATALOG, true),
        )
        .catalog(CATALOG);
        let _ = sb.create_tenant_cmd(tenant).unwrap();
        let _ = sb.add_customer(CustomerSpec::new(ALICE, "Alice")).unwrap();
        let _ = sb.add_customer(CustomerSpec::new(BOB, "Bob")).unwrap();
        let batch = ItemsBatchRequest::products(vec![
            product("apple-1kg", "Apples 1 kg", "3.49 USD", "in stock"),
            product("pear-1kg", "Pears 1 kg", "4.19 USD", "in stock"),
            product("kale", "Kale", "2.99 USD", "in stock"),
            product("truffle", "Truffle", "99.00 USD", "out of stock"),
        ]);
        let outcome = sb.items_batch(&CATALOG.into(), batch).unwrap().value;
        assert!(outcome.iter().all(Option::is_none), "{outcome:?}");
        World {
            sb,
            clock,
            store,
            config,
        }
    }

    pub fn n() -> PhoneNumberId {
        PhoneNumberId::new(NUMBER)
    }

    pub fn reopen(&self) -> Sandbox {
        self.store.flush().unwrap();
        Sandbox::open(
            self.store.clone(),
            Arc::new(self.clock.clone()),
            self.config.clone(),
        )
        .unwrap()
    }

    /// Bodies of the webhooks so far, parsed, with their kind.
    pub fn hooks(&self) -> Vec<Value> {
        self.sb
            .deliveries()
            .iter()
            .map(|d| serde_json::from_slice(&d.body).unwrap())
            .collect()
    }

    pub fn statuses_of(&self, id: &str) -> Vec<String> {
        self.hooks()
            .iter()
            .filter_map(|h| {
                h["entry"][0]["changes"][0]["value"]["statuses"][0]
                    .as_object()
                    .cloned()
            })
            .filter(|s| s["id"] == id)
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Everything observable, for comparing a live sandbox with its replay.
pub fn observable(sb: &Sandbox) -> Value {
    let deliveries: Vec<Value> = sb
        .deliveries()
        .iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect();
    let threads: Vec<Value> = [ALICE, BOB]
        .iter()
        .map(|c| serde_json::to_value(sb.thread_view(&WaId::new(*c), &World::n())).unwrap())
        .collect();
    let mut carts = Vec::new();
    for c in [ALICE, BOB] {
        for device in ["phone", "web"] {
            let (lines, notice) = sb.cart_lines(&WaId::new(c), device, &World::n());
            let lines: Vec<(String, u32)> = lines
                .into_iter()
                .map(|(id, q)| (id.to_string(), q))
                .collect();
            carts.push(json!({"customer": c, "device": device, "lines": lines, "notice": notice}));
        }
    }
    let settings = sb
        .settings(&World::n())
        .map(|s| (s.is_cart_enabled, s.is_catalog_visible));
    let products: Vec<String> = sb
        .catalog(&CATALOG.into())
        .map(|c| {
            c.products()
                .map(|p| {
                    format!(
                        "{}|{}|{}|{}",
                        p.retailer_id(),
                        p.title(),
                        p.price().to_price(),
                        p.availability().as_str()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    json!({"deliveries": deliveries, "threads": threads, "carts": carts, "settings": settings, "products": products})
}

pub fn spm(to: &str, id: &str) -> OutboundMessage {
    OutboundMessage::product(to, CATALOG, id)
        .body("Today's pick")
        .build()
        .unwrap()
}

pub fn memory() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

pub fn sqlite() -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!(
        "wacart-scenario-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Arc::new(
        SqliteStore::open(dir.join("sandbox.db"), wacart_sandbox::Durability::Process).unwrap(),
    )
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs each scenario named against the in-memory store and the SQLite store.
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {
        mod memory_store { $( #[test] fn $name() { super::$name(super::memory()); } )* }
        mod sqlite_store { $( #[test] fn $name() { super::$name(super::sqlite()); } )* }
    };
}
