//! Benchmarks, inputs generated in-process:
//!
//! - `feed_import`: a generated 1,000,000-row CSV feed into an empty catalog (goal: at least
//!   300,000 rows/s; criterion prints elements/s). Peak memory is measured by the
//!   `feed_memory` example, which imports from a file.
//! - `purchasability_change`: a product held by 10,000 of 1,000,000 carts goes out of stock
//!   (goal: under 5 ms), beside one held by none (goal: microseconds).
//! - `product_lookup`: by retailer id in a 1,000,000-product catalog.
//!
//! `WACART_BENCH_ROWS` and `WACART_BENCH_CARTS` shrink the inputs for a quick run.

#[path = "../tests/support/feedgen.rs"]
mod feedgen;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wacart_catalog::{
    Availability, CartKey, Carts, Catalog, CommerceSettings, Condition, Money, ProductPatch,
};
use wacart_schema::RetailerId;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn feed_and_lookup(c: &mut Criterion) {
    let rows = env_usize("WACART_BENCH_ROWS", 1_000_000);
    let feed = feedgen::feed(rows, 1);
    eprintln!("feed_import input: {rows} rows, {} bytes", feed.len());

    let mut group = c.benchmark_group("feed_import");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(rows as u64));
    group.bench_function(format!("csv_{rows}_rows"), |b| {
        b.iter_with_large_drop(|| {
            let mut catalog = Catalog::new("194836987003835".into());
            let import = catalog
                .import_feed(black_box(&feed[..]))
                .expect("a usable header");
            assert_eq!(import.report.loaded, rows);
            catalog
        })
    });
    group.finish();

    let mut catalog = Catalog::new("194836987003835".into());
    catalog.import_feed(&feed[..]).expect("a usable header");
    drop(feed);
    let ids: Vec<RetailerId> = (0..1024)
        .map(|i| RetailerId::new(format!("SKU-{:07}", (i * 7919) % rows)))
        .collect();
    let missing: Vec<RetailerId> = (0..1024)
        .map(|i| RetailerId::new(format!("NOPE-{i}")))
        .collect();
    let mut group = c.benchmark_group("product_lookup");
    group.bench_function(format!("hit_in_{rows}_products"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            black_box(catalog.get(black_box(&ids[i])))
        })
    });
    group.bench_function(format!("miss_in_{rows}_products"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            black_box(catalog.get(black_box(&missing[i])))
        })
    });
    group.finish();
}

fn product(price_cents: u64) -> ProductPatch {
    let usd = wacart_catalog::Currency::from_code("USD").expect("USD");
    ProductPatch::new()
        .title("Product")
        .description("Description")
        .availability(Availability::InStock)
        .condition(Condition::New)
        .price(Money::from_minor(price_cents, usd).expect("in range"))
        .link("https://shop.example/p")
        .image_link("https://cdn.example/p.jpg")
}

fn purchasability(c: &mut Criterion) {
    let total = env_usize("WACART_BENCH_CARTS", 1_000_000);
    let hot_count = 100;
    let per_product = total / hot_count;
    let mut catalog = Catalog::new("194836987003835".into());
    let hot: Vec<RetailerId> = (0..hot_count)
        .map(|i| RetailerId::new(format!("hot-{i}")))
        .collect();
    for id in &hot {
        catalog.create(id.clone(), &product(999)).expect("created");
    }
    let cold = RetailerId::new("cold");
    catalog
        .create(cold.clone(), &product(999))
        .expect("created");

    let settings = CommerceSettings::default();
    let mut carts = Carts::new();
    for i in 0..total {
        let customer = format!("{}", 16_505_000_000u64 + (i / 2) as u64);
        let key = CartKey::new(
            "106540352242922",
            customer,
            if i % 2 == 0 { "phone" } else { "web" },
        );
        carts
            .set_quantity(&key, &catalog, settings, &hot[i % hot_count], 1, None)
            .expect("purchasable");
    }
    assert_eq!(carts.len(), total);
    assert_eq!(carts.holders(catalog.id(), &hot[0]), per_product);
    assert_eq!(carts.holders(catalog.id(), &cold), 0);

    let out = ProductPatch::new().availability(Availability::OutOfStock);
    let back = ProductPatch::new().availability(Availability::InStock);
    let mut group = c.benchmark_group("purchasability_change");
    group.sample_size(20);
    group.bench_function(format!("held_by_{per_product}_of_{total}_carts"), |b| {
        let mut n = 0;
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let id = &hot[n % hot_count];
                n += 1;
                let event = catalog.update(id, &out).expect("updated").expect("changed");
                let start = Instant::now();
                let removed = black_box(carts.apply_event(black_box(&event)));
                timed += start.elapsed();
                assert_eq!(removed.len(), per_product);
                // Put everything back, untimed.
                catalog.update(id, &back).expect("updated");
                for cart in &removed {
                    let key = carts.key(*cart).expect("a cart").clone();
                    carts
                        .set_quantity(&key, &catalog, settings, id, 1, None)
                        .expect("purchasable");
                }
            }
            timed
        })
    });
    let event = catalog
        .update(&cold, &out)
        .expect("updated")
        .expect("changed");
    group.bench_function(format!("held_by_none_of_{total}_carts"), |b| {
        b.iter(|| black_box(carts.apply_event(black_box(&event))))
    });
    group.finish();
}

criterion_group!(benches, feed_and_lookup, purchasability);
criterion_main!(benches);
