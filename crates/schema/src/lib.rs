#![doc = include_str!("../README.md")]

mod builder;
pub mod codes;
mod escape;
mod graph;
mod ids;
mod money;
mod outbound;
mod read;
mod response;
mod template;
mod validate;
mod webhook;
mod wire;

pub use builder::{
    ButtonsKind, CatalogKind, ListKind, MessageBuilder, ProductKind, ProductListKind, TextKind,
};
pub use escape::to_vec_ascii;
pub use graph::{
    BatchMethod, BatchRequest, CommerceSettings, CommerceSettingsResponse, ItemsBatchRequest,
    ItemsBatchResponse, SuccessResponse,
};
pub use ids::{
    CatalogId, MaskedPhone, MessageId, PhoneNumberId, Recipient, RetailerId, UserId, WaId,
    WaIdError, WabaId,
};
pub use money::{Price, PriceError};
pub use outbound::{
    Addressee, CatalogAction, CatalogMessage, CatalogParameters, Content, Header, HeaderType,
    Interactive, OutboundMessage, ProductAction, ProductItem, ProductListAction,
    ProductListMessage, ProductMessage, RecipientType, ReplyTo, Section, Text, TextBody,
};
pub use read::{MarkRead, MessagesRequest};
pub use response::{
    D360ErrorResponse, D360Meta, ErrorData, ErrorDetails, GraphError, GraphErrorResponse,
    KALEYRA_REF_MAX, KALEYRA_WA_SOURCES, KaleyraError, KaleyraExtraInfo, KaleyraRequest,
    KaleyraResponse, SendContact, SendResponse, SentMessage,
};
/// The limits of templates, as constants.
pub use template::limits as template_limits;
pub use template::{
    ActionParameter, ButtonAction, ButtonComponent, ButtonIndex, ButtonSubType, ButtonType,
    CardBuilder, CarouselCard, CarouselComponent, Category, ComponentParameters,
    CouponCodeParameter, Currency, CurrencyParameter, DateTime, DateTimeParameter, DefBody,
    DefButton, DefButtons, DefCard, DefCarousel, DefComponent, DefFooter, DefHeader,
    DefinitionBuilder, DocumentParameter, FilledButton, FilledCard, FilledHeader, FilledTemplate,
    HeaderFormat, ImageParameter, LocationObject, LocationParameter, MediaObject, Parameter,
    ParameterFormat, ParameterKind, PayloadParameter, ProductParameter, ProductRef, SendComponent,
    TemplateDefinition, TemplateError, TemplateKind, TemplateKindMarker, TemplateLanguage,
    TemplateMessage, TemplateStatus, TemplateStatusUpdate, TextParameter, Var, VideoParameter,
    fill as fill_template, fill_variables, validate_template_json, validate_template_value,
    variable_count, variables,
};
pub use validate::{
    Dialect, InputError, Options, Violation, Violations, limits, validate_json,
    validate_kaleyra_value, validate_messages_json, validate_value,
};
pub use webhook::{
    Change, ChangeValue, Contact, Entry, Event, InboundContent, InboundMedia, InboundMessage,
    InboundText, InteractiveReply, Location, MessageContext, Metadata, Order, OrderItem, Pricing,
    Profile, Reaction, ReferredProduct, ReplyChoice, Status, StatusKind, Timestamp, WebhookError,
    WebhookPayload,
};

/// Reads one outbound message as raw bytes, in either shape a door takes: Meta's body, or
/// Kaleyra's envelope (recognised by its `messaging_object` key), and checks every rule.
///
/// # Errors
/// [`InputError::NotJson`] when the bytes are not JSON, [`InputError::Invalid`] with every
/// violation otherwise.
pub fn validate_any_json(bytes: &[u8], opts: &Options) -> Result<AnyMessage, InputError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| InputError::NotJson(e.to_string()))?;
    if value.get("messaging_object").is_some() {
        validate_kaleyra_value(&value, opts)
            .map(AnyMessage::Kaleyra)
            .map_err(InputError::Invalid)
    } else {
        validate_value(&value, opts)
            .map(AnyMessage::Meta)
            .map_err(InputError::Invalid)
    }
}

/// A message in either door's shape.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnyMessage {
    /// Meta's (and 360dialog's) body.
    Meta(OutboundMessage),
    /// Kaleyra's envelope.
    Kaleyra(KaleyraRequest),
}
