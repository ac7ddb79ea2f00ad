//! Graph error codes that matter for commerce messaging (spec §2).

/// Invalid parameter: unknown or misspelled field, wrong JSON type.
pub const INVALID_PARAMETER: u32 = 100;
/// Access token missing, wrong or expired (HTTP 401).
pub const ACCESS_TOKEN_EXPIRED: u32 = 190;
/// Rate limit hit: above the number's messages-per-second limit. Retryable.
pub const RATE_LIMIT_HIT: u32 = 130_429;
/// Something went wrong (internal). Retryable.
pub const SOMETHING_WENT_WRONG: u32 = 131_000;
/// Required parameter is missing.
pub const REQUIRED_PARAMETER_MISSING: u32 = 131_008;
/// Parameter value is not valid; every commerce failure, told apart by `details`.
pub const PARAMETER_VALUE_INVALID: u32 = 131_009;
/// Service unavailable. Retryable.
pub const SERVICE_UNAVAILABLE: u32 = 131_016;
/// Message undeliverable (e.g. the customer's app is too old for product messages).
pub const MESSAGE_UNDELIVERABLE: u32 = 131_026;
/// Re-engagement message: more than 24 h since the customer last wrote.
pub const REENGAGEMENT_MESSAGE: u32 = 131_047;
/// Unsupported message type.
pub const UNSUPPORTED_MESSAGE_TYPE: u32 = 131_051;
/// (Business account, consumer account) pair rate limit hit. Retryable after back-off.
pub const PAIR_RATE_LIMIT_HIT: u32 = 131_056;
/// A BSUID (`recipient`) cannot receive this message (authentication templates).
pub const BSUID_NOT_SUPPORTED: u32 = 131_062;
/// A template send's parameters do not match the template's in number.
pub const TEMPLATE_PARAM_COUNT_MISMATCH: u32 = 132_000;
/// No approved template of that name in that language (HTTP 404).
pub const TEMPLATE_NOT_FOUND: u32 = 132_001;
/// A template's text, variables filled, is longer than its component allows.
pub const TEMPLATE_TEXT_TOO_LONG: u32 = 132_005;
/// A template send's parameters do not match the template's in format.
pub const TEMPLATE_PARAM_FORMAT_MISMATCH: u32 = 132_012;
/// The template is paused (low quality).
pub const TEMPLATE_PAUSED: u32 = 132_015;
/// The template is disabled (paused too many times).
pub const TEMPLATE_DISABLED: u32 = 132_016;

/// Meta's title for a code, as used in `message` (`(#131009) Parameter value is not valid`).
pub fn title(code: u32) -> &'static str {
    match code {
        INVALID_PARAMETER => "Invalid parameter",
        ACCESS_TOKEN_EXPIRED => "Access token has expired",
        RATE_LIMIT_HIT => "Rate limit hit",
        SOMETHING_WENT_WRONG => "Something went wrong",
        REQUIRED_PARAMETER_MISSING => "Required parameter is missing",
        PARAMETER_VALUE_INVALID => "Parameter value is not valid",
        SERVICE_UNAVAILABLE => "Service unavailable",
        MESSAGE_UNDELIVERABLE => "Message Undeliverable",
        REENGAGEMENT_MESSAGE => "Re-engagement message",
        UNSUPPORTED_MESSAGE_TYPE => "Unsupported message type",
        PAIR_RATE_LIMIT_HIT => "(Business Account, Consumer Account) pair rate limit hit",
        BSUID_NOT_SUPPORTED => {
            "Business-scoped User ID (BSUID) recipients are not supported for this message."
        }
        TEMPLATE_PARAM_COUNT_MISMATCH => {
            "Number of parameters does not match the expected number of params"
        }
        TEMPLATE_NOT_FOUND => "Template name does not exist in the translation",
        TEMPLATE_TEXT_TOO_LONG => "Translated text too long",
        TEMPLATE_PARAM_FORMAT_MISMATCH => {
            "Parameter format does not match format in the created template"
        }
        TEMPLATE_PAUSED => "Template is Paused",
        TEMPLATE_DISABLED => "Template is Disabled",
        _ => "Error",
    }
}

/// Whether a request refused with this code may be sent again (after a back-off).
pub fn is_retryable(code: u32) -> bool {
    matches!(
        code,
        RATE_LIMIT_HIT | PAIR_RATE_LIMIT_HIT | SOMETHING_WENT_WRONG | SERVICE_UNAVAILABLE
    )
}

/// The HTTP status Meta answers with for this code (spec §1.7), 400 for the rest.
pub fn http_status(code: u32) -> u16 {
    match code {
        ACCESS_TOKEN_EXPIRED => 401,
        10 | 200..=299 => 403,
        RATE_LIMIT_HIT | PAIR_RATE_LIMIT_HIT => 429,
        TEMPLATE_NOT_FOUND => 404,
        SOMETHING_WENT_WRONG => 500,
        SERVICE_UNAVAILABLE => 503,
        _ => 400,
    }
}
