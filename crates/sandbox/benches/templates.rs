//! A 10-card product carousel template send checked as a send is: validation, then the
//! template registry (the approved template in that language, parameters in number and format,
//! text filled), then every card's product against the linked catalog. Beside it, in the same
//! run, validation alone, so the registry and catalog's share shows.
//!
//! Run: `cargo bench -p wacart-sandbox --bench templates`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use wacart_sandbox::{AppSpec, Config, ManualClock, MemoryStore, NumberSpec, Sandbox, TenantSpec};
use wacart_schema::{
    BatchMethod, BatchRequest, CardBuilder, ItemsBatchRequest, OutboundMessage, Parameter,
    PhoneNumberId, TemplateDefinition, TemplateStatus, WabaId,
};

const NUMBER: &str = "100000000000001";
const CATALOG: &str = "300000000000001";
const WABA: &str = "200000000000001";

/// A tenant whose catalog holds 10,000 products, with an approved 10-card carousel template
/// among 200 others.
fn world() -> Sandbox {
    let mut sb = Sandbox::open(
        Arc::new(MemoryStore::new()),
        Arc::new(ManualClock::new(1_750_000_000_000)),
        Config::default(),
    )
    .unwrap();
    let tenant = TenantSpec::new(WABA, AppSpec::new("s", "v"))
        .number(NumberSpec::new(NUMBER, "15550001111", "t").linked_catalog(CATALOG, true))
        .catalog(CATALOG);
    let _ = sb.create_tenant_cmd(tenant).unwrap();
    for chunk in 0..10 {
        let requests = (0..1000)
            .map(|i| {
                let data = json!({"id": format!("sku-{}", chunk * 1000 + i), "title": format!("Product {i}"),
                    "description": "D", "availability": "in stock", "condition": "new",
                    "price": format!("{}.99 USD", i + 1), "link": "https://x", "image_link": "https://x/i.jpg"});
                BatchRequest::new(BatchMethod::Create, data.as_object().unwrap().clone())
            })
            .collect();
        let _ = sb
            .items_batch(&CATALOG.into(), ItemsBatchRequest::products(requests))
            .unwrap();
    }
    let waba = WabaId::new(WABA);
    for i in 0..200 {
        let def = TemplateDefinition::catalog(format!("other_{i}"), "en_US", "Browse")
            .build()
            .unwrap();
        let _ = sb.create_template(&waba, def).unwrap();
    }
    let def = TemplateDefinition::product_carousel("weekly_picks", "en_US", "Our {{1}} picks", 10)
        .body_examples(["weekly"])
        .build()
        .unwrap();
    let id = sb.create_template(&waba, def).unwrap().value.id;
    let _ = sb
        .review_template(&id, TemplateStatus::Approved, None)
        .unwrap();
    sb
}

fn carousel() -> OutboundMessage {
    OutboundMessage::template("16505551234", "weekly_picks", "en_US")
        .body([Parameter::text("weekly")])
        .carousel((0..10).map(|i| CardBuilder::product(CATALOG, format!("sku-{}", i * 997))))
        .build()
        .unwrap()
}

fn carousel_send(c: &mut Criterion) {
    let sb = world();
    let number = PhoneNumberId::new(NUMBER);
    let message = carousel();
    sb.check_send(&number, &message).expect("the send fits");
    let mut g = c.benchmark_group("10-card carousel template send");
    g.bench_function("validate only", |b| {
        b.iter(|| black_box(&message).validate().unwrap());
    });
    g.bench_function("validate + registry + catalog", |b| {
        b.iter(|| sb.check_send(&number, black_box(&message)).unwrap());
    });
    g.finish();
}

criterion_group!(benches, carousel_send);
criterion_main!(benches);
