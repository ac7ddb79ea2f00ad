use super::*;
use crate::catalog::Catalog;
use crate::error::{CatalogError, details};
use crate::product::tests::{full_patch, usd};
use crate::product::{Availability, ProductPatch, Status};
use crate::settings::CommerceSettings;
use wacart_schema::{MessageId, Order};

const CAT: &str = "194836987003835";

fn catalog() -> Catalog {
    let mut c = Catalog::new(CAT.into());
    c.create("a".into(), &full_patch("A", "10.00")).unwrap();
    c.create(
        "b".into(),
        &full_patch("B", "2.50").sale_price(Some(usd("1.99"))),
    )
    .unwrap();
    c.create(
        "c".into(),
        &full_patch("C", "1").availability(Availability::OutOfStock),
    )
    .unwrap();
    c
}

fn key(device: &str) -> CartKey {
    CartKey::new("106540352242922", "16505551234", device)
}

fn on() -> CommerceSettings {
    CommerceSettings::default()
}

#[test]
fn set_quantity_bounds_and_removal() {
    let c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 99, None)
        .unwrap();
    assert_eq!(carts.cart(&k).unwrap().quantity_of(&"a".into()), 99);
    let err = carts
        .set_quantity(&k, &c, on(), &"a".into(), 100, None)
        .unwrap_err();
    assert_eq!(err, CatalogError::QuantityOutOfRange(100));
    assert_eq!(
        carts.cart(&k).unwrap().quantity_of(&"a".into()),
        99,
        "unchanged on error"
    );
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 1, None)
        .unwrap();
    assert_eq!(carts.cart(&k).unwrap().quantity_of(&"a".into()), 1);
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 0, None)
        .unwrap();
    assert!(carts.cart(&k).unwrap().is_empty());
    assert_eq!(carts.cart(&k).unwrap().catalog_id(), None);
    assert_eq!(carts.holders(&CAT.into(), &"a".into()), 0);
}

#[test]
fn only_known_purchasable_products() {
    let mut c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    let err = carts
        .set_quantity(&k, &c, on(), &"zz".into(), 1, None)
        .unwrap_err();
    assert_eq!(err, CatalogError::ProductsNotFound(vec!["zz".into()]));
    let err = carts
        .set_quantity(&k, &c, on(), &"c".into(), 1, None)
        .unwrap_err();
    assert_eq!(err, CatalogError::NotPurchasable("c".into()));
    c.update(&"a".into(), &ProductPatch::new().status(Status::Archived))
        .unwrap();
    let err = carts
        .set_quantity(&k, &c, on(), &"a".into(), 1, None)
        .unwrap_err();
    assert_eq!(err, CatalogError::NotPurchasable("a".into()));
    c.update(
        &"c".into(),
        &ProductPatch::new().availability(Availability::Preorder),
    )
    .unwrap();
    carts
        .set_quantity(&k, &c, on(), &"c".into(), 1, None)
        .unwrap();
    assert!(carts.cart(&k).is_some());
}

#[test]
fn disabled_cart_refuses_adding_and_sending_but_allows_removing() {
    let c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 2, None)
        .unwrap();
    let off = CommerceSettings::new(false, true);
    let err = carts
        .set_quantity(&k, &c, off, &"b".into(), 1, None)
        .unwrap_err();
    assert_eq!(err, CatalogError::CartDisabled);
    assert_eq!(
        err.to_graph_error("t").details(),
        Some("Cart is disabled for this phone number")
    );
    assert_eq!(carts.send(&k, &c, off, ""), Err(CatalogError::CartDisabled));
    carts
        .set_quantity(&k, &c, off, &"a".into(), 0, None)
        .unwrap();
    assert!(carts.cart(&k).unwrap().is_empty());
}

#[test]
fn one_cart_per_number_customer_and_device() {
    let c = catalog();
    let mut carts = Carts::new();
    let phone = key("phone");
    let web = key("web");
    let other_customer = CartKey::new("106540352242922", "447700900123", "phone");
    let other_number = CartKey::new("999", "16505551234", "phone");
    carts
        .set_quantity(&phone, &c, on(), &"a".into(), 1, None)
        .unwrap();
    carts
        .set_quantity(&web, &c, on(), &"a".into(), 2, None)
        .unwrap();
    carts
        .set_quantity(&other_customer, &c, on(), &"a".into(), 3, None)
        .unwrap();
    carts
        .set_quantity(&other_number, &c, on(), &"a".into(), 4, None)
        .unwrap();
    assert_eq!(carts.len(), 4);
    for (k, q) in [
        (&phone, 1),
        (&web, 2),
        (&other_customer, 3),
        (&other_number, 4),
    ] {
        assert_eq!(carts.cart(k).unwrap().quantity_of(&"a".into()), q);
    }
    carts.send(&phone, &c, on(), "").unwrap();
    assert_eq!(carts.cart(&web).unwrap().quantity_of(&"a".into()), 2);
    assert_eq!(carts.holders(&CAT.into(), &"a".into()), 3);
}

