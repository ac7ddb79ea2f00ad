//! What the doors answer: Meta's send response and Graph error, Kaleyra's envelope and 202,
//! 360dialog's own error envelope.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes;
use crate::ids::{MessageId, UserId, WaId};
use crate::outbound::OutboundMessage;
use crate::validate::Violation;
use crate::wire::wire_struct;

wire_struct! {
    /// HTTP 200 to a send: accepted, not yet delivered.
    pub struct SendResponse {
        /// Always `whatsapp`.
        messaging_product: req String = "messaging_product",
        /// The recipient as sent and its WhatsApp id.
        contacts: vec SendContact = "contacts",
        /// The new message's id.
        messages: vec SentMessage = "messages",
    }
}

wire_struct! {
    /// `contacts[]` of a send response.
    pub struct SendContact {
        /// `to` (or `recipient`) as it was sent.
        input: req String = "input",
        /// The customer's phone number, when the message was sent to it.
        wa_id: opt WaId = "wa_id",
        /// The customer's BSUID, when the message was sent to it (and not also to a number).
        user_id: opt UserId = "user_id",
    }
}

wire_struct! {
    /// `messages[]` of a send response.
    pub struct SentMessage {
        /// The message id, `wamid.…`.
        id: req MessageId = "id",
        /// Only for paced templates; product messages omit it.
        message_status: opt String = "message_status",
    }
}

impl SendResponse {
    /// The response for one message accepted for a phone number.
    pub fn new(input: impl Into<String>, wa_id: WaId, id: MessageId) -> Self {
        Self::with_contact(input.into(), Some(wa_id), None, id)
    }

    /// The response for one message accepted for a business-scoped user id (`recipient`).
    pub fn for_user(input: impl Into<String>, user_id: UserId, id: MessageId) -> Self {
        Self::with_contact(input.into(), None, Some(user_id), id)
    }

    fn with_contact(
        input: String,
        wa_id: Option<WaId>,
        user_id: Option<UserId>,
        id: MessageId,
    ) -> Self {
        SendResponse {
            messaging_product: "whatsapp".to_owned(),
            contacts: vec![SendContact {
                input,
                wa_id,
                user_id,
                extra: Map::new(),
            }],
            messages: vec![SentMessage {
                id,
                message_status: None,
                extra: Map::new(),
            }],
            extra: Map::new(),
        }
    }

    /// The id of the (first) message.
    pub fn message_id(&self) -> Option<&MessageId> {
        self.messages.first().map(|m| &m.id)
    }
}

/// `{"error": {...}}`: a Graph API error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GraphErrorResponse {
    /// The error.
    pub error: GraphError,
}

wire_struct! {
    /// The Graph error object. Branch on `code` and `error_data.details`, never on `message`.
    pub struct GraphError {
        /// `(#131009) Parameter value is not valid`.
        message: req String = "message",
        /// Usually `OAuthException`.
        kind: opt String = "type",
        /// The Graph code.
        code: req u32 = "code",
        /// Deprecated, still seen.
        error_subcode: opt u32 = "error_subcode",
        /// The specific cause.
        error_data: opt ErrorData = "error_data",
        /// Optional title for a person.
        error_user_title: opt String = "error_user_title",
        /// Optional message for a person.
        error_user_msg: opt String = "error_user_msg",
        /// Whether Meta considers it temporary.
        is_transient: opt bool = "is_transient",
        /// Opaque trace id.
        fbtrace_id: opt String = "fbtrace_id",
    }
}

/// `error_data`: an object on the messages endpoint, a plain string on some others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ErrorData {
    /// `{"messaging_product":"whatsapp","details":"..."}`.
    Object(ErrorDetails),
    /// A bare string.
    Text(String),
}

wire_struct! {
    /// `error_data` as an object.
    pub struct ErrorDetails {
        /// `whatsapp`.
        messaging_product: opt String = "messaging_product",
        /// The specific cause, e.g. `Products not found in FB Catalog`.
        details: opt String = "details",
    }
}

impl ErrorData {
    /// The details text, wherever it is.
    pub fn details(&self) -> Option<&str> {
        match self {
            ErrorData::Object(o) => o.details.as_deref(),
            ErrorData::Text(t) => Some(t),
        }
    }
}

impl From<GraphError> for GraphErrorResponse {
    fn from(error: GraphError) -> Self {
        GraphErrorResponse { error }
    }
}

