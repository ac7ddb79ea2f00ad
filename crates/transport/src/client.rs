//! The client: one `send`, three doors.

use std::time::Duration;

use serde::de::DeserializeOwned;
use wacart_schema::{
    CatalogId, CommerceSettings, CommerceSettingsResponse, D360ErrorResponse, GraphErrorResponse,
    ItemsBatchRequest, ItemsBatchResponse, KaleyraResponse, MarkRead, MessageId, Options,
    OutboundMessage, SendResponse, SuccessResponse, UserId, WaId,
};

use crate::door::{Door, DoorKind, PreparedRequest};
use crate::error::Error;
use crate::limit::{DEFAULT_NUMBER_RATE, Limiter, RateLimit};
use crate::retry::RetryPolicy;

/// What a door answered for an accepted message. Accepted is not delivered: delivery comes
/// later, as status webhooks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Receipt {
    /// The new message's id.
    pub message_id: MessageId,
    /// The customer's WhatsApp id, when the door tells it (Meta and 360dialog do, for a message
    /// sent to a phone number).
    pub wa_id: Option<WaId>,
    /// The customer's BSUID, when the message was sent to it (`recipient`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Which door answered.
    pub door: DoorKind,
}

/// Builds a [`Client`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    door: Door,
    base_url: Option<String>,
    retry: RetryPolicy,
    number_rate: Option<RateLimit>,
    pair_rate: Option<RateLimit>,
    timeout: Duration,
    connect_timeout: Duration,
    validation: Options,
}

impl ClientBuilder {
    /// Sends to this base URL instead of the door's public one (the sandbox, a test server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The Graph API version (Meta's door only), e.g. `v24.0`.
    pub fn graph_version(mut self, version: impl Into<String>) -> Self {
        if let Door::Meta { graph_version, .. } = &mut self.door {
            *graph_version = version.into();
        }
        self
    }

    /// How failed sends are retried ([`RetryPolicy::none`] turns retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The number's throughput limit (default 80 messages/s); `None` turns it off.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.number_rate = limit;
        self
    }

    /// A per-customer limit (off by default; [`RateLimit::meta_pair`] is Meta's pair limit).
    pub fn pair_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.pair_rate = limit;
        self
    }

    /// `ref`, `ref1`, `ref2` and `wa_source` sent with every message (Kaleyra's door only).
    pub fn kaleyra_extra_info(mut self, info: wacart_schema::KaleyraExtraInfo) -> Self {
        if let Door::Kaleyra { extra_info, .. } = &mut self.door {
            *extra_info = Some(info);
        }
        self
    }

    /// The whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The validation options used before sending (the dialect follows the door).
    pub fn validation(mut self, options: Options) -> Self {
        self.validation = options;
        self
    }

    /// The client.
    ///
    /// # Errors
    /// [`Error::Build`] when the HTTP stack cannot start.
    pub fn build(self) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(|e| Error::Build(e.to_string()))?;
        let base = self
            .base_url
            .unwrap_or_else(|| self.door.default_base_url().to_owned());
        let validation = self.validation.dialect(self.door.dialect());
        Ok(Client {
            http,
            base,
            retry: self.retry,
            limiter: Limiter::new(self.number_rate, self.pair_rate),
            validation,
            door: self.door,
        })
    }
}

/// A client for one business number on one door.
///
/// ```no_run
/// # async fn demo() -> Result<(), wacart_transport::Error> {
/// use wacart_schema::OutboundMessage;
/// use wacart_transport::{Client, Door};
///
/// let client = Client::builder(Door::meta("100000000000001", "demo-token"))
///     .base_url("http://127.0.0.1:8080") // the sandbox
///     .build()?;
/// let message = OutboundMessage::product("16505551234", "300000000000001", "sku-1").build().unwrap();
/// let receipt = client.send(&message).await?;
/// println!("{}", receipt.message_id);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) door: Door,
    pub(crate) base: String,
    pub(crate) retry: RetryPolicy,
    limiter: Limiter,
    validation: Options,
}

/// A door's answer, read whole.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,
}

impl Client {
    /// A builder for this door: 80 messages/s, default retries, 30 s timeout.
    pub fn builder(door: Door) -> ClientBuilder {
        ClientBuilder {
            door,
            base_url: None,
            retry: RetryPolicy::default(),
            number_rate: Some(RateLimit::per_second(DEFAULT_NUMBER_RATE)),
            pair_rate: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            validation: Options::default(),
        }
    }