#[test]
fn sending_yields_the_order_webhook_shape_and_empties_the_cart() {
    let c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    let msg = MessageId::new("wamid.SPM1");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 2, Some(&msg))
        .unwrap();
    carts
        .set_quantity(
            &k,
            &c,
            on(),
            &"b".into(),
            3,
            Some(&MessageId::new("wamid.OTHER")),
        )
        .unwrap();
    let sent = carts
        .send(&k, &c, on(), "Please deliver after 6pm")
        .unwrap();
    assert_eq!(
        sent.context(),
        Some(&msg),
        "the message the cart started from"
    );
    assert_eq!(sent.key(), &k);
    let json = serde_json_like(sent.order());
    assert_eq!(
        json,
        "catalog_id=194836987003835 text=Please deliver after 6pm items=[a x2 @10 USD, b x3 @1.99 USD]"
    );
    assert_eq!(sent.total_minor(), 2 * 1000 + 3 * 199);
    assert_eq!(sent.currency().code(), "USD");
    assert!(carts.cart(&k).unwrap().is_empty());
    assert_eq!(carts.cart(&k).unwrap().context(), None);
    assert_eq!(carts.send(&k, &c, on(), ""), Err(CatalogError::EmptyCart));
    assert_eq!(
        carts.send(&key("never"), &c, on(), ""),
        Err(CatalogError::EmptyCart)
    );
    assert_eq!(carts.holders(&CAT.into(), &"a".into()), 0);
}

fn serde_json_like(order: &Order) -> String {
    let items: Vec<String> = order
        .product_items
        .iter()
        .map(|i| {
            format!(
                "{} x{} @{} {}",
                i.product_retailer_id, i.quantity, i.item_price, i.currency
            )
        })
        .collect();
    format!(
        "catalog_id={} text={} items=[{}]",
        order.catalog_id,
        order.text.as_deref().unwrap_or(""),
        items.join(", ")
    )
}

#[test]
fn a_change_to_non_purchasable_leaves_every_cart_holding_it_with_a_notice() {
    let mut c = catalog();
    let mut carts = Carts::new();
    let (k1, k2, k3) = (key("phone"), key("web"), CartKey::new("1", "2", "3"));
    carts
        .set_quantity(&k1, &c, on(), &"a".into(), 1, None)
        .unwrap();
    carts
        .set_quantity(&k1, &c, on(), &"b".into(), 1, None)
        .unwrap();
    carts
        .set_quantity(&k2, &c, on(), &"a".into(), 5, None)
        .unwrap();
    carts
        .set_quantity(&k3, &c, on(), &"b".into(), 1, None)
        .unwrap();
    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().availability(Availability::Discontinued),
        )
        .unwrap()
        .unwrap();
    let changed = carts.apply_event(&ev);
    let keys: Vec<_> = changed
        .iter()
        .map(|id| carts.key(*id).unwrap().clone())
        .collect();
    assert_eq!(keys, vec![k1.clone(), k2.clone()]);
    assert_eq!(carts.id(&k1), Some(changed[0]));
    assert_eq!(carts.cart(&k1).unwrap().lines().len(), 1);
    assert!(carts.cart(&k2).unwrap().is_empty());
    assert_eq!(
        carts.cart(&k3).unwrap().notice(),
        None,
        "a cart without it is untouched"
    );
    assert_eq!(
        carts.cart(&k1).unwrap().notice(),
        Some(details::CART_UPDATED_NOTICE)
    );
    let view = carts.view(&k1, &c);
    assert_eq!(
        view.notice,
        Some("One or more items in your cart have been updated")
    );
    assert_eq!(view.lines.len(), 1);
    assert_eq!(carts.view(&k1, &c).notice, None, "cleared once viewed");
    assert_eq!(
        carts.cart(&k2).unwrap().notice(),
        Some(details::CART_UPDATED_NOTICE)
    );
    // Applying it again finds nobody.
    assert!(carts.apply_event(&ev).is_empty());
    // Deletion too.
    let ev = c.delete(&"b".into()).unwrap();
    let changed = carts.apply_event(&ev);
    let keys: Vec<_> = changed
        .iter()
        .map(|id| carts.key(*id).unwrap().clone())
        .collect();
    assert_eq!(keys, vec![k1.clone(), k3.clone()]);
}

