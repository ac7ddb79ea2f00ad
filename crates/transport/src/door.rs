//! The three doors and the exact requests they take, built without I/O.

use std::fmt;

use wacart_schema::{Dialect, KaleyraExtraInfo, MarkRead, OutboundMessage, PhoneNumberId, WaId};

use crate::secret::Secret;

/// The Graph API version used when none is given.
pub const DEFAULT_GRAPH_VERSION: &str = "v23.0";
/// Meta's Graph API.
pub const META_BASE_URL: &str = "https://graph.facebook.com";
/// 360dialog's Cloud API endpoint.
pub const D360_BASE_URL: &str = "https://waba-v2.360dialog.io";

/// Where a message goes: one of the three doors, with its credentials.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Door {
    /// Meta's Cloud API: `POST {base}/{version}/{phone_number_id}/messages`, bearer token.
    Meta {
        /// e.g. `v23.0`.
        graph_version: String,
        /// The sending number's id.
        phone_number_id: PhoneNumberId,
        /// The access token.
        token: Secret,
    },
    /// 360dialog: `POST {base}/messages` with `D360-API-KEY`; the key selects the number.
    Dialog360 {
        /// The API key.
        api_key: Secret,
    },
    /// Kaleyra: `POST {base}/v2/{sid}/whatsapp/{number}/messages` with `api-key`, the message
    /// wrapped in `messaging_object` (the number in digits, as Kaleyra's product-message page
    /// shows it).
    Kaleyra {
        /// Pod (sets the default base URL).
        pod: KaleyraPod,
        /// Account SID.
        sid: String,
        /// API key.
        api_key: Secret,
        /// The business number, with or without `+`.
        business_number: String,
        /// `ref`, `ref1`, `ref2`, `wa_source` sent with every message.
        extra_info: Option<KaleyraExtraInfo>,
        /// The callback profile that hears of every message's statuses (the number's default
        /// when `None`).
        callback_profile_id: Option<String>,
    },
}

/// Kaleyra's regional pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KaleyraPod {
    /// India, `api.in.kaleyra.io`.
    In,
    /// Singapore, `api.kaleyra.io`.
    Sg,
    /// Europe, `api.eu.kaleyra.io`.
    Eu,
    /// North America, `api.na.kaleyra.ai`.
    Na,
}

impl KaleyraPod {
    /// The pod's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            KaleyraPod::In => "https://api.in.kaleyra.io",
            KaleyraPod::Sg => "https://api.kaleyra.io",
            KaleyraPod::Eu => "https://api.eu.kaleyra.io",
            KaleyraPod::Na => "https://api.na.kaleyra.ai",
        }
    }
}

/// Which door answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DoorKind {
    /// Meta's Cloud API.
    Meta,
    /// 360dialog.
    #[serde(rename = "360dialog")]
    Dialog360,
    /// Kaleyra.
    Kaleyra,
}

impl fmt::Display for DoorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DoorKind::Meta => "meta",
            DoorKind::Dialog360 => "360dialog",
            DoorKind::Kaleyra => "kaleyra",
        })
    }
}

impl Door {
    /// Meta's Cloud API for this number, with the default Graph version.
    pub fn meta(phone_number_id: impl Into<PhoneNumberId>, token: impl Into<Secret>) -> Self {
        Door::Meta {
            graph_version: DEFAULT_GRAPH_VERSION.to_owned(),
            phone_number_id: phone_number_id.into(),
            token: token.into(),
        }
    }

    /// 360dialog with this API key.
    pub fn dialog360(api_key: impl Into<Secret>) -> Self {
        Door::Dialog360 {
            api_key: api_key.into(),
        }
    }

    /// Kaleyra on this pod.
    pub fn kaleyra(
        pod: KaleyraPod,
        sid: impl Into<String>,
        api_key: impl Into<Secret>,
        business_number: impl Into<String>,
    ) -> Self {
        Door::Kaleyra {
            pod,
            sid: sid.into(),
            api_key: api_key.into(),
            business_number: business_number.into(),
            extra_info: None,
            callback_profile_id: None,
        }
    }

    /// Which door this is.
    pub fn kind(&self) -> DoorKind {
        match self {
            Door::Meta { .. } => DoorKind::Meta,
            Door::Dialog360 { .. } => DoorKind::Dialog360,
            Door::Kaleyra { .. } => DoorKind::Kaleyra,
        }
    }

