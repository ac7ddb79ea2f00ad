//! Catalogs and commerce settings: items batches, feed imports, settings updates; every change
//! reaches the carts that hold the product.

use serde::{Deserialize, Serialize};
use wacart_catalog::{Catalog, CommerceSettings, ParsedFeed, SettingsUpdate, parse_feed};
use wacart_schema::{CatalogId, ItemsBatchRequest, PhoneNumberId};

use super::op::Op;
use super::state::State;
use super::{Ack, EngineError, Sandbox};

/// The result of an items batch: one entry per request, `None` for success.
pub type BatchOutcome = Vec<Option<String>>;

/// An items batch (Graph `items_batch`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CatalogBatch {
    catalog_id: CatalogId,
    batch: ItemsBatchRequest,
}

impl Op for CatalogBatch {
    type Output = BatchOutcome;

    fn exec(&self, state: &mut State, _at: u64) -> Result<BatchOutcome, EngineError> {
        let catalog = state
            .catalogs
            .get_mut(&self.catalog_id)
            .ok_or_else(|| EngineError::UnknownCatalog(self.catalog_id.clone()))?;
        let mut outcome = Vec::with_capacity(self.batch.requests.len());
        let mut events = Vec::new();
        for req in &self.batch.requests {
            let fields: Vec<(&str, String)> = req
                .data
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect();
            let parsed = wacart_catalog::BatchRequest::from_fields(
                req.method.as_str(),
                fields.iter().map(|(k, v)| (*k, v.as_str())),
            );
            let result = parsed.and_then(|r| catalog.apply_batch([r]).pop().unwrap_or(Ok(None)));
            match result {
                Ok(event) => {
                    outcome.push(None);
                    events.extend(event);
                }
                Err(e) => outcome.push(Some(e.to_string())),
            }
        }
        for e in &events {
            state.carts.apply_event(e);
        }
        Ok(outcome)
    }
}

/// A CSV or TSV feed upload. The log keeps the feed's text; a live import brings it parsed
/// already (parsing is the slow part, done before the engine's lock is taken), replay parses it
/// again.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ImportFeed {
    catalog_id: CatalogId,
    feed: String,
    #[serde(skip)]
    parsed: std::sync::Mutex<Option<ParsedFeed>>,
}

impl Op for ImportFeed {
    type Output = wacart_catalog::FeedReport;

    fn exec(&self, state: &mut State, _at: u64) -> Result<Self::Output, EngineError> {
        let catalog = state
            .catalogs
            .get_mut(&self.catalog_id)
            .ok_or_else(|| EngineError::UnknownCatalog(self.catalog_id.clone()))?;
        let parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let parsed = match parsed {
            Some(p) => p,
            None => parse_feed(self.feed.as_bytes())
                .map_err(|e| EngineError::BadRequest(e.to_string()))?,
        };
        let import = catalog.apply_feed(parsed);
        for e in &import.events {
            state.carts.apply_event(e);
        }
        Ok(import.report)
    }
}

/// A number's commerce settings change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UpdateSettings {
    number: PhoneNumberId,
    cart_enabled: Option<bool>,
    catalog_visible: Option<bool>,
}

impl Op for UpdateSettings {
    type Output = CommerceSettings;

    fn exec(&self, state: &mut State, _at: u64) -> Result<CommerceSettings, EngineError> {
        if !state.numbers.contains_key(&self.number) {
            return Err(EngineError::UnknownNumber(self.number.clone()));
        }
        let mut update = SettingsUpdate::new();
        if let Some(v) = self.cart_enabled {
            update = update.cart_enabled(v);
        }
        if let Some(v) = self.catalog_visible {
            update = update.catalog_visible(v);
        }
        Ok(state.settings.update(&self.number, update))
    }
}

impl Sandbox {
    /// Applies an items batch: one result per request (`None` for success); a bad request does
    /// not sink the batch.
    ///
    /// # Errors
    /// [`EngineError::UnknownCatalog`].
    pub fn items_batch(
        &mut self,
        catalog_id: &CatalogId,
        batch: ItemsBatchRequest,
    ) -> Result<Ack<BatchOutcome>, EngineError> {
        self.run(CatalogBatch {
            catalog_id: catalog_id.clone(),
            batch,
        })
    }

    /// Imports a CSV or TSV feed into a catalog.
    ///
    /// # Errors
    /// [`EngineError::UnknownCatalog`]; [`EngineError::BadRequest`] for an unusable feed.
    pub fn import_feed(
        &mut self,
        catalog_id: &CatalogId,
        feed: String,
    ) -> Result<Ack<wacart_catalog::FeedReport>, EngineError> {
        self.run(ImportFeed {
            catalog_id: catalog_id.clone(),
            feed,
            parsed: std::sync::Mutex::new(None),
        })
    }

    /// Imports a feed parsed beforehand with [`wacart_catalog::parse_feed`] (outside any lock):
    /// only applying it to the catalog happens here. `feed` is its text, which the log keeps.
    ///
    /// # Errors
    /// [`EngineError::UnknownCatalog`].
    pub fn import_parsed_feed(
        &mut self,
        catalog_id: &CatalogId,
        feed: String,
        parsed: ParsedFeed,
    ) -> Result<Ack<wacart_catalog::FeedReport>, EngineError> {
        self.run(ImportFeed {
            catalog_id: catalog_id.clone(),
            feed,
            parsed: std::sync::Mutex::new(Some(parsed)),
        })
    }

    /// Changes a number's commerce settings.
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`].
    pub fn update_settings(
        &mut self,
        number: &PhoneNumberId,
        cart_enabled: Option<bool>,
        catalog_visible: Option<bool>,
    ) -> Result<Ack<CommerceSettings>, EngineError> {
        self.run(UpdateSettings {
            number: number.clone(),
            cart_enabled,
            catalog_visible,
        })
    }

    /// A catalog.
    pub fn catalog(&self, id: &CatalogId) -> Option<&Catalog> {
        self.state.catalogs.get(id)
    }
}
