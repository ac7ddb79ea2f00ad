//! Each benchmark beside its baseline, in the same run:
//! - validate+serialize vs serialize alone (single-product, and 30-item multi-product message);
//! - typed parse vs `serde_json::Value` parse (order webhook with 30 items, 100-status batch).
//!
//! Run: `cargo bench -p wacart-schema --bench schema`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use wacart_schema::{OutboundMessage, WebhookPayload};

fn spm() -> OutboundMessage {
    OutboundMessage::product("16505551234", "194836987003835", "di9ozbzfi4")
        .body("Our bestseller, back in stock")
        .footer("Free delivery over $20")
        .build()
        .unwrap()
}

fn mpm30() -> OutboundMessage {
    let mut b = OutboundMessage::product_list(
        "16505551234",
        "194836987003835",
        "Weekend picks",
        "Fresh today",
    )
    .footer("Prices include VAT");
    for s in 0..3 {
        b = b.section(
            format!("Section {s}"),
            (0..10).map(|i| format!("sku-{s}-{i:04}")),
        );
    }
    b.build().unwrap()
}

fn order_webhook(items: usize) -> Vec<u8> {
    let items: Vec<Value> = (0..items)
        .map(|i| json!({"product_retailer_id": format!("sku-{i:04}"), "quantity": 1 + i % 99,
                        "item_price": format!("{}.99", 12 + i).parse::<f64>().unwrap(), "currency": "USD"}))
        .collect();
    serde_json::to_vec(&json!({"object":"whatsapp_business_account","entry":[{"id":"200000000000001","changes":[{
        "field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"100000000000001"},
        "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
        "messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz","timestamp":"1750096325",
          "type":"order","order":{"catalog_id":"194836987003835","text":"","product_items":items}}]}}]}]}))
    .unwrap()
}

fn status_batch(n: usize) -> Vec<u8> {
    let statuses: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI{i:04}"),
            "status": (["sent","delivered","read"][i % 3]), "timestamp": (1_750_096_300 + i).to_string(),
            "recipient_id":"16505551234",
            "pricing":{"billable":true,"pricing_model":"PMP","type":"free_customer_service","category":"service"}}))
        .collect();
    serde_json::to_vec(
        &json!({"object":"whatsapp_business_account","entry":[{"id":"200000000000001","changes":[{
        "field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"100000000000001"},
        "statuses":statuses}}]}]}),
    )
    .unwrap()
}

fn outbound(c: &mut Criterion) {
    for (name, m) in [("spm", spm()), ("mpm30", mpm30())] {
        let mut g = c.benchmark_group(format!("outbound/{name}"));
        g.throughput(Throughput::Elements(1));
        let mut buf = Vec::with_capacity(4096);
        g.bench_function("serialize", |b| {
            b.iter(|| {
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&m)).unwrap();
                black_box(buf.len())
            })
        });
        g.bench_function("validate+serialize", |b| {
            b.iter(|| {
                black_box(&m).validate().unwrap();
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&m)).unwrap();
                black_box(buf.len())
            })
        });
        g.finish();
    }
}

fn webhooks(c: &mut Criterion) {
    for (name, bytes) in [
        ("order30", order_webhook(30)),
        ("statuses100", status_batch(100)),
    ] {
        let mut g = c.benchmark_group(format!("webhook/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("serde_json::Value", |b| {
            b.iter(|| black_box(serde_json::from_slice::<Value>(black_box(&bytes)).unwrap()))
        });
        g.bench_function("typed", |b| {
            b.iter(|| {
                black_box(serde_json::from_slice::<WebhookPayload>(black_box(&bytes)).unwrap())
            })
        });
        g.finish();
    }
}

criterion_group!(benches, outbound, webhooks);
criterion_main!(benches);
