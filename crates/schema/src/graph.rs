//! Graph API payloads around commerce: the catalog batch API and a number's commerce settings.

use serde_json::{Map, Value};

use crate::wire::{wire_enum, wire_struct};

wire_struct! {
    /// `POST /{version}/{catalog_id}/items_batch`.
    pub struct ItemsBatchRequest {
        /// `PRODUCT_ITEM`.
        item_type: req String = "item_type",
        /// The changes, applied one by one.
        requests: vec BatchRequest = "requests",
    }
}

wire_struct! {
    /// One change of an items batch.
    pub struct BatchRequest {
        /// `CREATE`, `UPDATE` or `DELETE`.
        method: req BatchMethod = "method",
        /// Feed fields (`id` always; the rest for create and update).
        data: req Map<String, Value> = "data",
    }
}

wire_enum! {
    /// `requests[].method` of an items batch.
    pub enum BatchMethod {
        /// Add a product (or replace it).
        Create = "CREATE",
        /// Change the fields given, keep the rest.
        Update = "UPDATE",
        /// Remove a product.
        Delete = "DELETE",
    }
}

wire_struct! {
    /// The answer to an items batch: handles, and per-request validation results.
    pub struct ItemsBatchResponse {
        /// Batch handles.
        handles: vec String = "handles",
        /// One entry per request that had problems.
        validation_status: vec Value = "validation_status",
    }
}

impl ItemsBatchRequest {
    /// A batch of product changes.
    pub fn products(requests: Vec<BatchRequest>) -> Self {
        ItemsBatchRequest {
            item_type: "PRODUCT_ITEM".to_owned(),
            requests,
            extra: Map::new(),
        }
    }
}

impl BatchRequest {
    /// One change: `data` must hold the product's `id`.
    pub fn new(method: BatchMethod, data: Map<String, Value>) -> Self {
        BatchRequest {
            method,
            data,
            extra: Map::new(),
        }
    }
}

wire_struct! {
    /// `GET /{version}/{phone_number_id}/whatsapp_commerce_settings`.
    pub struct CommerceSettingsResponse {
        /// One element: the number's settings.
        data: vec CommerceSettings = "data",
    }
}

wire_struct! {
    /// A number's commerce settings.
    pub struct CommerceSettings {
        /// Customers can add items to a cart (default on).
        is_cart_enabled: req bool = "is_cart_enabled",
        /// Catalog buttons and links work (default off).
        is_catalog_visible: req bool = "is_catalog_visible",
        /// The settings object's id.
        id: opt String = "id",
    }
}

impl CommerceSettings {
    /// Settings with these values.
    pub fn new(is_cart_enabled: bool, is_catalog_visible: bool, id: Option<String>) -> Self {
        CommerceSettings {
            is_cart_enabled,
            is_catalog_visible,
            id,
            extra: Map::new(),
        }
    }
}

impl CommerceSettingsResponse {
    /// The response for one number's settings.
    pub fn new(settings: CommerceSettings) -> Self {
        CommerceSettingsResponse {
            data: vec![settings],
            extra: Map::new(),
        }
    }
}

wire_struct! {
    /// `{"success": true}`.
    pub struct SuccessResponse {
        /// Whether the call took effect.
        success: req bool = "success",
    }
}

impl SuccessResponse {
    /// `{"success": true}`.
    pub fn ok() -> Self {
        SuccessResponse {
            success: true,
            extra: Map::new(),
        }
    }
}
