//! Accepted sends per second through the engine, with the SQLite store and with the in-memory
//! store in the same run; each batch of sends is made durable before the clock stops. And an
//! order built from a 100-item cart.
//!
//! Run: `cargo bench -p wacart-sandbox --bench engine`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use wacart_sandbox::{
    AppSpec, Config, CustomerSpec, Door, Durability, ManualClock, MemoryStore, NumberSpec, Sandbox,
    SqliteStore, Store, TenantSpec,
};
use wacart_schema::{
    BatchMethod, BatchRequest, ItemsBatchRequest, OutboundMessage, PhoneNumberId, RetailerId, WaId,
};

const NUMBER: &str = "100000000000001";
const CATALOG: &str = "300000000000001";
const ALICE: &str = "15551230001";

fn world(store: Arc<dyn Store>, products: usize) -> Sandbox {
    let mut sb = Sandbox::open(
        store,
        Arc::new(ManualClock::new(1_750_000_000_000)),
        Config::default(),
    )
    .unwrap();
    let tenant = TenantSpec::new("200000000000001", AppSpec::new("s", "v"))
        .number(NumberSpec::new(NUMBER, "15550001111", "t").linked_catalog(CATALOG, true))
        .catalog(CATALOG);
    let _ = sb.create_tenant_cmd(tenant).unwrap();
    let _ = sb.add_customer(CustomerSpec::new(ALICE, "Alice")).unwrap();
    let requests = (0..products)
        .map(|i| {
            let data = json!({"id": format!("sku-{i}"), "title": format!("Product {i}"), "description": "D",
                "availability": "in stock", "condition": "new", "price": format!("{}.99 USD", i + 1),
                "link": "https://x", "image_link": "https://x/i.jpg"});
            BatchRequest::new(BatchMethod::Create, data.as_object().unwrap().clone())
        })
        .collect();
    let _ = sb
        .items_batch(&CATALOG.into(), ItemsBatchRequest::products(requests))
        .unwrap();
    let _ = sb
        .customer_text(&WaId::new(ALICE), &PhoneNumberId::new(NUMBER), "hi")
        .unwrap();
    sb
}

fn temp_db() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wacart-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("bench.db")
}

fn sends(c: &mut Criterion) {
    let message = OutboundMessage::product(ALICE, CATALOG, "sku-1")
        .body("Today's pick")
        .build()
        .unwrap();
    let number = PhoneNumberId::new(NUMBER);
    let mut g = c.benchmark_group("engine/accepted_sends");
    g.throughput(Throughput::Elements(1));
    let stores: Vec<(&str, Arc<dyn Store>)> = vec![
        ("memory", Arc::new(MemoryStore::new())),
        (
            "sqlite",
            Arc::new(SqliteStore::open(temp_db(), Durability::PowerLoss).unwrap()),
        ),
    ];
    for (name, store) in stores {
        let mut sb = world(store.clone(), 10);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                let mut last = 0;
                for _ in 0..iters {
                    let ack = sb
                        .send(&number, black_box(message.clone()), Door::Meta)
                        .unwrap();
                    last = ack.seq.unwrap_or(last);
                }
                store.sync(last).unwrap();
                start.elapsed()
            })
        });
    }
    g.finish();
}

fn order_from_100_items(c: &mut Criterion) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let mut sb = world(store, 100);
    let (alice, number) = (WaId::new(ALICE), PhoneNumberId::new(NUMBER));
    c.bench_function("engine/order_from_100_item_cart", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for i in 0..100 {
                    let _ = sb
                        .set_cart_item(
                            &alice,
                            "phone",
                            &number,
                            &RetailerId::new(format!("sku-{i}")),
                            2,
                            None,
                        )
                        .unwrap();
                }
                let start = Instant::now();
                let _ = black_box(sb.send_cart(&alice, "phone", &number, "").unwrap());
                total += start.elapsed();
            }
            total
        })
    });
}

criterion_group!(benches, sends, order_from_100_items);
criterion_main!(benches);
