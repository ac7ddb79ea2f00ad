//! The demo business `wacart serve --demo` creates: fixed values anyone can script against.

use serde_json::{Map, Value, json};
use wacart_sandbox::{AppSpec, CustomerSpec, EngineError, NumberSpec, SharedSandbox, TenantSpec};
use wacart_schema::{BatchMethod, BatchRequest, ItemsBatchRequest, WabaId};

/// The demo WABA.
pub const WABA_ID: &str = "200000000000001";
/// The demo number's id.
pub const PHONE_NUMBER_ID: &str = "100000000000001";
/// The demo number.
pub const DISPLAY_NUMBER: &str = "15550001111";
/// The demo number's verified (display) name.
pub const VERIFIED_NAME: &str = "Wacart Demo Market";
/// Meta access token.
pub const TOKEN: &str = "demo-token";
/// 360dialog API key.
pub const D360_KEY: &str = "demo-360-key";
/// Kaleyra SID.
pub const KALEYRA_SID: &str = "HXDEMO0000000IN";
/// Kaleyra API key.
pub const KALEYRA_KEY: &str = "demo-kaleyra-key";
/// App secret (webhook signatures).
pub const APP_SECRET: &str = "demo-app-secret";
/// Verify token (subscription handshake).
pub const VERIFY_TOKEN: &str = "demo-verify-token";
/// The catalog.
pub const CATALOG_ID: &str = "300000000000001";
/// The customers.
pub const CUSTOMERS: [(&str, &str); 2] =
    [("15551230001", "Alice Demo"), ("15551230002", "Bob Demo")];

/// (id, title, price, sale price, availability)
const PRODUCTS: &[(&str, &str, &str, Option<&str>, &str)] = &[
    ("apple-1kg", "Apples, 1 kg", "3.49", None, "in stock"),
    ("pear-1kg", "Pears, 1 kg", "4.19", Some("3.79"), "in stock"),
    (
        "banana-bunch",
        "Bananas, bunch of 6",
        "2.29",
        None,
        "in stock",
    ),
    ("orange-2kg", "Oranges, 2 kg", "5.99", None, "in stock"),
    ("kale", "Kale, 250 g", "2.99", None, "in stock"),
    (
        "spinach",
        "Baby spinach, 200 g",
        "3.25",
        Some("2.75"),
        "in stock",
    ),
    (
        "tomato-vine",
        "Vine tomatoes, 500 g",
        "3.79",
        None,
        "in stock",
    ),
    (
        "avocado-2",
        "Avocados, pack of 2",
        "4.50",
        None,
        "out of stock",
    ),
    ("sourdough", "Sourdough loaf", "6.49", None, "in stock"),
    (
        "croissant-4",
        "Croissants, pack of 4",
        "5.25",
        Some("4.49"),
        "in stock",
    ),
    ("eggs-12", "Free-range eggs, 12", "5.89", None, "in stock"),
    ("milk-1l", "Whole milk, 1 l", "1.59", None, "in stock"),
    (
        "yogurt-500",
        "Greek yogurt, 500 g",
        "3.99",
        None,
        "out of stock",
    ),
    (
        "cheddar-200",
        "Aged cheddar, 200 g",
        "7.25",
        None,
        "in stock",
    ),
    (
        "coffee-beans",
        "Coffee beans, 1 kg",
        "24.99",
        Some("19.99"),
        "in stock",
    ),
    (
        "tea-green",
        "Green tea, 50 bags",
        "6.75",
        None,
        "available for order",
    ),
    ("olive-oil", "Olive oil, 750 ml", "12.49", None, "in stock"),
    ("honey-raw", "Raw honey, 340 g", "9.99", None, "preorder"),
    (
        "chocolate-dark",
        "Dark chocolate, 100 g",
        "3.10",
        None,
        "in stock",
    ),
    (
        "truffle-black",
        "Black truffle, 30 g",
        "89.00",
        None,
        "discontinued",
    ),
];

