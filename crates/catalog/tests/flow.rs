//! The main path across the crate: a batch builds the catalog, settings gate the messages,
//! resolution picks the products, carts fill and empty into the order webhook's exact shape.

use serde_json::json;
use wacart_catalog::{
    BatchRequest, CartKey, Carts, Catalog, CatalogError, SettingsBook, SettingsUpdate, resolve,
};
use wacart_schema::{MessageId, Order, OutboundMessage, PhoneNumberId, RetailerId};

const CAT: &str = "194836987003835";
const NUMBER: &str = "106540352242922";

fn fields(
    id: &'static str,
    price: &'static str,
    sale: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("id", id),
        ("title", "Kaffir lime leaves, 20 g"),
        ("description", "Fresh, from the farm"),
        ("availability", "in stock"),
        ("condition", "new"),
        ("price", price),
        ("sale_price", sale),
        ("link", "https://shop.example/p"),
        ("image_link", "https://cdn.example/p.jpg"),
    ]
}

#[test]
fn batch_settings_resolution_cart_and_order_webhook() {
    let mut catalog = Catalog::new(CAT.into());
    let requests = [
        BatchRequest::from_fields("CREATE", fields("di9ozbzfi4", "12.99 USD", "")).unwrap(),
        BatchRequest::from_fields("CREATE", fields("kaffir-20g", "4.00 USD", "3.25 USD")).unwrap(),
        BatchRequest::from_fields("CREATE", fields("bad", "4 USD", "5 USD")).unwrap(),
    ];
    let results = catalog.apply_batch(requests);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(
        results[2].as_ref().unwrap_err().to_string(),
        "sale_price: 5.00 USD is not lower than the price 4.00 USD"
    );

    let mut book = SettingsBook::new();
    let number = PhoneNumberId::new(NUMBER);
    book.link_catalog(&number, Some(CAT.into()));
    let settings = book.settings(&number);

    // A catalog message fails while the catalog is hidden (the default) ...
    let catalog_msg = OutboundMessage::catalog("16505551234", "Browse")
        .build()
        .unwrap();
    let err = resolve(&catalog_msg, Some(&catalog), settings).unwrap_err();
    let graph = serde_json::to_value(err.to_graph_error("AbCdEf")).unwrap();
    assert_eq!(
        graph,
        json!({"message": "(#131009) Parameter value is not valid", "type": "OAuthException",
               "code": 131009, "error_data": {"messaging_product": "whatsapp",
               "details": "Catalog is not visible for this phone number"}, "fbtrace_id": "AbCdEf"})
    );
    // ... and works once it is visible.
    let settings = book.update(&number, SettingsUpdate::new().catalog_visible(true));
    assert!(resolve(&catalog_msg, Some(&catalog), settings).is_ok());

    // A single-product message resolves; the customer adds from it on one device.
    let spm = OutboundMessage::product("16505551234", CAT, "di9ozbzfi4")
        .build()
        .unwrap();
    assert!(resolve(&spm, Some(&catalog), settings).is_ok());
    let mut carts = Carts::new();
    let phone = CartKey::new(NUMBER, "16505551234", "phone");
    let spm_id = MessageId::new("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
    carts
        .set_quantity(
            &phone,
            &catalog,
            settings,
            &"di9ozbzfi4".into(),
            2,
            Some(&spm_id),
        )
        .unwrap();
    carts
        .set_quantity(&phone, &catalog, settings, &"kaffir-20g".into(), 1, None)
        .unwrap();

    // Sending gives exactly the order webhook's `order` object.
    let sent = carts.send(&phone, &catalog, settings, "").unwrap();
    assert_eq!(sent.context(), Some(&spm_id));
    let wire = serde_json::to_value(sent.order()).unwrap();
    assert_eq!(
        wire,
        json!({"catalog_id": CAT, "text": "",
               "product_items": [
                 {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 12.99, "currency": "USD"},
                 {"product_retailer_id": "kaffir-20g", "quantity": 1, "item_price": 3.25, "currency": "USD"}]})
    );
    assert_eq!(
        serde_json::to_string(&sent.order().product_items[0].item_price).unwrap(),
        "12.99"
    );
    let back: Order = serde_json::from_value(wire).unwrap();
    assert_eq!(&back, sent.order());
    assert_eq!(sent.total_minor(), 2 * 1299 + 325);

    // The sent order stays as it was, whatever happens to the catalog afterwards.
    let before = sent.clone();
    let ev = catalog
        .apply_batch([BatchRequest::from_fields(
            "UPDATE",
            [("id", "di9ozbzfi4"), ("price", "1 USD")],
        )
        .unwrap()])
        .remove(0)
        .unwrap()
        .unwrap();
    assert!(ev.details_changed());
    assert_eq!(sent, before);
    assert_eq!(
        carts.send(&phone, &catalog, settings, ""),
        Err(CatalogError::EmptyCart)
    );
}

#[test]
fn a_disabled_cart_still_lets_products_be_viewed() {
    let mut catalog = Catalog::new(CAT.into());
    let created =
        catalog
            .apply_batch([BatchRequest::from_fields("CREATE", fields("a", "1 USD", "")).unwrap()]);
    assert!(created[0].is_ok());
    let mut book = SettingsBook::new();
    let number = PhoneNumberId::new(NUMBER);
    let settings = book.update(&number, SettingsUpdate::new().cart_enabled(false));
    let spm = OutboundMessage::product("16505551234", CAT, "a")
        .build()
        .unwrap();
    assert!(
        resolve(&spm, Some(&catalog), settings).is_ok(),
        "still viewable"
    );
    let mut carts = Carts::new();
    let key = CartKey::new(NUMBER, "16505551234", "phone");
    let err = carts
        .set_quantity(&key, &catalog, settings, &RetailerId::new("a"), 1, None)
        .unwrap_err();
    assert_eq!(
        err.to_graph_error("t").details(),
        Some("Cart is disabled for this phone number")
    );
}
