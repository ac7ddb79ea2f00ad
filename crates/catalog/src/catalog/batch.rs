//! `items_batch` requests: [`Method`] and [`BatchRequest`].

use wacart_schema::RetailerId;

use crate::error::CatalogError;
use crate::product::{Field, ProductPatch, field};

/// The method of one `items_batch` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `CREATE`: a new product; every required field given.
    Create,
    /// `UPDATE`: only the fields given change.
    Update,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// Reads `CREATE`, `UPDATE` or `DELETE` (case-insensitive).
    ///
    /// # Errors
    /// [`CatalogError::UnknownMethod`] otherwise.
    pub fn parse(method: &str) -> Result<Method, CatalogError> {
        match method.trim().to_ascii_uppercase().as_str() {
            "CREATE" => Ok(Method::Create),
            "UPDATE" => Ok(Method::Update),
            "DELETE" => Ok(Method::Delete),
            _ => Err(CatalogError::UnknownMethod(method.to_owned())),
        }
    }
}

/// One request of a batch (Meta's `items_batch`: `{"method": ..., "data": {"id": ..., ...}}`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchRequest {
    /// What to do.
    pub method: Method,
    /// The product.
    pub retailer_id: RetailerId,
    /// The fields given (ignored by `DELETE`).
    pub patch: ProductPatch,
}

impl BatchRequest {
    /// Create a product with these fields.
    pub fn create(retailer_id: impl Into<RetailerId>, patch: ProductPatch) -> Self {
        BatchRequest {
            method: Method::Create,
            retailer_id: retailer_id.into(),
            patch,
        }
    }

    /// Change these fields of a product.
    pub fn update(retailer_id: impl Into<RetailerId>, patch: ProductPatch) -> Self {
        BatchRequest {
            method: Method::Update,
            retailer_id: retailer_id.into(),
            patch,
        }
    }

    /// Delete a product.
    pub fn delete(retailer_id: impl Into<RetailerId>) -> Self {
        BatchRequest {
            method: Method::Delete,
            retailer_id: retailer_id.into(),
            patch: ProductPatch::default(),
        }
    }

    /// A request from its wire form: the method and the `data` object's fields as feed text
    /// (`"price": "9.99 USD"`). `id` is required; fields this crate does not read are ignored.
    ///
    /// ```
    /// use wacart_catalog::{BatchRequest, Method};
    /// let req = BatchRequest::from_fields("UPDATE", [("id", "sku-1"), ("price", "8.99 USD")]).unwrap();
    /// assert_eq!(req.method, Method::Update);
    /// assert_eq!(req.retailer_id, "sku-1");
    /// ```
    ///
    /// # Errors
    /// [`CatalogError::UnknownMethod`], or [`CatalogError::InvalidField`] for a missing `id` or
    /// a field that breaks its rule.
    pub fn from_fields<'a, I>(method: &str, fields: I) -> Result<BatchRequest, CatalogError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let method = Method::parse(method)?;
        let mut id = None;
        let mut patch = ProductPatch::default();
        for (name, value) in fields {
            if Field::from_name(name) == Some(Field::Id) {
                id = Some(RetailerId::new(value));
            } else {
                patch.set_field(name, value)?;
            }
        }
        let retailer_id = id.ok_or_else(|| CatalogError::field(field::ID, "required"))?;
        Ok(BatchRequest {
            method,
            retailer_id,
            patch,
        })
    }
}
