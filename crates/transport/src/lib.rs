#![doc = include_str!("../README.md")]

mod client;
mod d360;
mod door;
mod error;
mod kaleyra_callback;
mod limit;
mod media;
mod retry;
mod secret;
mod templates;
mod webhook;

pub use client::{Client, ClientBuilder, Receipt};
pub use d360::D360WebhookConfig;
pub use door::{
    D360_BASE_URL, DEFAULT_GRAPH_VERSION, Door, DoorKind, KaleyraPod, META_BASE_URL,
    PreparedRequest, SECRET_HEADERS,
};
pub use error::Error;
pub use kaleyra_callback::{
    KaleyraCallback, KaleyraCallbackError, KaleyraIncoming, KaleyraRefs, KaleyraStatus,
    KaleyraStatusKind, check_header,
};
pub use limit::{DEFAULT_NUMBER_RATE, RateLimit};
pub use media::{DownloadedMedia, MediaUrl};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use templates::{CreatedTemplate, TemplatePage, TemplateQuery, TemplateRecord};
pub use webhook::{
    HandshakeError, SIGNATURE_HEADER, SignatureError, WebhookError, handshake, sign, verify,
    verify_and_parse,
};
