use super::*;
use crate::error::CatalogError;
use crate::money::Currency;
use crate::product::tests::{full_patch, usd};
use crate::product::{Availability, Status};
use crate::product::{Changed, ProductPatch};
use wacart_schema::{CatalogId, RetailerId};

fn catalog() -> Catalog {
    Catalog::new(CatalogId::new("1"))
}

#[test]
fn create_get_and_order() {
    let mut c = catalog();
    for id in ["b", "a", "c"] {
        let ev = c.create(RetailerId::new(id), &full_patch(id, "1")).unwrap();
        assert_eq!(ev.change, Change::Created { purchasable: true });
        assert_eq!(ev.catalog_id, "1");
        assert_eq!(ev.purchasability_changed(), Some(true));
        assert!(!ev.removes_from_carts());
    }
    assert_eq!(c.len(), 3);
    assert_eq!(c.get(&"a".into()).unwrap().title(), "a");
    assert!(
        c.get(&"A".into()).is_none(),
        "retailer ids are case-sensitive"
    );
    let order: Vec<_> = c.products().map(|p| p.retailer_id().as_str()).collect();
    assert_eq!(order, ["b", "a", "c"]);
    assert_eq!(c.first().unwrap().retailer_id(), "b");
    assert_eq!(c.currency(), Currency::from_code("USD"));
    let err = c
        .create(RetailerId::new("a"), &full_patch("a", "1"))
        .unwrap_err();
    assert_eq!(err, CatalogError::ProductExists("a".into()));
}

#[test]
fn one_currency_per_catalog() {
    let mut c = catalog();
    c.create("a".into(), &full_patch("a", "1")).unwrap();
    let eur = full_patch("b", "1").price("1 EUR".parse().unwrap());
    let err = c.create("b".into(), &eur).unwrap_err();
    assert_eq!(
        err.to_string(),
        "price in EUR, but the catalog's currency is USD"
    );
    let err = c.update(
        &"a".into(),
        &ProductPatch::new().price("1 EUR".parse().unwrap()),
    );
    assert!(matches!(err, Err(CatalogError::CurrencyMismatch { .. })));
    let jpy = Currency::from_code("JPY").unwrap();
    let mut pinned = Catalog::with_currency("2".into(), jpy);
    assert!(pinned.create("a".into(), &full_patch("a", "1")).is_err());
    let yen = full_patch("b", "1").price("1500 JPY".parse().unwrap());
    pinned.create("b".into(), &yen).unwrap();
    pinned.delete(&"b".into()).unwrap();
    assert_eq!(
        pinned.currency(),
        Some(jpy),
        "a pinned currency stays when emptied"
    );
}

#[test]
fn updates_are_partial_and_report_what_changed() {
    let mut c = catalog();
    c.create("a".into(), &full_patch("a", "10")).unwrap();
    let ev = c
        .update(&"a".into(), &ProductPatch::new().price(usd("9")))
        .unwrap()
        .unwrap();
    assert!(ev.details_changed());
    assert_eq!(ev.purchasability_changed(), None);
    assert!(!ev.removes_from_carts());
    let Change::Updated { changed, .. } = ev.change else {
        panic!()
    };
    assert_eq!(
        changed,
        Changed {
            price: true,
            ..Changed::default()
        }
    );
    assert_eq!(c.get(&"a".into()).unwrap().title(), "a");
    assert_eq!(
        c.update(&"a".into(), &ProductPatch::new().price(usd("9"))),
        Ok(None)
    );

    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().availability(Availability::OutOfStock),
        )
        .unwrap()
        .unwrap();
    assert!(!ev.details_changed());
    assert_eq!(ev.purchasability_changed(), Some(false));
    assert!(ev.removes_from_carts());
    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().availability(Availability::Preorder),
        )
        .unwrap()
        .unwrap();
    assert_eq!(ev.purchasability_changed(), Some(true));
    let ev = c
        .update(&"a".into(), &ProductPatch::new().status(Status::Archived))
        .unwrap()
        .unwrap();
    assert_eq!(ev.purchasability_changed(), Some(false));
    let err = c
        .update(&"zz".into(), &ProductPatch::new().title("x"))
        .unwrap_err();
    assert_eq!(err, CatalogError::ProductsNotFound(vec!["zz".into()]));
}

#[test]
fn delete_and_recreate() {
    let mut c = catalog();
    c.create("a".into(), &full_patch("a", "10")).unwrap();
    c.create("b".into(), &full_patch("b", "10")).unwrap();
    let ev = c.delete(&"a".into()).unwrap();
    assert_eq!(
        ev.change,
        Change::Deleted {
            was_purchasable: true
        }
    );
    assert!(ev.removes_from_carts());
    assert_eq!(ev.purchasability_changed(), Some(false));
    assert!(c.get(&"a".into()).is_none());
    assert_eq!(
        c.delete(&"a".into()),
        Err(CatalogError::ProductsNotFound(vec!["a".into()]))
    );
    c.create("a".into(), &full_patch("a2", "10")).unwrap();
    let order: Vec<_> = c.products().map(|p| p.title()).collect();
    assert_eq!(order, ["b", "a2"]);
}

