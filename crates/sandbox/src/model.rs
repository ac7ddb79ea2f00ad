//! What the sandbox knows: tenants (WABAs, their numbers, app and catalogs), customers and
//! their devices, and the configuration of its behaviour.

use std::fmt;

use serde::{Deserialize, Serialize};
use wacart_schema::{CatalogId, PhoneNumberId, WaId, WabaId};

use crate::clock::{DAY, SECOND};

/// A credential held by the sandbox; `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credential(String);

impl Credential {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Credential(value.into())
    }

    /// The value, for comparison and signing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A WABA with its app, numbers and catalogs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TenantSpec {
    /// The WhatsApp Business Account id.
    pub waba_id: WabaId,
    /// The app whose webhooks this WABA produces.
    pub app: AppSpec,
    /// The business numbers.
    pub numbers: Vec<NumberSpec>,
    /// The catalogs (empty; fill them with batches or feeds).
    pub catalogs: Vec<CatalogId>,
}

/// The app: where webhooks go and how they are signed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppSpec {
    /// Key of `X-Hub-Signature-256`.
    pub app_secret: Credential,
    /// The webhook callback, if one is configured.
    pub callback_url: Option<String>,
    /// The token of the subscription handshake.
    pub verify_token: Credential,
    /// Headers sent with every webhook to the callback (set through 360dialog's webhook
    /// configuration, for the receiver's own authorization).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub callback_headers: std::collections::BTreeMap<String, String>,
}

/// A business phone number and the credentials that reach it on each door.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberSpec {
    /// Its Cloud API id.
    pub phone_number_id: PhoneNumberId,
    /// The number in digits.
    pub display_number: String,
    /// Meta access tokens accepted for it.
    pub tokens: Vec<Credential>,
    /// The 360dialog API key that selects it.
    pub d360_key: Option<Credential>,
    /// Kaleyra's SID and API key that reach it.
    pub kaleyra: Option<(String, Credential)>,
    /// The linked catalog.
    pub catalog_id: Option<CatalogId>,
    /// Commerce settings: cart enabled.
    pub cart_enabled: bool,
    /// Commerce settings: catalog visible.
    pub catalog_visible: bool,
    /// The name the phone number node answers as `verified_name` (a default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_name: Option<String>,
}

impl TenantSpec {
    /// A tenant with one app and no numbers yet.
    pub fn new(waba_id: impl Into<WabaId>, app: AppSpec) -> Self {
        TenantSpec {
            waba_id: waba_id.into(),
            app,
            numbers: Vec::new(),
            catalogs: Vec::new(),
        }
    }

    /// Adds a number.
    pub fn number(mut self, number: NumberSpec) -> Self {
        self.numbers.push(number);
        self
    }

    /// Adds an (empty) catalog.
    pub fn catalog(mut self, id: impl Into<CatalogId>) -> Self {
        self.catalogs.push(id.into());
        self
    }
}

impl AppSpec {
    /// An app with this secret and verify token, and no callback.
    pub fn new(app_secret: impl Into<String>, verify_token: impl Into<String>) -> Self {
        AppSpec {
            app_secret: Credential::new(app_secret),
            callback_url: None,
            verify_token: Credential::new(verify_token),
            callback_headers: std::collections::BTreeMap::new(),
        }
    }

    /// With a callback URL.
    pub fn callback(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }
}

impl NumberSpec {
    /// A number with a Meta token, cart enabled and catalog hidden (Meta's defaults).
    pub fn new(
        phone_number_id: impl Into<PhoneNumberId>,
        display_number: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        NumberSpec {
            phone_number_id: phone_number_id.into(),
            display_number: display_number.into(),
            tokens: vec![Credential::new(token)],
            d360_key: None,
            kaleyra: None,
            catalog_id: None,
            cart_enabled: true,
            catalog_visible: false,
            verified_name: None,
        }
    }

    /// With this verified (display) name.
    pub fn verified_name(mut self, name: impl Into<String>) -> Self {
        self.verified_name = Some(name.into());
        self
    }

    /// Reachable through 360dialog with this key.
    pub fn d360_key(mut self, key: impl Into<String>) -> Self {
        self.d360_key = Some(Credential::new(key));
        self
    }

    /// Reachable through Kaleyra with this SID and key.
    pub fn kaleyra(mut self, sid: impl Into<String>, key: impl Into<String>) -> Self {
        self.kaleyra = Some((sid.into(), Credential::new(key)));
        self
    }

    /// With this catalog linked; `visible` sets the catalog's visibility.
    pub fn linked_catalog(mut self, id: impl Into<CatalogId>, visible: bool) -> Self {
        self.catalog_id = Some(id.into());
        self.catalog_visible = visible;
        self
    }
}

/// A customer and their devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerSpec {
    /// WhatsApp id.
    pub wa_id: WaId,
    /// Profile name.
    pub name: String,
}