    /// The door's public base URL.
    pub fn default_base_url(&self) -> &'static str {
        match self {
            Door::Meta { .. } => META_BASE_URL,
            Door::Dialog360 { .. } => D360_BASE_URL,
            Door::Kaleyra { pod, .. } => pod.base_url(),
        }
    }

    /// The validation dialect of the door's message body.
    pub fn dialect(&self) -> Dialect {
        match self {
            Door::Kaleyra { .. } => Dialect::Kaleyra,
            _ => Dialect::Meta,
        }
    }

    pub(crate) fn auth_header(&self) -> (&'static str, String) {
        match self {
            Door::Meta { token, .. } => ("authorization", format!("Bearer {}", token.expose())),
            Door::Dialog360 { api_key } => ("d360-api-key", api_key.expose().to_owned()),
            Door::Kaleyra { api_key, .. } => ("api-key", api_key.expose().to_owned()),
        }
    }

    /// The request that sends `message` through this door.
    ///
    /// # Errors
    /// What `serde_json` reports when the message cannot be serialized (not for wacart's types).
    pub fn send_request(
        &self,
        base: &str,
        message: &OutboundMessage,
    ) -> Result<PreparedRequest, serde_json::Error> {
        let base = base.trim_end_matches('/');
        let (url, body) = match self {
            Door::Meta {
                graph_version,
                phone_number_id,
                ..
            } => (
                format!("{base}/{graph_version}/{phone_number_id}/messages"),
                serde_json::to_vec(message)?,
            ),
            Door::Dialog360 { .. } => (format!("{base}/messages"), serde_json::to_vec(message)?),
            Door::Kaleyra {
                sid,
                business_number,
                extra_info,
                callback_profile_id,
                ..
            } => {
                let number = WaId::normalized(business_number);
                let envelope = KaleyraEnvelope {
                    messaging_object: message,
                    extra_info: extra_info.as_ref(),
                    callback_profile_id: callback_profile_id.as_deref(),
                };
                (
                    format!("{base}/v2/{sid}/whatsapp/{number}/messages"),
                    serde_json::to_vec(&envelope)?,
                )
            }
        };
        Ok(self.prepared("POST", url, body))
    }

    /// The request that marks an inbound message read (with or without the typing indicator):
    /// the messages endpoint of Meta's and 360dialog's doors; `None` on Kaleyra's, which has no
    /// such call.
    ///
    /// # Errors
    /// What `serde_json` reports when the receipt cannot be serialized (not for wacart's types).
    pub fn read_request(
        &self,
        base: &str,
        read: &MarkRead,
    ) -> Result<Option<PreparedRequest>, serde_json::Error> {
        let base = base.trim_end_matches('/');
        let url = match self {
            Door::Meta {
                graph_version,
                phone_number_id,
                ..
            } => format!("{base}/{graph_version}/{phone_number_id}/messages"),
            Door::Dialog360 { .. } => format!("{base}/messages"),
            Door::Kaleyra { .. } => return Ok(None),
        };
        Ok(Some(self.prepared("POST", url, serde_json::to_vec(read)?)))
    }

    pub(crate) fn prepared(
        &self,
        method: &'static str,
        url: String,
        body: Vec<u8>,
    ) -> PreparedRequest {
        let mut headers = vec![self.auth_header()];
        if !body.is_empty() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        PreparedRequest {
            method,
            url,
            headers,
            body,
        }
    }

    /// `{base}/{version}/{node}/{edge}` on Meta's Graph API; `None` on the other doors.
    pub(crate) fn graph_path(&self, base: &str, node: &str, edge: &str) -> Option<String> {
        match self {
            Door::Meta { graph_version, .. } => Some(format!(
                "{}/{graph_version}/{node}/{edge}",
                base.trim_end_matches('/')
            )),
            _ => None,
        }
    }

    pub(crate) fn phone_number_id(&self) -> Option<&PhoneNumberId> {
        match self {
            Door::Meta {
                phone_number_id, ..
            } => Some(phone_number_id),
            _ => None,
        }
    }
}

/// Kaleyra's envelope, borrowing the message (no copy on the hot path).
#[derive(serde::Serialize)]
struct KaleyraEnvelope<'a> {
    messaging_object: &'a OutboundMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_info: Option<&'a KaleyraExtraInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_profile_id: Option<&'a str>,
}

/// An HTTP request, built and inspectable without I/O.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreparedRequest {
    /// `POST` or `GET`.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// Header names (lowercase) and values, credentials included.
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Headers that carry credentials: redacted when a request is printed.
pub const SECRET_HEADERS: &[&str] = &["authorization", "d360-api-key", "api-key"];

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if SECRET_HEADERS.contains(k) {
                        "<redacted>"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            // The body holds the customer's number: print its size only.
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spm() -> OutboundMessage {
        OutboundMessage::product("16505551234", "194836987003835", "di9ozbzfi4")
            .build()
            .unwrap()
    }

    #[test]
    fn each_door_has_its_path_and_credential_header() {
        let meta = Door::meta("100000000000001", "tok")
            .send_request(META_BASE_URL, &spm())
            .unwrap();
        assert_eq!(
            meta.url,
            "https://graph.facebook.com/v23.0/100000000000001/messages"
        );
        assert_eq!(meta.headers[0], ("authorization", "Bearer tok".to_owned()));
        let d360 = Door::dialog360("key")
            .send_request("http://127.0.0.1:9/", &spm())
            .unwrap();
        assert_eq!(d360.url, "http://127.0.0.1:9/messages");
        assert_eq!(d360.headers[0], ("d360-api-key", "key".to_owned()));
        let k = Door::kaleyra(KaleyraPod::In, "HXIN1", "k", "15550001111");
        let req = k.send_request(k.default_base_url(), &spm()).unwrap();
        assert_eq!(
            req.url,
            "https://api.in.kaleyra.io/v2/HXIN1/whatsapp/15550001111/messages"
        );
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["messaging_object"]["interactive"]["type"], "product");
        let plus = Door::kaleyra(KaleyraPod::In, "HXIN1", "k", "+15550001111");
        let req_plus = plus.send_request(plus.default_base_url(), &spm()).unwrap();
        assert_eq!(
            req_plus.url, req.url,
            "a `+` in the business number is dropped: digits, as Kaleyra's page shows"
        );
    }

    #[test]
    fn printing_a_request_hides_credentials() {
        let req = Door::meta("1", "EAAG-secret")
            .send_request(META_BASE_URL, &spm())
            .unwrap();
        let printed = format!("{req:?}");
        assert!(!printed.contains("EAAG-secret"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
