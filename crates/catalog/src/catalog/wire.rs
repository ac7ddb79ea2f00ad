//! Serde: a [`Catalog`] written from borrowed data, and read back with its index rebuilt.

use wacart_schema::CatalogId;

use super::Catalog;
use crate::money::Currency;
use crate::product::Product;

/// Every product of a catalog, serialized in order as one sequence, without copying them.
struct ProductsRef<'a>(&'a [Option<Product>]);

impl serde::Serialize for ProductsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flatten())
    }
}

/// A catalog as it is serialized, borrowed from it.
#[derive(serde::Serialize)]
struct CatalogRef<'a> {
    id: &'a CatalogId,
    pinned_currency: Option<Currency>,
    products: ProductsRef<'a>,
}

impl serde::Serialize for Catalog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CatalogRef {
            id: &self.id,
            pinned_currency: self.pinned,
            products: ProductsRef(&self.slots),
        }
        .serialize(serializer)
    }
}

/// What a [`Catalog`] deserializes from: the fields of [`CatalogRef`], owned.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CatalogWire {
    id: CatalogId,
    pinned_currency: Option<Currency>,
    products: Vec<Product>,
}

impl TryFrom<CatalogWire> for Catalog {
    type Error = String;

    /// The catalog with these products in this order, its index rebuilt; its currency is the
    /// pinned one, else the products'.
    fn try_from(wire: CatalogWire) -> Result<Self, Self::Error> {
        let mut catalog = match wire.pinned_currency {
            Some(currency) => Catalog::with_currency(wire.id, currency),
            None => Catalog::new(wire.id),
        };
        catalog.slots.reserve_exact(wire.products.len());
        catalog.index.reserve(wire.products.len());
        for product in wire.products {
            if catalog.contains(product.retailer_id()) {
                return Err(format!(
                    "catalog {}: retailer id `{}` twice",
                    catalog.id,
                    product.retailer_id()
                ));
            }
            catalog.check_currency(&product).map_err(|e| {
                format!(
                    "catalog {}: product `{}`: {e}",
                    catalog.id,
                    product.retailer_id()
                )
            })?;
            catalog
                .insert(product)
                .map_err(|e| format!("catalog {}: {e}", catalog.id))?;
        }
        Ok(catalog)
    }
}
