//! Commerce settings per business number (spec §5), and which catalog each number uses.

use std::collections::HashMap;

use wacart_schema::{CatalogId, PhoneNumberId};

use crate::error::details;

/// A number's commerce settings, as `GET .../whatsapp_commerce_settings` shows them.
/// Defaults: cart enabled, catalog hidden.
///
/// - Cart disabled: products can still be viewed, nothing can be added to a cart or sent.
/// - Catalog hidden: catalog messages fail (131009) and catalog links show
///   "Invalid catalog link". Single- and multi-product messages still work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CommerceSettings {
    /// `is_cart_enabled`.
    pub is_cart_enabled: bool,
    /// `is_catalog_visible`.
    pub is_catalog_visible: bool,
}

impl Default for CommerceSettings {
    fn default() -> Self {
        CommerceSettings {
            is_cart_enabled: true,
            is_catalog_visible: false,
        }
    }
}

impl CommerceSettings {
    /// Settings with these values.
    pub fn new(is_cart_enabled: bool, is_catalog_visible: bool) -> Self {
        CommerceSettings {
            is_cart_enabled,
            is_catalog_visible,
        }
    }

    /// These settings with the values the update gives.
    #[must_use]
    pub fn updated(self, update: SettingsUpdate) -> Self {
        CommerceSettings {
            is_cart_enabled: update.is_cart_enabled.unwrap_or(self.is_cart_enabled),
            is_catalog_visible: update.is_catalog_visible.unwrap_or(self.is_catalog_visible),
        }
    }

    /// What a catalog button or `https://wa.me/c/<number>` link shows instead of the catalog:
    /// `Some("Invalid catalog link")` while the catalog is hidden.
    pub fn catalog_link_error(self) -> Option<&'static str> {
        (!self.is_catalog_visible).then_some(details::INVALID_CATALOG_LINK)
    }
}

/// `POST .../whatsapp_commerce_settings?is_cart_enabled=&is_catalog_visible=`: only the values
/// given change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SettingsUpdate {
    /// New `is_cart_enabled`, if given.
    pub is_cart_enabled: Option<bool>,
    /// New `is_catalog_visible`, if given.
    pub is_catalog_visible: Option<bool>,
}

impl SettingsUpdate {
    /// An update that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `is_cart_enabled`.
    #[must_use]
    pub fn cart_enabled(mut self, on: bool) -> Self {
        self.is_cart_enabled = Some(on);
        self
    }

    /// Sets `is_catalog_visible`.
    #[must_use]
    pub fn catalog_visible(mut self, on: bool) -> Self {
        self.is_catalog_visible = Some(on);
        self
    }
}

#[derive(Clone, Debug, Default)]
struct NumberEntry {
    settings: CommerceSettings,
    catalog: Option<CatalogId>,
}

/// Commerce settings and linked catalogs of business numbers. A number never configured has
/// the default settings and no catalog.
///
/// ```
/// use wacart_catalog::{SettingsBook, SettingsUpdate};
/// let mut book = SettingsBook::new();
/// let number = "106540352242922".into();
/// assert!(book.settings(&number).is_cart_enabled);
/// assert!(!book.settings(&number).is_catalog_visible);
/// let now = book.update(&number, SettingsUpdate::new().catalog_visible(true));
/// assert!(now.is_cart_enabled && now.is_catalog_visible);
/// book.link_catalog(&number, Some("194836987003835".into()));
/// assert_eq!(book.linked_catalog(&number).unwrap(), "194836987003835");
/// ```
#[derive(Clone, Debug, Default)]
pub struct SettingsBook {
    numbers: HashMap<PhoneNumberId, NumberEntry>,
}

impl SettingsBook {
    /// No number configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number's settings (the defaults when never set).
    pub fn settings(&self, number: &PhoneNumberId) -> CommerceSettings {
        self.numbers
            .get(number)
            .map(|e| e.settings)
            .unwrap_or_default()
    }

    /// Changes the values the update gives; returns the settings now in force.
    pub fn update(&mut self, number: &PhoneNumberId, update: SettingsUpdate) -> CommerceSettings {
        let entry = self.numbers.entry(number.clone()).or_default();
        entry.settings = entry.settings.updated(update);
        entry.settings
    }

    /// Links a catalog to the number (`None` unlinks). One catalog may serve many numbers.
    pub fn link_catalog(&mut self, number: &PhoneNumberId, catalog: Option<CatalogId>) {
        self.numbers.entry(number.clone()).or_default().catalog = catalog;
    }

    /// The catalog linked to the number.
    pub fn linked_catalog(&self, number: &PhoneNumberId) -> Option<&CatalogId> {
        self.numbers.get(number)?.catalog.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_cart_on_catalog_hidden() {
        let s = CommerceSettings::default();
        assert!(s.is_cart_enabled);
        assert!(!s.is_catalog_visible);
        assert_eq!(s.catalog_link_error(), Some("Invalid catalog link"));
        assert_eq!(CommerceSettings::new(true, true).catalog_link_error(), None);
    }

    #[test]
    fn updates_change_only_what_they_give_per_number() {
        let mut book = SettingsBook::new();
        let a = PhoneNumberId::new("1");
        let b = PhoneNumberId::new("2");
        let s = book.update(&a, SettingsUpdate::new().cart_enabled(false));
        assert_eq!(s, CommerceSettings::new(false, false));
        let s = book.update(&a, SettingsUpdate::new().catalog_visible(true));
        assert_eq!(s, CommerceSettings::new(false, true));
        assert_eq!(
            book.update(&a, SettingsUpdate::new()),
            CommerceSettings::new(false, true)
        );
        assert_eq!(book.settings(&b), CommerceSettings::default());
        book.link_catalog(&a, Some("9".into()));
        assert_eq!(book.linked_catalog(&a).map(|c| c.as_str()), Some("9"));
        assert_eq!(book.linked_catalog(&b), None);
        assert_eq!(
            book.settings(&a),
            CommerceSettings::new(false, true),
            "linking keeps settings"
        );
        book.link_catalog(&a, None);
        assert_eq!(book.linked_catalog(&a), None);
    }
}