    /// The door.
    pub fn door(&self) -> &Door {
        &self.door
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Validates `message`, then sends it, retrying only where that cannot duplicate it.
    ///
    /// # Errors
    /// [`Error::Invalid`] with every violation (nothing is sent); otherwise the door's refusal
    /// or the transport failure, typed.
    pub async fn send(&self, message: &OutboundMessage) -> Result<Receipt, Error> {
        message
            .validate_with(&self.validation)
            .map_err(Error::Invalid)?;
        let request = self
            .door
            .send_request(&self.base, message)
            .map_err(|e| Error::Build(e.to_string()))?;
        let kind = self.door.kind();
        self.retry
            .run(|| async {
                self.limiter.acquire(message.input()).await;
                let answer = self.execute(&request).await?;
                read_receipt(kind, answer)
            })
            .await
    }

    /// Marks an inbound message read (and, as WhatsApp does, every earlier one of its thread);
    /// with `typing`, the customer sees "typing…" until the next message, 25 seconds at most.
    /// Safe to retry: marking read twice changes nothing more.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (131009 for a message the number
    /// did not receive) or transport failure otherwise.
    pub async fn mark_read(&self, message_id: &MessageId, typing: bool) -> Result<(), Error> {
        let mut read = MarkRead::new(message_id.clone());
        if typing {
            read = read.typing();
        }
        let request = self
            .door
            .read_request(&self.base, &read)
            .map_err(|e| Error::Build(e.to_string()))?
            .ok_or(Error::Unsupported { what: "mark_read" })?;
        self.call_success(&request).await
    }

    /// Sends a catalog batch: `POST /{version}/{catalog_id}/items_batch` (Meta's door).
    ///
    /// # Errors
    /// [`Error::Unsupported`] on other doors; the refusal or transport failure otherwise.
    pub async fn items_batch(
        &self,
        catalog_id: &CatalogId,
        batch: &ItemsBatchRequest,
    ) -> Result<ItemsBatchResponse, Error> {
        let url = self
            .door
            .graph_path(&self.base, catalog_id.as_str(), "items_batch")
            .ok_or(Error::Unsupported {
                what: "items_batch",
            })?;
        let body = serde_json::to_vec(batch).map_err(|e| Error::Build(e.to_string()))?;
        let request = self.door.prepared("POST", url, body);
        self.call_json(&request).await
    }

    /// The number's commerce settings: `GET /{version}/{phone_number_id}/whatsapp_commerce_settings`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on other doors; the refusal or transport failure otherwise.
    pub async fn commerce_settings(&self) -> Result<CommerceSettings, Error> {
        let request = self.settings_request("GET", "")?;
        let response: CommerceSettingsResponse = self.call_json(&request).await?;
        response.data.into_iter().next().ok_or(Error::Decode {
            door: self.door.kind(),
            message: "no settings in `data`".to_owned(),
        })
    }

    /// Changes the number's commerce settings; `None` leaves a setting as it is.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on other doors; the refusal or transport failure otherwise.
    pub async fn update_commerce_settings(
        &self,
        cart_enabled: Option<bool>,
        catalog_visible: Option<bool>,
    ) -> Result<(), Error> {
        let mut query = Vec::new();
        if let Some(v) = cart_enabled {
            query.push(format!("is_cart_enabled={v}"));
        }
        if let Some(v) = catalog_visible {
            query.push(format!("is_catalog_visible={v}"));
        }
        let request = self.settings_request("POST", &query.join("&"))?;
        self.call_success(&request).await
    }

    fn settings_request(
        &self,
        method: &'static str,
        query: &str,
    ) -> Result<PreparedRequest, Error> {
        let unsupported = Error::Unsupported {
            what: "whatsapp_commerce_settings",
        };
        let id = self.door.phone_number_id().ok_or(Error::Unsupported {
            what: "whatsapp_commerce_settings",
        })?;
        let mut url = self
            .door
            .graph_path(&self.base, id.as_str(), "whatsapp_commerce_settings")
            .ok_or(unsupported)?;
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        Ok(self.door.prepared(method, url, Vec::new()))
    }

    /// A call answered `{"success": true}`; `false` is [`Error::Decode`].
    pub(crate) async fn call_success(&self, request: &PreparedRequest) -> Result<(), Error> {
        let answer: SuccessResponse = self.call_json(request).await?;
        if answer.success {
            Ok(())
        } else {
            Err(Error::Decode {
                door: self.door.kind(),
                message: "`success` is false".to_owned(),
            })
        }
    }

    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        request: &PreparedRequest,
    ) -> Result<T, Error> {
        let kind = self.door.kind();
        self.retry
            .run(|| async {
                let answer = self.execute(request).await?;
                if !(200..300).contains(&answer.status) {
                    return Err(refusal(kind, answer));
                }
                serde_json::from_slice(&answer.body).map_err(|e| Error::Decode {
                    door: kind,
                    message: e.to_string(),
                })
            })
            .await
    }