impl GraphError {
    /// An error as Meta writes it: `(#code) title`, type `OAuthException`, details in
    /// `error_data`.
    pub fn new(code: u32, details: impl Into<String>, fbtrace_id: impl Into<String>) -> Self {
        GraphError {
            message: format!("(#{code}) {}", codes::title(code)),
            kind: Some("OAuthException".to_owned()),
            code,
            error_subcode: None,
            error_data: Some(ErrorData::Object(ErrorDetails {
                messaging_product: Some("whatsapp".to_owned()),
                details: Some(details.into()),
                extra: Map::new(),
            })),
            error_user_title: None,
            error_user_msg: None,
            is_transient: None,
            fbtrace_id: Some(fbtrace_id.into()),
            extra: Map::new(),
        }
    }

    /// The error for the first of a message's violations, its path in the details.
    pub fn from_violation(v: &Violation, fbtrace_id: impl Into<String>) -> Self {
        GraphError::new(v.code, format!("{}: {}", v.path, v.message), fbtrace_id)
    }

    /// The details text, if any.
    pub fn details(&self) -> Option<&str> {
        self.error_data.as_ref().and_then(ErrorData::details)
    }

    /// The HTTP status Meta answers with for this error's code.
    pub fn http_status(&self) -> u16 {
        codes::http_status(self.code)
    }
}

/// Kaleyra's request body: the Meta message inside `messaging_object`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KaleyraRequest {
    /// The message, in Meta's shape.
    pub messaging_object: OutboundMessage,
    /// References that travel to reports and callbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_info: Option<KaleyraExtraInfo>,
    /// The callback profile that hears of this message's statuses (the number's default when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_profile_id: Option<String>,
}

/// `extra_info` of a Kaleyra request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KaleyraExtraInfo {
    /// Reference, at most 255 characters (longer is truncated).
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Second reference, at most 255 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref1: Option<String>,
    /// Third reference, at most 255 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref2: Option<String>,
    /// Where the message came from; values outside Kaleyra's list are recorded as `api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_source: Option<String>,
}

/// Kaleyra's documented `wa_source` values.
pub const KALEYRA_WA_SOURCES: &[&str] = &[
    "api",
    "clevertap",
    "zoho",
    "webengage",
    "shopify",
    "leadsquared",
    "responsys",
    "braze",
    "hubspot",
    "salesforce",
    "zapier",
    "eloqua",
    "moengage",
];

/// Longest Kaleyra ref, in characters.
pub const KALEYRA_REF_MAX: usize = 255;

impl KaleyraRequest {
    /// Wraps a message with no extra info.
    pub fn new(message: OutboundMessage) -> Self {
        KaleyraRequest {
            messaging_object: message,
            extra_info: None,
            callback_profile_id: None,
        }
    }

    /// What Kaleyra records: refs cut to 255 characters, unknown `wa_source` as `api`.
    pub fn normalize(&mut self) {
        if let Some(info) = &mut self.extra_info {
            for r in [&mut info.reference, &mut info.ref1, &mut info.ref2]
                .into_iter()
                .flatten()
            {
                if let Some((cut, _)) = r.char_indices().nth(KALEYRA_REF_MAX) {
                    r.truncate(cut);
                }
            }
            if let Some(src) = &mut info.wa_source
                && !KALEYRA_WA_SOURCES.contains(&src.as_str())
            {
                "api".clone_into(src);
            }
        }
    }
}

wire_struct! {
    /// Kaleyra's answer: `WA202` on success (HTTP 202), or an error code such as `RBC001`.
    pub struct KaleyraResponse {
        /// `WA202`, `RBC001`, `WA401`, `WA400`, `E110`, `WA500`, ...
        code: req String = "code",
        /// `Request Accepted.`, or what went wrong.
        message: req String = "message",
        /// `{"message_id": "..."}` on success.
        data: opt Value = "data",
        /// `{}` on success; details on failure.
        error: opt Value = "error",
    }
}

/// Kaleyra's documented answers to a send (WhatsApp Message API V2 error codes,
/// docs/providers.md §2): HTTP status, `code` and `message` as the page prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KaleyraError {
    /// 400 `WA400`: incorrect payload.
    IncorrectPayload,
    /// 400 `E110`: low balance.
    LowBalance,
    /// 401 `RBC001`: incorrect SID or API key.
    Unauthorized,
    /// 401 `WA-401`: the account type has no API access.
    AccountType,
    /// 401 `WA401`: the phone number is not the account's.
    PhoneNumber,
    /// 401 `WA-401`: the phone number is on another version of the API.
    PhoneNumberVersion,
    /// 500 `WA500`: internal server error.
    Internal,
}