impl CustomerSpec {
    /// A customer with this name and one up-to-date device, `phone`.
    pub fn new(wa_id: impl Into<WaId>, name: impl Into<String>) -> Self {
        CustomerSpec {
            wa_id: wa_id.into(),
            name: name.into(),
        }
    }
}

/// The platform of a device: it sets the minimum app version for product messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Platform {
    /// Android (the default).
    #[default]
    Android,
    /// iOS.
    Ios,
    /// WhatsApp Web and desktop (always able).
    Web,
}

/// A customer's device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Device {
    /// The WhatsApp version, `2.21.5`.
    pub app_version: String,
    /// The platform.
    pub platform: Platform,
}

/// The version new devices get.
pub const CURRENT_APP_VERSION: &str = "2.24.10";

impl Device {
    /// A device on this platform and version.
    pub fn new(platform: Platform, app_version: impl Into<String>) -> Self {
        Device {
            app_version: app_version.into(),
            platform,
        }
    }

    /// Whether it can show a message of this interactive type (spec §3).
    pub fn can_show(&self, interactive_type: &str) -> bool {
        let min = match (self.platform, interactive_type) {
            (Platform::Web, _) => return true,
            (Platform::Android, "product") => "2.21.19",
            (Platform::Ios, "product") => "2.21.210",
            (Platform::Android, "product_list") => "2.21.9.15",
            (Platform::Ios, "product_list") => "2.21.100",
            _ => return true,
        };
        version_at_least(&self.app_version, min)
    }
}

/// Dotted versions compared number by number; missing parts count as 0, junk as 0.
fn version_at_least(version: &str, min: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|p| p.trim().parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parse(version), parse(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    true
}

/// How the window rule answers a send outside the 24 h window (spec §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowMode {
    /// Accept (200), then a `failed` status with 131047. Meta's behaviour, the default.
    #[default]
    FailedStatus,
    /// Refuse at once with 131047.
    Refuse,
}

/// The sandbox's behaviour where the spec leaves a choice. Build it with struct update syntax:
/// `Config { window: WindowMode::Refuse, ..Config::default() }`. It is part of the log: opening
/// a store with another configuration records the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// After `sent`, when `delivered` follows (ms).
    pub delivered_after: u64,
    /// After `delivered`, when `read` follows on its own (ms); `None`: only when the customer
    /// opens the thread.
    pub read_after: Option<u64>,
    /// The window rule's answer.
    pub window: WindowMode,
    /// Catalog messages must name a thumbnail.
    pub strict_catalog_thumbnail: bool,
    /// Throughput per number (messages/s), answered with 130429 above it; off by default.
    pub number_rate: Option<u32>,
    /// Pair limit: (interval between messages to one customer in ms, burst), answered with
    /// 131056; off by default.
    pub pair_limit: Option<(u64, u32)>,
    /// How long a webhook is retried before it is dropped (ms); 7 days by default.
    pub retry_horizon: u64,
    /// The first retry's wait (ms); each next one doubles, up to `retry_max_interval`.
    pub retry_base: u64,
    /// The longest wait between retries (ms).
    pub retry_max_interval: u64,
    /// How long a new or edited template waits for its review (ms): it is approved then, and
    /// the business gets its status webhook; `None` leaves it pending until the sandbox API
    /// decides. 2 s by default (absent from logs and snapshots written before templates).
    #[serde(
        default = "default_template_review",
        skip_serializing_if = "is_default_template_review"
    )]
    pub template_review_after: Option<u64>,
}

fn default_template_review() -> Option<u64> {
    Some(2 * SECOND)
}

#[allow(clippy::ref_option)] // serde's skip_serializing_if passes a reference.
fn is_default_template_review(v: &Option<u64>) -> bool {
    *v == default_template_review()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            delivered_after: SECOND,
            read_after: None,
            window: WindowMode::FailedStatus,
            strict_catalog_thumbnail: false,
            number_rate: None,
            pair_limit: None,
            retry_horizon: 7 * DAY,
            retry_base: SECOND,
            retry_max_interval: 3_600 * SECOND,
            template_review_after: default_template_review(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_clients_cannot_show_product_messages() {
        let old = Device::new(Platform::Android, "2.21.5");
        assert!(!old.can_show("product") && !old.can_show("product_list"));
        assert!(old.can_show("catalog_message"));
        let edge = Device::new(Platform::Android, "2.21.9.15");
        assert!(edge.can_show("product_list") && !edge.can_show("product"));
        assert!(Device::new(Platform::Ios, "2.21.210").can_show("product"));
        assert!(!Device::new(Platform::Ios, "2.21.99").can_show("product_list"));
        assert!(Device::new(Platform::Web, "0").can_show("product"));
    }

    #[test]
    fn credentials_never_print() {
        let spec = AppSpec::new("demo-app-secret", "demo-verify-token");
        let printed = format!("{spec:?}");
        assert!(!printed.contains("demo-app-secret") && !printed.contains("demo-verify-token"));
    }
}