#[test]
fn deleting_many_compacts_and_keeps_order_and_lookups() {
    let mut c = catalog();
    for i in 0..5000 {
        c.create(format!("p{i}").into(), &full_patch("t", "1"))
            .unwrap();
    }
    for i in (0..5000).filter(|i| i % 5 != 0) {
        c.delete(&format!("p{i}").into()).unwrap();
    }
    assert!(c.slot_count() < 5000, "compacted");
    assert_eq!(c.len(), 1000);
    let ids: Vec<_> = c.products().map(|p| p.retailer_id().to_string()).collect();
    let expected: Vec<_> = (0..5000)
        .filter(|i| i % 5 == 0)
        .map(|i| format!("p{i}"))
        .collect();
    assert_eq!(ids, expected);
    for id in &expected {
        assert_eq!(c.get_str(id).unwrap().retailer_id(), id.as_str());
    }
    for id in expected {
        c.delete(&id.into()).unwrap();
    }
    assert!(c.is_empty());
    assert_eq!(
        c.currency(),
        None,
        "an emptied catalog takes a new currency"
    );
}

#[test]
fn a_bad_request_does_not_sink_the_batch() {
    let mut c = catalog();
    let results = c.apply_batch([
        BatchRequest::create("a", full_patch("a", "1")),
        BatchRequest::create("b", full_patch("", "1")),
        BatchRequest::create("a", full_patch("a", "1")),
        BatchRequest::update("a", ProductPatch::new().title("A")),
        BatchRequest::delete("nope"),
        BatchRequest::create("c", full_patch("c", "2")),
        BatchRequest::delete("c"),
    ]);
    assert_eq!(results.len(), 7);
    assert!(
        matches!(&results[0], Ok(Some(e)) if e.change == Change::Created { purchasable: true })
    );
    assert_eq!(results[1], Err(CatalogError::field("title", "required")));
    assert_eq!(results[2], Err(CatalogError::ProductExists("a".into())));
    assert!(matches!(&results[3], Ok(Some(e)) if e.details_changed()));
    assert_eq!(
        results[4],
        Err(CatalogError::ProductsNotFound(vec!["nope".into()]))
    );
    assert!(results[5].is_ok() && results[6].is_ok());
    assert_eq!(c.len(), 1);
    assert_eq!(c.get(&"a".into()).unwrap().title(), "A");
}

fn round_trip(c: &Catalog) -> Catalog {
    serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap()
}

fn ids(c: &Catalog) -> Vec<String> {
    c.products().map(|p| p.retailer_id().to_string()).collect()
}

#[test]
fn serde_round_trip_keeps_products_order_and_lookups() {
    let mut c = catalog();
    let availabilities = [
        Availability::InStock,
        Availability::OutOfStock,
        Availability::Preorder,
        Availability::AvailableForOrder,
        Availability::Discontinued,
        Availability::Unknown("back in May".into()),
    ];
    for (i, a) in availabilities.iter().enumerate() {
        let id = format!("p{i}");
        let patch = full_patch(&id, "10").availability(a.clone());
        c.create(id.into(), &patch).unwrap();
    }
    c.create("gone".into(), &full_patch("gone", "1")).unwrap();
    let on_sale = full_patch("s", "10")
        .sale_price(Some(usd("7.5")))
        .brand(Some("Acme".into()))
        .item_group_id(Some("g".into()))
        .quantity_to_sell(Some(3))
        .status(Status::Archived);
    c.create("sale".into(), &on_sale).unwrap();
    c.delete(&"gone".into()).unwrap();
    c.delete(&"p2".into()).unwrap();
    assert!(c.slot_count() > c.len(), "the catalog has holes");

    let json = serde_json::to_string(&c).unwrap();
    let written = serde_json::to_value(&c).unwrap()["products"].clone();
    assert_eq!(
        written.as_array().map(Vec::len),
        Some(6),
        "holes are not written: {json}"
    );
    let mut back = round_trip(&c);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(back.id(), c.id());
    assert_eq!(back.len(), c.len());
    assert_eq!(back.currency(), c.currency());
    assert_eq!(ids(&back), ids(&c));
    assert_eq!(ids(&back), ["p0", "p1", "p3", "p4", "p5", "sale"]);
    for p in c.products() {
        assert_eq!(back.get(p.retailer_id()), Some(p));
    }
    assert_eq!(
        back.get(&"sale".into()).unwrap().sale_price(),
        Some(usd("7.5"))
    );
    assert!(back.get(&"gone".into()).is_none());
    assert_eq!(
        back.get(&"p5".into()).unwrap().availability(),
        &Availability::Unknown("back in May".into())
    );

    // The two go on alike.
    let patch = ProductPatch::new().availability(Availability::OutOfStock);
    assert_eq!(
        back.update(&"p0".into(), &patch),
        c.update(&"p0".into(), &patch)
    );
    assert_eq!(back.delete(&"p3".into()), c.delete(&"p3".into()));
    assert_eq!(back.delete(&"gone".into()), c.delete(&"gone".into()));
    let err = back.create("p1".into(), &full_patch("x", "1")).unwrap_err();
    assert_eq!(err, CatalogError::ProductExists("p1".into()));
    let eur = full_patch("e", "1").price("1 EUR".parse().unwrap());
    assert_eq!(back.create("e".into(), &eur), c.create("e".into(), &eur));
    assert_eq!(
        back.create("p2".into(), &full_patch("x", "1")),
        c.create("p2".into(), &full_patch("x", "1"))
    );
    assert_eq!(ids(&back), ids(&c));
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&c).unwrap()
    );
}