#[test]
fn details_changes_show_at_once() {
    let mut c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 2, None)
        .unwrap();
    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().title("A, now blue").price(usd("12")),
        )
        .unwrap()
        .unwrap();
    assert!(carts.apply_event(&ev).is_empty());
    let view = carts.view(&k, &c);
    assert_eq!(view.notice, None);
    assert_eq!(view.lines[0].product.title(), "A, now blue");
    assert_eq!(view.total(), Some((usd("1").currency(), 2400)));
    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().sale_price(Some(usd("11.5"))),
        )
        .unwrap();
    assert!(ev.is_some());
    let sent = carts.send(&k, &c, on(), "").unwrap();
    assert_eq!(sent.order().product_items[0].item_price.to_string(), "11.5");
    assert_eq!(sent.total_minor(), 2300);
}

#[test]
fn stale_items_are_caught_even_without_the_event() {
    let mut c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 2, None)
        .unwrap();
    carts
        .set_quantity(&k, &c, on(), &"b".into(), 1, None)
        .unwrap();
    c.update(
        &"a".into(),
        &ProductPatch::new().availability(Availability::OutOfStock),
    )
    .unwrap();
    let sent = carts.send(&k, &c, on(), "").unwrap();
    assert_eq!(sent.order().product_items.len(), 1);
    assert_eq!(sent.order().product_items[0].product_retailer_id, "b");
    assert_eq!(
        carts.cart(&k).unwrap().notice(),
        Some(details::CART_UPDATED_NOTICE)
    );
    carts
        .set_quantity(&k, &c, on(), &"b".into(), 1, None)
        .unwrap();
    c.delete(&"b".into()).unwrap();
    assert_eq!(carts.send(&k, &c, on(), ""), Err(CatalogError::EmptyCart));
    assert_eq!(carts.holders(&CAT.into(), &"b".into()), 0);
}

#[test]
fn a_cart_holds_one_catalog() {
    let c = catalog();
    let mut other = Catalog::new("777".into());
    other.create("a".into(), &full_patch("A", "1")).unwrap();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 1, None)
        .unwrap();
    let err = carts
        .set_quantity(&k, &other, on(), &"a".into(), 1, None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the cart holds products of catalog 194836987003835, not of catalog 777"
    );
    // Viewed against another catalog (the number was relinked), its items are gone.
    let view = carts.view(&k, &other);
    assert!(view.lines.is_empty());
    assert!(view.notice.is_some());
    carts
        .set_quantity(&k, &other, on(), &"a".into(), 1, None)
        .unwrap();
    assert_eq!(carts.cart(&k).unwrap().catalog_id().unwrap(), "777");
}

#[test]
fn context_is_kept_only_from_the_first_item() {
    let c = catalog();
    let mut carts = Carts::new();
    let k = key("phone");
    carts
        .set_quantity(&k, &c, on(), &"a".into(), 1, None)
        .unwrap();
    carts
        .set_quantity(&k, &c, on(), &"b".into(), 1, Some(&"wamid.X".into()))
        .unwrap();
    assert_eq!(carts.send(&k, &c, on(), "").unwrap().context(), None);
}

fn round_trip(carts: &Carts) -> Carts {
    serde_json::from_str(&serde_json::to_string(carts).unwrap()).unwrap()
}

/// Every observable of every cart, and how many carts hold each product.
fn state(carts: &Carts, keys: &[CartKey]) -> Vec<(Option<CartId>, Option<Cart>, Vec<usize>)> {
    keys.iter()
        .map(|k| {
            let held = ["a", "b", "c"]
                .iter()
                .map(|p| carts.holders(&CAT.into(), &(*p).into()))
                .collect();
            (carts.id(k), carts.cart(k).cloned(), held)
        })
        .collect()
}

