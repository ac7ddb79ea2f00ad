//! The committed feed fixtures: each is what the generator makes, and each has one snapshot of
//! its check report. Regenerate the fixtures with
//! `WACART_BLESS=1 cargo test -p wacart-catalog --test feed`.

#[path = "support/feedgen.rs"]
mod feedgen;

use std::path::PathBuf;

use wacart_catalog::{Availability, Catalog, FeedFormat, check_feed};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn fixtures_are_what_the_generator_makes() {
    for (name, text) in [
        ("feed.csv", feedgen::fixture_csv()),
        ("feed.tsv", feedgen::fixture_tsv()),
    ] {
        let path = fixture(name);
        if std::env::var_os("WACART_BLESS").is_some() {
            std::fs::write(&path, &text).expect("fixture written");
        }
        let committed = std::fs::read_to_string(&path).expect("fixture present");
        assert!(
            committed == text,
            "{name} is stale: run WACART_BLESS=1 cargo test -p wacart-catalog --test feed"
        );
    }
}

#[test]
fn csv_fixture_report() {
    let bytes = std::fs::read(fixture("feed.csv")).unwrap();
    let report = check_feed(&bytes).unwrap();
    assert_eq!(report.format, FeedFormat::Csv);
    assert_eq!(report.rejected.len(), 10);
    assert_eq!(report.loaded, 310);
    insta::assert_snapshot!("feed_csv", report.to_string());
}

#[test]
fn tsv_fixture_report() {
    let bytes = std::fs::read(fixture("feed.tsv")).unwrap();
    let report = check_feed(&bytes).unwrap();
    assert_eq!(report.format, FeedFormat::Tsv);
    assert_eq!(report.loaded + report.rejected.len(), 60);
    insta::assert_snapshot!("feed_tsv", report.to_string());
}

#[test]
fn csv_fixture_imports_its_good_rows_exactly() {
    let bytes = std::fs::read(fixture("feed.csv")).unwrap();
    let mut catalog = Catalog::new("194836987003835".into());
    let import = catalog.import_feed(&bytes[..]).unwrap();
    assert_eq!(catalog.len(), import.report.loaded);
    assert_eq!(import.report.created, import.report.loaded);
    assert!(
        import.events.is_empty(),
        "a first import announces no creations"
    );

    // The unknown availability is kept, and not sold.
    let odd = catalog.get(&"SKU-0000005".into()).unwrap();
    assert_eq!(
        *odd.availability(),
        Availability::Unknown("coming soon".into())
    );
    assert!(!odd.is_purchasable());

    // Quoted fields come back whole: commas, doubled quotes, line breaks.
    assert!(catalog.products().any(|p| p.description().contains('\n')));
    assert!(
        catalog
            .products()
            .any(|p| p.description().contains("\"the one\""))
    );
    assert!(catalog.products().all(|p| p.title().contains(", ")));

    // Rejected rows load nothing; the duplicate keeps the first row.
    for broken in [
        "SKU-0000017",
        "SKU-0000042",
        "SKU-0000063",
        "SKU-0000120",
        "SKU-0000151",
    ] {
        assert!(catalog.get(&broken.into()).is_none(), "{broken}");
    }
    assert!(catalog.get(&"SKU-0000010".into()).is_some());
    assert!(catalog.get(&"SKU-0000088".into()).is_none());

    // Prices are exact cents, re-imports change nothing.
    assert!(
        catalog
            .products()
            .all(|p| p.price().currency().code() == "USD")
    );
    let again = catalog.import_feed(&bytes[..]).unwrap();
    assert_eq!((again.report.created, again.report.updated), (0, 0));
    assert!(again.events.is_empty());
}

#[test]
fn the_same_products_load_from_csv_and_tsv() {
    let mut csv = Catalog::new("1".into());
    let mut tsv = Catalog::new("1".into());
    let rows = feedgen::fixture(60, ',', false, 11);
    csv.import_feed(rows.as_bytes()).unwrap();
    tsv.import_feed(feedgen::fixture_tsv().as_bytes()).unwrap();
    assert_eq!(csv.len(), tsv.len());
    for p in tsv.products() {
        let q = csv.get(p.retailer_id()).unwrap();
        assert_eq!(
            (p.price(), p.sale_price(), p.availability()),
            (q.price(), q.sale_price(), q.availability())
        );
    }
}

#[test]
fn crlf_feeds_read_the_same() {
    let text = feedgen::fixture_csv();
    let crlf = text.replace('\n', "\r\n");
    let a = check_feed(text.as_bytes()).unwrap();
    let b = check_feed(crlf.as_bytes()).unwrap();
    assert_eq!(a.to_string(), b.to_string());
}

mod hostile {
    use proptest::prelude::*;
    use wacart_catalog::{Catalog, ProductPatch, check_feed};

    const HEADER: &str =
        "id,title,description,availability,condition,price,sale_price,link,image_link\n";

    /// Field text made of the characters that matter to a CSV parser and to the field rules.
    fn field() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just(",".to_owned()),
                Just("\"".to_owned()),
                Just("\n".to_owned()),
                Just("\r".to_owned()),
                Just("\t".to_owned()),
                Just(" ".to_owned()),
                Just("9.99 USD".to_owned()),
                Just("1.999 KWD".to_owned()),
                Just("https://x".to_owned()),
                Just("in stock".to_owned()),
                Just("new".to_owned()),
                Just("é".to_owned()),
                Just("\u{feff}".to_owned()),
                "[a-z0-9]{0,3}",
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = check_feed(&bytes);
            let mut with_header = HEADER.as_bytes().to_vec();
            with_header.extend_from_slice(&bytes);
            let report = check_feed(&with_header).unwrap();
            prop_assert!(report.rejected.iter().all(|r| r.line >= 2 && !r.to_string().contains('\n')));
        }

        #[test]
        fn hostile_rows_never_panic_and_every_row_is_accounted_for(
            rows in prop::collection::vec(prop::collection::vec(field(), 0..11), 0..12)
        ) {
            let mut text = HEADER.to_owned();
            for row in &rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            let mut catalog = Catalog::new("1".into());
            let import = catalog.import_feed(text.as_bytes()).unwrap();
            prop_assert_eq!(catalog.len(), import.report.created);
            prop_assert!(import.report.loaded <= import.report.created + import.report.updated + rows.len());
            for row in &import.report.rejected {
                prop_assert!(!row.to_string().contains('\n'), "one line per rejected row: {}", row);
            }
        }

        #[test]
        fn set_field_never_panics(name in "[a-z_]{0,30}", value in "\\PC{0,40}") {
            let _ = ProductPatch::new().set_field(&name, &value);
            for known in ["price", "sale_price", "link", "availability", "condition", "status", "quantity_to_sell_on_facebook"] {
                let _ = ProductPatch::new().set_field(known, &value);
            }
        }
    }
}