impl KaleyraError {
    /// Every documented refusal, in the page's order.
    pub const ALL: [KaleyraError; 7] = [
        KaleyraError::IncorrectPayload,
        KaleyraError::LowBalance,
        KaleyraError::Unauthorized,
        KaleyraError::AccountType,
        KaleyraError::PhoneNumber,
        KaleyraError::PhoneNumberVersion,
        KaleyraError::Internal,
    ];

    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            KaleyraError::IncorrectPayload | KaleyraError::LowBalance => 400,
            KaleyraError::Internal => 500,
            _ => 401,
        }
    }

    /// `code`.
    pub fn code(self) -> &'static str {
        match self {
            KaleyraError::IncorrectPayload => "WA400",
            KaleyraError::LowBalance => "E110",
            KaleyraError::Unauthorized => "RBC001",
            KaleyraError::AccountType | KaleyraError::PhoneNumberVersion => "WA-401",
            KaleyraError::PhoneNumber => "WA401",
            KaleyraError::Internal => "WA500",
        }
    }

    /// `message`, word for word.
    pub fn message(self) -> &'static str {
        match self {
            KaleyraError::IncorrectPayload => "Refer to correct payload format.",
            KaleyraError::LowBalance => "Please check your balance, You have a low balance!",
            KaleyraError::Unauthorized => "Incorrect SID or API key.",
            KaleyraError::AccountType => {
                "API is not available for given customer. Please contact support for more info."
            }
            KaleyraError::PhoneNumber => {
                "Phone number is not present or does not belong to the account."
            }
            KaleyraError::PhoneNumberVersion => {
                "The phone number you're using is associated with different Version of our WA API. Please use the appropriate endpoint."
            }
            KaleyraError::Internal => "Please try again later.",
        }
    }

    /// The page's description (`Description` column).
    pub fn description(self) -> &'static str {
        match self {
            KaleyraError::IncorrectPayload => "Incorrect payload",
            KaleyraError::LowBalance => "Low balance",
            KaleyraError::Unauthorized => "Unauthorized",
            KaleyraError::AccountType => "Unauthorised Account type",
            KaleyraError::PhoneNumber => "Unauthorized phone number",
            KaleyraError::PhoneNumberVersion => "Unauthorized phone number version",
            KaleyraError::Internal => "Internal Server Error",
        }
    }

    /// The one with this `code` and `message`.
    pub fn from_answer(code: &str, message: &str) -> Option<KaleyraError> {
        Self::ALL
            .into_iter()
            .find(|e| e.code() == code && e.message() == message)
            .or_else(|| Self::ALL.into_iter().find(|e| e.code() == code))
    }
}

impl KaleyraResponse {
    /// Kaleyra's answer for a documented refusal: `code` and `message` as the page prints them,
    /// `data` empty, and `error` holding `details` (`{}` without them).
    pub fn refusal(e: KaleyraError, details: Option<Value>) -> Self {
        let mut error = Map::new();
        if let Some(d) = details {
            error.insert("details".to_owned(), d);
        }
        KaleyraResponse {
            code: e.code().to_owned(),
            message: e.message().to_owned(),
            data: Some(Value::Object(Map::new())),
            error: Some(Value::Object(error)),
            extra: Map::new(),
        }
    }

    /// The 202 answer for an accepted message.
    pub fn accepted(message_id: &MessageId) -> Self {
        let mut data = Map::new();
        data.insert(
            "message_id".to_owned(),
            Value::String(message_id.to_string()),
        );
        KaleyraResponse {
            code: "WA202".to_owned(),
            message: "Request Accepted.".to_owned(),
            data: Some(Value::Object(data)),
            error: Some(Value::Object(Map::new())),
            extra: Map::new(),
        }
    }

    /// An error answer with Kaleyra's code, a message, and `error` details.
    pub fn error(code: impl Into<String>, message: impl Into<String>, error: Value) -> Self {
        KaleyraResponse {
            code: code.into(),
            message: message.into(),
            data: None,
            error: Some(error),
            extra: Map::new(),
        }
    }

    /// The message id of an accepted request.
    pub fn message_id(&self) -> Option<&str> {
        self.data.as_ref()?.get("message_id")?.as_str()
    }
}

/// 360dialog's own error envelope (Meta errors pass through unchanged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct D360ErrorResponse {
    /// The error.
    pub meta: D360Meta,
}

wire_struct! {
    /// `meta` of a 360dialog error.
    pub struct D360Meta {
        /// Always `false` for errors.
        success: req bool = "success",
        /// The HTTP status.
        http_code: req u16 = "http_code",
        /// What went wrong.
        developer_message: opt String = "developer_message",
    }
}

impl D360ErrorResponse {
    /// An error with this status and message.
    pub fn new(http_code: u16, developer_message: impl Into<String>) -> Self {
        D360ErrorResponse {
            meta: D360Meta {
                success: false,
                http_code,
                developer_message: Some(developer_message.into()),
                extra: Map::new(),
            },
        }
    }
}