#[test]
fn serde_round_trip_rebuilds_both_indexes() {
    let mut c = catalog();
    let mut carts = Carts::new();
    let keys = [
        key("phone"),
        key("web"),
        CartKey::new("106540352242922", "447700900123", "phone"),
        CartKey::new("999", "16505551234", "phone"),
        key("desktop"),
    ];
    let msg = MessageId::new("wamid.SPM1");
    for (k, items) in keys.iter().zip([
        &[("a", 2), ("b", 1)][..],
        &[("b", 3)],
        &[("a", 1)],
        &[("b", 99), ("a", 4)],
        &[("a", 1)],
    ]) {
        for (p, q) in items {
            carts
                .set_quantity(k, &c, on(), &(*p).into(), *q, Some(&msg))
                .unwrap();
        }
    }
    // A sent (empty) cart, and one that got the notice.
    carts.send(&keys[4], &c, on(), "").unwrap();
    let ev = c.delete(&"b".into()).unwrap();
    assert_eq!(carts.apply_event(&ev).len(), 3);
    assert!(carts.cart(&keys[1]).unwrap().is_empty());
    assert!(carts.cart(&keys[0]).unwrap().notice().is_some());
    assert_eq!(carts.cart(&keys[0]).unwrap().context(), Some(&msg));
    let mut all = keys.to_vec();
    all.push(key("never"));

    let json = serde_json::to_string(&carts).unwrap();
    assert!(json.starts_with(r#"{"carts":[{"key":{"number":"106540352242922","customer":"16505551234","device":"phone"},"catalog_id":"194836987003835","lines":[{"retailer_id":"a","quantity":2}],"notice":true,"context":"wamid.SPM1"}"#), "{json}");
    let mut back = round_trip(&carts);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(back.len(), carts.len());
    assert_eq!(state(&back, &all), state(&carts, &all));

    // "a" sells out: the same carts empty, in the same order, as in the original.
    let ev = c
        .update(
            &"a".into(),
            &ProductPatch::new().availability(Availability::OutOfStock),
        )
        .unwrap()
        .unwrap();
    let changed = carts.apply_event(&ev);
    assert_eq!(changed.len(), 3);
    assert_eq!(back.apply_event(&ev), changed);
    assert_eq!(state(&back, &all), state(&carts, &all));
    for k in &all {
        assert_eq!(back.view(k, &c), carts.view(k, &c));
    }
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&carts).unwrap()
    );
}

#[test]
fn serde_refuses_inconsistent_carts() {
    let c = catalog();
    let mut carts = Carts::new();
    carts
        .set_quantity(
            &key("phone"),
            &c,
            on(),
            &"a".into(),
            2,
            Some(&"wamid.X".into()),
        )
        .unwrap();
    let json = serde_json::to_value(&carts).unwrap();
    let cart = json["carts"][0].clone();
    let broken = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut cart = cart.clone();
        change(&mut cart);
        let v = serde_json::json!({ "carts": [cart] });
        serde_json::from_value::<Carts>(v).unwrap_err().to_string()
    };
    let whose = "cart of customer *******1234 on device `phone` with number 106540352242922";
    assert_eq!(
        broken(&|c| c["lines"][0]["quantity"] = 0.into()),
        format!("{whose}: quantity 0 of `a` is outside 1..=99")
    );
    assert_eq!(
        broken(&|c| c["lines"][0]["quantity"] = 100.into()),
        format!("{whose}: quantity 100 of `a` is outside 1..=99")
    );
    assert_eq!(
        broken(&|c| {
            let line = c["lines"][0].clone();
            c["lines"].as_array_mut().unwrap().push(line);
        }),
        format!("{whose}: `a` twice")
    );
    assert_eq!(
        broken(&|c| c["catalog_id"] = serde_json::Value::Null),
        format!("{whose}: items but no catalog")
    );
    assert_eq!(
        broken(&|c| c["lines"] = serde_json::json!([])),
        format!("{whose}: a context but no items")
    );
    let v = serde_json::json!({ "carts": [cart.clone(), cart.clone()] });
    assert_eq!(
        serde_json::from_value::<Carts>(v).unwrap_err().to_string(),
        "two carts of customer *******1234 on device `phone` with number 106540352242922"
    );
    let v = serde_json::json!({ "carts": [cart], "holders": {} });
    assert!(serde_json::from_value::<Carts>(v).is_err());
}

#[test]
fn cart_keys_mask_the_customer_in_debug() {
    let shown = format!("{:?}", key("phone"));
    assert!(!shown.contains("16505551234"), "{shown}");
    assert!(shown.contains("1234"));
}
