//! How a product is serialized: its fields as an object, read back through [`Product::new`]'s
//! checks.

use wacart_schema::RetailerId;

use super::fields::quote;
use super::item::Product;
use super::kinds::{Availability, Condition, Status};
use super::patch::ProductPatch;
use crate::money::Money;

/// A product as it is serialized, borrowed from it.
#[derive(serde::Serialize)]
struct ProductRef<'a> {
    retailer_id: &'a RetailerId,
    title: &'a str,
    description: &'a str,
    availability: &'a Availability,
    condition: Condition,
    price: Money,
    sale_price: Option<Money>,
    link: &'a str,
    image_link: &'a str,
    brand: Option<&'a str>,
    status: Status,
    item_group_id: Option<&'a str>,
    quantity_to_sell: Option<u32>,
}

impl serde::Serialize for Product {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ProductRef {
            retailer_id: &self.retailer_id,
            title: self.title(),
            description: self.description(),
            availability: &self.availability,
            condition: self.condition,
            price: self.price,
            sale_price: self.sale_price(),
            link: self.link(),
            image_link: self.image_link(),
            brand: self.brand(),
            status: self.status,
            item_group_id: self.item_group_id(),
            quantity_to_sell: self.quantity_to_sell,
        }
        .serialize(serializer)
    }
}

/// What a [`Product`] deserializes from: the fields of [`ProductRef`], owned.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProductWire {
    retailer_id: RetailerId,
    title: String,
    description: String,
    availability: Availability,
    condition: Condition,
    price: Money,
    #[serde(default)]
    sale_price: Option<Money>,
    link: String,
    image_link: String,
    #[serde(default)]
    brand: Option<String>,
    status: Status,
    #[serde(default)]
    item_group_id: Option<String>,
    #[serde(default)]
    quantity_to_sell: Option<u32>,
}

impl TryFrom<ProductWire> for Product {
    type Error = String;

    /// The product [`Product::new`] makes of these fields, with its checks.
    fn try_from(w: ProductWire) -> Result<Self, Self::Error> {
        let patch = ProductPatch {
            title: Some(w.title),
            description: Some(w.description),
            availability: Some(w.availability),
            condition: Some(w.condition),
            price: Some(w.price),
            sale_price: Some(w.sale_price),
            link: Some(w.link),
            image_link: Some(w.image_link),
            brand: Some(w.brand),
            status: Some(w.status),
            item_group_id: Some(w.item_group_id),
            quantity_to_sell: Some(w.quantity_to_sell),
        };
        Product::new(w.retailer_id.clone(), &patch)
            .map_err(|e| format!("product {}: {e}", quote(w.retailer_id.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::tests::{full_patch, usd};

    #[test]
    fn serde_writes_every_field_and_reads_it_back() {
        let patch = full_patch("Shirt", "19.99")
            .sale_price(Some(usd("14.99")))
            .brand(Some("Acme".into()))
            .item_group_id(Some("shirts".into()))
            .quantity_to_sell(Some(7))
            .condition(Condition::Refurbished)
            .status(Status::Archived)
            .availability(Availability::Unknown("in stock".into()));
        let p = Product::new(RetailerId::new("sku-1"), &patch).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"retailer_id":"sku-1","title":"Shirt","description":"A fine thing","availability":{"unknown":"in stock"},"condition":"refurbished","price":{"minor":1999,"currency":"USD"},"sale_price":{"minor":1499,"currency":"USD"},"link":"https://shop.example/p","image_link":"https://cdn.example/p.jpg","brand":"Acme","status":"archived","item_group_id":"shirts","quantity_to_sell":7}"#
        );
        let back: Product = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        assert!(
            !back.availability().allows_purchase(),
            "an unknown value stays unknown, even one that reads like a feed value"
        );
        let plain = Product::new(RetailerId::new("b"), &full_patch("Hat", "5")).unwrap();
        let json = serde_json::to_string(&plain).unwrap();
        assert!(
            json.contains(r#""availability":"in_stock","condition":"new""#),
            "{json}"
        );
        assert!(json.contains(r#""brand":null,"status":"active","item_group_id":null"#));
        assert_eq!(serde_json::from_str::<Product>(&json).unwrap(), plain);
        for (which, text) in [
            (Availability::OutOfStock, r#""out_of_stock""#),
            (Availability::Preorder, r#""preorder""#),
            (Availability::AvailableForOrder, r#""available_for_order""#),
            (Availability::Discontinued, r#""discontinued""#),
        ] {
            assert_eq!(serde_json::to_string(&which).unwrap(), text);
            assert_eq!(serde_json::from_str::<Availability>(text).unwrap(), which);
        }
    }

    #[test]
    fn serde_refuses_a_product_that_breaks_a_rule() {
        let good = Product::new(RetailerId::new("a"), &full_patch("A", "10")).unwrap();
        let json = serde_json::to_value(&good).unwrap();
        let with = |key: &str, value: serde_json::Value| {
            let mut v = json.clone();
            v[key] = value;
            serde_json::from_value::<Product>(v)
        };
        let sale = serde_json::json!({"minor": 1000, "currency": "USD"});
        for (bad, shown) in [
            (
                with("sale_price", sale),
                "product `a`: sale_price: 10.00 USD is not lower than the price 10.00 USD",
            ),
            (
                with(
                    "sale_price",
                    serde_json::json!({"minor": 1, "currency": "EUR"}),
                ),
                "product `a`: sale_price: in EUR, but the price is in USD",
            ),
            (with("title", "".into()), "product `a`: title: required"),
            (
                with("link", "ftp://x".into()),
                "product `a`: link: `ftp://x` is not an http(s) URL",
            ),
            (with("retailer_id", "".into()), "product ``: id: required"),
            (
                with("availability", serde_json::json!({"unknown": " "})),
                "product `a`: availability: required",
            ),
        ] {
            assert_eq!(bad.unwrap_err().to_string(), shown);
        }
        assert!(with("availability", "in stock".into()).is_err());
        assert!(
            with("extra", 1.into()).is_err(),
            "unknown fields are refused"
        );
        let mut v = json.clone();
        v.as_object_mut().unwrap().remove("title");
        assert!(serde_json::from_value::<Product>(v).is_err());
    }
}