    pub(crate) async fn execute(&self, request: &PreparedRequest) -> Result<Answer, Error> {
        let kind = self.door.kind();
        let method = match request.method {
            "GET" => reqwest::Method::GET,
            "DELETE" => reqwest::Method::DELETE,
            _ => reqwest::Method::POST,
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(kind, &e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            // Bounded: a day outlasts any deadline, and no hostile value overflows.
            .map(|s| Duration::from_secs(s.min(86_400)));
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(kind, &e))?
            .to_vec();
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// Maps a reqwest failure by whether the request may have left.
pub(crate) fn transport_error(door: DoorKind, e: &reqwest::Error) -> Error {
    let message = e.to_string();
    if e.is_connect() {
        Error::Connect { door, message }
    } else if e.is_timeout() {
        Error::Timeout { door }
    } else if e.is_builder() {
        Error::Build(message)
    } else {
        Error::Interrupted { door, message }
    }
}

fn read_receipt(door: DoorKind, answer: Answer) -> Result<Receipt, Error> {
    if !(200..300).contains(&answer.status) {
        return Err(refusal(door, answer));
    }
    let decode = |message: String| Error::Decode { door, message };
    match door {
        DoorKind::Kaleyra => {
            let k: KaleyraResponse =
                serde_json::from_slice(&answer.body).map_err(|e| decode(e.to_string()))?;
            let id = k
                .message_id()
                .ok_or_else(|| decode(format!("{} without data.message_id", k.code)))?;
            Ok(Receipt {
                message_id: MessageId::new(id),
                wa_id: None,
                user_id: None,
                door,
            })
        }
        _ => {
            let r: SendResponse =
                serde_json::from_slice(&answer.body).map_err(|e| decode(e.to_string()))?;
            let id = r
                .message_id()
                .cloned()
                .ok_or_else(|| decode("no messages[].id".to_owned()))?;
            let contact = r.contacts.into_iter().next();
            Ok(Receipt {
                message_id: id,
                wa_id: contact.as_ref().and_then(|c| c.wa_id.clone()),
                user_id: contact.and_then(|c| c.user_id),
                door,
            })
        }
    }
}

/// An error answer, in whichever shape the door used.
pub(crate) fn refusal(door: DoorKind, answer: Answer) -> Error {
    let Answer {
        status,
        retry_after,
        body,
    } = answer;
    // Kaleyra's own envelope first on its door: its `error` object may look Graph-like.
    if door == DoorKind::Kaleyra
        && let Ok(k) = serde_json::from_slice::<KaleyraResponse>(&body)
    {
        return Error::Kaleyra {
            status,
            code: k.code,
            message: k.message,
            retry_after,
        };
    }
    if let Ok(g) = serde_json::from_slice::<GraphErrorResponse>(&body) {
        return Error::Graph {
            door,
            status,
            error: Box::new(g.error),
            retry_after,
        };
    }
    if door == DoorKind::Dialog360
        && let Ok(d) = serde_json::from_slice::<D360ErrorResponse>(&body)
    {
        let message = d.meta.developer_message.unwrap_or_default();
        return Error::Dialog360 {
            status,
            message,
            retry_after,
        };
    }
    let text = String::from_utf8_lossy(&body);
    let snippet: String = text.chars().take(200).collect();
    Error::Http {
        door,
        status,
        snippet,
        retry_after,
    }
}