/// The demo tenant.
pub fn tenant() -> TenantSpec {
    let number = NumberSpec::new(PHONE_NUMBER_ID, DISPLAY_NUMBER, TOKEN)
        .d360_key(D360_KEY)
        .kaleyra(KALEYRA_SID, KALEYRA_KEY)
        .linked_catalog(CATALOG_ID, true)
        .verified_name(VERIFIED_NAME);
    TenantSpec::new(WABA_ID, AppSpec::new(APP_SECRET, VERIFY_TOKEN))
        .number(number)
        .catalog(CATALOG_ID)
}

/// The demo catalog's products, as an items batch.
pub fn products() -> ItemsBatchRequest {
    let requests = PRODUCTS
        .iter()
        .map(|(id, title, price, sale, availability)| {
            let mut data: Map<String, Value> = json!({
                "id": id, "title": title, "description": format!("{title}, from the wacart demo shop."),
                "availability": availability, "condition": "new", "price": format!("{price} USD"),
                "link": format!("https://shop.example/products/{id}"),
                "image_link": format!("https://shop.example/images/{id}.jpg"), "brand": "wacart demo"})
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(sale) = sale {
                data.insert("sale_price".into(), json!(format!("{sale} USD")));
            }
            BatchRequest::new(BatchMethod::Create, data)
        })
        .collect();
    ItemsBatchRequest::products(requests)
}

/// Creates the demo business unless it exists (a restart on the same database keeps it).
///
/// # Errors
/// What the engine refused, other than "exists already".
pub fn create(sandbox: &SharedSandbox) -> Result<(), EngineError> {
    let exists = sandbox.read(|sb| sb.tenants().any(|t| t.waba_id == WabaId::new(WABA_ID)));
    if exists {
        return Ok(());
    }
    sandbox.run_blocking(|sb| sb.create_tenant_cmd(tenant()))?;
    for (wa_id, name) in CUSTOMERS {
        sandbox.run_blocking(|sb| sb.add_customer(CustomerSpec::new(wa_id, name)))?;
    }
    sandbox.run_blocking(|sb| sb.items_batch(&CATALOG_ID.into(), products()))?;
    Ok(())
}

/// The id of the demo Kaleyra account's default callback profile.
pub const KALEYRA_PROFILE: &str = "demo-default";

/// Gives the demo Kaleyra account a default `POST` callback profile to `url`, for message
/// statuses and incoming messages, every dynamic variable under its own name.
///
/// # Errors
/// What the engine refused (a URL that is not http(s)).
pub fn kaleyra_profile(sandbox: &SharedSandbox, url: &str) -> Result<(), EngineError> {
    let profile = wacart_sandbox::callbacks::CallbackProfile::post_all(KALEYRA_PROFILE, url);
    sandbox.run_blocking(|sb| sb.kaleyra_put_profile(KALEYRA_SID, profile))?;
    let mut settings = wacart_sandbox::NumberSettings::default();
    settings.callback_profile_id = Some(KALEYRA_PROFILE.to_owned());
    sandbox
        .run_blocking(|sb| sb.kaleyra_set_number(KALEYRA_SID, &PHONE_NUMBER_ID.into(), settings))?;
    Ok(())
}

/// What `serve --demo` prints.
pub fn banner() -> String {
    format!(
        "demo business:\n  WABA                {WABA_ID}\n  phone number id     {PHONE_NUMBER_ID} (display {DISPLAY_NUMBER})\n  \
         Meta token          {TOKEN}\n  360dialog key       {D360_KEY}\n  Kaleyra SID / key   {KALEYRA_SID} / {KALEYRA_KEY}\n  \
         app secret          {APP_SECRET}\n  verify token        {VERIFY_TOKEN}\n  catalog             {CATALOG_ID} ({} products, linked and visible, cart enabled)\n  \
         customers           {} ({}), {} ({})",
        PRODUCTS.len(),
        CUSTOMERS[0].0,
        CUSTOMERS[0].1,
        CUSTOMERS[1].0,
        CUSTOMERS[1].1
    )
}
