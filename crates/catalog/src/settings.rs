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
///
/// Serde: `{"is_cart_enabled": true, "is_catalog_visible": false}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
///
/// Serde: `{"numbers": [{"number": ..., "settings": {...}, "catalog": ... or null}, ...]}`,
/// one entry per number ever configured, sorted by number. Deserializing refuses a number
/// twice.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(try_from = "BookWire")]
pub struct SettingsBook {
    numbers: HashMap<PhoneNumberId, NumberEntry>,
}

/// One number's entry as it is serialized.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryWire<N, C> {
    number: N,
    settings: CommerceSettings,
    catalog: Option<C>,
}

/// A book as it is serialized, borrowed from it.
#[derive(serde::Serialize)]
struct BookRef<'a> {
    numbers: Vec<EntryWire<&'a PhoneNumberId, &'a CatalogId>>,
}

impl serde::Serialize for SettingsBook {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut numbers: Vec<_> = self
            .numbers
            .iter()
            .map(|(number, entry)| EntryWire {
                number,
                settings: entry.settings,
                catalog: entry.catalog.as_ref(),
            })
            .collect();
        numbers.sort_unstable_by_key(|e| e.number);
        BookRef { numbers }.serialize(serializer)
    }
}

/// What a [`SettingsBook`] deserializes from.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BookWire {
    numbers: Vec<EntryWire<PhoneNumberId, CatalogId>>,
}

impl TryFrom<BookWire> for SettingsBook {
    type Error = String;

    fn try_from(wire: BookWire) -> Result<Self, Self::Error> {
        let mut numbers = HashMap::with_capacity(wire.numbers.len());
        for e in wire.numbers {
            let entry = NumberEntry {
                settings: e.settings,
                catalog: e.catalog,
            };
            if numbers.insert(e.number.clone(), entry).is_some() {
                return Err(format!("number {} twice", e.number));
            }
        }
        Ok(SettingsBook { numbers })
    }
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

    #[test]
    fn serde_round_trip_keeps_every_number() {
        let mut book = SettingsBook::new();
        let numbers: Vec<PhoneNumberId> = ["30", "4", "100", "2"].map(PhoneNumberId::new).to_vec();
        book.update(&numbers[0], SettingsUpdate::new().cart_enabled(false));
        book.link_catalog(&numbers[0], Some("9".into()));
        book.update(&numbers[1], SettingsUpdate::new().catalog_visible(true));
        book.link_catalog(&numbers[2], Some("8".into()));
        book.link_catalog(&numbers[3], None);
        let json = serde_json::to_string(&book).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"numbers":["#,
                r#"{"number":"100","settings":{"is_cart_enabled":true,"is_catalog_visible":false},"catalog":"8"},"#,
                r#"{"number":"2","settings":{"is_cart_enabled":true,"is_catalog_visible":false},"catalog":null},"#,
                r#"{"number":"30","settings":{"is_cart_enabled":false,"is_catalog_visible":false},"catalog":"9"},"#,
                r#"{"number":"4","settings":{"is_cart_enabled":true,"is_catalog_visible":true},"catalog":null}"#,
                "]}"
            ),
            "sorted by number"
        );
        let mut back: SettingsBook = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        for n in numbers.iter().chain([&PhoneNumberId::new("5")]) {
            assert_eq!(back.settings(n), book.settings(n), "{n}");
            assert_eq!(back.linked_catalog(n), book.linked_catalog(n), "{n}");
        }
        let update = SettingsUpdate::new().catalog_visible(true);
        assert_eq!(
            back.update(&numbers[0], update),
            book.update(&numbers[0], update)
        );
    }

    #[test]
    fn serde_refuses_a_number_twice() {
        let entry = serde_json::json!({
            "number": "1",
            "settings": {"is_cart_enabled": true, "is_catalog_visible": true},
            "catalog": null
        });
        let v = serde_json::json!({ "numbers": [entry.clone(), entry.clone()] });
        let err = serde_json::from_value::<SettingsBook>(v).unwrap_err();
        assert_eq!(err.to_string(), "number 1 twice");
        let v = serde_json::json!({ "numbers": [entry] });
        assert!(serde_json::from_value::<SettingsBook>(v).is_ok());
        let v = serde_json::json!({ "numbers": [{"number": "1", "settings": {"is_cart_enabled": true}}] });
        assert!(serde_json::from_value::<SettingsBook>(v).is_err());
    }
}