#[test]
fn serde_writes_the_primary_data_only() {
    let mut c = catalog();
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"id":"1","pinned_currency":null,"products":[]}"#
    );
    c.create("a".into(), &full_patch("A", "2")).unwrap();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["products"][0]["retailer_id"], "a");
    assert_eq!(json.as_object().unwrap().len(), 3);
    // An emptied unpinned catalog takes a new currency after the round trip too.
    c.delete(&"a".into()).unwrap();
    let mut back = round_trip(&c);
    assert_eq!(back.currency(), None);
    let eur = full_patch("e", "1").price("1 EUR".parse().unwrap());
    back.create("e".into(), &eur).unwrap();
    assert_eq!(back.currency(), Currency::from_code("EUR"));
}

#[test]
fn serde_keeps_a_pinned_currency() {
    let jpy = Currency::from_code("JPY").unwrap();
    let mut c = Catalog::with_currency("2".into(), jpy);
    let back = round_trip(&c);
    assert_eq!(back.currency(), Some(jpy));
    let yen = full_patch("y", "1").price("1500 JPY".parse().unwrap());
    c.create("y".into(), &yen).unwrap();
    let mut back = round_trip(&c);
    assert_eq!(
        serde_json::to_value(&back).unwrap()["pinned_currency"],
        "JPY"
    );
    assert!(back.create("u".into(), &full_patch("u", "1")).is_err());
    back.delete(&"y".into()).unwrap();
    assert_eq!(back.currency(), Some(jpy), "still pinned once emptied");
}

#[test]
fn serde_refuses_an_inconsistent_catalog() {
    let mut c = catalog();
    c.create("a".into(), &full_patch("A", "2")).unwrap();
    let json = serde_json::to_value(&c).unwrap();
    let product = json["products"][0].clone();
    let mut eur = product.clone();
    eur["retailer_id"] = "b".into();
    eur["price"]["currency"] = "EUR".into();
    for (products, pinned, shown) in [
        (
            vec![product.clone(), product.clone()],
            serde_json::Value::Null,
            "catalog 1: retailer id `a` twice",
        ),
        (
            vec![product.clone(), eur],
            serde_json::Value::Null,
            "catalog 1: product `b`: price in EUR, but the catalog's currency is USD",
        ),
        (
            vec![product.clone()],
            "JPY".into(),
            "catalog 1: product `a`: price in USD, but the catalog's currency is JPY",
        ),
    ] {
        let v = serde_json::json!({"id": "1", "pinned_currency": pinned, "products": products});
        let err = serde_json::from_value::<Catalog>(v).unwrap_err();
        assert_eq!(err.to_string(), shown);
    }
    let v = serde_json::json!({"id": "1", "pinned_currency": null, "products": [], "index": {}});
    assert!(
        serde_json::from_value::<Catalog>(v).is_err(),
        "unknown fields are refused"
    );
}

#[test]
fn batch_requests_from_wire_fields() {
    let req = BatchRequest::from_fields(
        "create",
        [
            ("id", "sku"),
            ("title", "T"),
            ("description", "D"),
            ("availability", "in stock"),
            ("condition", "new"),
            ("price", "3.50 USD"),
            ("link", "https://a/b"),
            ("image_link", "https://a/b.png"),
            ("gtin", "123"),
        ],
    )
    .unwrap();
    let mut c = catalog();
    assert!(c.apply_batch([req])[0].is_ok());
    assert_eq!(c.get(&"sku".into()).unwrap().price(), usd("3.50"));
    let err = BatchRequest::from_fields("PATCH", [("id", "x")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown batch method `PATCH` (CREATE, UPDATE or DELETE)"
    );
    let err = BatchRequest::from_fields("DELETE", [("title", "x")]).unwrap_err();
    assert_eq!(err.to_string(), "id: required");
    let err = BatchRequest::from_fields("UPDATE", [("id", "x"), ("price", "1")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "price: `1`: expected an amount and an ISO 4217 code, like `9.99 USD`"
    );
}
