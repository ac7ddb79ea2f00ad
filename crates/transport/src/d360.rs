//! 360dialog's webhook configuration: `POST {base}/v1/configs/webhook` with `D360-API-KEY`
//! and `{"url", "headers"}` sets where the number's webhooks go (and the headers they carry);
//! `GET` reads it back (docs/providers.md §3).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::door::Door;
use crate::error::Error;

/// Where 360dialog delivers a number's webhooks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct D360WebhookConfig {
    /// The webhook URL.
    pub url: String,
    /// Headers sent with every webhook (e.g. `Authorization` for the receiver's own check).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl D360WebhookConfig {
    /// Webhooks to `url`, with no extra headers.
    pub fn new(url: impl Into<String>) -> Self {
        D360WebhookConfig {
            url: url.into(),
            headers: BTreeMap::new(),
        }
    }

    /// With this header on every webhook.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }
}

impl Client {
    fn d360_webhook_url(&self) -> Result<String, Error> {
        match self.door {
            Door::Dialog360 { .. } => Ok(format!(
                "{}/v1/configs/webhook",
                self.base.trim_end_matches('/')
            )),
            _ => Err(Error::Unsupported {
                what: "the 360dialog webhook configuration",
            }),
        }
    }

    /// Sets the number's webhook URL and headers through 360dialog's configuration call;
    /// answers the configuration 360dialog kept.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on other doors; 360dialog's refusal ([`Error::Dialog360`]) or the
    /// transport failure otherwise.
    pub async fn set_d360_webhook(
        &self,
        config: &D360WebhookConfig,
    ) -> Result<D360WebhookConfig, Error> {
        let url = self.d360_webhook_url()?;
        let body = serde_json::to_vec(config).map_err(|e| Error::Build(e.to_string()))?;
        let request = self.door.prepared("POST", url, body);
        self.call_json(&request).await
    }

    /// The number's webhook configuration, as 360dialog keeps it.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on other doors; the refusal or transport failure otherwise.
    pub async fn d360_webhook(&self) -> Result<D360WebhookConfig, Error> {
        let url = self.d360_webhook_url()?;
        let request = self.door.prepared("GET", url, Vec::new());
        self.call_json(&request).await
    }
}
